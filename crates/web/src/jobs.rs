//! The worker for jobs that are not messages: today, the certificates check queued for the end
//! of every training session (`store::training::CERTIFICATES_JOB`). It runs whether or not email
//! is configured; it claims only its own kinds, so it and the mailer never take each other's jobs.
use serde::Deserialize;
use std::time::Duration;
use store::Store;

#[derive(Deserialize)]
struct CertificatesJob {
    programme: String,
}

/// Runs what is due now; returns how many jobs were done.
pub async fn run_once(store: &Store) -> anyhow::Result<usize> {
    let jobs = {
        let mut c = store.conn().await?;
        store::jobs::claim_due(&mut c, store::training::CERTIFICATES_JOB, 50).await?
    };
    let mut done = 0;
    for job in jobs {
        let programme = serde_json::from_str::<CertificatesJob>(&job.payload)
            .ok()
            .and_then(|j| j.programme.parse::<domain::ProgrammeId>().ok());
        let result = match programme {
            Some(p) => crate::services::training::issue_certificates(store, p)
                .await
                .map_err(|e| e.to_string()),
            None => Err("unreadable job".to_string()),
        };
        let mut c = store.conn().await?;
        match result {
            Ok(issued) => {
                if issued > 0 {
                    tracing::info!(job = %job.id, issued, "certificates issued");
                }
                store::jobs::done(&mut c, job.id).await?;
                done += 1;
            }
            Err(e) => {
                tracing::warn!(job = %job.id, attempt = job.attempts + 1, "certificates check failed");
                store::jobs::failed(&mut c, &job, &e).await?;
            }
        }
    }
    Ok(done)
}

/// Certificates left unissued by an earlier version (which checked only when a sheet was saved
/// after the programme's end): every programme is checked once at start.
async fn catch_up(store: &Store) -> anyhow::Result<usize> {
    let ids = store::training::programme_ids(&mut *store.conn().await?).await?;
    let mut n = 0;
    for id in ids {
        n += crate::services::training::issue_certificates(store, id)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(n)
}

/// Runs the worker every `every` until the process ends.
pub fn spawn(store: Store, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        match catch_up(&store).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                issued = n,
                "certificates issued for programmes already over"
            ),
            Err(e) => tracing::warn!(error = %e, "certificates check at start failed"),
        }
        loop {
            // Jobs of a server that died mid-way come back once their lease runs out.
            if let Ok(mut c) = store.conn().await {
                let _ = store::jobs::requeue_stale(&mut c, store::training::CERTIFICATES_JOB).await;
            }
            if let Err(e) = run_once(&store).await {
                tracing::warn!(error = %e, "jobs round failed");
            }
            tokio::time::sleep(every).await;
        }
    })
}
