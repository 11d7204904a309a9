//! Settings from the environment (DESIGN.md "The contract"). Each command asks only for what it
//! uses, and a missing or malformed value is one line naming the variable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;

use crate::crypto::{Keyring, MasterKey};

/// Reads one variable; a seam so that tests can pass a map instead of the process environment.
pub trait Env {
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{var}: {reason}")]
pub struct ConfigError {
    pub var: &'static str,
    pub reason: String,
}

impl ConfigError {
    fn new(var: &'static str, reason: impl Into<String>) -> Self {
        Self { var, reason: reason.into() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Where the store lives.
#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    pub url: String,
}

impl DatabaseSettings {
    /// `DATABASE_URL`, or embedded SQLite under `PASSERELLE_DATA_DIR` (default `./data`).
    pub fn from_env(env: &impl Env) -> Result<Self, ConfigError> {
        if let Some(url) = env.var("DATABASE_URL") {
            let known = ["postgres://", "postgresql://", "sqlite:"];
            if !known.iter().any(|p| url.starts_with(p)) {
                return Err(ConfigError::new(
                    "DATABASE_URL",
                    "must start with postgres://, postgresql:// or sqlite:",
                ));
            }
            return Ok(Self { url });
        }
        let dir = data_dir(env);
        std::fs::create_dir_all(&dir).map_err(|e| {
            ConfigError::new("PASSERELLE_DATA_DIR", format!("cannot create {}: {e}", dir.display()))
        })?;
        Ok(Self { url: format!("sqlite://{}?mode=rwc", dir.join("passerelle.db").display()) })
    }
}

pub fn data_dir(env: &impl Env) -> PathBuf {
    PathBuf::from(env.var("PASSERELLE_DATA_DIR").unwrap_or_else(|| "./data".into()))
}

/// The master keyring: `PASSERELLE_MASTER_KEY` seals, `PASSERELLE_PREVIOUS_MASTER_KEYS`
/// (comma-separated) still opens rows sealed before a rotation.
pub fn keyring(env: &impl Env) -> Result<Keyring, ConfigError> {
    const VAR: &str = "PASSERELLE_MASTER_KEY";
    let current = env.var(VAR).ok_or_else(|| {
        ConfigError::new(VAR, "missing (base64 of 32 random bytes: `openssl rand -base64 32`)")
    })?;
    let current = MasterKey::from_base64(&current).map_err(|e| ConfigError::new(VAR, e))?;
    let previous = match env.var("PASSERELLE_PREVIOUS_MASTER_KEYS") {
        None => vec![],
        Some(list) => list
            .split(',')
            .map(MasterKey::from_base64)
            .collect::<Result<_, _>>()
            .map_err(|e| ConfigError::new("PASSERELLE_PREVIOUS_MASTER_KEYS", e))?,
    };
    Ok(Keyring::new(current, previous))
}

/// How to reach MyUnisoft.
#[derive(Debug, Clone)]
pub struct MyUnisoftSettings {
    pub base_url: String,
    /// The partner key (`X-Third-Party-Secret`), one for every tenant.
    pub partner_secret: SecretString,
    /// Calls per window allowed to one token (MyUnisoft: 20 per 10 s).
    pub rate_calls: u32,
    pub rate_window: Duration,
    /// One upstream call's time limit.
    pub timeout: Duration,
    /// The largest answer read into memory (the streamed MAD listings excepted).
    pub max_body_bytes: usize,
    /// Callers of one token that may wait for its budget in one process.
    pub queue_per_token: u32,
    /// Hosts (`host` or `host:port`) besides the base URL's origin that document links may point
    /// to: `MYUNISOFT_DOWNLOAD_HOSTS`, comma-separated.
    pub download_hosts: Vec<String>,
}

impl MyUnisoftSettings {
    pub fn from_env(env: &impl Env) -> Result<Self, ConfigError> {
        const SECRET: &str = "MYUNISOFT_THIRD_PARTY_SECRET";
        let base_url = env.var("MYUNISOFT_BASE_URL").unwrap_or_else(|| DEFAULT_MYUNISOFT.into());
        base_url_checked(&base_url)?;
        let partner_secret = env.var(SECRET).ok_or_else(|| {
            ConfigError::new(SECRET, "missing (the partner key MyUnisoft issued to you)")
        })?;
        let number = |var: &'static str, default: u64| -> Result<u64, ConfigError> {
            env.var(var).map_or(Ok(default), |v| {
                v.parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| ConfigError::new(var, "must be a positive whole number"))
            })
        };
        let rate_calls = number("MYUNISOFT_RATE_LIMIT", 20)?;
        let queue = number("MYUNISOFT_QUEUE_PER_TOKEN", QUEUE_PER_TOKEN.into())?;
        Ok(Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            partner_secret: SecretString::from(partner_secret),
            rate_calls: u32::try_from(rate_calls)
                .map_err(|_| ConfigError::new("MYUNISOFT_RATE_LIMIT", "too large"))?,
            rate_window: Duration::from_millis(number("MYUNISOFT_RATE_WINDOW_MS", 10_000)?),
            timeout: Duration::from_secs(number("MYUNISOFT_TIMEOUT_SECS", 30)?),
            max_body_bytes: bytes(env, "MYUNISOFT_MAX_BODY_BYTES", MAX_BODY_BYTES)?,
            queue_per_token: u32::try_from(queue)
                .map_err(|_| ConfigError::new("MYUNISOFT_QUEUE_PER_TOKEN", "too large"))?,
            download_hosts: download_hosts(env)?,
        })
    }
}

