-- Road map maintenance through the API, and action plans (rencana aksi) with milestones.

-- Goals, themes, objectives and activities get a version for If-Match and can be retired: a
-- retired node stays readable and takes no new children or plans.
ALTER TABLE goals
    ADD COLUMN version INTEGER NOT NULL DEFAULT 1,
    ADD COLUMN retired_at TIMESTAMPTZ,
    ADD COLUMN retired_reason TEXT CHECK (length(retired_reason) <= 2000),
    ADD CHECK ((retired_at IS NULL) = (retired_reason IS NULL));
ALTER TABLE themes
    ADD COLUMN version INTEGER NOT NULL DEFAULT 1,
    ADD COLUMN retired_at TIMESTAMPTZ,
    ADD COLUMN retired_reason TEXT CHECK (length(retired_reason) <= 2000),
    ADD CHECK ((retired_at IS NULL) = (retired_reason IS NULL));
ALTER TABLE objectives
    ADD COLUMN version INTEGER NOT NULL DEFAULT 1,
    ADD COLUMN retired_at TIMESTAMPTZ,
    ADD COLUMN retired_reason TEXT CHECK (length(retired_reason) <= 2000),
    ADD COLUMN coordinator_id BIGINT REFERENCES organisations (id),
    ADD CHECK ((retired_at IS NULL) = (retired_reason IS NULL));
ALTER TABLE activities
    ADD COLUMN version INTEGER NOT NULL DEFAULT 1,
    ADD COLUMN retired_at TIMESTAMPTZ,
    ADD COLUMN retired_reason TEXT CHECK (length(retired_reason) <= 2000),
    ADD COLUMN coordinator_id BIGINT REFERENCES organisations (id),
    ADD CHECK ((retired_at IS NULL) = (retired_reason IS NULL));

COMMENT ON COLUMN activities.coordinator_id IS 'Coordinator of the activity''s action plans; when NULL, the coordinators of the indicators placed at the activity.';
COMMENT ON COLUMN objectives.coordinator_id IS 'Coordinator of the action plans of a thematic objective; when NULL, the coordinators of the indicators placed at the objective.';

-- An action plan serves a main activity or a thematic objective.
CREATE TABLE action_plans (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    roadmap_id       BIGINT NOT NULL REFERENCES roadmaps (id),
    code             TEXT CHECK (code ~ '^[A-Za-z][A-Za-z0-9.-]{0,31}$'),
    activity_id      BIGINT REFERENCES activities (id),
    objective_id     BIGINT REFERENCES objectives (id),
    title            TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    description      TEXT CHECK (length(description) <= 5000),
    output_name      TEXT NOT NULL CHECK (length(output_name) BETWEEN 1 AND 500),
    output_unit      TEXT NOT NULL CHECK (length(output_unit) BETWEEN 1 AND 100),
    output_quantity  NUMERIC(20, 2) NOT NULL CHECK (output_quantity > 0),
    starts_on        DATE NOT NULL,
    ends_on          DATE NOT NULL,
    budget           NUMERIC(20, 2) CHECK (budget >= 0),
    responsible_id   BIGINT NOT NULL REFERENCES organisations (id),
    status           TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'in_progress', 'done', 'cancelled')),
    cancel_reason    TEXT CHECK (length(cancel_reason) BETWEEN 1 AND 2000),
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (roadmap_id, code),
    CHECK (num_nonnulls(activity_id, objective_id) = 1),
    CHECK (ends_on >= starts_on),
    CHECK ((status = 'cancelled') = (cancel_reason IS NOT NULL))
);

COMMENT ON COLUMN action_plans.code IS 'Optional code from the road map data file; a re-import finds the plan by it.';
COMMENT ON COLUMN action_plans.budget IS 'Budget in rupiah, exact to the sen; NULL where none is stated.';

CREATE INDEX action_plans_roadmap_idx ON action_plans (roadmap_id, id);
CREATE INDEX action_plans_activity_idx ON action_plans (activity_id);
CREATE INDEX action_plans_objective_idx ON action_plans (objective_id);
CREATE INDEX action_plans_responsible_idx ON action_plans (responsible_id);

CREATE TABLE action_plan_supporters (
    plan_id          BIGINT NOT NULL REFERENCES action_plans (id) ON DELETE CASCADE,
    organisation_id  BIGINT NOT NULL REFERENCES organisations (id),
    position         INTEGER NOT NULL,
    PRIMARY KEY (plan_id, organisation_id)
);

CREATE INDEX action_plan_supporters_organisation_idx ON action_plan_supporters (organisation_id);

CREATE TABLE action_plan_indicators (
    plan_id       BIGINT NOT NULL REFERENCES action_plans (id) ON DELETE CASCADE,
    indicator_id  BIGINT NOT NULL REFERENCES indicators (id),
    position      INTEGER NOT NULL,
    PRIMARY KEY (plan_id, indicator_id)
);

-- Milestones of a plan. The weights of a plan's milestones total at most 100; the plan's
-- progress is the weighted mean of its milestones' progress.
CREATE TABLE milestones (
    id                    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id               BIGINT NOT NULL REFERENCES action_plans (id),
    title                 TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    expected_output       TEXT NOT NULL CHECK (length(expected_output) BETWEEN 1 AND 1000),
    due_on                DATE NOT NULL,
    due_quarter           TEXT CHECK (due_quarter ~ '^[0-9]{4}-Q[1-4]$'),
    weight                NUMERIC(5, 2) NOT NULL CHECK (weight > 0 AND weight <= 100),
    progress              NUMERIC(5, 2) NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    progress_reported_at  TIMESTAMPTZ,
    position              INTEGER NOT NULL,
    version               INTEGER NOT NULL DEFAULT 1,
    created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at            TIMESTAMPTZ NOT NULL DEFAULT now()
);

COMMENT ON COLUMN milestones.due_quarter IS 'Set when the milestone is due in a quarter rather than on a day; due_on is then the quarter''s last day.';

CREATE INDEX milestones_plan_idx ON milestones (plan_id, position);
CREATE INDEX milestones_due_idx ON milestones (due_on);

-- Progress reports on a milestone, kept whole. Append-only.
CREATE TABLE milestone_progress (
    id                     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    milestone_id           BIGINT NOT NULL REFERENCES milestones (id),
    percent                NUMERIC(5, 2) NOT NULL CHECK (percent BETWEEN 0 AND 100),
    note                   TEXT CHECK (length(note) <= 2000),
    reported_by_user_id    BIGINT REFERENCES users (id),
    reported_by_client_id  BIGINT REFERENCES service_clients (id),
    reported_at            TIMESTAMPTZ NOT NULL,
    CHECK (num_nonnulls(reported_by_user_id, reported_by_client_id) = 1)
);

CREATE INDEX milestone_progress_milestone_idx ON milestone_progress (milestone_id, id);

CREATE TRIGGER milestone_progress_append_only
    BEFORE UPDATE OR DELETE ON milestone_progress
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER milestone_progress_no_truncate
    BEFORE TRUNCATE ON milestone_progress
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Evidence belongs to a realisation or to a milestone.
ALTER TABLE evidence
    ALTER COLUMN realisation_id DROP NOT NULL,
    ADD COLUMN milestone_id BIGINT REFERENCES milestones (id),
    ADD CONSTRAINT evidence_one_owner CHECK (num_nonnulls(realisation_id, milestone_id) = 1);

CREATE INDEX evidence_milestone_idx ON evidence (milestone_id);
