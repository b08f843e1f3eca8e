//! The channels this server can send messages over (Telegram, SMS, email), made once from the
//! configuration; the messenger and the services use them, they use nothing above the
//! transports themselves.
use crate::config::WebConfig;
use crate::mailer::Mailer;
use crate::sms::Sms;
use crate::telegram::Telegram;
use domain::messages::Channel;

/// The channels this server can send over, made once from the configuration.
pub struct Transports {
    pub telegram: Option<Telegram>,
    pub sms: Option<Sms>,
    pub mail: Option<Mailer>,
    /// The public address, for links in messages (her channels page).
    pub public_url: String,
}

impl Transports {
    pub fn from_config(config: &WebConfig) -> Self {
        let telegram = config
            .telegram_bot_token
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .map(|t| Telegram::new(&config.telegram_api_url, t.trim()));
        let sms = config
            .sms_url
            .as_deref()
            .filter(|u| !u.trim().is_empty())
            .map(|u| Sms::new(u.trim(), config.sms_auth.as_deref(), config.sms_format));
        // Links in emails must not follow whatever Host a visitor sent: email needs public_url.
        let mail = match (&config.smtp_url, &config.public_url) {
            (Some(url), Some(_)) => Mailer::new(url, &config.mail_from).ok(),
            _ => None,
        };
        Self {
            telegram,
            sms,
            mail,
            public_url: config
                .public_url
                .clone()
                .unwrap_or_default()
                .trim_end_matches('/')
                .to_string(),
        }
    }

    /// Some channel is configured: the messenger has something to do.
    pub fn any(&self) -> bool {
        self.telegram.is_some() || self.sms.is_some() || self.mail.is_some()
    }

    pub fn has(&self, ch: Channel) -> bool {
        match ch {
            Channel::Telegram => self.telegram.is_some(),
            Channel::Sms => self.sms.is_some(),
            Channel::Email => self.mail.is_some(),
        }
    }
}
