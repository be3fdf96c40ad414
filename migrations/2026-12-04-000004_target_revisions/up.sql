-- Targets revised through the API, with their history, and retired indicators.

-- A version per figure, for If-Match on target revisions.
ALTER TABLE indicator_figures ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- A retired indicator stays readable with its history and accepts no new realisations.
ALTER TABLE indicators
    ADD COLUMN retired_at TIMESTAMPTZ,
    ADD COLUMN retired_reason TEXT CHECK (length(retired_reason) <= 2000),
    ADD COLUMN version INTEGER NOT NULL DEFAULT 1,
    ADD CHECK ((retired_at IS NULL) = (retired_reason IS NULL));

-- Every setting or revision of a target through the API. The figure itself stays current in
-- indicator_figures; a row here keeps what it replaced, so the target in force at any moment
-- can be told. Append-only.
CREATE TABLE target_revisions (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    indicator_id        BIGINT NOT NULL REFERENCES indicators (id),
    year                INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    quarter             SMALLINT CHECK (quarter BETWEEN 1 AND 4),
    printed             TEXT NOT NULL CHECK (length(printed) BETWEEN 1 AND 1000),
    value               JSONB NOT NULL,
    previous_printed    TEXT,
    previous_value      JSONB,
    reason              TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    reference           TEXT NOT NULL CHECK (length(reference) BETWEEN 1 AND 500),
    revised_by_user_id  BIGINT NOT NULL REFERENCES users (id),
    effective_from      TIMESTAMPTZ NOT NULL,
    CHECK ((previous_printed IS NULL) = (previous_value IS NULL))
);

COMMENT ON COLUMN target_revisions.previous_printed IS 'The target this revision replaced, as printed; NULL when none was set.';
COMMENT ON COLUMN target_revisions.reference IS 'The document the new value comes from, such as a decree or a published statistic.';

CREATE INDEX target_revisions_indicator_idx ON target_revisions (indicator_id, year, quarter, effective_from);

CREATE TRIGGER target_revisions_append_only
    BEFORE UPDATE OR DELETE ON target_revisions
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER target_revisions_no_truncate
    BEFORE TRUNCATE ON target_revisions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
