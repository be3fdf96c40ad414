-- The SQL statements of one POST /api/v1/auth/token with a correct password, in the order the
-- service runs them, as the statement log (PETAJALAN_LOG=info,petajalan::sql=debug) showed them
-- with bind parameters as pgbench variables. scripts/bench-load.sh sets the variables with -D.
-- The password hash is not computed: that is the service's work, not the database's. A missing
-- service client is a literal NULL, and the token hash is a random number.
\set one 1
\set check 1
\set token_hash random(1, 9000000000000000000)
SELECT :check;
SELECT max("login_attempts"."attempted_at") FROM "login_attempts" WHERE (("login_attempts"."username" = :username) AND ("login_attempts"."succeeded" = :succeeded));
SELECT COUNT(*), min("login_attempts"."attempted_at") FROM "login_attempts" WHERE ((("login_attempts"."succeeded" = :failed) AND ("login_attempts"."attempted_at" > :window_start)) AND ("login_attempts"."username" = :username));
SELECT COUNT(*), min("login_attempts"."attempted_at") FROM "login_attempts" WHERE ((("login_attempts"."succeeded" = :failed) AND ("login_attempts"."attempted_at" > :window_start)) AND ("login_attempts"."client_ip" = :client_ip));
SELECT :check;
SELECT "users"."id", "users"."username", "users"."display_name", "users"."role", "users"."organisation_id", "users"."password_hash", "users"."active", "users"."tokens_valid_after", "users"."created_at" FROM "users" WHERE ("users"."username" = :username) LIMIT :one;
SELECT :check;
INSERT INTO "login_attempts" ("username", "client_ip", "succeeded") VALUES (:username, :client_ip, :succeeded);
INSERT INTO "audit_events" ("action", "actor_user_id", "actor_client_id", "actor_name", "client_ip", "subject", "details") VALUES (:login_action, :user_id, NULL, :username, :client_ip, :username, :empty_details);
INSERT INTO "refresh_tokens" ("token_hash", "family_id", "user_id", "client_id", "expires_at") VALUES (:token_hash, :family_id, :user_id, NULL, :expires_at);
