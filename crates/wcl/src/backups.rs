//! The scheduled online backup of `wcl serve` (SQLite): every `--backup-every`, a checked copy in
//! `--backup-dir`, keeping the newest `--backup-keep`.
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const DEFAULT_KEEP: usize = 14;

/// Reads `90s`, `30m`, `6h`, `1d` (a whole number and a unit).
pub fn parse_duration(s: &str) -> anyhow::Result<Duration> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: u64 = n
        .parse()
        .map_err(|_| anyhow::anyhow!("{s:?} is not a duration: write e.g. 30m, 6h or 1d"))?;
    let secs = match unit.trim() {
        "s" => n,
        "m" | "min" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => anyhow::bail!("{s:?} is not a duration: write e.g. 30m, 6h or 1d"),
    };
    if secs == 0 {
        anyhow::bail!("the backup interval must be longer than zero");
    }
    Ok(Duration::from_secs(secs))
}

#[derive(Debug, Clone)]
pub struct Schedule {
    pub every: Duration,
    pub keep: usize,
    pub dir: PathBuf,
}

/// The default folder: `backups` next to a SQLite database.
pub fn default_dir(database_url: &str) -> Option<PathBuf> {
    crate::config::default_key_file(database_url)
        .and_then(|f| f.parent().map(|d| d.join("backups")))
}

/// A new file name in the folder; names sort by time.
fn next_name(dir: &Path) -> PathBuf {
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S%.3f");
    dir.join(format!("wcl-{stamp}.db"))
}

/// Our backups in the folder, oldest first.
pub fn list(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("wcl-") && n.ends_with(".db"))
        })
        .collect();
    found.sort();
    found
}

/// Removes the oldest backups beyond `keep`; answers what it removed.
pub fn prune(dir: &Path, keep: usize) -> Vec<PathBuf> {
    let all = list(dir);
    let extra = all.len().saturating_sub(keep);
    all.into_iter()
        .take(extra)
        .filter(|p| std::fs::remove_file(p).is_ok())
        .collect()
}

/// One backup: written, checked, then the old ones pruned (only after a good one).
pub async fn run_once(store: &store::Store, s: &Schedule) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(&s.dir)?;
    let to = next_name(&s.dir);
    // Written under a name the listing ignores; once checked, the oldest make room and it takes
    // its name, so the folder never shows more than `keep` backups nor an unchecked one.
    let mut partial = to.clone().into_os_string();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let check = store::backup::backup_checked(store, &partial).await?;
    let removed = prune(&s.dir, s.keep.saturating_sub(1));
    std::fs::rename(&partial, &to)?;
    tracing::info!(
        file = %to.display(),
        rows = check.rows(),
        tables = check.counts.len(),
        removed = removed.len(),
        "backup written and checked (integrity ok, row counts equal)"
    );
    Ok(to)
}

/// Runs for as long as the server does.
pub async fn schedule(store: store::Store, s: Schedule) {
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + s.every, s.every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = run_once(&store, &s).await {
            tracing::error!(error = %format!("{e:#}"), "scheduled backup failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("6h").unwrap(), Duration::from_secs(21_600));
        assert_eq!(parse_duration("30m").unwrap(), Duration::from_secs(1800));
        assert_eq!(parse_duration("1d").unwrap(), Duration::from_secs(86_400));
        assert_eq!(parse_duration("2s").unwrap(), Duration::from_secs(2));
        for bad in ["", "h", "6", "6y", "0h", "-1h"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn prune_keeps_the_newest() {
        let dir = tempfile::tempdir().unwrap();
        for n in [
            "wcl-20260101-000000.000.db",
            "wcl-20260102-000000.000.db",
            "wcl-20260103-000000.000.db",
            "other.db",
        ] {
            std::fs::write(dir.path().join(n), b"x").unwrap();
        }
        let removed = prune(dir.path(), 2);
        assert_eq!(removed.len(), 1);
        assert!(removed[0].ends_with("wcl-20260101-000000.000.db"));
        assert_eq!(list(dir.path()).len(), 2);
        assert!(dir.path().join("other.db").exists());
    }
}
