//! Settings, read once from environment variables at start and passed in explicitly.
//!
//! `DATABASE_URL` names the database; every other variable starts with `PETAJALAN_`.
//! `.env.example` lists them all with their defaults. A missing or invalid value stops the start
//! with a message that names the variable.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use crate::domain::lang::Lang;
use crate::domain::report::{DEFAULT_AT_RISK_PERCENT, DEFAULT_ON_TRACK_PERCENT, MAX_THRESHOLD_PERCENT, Thresholds};

/// Format of log lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Plain,
    Json,
}

/// All settings of the service.
#[derive(Clone, Debug)]
pub struct Settings {
    /// `DATABASE_URL`; without it the service looks for a local server, then runs its own.
    pub database_url: Option<String>,
    /// `PETAJALAN_BIND`: address and port to listen on.
    pub bind: SocketAddr,
    /// `PETAJALAN_LOG_FORMAT`: `plain` or `json`.
    pub log_format: LogFormat,
    /// `PETAJALAN_LOG`: a tracing filter such as `info` or `petajalan=debug,info`.
    pub log_filter: String,
    /// `PETAJALAN_LANG`: language of command-line messages, `id` or `en`.
    pub lang: Lang,
    /// `PETAJALAN_DB_POOL_SIZE`: most database connections held open.
    pub db_pool_size: usize,
    /// `PETAJALAN_DB_POOL_TIMEOUT_MS`: how long a request waits for a free connection before
    /// it gets 503.
    pub db_pool_timeout: Duration,
    /// `PETAJALAN_DB_STATEMENT_TIMEOUT_MS`: PostgreSQL's `statement_timeout` on every connection.
    /// A request whose statement runs longer is rolled back and gets 503 with `Retry-After`.
    pub db_statement_timeout: Duration,
    /// `PETAJALAN_JSON_LIMIT_BYTES`: largest JSON request body.
    pub json_limit_bytes: usize,
    /// `PETAJALAN_BODY_TIMEOUT_SECONDS`: how long a client may take to send a request body
    /// after its head; a later body gets 408.
    pub body_timeout: Duration,
    /// `PETAJALAN_WORKERS`: HTTP worker threads; 0 means one per CPU core.
    pub workers: usize,
    /// `PETAJALAN_SHUTDOWN_TIMEOUT_SECONDS`: how long requests in flight may run after SIGTERM or
    /// SIGINT.
    pub shutdown_timeout: Duration,
    /// `PETAJALAN_DATA_DIR`: where the private PostgreSQL cluster lives when one is needed.
    pub data_dir: PathBuf,
    pub auth: AuthSettings,
    /// `PETAJALAN_CORS_ORIGINS`: comma-separated origins that browsers may call the API from;
    /// none by default.
    pub cors_origins: Vec<String>,
    /// `PETAJALAN_EVIDENCE_STORE`: where evidence files are kept, a directory (default
    /// `var/evidence`) or `s3://bucket/prefix` with the standard `AWS_*` variables.
    pub evidence_store: EvidenceLocation,
    /// `PETAJALAN_EVIDENCE_MAX_BYTES`: largest evidence file.
    pub evidence_max_bytes: usize,
    /// `PETAJALAN_BULK_MAX_BYTES`: largest file of realisations sent to the bulk import.
    pub bulk_max_bytes: usize,
    /// `PETAJALAN_REPORT_ON_TRACK_PERCENT` and `PETAJALAN_REPORT_AT_RISK_PERCENT`: the lowest
    /// achievement percentages that the reports grade as on track and as at risk.
    pub report_thresholds: Thresholds,
}

/// The place evidence files are kept.
#[derive(Clone, PartialEq, Eq)]
pub enum EvidenceLocation {
    Directory(PathBuf),
    /// An S3-compatible bucket; keys start with `prefix` (empty or ending in `/`). `options`
    /// are the `AWS_*` variables (credentials, region, endpoint) as name and value.
    S3 {
        bucket: String,
        prefix: String,
        options: Vec<(String, String)>,
    },
}

