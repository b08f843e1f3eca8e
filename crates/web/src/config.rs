//! How this server is set up: addresses, limits, keys and the message channels' settings, read
//! once at start. The bottom of the crate beside `error` and `i18n`: it uses nothing above it.
use crate::sealed;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (behind HTTPS). Off for a laptop on plain http://127.0.0.1.
    pub secure_cookies: bool,
    /// Sign-in attempts allowed per minute for one account and for one address.
    pub sign_in_per_login_per_minute: u32,
    pub sign_in_per_ip_per_minute: u32,
    /// Public event sign-ups allowed per minute from one address (a lab's shared wifi counts once).
    pub sign_ups_per_ip_per_minute: u32,
    /// Minutes without activity after which a browser session ends (shared computers).
    pub session_idle_minutes: i64,
    /// The address people reach this server at (`https://wcl.example.kg`), for links in emails,
    /// badges and calendars. Unset, the Host of each request is used.
    pub public_url: Option<String>,
    /// `smtp://user:pass@host:587?tls=required`, `smtps://...`, or `smtp://host:25` (plain, for a
    /// relay on the same machine). Unset, messages wait in the jobs table until it is set.
    pub smtp_url: Option<String>,
    /// The From address of messages.
    pub mail_from: String,
    /// How often the mailer looks for due messages.
    pub mail_every_seconds: u64,
    /// The keys that seal support-case notes (the first seals, all open). Unset, the support
    /// pages say so and store nothing. Never stored in the database.
    pub case_keys: Option<Arc<sealed::Keyring>>,
    /// Seconds a browser may stay away from case pages before they ask to sign in again.
    pub case_idle_seconds: i64,
    /// Reverse proxies whose `X-Forwarded-For` names the client. From anyone else the header is
    /// ignored (it could be typed by anybody), and the connection's address counts.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Days an invitation link stays valid.
    pub invitation_days: i64,
    /// Days after which declined applications and event registrations never linked to a person
    /// are erased by the retention task (`retention_days`, `WCL_RETENTION_DAYS`).
    pub retention_days: i64,
    /// The Telegram bot's token (`telegram_bot_token`). Unset, Telegram is off.
    pub telegram_bot_token: Option<String>,
    /// The Bot API's base URL (`telegram_api_url`): the public one, or a local server in tests.
    pub telegram_api_url: String,
    /// How updates arrive: by webhook (`POST /telegram/webhook`) or by long polling.
    pub telegram_mode: crate::telegram::Mode,
    /// The SMS provider's HTTP endpoint (`sms_url`). Unset, SMS is off.
    pub sms_url: Option<String>,
    /// What goes in its `Authorization` header (`sms_auth`): `user:password` (sent as Basic) or a
    /// whole header value (`Bearer ...`).
    pub sms_auth: Option<String>,
    /// The body the provider reads (`sms_format`): JSON or XML.
    pub sms_format: crate::sms::Format,
    /// What one SMS segment costs, in tyiyn (shown before a group message is sent).
    pub sms_segment_tyiyn: i64,
    /// How often the messenger looks for due messages; 0: this server sends none (another
    /// process does, or a test runs the messenger itself).
    pub message_every_seconds: u64,
    /// Group messages one lab may send per hour.
    pub group_messages_per_hour: i64,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            sign_in_per_login_per_minute: 5,
            sign_in_per_ip_per_minute: 30,
            sign_ups_per_ip_per_minute: 30,
            session_idle_minutes: 120,
            public_url: None,
            smtp_url: None,
            mail_from: "Women Creative Labs <noreply@wcl.local>".into(),
            mail_every_seconds: 30,
            case_keys: None,
            case_idle_seconds: 15 * 60,
            trusted_proxies: vec![],
            invitation_days: 7,
            retention_days: 730,
            telegram_bot_token: None,
            telegram_api_url: crate::telegram::DEFAULT_API_URL.into(),
            telegram_mode: crate::telegram::Mode::Webhook,
            sms_url: None,
            sms_auth: None,
            sms_format: crate::sms::Format::Json,
            sms_segment_tyiyn: 150,
            message_every_seconds: 15,
            group_messages_per_hour: 5,
        }
    }
}
