//! Figures kept while the records behind them stay as they are (issue 14). Reading every fact of
//! the network and computing the indicators, or every lab's space finances, takes seconds at a
//! national network's size; the records change far less often than the pages are read. Each
//! computation is kept with the version of the records it was computed at
//! ([`store::versions::token`]: moved by a trigger on every statement that changes them, on every
//! server's writes alike, and by what time changes alone), and a request at the kept version is
//! answered from memory. So the
//! figures are always exactly those of the records at one moment, and a write is seen by the next
//! request whose computation ends within [`FRESH`].
//!
//! A computation that takes longer (the whole history of a national network, tens of seconds)
//! does not hold up the pages: while it runs, requests are answered from the figures kept before
//! it (of the records a computation ago), and the next request after it ends has the new ones.
//! Only figures never computed yet are waited for.
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
/// How long a request waits for figures computed afresh before it takes those kept before.
const FRESH: std::time::Duration = std::time::Duration::from_secs(2);

type Entry = (String, Arc<dyn Any + Send + Sync>);

static KEPT: LazyLock<Mutex<lru::LruCache<String, Entry>>> = LazyLock::new(|| {
    Mutex::new(lru::LruCache::new(
        NonZeroUsize::new(KEEP).unwrap_or(NonZeroUsize::MIN),
    ))
});
static COMPUTING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);
/// The keys being computed: a request for one of them does not start a second computation.
static RUNNING: LazyLock<Mutex<std::collections::HashSet<String>>> =
    LazyLock::new(Default::default);

/// The kept result of `key`, and whether it is of `version`.
fn lookup<T: Send + Sync + 'static>(key: &str, version: &str) -> Option<(Arc<T>, bool)> {
    let mut kept = KEPT.lock().ok()?;
    let (v, c) = kept.get(key)?;
    Some((c.clone().downcast::<T>().ok()?, *v == version))
}

/// Takes `key` off [`RUNNING`] when its computation ends, however it ends.
struct Running(String);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(mut r) = RUNNING.lock() {
            r.remove(&self.0);
        }
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
    let before = match lookup::<T>(&key, &version(store, records).await?) {
        Some((hit, true)) => return Ok(hit),
        Some((stale, false)) => Some(stale),
        None => None,
    };
    let started = RUNNING
        .lock()
        .map(|mut r| r.insert(key.clone()))
        .unwrap_or(true);
    if !started && let Some(stale) = &before {
        return Ok(stale.clone());
    }
    let store = store.clone();
    let running = started.then(|| Running(key.clone()));
    let mut task = tokio::spawn(async move {
        let _running = running;
        let _turn = tokio::time::timeout(WAIT, COMPUTING.acquire())
            .await
            .map_err(|_| AppError::Unavailable)?
            .map_err(|_| AppError::Unavailable)?;
        // Read before the records: a write that lands while they are read moves the version past
        // this one, and the next request computes again.
        let at = version(&store, records).await?;
        if let Some((hit, true)) = lookup(&key, &at) {
            return Ok(hit);
        }
        let computed = Arc::new(compute().await?);
        if let Ok(mut kept) = KEPT.lock() {
            kept.put(key, (at, computed.clone() as Arc<dyn Any + Send + Sync>));
        }
        Ok(computed)
    });
    if let Some(stale) = before {
        match tokio::time::timeout(FRESH, &mut task).await {
            Ok(done) => return done.map_err(|_| AppError::Unavailable)?,
            // Still computing: the figures kept before, while it goes on on its own.
            Err(_) => return Ok(stale),
        }
    }
    task.await.map_err(|_| AppError::Unavailable)?
}