impl std::fmt::Debug for EvidenceLocation {
    /// Shows the option names only, so that credentials never reach a log.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EvidenceLocation::Directory(path) => formatter.debug_tuple("Directory").field(path).finish(),
            EvidenceLocation::S3 { bucket, prefix, options } => formatter
                .debug_struct("S3")
                .field("bucket", bucket)
                .field("prefix", prefix)
                .field("options", &options.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>())
                .finish(),
        }
    }
}

/// Settings of tokens, password hashing and login throttling.
#[derive(Clone, Debug)]
pub struct AuthSettings {
    /// `PETAJALAN_JWT_SECRET`, or the contents of the file named by `PETAJALAN_JWT_SECRET_FILE`:
    /// the HMAC key that signs access tokens, at least `MIN_JWT_SECRET_BYTES` long. `None` when
    /// neither is set; `serve` then makes a random key that lasts until the process stops.
    pub jwt_secret: Option<Vec<u8>>,
    /// `PETAJALAN_JWT_ALGORITHM`: `HS256`, `HS384` or `HS512`; tokens of any other algorithm are
    /// rejected.
    pub jwt_algorithm: jsonwebtoken::Algorithm,
    /// `PETAJALAN_JWT_ISSUER`: the `iss` claim written and required.
    pub jwt_issuer: String,
    /// `PETAJALAN_JWT_AUDIENCE`: the `aud` claim written and required.
    pub jwt_audience: String,
    /// `PETAJALAN_ACCESS_TOKEN_SECONDS`: lifetime of an access token.
    pub access_token_ttl: Duration,
    /// `PETAJALAN_REFRESH_TOKEN_DAYS`: lifetime of a refresh token.
    pub refresh_token_ttl: Duration,
    /// `PETAJALAN_PASSWORD_HASH_CONCURRENCY`: most password hashes computed at once; each
    /// takes 19 MiB of memory and one core. Half the cores by default, so that a burst of logins
    /// leaves the rest to other requests.
    pub hash_concurrency: usize,
    /// `PETAJALAN_PASSWORD_HASH_WAIT_MS`: how long a login waits for a hashing slot before it
    /// gets 503.
    pub hash_wait: Duration,
    /// `PETAJALAN_LOGIN_MAX_FAILURES`: failed logins for one username within the window before
    /// further attempts get 429.
    pub login_max_failures_per_user: i64,
    /// `PETAJALAN_LOGIN_MAX_FAILURES_PER_IP`: the same, for one client address.
    pub login_max_failures_per_ip: i64,
    /// `PETAJALAN_LOGIN_WINDOW_SECONDS`: the window over which failures are counted.
    pub login_window: Duration,
}

/// Shortest HMAC signing key accepted, in bytes (RFC 7518 requires at least the hash size, 32
/// bytes for HS256).
pub const MIN_JWT_SECRET_BYTES: usize = 32;

/// A setting that is missing or invalid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: String,
    pub value: String,
    indonesian: String,
    english: String,
}

impl ConfigError {
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Id => format!("Pengaturan {} = {:?} tidak valid: {}", self.variable, self.value, self.indonesian),
            Lang::En => format!("Setting {} = {:?} is invalid: {}", self.variable, self.value, self.english),
        }
    }
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for ConfigError {}

impl Settings {
    /// Reads the settings from the process environment.
    pub fn from_env() -> Result<Settings, ConfigError> {
        Settings::from_map(&std::env::vars().collect())
    }

    /// Reads the settings from the given variables.
    pub fn from_map(vars: &HashMap<String, String>) -> Result<Settings, ConfigError> {
        let reader = Reader { vars };

        let database_url = reader.optional_text("DATABASE_URL");
        if let Some(url) = &database_url
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            return Err(reader.invalid(
                "DATABASE_URL",
                url,
                "harus diawali postgres:// atau postgresql://",
                "it must start with postgres:// or postgresql://",
            ));
        }

