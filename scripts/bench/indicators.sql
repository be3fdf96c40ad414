-- The SQL statements of one GET /api/v1/roadmaps/{roadmap}/indicators (first page of 50), in
-- the order the service runs them, as the statement log
-- (PETAJALAN_LOG=info,petajalan::sql=debug) showed them with bind parameters as pgbench
-- variables. scripts/bench-load.sh sets the variables with -D and counts the logged statements
-- of one request to check that this file still matches the route.
\set one 1
\set check 1
\set user_id random(:first_user, :last_user)
SELECT :check;
SELECT "users"."id", "users"."username", "users"."display_name", "users"."role", "users"."organisation_id", "users"."password_hash", "users"."active", "users"."tokens_valid_after", "users"."created_at" FROM "users" WHERE ("users"."id" = :user_id) LIMIT :one;
SELECT :check;
SELECT "roadmaps"."id", "roadmaps"."code", "roadmaps"."title", "roadmaps"."legal_basis", "roadmaps"."start_year", "roadmaps"."end_year", "roadmaps"."baseline_year" FROM "roadmaps" WHERE ("roadmaps"."code" = :roadmap_code) LIMIT :one;
SELECT "goals"."id", "goals"."code", "goals"."name", "goals"."version", "goals"."retired_at", "goals"."retired_reason" FROM "goals" WHERE ("goals"."roadmap_id" = :roadmap_id) ORDER BY "goals"."position", "goals"."id";
SELECT "themes"."id", "themes"."code", "themes"."name", "themes"."version", "themes"."retired_at", "themes"."retired_reason" FROM "themes" WHERE ("themes"."roadmap_id" = :roadmap_id) ORDER BY "themes"."position", "themes"."id";
SELECT "objectives"."id", "objectives"."code", "objectives"."kind", "objectives"."goal_id", "objectives"."theme_id", "objectives"."name", "objectives"."version", "objectives"."retired_at", "objectives"."retired_reason", "objectives"."coordinator_id" FROM "objectives" WHERE ("objectives"."roadmap_id" = :roadmap_id) ORDER BY "objectives"."position", "objectives"."id";
SELECT "activities"."id", "activities"."objective_id", "activities"."code", "activities"."name", "activities"."version", "activities"."retired_at", "activities"."retired_reason", "activities"."coordinator_id" FROM "activities" WHERE ("activities"."roadmap_id" = :roadmap_id) ORDER BY "activities"."position", "activities"."id";
SELECT COUNT(*) FROM "indicators" WHERE ("indicators"."roadmap_id" = :roadmap_id);
SELECT "indicators"."id", "indicators"."code", "indicators"."name", "indicators"."unit", "indicators"."value_kind", "indicators"."direction", "indicators"."yearly_rule", "indicators"."coordinator_id", "indicators"."note", "indicators"."combine_rule", "indicators"."reporting_unit_id", "indicators"."lower_rule", "indicators"."retired_at", "indicators"."retired_reason", "indicators"."version" FROM "indicators" WHERE ("indicators"."roadmap_id" = :roadmap_id) ORDER BY "indicators"."position", "indicators"."id" LIMIT :page_size OFFSET :offset;
SELECT "indicator_implementers"."indicator_id", "indicator_implementers"."organisation_id" FROM "indicator_implementers" WHERE ("indicator_implementers"."indicator_id" = ANY(:page_indicator_ids)) ORDER BY "indicator_implementers"."indicator_id", "indicator_implementers"."position";
SELECT "indicator_figures"."indicator_id", "indicator_figures"."role", "indicator_figures"."year", "indicator_figures"."quarter", "indicator_figures"."printed", "indicator_figures"."value_type", "indicator_figures"."number", "indicator_figures"."count", "indicator_figures"."qualifier", "indicator_figures"."band_low", "indicator_figures"."band_high", "indicator_figures"."comparator", "indicator_figures"."grade", "indicator_figures"."label", "indicator_figures"."stated_value", "indicator_figures"."note", "indicator_figures"."version" FROM "indicator_figures" WHERE ("indicator_figures"."indicator_id" = ANY(:page_indicator_ids)) ORDER BY "indicator_figures"."indicator_id", "indicator_figures"."year", "indicator_figures"."quarter" ASC NULLS FIRST;
SELECT "indicator_placements"."indicator_id", "indicator_placements"."goal_id", "indicator_placements"."objective_id", "indicator_placements"."activity_id" FROM "indicator_placements" WHERE ("indicator_placements"."indicator_id" = ANY(:page_indicator_ids)) ORDER BY "indicator_placements"."indicator_id", "indicator_placements"."position";
SELECT "organisations"."id", "organisations"."code", "organisations"."name", "organisations"."kind", "organisations"."aliases" FROM "organisations" WHERE ("organisations"."id" = ANY(:organisation_ids));
