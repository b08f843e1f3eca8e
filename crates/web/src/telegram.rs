//! The Telegram Bot API, the little of it wcl uses: `sendMessage`, `getMe`, `getUpdates` (long
//! polling) and `setWebhook`. The base URL is configurable so that tests speak to a local server.
use serde::Deserialize;
use std::time::Duration;

pub const DEFAULT_API_URL: &str = "https://api.telegram.org";

/// How updates (her `/start` and `/stop`) reach wcl.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Telegram posts them to `POST /telegram/webhook` (needs a public address).
    #[default]
    Webhook,
    /// wcl asks for them (`getUpdates`): for a server without a public address.
    Polling,
}

impl Mode {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "webhook" => Some(Self::Webhook),
            "polling" => Some(Self::Polling),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Update {
    pub update_id: i64,
    #[serde(default)]
    pub message: Option<IncomingMessage>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct IncomingMessage {
    pub chat: Chat,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub from: Option<From>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Chat {
    pub id: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct From {
    #[serde(default)]
    pub language_code: Option<String>,
}

#[derive(Deserialize)]
struct Answer<T> {
    ok: bool,
    result: Option<T>,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
struct Me {
    username: String,
}

pub struct Telegram {
    http: reqwest::Client,
    base: String,
    token: String,
    username: std::sync::OnceLock<String>,
}

impl Telegram {
    pub fn new(base: &str, token: &str) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(40))
            .build()
            .unwrap_or_default();
        Self {
            http,
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
            username: std::sync::OnceLock::new(),
        }
    }

    fn url(&self, method: &str) -> String {
        format!("{}/bot{}/{method}", self.base, self.token)
    }

    /// The secret Telegram sends in `X-Telegram-Bot-Api-Secret-Token` with each webhook call:
    /// derived from the token, so there is nothing more to configure.
    pub fn webhook_secret(&self) -> String {
        crate::secrets::sha256_hex(&format!("wcl-telegram-webhook:{}", self.token))[..48]
            .to_string()
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        method: &str,
        body: serde_json::Value,
    ) -> anyhow::Result<T> {
        let r = self.http.post(self.url(method)).json(&body).send().await;
        // The token is in the URL: errors are told without it.
        let r = r.map_err(|e| anyhow::anyhow!("telegram {method}: {}", e.without_url()))?;
        let status = r.status();
        let a: Answer<T> = r
            .json()
            .await
            .map_err(|e| anyhow::anyhow!("telegram {method}: {status}: {}", e.without_url()))?;
        match (a.ok, a.result) {
            (true, Some(v)) => Ok(v),
            _ => Err(anyhow::anyhow!(
                "telegram {method}: {status} {}",
                a.description.unwrap_or_default()
            )),
        }
    }

    pub async fn send_message(&self, chat: &str, text: &str) -> anyhow::Result<()> {
        let _: serde_json::Value = self
            .call(
                "sendMessage",
                serde_json::json!({"chat_id": chat, "text": text, "disable_web_page_preview": true}),
            )
            .await?;
        Ok(())
    }

    /// The bot's name (for `https://t.me/<name>`), asked once.
    pub async fn username(&self) -> anyhow::Result<String> {
        if let Some(u) = self.username.get() {
            return Ok(u.clone());
        }
        let me: Me = self.call("getMe", serde_json::json!({})).await?;
        let _ = self.username.set(me.username.clone());
        Ok(me.username)
    }

    pub async fn get_updates(&self, offset: i64, timeout: u64) -> anyhow::Result<Vec<Update>> {
        self.call(
            "getUpdates",
            serde_json::json!({"offset": offset, "timeout": timeout, "allowed_updates": ["message"]}),
        )
        .await
    }

    pub async fn set_webhook(&self, url: &str) -> anyhow::Result<()> {
        let _: serde_json::Value = self
            .call(
                "setWebhook",
                serde_json::json!({"url": url, "secret_token": self.webhook_secret(), "allowed_updates": ["message"]}),
            )
            .await?;
        Ok(())
    }
}
