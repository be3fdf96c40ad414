-- Quarterly realisations: reporting periods and their exceptions, realisations with every
-- version kept, evidence, idempotency keys, and the rules that combine and judge figures.

-- How an indicator's figure for a period is made from its implementers' figures, and which
-- formula judges a lower-is-better realisation.
ALTER TABLE indicators
    ADD COLUMN combine_rule TEXT NOT NULL DEFAULT 'designated'
        CHECK (combine_rule IN ('sum', 'ratio', 'designated')),
    ADD COLUMN reporting_unit_id BIGINT REFERENCES organisations (id),
    ADD COLUMN lower_rule TEXT NOT NULL DEFAULT 'difference'
        CHECK (lower_rule IN ('difference', 'ratio'));

COMMENT ON COLUMN indicators.combine_rule IS 'sum: the implementers'' figures add up; ratio: sum of numerators over sum of denominators, as a percentage; designated: the figure of reporting_unit_id.';
COMMENT ON COLUMN indicators.lower_rule IS 'For lower-is-better indicators, difference: (2 x target - realisation) / target; ratio: target / realisation.';

CREATE TABLE reporting_periods (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    roadmap_id   BIGINT NOT NULL REFERENCES roadmaps (id),
    year         INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    quarter      SMALLINT NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    opens_on     DATE NOT NULL,
    deadline     DATE NOT NULL,
    late_policy  TEXT NOT NULL CHECK (late_policy IN ('refuse', 'accept_late')),
    locked_at    TIMESTAMPTZ,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (roadmap_id, year, quarter),
    CHECK (deadline >= opens_on)
);

COMMENT ON TABLE reporting_periods IS 'A quarter (triwulan) in which implementers report. Dates are calendar days in Asia/Jakarta: a deadline day ends at 23:59:59 WIB.';
COMMENT ON COLUMN reporting_periods.late_policy IS 'After the deadline, refuse: first submissions are refused; accept_late: they are accepted and marked late.';
COMMENT ON COLUMN reporting_periods.locked_at IS 'When set, nothing in the period changes any more, verification included.';

-- A closed period reopened for one organisation until a day (Asia/Jakarta), on record.
CREATE TABLE period_exceptions (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    period_id           BIGINT NOT NULL REFERENCES reporting_periods (id),
    organisation_id     BIGINT NOT NULL REFERENCES organisations (id),
    until               DATE NOT NULL,
    reason              TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    granted_by_user_id  BIGINT NOT NULL REFERENCES users (id),
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX period_exceptions_period_idx ON period_exceptions (period_id, organisation_id);

CREATE TABLE realisations (
    id                      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    indicator_id            BIGINT NOT NULL REFERENCES indicators (id),
    period_id               BIGINT NOT NULL REFERENCES reporting_periods (id),
    organisation_id         BIGINT NOT NULL REFERENCES organisations (id),
    state                   TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'returned', 'verified')),
    version                 INTEGER NOT NULL DEFAULT 1,
    printed                 TEXT,
    value_number            NUMERIC,
    numerator               NUMERIC,
    denominator             NUMERIC CHECK (denominator > 0),
    value_text              TEXT,
    grade                   TEXT,
    met                     BOOLEAN,
    note                    TEXT,
    created_by_user_id      BIGINT REFERENCES users (id),
    created_by_client_id    BIGINT REFERENCES service_clients (id),
    submitted_at            TIMESTAMPTZ,
    submitted_by_user_id    BIGINT REFERENCES users (id),
    submitted_by_client_id  BIGINT REFERENCES service_clients (id),
    timeliness              TEXT CHECK (timeliness IN ('on_time', 'late', 'exception')),
    reviewed_at             TIMESTAMPTZ,
    reviewed_by_user_id     BIGINT REFERENCES users (id),
    review_note             TEXT,
    created_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (indicator_id, period_id, organisation_id),
    CHECK (num_nonnulls(created_by_user_id, created_by_client_id) = 1),
    CHECK ((numerator IS NULL) = (denominator IS NULL)),
    CHECK (state = 'draft' OR submitted_at IS NOT NULL),
    CHECK (state NOT IN ('returned', 'verified') OR reviewed_by_user_id IS NOT NULL)
);

COMMENT ON TABLE realisations IS 'One organisation''s figure for one indicator and period, in its current version.';
COMMENT ON COLUMN realisations.printed IS 'The value as the client sent it, such as "74,5".';
COMMENT ON COLUMN realisations.timeliness IS 'Of the first submission: on time, late (after the deadline, accepted by the period''s policy) or under an exception.';

CREATE INDEX realisations_period_idx ON realisations (period_id, indicator_id);
CREATE INDEX realisations_organisation_idx ON realisations (organisation_id);

-- Every version of every realisation, as the API showed it after the change. Append-only.
CREATE TABLE realisation_versions (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    realisation_id   BIGINT NOT NULL REFERENCES realisations (id),
    version          INTEGER NOT NULL,
    state            TEXT NOT NULL,
    action           TEXT NOT NULL,
    snapshot         JSONB NOT NULL,
    actor_user_id    BIGINT REFERENCES users (id),
    actor_client_id  BIGINT REFERENCES service_clients (id),
    recorded_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (realisation_id, version)
);

CREATE TABLE evidence (
    id                     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    realisation_id         BIGINT NOT NULL REFERENCES realisations (id),
    kind                   TEXT NOT NULL CHECK (kind IN ('file', 'link')),
    url                    TEXT CHECK (length(url) <= 2000),
    file_name              TEXT CHECK (length(file_name) <= 200),
    media_type             TEXT,
    size_bytes             BIGINT CHECK (size_bytes > 0),
    sha256                 BYTEA CHECK (length(sha256) = 32),
    storage_key            TEXT UNIQUE,
    description            TEXT CHECK (length(description) <= 500),
    added_by_user_id       BIGINT REFERENCES users (id),
    added_by_client_id     BIGINT REFERENCES service_clients (id),
    added_at               TIMESTAMPTZ NOT NULL DEFAULT now(),
    removed_at             TIMESTAMPTZ,
    CHECK ((kind = 'link') = (url IS NOT NULL)),
    CHECK ((kind = 'file') = (storage_key IS NOT NULL AND sha256 IS NOT NULL AND media_type IS NOT NULL
                               AND file_name IS NOT NULL AND size_bytes IS NOT NULL))
);

COMMENT ON TABLE evidence IS 'Bukti dukung: an uploaded file in the evidence store, or a link. A removed item keeps its row.';
CREATE INDEX evidence_realisation_idx ON evidence (realisation_id);

-- Responses to POST requests sent with an Idempotency-Key header, kept for 24 hours. The row is
-- written in the transaction of the work it answers, so it exists only if the work committed.
CREATE TABLE idempotency_keys (
    principal      TEXT NOT NULL,
    key            TEXT NOT NULL,
    fingerprint    BYTEA NOT NULL,
    status         SMALLINT NOT NULL,
    response_body  JSONB NOT NULL,
    location       TEXT,
    etag           TEXT,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (principal, key)
);

CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- The audit log and the version history are append-only: the database refuses to change or
-- delete their rows, whoever asks.
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'rows of % are append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_events_append_only
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_events_no_truncate
    BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER realisation_versions_append_only
    BEFORE UPDATE OR DELETE ON realisation_versions
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER realisation_versions_no_truncate
    BEFORE TRUNCATE ON realisation_versions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

CREATE INDEX audit_events_action_idx ON audit_events (action, occurred_at);
