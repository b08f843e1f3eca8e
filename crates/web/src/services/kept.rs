//! Figures kept while the records behind them stay as they are (issue 14). Reading every fact of
//! the network and computing the indicators, or every lab's space finances, takes seconds at a
//! national network's size; the records change far less often than the pages are read. Each
//! computation is kept with the version of the records it was computed at
//! ([`store::versions::token`]: moved by a trigger on every statement that changes them, on every
//! server's writes alike, and by what time changes alone), and a request at the kept version is
//! answered from memory. So the
//! figures are always exactly those of the records as they are, and a write is seen by the next
//! request.
//!
//! One computation runs at a time (a second request for the same figures waits for the first and
//! takes its result): one cut's facts are in memory at once, not one copy per request. A request
//! that waits longer than [`WAIT`] answers 503 with Retry-After.
use crate::error::{AppError, AppResult};
use std::any::Any;
use std::num::NonZeroUsize;
use std::sync::{Arc, LazyLock, Mutex};
use store::Store;
use store::versions::Records;

/// Computations kept: the network's and each lab's public page, the dashboards in use.
const KEEP: usize = 256;
/// How long a request waits for its turn to compute before it answers 503.
const WAIT: std::time::Duration = std::time::Duration::from_secs(20);

type Entry = (String, Arc<dyn Any + Send + Sync>);

static KEPT: LazyLock<Mutex<lru::LruCache<String, Entry>>> = LazyLock::new(|| {
    Mutex::new(lru::LruCache::new(
        NonZeroUsize::new(KEEP).unwrap_or(NonZeroUsize::MIN),
    ))
});
static COMPUTING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

fn lookup<T: Send + Sync + 'static>(key: &str, version: &str) -> Option<Arc<T>> {
    let mut kept = KEPT.lock().ok()?;
    match kept.get(key) {
        Some((v, c)) if *v == version => c.clone().downcast::<T>().ok(),
        _ => None,
    }
}

async fn version(store: &Store, records: Records) -> AppResult<String> {
    let mut c = store.conn().await?;
    Ok(store::versions::token(&mut c, records).await?)
}

/// What `compute` gives for `key` from `records`, computed again only once they have changed.
/// `key` names everything else the result depends on (the cut, the view, the labs).
///
/// The computation runs on its own task: a request that gives up (its time limit, a closed
/// connection) does not throw away a computation that took long, and the next request finds it.
pub async fn kept<T, F, Fut>(
    store: &Store,
    records: Records,
    key: &str,
    compute: F,
) -> AppResult<Arc<T>>
where
    T: Send + Sync + 'static,
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = AppResult<T>> + Send + 'static,
{
    // The database is part of the name: tests run many servers in one process.
    let key = format!("{}|{}|{key}", store.url(), records.name());
    if let Some(hit) = lookup(&key, &version(store, records).await?) {
        return Ok(hit);
    }
    let store = store.clone();
    let task = tokio::spawn(async move {
        let _turn = tokio::time::timeout(WAIT, COMPUTING.acquire())
            .await
            .map_err(|_| AppError::Unavailable)?
            .map_err(|_| AppError::Unavailable)?;
        // Read before the records: a write that lands while they are read moves the version past
        // this one, and the next request computes again.
        let at = version(&store, records).await?;
        if let Some(hit) = lookup(&key, &at) {
            return Ok(hit);
        }
        let computed = Arc::new(compute().await?);
        if let Ok(mut kept) = KEPT.lock() {
            kept.put(key, (at, computed.clone() as Arc<dyn Any + Send + Sync>));
        }
        Ok(computed)
    });
    task.await.map_err(|_| AppError::Unavailable)?
}
