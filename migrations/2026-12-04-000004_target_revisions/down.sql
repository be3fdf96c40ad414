DROP TRIGGER target_revisions_no_truncate ON target_revisions;
DROP TRIGGER target_revisions_append_only ON target_revisions;
DROP TABLE target_revisions;
ALTER TABLE indicators DROP COLUMN version, DROP COLUMN retired_reason, DROP COLUMN retired_at;
ALTER TABLE indicator_figures DROP COLUMN version;
