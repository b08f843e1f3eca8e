//! The outbox worker: message jobs (kind `message` in the jobs table) are claimed with a lease,
//! rendered in her language at send time, and tried over her channels in her order; each attempt
//! is recorded per channel (`messages`). When every channel fails the job goes back to the queue
//! with backoff (`store::jobs::failed`); two servers never send one job twice (the claim).
use crate::i18n::Lang;
use crate::services::messages::{self as svc, MessageJob};
pub use crate::transports::Transports;
use domain::messages::Channel;
use std::time::Duration;
use store::Store;

/// Where one message goes over one channel.
struct Attempt {
    channel: Channel,
    address: Option<String>,
}

/// Sends what is due now; returns how many messages were delivered.
pub async fn run_once(store: &Store, t: &Transports) -> anyhow::Result<usize> {
    let jobs = {
        let mut c = store.conn().await?;
        store::jobs::claim_due(&mut c, store::messages::JOB_KIND, 50).await?
    };
    let mut sent = 0;
    for job in jobs {
        let msg: MessageJob = match serde_json::from_str(&job.payload) {
            Ok(m) => m,
            Err(_) => {
                let mut c = store.conn().await?;
                store::jobs::failed(&mut c, &job, "unreadable job").await?;
                continue;
            }
        };
        let job_id = job.id.to_string();
        if msg.expires_at.is_some_and(|t| t < chrono::Utc::now()) {
            // Too late to be of use (the event is over, the link has expired): dropped unsent.
            let mut c = store.conn().await?;
            store::jobs::done(&mut c, job.id).await?;
            continue;
        }
        let plan = {
            let mut c = store.conn().await?;
            svc::plan(&mut c, &msg).await?
        };
        let Some(plan) = plan else {
            // Her record is gone (erased): nothing to send.
            let mut c = store.conn().await?;
            store::jobs::done(&mut c, job.id).await?;
            continue;
        };
        let attempts: Vec<Attempt> = plan
            .channels
            .iter()
            .map(|ch| Attempt {
                channel: *ch,
                address: match ch {
                    Channel::Telegram => plan.telegram_chat.clone(),
                    Channel::Sms => plan.phone.clone(),
                    Channel::Email => plan.email.clone(),
                },
            })
            .collect();
        if attempts.is_empty() {
            let mut c = store.conn().await?;
            record(&mut c, &job_id, &msg, &plan, "none", "unreached", "", 0, "").await?;
            store::jobs::done(&mut c, job.id).await?;
            continue;
        }
        let mut delivered = false;
        let mut last_error = String::new();
        for a in attempts {
            let (subject, body) = svc::render(plan.lang, &msg, &plan, a.channel, &t.public_url);
            let result = match (&a.address, a.channel) {
                (None, _) => Err(anyhow::anyhow!("no address")),
                (Some(_), ch) if !t.has(ch) => Err(anyhow::anyhow!("channel not configured")),
                (Some(chat), Channel::Telegram) => match &t.telegram {
                    Some(tg) => tg.send_message(chat, &body).await.map(|()| 0),
                    None => unreachable!(),
                },
                (Some(phone), Channel::Sms) => match &t.sms {
                    Some(s) => s.send(phone, &body).await,
                    None => unreachable!(),
                },
                (Some(to), Channel::Email) => match &t.mail {
                    Some(m) => m.send_text(to, &subject, &body).await.map(|()| 0),
                    None => unreachable!(),
                },
            };
            let mut c = store.conn().await?;
            match result {
                Ok(segments) => {
                    // A one-time link is not kept once sent.
                    let kept = if msg.args.contains_key("link") {
                        ""
                    } else {
                        body.as_str()
                    };
                    record(
                        &mut c,
                        &job_id,
                        &msg,
                        &plan,
                        a.channel.code(),
                        "sent",
                        kept,
                        segments as i64,
                        "",
                    )
                    .await?;
                    delivered = true;
                    break;
                }
                Err(e) => {
                    // The error may repeat an address: it is kept with the delivery row (staff
                    // of her lab), the log names the job only.
                    tracing::warn!(job = %job.id, channel = a.channel.code(), "message send failed");
                    last_error = format!("{}: {e}", a.channel.code());
                    record(
                        &mut c,
                        &job_id,
                        &msg,
                        &plan,
                        a.channel.code(),
                        "failed",
                        "",
                        0,
                        &e.to_string(),
                    )
                    .await?;
                }
            }
        }
        let mut c = store.conn().await?;
        if delivered {
            store::jobs::done(&mut c, job.id).await?;
            sent += 1;
        } else {
            store::jobs::failed(&mut c, &job, &last_error).await?;
        }
    }
    Ok(sent)
}

#[allow(clippy::too_many_arguments)]
async fn record(
    c: &mut store::AnyConn,
    job_id: &str,
    msg: &MessageJob,
    plan: &svc::Plan,
    channel: &str,
    status: &str,
    body: &str,
    segments: i64,
    error: &str,
) -> anyhow::Result<()> {
    // An address without a record (a registrant without an account): no history to keep.
    let Some(person_id) = plan.person else {
        return Ok(());
    };
    store::messages::record(
        c,
        &store::messages::NewDelivery {
            job_id,
            person_id,
            lab_id: msg.lab.as_deref().and_then(|l| l.parse().ok()),
            group_id: msg.group.as_deref(),
            template: &msg.template,
            channel,
            status,
            body,
            segments,
            error,
        },
    )
    .await?;
    Ok(())
}

/// Runs the messenger every `every` until the process ends.
pub fn spawn(
    store: Store,
    t: std::sync::Arc<Transports>,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut reminded: Option<std::time::Instant> = None;
        let mut scheduled: Option<std::time::Instant> = None;
        loop {
            // Cohort starts, sessions and bookings: looked at every hour, each reminder once.
            if scheduled.is_none_or(|t| t.elapsed() >= Duration::from_secs(3600)) {
                match svc::queue_reminders(&store, chrono::Utc::now()).await {
                    Ok(n) if n > 0 => tracing::info!(queued = n, "reminders queued"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "reminders failed"),
                }
                scheduled = Some(std::time::Instant::now());
            }
            // Surveys that have come due are announced once a day (each one once).
            if reminded.is_none_or(|t| t.elapsed() >= Duration::from_secs(24 * 3600)) {
                match svc::queue_survey_reminders(&store).await {
                    Ok(n) if n > 0 => tracing::info!(queued = n, "survey reminders queued"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "survey reminders failed"),
                }
                reminded = Some(std::time::Instant::now());
            }
            // Messages of a server that died mid-send come back once their lease runs out.
            if let Ok(mut c) = store.conn().await {
                let _ = store::jobs::requeue_stale(&mut c, store::messages::JOB_KIND).await;
            }
            if let Err(e) = run_once(&store, &t).await {
                tracing::warn!(error = %e, "messenger round failed");
            }
            tokio::time::sleep(every).await;
        }
    })
}

/// The language a message is written in (for the bot's answers too).
pub fn lang_of(code: Option<&str>) -> Lang {
    code.and_then(Lang::parse).unwrap_or(Lang::Ky)
}
