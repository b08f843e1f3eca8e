//! Configuration: defaults → a TOML file (`--config` or `WCL_CONFIG`) → `WCL_*` environment
//! variables → command-line flags (clap reads the variables and flags together).
use serde::Deserialize;
use std::path::Path;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://./data/wcl.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

/// What a config file may say. Unknown keys are refused so that a typo is not silently ignored.
#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub database_url: Option<String>,
    pub bind: Option<String>,
    pub secure_cookies: Option<bool>,
    pub session_idle_minutes: Option<i64>,
    pub public_url: Option<String>,
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    pub log: Option<String>,
    /// A file holding the keys that seal support-case notes (one per line, current first).
    pub case_key_file: Option<std::path::PathBuf>,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Option<Vec<String>>,
    /// Database connections kept open.
    pub db_pool_size: Option<u32>,
    /// Seconds a request waits for a connection before answering 503.
    pub db_wait_seconds: Option<u64>,
    /// How often `wcl serve` takes a checked online backup (SQLite), e.g. `6h`.
    pub backup_every: Option<String>,
    /// How many scheduled backups to keep.
    pub backup_keep: Option<usize>,
    /// Where scheduled backups go.
    pub backup_dir: Option<std::path::PathBuf>,
    /// Days after which declined applications and unlinked event registrations are erased.
    pub retention_days: Option<i64>,
    /// The Telegram bot's token; unset, Telegram is off.
    pub telegram_bot_token: Option<String>,
    /// The Bot API's base URL (default https://api.telegram.org).
    pub telegram_api_url: Option<String>,
    /// `webhook` (default) or `polling`.
    pub telegram_mode: Option<String>,
    /// The SMS provider's HTTP endpoint; unset, SMS is off.
    pub sms_url: Option<String>,
    /// Its `Authorization`: `user:password` (Basic) or a whole header value.
    pub sms_auth: Option<String>,
    /// `json` (default) or `xml`.
    pub sms_format: Option<String>,
    /// What one SMS segment costs, in tyiyn (default 150).
    pub sms_segment_tyiyn: Option<i64>,
}

/// Telegram and SMS settings of `wcl serve` (flags and `WCL_*` variables; the file's keys of the
/// same names under them).
#[derive(Debug, Default, Clone, clap::Args)]
pub struct MessagingArgs {
    /// The Telegram bot's token (from @BotFather). Unset, Telegram is off.
    #[arg(long, env = "WCL_TELEGRAM_BOT_TOKEN", hide_env_values = true)]
    pub telegram_bot_token: Option<String>,
    /// The Telegram Bot API's base URL (default https://api.telegram.org).
    #[arg(long, env = "WCL_TELEGRAM_API_URL")]
    pub telegram_api_url: Option<String>,
    /// How the bot's updates arrive: webhook (POST /telegram/webhook, needs WCL_PUBLIC_URL) or
    /// polling (no public address needed).
    #[arg(long, env = "WCL_TELEGRAM_MODE")]
    pub telegram_mode: Option<String>,
    /// The SMS provider's HTTP endpoint. Unset, SMS is off.
    #[arg(long, env = "WCL_SMS_URL")]
    pub sms_url: Option<String>,
    /// The provider's Authorization: user:password (sent as Basic) or a whole header value.
    #[arg(long, env = "WCL_SMS_AUTH", hide_env_values = true)]
    pub sms_auth: Option<String>,
    /// The body the provider reads: json or xml.
    #[arg(long, env = "WCL_SMS_FORMAT")]
    pub sms_format: Option<String>,
    /// What one SMS segment costs, in tyiyn (som × 100).
    #[arg(long, env = "WCL_SMS_SEGMENT_TYIYN")]
    pub sms_segment_tyiyn: Option<i64>,
}

impl MessagingArgs {
    /// Fills `web` from the flags and variables, else from the file.
    pub fn apply(self, file: &FileConfig, web: &mut web::WebConfig) -> anyhow::Result<()> {
        web.telegram_bot_token = self
            .telegram_bot_token
            .or(file.telegram_bot_token.clone())
            .filter(|t| !t.trim().is_empty());
        if let Some(u) = self.telegram_api_url.or(file.telegram_api_url.clone()) {
            web.telegram_api_url = u;
        }
        if let Some(m) = self.telegram_mode.or(file.telegram_mode.clone()) {
            web.telegram_mode = web::telegram::Mode::parse(&m).ok_or_else(|| {
                anyhow::anyhow!("telegram_mode must be webhook or polling (got {m:?})")
            })?;
        }
        web.sms_url = self
            .sms_url
            .or(file.sms_url.clone())
            .filter(|u| !u.trim().is_empty());
        web.sms_auth = self.sms_auth.or(file.sms_auth.clone());
        if let Some(f) = self.sms_format.or(file.sms_format.clone()) {
            web.sms_format = web::sms::Format::parse(&f)
                .ok_or_else(|| anyhow::anyhow!("sms_format must be json or xml (got {f:?})"))?;
        }
        if let Some(p) = self.sms_segment_tyiyn.or(file.sms_segment_tyiyn) {
            anyhow::ensure!(p >= 0, "sms_segment_tyiyn must not be negative");
            web.sms_segment_tyiyn = p;
        }
        Ok(())
    }
}

