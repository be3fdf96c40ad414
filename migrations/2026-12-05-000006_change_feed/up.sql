-- A feed of changes to realisations, targets, plans and milestones, for other systems that
-- poll. Triggers write it, so no code path can change one of these without a feed entry.
--
-- Each entry records the id of the transaction that wrote it. The feed lists entries in
-- (txid, id) order and only those of transactions older than every transaction still running
-- (pg_snapshot_xmin). Those transactions have all ended, so no entry can later appear before a
-- position already read: a client that pages with the cursor sees each entry exactly once,
-- even when transactions commit out of order.
CREATE TABLE changes (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    txid        XID8 NOT NULL DEFAULT pg_current_xact_id(),
    changed_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    roadmap_id  BIGINT NOT NULL REFERENCES roadmaps (id),
    kind        TEXT NOT NULL CHECK (kind IN ('realisation', 'target', 'plan', 'milestone')),
    item_id     BIGINT NOT NULL,
    action      TEXT NOT NULL,
    version     INTEGER,
    details     JSONB NOT NULL DEFAULT '{}'
);

COMMENT ON COLUMN changes.txid IS 'The writing transaction; the feed orders by it and holds back entries of transactions that may still be running.';
COMMENT ON COLUMN changes.item_id IS 'The realisation, plan or milestone id; for a target, the indicator id.';
COMMENT ON COLUMN changes.details IS 'For a realisation, the version''s snapshot as the API showed it; for the others, the fields that identify the change.';

CREATE INDEX changes_feed_idx ON changes (roadmap_id, txid, id);
CREATE INDEX changes_time_idx ON changes (roadmap_id, changed_at);

CREATE TRIGGER changes_append_only
    BEFORE UPDATE OR DELETE ON changes
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER changes_no_truncate
    BEFORE TRUNCATE ON changes
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- The feed's name of a trigger operation.
CREATE FUNCTION change_action(operation TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE operation WHEN 'INSERT' THEN 'create' WHEN 'UPDATE' THEN 'update' ELSE 'delete' END;
$$;

-- Every version row of a realisation is one change, except a draft's: a draft is visible to its
-- own organisation only, so it enters the feed when it is submitted.
CREATE FUNCTION record_realisation_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO changes (roadmap_id, kind, item_id, action, version, details)
    SELECT indicators.roadmap_id, 'realisation', NEW.realisation_id, NEW.action, NEW.version, NEW.snapshot
    FROM realisations JOIN indicators ON indicators.id = realisations.indicator_id
    WHERE realisations.id = NEW.realisation_id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER realisation_versions_feed
    AFTER INSERT ON realisation_versions
    FOR EACH ROW WHEN (NEW.state <> 'draft') EXECUTE FUNCTION record_realisation_change();

-- A target figure set, changed or removed, through the API or a data-file import.
CREATE FUNCTION record_target_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    figure indicator_figures;
BEGIN
    IF TG_OP = 'DELETE' THEN
        figure := OLD;
    ELSE
        figure := NEW;
    END IF;
    INSERT INTO changes (roadmap_id, kind, item_id, action, version, details)
    SELECT indicators.roadmap_id, 'target', figure.indicator_id, change_action(TG_OP), figure.version,
           jsonb_build_object(
               'indicator', indicators.code,
               'year', figure.year,
               'quarter', figure.quarter,
               'printed', CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE figure.printed END)
    FROM indicators
    WHERE indicators.id = figure.indicator_id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER indicator_figures_feed_insert
    AFTER INSERT ON indicator_figures
    FOR EACH ROW WHEN (NEW.role = 'target') EXECUTE FUNCTION record_target_change();
CREATE TRIGGER indicator_figures_feed_update
    AFTER UPDATE ON indicator_figures
    FOR EACH ROW WHEN (NEW.role = 'target' AND OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION record_target_change();
CREATE TRIGGER indicator_figures_feed_delete
    AFTER DELETE ON indicator_figures
    FOR EACH ROW WHEN (OLD.role = 'target') EXECUTE FUNCTION record_target_change();

-- A plan created or changed, its status included.
CREATE FUNCTION record_plan_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO changes (roadmap_id, kind, item_id, action, version, details)
    VALUES (NEW.roadmap_id, 'plan', NEW.id, change_action(TG_OP), NEW.version,
            jsonb_build_object('code', NEW.code, 'title', NEW.title, 'status', NEW.status));
    RETURN NULL;
END;
$$;

CREATE TRIGGER action_plans_feed
    AFTER INSERT OR UPDATE ON action_plans
    FOR EACH ROW EXECUTE FUNCTION record_plan_change();

-- A milestone created or changed, its reported progress included.
CREATE FUNCTION record_milestone_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO changes (roadmap_id, kind, item_id, action, version, details)
    SELECT action_plans.roadmap_id, 'milestone', NEW.id, change_action(TG_OP), NEW.version,
           jsonb_build_object('plan', NEW.plan_id, 'title', NEW.title, 'progress', NEW.progress)
    FROM action_plans
    WHERE action_plans.id = NEW.plan_id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER milestones_feed
    AFTER INSERT OR UPDATE ON milestones
    FOR EACH ROW EXECUTE FUNCTION record_milestone_change();

-- What existed before the feed, so that a client starting from the beginning sees everything.
INSERT INTO changes (changed_at, roadmap_id, kind, item_id, action, version, details)
SELECT versions.recorded_at, indicators.roadmap_id, 'realisation', versions.realisation_id, versions.action,
       versions.version, versions.snapshot
FROM realisation_versions AS versions
JOIN realisations ON realisations.id = versions.realisation_id
JOIN indicators ON indicators.id = realisations.indicator_id
WHERE versions.state <> 'draft'
ORDER BY versions.id;

INSERT INTO changes (changed_at, roadmap_id, kind, item_id, action, version, details)
SELECT figures.updated_at, indicators.roadmap_id, 'target', figures.indicator_id, 'create', figures.version,
       jsonb_build_object('indicator', indicators.code, 'year', figures.year, 'quarter', figures.quarter,
                          'printed', figures.printed)
FROM indicator_figures AS figures
JOIN indicators ON indicators.id = figures.indicator_id
WHERE figures.role = 'target'
ORDER BY figures.id;

INSERT INTO changes (changed_at, roadmap_id, kind, item_id, action, version, details)
SELECT updated_at, roadmap_id, 'plan', id, 'create', version,
       jsonb_build_object('code', code, 'title', title, 'status', status)
FROM action_plans
ORDER BY id;

INSERT INTO changes (changed_at, roadmap_id, kind, item_id, action, version, details)
SELECT milestones.updated_at, action_plans.roadmap_id, 'milestone', milestones.id, 'create', milestones.version,
       jsonb_build_object('plan', milestones.plan_id, 'title', milestones.title, 'progress', milestones.progress)
FROM milestones
JOIN action_plans ON action_plans.id = milestones.plan_id
ORDER BY milestones.id;