        let log_filter = reader.text("PETAJALAN_LOG", "info");
        if tracing_subscriber::EnvFilter::try_new(&log_filter).is_err() {
            return Err(reader.invalid(
                "PETAJALAN_LOG",
                &log_filter,
                "bukan filter tracing yang valid, misalnya info atau petajalan=debug,info",
                "not a valid tracing filter, for example info or petajalan=debug,info",
            ));
        }

        let log_format = match reader.text("PETAJALAN_LOG_FORMAT", "plain").as_str() {
            "plain" => LogFormat::Plain,
            "json" => LogFormat::Json,
            other => {
                return Err(reader.invalid(
                    "PETAJALAN_LOG_FORMAT",
                    other,
                    "pilih plain atau json",
                    "choose plain or json",
                ));
            }
        };
        let lang_text = reader.text("PETAJALAN_LANG", "id");
        let lang = Lang::from_code(&lang_text)
            .ok_or_else(|| reader.invalid("PETAJALAN_LANG", &lang_text, "pilih id atau en", "choose id or en"))?;

        Ok(Settings {
            database_url,
            bind: reader.parsed(
                "PETAJALAN_BIND",
                "127.0.0.1:8080",
                "alamat:port, misalnya 127.0.0.1:8080",
                "address:port, for example 127.0.0.1:8080",
            )?,
            log_format,
            log_filter,
            lang,
            db_pool_size: reader.bounded("PETAJALAN_DB_POOL_SIZE", 10, 1, 500)?,
            db_pool_timeout: Duration::from_millis(reader.bounded(
                "PETAJALAN_DB_POOL_TIMEOUT_MS",
                2_000,
                10,
                600_000,
            )?),
            db_statement_timeout: Duration::from_millis(reader.bounded(
                "PETAJALAN_DB_STATEMENT_TIMEOUT_MS",
                10_000,
                100,
                3_600_000,
            )?),
            json_limit_bytes: reader.bounded("PETAJALAN_JSON_LIMIT_BYTES", 262_144, 1_024, 67_108_864)?,
            body_timeout: Duration::from_secs(reader.bounded("PETAJALAN_BODY_TIMEOUT_SECONDS", 60, 1, 3_600)?),
            workers: reader.bounded("PETAJALAN_WORKERS", 0, 0, 1_024)?,
            shutdown_timeout: Duration::from_secs(reader.bounded(
                "PETAJALAN_SHUTDOWN_TIMEOUT_SECONDS",
                30,
                0,
                3_600,
            )?),
            data_dir: PathBuf::from(reader.text("PETAJALAN_DATA_DIR", "var")),
            auth: read_auth(&reader)?,
            cors_origins: read_origins(&reader)?,
            evidence_store: read_evidence_location(&reader)?,
            evidence_max_bytes: reader.bounded("PETAJALAN_EVIDENCE_MAX_BYTES", 10_485_760, 1_024, 1_073_741_824)?,
            bulk_max_bytes: reader.bounded("PETAJALAN_BULK_MAX_BYTES", 2_097_152, 1_024, 67_108_864)?,
            report_thresholds: read_report_thresholds(&reader)?,
        })
    }
}

/// Shown in place of a secret in error messages.
const HIDDEN: &str = "***";

