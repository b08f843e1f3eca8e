//! Sends the queued email jobs over SMTP. Each job is claimed, sent, and marked done or failed
//! with backoff (see `store::jobs`); a message whose event is over is dropped unsent.
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Deserialize;
use std::time::Duration;
use store::Store;

#[derive(Deserialize)]
struct Mail {
    to: String,
    subject: String,
    body: String,
    expires_at: Option<String>,
}

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// `smtp://host:port` (plain), `smtp://user:pass@host:587?tls=required` (STARTTLS) or
    /// `smtps://host:465` (TLS).
    pub fn new(url: &str, from: &str) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("WCL_SMTP_URL: {e}"))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = from
            .parse()
            .map_err(|e| anyhow::anyhow!("mail_from {from:?}: {e}"))?;
        Ok(Self { transport, from })
    }

    /// Sends one plain-text message now (the messenger's email channel).
    pub async fn send_text(&self, to: &str, subject: &str, body: &str) -> anyhow::Result<()> {
        self.send(&Mail {
            to: to.to_string(),
            subject: subject.to_string(),
            body: body.to_string(),
            expires_at: None,
        })
        .await
    }

    async fn send(&self, m: &Mail) -> anyhow::Result<()> {
        let msg = Message::builder()
            .from(self.from.clone())
            .to(m.to.parse()?)
            .subject(m.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(m.body.clone())?;
        self.transport.send(msg).await?;
        Ok(())
    }

    /// Sends what is due now; returns how many were sent.
    pub async fn run_once(&self, store: &Store) -> anyhow::Result<usize> {
        let jobs = {
            let mut c = store.conn().await?;
            store::jobs::claim_due(&mut c, "email", 50).await?
        };
        let mut sent = 0;
        for job in jobs {
            let mut c = store.conn().await?;
            let mail: Mail = match serde_json::from_str(&job.payload) {
                Ok(m) if job.kind == "email" => m,
                _ => {
                    store::jobs::failed(&mut c, &job, "unreadable job").await?;
                    continue;
                }
            };
            let expired = mail
                .expires_at
                .as_deref()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .is_some_and(|t| t < chrono::Utc::now());
            if expired {
                store::jobs::done(&mut c, job.id).await?;
                continue;
            }
            match self.send(&mail).await {
                Ok(()) => {
                    store::jobs::done(&mut c, job.id).await?;
                    sent += 1;
                }
                Err(e) => {
                    // The address is personal data and SMTP replies often repeat it: the log names
                    // the job only; the reply is kept with the job for whoever fixes the setup.
                    tracing::warn!(job = %job.id, attempt = job.attempts + 1, "email send failed");
                    store::jobs::failed(&mut c, &job, &e.to_string()).await?;
                }
            }
        }
        Ok(sent)
    }
}

/// Runs the mailer every `every` until the process ends.
pub fn spawn(store: Store, mailer: Mailer, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            // Messages of a server that died mid-send come back once their lease runs out.
            if let Ok(mut c) = store.conn().await {
                let _ = store::jobs::requeue_stale(&mut c, "email").await;
            }
            if let Err(e) = mailer.run_once(&store).await {
                tracing::warn!(error = %e, "mailer round failed");
            }
            tokio::time::sleep(every).await;
        }
    })
}