impl FileConfig {
    pub fn load(path: Option<&Path>) -> anyhow::Result<Self> {
        let Some(path) = path else {
            return Ok(Self::default());
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read config file {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("config file {}: {e}", path.display()))
    }
}

/// The `WCL_*` variables this program reads; any other is reported as a likely typo.
pub const KNOWN_VARS: &[&str] = &[
    "WCL_CONFIG",
    "WCL_DATABASE_URL",
    "WCL_BIND",
    "WCL_SECURE_COOKIES",
    "WCL_SESSION_IDLE_MINUTES",
    "WCL_PUBLIC_URL",
    "WCL_SMTP_URL",
    "WCL_MAIL_FROM",
    "WCL_TRUSTED_PROXIES",
    "WCL_DB_POOL_SIZE",
    "WCL_DB_WAIT_SECONDS",
    "WCL_BACKUP_EVERY",
    "WCL_BACKUP_KEEP",
    "WCL_BACKUP_DIR",
    "WCL_RETENTION_DAYS",
    "WCL_TELEGRAM_BOT_TOKEN",
    "WCL_TELEGRAM_API_URL",
    "WCL_TELEGRAM_MODE",
    "WCL_SMS_URL",
    "WCL_SMS_AUTH",
    "WCL_SMS_FORMAT",
    "WCL_SMS_SEGMENT_TYIYN",
    "WCL_LOG",
    "WCL_LOG_FORMAT",
    "WCL_CASE_KEY",
    "WCL_CASE_KEY_FILE",
    "WCL_TEST_POSTGRES_URL",
    "WCL_CRASH_CYCLES",
    "WCL_CHROMEDRIVER",
    "WCL_CHROMIUM",
];

/// Where the support-case keys came from (printed at start; the keys themselves never are).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    Env,
    File(std::path::PathBuf),
    /// A new key file made for the demo or a first run on a laptop.
    Generated(std::path::PathBuf),
}

impl std::fmt::Display for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Env => f.write_str("WCL_CASE_KEY"),
            Self::File(p) => write!(f, "{}", p.display()),
            Self::Generated(p) => write!(f, "{} (new)", p.display()),
        }
    }
}

/// The default key file: `case.key` next to a SQLite database (never inside it).
pub fn default_key_file(database_url: &str) -> Option<std::path::PathBuf> {
    let rest = database_url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or("");
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    let dir = Path::new(path).parent().unwrap_or(Path::new("."));
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    Some(dir.join("case.key"))
}

/// The keys that seal support-case notes: `WCL_CASE_KEY` (one or more, comma-separated, current
/// first), else the key file (`--case-key-file`, `WCL_CASE_KEY_FILE`, `case_key_file`), else
/// `case.key` next to a SQLite database. With `generate` (the demo), a missing default file is
/// created with a new key, readable by its owner only. `None`: support pages say that no key is
/// configured.
pub fn case_keys(
    env_key: Option<&str>,
    key_file: Option<&Path>,
    database_url: &str,
    generate: bool,
) -> anyhow::Result<Option<(web::sealed::Keyring, KeySource)>> {
    if let Some(k) = env_key.filter(|k| !k.trim().is_empty()) {
        let ring =
            web::sealed::Keyring::from_list(k).map_err(|e| anyhow::anyhow!("WCL_CASE_KEY: {e}"))?;
        return Ok(Some((ring, KeySource::Env)));
    }
    if let Some(f) = key_file {
        let ring = web::sealed::Keyring::from_file(f).map_err(|e| anyhow::anyhow!("{e}"))?;
        return Ok(Some((ring, KeySource::File(f.to_path_buf()))));
    }
    let Some(default) = default_key_file(database_url) else {
        return Ok(None);
    };
    if default.exists() {
        let ring = web::sealed::Keyring::from_file(&default).map_err(|e| anyhow::anyhow!("{e}"))?;
        return Ok(Some((ring, KeySource::File(default))));
    }
    if !generate {
        return Ok(None);
    }
    write_new_key_file(&default)?;
    let ring = web::sealed::Keyring::from_file(&default).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Some((ring, KeySource::Generated(default))))
}

