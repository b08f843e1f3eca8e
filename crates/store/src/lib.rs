//! Persistence of wcl over SQLite or PostgreSQL, chosen by the database URL.
//!
//! One implementation serves both backends through sqlx's `Any` driver, with SQL written in the
//! subset both understand (`$n` parameters, `RETURNING`, `ON CONFLICT`, partial indexes). Each
//! backend has its own migration tree because DDL differs (identity columns, trigger syntax); a
//! test compares the two migrated schemas. Access is not decided here: every query that lists or
//! reads people takes the caller's [`domain::LabScope`] and filters by it, so a record outside the
//! scope looks exactly like a missing one.
//!
//! Modules own one context each; functions take a connection (`&mut AnyConnection`) so that a
//! service can put several writes and the audit row in one transaction.

pub mod audit;
pub mod backup;
pub mod bulk;
pub mod copy;
pub mod crowdfunding;
pub mod events;
pub mod grants;
pub mod impact;
pub mod jobs;
pub mod labs;
pub mod mentoring;
pub mod messages;
pub mod package;
pub mod people;
pub mod residency;
pub mod rights;
pub mod sessions;
pub mod showcase;
pub mod space;
pub mod support;
pub mod surveys;
pub mod training;
pub mod users;
pub mod versions;

mod row;
pub use row::Float;
// Fresh test databases; only with the `testing` feature (tests enable it as a dev-dependency).
#[cfg(feature = "testing")]
pub mod testing;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Connection};
use std::str::FromStr;
use std::time::Duration;

pub use sqlx::Any;
pub use sqlx::Error as DbError;
pub type Tx = sqlx::Transaction<'static, Any>;
pub type AnyConn = sqlx::AnyConnection;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL: {0}")]
    BadUrl(String),
    /// A named uniqueness rule was broken (e.g. `labs.slug`); the web layer turns it into a form error.
    #[error("conflict on {0}")]
    Conflict(&'static str),
    #[error("not found")]
    NotFound,
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The database cannot serve now but may soon: no pooled connection came within the wait, it
    /// is locked too long, its disk is full or read-only. Answered 503 with Retry-After.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// `db copy` could not move one row: nothing was copied (the target is left empty).
    #[error("cannot copy row {id} of table {table}: {error}; nothing was copied")]
    CopyRow {
        table: String,
        id: String,
        error: String,
    },
    #[error(transparent)]
    Db(sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if is_unavailable(&e) {
            StoreError::Unavailable(e.to_string())
        } else {
            StoreError::Db(e)
        }
    }
}

/// Errors that pass by themselves: a full pool, a lock held too long, a full disk, a read-only
/// file system or database, a server shutting down or refusing connections.
pub fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Database(d) => {
            let code = d.code().map(|c| c.to_string()).unwrap_or_default();
            // SQLite primary result codes (extended codes keep them in the low byte):
            // BUSY 5, LOCKED 6, READONLY 8, IOERR 10, FULL 13, CANTOPEN 14.
            let sqlite = code
                .parse::<i64>()
                .is_ok_and(|n| matches!(n & 0xff, 5 | 6 | 8 | 10 | 13 | 14));
            // PostgreSQL: insufficient resources (53…), read-only transaction, lock not
            // available, the server shutting down or starting, a deadlock or serialization
            // failure (one of two transactions that waited on each other was undone: again
            // succeeds).
            let postgres = code.starts_with("53")
                || matches!(
                    code.as_str(),
                    "25006" | "55P03" | "57P01" | "57P02" | "57P03" | "40P01" | "40001"
                );
            sqlite || postgres
        }
        _ => false,
    }
}

/// How many connections the pool holds and how long a request may wait for one.
#[derive(Debug, Clone, Copy)]
pub struct PoolSettings {
    /// Default: 8 on SQLite (one writer at a time anyway), 16 on PostgreSQL.
    pub max_connections: Option<u32>,
    /// After this wait the request answers 503 with Retry-After instead of hanging.
    pub acquire_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_connections: None,
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Picks the backend from the URL's scheme. A bare path or an unknown scheme is refused:
    /// guessing would put a network's data somewhere nobody meant.
    pub fn from_url(url: &str) -> Result<Self> {
        let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or("");
        match scheme {
            "sqlite" => Ok(Self::Sqlite),
            "postgres" | "postgresql" => Ok(Self::Postgres),
            _ => Err(StoreError::BadUrl(format!(
                "{}: the database URL must start with sqlite:// (for example sqlite://./data/wcl.db) or postgres:// (for example postgres://user@host/wcl)",
                redact(url)
            ))),
        }
    }
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(_) => url.to_string(),
        Err(_) => "(unparseable URL)".to_string(),
    }
}

#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    url: String,
}

