//! SQLite backups: an online copy that is checked once written, the check of a file before it is
//! restored, and the restore itself. PostgreSQL is backed up with `pg_dump` (see the README).
use crate::copy::{TABLES, counts_on};
use crate::{Backend, Result, Store, StoreError};
use sqlx::{AnyConnection, Connection, Row};
use std::path::{Path, PathBuf};

/// What the check of a SQLite file found: its applied migrations and its rows per table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCheck {
    pub migrations: Vec<i64>,
    pub counts: Vec<(String, i64)>,
}

impl FileCheck {
    pub fn rows(&self) -> i64 {
        self.counts.iter().map(|(_, n)| n).sum()
    }
    pub fn count(&self, table: &str) -> i64 {
        self.counts
            .iter()
            .find(|(t, _)| t == table)
            .map_or(0, |(_, n)| *n)
    }
}

/// The migration versions this program knows for a backend.
pub fn known_migrations(backend: Backend) -> Vec<i64> {
    crate::migrator(backend)
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .map(|m| m.version)
        .collect()
}

fn bad(msg: String) -> StoreError {
    StoreError::BadUrl(msg)
}

/// Checks that `path` is a whole wcl SQLite database: the SQLite header, `PRAGMA
/// integrity_check`, a migrations table with no migration this program does not know. Opens it
/// read-only; answers its migrations and row counts.
pub async fn check_file(path: &Path) -> Result<FileCheck> {
    use std::io::Read;
    let shown = path.display();
    let mut head = [0u8; 16];
    let mut f = std::fs::File::open(path).map_err(|e| bad(format!("cannot read {shown}: {e}")))?;
    if f.read_exact(&mut head).is_err() || &head != b"SQLite format 3\0" {
        return Err(bad(format!("{shown} is not a SQLite database")));
    }
    drop(f);
    sqlx::any::install_default_drivers();
    let corrupt = |e: sqlx::Error| StoreError::Corrupt(format!("{shown}: {e}"));
    let mut c = AnyConnection::connect(&format!("sqlite://{}?mode=ro", path.display()))
        .await
        .map_err(corrupt)?;
    let checked = inspect(&mut c, path).await;
    let _ = c.close().await;
    checked
}