const DEFAULT_MYUNISOFT: &str = "https://api.myunisoft.fr/api/v1";
/// `MYUNISOFT_MAX_BODY_BYTES` when unset: 32 MiB.
pub const MAX_BODY_BYTES: usize = 32 << 20;
/// `MYUNISOFT_QUEUE_PER_TOKEN` when unset.
pub const QUEUE_PER_TOKEN: u32 = 100;

/// What one tenant may take of a replica: memory, disk and concurrent work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TenantLimits {
    /// Accounting requests of one API account served at once; the next is answered 429.
    pub requests_per_account: u32,
    /// The reference cache's size (approximate bytes of the cached answers).
    pub reference_cache_bytes: usize,
    /// `raw_data` kept for one request; the rest is cut and flagged `truncated`.
    pub raw_data_bytes: usize,
    /// Attachments answered by one `GET …/attachments` page, and their bytes.
    pub attachments_per_page: u32,
    pub attachment_page_bytes: usize,
    /// FEC exports of one connection running at once; the next is answered 429.
    pub fec_exports_per_connection: u32,
    /// A FEC download whose client reads nothing for this long is abandoned.
    pub fec_stall: Duration,
    /// Disk the FEC spool files of this process may use together.
    pub fec_spool_bytes: u64,
}

impl Default for TenantLimits {
    fn default() -> Self {
        Self {
            requests_per_account: 64,
            reference_cache_bytes: 64 << 20,
            raw_data_bytes: 8 << 20,
            attachments_per_page: 20,
            attachment_page_bytes: 64 << 20,
            fec_exports_per_connection: 2,
            fec_stall: Duration::from_secs(60),
            fec_spool_bytes: 4 << 30,
        }
    }
}

impl TenantLimits {
    pub fn from_env(env: &impl Env) -> Result<Self, ConfigError> {
        let d = Self::default();
        let count = |var: &'static str, default: u32| -> Result<u32, ConfigError> {
            env.var(var).map_or(Ok(default), |v| {
                v.parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| ConfigError::new(var, "must be a positive whole number"))
            })
        };
        Ok(Self {
            requests_per_account: count("PASSERELLE_REQUESTS_PER_ACCOUNT", d.requests_per_account)?,
            reference_cache_bytes: bytes(
                env,
                "PASSERELLE_REFERENCE_CACHE_BYTES",
                d.reference_cache_bytes,
            )?,
            raw_data_bytes: bytes(env, "PASSERELLE_RAW_DATA_MAX_BYTES", d.raw_data_bytes)?,
            attachments_per_page: count("PASSERELLE_ATTACHMENTS_PER_PAGE", d.attachments_per_page)?,
            attachment_page_bytes: bytes(
                env,
                "PASSERELLE_ATTACHMENT_PAGE_BYTES",
                d.attachment_page_bytes,
            )?,
            fec_exports_per_connection: count(
                "PASSERELLE_FEC_EXPORTS_PER_CONNECTION",
                d.fec_exports_per_connection,
            )?,
            fec_stall: seconds(env, "PASSERELLE_FEC_STALL_SECS", d.fec_stall.as_secs(), 1)?,
            fec_spool_bytes: bytes(env, "PASSERELLE_FEC_SPOOL_MAX_BYTES", d.fec_spool_bytes)?,
        })
    }
}

