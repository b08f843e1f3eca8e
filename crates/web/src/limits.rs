//! Rate limits kept in memory per process: failed sign-ins per account and per address, and
//! public event sign-ups per address. With several servers each keeps its own (README).
use crate::error::AppError;
use governor::{DefaultKeyedRateLimiter, Quota};
use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures of one kind per key in the last minute. Only failures count: a lab's shared laptop,
/// where women sign in and out all day, is never locked out by its own successful sign-ins.
struct Failures<K> {
    per_minute: usize,
    seen: Mutex<HashMap<K, Vec<Instant>>>,
}

impl<K: Hash + Eq + Clone> Failures<K> {
    const WINDOW: Duration = Duration::from_secs(60);

    fn new(per_minute: u32) -> Self {
        Self {
            per_minute: per_minute.max(1) as usize,
            seen: Mutex::new(HashMap::new()),
        }
    }

    fn blocked(&self, k: &K) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let Some(v) = seen.get_mut(k) else {
            return false;
        };
        v.retain(|t| t.elapsed() < Self::WINDOW);
        v.len() >= self.per_minute
    }

    fn record(&self, k: &K) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() > 50_000 {
            // Many keys (a scan of logins): forget those with nothing in the window.
            seen.retain(|_, v| {
                v.retain(|t| t.elapsed() < Self::WINDOW);
                !v.is_empty()
            });
        }
        seen.entry(k.clone()).or_default().push(Instant::now());
    }
}

/// Failed sign-ins are limited per account and per address, so guessing a password is slow
/// and one address cannot try many accounts.
pub struct Limits {
    per_login: Failures<String>,
    per_ip: Failures<IpAddr>,
    /// Public sign-ups for events per address, so a script cannot take every seat.
    sign_ups: DefaultKeyedRateLimiter<IpAddr>,
}

impl Limits {
    pub fn new(per_login_per_minute: u32, per_ip_per_minute: u32, sign_ups_per_ip: u32) -> Self {
        let q = |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).expect("non-zero"));
        Self {
            per_login: Failures::new(per_login_per_minute),
            per_ip: Failures::new(per_ip_per_minute),
            sign_ups: DefaultKeyedRateLimiter::keyed(q(sign_ups_per_ip)),
        }
    }

    /// Counts one public event sign-up from an address; `Err(TooMany)` past the budget.
    pub fn sign_up(&self, ip: Option<IpAddr>) -> Result<(), AppError> {
        match ip {
            Some(ip) if self.sign_ups.check_key(&ip).is_err() => Err(AppError::TooMany),
            _ => Ok(()),
        }
    }

    /// `Err(TooMany)` while the account or the address has spent its budget of failures.
    pub fn sign_in_allowed(&self, login: &str, ip: Option<IpAddr>) -> Result<(), AppError> {
        let login = store::users::normalise_login(login);
        if self.per_login.blocked(&login) || ip.is_some_and(|ip| self.per_ip.blocked(&ip)) {
            Err(AppError::TooMany)
        } else {
            Ok(())
        }
    }

    /// Counts one failed sign-in (or one request for a password link) against both budgets.
    pub fn sign_in_failed(&self, login: &str, ip: Option<IpAddr>) {
        self.per_login.record(&store::users::normalise_login(login));
        if let Some(ip) = ip {
            self.per_ip.record(&ip);
        }
    }
}
