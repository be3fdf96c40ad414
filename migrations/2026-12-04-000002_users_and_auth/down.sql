DROP TABLE audit_events;
DROP TABLE login_attempts;
DROP TABLE refresh_tokens;
DROP TABLE service_clients;
DROP TABLE users;