impl Store {
    /// Connects, creating the SQLite file and its folder when missing. Does not migrate.
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_with(url, PoolSettings::default()).await
    }

    /// [`Store::connect`] with the pool's size and wait.
    pub async fn connect_with(url: &str, pool: PoolSettings) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let mut url = url.to_string();
        if backend == Backend::Sqlite {
            let path = sqlite_path(&url);
            if path != ":memory:" {
                if let Some(dir) = std::path::Path::new(&path).parent()
                    && !dir.as_os_str().is_empty()
                {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        StoreError::BadUrl(format!("cannot create {}: {e}", dir.display()))
                    })?;
                }
                if !url.contains('?') {
                    url.push_str("?mode=rwc");
                }
            }
        }
        let options = AnyConnectOptions::from_str(&url)?
            .log_statements(tracing::log::LevelFilter::Trace)
            .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_secs(1));
        let is_sqlite = backend == Backend::Sqlite;
        let pool = AnyPoolOptions::new()
            .max_connections(
                pool.max_connections
                    .unwrap_or(if is_sqlite { 8 } else { 16 })
                    .max(1),
            )
            .acquire_timeout(pool.acquire_timeout)
            // A connection whose transaction could not be ended (a ROLLBACK that failed on a full
            // disk) never goes back into use: it would refuse every later transaction.
            .after_release(|conn, _| {
                Box::pin(async move {
                    use sqlx::Connection;
                    if !conn.is_in_transaction() {
                        return Ok(true);
                    }
                    // A dropped transaction's ROLLBACK may still be queued: let it run first.
                    let _ = sqlx::query("SELECT 1").execute(&mut *conn).await;
                    Ok(!conn.is_in_transaction())
                })
            })
            .before_acquire(|conn, _| {
                Box::pin(async move {
                    use sqlx::Connection;
                    Ok(!conn.is_in_transaction())
                })
            })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if is_sqlite {
                        sqlx::query("PRAGMA foreign_keys = ON")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA busy_timeout = 10000")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA journal_mode = WAL")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA synchronous = NORMAL")
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Self { pool, backend, url })
    }

    /// Connects and brings the schema up to date.
    pub async fn open(url: &str) -> Result<Self> {
        let store = Self::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    pub async fn migrate(&self) -> Result<()> {
        migrator(self.backend).run(&self.pool).await?;
        // Search keys follow the folding rules of this version (confusable letters, …).
        let mut c = self.conn().await?;
        people::refresh_search_keys(&mut c).await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The database's address, naming it among others (never logged: it may hold a password).
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`): a deferred
    /// transaction that reads and then writes fails at once with "database is locked" when another
    /// writer got there first, whereas an immediate one waits its turn (busy_timeout).
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    pub async fn conn(&self) -> Result<sqlx::pool::PoolConnection<Any>> {
        Ok(self.pool.acquire().await?)
    }

    /// Answers when the database does.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Answers when the database can write: one small row rewritten in a transaction (a full
    /// disk, a read-only file system or a stuck lock fail it).
    pub async fn write_probe(&self) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO health_probe (id, at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET at = $1",
        )
        .bind(now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A consistent online copy of a SQLite database (`VACUUM INTO`). PostgreSQL is backed up
    /// with its own tools; the error says how.
    pub async fn backup(&self, to: &std::path::Path) -> Result<()> {
        match self.backend {
            Backend::Sqlite => {
                if to.exists() {
                    return Err(StoreError::BadUrl(format!(
                        "{} already exists; choose a new file name",
                        to.display()
                    )));
                }
                let target = to.to_string_lossy().replace('\'', "''");
                crate::dynamic(format!("VACUUM INTO '{target}'"))
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }
            Backend::Postgres => Err(StoreError::BadUrl(format!(
                "PostgreSQL is backed up with its own tools: pg_dump --format=custom --file={} '{}' (restore with pg_restore)",
                to.display(),
                redact(&self.url)
            ))),
        }
    }

    /// A single connection outside the pool, for tools that need one.
    pub async fn connect_one(&self) -> Result<AnyConnection> {
        Ok(AnyConnection::connect(&self.url).await?)
    }
}

/// The migrations this program knows for a backend.
pub(crate) fn migrator(backend: Backend) -> sqlx::migrate::Migrator {
    match backend {
        Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
        Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
    }
}

pub(crate) fn sqlite_path(url: &str) -> String {
    let rest = url.trim_start_matches("sqlite:");
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    rest.split('?').next().unwrap_or("").to_string()
}

/// Turns a unique-constraint violation into [`StoreError::Conflict`] naming the rule.
pub(crate) fn on_conflict(e: sqlx::Error, name: &'static str) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(name),
        _ => e.into(),
    }
}

pub(crate) fn now() -> String {
    row::ts(chrono::Utc::now())
}

/// A query whose text was built at run time. Only column lists, placeholders and scope clauses
/// made in this crate are ever spliced in; every value is bound.
pub(crate) type AnyQuery = sqlx::query::Query<'static, Any, sqlx::any::AnyArguments>;

pub(crate) fn dynamic(sql: String) -> AnyQuery {
    sqlx::query(sqlx::AssertSqlSafe(sql))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_by_scheme() {
        assert_eq!(
            Backend::from_url("sqlite://./data/wcl.db").unwrap(),
            Backend::Sqlite
        );
        assert_eq!(
            Backend::from_url("sqlite::memory:").unwrap(),
            Backend::Sqlite
        );
        assert_eq!(
            Backend::from_url("postgres://u@h/db").unwrap(),
            Backend::Postgres
        );
        assert_eq!(
            Backend::from_url("postgresql://u@h/db").unwrap(),
            Backend::Postgres
        );
        for bad in ["./data/wcl.db", "/var/wcl.db", "mysql://x", ""] {
            let e = Backend::from_url(bad).unwrap_err().to_string();
            assert!(e.contains("sqlite://") && e.contains("postgres://"), "{e}");
        }
        assert!(
            !Backend::from_url("mysql://u:secret@h/db")
                .unwrap_err()
                .to_string()
                .contains("secret")
        );
    }

    #[test]
    fn sqlite_paths() {
        assert_eq!(sqlite_path("sqlite://./data/wcl.db"), "./data/wcl.db");
        assert_eq!(sqlite_path("sqlite:data/wcl.db?mode=rwc"), "data/wcl.db");
        assert_eq!(sqlite_path("sqlite:///tmp/x.db"), "/tmp/x.db");
    }
}
