//! What every request shares: the store, the configuration, the rate limits and the message
//! channels. Below everything that names `AppState`: it knows nothing of pages, the API or
//! services.
pub use crate::config::WebConfig;
use crate::limits::Limits;
use crate::transports::Transports;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub store: store::Store,
    pub config: Arc<WebConfig>,
    pub limits: Arc<Limits>,
    /// The channels messages go out over (Telegram, SMS, email), made from the configuration.
    pub channels: Arc<Transports>,
}

impl AppState {
    pub fn new(store: store::Store, config: WebConfig) -> Self {
        let limits = Limits::new(
            config.sign_in_per_login_per_minute,
            config.sign_in_per_ip_per_minute,
            config.sign_ups_per_ip_per_minute,
        );
        let channels = Transports::from_config(&config);
        Self {
            store,
            config: Arc::new(config),
            limits: Arc::new(limits),
            channels: Arc::new(channels),
        }
    }
}
