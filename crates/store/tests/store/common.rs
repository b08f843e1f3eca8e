//! What the store's test modules share.

/// One test per name on each backend, `mod sqlite` and `mod postgres`, each calling
/// `super::name(store)` with a fresh migrated database; PostgreSQL is skipped when no server
/// answers (outside CI). `workers = n;` first sets the runtime's threads (default 2).
macro_rules! on_both_backends {
    (workers = $n:tt; $($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = $n)]
            async fn $name() {
                let db = store::testing::TestDb::sqlite().await;
                super::$name(db.store.clone()).await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = $n)]
            async fn $name() {
                let Some(db) = store::testing::TestDb::postgres().await else { return };
                super::$name(db.store.clone()).await;
                db.store.close().await;
            })*
        }
    };
    ($($name:ident),* $(,)?) => {
        on_both_backends!(workers = 2; $($name),*);
    };
}