async fn inspect(c: &mut AnyConnection, path: &Path) -> Result<FileCheck> {
    let shown = path.display();
    let corrupt = |e: sqlx::Error| StoreError::Corrupt(format!("{shown}: {e}"));
    let rows = sqlx::query("PRAGMA integrity_check")
        .fetch_all(&mut *c)
        .await
        .map_err(corrupt)?;
    let msgs = rows
        .iter()
        .map(|r| r.try_get::<String, _>(0))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(corrupt)?;
    if msgs != ["ok"] {
        let mut said = msgs.into_iter().take(5).collect::<Vec<_>>().join("; ");
        said.truncate(500);
        return Err(StoreError::Corrupt(format!(
            "{shown} fails the integrity check: {said}"
        )));
    }
    let tables: Vec<String> =
        sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(&mut *c)
            .await
            .map_err(corrupt)?
            .iter()
            .map(|r| r.try_get::<String, _>("name"))
            .collect::<std::result::Result<_, _>>()
            .map_err(corrupt)?;
    if !tables.iter().any(|t| t == "_sqlx_migrations") {
        return Err(bad(format!(
            "{shown} has no migrations table: it is not a wcl database"
        )));
    }
    let migrations: Vec<i64> =
        sqlx::query("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(&mut *c)
            .await
            .map_err(corrupt)?
            .iter()
            .map(|r| r.try_get::<i64, _>("version"))
            .collect::<std::result::Result<_, _>>()
            .map_err(corrupt)?;
    if migrations.is_empty() {
        return Err(bad(format!(
            "{shown} has no applied migration: it is not a wcl database"
        )));
    }
    let known = known_migrations(Backend::Sqlite);
    if let Some(v) = migrations.iter().find(|v| !known.contains(v)) {
        return Err(bad(format!(
            "{shown} was made by a newer wcl (migration {v:04} is unknown to this one): restore it with that version"
        )));
    }
    let present: Vec<&str> = TABLES
        .iter()
        .copied()
        .filter(|t| tables.iter().any(|x| x == t))
        .collect();
    let counts = counts_on(c, &present).await?;
    Ok(FileCheck { migrations, counts })
}

/// Writes a consistent copy of a SQLite database to `to` (a new file) and checks it: integrity,
/// and the same rows per table as the database had at that moment. Writers wait while the copy
/// is made (a write lock is held, readers go on), so the counts are those of the copy. A copy
/// that fails its check is renamed `<name>.failed` and the error says why. Answers the counts.
pub async fn backup_checked(store: &Store, to: &Path) -> Result<FileCheck> {
    if store.backend() != Backend::Sqlite {
        // Refused with the pg_dump command to use instead.
        store.backup(to).await?;
        return Err(bad("PostgreSQL is backed up with pg_dump".into()));
    }
    let mut tx = store.begin().await?;
    let at_backup = counts_on(&mut tx, TABLES).await;
    let written = match at_backup {
        Ok(_) => store.backup(to).await,
        Err(_) => Ok(()),
    };
    let _ = tx.rollback().await;
    let expected = at_backup?;
    written?;
    let failed = |why: String| {
        let aside = sibling(to, ".failed");
        let _ = std::fs::rename(to, &aside);
        StoreError::Corrupt(format!(
            "the backup {} failed its check ({why}); kept as {}",
            to.display(),
            aside.display()
        ))
    };
    let check = check_file(to).await.map_err(|e| failed(e.to_string()))?;
    if check.counts != expected {
        let diff: Vec<String> = expected
            .iter()
            .zip(&check.counts)
            .filter(|(a, b)| a != b)
            .map(|((t, a), (_, b))| format!("{t}: {a} in the database, {b} in the copy"))
            .collect();
        return Err(failed(format!("row counts differ: {}", diff.join(", "))));
    }
    Ok(check)
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// What a restore did.
#[derive(Debug)]
pub struct Restored {
    pub target: PathBuf,
    pub check: FileCheck,
    /// Where the database that was replaced now is.
    pub kept: Option<PathBuf>,
    /// Migrations applied after the restore (the backup was older than this program).
    pub migrated: Vec<i64>,
}

/// Puts a checked backup in place of the SQLite database at `url`. An existing database is only
/// replaced with `force`, never while it is open (a running server), and is kept beside it as
/// `<name>.before-restore-<time>`. The restored database is then migrated to this version.
pub async fn restore(url: &str, file: &Path, force: bool) -> Result<Restored> {
    if Backend::from_url(url)? != Backend::Sqlite {
        return Err(bad(
            "wcl restore is for SQLite; a PostgreSQL database is restored with pg_restore (see the README)".into(),
        ));
    }
    let target = PathBuf::from(crate::sqlite_path(url));
    if target.as_os_str().is_empty() || target == Path::new(":memory:") {
        return Err(bad("restore needs a database file (sqlite://path)".into()));
    }
    let check = check_file(file).await?;
    if let (Ok(a), Ok(b)) = (file.canonicalize(), target.canonicalize())
        && a == b
    {
        return Err(bad(format!(
            "{} is the database itself; name a backup file",
            file.display()
        )));
    }
    let mut kept = None;
    if target.exists() {
        if !force {
            return Err(bad(format!(
                "{} already exists and restoring would replace it; add --force to replace it (it is kept beside it as {}.before-restore-<time>)",
                target.display(),
                target.file_name().unwrap_or_default().to_string_lossy()
            )));
        }
        ensure_not_in_use(&target).await?;
        let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
        let aside = sibling(&target, &format!(".before-restore-{stamp}"));
        std::fs::rename(&target, &aside)
            .map_err(|e| bad(format!("cannot move {} aside: {e}", target.display())))?;
        for s in ["-wal", "-shm"] {
            let extra = sibling(&target, s);
            if extra.exists() {
                let _ = std::fs::rename(&extra, sibling(&aside, s));
            }
        }
        kept = Some(aside);
    } else if let Some(dir) = target.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| bad(format!("cannot create {}: {e}", dir.display())))?;
    }
    let tmp = sibling(&target, ".restoring");
    let io = |e: std::io::Error| bad(format!("cannot write {}: {e}", target.display()));
    std::fs::copy(file, &tmp).map_err(io)?;
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(io)?;
    std::fs::rename(&tmp, &target).map_err(io)?;
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    let store = Store::open(url).await?;
    store.close().await;
    let migrated = known_migrations(Backend::Sqlite)
        .into_iter()
        .filter(|v| !check.migrations.contains(v))
        .collect();
    Ok(Restored {
        target,
        check,
        kept,
        migrated,
    })
}

/// Refuses a database that another connection holds open: leaving WAL mode needs every other
/// connection gone, and leaves the file whole (the WAL folded in) for moving aside.
async fn ensure_not_in_use(target: &Path) -> Result<()> {
    sqlx::any::install_default_drivers();
    let in_use = |why: String| {
        bad(format!(
            "{} is in use (is wcl serve running on it?): stop it first, then restore ({why})",
            target.display()
        ))
    };
    let mut c = AnyConnection::connect(&format!("sqlite://{}", target.display()))
        .await
        .map_err(|e| in_use(e.to_string()))?;
    let mode = async {
        sqlx::query("PRAGMA busy_timeout = 0")
            .execute(&mut c)
            .await?;
        let r = sqlx::query("PRAGMA journal_mode = DELETE")
            .fetch_one(&mut c)
            .await?;
        r.try_get::<String, _>(0)
    }
    .await;
    let _ = c.close().await;
    match mode {
        Ok(m) if m.eq_ignore_ascii_case("delete") => Ok(()),
        Ok(m) => Err(in_use(format!("journal mode stays {m}"))),
        Err(e) => Err(in_use(e.to_string())),
    }
}
