-- Road map structure: organisations, road maps, goals, themes, objectives, main activities,
-- indicators with their placements and assignments, and the baselines and targets printed in
-- the source regulation.
--
-- Codes are the keys that other systems keep. They start with a letter, so a path segment made
-- only of digits is always an id.

CREATE TABLE organisations (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE CHECK (code ~ '^[A-Z][A-Z0-9-]{0,31}$'),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    kind        TEXT NOT NULL CHECK (kind IN ('unit', 'group')),
    aliases     TEXT[] NOT NULL DEFAULT '{}',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

COMMENT ON TABLE organisations IS 'City government units (OPD). Kind "group" stands for a set of units named together, such as all kecamatan.';
COMMENT ON COLUMN organisations.aliases IS 'Other names under which the unit appears in source documents; the import resolves them.';

CREATE TABLE roadmaps (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE CHECK (code ~ '^[a-z][a-z0-9-]{0,63}$'),
    title          TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    legal_basis    TEXT NOT NULL,
    start_year     INTEGER NOT NULL CHECK (start_year BETWEEN 2000 AND 2100),
    end_year       INTEGER NOT NULL CHECK (end_year BETWEEN 2000 AND 2100),
    baseline_year  INTEGER NOT NULL CHECK (baseline_year BETWEEN 2000 AND 2100),
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (end_year >= start_year),
    CHECK (baseline_year < start_year)
);

CREATE TABLE goals (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    roadmap_id  BIGINT NOT NULL REFERENCES roadmaps (id),
    code        TEXT NOT NULL CHECK (code ~ '^[A-Za-z][A-Za-z0-9.-]{0,31}$'),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 1000),
    position    INTEGER NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (roadmap_id, code)
);

CREATE TABLE themes (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    roadmap_id  BIGINT NOT NULL REFERENCES roadmaps (id),
    code        TEXT NOT NULL CHECK (code ~ '^[A-Za-z][A-Za-z0-9.-]{0,31}$'),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 1000),
    position    INTEGER NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (roadmap_id, code)
);

CREATE TABLE objectives (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    roadmap_id  BIGINT NOT NULL REFERENCES roadmaps (id),
    code        TEXT NOT NULL CHECK (code ~ '^[A-Za-z][A-Za-z0-9.-]{0,31}$'),
    kind        TEXT NOT NULL CHECK (kind IN ('general', 'thematic')),
    goal_id     BIGINT REFERENCES goals (id),
    theme_id    BIGINT REFERENCES themes (id),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 1000),
    position    INTEGER NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (roadmap_id, code),
    CHECK ((kind = 'thematic') = (theme_id IS NOT NULL))
);

COMMENT ON COLUMN objectives.kind IS 'general: internal-governance reform (RB General); thematic: reform on a public issue (RB Tematik), which has a theme.';

CREATE TABLE activities (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    roadmap_id    BIGINT NOT NULL REFERENCES roadmaps (id),
    objective_id  BIGINT NOT NULL REFERENCES objectives (id),
    code          TEXT NOT NULL CHECK (code ~ '^[A-Za-z][A-Za-z0-9.-]{0,31}$'),
    name          TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 1000),
    position      INTEGER NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (roadmap_id, code)
);

COMMENT ON TABLE activities IS 'Main activities (kegiatan utama) of an objective.';

CREATE TABLE indicators (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    roadmap_id      BIGINT NOT NULL REFERENCES roadmaps (id),
    code            TEXT NOT NULL CHECK (code ~ '^[A-Za-z][A-Za-z0-9.-]{0,31}$'),
    name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 1000),
    unit            TEXT NOT NULL CHECK (length(unit) BETWEEN 1 AND 100),
    value_kind      TEXT NOT NULL CHECK (value_kind IN ('number', 'percentage', 'currency', 'index', 'category', 'text')),
    direction       TEXT NOT NULL CHECK (direction IN ('higher_is_better', 'lower_is_better', 'band', 'category_met', 'text_met')),
    yearly_rule     TEXT NOT NULL CHECK (yearly_rule IN ('sum', 'latest', 'average')),
    coordinator_id  BIGINT REFERENCES organisations (id),
    note            TEXT,
    position        INTEGER NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (roadmap_id, code)
);

