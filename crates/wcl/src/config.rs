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
    "WCL_LOG",
    "WCL_LOG_FORMAT",
    "WCL_TEST_POSTGRES_URL",
    "WCL_CHROMEDRIVER",
    "WCL_CHROMIUM",
];

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
    fn file_config_refuses_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("wcl.toml");
        std::fs::write(&p, "bind = \"0.0.0.0:9000\"\n").unwrap();
        assert_eq!(
            FileConfig::load(Some(&p)).unwrap().bind.as_deref(),
            Some("0.0.0.0:9000")
        );
        std::fs::write(&p, "bnd = \"x\"\n").unwrap();
        assert!(
            FileConfig::load(Some(&p))
                .unwrap_err()
                .to_string()
                .contains("bnd")
        );
    }
}
