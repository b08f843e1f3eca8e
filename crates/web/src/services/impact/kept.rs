//! Figures kept while the records behind them stay as they are (issue 14). Reading every fact of
//! the network and computing the indicators takes seconds at a national network's size; the
//! records change far less often than the pages are read. Each computation is kept with the
//! version of the records it was computed at ([`store::impact::facts_version`], moved by a
//! trigger on every statement that changes them, on every server's writes alike), and a request
//! whose version is the kept one is answered from memory. So the figures are always exactly
//! those of the records as they are, and a write is seen by the next request.
//!
//! One computation runs at a time (a second request for the same figures waits for the first and
//! takes its result): the facts of one cut are in memory at once, not one copy per request. A
//! request that waits longer than [`WAIT`] answers 503 with Retry-After.
use super::{Scope, Shown, TargetProgress};
use crate::error::{AppError, AppResult};
use analytics::indicators::Figure;
use std::num::NonZeroUsize;
use std::sync::{Arc, LazyLock, Mutex};
use store::Store;

/// What a page or the API shows of one cut, computed from its facts.
#[derive(Debug)]
pub struct Computed {
    pub shown: Vec<Shown>,
    /// Each lab's figures when the cut covers several (aligned with `scope.labs`).
    pub by_lab: Vec<Vec<Shown>>,
    pub targets: Vec<TargetProgress>,
    /// The month-by-month series of one indicator.
    pub monthly: Vec<(String, Figure)>,
    /// From first contact to her own income.
    pub funnel: Vec<(&'static str, Figure)>,
}

/// Cuts kept: the network's and each lab's public page, dashboards of the labs in use.
const KEEP: usize = 256;
/// How long a request waits for the computation before it answers 503.
const WAIT: std::time::Duration = std::time::Duration::from_secs(20);

type Kept = (i64, Arc<Computed>);

static KEPT: LazyLock<Mutex<lru::LruCache<String, Kept>>> = LazyLock::new(|| {
    Mutex::new(lru::LruCache::new(
        NonZeroUsize::new(KEEP).unwrap_or(NonZeroUsize::MIN),
    ))
});
static COMPUTING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// What names a computation: the database, the view (public or exact), the labs and the period
/// of the cut, its cohort, the lab whose targets it shows, and the series drawn.
fn key(store: &Store, scope: &Scope, public: bool, series: &str) -> String {
    let labs: Vec<String> = scope.labs.iter().map(|l| l.id.to_string()).collect();
    format!(
        "{}|{public}|{}|{:?}|{:?}|{}|{}|{series}",
        store.url(),
        labs.join(","),
        scope.cohort,
        scope.lab.as_ref().map(|l| l.id),
        scope.from,
        scope.to,
    )
}

fn kept(key: &str, version: i64) -> Option<Arc<Computed>> {
    let mut kept = KEPT.lock().ok()?;
    match kept.get(key) {
        Some((v, c)) if *v == version => Some(c.clone()),
        _ => None,
    }
}

async fn version(store: &Store) -> AppResult<i64> {
    let mut c = store.conn().await?;
    Ok(store::impact::facts_version(&mut c).await?)
}

/// The figures of `scope`, computed by `compute` unless kept at the records' current version.
pub async fn figures<F, Fut>(
    store: &Store,
    scope: &Scope,
    public: bool,
    series: &str,
    compute: F,
) -> AppResult<Arc<Computed>>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = AppResult<Computed>>,
{
    let key = key(store, scope, public, series);
    if let Some(hit) = kept(&key, version(store).await?) {
        return Ok(hit);
    }
    let _turn = tokio::time::timeout(WAIT, COMPUTING.acquire())
        .await
        .map_err(|_| AppError::Unavailable)?
        .map_err(|_| AppError::Unavailable)?;
    // Read before the facts: a write that lands while they are read moves the version past this
    // one, and the next request computes again.
    let at = version(store).await?;
    if let Some(hit) = kept(&key, at) {
        return Ok(hit);
    }
    let computed = Arc::new(compute().await?);
    if let Ok(mut kept) = KEPT.lock() {
        kept.put(key, (at, computed.clone()));
    }
    Ok(computed)
}