/// A positive size in bytes; `default` when unset.
fn bytes<N: std::str::FromStr + PartialOrd + Default>(
    env: &impl Env,
    var: &'static str,
    default: N,
) -> Result<N, ConfigError> {
    env.var(var).map_or(Ok(default), |v| {
        v.parse::<N>()
            .ok()
            .filter(|n| *n > N::default())
            .ok_or_else(|| ConfigError::new(var, "must be a positive whole number of bytes"))
    })
}

/// `MYUNISOFT_BASE_URL` carries every tenant's token and the partner key: https, except to a
/// loopback host (a sandbox or a local proxy).
fn base_url_checked(base_url: &str) -> Result<reqwest::Url, ConfigError> {
    const VAR: &str = "MYUNISOFT_BASE_URL";
    let url = reqwest::Url::parse(base_url)
        .ok()
        .filter(|u| u.has_host())
        .ok_or_else(|| ConfigError::new(VAR, "must be an https URL"))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        _ => Err(ConfigError::new(
            VAR,
            "must be an https URL (http only to 127.0.0.0/8, ::1 or localhost)",
        )),
    }
}

/// `MYUNISOFT_DOWNLOAD_HOSTS`: `host` or `host:port` entries, nothing else (no scheme, path or
/// wildcard).
fn download_hosts(env: &impl Env) -> Result<Vec<String>, ConfigError> {
    const VAR: &str = "MYUNISOFT_DOWNLOAD_HOSTS";
    let Some(list) = env.var(VAR) else { return Ok(vec![]) };
    list.split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(|host| {
            let allowed = |c: char| c.is_ascii_alphanumeric() || "-.:[]".contains(c);
            let url = host
                .chars()
                .all(allowed)
                .then(|| reqwest::Url::parse(&format!("https://{host}/")).ok())
                .flatten();
            let plain = url.as_ref().is_some_and(|u| {
                let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
                u.host_str().map(|h| format!("{h}{port}")) == Some(host.to_ascii_lowercase())
            });
            plain.then(|| host.to_ascii_lowercase()).ok_or_else(|| {
                ConfigError::new(VAR, format!("`{host}` is not a host or host:port"))
            })
        })
        .collect()
}

/// Whether `url` names this machine: `localhost`, 127.0.0.0/8 or ::1.
pub fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else { return false };
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Everything `serve` needs.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub public_url: String,
    pub database: DatabaseSettings,
    pub keyring: Keyring,
    pub jwt_secret: SecretString,
    pub request_timeout: Duration,
    /// A connection that has not sent a whole request head within this time is closed.
    pub header_timeout: Duration,
    /// After SIGTERM/SIGINT: how long readiness answers 503 while the listener still serves.
    pub shutdown_drain: Duration,
    /// How long a write with a client request id holds it without renewing (renewed every
    /// third): a replay takes over the request of a process that died this long ago.
    pub write_lease: Duration,
    pub log_format: LogFormat,
    pub myunisoft: MyUnisoftSettings,
    pub limits: TenantLimits,
    pub webhooks: crate::webhooks::WebhookSettings,
    pub datalayer: DatalayerSettings,
}

const MIN_JWT_SECRET: usize = 32;