/// Writes a new key file (mode 0600 on Unix); refuses to overwrite one.
pub fn write_new_key_file(path: &Path) -> anyhow::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    let key = web::sealed::generate_key().map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .map_err(|e| anyhow::anyhow!("cannot create the key file {}: {e}", path.display()))?;
    writeln!(
        f,
        "# wcl support-case keys: the first line seals, every line opens. Keep a copy apart from\n# the database backups: without it the case notes cannot be read.\n{key}"
    )?;
    Ok(())
}

pub fn unknown_vars() -> Vec<String> {
    std::env::vars()
        .map(|(k, _)| k)
        .filter(|k| k.starts_with("WCL_") && !KNOWN_VARS.contains(&k.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_keys_come_from_the_env_a_file_or_a_new_demo_file() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/wcl.db", dir.path().display());
        assert!(case_keys(None, None, &url, false).unwrap().is_none());
        let (ring, src) = case_keys(None, None, &url, true).unwrap().unwrap();
        let file = dir.path().join("case.key");
        assert_eq!(src, KeySource::Generated(file.clone()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (again, src) = case_keys(None, None, &url, true).unwrap().unwrap();
        assert_eq!(src, KeySource::File(file.clone()));
        assert_eq!(again.current_id(), ring.current_id());
        let k = web::sealed::generate_key().unwrap();
        let (env, src) = case_keys(Some(&k), Some(&file), &url, true)
            .unwrap()
            .unwrap();
        assert_eq!(src, KeySource::Env);
        assert_ne!(env.current_id(), ring.current_id());
        assert!(case_keys(Some("short"), None, &url, false).is_err());
        assert!(
            case_keys(None, None, "postgres://u@h/db", true)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn telegram_and_sms_come_from_the_file_under_flags() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("wcl.toml");
        std::fs::write(
            &p,
            "telegram_bot_token = \"1:abc\"\ntelegram_mode = \"polling\"\nsms_url = \"https://sms.example.kg/send\"\nsms_format = \"xml\"\nsms_auth = \"wcl:pw\"\n",
        )
        .unwrap();
        let file = FileConfig::load(Some(&p)).unwrap();
        let mut web = web::WebConfig::default();
        let flags = MessagingArgs {
            telegram_api_url: Some("http://127.0.0.1:9/tg".into()),
            ..Default::default()
        };
        flags.apply(&file, &mut web).unwrap();
        assert_eq!(web.telegram_bot_token.as_deref(), Some("1:abc"));
        assert_eq!(web.telegram_api_url, "http://127.0.0.1:9/tg");
        assert_eq!(web.telegram_mode, web::telegram::Mode::Polling);
        assert_eq!(web.sms_format, web::sms::Format::Xml);
        assert_eq!(web.sms_url.as_deref(), Some("https://sms.example.kg/send"));
        let mut web = web::WebConfig::default();
        assert_eq!(web.telegram_api_url, "https://api.telegram.org");
        let bad = MessagingArgs {
            telegram_mode: Some("push".into()),
            ..Default::default()
        };
        assert!(bad.apply(&FileConfig::default(), &mut web).is_err());
        for v in [
            "WCL_TELEGRAM_BOT_TOKEN",
            "WCL_TELEGRAM_API_URL",
            "WCL_TELEGRAM_MODE",
            "WCL_SMS_URL",
            "WCL_SMS_AUTH",
            "WCL_SMS_FORMAT",
        ] {
            assert!(KNOWN_VARS.contains(&v), "{v}");
        }
    }

    #[test]
    fn file_config_refuses_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("wcl.toml");
        std::fs::write(&p, "bind = \"0.0.0.0:9000\"\n").unwrap();
        assert_eq!(
            FileConfig::load(Some(&p)).unwrap().bind.as_deref(),
            Some("0.0.0.0:9000")
        );
        std::fs::write(
            &p,
            "backup_every = \"6h\"\nbackup_keep = 7\nbackup_dir = \"/srv/wcl/backups\"\n",
        )
        .unwrap();
        let f = FileConfig::load(Some(&p)).unwrap();
        assert_eq!(f.backup_every.as_deref(), Some("6h"));
        assert_eq!(f.backup_keep, Some(7));
        assert_eq!(f.backup_dir.as_deref(), Some(Path::new("/srv/wcl/backups")));
        for v in ["WCL_BACKUP_EVERY", "WCL_BACKUP_KEEP", "WCL_BACKUP_DIR"] {
            assert!(KNOWN_VARS.contains(&v), "{v}");
        }
        std::fs::write(&p, "bnd = \"x\"\n").unwrap();
        assert!(
            FileConfig::load(Some(&p))
                .unwrap_err()
                .to_string()
                .contains("bnd")
        );
    }
}
