//! Rate limits kept in memory per process: sign-in attempts per account and per address, and
//! public event sign-ups per address.
use crate::error::AppError;
use governor::{DefaultKeyedRateLimiter, Quota};
use std::net::IpAddr;
use std::num::NonZeroU32;

/// Sign-in attempts are limited per account and per address, so guessing a password is slow
/// and one address cannot try many accounts.
pub struct Limits {
    per_login: DefaultKeyedRateLimiter<String>,
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    /// Public sign-ups for events per address, so a script cannot take every seat.
    sign_ups: DefaultKeyedRateLimiter<IpAddr>,
}

impl Limits {
    pub fn new(per_login_per_minute: u32, per_ip_per_minute: u32, sign_ups_per_ip: u32) -> Self {
        let q = |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).expect("non-zero"));
        Self {
            per_login: DefaultKeyedRateLimiter::keyed(q(per_login_per_minute)),
            per_ip: DefaultKeyedRateLimiter::keyed(q(per_ip_per_minute)),
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

    /// Counts one attempt; `Err(TooMany)` once either budget is spent.
    pub fn sign_in_attempt(&self, login: &str, ip: Option<IpAddr>) -> Result<(), AppError> {
        let ip_ok = ip.is_none_or(|ip| self.per_ip.check_key(&ip).is_ok());
        let login_ok = self
            .per_login
            .check_key(&store::users::normalise_login(login))
            .is_ok();
        if ip_ok && login_ok {
            Ok(())
        } else {
            Err(AppError::TooMany)
        }
    }
}
