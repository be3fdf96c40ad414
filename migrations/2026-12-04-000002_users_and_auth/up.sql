-- Users, service clients, refresh tokens, login throttling and the audit log.

CREATE TABLE users (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username         TEXT NOT NULL CHECK (username ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
    display_name     TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    role             TEXT NOT NULL CHECK (role IN ('admin', 'opd', 'viewer')),
    organisation_id  BIGINT REFERENCES organisations (id),
    password_hash    TEXT NOT NULL,
    active           BOOLEAN NOT NULL DEFAULT true,
    tokens_valid_after TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (username),
    CHECK ((role = 'opd') = (organisation_id IS NOT NULL))
);

COMMENT ON COLUMN users.username IS 'Lower-case login name; unique.';
COMMENT ON COLUMN users.organisation_id IS 'The organisation of an opd user; NULL for admin and viewer.';
COMMENT ON COLUMN users.tokens_valid_after IS 'Access tokens issued before this moment are rejected; a password reset moves it forward.';
COMMENT ON COLUMN users.password_hash IS 'Argon2id hash in PHC string format. Never leaves the database.';

-- Other city systems authenticate with client credentials.
CREATE TABLE service_clients (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id        TEXT NOT NULL UNIQUE CHECK (client_id ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
    name             TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    scopes           TEXT[] NOT NULL CHECK (scopes <@ ARRAY['read', 'submit']::TEXT[] AND cardinality(scopes) > 0),
    organisation_id  BIGINT REFERENCES organisations (id),
    secret_hash      TEXT NOT NULL,
    active           BOOLEAN NOT NULL DEFAULT true,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

COMMENT ON COLUMN service_clients.organisation_id IS 'The organisation the client acts for; NULL for all organisations.';

-- Refresh tokens are stored as SHA-256 hashes. Each refresh rotates the token within its family;
-- presenting a rotated token again revokes the whole family.
CREATE TABLE refresh_tokens (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash  BYTEA NOT NULL UNIQUE,
    family_id   UUID NOT NULL,
    user_id     BIGINT REFERENCES users (id),
    client_id   BIGINT REFERENCES service_clients (id),
    issued_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ NOT NULL,
    rotated_at  TIMESTAMPTZ,
    revoked_at  TIMESTAMPTZ,
    CHECK (num_nonnulls(user_id, client_id) = 1)
);

CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);

-- Failed and successful logins, for throttling that holds across service instances.
CREATE TABLE login_attempts (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      TEXT NOT NULL,
    client_ip     TEXT NOT NULL,
    succeeded     BOOLEAN NOT NULL,
    attempted_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX login_attempts_username_idx ON login_attempts (username, attempted_at);
CREATE INDEX login_attempts_ip_idx ON login_attempts (client_ip, attempted_at);

CREATE TABLE audit_events (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    action          TEXT NOT NULL,
    actor_user_id   BIGINT REFERENCES users (id),
    actor_client_id BIGINT REFERENCES service_clients (id),
    actor_name      TEXT,
    client_ip       TEXT,
    subject         TEXT,
    details         JSONB NOT NULL DEFAULT '{}'
);

COMMENT ON TABLE audit_events IS 'Who did what, when and from where: logins, token rejections, user changes.';
CREATE INDEX audit_events_occurred_idx ON audit_events (occurred_at);