impl Settings {
    pub fn from_env(env: &impl Env) -> Result<Self, ConfigError> {
        let listen = env.var("PASSERELLE_LISTEN").unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen: SocketAddr = listen.parse().map_err(|_| {
            ConfigError::new("PASSERELLE_LISTEN", "must be HOST:PORT, e.g. 127.0.0.1:8080")
        })?;
        let public_url = env
            .var("PASSERELLE_PUBLIC_URL")
            .unwrap_or_else(|| format!("http://{listen}"))
            .trim_end_matches('/')
            .to_owned();
        let request_timeout = seconds(env, "PASSERELLE_REQUEST_TIMEOUT_SECS", 30, 1)?;
        let header_timeout = seconds(env, "PASSERELLE_HEADER_TIMEOUT_SECS", 10, 1)?;
        Ok(Self {
            listen,
            public_url,
            database: DatabaseSettings::from_env(env)?,
            keyring: keyring(env)?,
            jwt_secret: jwt_secret(env)?,
            request_timeout,
            header_timeout,
            shutdown_drain: seconds(env, "PASSERELLE_SHUTDOWN_DRAIN_SECS", 5, 0)?,
            write_lease: seconds(env, "PASSERELLE_WRITE_LEASE_SECS", 30, 1)?,
            log_format: log_format(env)?,
            myunisoft: MyUnisoftSettings::from_env(env)?,
            limits: TenantLimits::from_env(env)?,
            webhooks: crate::webhooks::WebhookSettings::from_env(env)?,
            datalayer: DatalayerSettings::from_env(env)?,
        })
    }
}

/// `PASSERELLE_JWT_SECRET`: signs access tokens and keys the digests of client secrets.
pub fn jwt_secret(env: &impl Env) -> Result<SecretString, ConfigError> {
    const VAR: &str = "PASSERELLE_JWT_SECRET";
    let secret = env
        .var(VAR)
        .ok_or_else(|| ConfigError::new(VAR, "missing (at least 32 random characters)"))?;
    if secret.len() < MIN_JWT_SECRET {
        return Err(ConfigError::new(VAR, format!("must be at least {MIN_JWT_SECRET} characters")));
    }
    Ok(SecretString::from(secret))
}

/// A duration in whole seconds, at least `min`; `default` when unset.
fn seconds(
    env: &impl Env,
    var: &'static str,
    default: u64,
    min: u64,
) -> Result<Duration, ConfigError> {
    whole_number(env, var, default, min, "a whole number of seconds").map(Duration::from_secs)
}

/// A whole number, at least `min`; `default` when unset. When it is not, the error says it
/// must be `what` (`a whole number`, `a whole number of seconds`), at least `min`.
pub(crate) fn whole_number(
    env: &impl Env,
    var: &'static str,
    default: u64,
    min: u64,
    what: &str,
) -> Result<u64, ConfigError> {
    match env.var(var) {
        None => Ok(default),
        Some(s) => s
            .parse()
            .ok()
            .filter(|n| *n >= min)
            .ok_or_else(|| ConfigError::new(var, format!("must be {what}, at least {min}"))),
    }
}

