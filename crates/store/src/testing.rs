//! Fresh databases for tests: a temporary SQLite file, or a new PostgreSQL database that is
//! dropped when the guard goes. PostgreSQL is found at `WCL_TEST_POSTGRES_URL` (default: the
//! local server, user postgres). When it cannot be reached, tests skip it, except under
//! `CI=true`, where that is a failure: CI must test both backends.
use crate::Store;

pub struct TestDb {
    pub store: Store,
    pub url: String,
    admin_url: Option<String>,
    db_name: Option<String>,
    _dir: Option<tempdir::Dir>,
}

mod tempdir {
    /// A temporary folder removed on drop (kept dependency-free for non-test builds).
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn unique() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

pub fn postgres_admin_url() -> String {
    std::env::var("WCL_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

impl TestDb {
    /// A migrated SQLite database in a fresh temporary folder.
    pub async fn sqlite() -> Self {
        Self::sqlite_in(&std::env::temp_dir()).await
    }

    /// A migrated SQLite database in a fresh folder under `parent` (a small file system, say).
    pub async fn sqlite_in(parent: &std::path::Path) -> Self {
        let dir = parent.join(format!("wcl-test-{}", unique()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let url = format!("sqlite://{}/wcl.db", dir.display());
        let store = Store::open(&url).await.expect("open sqlite");
        Self {
            store,
            url,
            admin_url: None,
            db_name: None,
            _dir: Some(tempdir::Dir(dir)),
        }
    }

    /// A migrated, empty PostgreSQL database, or `None` (outside CI) when no server answers.
    pub async fn postgres() -> Option<Self> {
        let db = Self::postgres_unmigrated().await?;
        db.store.migrate().await.expect("migrate postgres");
        Some(db)
    }

    pub async fn postgres_unmigrated() -> Option<Self> {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let admin_url = postgres_admin_url();
        let mut admin = match sqlx::AnyConnection::connect(&admin_url).await {
            Ok(c) => c,
            Err(e) => {
                if in_ci() {
                    panic!(
                        "PostgreSQL is required under CI=true but {admin_url} did not answer: {e}"
                    );
                }
                eprintln!("skipping the PostgreSQL half of this test: {e}");
                return None;
            }
        };
        let name = format!("wcl_test_{}", unique());
        crate::dynamic(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create test database");
        let _ = admin.close().await;
        let url = match admin_url.rsplit_once('/') {
            Some((base, _)) => format!("{base}/{name}"),
            None => panic!("WCL_TEST_POSTGRES_URL must name a database"),
        };
        let store = Store::connect(&url).await.expect("connect postgres");
        Some(Self {
            store,
            url,
            admin_url: Some(admin_url),
            db_name: Some(name),
            _dir: None,
        })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (Some(admin_url), Some(name)) = (self.admin_url.clone(), self.db_name.clone()) else {
            return;
        };
        // Drop runs inside the test's runtime; do the async clean-up on a thread of its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                use sqlx::Connection;
                if let Ok(mut c) = sqlx::AnyConnection::connect(&admin_url).await {
                    let _ = crate::dynamic(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut c)
                        .await;
                    let _ = c.close().await;
                }
            });
        })
        .join();
    }
}