fn read_auth(reader: &Reader) -> Result<AuthSettings, ConfigError> {
    let jwt_secret =
        match (reader.optional_text("PETAJALAN_JWT_SECRET"), reader.optional_text("PETAJALAN_JWT_SECRET_FILE")) {
            (Some(_), Some(_)) => {
                return Err(reader.invalid(
                    "PETAJALAN_JWT_SECRET_FILE",
                    HIDDEN,
                    "atur PETAJALAN_JWT_SECRET atau PETAJALAN_JWT_SECRET_FILE, jangan keduanya",
                    "set PETAJALAN_JWT_SECRET or PETAJALAN_JWT_SECRET_FILE, not both",
                ));
            }
            (Some(secret), None) => Some(check_secret(reader, "PETAJALAN_JWT_SECRET", HIDDEN, secret.into_bytes())?),
            (None, Some(path)) => {
                let bytes = std::fs::read(&path).map_err(|error| {
                    reader.invalid(
                        "PETAJALAN_JWT_SECRET_FILE",
                        &path,
                        &format!("berkas tidak dapat dibaca ({error})"),
                        &format!("the file cannot be read ({error})"),
                    )
                })?;
                let trimmed = String::from_utf8_lossy(&bytes).trim().as_bytes().to_vec();
                Some(check_secret(reader, "PETAJALAN_JWT_SECRET_FILE", &path, trimmed)?)
            }
            (None, None) => None,
        };

    let algorithm_text = reader.text("PETAJALAN_JWT_ALGORITHM", "HS256");
    let jwt_algorithm = match algorithm_text.as_str() {
        "HS256" => jsonwebtoken::Algorithm::HS256,
        "HS384" => jsonwebtoken::Algorithm::HS384,
        "HS512" => jsonwebtoken::Algorithm::HS512,
        other => {
            return Err(reader.invalid(
                "PETAJALAN_JWT_ALGORITHM",
                other,
                "pilih HS256, HS384 atau HS512",
                "choose HS256, HS384 or HS512",
            ));
        }
    };

    Ok(AuthSettings {
        jwt_secret,
        jwt_algorithm,
        jwt_issuer: reader.text("PETAJALAN_JWT_ISSUER", "petajalan"),
        jwt_audience: reader.text("PETAJALAN_JWT_AUDIENCE", "petajalan-api"),
        access_token_ttl: Duration::from_secs(reader.bounded("PETAJALAN_ACCESS_TOKEN_SECONDS", 900, 30, 3_600)?),
        refresh_token_ttl: Duration::from_secs(86_400 * reader.bounded("PETAJALAN_REFRESH_TOKEN_DAYS", 14, 1, 90)?),
        hash_concurrency: reader.bounded("PETAJALAN_PASSWORD_HASH_CONCURRENCY", half_the_cores(), 1, 64)?,
        hash_wait: Duration::from_millis(reader.bounded("PETAJALAN_PASSWORD_HASH_WAIT_MS", 2_000, 10, 60_000)?),
        login_max_failures_per_user: reader.bounded("PETAJALAN_LOGIN_MAX_FAILURES", 5, 1, 1_000)?,
        login_max_failures_per_ip: reader.bounded("PETAJALAN_LOGIN_MAX_FAILURES_PER_IP", 20, 1, 100_000)?,
        login_window: Duration::from_secs(reader.bounded("PETAJALAN_LOGIN_WINDOW_SECONDS", 900, 1, 86_400)?),
    })
}

fn read_report_thresholds(reader: &Reader) -> Result<Thresholds, ConfigError> {
    let on_track =
        reader.bounded("PETAJALAN_REPORT_ON_TRACK_PERCENT", DEFAULT_ON_TRACK_PERCENT, 0, MAX_THRESHOLD_PERCENT)?;
    let at_risk =
        reader.bounded("PETAJALAN_REPORT_AT_RISK_PERCENT", DEFAULT_AT_RISK_PERCENT, 0, MAX_THRESHOLD_PERCENT)?;
    // `bounded` has checked the range, so the only error left is the order of the two.
    Thresholds::new(on_track, at_risk).map_err(|_| {
        reader.invalid(
            "PETAJALAN_REPORT_AT_RISK_PERCENT",
            &at_risk.to_string(),
            &format!("harus lebih kecil dari PETAJALAN_REPORT_ON_TRACK_PERCENT ({on_track})"),
            &format!("it must be below PETAJALAN_REPORT_ON_TRACK_PERCENT ({on_track})"),
        )
    })
}

fn check_secret(reader: &Reader, name: &str, value_in_message: &str, secret: Vec<u8>) -> Result<Vec<u8>, ConfigError> {
    if secret.len() < MIN_JWT_SECRET_BYTES {
        return Err(reader.invalid(
            name,
            value_in_message,
            &format!("kunci terlalu pendek: {} byte, minimal {MIN_JWT_SECRET_BYTES} byte", secret.len()),
            &format!("the key is too short: {} bytes, at least {MIN_JWT_SECRET_BYTES} bytes", secret.len()),
        ));
    }
    Ok(secret)
}