pub fn log_format(env: &impl Env) -> Result<LogFormat, ConfigError> {
    match env.var("PASSERELLE_LOG_FORMAT").as_deref() {
        None | Some("text") => Ok(LogFormat::Text),
        Some("json") => Ok(LogFormat::Json),
        Some(_) => Err(ConfigError::new("PASSERELLE_LOG_FORMAT", "must be `text` or `json`")),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    struct MapEnv(HashMap<&'static str, &'static str>);

    impl Env for MapEnv {
        fn var(&self, name: &str) -> Option<String> {
            self.0.get(name).map(|v| v.to_string())
        }
    }

    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const JWT: &str = "0123456789abcdef0123456789abcdef";

    fn env(pairs: &[(&'static str, &'static str)]) -> MapEnv {
        let mut map: HashMap<_, _> =
            [("DATABASE_URL", "postgres://x/y"), ("PASSERELLE_MASTER_KEY", KEY)].into();
        map.insert("MYUNISOFT_THIRD_PARTY_SECRET", "partner-secret");
        map.insert("PASSERELLE_JWT_SECRET", JWT);
        map.extend(pairs.iter().copied());
        MapEnv(map)
    }

    fn error_of(pairs: &[(&'static str, &'static str)]) -> ConfigError {
        Settings::from_env(&env(pairs)).unwrap_err()
    }

    #[test]
    fn defaults_listen_on_loopback_8080() {
        let s = Settings::from_env(&env(&[])).unwrap();
        assert_eq!(s.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(s.public_url, "http://127.0.0.1:8080");
        assert_eq!(s.request_timeout, Duration::from_secs(30));
        assert_eq!(s.header_timeout, Duration::from_secs(10));
        assert_eq!(s.write_lease, Duration::from_secs(30));
        assert_eq!(s.shutdown_drain, Duration::from_secs(5));
        assert_eq!(s.myunisoft.base_url, "https://api.myunisoft.fr/api/v1");
        assert_eq!(
            (s.myunisoft.rate_calls, s.myunisoft.rate_window),
            (20, Duration::from_secs(10))
        );
    }

    #[test]
    fn a_missing_secret_names_its_variable() {
        let mut e = env(&[]);
        e.0.remove("PASSERELLE_MASTER_KEY");
        let err = Settings::from_env(&e).unwrap_err();
        assert_eq!(err.var, "PASSERELLE_MASTER_KEY");
        assert!(err.to_string().starts_with("PASSERELLE_MASTER_KEY: missing"));
        let mut e = env(&[]);
        e.0.remove("PASSERELLE_JWT_SECRET");
        assert_eq!(Settings::from_env(&e).unwrap_err().var, "PASSERELLE_JWT_SECRET");
        let mut e = env(&[]);
        e.0.remove("MYUNISOFT_THIRD_PARTY_SECRET");
        assert_eq!(Settings::from_env(&e).unwrap_err().var, "MYUNISOFT_THIRD_PARTY_SECRET");
    }

    #[test]
    fn malformed_values_name_their_variable() {
        assert_eq!(error_of(&[("PASSERELLE_MASTER_KEY", "abc")]).var, "PASSERELLE_MASTER_KEY");
        assert_eq!(error_of(&[("PASSERELLE_JWT_SECRET", "short")]).var, "PASSERELLE_JWT_SECRET");
        assert_eq!(error_of(&[("PASSERELLE_LISTEN", "nowhere")]).var, "PASSERELLE_LISTEN");
        assert_eq!(error_of(&[("DATABASE_URL", "mysql://x")]).var, "DATABASE_URL");
        assert_eq!(error_of(&[("PASSERELLE_LOG_FORMAT", "xml")]).var, "PASSERELLE_LOG_FORMAT");
        assert_eq!(error_of(&[("MYUNISOFT_BASE_URL", "ftp://x")]).var, "MYUNISOFT_BASE_URL");
        assert_eq!(error_of(&[("MYUNISOFT_RATE_LIMIT", "0")]).var, "MYUNISOFT_RATE_LIMIT");
        let bad_timeout = [("PASSERELLE_HEADER_TIMEOUT_SECS", "ten")];
        assert_eq!(error_of(&bad_timeout).var, "PASSERELLE_HEADER_TIMEOUT_SECS");
        let drain = "PASSERELLE_SHUTDOWN_DRAIN_SECS";
        assert_eq!(error_of(&[(drain, "5s")]).var, drain);
        assert_eq!(error_of(&[(drain, "-1")]).var, drain);
        let cap = "MYUNISOFT_MAX_BODY_BYTES";
        assert_eq!(error_of(&[(cap, "0")]).var, cap);
        let spool = "PASSERELLE_FEC_SPOOL_MAX_BYTES";
        assert_eq!(error_of(&[(spool, "2GB")]).var, spool);
        let bad_previous = [("PASSERELLE_PREVIOUS_MASTER_KEYS", "zz")];
        assert_eq!(error_of(&bad_previous).var, "PASSERELLE_PREVIOUS_MASTER_KEYS");
    }

    #[test]
    fn the_myunisoft_base_url_is_https_unless_it_is_loopback() {
        for ok in [
            "https://api.myunisoft.fr/api/v1",
            "http://127.0.0.1:9000/api/v1",
            "http://127.8.9.10/api/v1",
            "http://[::1]:9000/api/v1",
            "http://localhost:9000/api/v1",
        ] {
            let s = Settings::from_env(&env(&[("MYUNISOFT_BASE_URL", ok)]));
            assert!(s.is_ok(), "{ok}: {s:?}");
        }
        for bad in [
            "http://api.myunisoft.fr/api/v1",
            "http://10.0.0.1/api/v1",
            "http://localhost.evil.example/api/v1",
            "http://128.0.0.1/",
            "https://",
            "ftp://x",
        ] {
            let err = error_of(&[("MYUNISOFT_BASE_URL", bad)]);
            assert_eq!(err.var, "MYUNISOFT_BASE_URL", "{bad}");
            assert!(err.to_string().contains("https"), "{err}");
        }
    }

    #[test]
    fn download_hosts_are_plain_hosts_or_host_ports() {
        let list = [("MYUNISOFT_DOWNLOAD_HOSTS", "files.myunisoft.fr, GED.example:8443,")];
        let s = Settings::from_env(&env(&list)).unwrap();
        assert_eq!(s.myunisoft.download_hosts, ["files.myunisoft.fr", "ged.example:8443"]);
        for bad in ["https://files.myunisoft.fr", "*.myunisoft.fr", "a.example/path", "a b"] {
            let err = error_of(&[("MYUNISOFT_DOWNLOAD_HOSTS", bad)]);
            assert_eq!(err.var, "MYUNISOFT_DOWNLOAD_HOSTS", "{bad}");
        }
    }

    #[test]
    fn debug_never_shows_a_secret() {
        let previous =
            [("PASSERELLE_PREVIOUS_MASTER_KEYS", "AQECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")];
        let shown = format!("{:?}", Settings::from_env(&env(&previous)).unwrap());
        for secret in [KEY, previous[0].1, JWT, "partner-secret"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("MasterKey") && shown.contains("jwt_secret"), "{shown}");
    }

    #[test]
    fn a_zero_drain_is_allowed() {
        let s = Settings::from_env(&env(&[("PASSERELLE_SHUTDOWN_DRAIN_SECS", "0")])).unwrap();
        assert_eq!(s.shutdown_drain, Duration::ZERO);
    }

    #[test]
    fn without_database_url_the_store_is_sqlite_in_the_data_dir() {
        let dir = tempfile::tempdir().unwrap();
        let path: &'static str = Box::leak(dir.path().to_string_lossy().into_owned().into());
        let mut e = env(&[("PASSERELLE_DATA_DIR", path)]);
        e.0.remove("DATABASE_URL");
        let db = DatabaseSettings::from_env(&e).unwrap();
        assert_eq!(db.url, format!("sqlite://{path}/passerelle.db?mode=rwc"));
    }
}

/// How the data layer's sync engine paces itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DatalayerSettings {
    /// `PASSERELLE_DATALAYER_INTERVAL_SECS` (default 300): between two syncs of one connection.
    pub interval: Duration,
    /// `PASSERELLE_DATALAYER_LEASE_SECS` (default 30): how long a claimed sync holds without
    /// renewal; a process that died mid-sync is taken over after it.
    pub lease: Duration,
    /// `PASSERELLE_DATALAYER_SYNC` (default `on`): `off` keeps this process out of syncing.
    pub sync: bool,
    /// `PASSERELLE_DATALAYER_LETTERING_SECS` (default 1800): how old outstandings (the lettering
    /// state) may get before a run on the cadence reads them again; lettering webhooks and
    /// Passerelle's own writes refresh them at once.
    pub lettering: Duration,
}

impl Default for DatalayerSettings {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(300),
            lease: Duration::from_secs(30),
            sync: true,
            lettering: Duration::from_secs(1800),
        }
    }
}

impl DatalayerSettings {
    pub fn from_env(env: &impl Env) -> Result<Self, ConfigError> {
        let sync = match env.var("PASSERELLE_DATALAYER_SYNC").as_deref() {
            None | Some("on") => true,
            Some("off") => false,
            Some(_) => {
                return Err(ConfigError::new("PASSERELLE_DATALAYER_SYNC", "must be on or off"))
            }
        };
        Ok(Self {
            interval: seconds(env, "PASSERELLE_DATALAYER_INTERVAL_SECS", 300, 1)?,
            lease: seconds(env, "PASSERELLE_DATALAYER_LEASE_SECS", 30, 1)?,
            sync,
            lettering: seconds(env, "PASSERELLE_DATALAYER_LETTERING_SECS", 1800, 1)?,
        })
    }
}