COMMENT ON COLUMN indicators.yearly_rule IS 'How four quarterly values make the yearly one: sum, latest or average.';
COMMENT ON COLUMN indicators.coordinator_id IS 'Coordinating organisation; NULL where the road map names none.';

CREATE INDEX indicators_coordinator_idx ON indicators (coordinator_id);

-- One indicator may be shown at several places of the tree (for example at an objective and at
-- one of its activities) while it is reported once.
CREATE TABLE indicator_placements (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    indicator_id  BIGINT NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    goal_id       BIGINT REFERENCES goals (id),
    objective_id  BIGINT REFERENCES objectives (id),
    activity_id   BIGINT REFERENCES activities (id),
    position      INTEGER NOT NULL,
    CHECK (num_nonnulls(goal_id, objective_id, activity_id) = 1),
    UNIQUE NULLS NOT DISTINCT (indicator_id, goal_id, objective_id, activity_id)
);

CREATE INDEX indicator_placements_goal_idx ON indicator_placements (goal_id);
CREATE INDEX indicator_placements_objective_idx ON indicator_placements (objective_id);
CREATE INDEX indicator_placements_activity_idx ON indicator_placements (activity_id);

CREATE TABLE indicator_implementers (
    indicator_id     BIGINT NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    organisation_id  BIGINT NOT NULL REFERENCES organisations (id),
    position         INTEGER NOT NULL,
    PRIMARY KEY (indicator_id, organisation_id)
);

CREATE INDEX indicator_implementers_organisation_idx ON indicator_implementers (organisation_id);

-- Baselines and targets. Each keeps the text printed in the source beside its structured value.
CREATE TABLE indicator_figures (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    indicator_id  BIGINT NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    role          TEXT NOT NULL CHECK (role IN ('baseline', 'target')),
    year          INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    quarter       SMALLINT CHECK (quarter BETWEEN 1 AND 4),
    printed       TEXT NOT NULL CHECK (length(printed) BETWEEN 1 AND 1000),
    value_type    TEXT NOT NULL CHECK (value_type IN ('number', 'band', 'threshold', 'category', 'text', 'not_set')),
    number        NUMERIC,
    count         NUMERIC,
    qualifier     TEXT,
    band_low      NUMERIC,
    band_high     NUMERIC,
    comparator    TEXT CHECK (comparator IN ('gt', 'gte', 'lt', 'lte')),
    grade         TEXT,
    label         TEXT,
    stated_value  TEXT,
    note          TEXT,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (indicator_id, role, year, quarter),
    CHECK (value_type <> 'number' OR number IS NOT NULL),
    CHECK (value_type <> 'band' OR (band_low IS NOT NULL AND band_high IS NOT NULL AND band_low <= band_high)),
    CHECK (value_type <> 'threshold' OR (number IS NOT NULL AND comparator IS NOT NULL)),
    CHECK (value_type NOT IN ('category', 'text') OR label IS NOT NULL)
);

COMMENT ON COLUMN indicator_figures.printed IS 'The figure exactly as printed in the source.';
COMMENT ON COLUMN indicator_figures.stated_value IS 'Where the printed text would be misread, the intended value as the data file states it.';
COMMENT ON COLUMN indicator_figures.label IS 'Category name (value_type category) or text (value_type text).';
COMMENT ON COLUMN indicator_figures.qualifier IS 'Words after a count, such as "PNS jabatan fungsional" in "500 PNS jabatan fungsional".';
COMMENT ON COLUMN indicator_figures.count IS 'Count in parentheses after a percentage, such as 698 in "100 % (698)".';
