//! SMS through a provider's HTTP API: a configurable URL, `Authorization` header and body
//! (JSON or XML). A long text is sent in parts of one SMS each (see `domain::messages`).
use base64::Engine;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// `{"to": "+996...", "text": "..."}`
    #[default]
    Json,
    /// `<message><to>+996...</to><text>...</text></message>`
    Xml,
}

impl Format {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "json" => Some(Self::Json),
            "xml" => Some(Self::Xml),
            _ => None,
        }
    }
}

pub struct Sms {
    http: reqwest::Client,
    url: String,
    auth: Option<String>,
    format: Format,
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

impl Sms {
    pub fn new(url: &str, auth: Option<&str>, format: Format) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap_or_default();
        let auth = auth.filter(|a| !a.is_empty()).map(|a| {
            if a.starts_with("Bearer ") || a.starts_with("Basic ") || !a.contains(':') {
                a.to_string()
            } else {
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(a)
                )
            }
        });
        Self {
            http,
            url: url.to_string(),
            auth,
            format,
        }
    }

    /// Sends `text` to `phone` in as many parts as it takes; answers how many.
    pub async fn send(&self, phone: &str, text: &str) -> anyhow::Result<usize> {
        let parts = domain::messages::split_sms(text);
        for part in &parts {
            let mut req = self.http.post(&self.url);
            if let Some(a) = &self.auth {
                req = req.header(reqwest::header::AUTHORIZATION, a);
            }
            req = match self.format {
                Format::Json => req.json(&serde_json::json!({"to": phone, "text": part})),
                Format::Xml => req
                    .header(reqwest::header::CONTENT_TYPE, "application/xml; charset=utf-8")
                    .body(format!(
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<message><to>{}</to><text>{}</text></message>",
                        xml_escape(phone),
                        xml_escape(part)
                    )),
            };
            let r = req
                .send()
                .await
                .map_err(|e| anyhow::anyhow!("sms: {}", e.without_url()))?;
            if !r.status().is_success() {
                anyhow::bail!("sms: the provider answered {}", r.status());
            }
        }
        Ok(parts.len())
    }
}