fn read_origins(reader: &Reader) -> Result<Vec<String>, ConfigError> {
    let Some(text) = reader.optional_text("PETAJALAN_CORS_ORIGINS") else {
        return Ok(Vec::new());
    };
    let origins: Vec<String> = text.split(',').map(|origin| origin.trim().trim_end_matches('/').to_string()).collect();
    for origin in &origins {
        let valid = (origin.starts_with("http://") || origin.starts_with("https://")) && !origin.contains(['*', ' ']);
        if !valid {
            return Err(reader.invalid(
                "PETAJALAN_CORS_ORIGINS",
                origin,
                "setiap origin harus berbentuk http(s)://host[:port], tanpa karakter pengganti",
                "each origin must look like http(s)://host[:port], without wildcards",
            ));
        }
    }
    Ok(origins)
}

fn read_evidence_location(reader: &Reader) -> Result<EvidenceLocation, ConfigError> {
    let text = reader.text("PETAJALAN_EVIDENCE_STORE", "var/evidence");
    let Some(rest) = text.strip_prefix("s3://") else {
        return Ok(EvidenceLocation::Directory(PathBuf::from(text)));
    };
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let bucket_ok = (3..=63).contains(&bucket.len())
        && bucket.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
    if !bucket_ok {
        return Err(reader.invalid(
            "PETAJALAN_EVIDENCE_STORE",
            &text,
            "nama bucket S3 harus 3 sampai 63 karakter huruf kecil, angka, titik atau tanda hubung",
            "an S3 bucket name must have 3 to 63 lower-case letters, digits, dots or hyphens",
        ));
    }
    let prefix = prefix.trim_matches('/');
    let prefix = if prefix.is_empty() { String::new() } else { format!("{prefix}/") };
    let mut options: Vec<(String, String)> = reader
        .vars
        .iter()
        .filter(|(name, _)| name.starts_with("AWS_"))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    options.sort();
    Ok(EvidenceLocation::S3 { bucket: bucket.to_string(), prefix, options })
}

/// Describes a failed connection for an error message: the URL without its password, and the
/// settings to check.
pub fn connection_hint(database_url: &str, lang: Lang) -> String {
    let url = redact_password(database_url);
    match lang {
        Lang::Id => format!(
            "tidak dapat terhubung ke PostgreSQL di {url}; periksa host, port, pengguna, kata sandi dan nama basis data (DATABASE_URL), dan pastikan servernya berjalan"
        ),
        Lang::En => format!(
            "cannot connect to PostgreSQL at {url}; check the host, port, user, password and database name (DATABASE_URL), and that the server is running"
        ),
    }
}

/// Replaces the password of a `postgres://user:password@host/...` URL with `***`.
pub fn redact_password(database_url: &str) -> String {
    let Some((scheme, rest)) = database_url.split_once("://") else {
        return database_url.to_string();
    };
    match rest.split_once('@') {
        Some((credentials, host)) if credentials.contains(':') => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        _ => database_url.to_string(),
    }
}

struct Reader<'a> {
    vars: &'a HashMap<String, String>,
}

impl Reader<'_> {
    fn optional_text(&self, name: &str) -> Option<String> {
        self.vars.get(name).map(|value| value.trim().to_string()).filter(|value| !value.is_empty())
    }

    fn text(&self, name: &str, default: &str) -> String {
        self.optional_text(name).unwrap_or_else(|| default.to_string())
    }

    fn parsed<T: FromStr>(
        &self,
        name: &str,
        default: &str,
        expected_id: &str,
        expected_en: &str,
    ) -> Result<T, ConfigError> {
        let text = self.text(name, default);
        text.parse()
            .map_err(|_| self.invalid(name, &text, &format!("harus {expected_id}"), &format!("expected {expected_en}")))
    }

    fn bounded<T>(&self, name: &str, default: T, min: T, max: T) -> Result<T, ConfigError>
    where
        T: FromStr + PartialOrd + Copy + std::fmt::Display,
    {
        let Some(text) = self.optional_text(name) else {
            return Ok(default);
        };
        match text.parse::<T>() {
            Ok(value) if value >= min && value <= max => Ok(value),
            _ => Err(self.invalid(
                name,
                &text,
                &format!("harus bilangan bulat dari {min} sampai {max}"),
                &format!("expected a whole number from {min} to {max}"),
            )),
        }
    }

    fn invalid(&self, name: &str, value: &str, indonesian: &str, english: &str) -> ConfigError {
        ConfigError {
            variable: name.to_string(),
            value: value.to_string(),
            indonesian: indonesian.to_string(),
            english: english.to_string(),
        }
    }
}

/// Half the CPU cores, at least 1: the default number of password hashes computed at once.
fn half_the_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |cores| (cores.get() / 2).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(key, value)| (key.to_string(), value.to_string())).collect()
    }

    #[test]
    fn defaults_apply() {
        let settings = Settings::from_map(&vars(&[])).unwrap();

        assert_eq!(settings.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(settings.db_pool_size, 10);
        assert!(settings.database_url.is_none());
    }

    #[test]
    fn report_thresholds_default_and_order() {
        let defaults = Settings::from_map(&vars(&[])).unwrap().report_thresholds;
        let lowered = Settings::from_map(&vars(&[
            ("PETAJALAN_REPORT_ON_TRACK_PERCENT", "80"),
            ("PETAJALAN_REPORT_AT_RISK_PERCENT", "60"),
        ]))
        .unwrap()
        .report_thresholds;
        let crossed = Settings::from_map(&vars(&[("PETAJALAN_REPORT_ON_TRACK_PERCENT", "70")])).unwrap_err();

        assert_eq!((defaults.on_track_percent(), defaults.at_risk_percent()), (90, 75));
        assert_eq!((lowered.on_track_percent(), lowered.at_risk_percent()), (80, 60));
        assert_eq!(crossed.variable, "PETAJALAN_REPORT_AT_RISK_PERCENT");
        assert!(crossed.message(Lang::En).contains("below PETAJALAN_REPORT_ON_TRACK_PERCENT (70)"));
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact_password("postgres://app:secret@db:5432/x"), "postgres://app:***@db:5432/x");
        assert_eq!(redact_password("postgres://app@db/x"), "postgres://app@db/x");
    }

    #[test]
    fn invalid_values_name_the_variable() {
        let cases = [
            ("PETAJALAN_BIND", "localhost"),
            ("PETAJALAN_DB_POOL_SIZE", "0"),
            ("PETAJALAN_DB_POOL_SIZE", "many"),
            ("PETAJALAN_LOG_FORMAT", "xml"),
            ("PETAJALAN_LANG", "fr"),
            ("DATABASE_URL", "mysql://x"),
            ("PETAJALAN_LOG", "[["),
            ("PETAJALAN_JWT_SECRET", "too-short"),
            ("PETAJALAN_JWT_ALGORITHM", "none"),
            ("PETAJALAN_CORS_ORIGINS", "*"),
            ("PETAJALAN_EVIDENCE_STORE", "s3://A"),
            ("PETAJALAN_EVIDENCE_MAX_BYTES", "10"),
            ("PETAJALAN_BULK_MAX_BYTES", "100"),
            ("PETAJALAN_REPORT_ON_TRACK_PERCENT", "1001"),
            ("PETAJALAN_REPORT_AT_RISK_PERCENT", "-1"),
            ("PETAJALAN_REPORT_AT_RISK_PERCENT", "90"),
        ];
        for (name, value) in cases {
            let error = Settings::from_map(&vars(&[(name, value)])).unwrap_err();

            assert_eq!(error.variable, name);
            assert!(error.message(Lang::Id).contains(name), "{}", error.message(Lang::Id));
        }
    }
}
