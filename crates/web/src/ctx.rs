//! Who is asking, in which language, and the guards every request passes: the per-request
//! context ([`Ctx`]), cross-site request protection, sign-in state, rate limits and the error
//! renderer.
use crate::error::{AppError, ErrorInfo};
use crate::i18n::Lang;
use crate::{AppState, pages};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use domain::Actor;
use governor::{DefaultKeyedRateLimiter, Quota};
use sha2::{Digest, Sha256};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use store::users::User;
use tower_sessions::Session;

pub const CSRF_COOKIE: &str = "wcl_csrf";
pub const LANG_COOKIE: &str = "wcl_lang";
pub const FLASH_COOKIE: &str = "wcl_flash";
pub const CSRF_FIELD: &str = "_csrf";

/// Decided once per request by [`guard`] and shared with handlers and the error renderer.
#[derive(Debug, Clone)]
pub struct RequestMeta {
    pub lang: Lang,
    pub csrf: String,
    pub csrf_is_new: bool,
    pub flash: Option<String>,
    pub path: String,
    pub secure: bool,
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name).then_some(v)
        })
}

pub fn random_token(bytes: usize) -> String {
    let buf: Vec<u8> = (0..bytes).map(|_| rand::random::<u8>()).collect();
    hex::encode(buf)
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

pub fn lang_of(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(Lang::parse)
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_default()
}

fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true; // old browsers and non-browser clients send none; the form token still guards
    };
    if origin == "null" {
        return false;
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    origin
        .split_once("://")
        .is_some_and(|(_, rest)| rest.trim_end_matches('/') == host)
}

/// The outermost guard of every request: language, CSRF cookie, Origin check on unsafe
/// methods, security headers, and the rendering of errors in the caller's language.
pub async fn guard(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let headers = req.headers();
    let lang = lang_of(headers);
    let (csrf, csrf_is_new) = match cookie(headers, CSRF_COOKIE) {
        Some(t) if t.len() == 64 && t.chars().all(|c| c.is_ascii_hexdigit()) => {
            (t.to_string(), false)
        }
        _ => (random_token(32), true),
    };
    let flash = cookie(headers, FLASH_COOKIE).map(str::to_string);
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let is_api = path.starts_with("/api/");
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let meta = RequestMeta {
        lang,
        csrf: csrf.clone(),
        csrf_is_new,
        flash: flash.clone(),
        path: path.clone(),
        secure: state.config.secure_cookies,
    };
    let method = req.method().clone();
    req.extensions_mut().insert(meta.clone());

    let mut resp = if unsafe_method && !is_api && !same_origin(req.headers()) {
        AppError::Csrf.into_response()
    } else {
        next.run(req).await
    };

    if let Some(info) = resp.extensions().get::<ErrorInfo>().cloned() {
        resp = if is_api {
            crate::api::error_body(&info, lang)
        } else if info.status == StatusCode::UNAUTHORIZED {
            let next_path = if method == Method::GET {
                path.as_str()
            } else {
                "/"
            };
            Redirect::to(&format!("/login?next={}", urlencode(next_path))).into_response()
        } else {
            pages::error_page(&info, &meta)
        };
    }

    let h = resp.headers_mut();
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    if csrf_is_new
        && !is_api
        && let Ok(v) = HeaderValue::from_str(&format!(
            "{CSRF_COOKIE}={csrf}; Path=/; HttpOnly; SameSite=Strict{secure}"
        ))
    {
        h.append(header::SET_COOKIE, v);
    }
    if flash.is_some() {
        let sets_flash = h
            .get_all(header::SET_COOKIE)
            .iter()
            .any(|v| v.to_str().is_ok_and(|s| s.starts_with(FLASH_COOKIE)));
        if !sets_flash {
            h.append(
                header::SET_COOKIE,
                HeaderValue::from_static("wcl_flash=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"),
            );
        }
    }
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    if !path.starts_with("/api/docs") {
        h.insert(
            "content-security-policy",
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'",
            ),
        );
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        // Shared computers in labs: pages are never kept by the browser or a proxy.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|x| x.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

/// A local path to return to after sign-in or a language switch; anything else becomes `/`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

/// A redirect after a successful form, with a one-time message shown on the next page.
pub fn redirect_with_flash(to: &str, key: &str) -> Response {
    let mut r = Redirect::to(to).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{FLASH_COOKIE}={key}; Path=/; Max-Age=60; HttpOnly; SameSite=Lax"
    )) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// The path as logs may hold it: private ticket tokens are cut out.
pub fn loggable_path(path: &str) -> String {
    for prefix in ["/tickets/", "/api/v1/registrations/"] {
        if let Some(rest) = path.strip_prefix(prefix) {
            let tail = rest.find('/').map(|i| &rest[i..]).unwrap_or("");
            return format!("{prefix}…{tail}");
        }
    }
    path.to_string()
}

/// The public address links are built on: `public_url` from the configuration, else `http://`
/// and the Host header (a laptop on a lab's network), else the loopback address.
pub fn base_url(config: &crate::WebConfig, headers: &axum::http::HeaderMap) -> String {
    if let Some(u) = &config.public_url {
        return u.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("127.0.0.1:8080");
    format!("http://{host}")
}

/// The request context every handler takes: language, who is asking, the CSRF token.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub actor: Actor,
    pub user: Option<User>,
    pub csrf: String,
    pub path: String,
    pub flash: Option<String>,
    pub session: Option<Session>,
    pub ip: Option<IpAddr>,
    /// `https://wcl.example.kg`: the configured public address, else the one she reached us at.
    /// Links that leave the page (emails, badges, calendar entries) start with it.
    pub base: String,
}

impl Ctx {
    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    /// The signed-in account, or a sign-in redirect (pages) / 401 (API).
    pub fn require_user(&self) -> Result<&User, AppError> {
        self.user.as_ref().ok_or(AppError::SignIn)
    }

    /// Refuses with 404 unless the policy allows `action`; anonymous callers are sent to sign in.
    pub fn require(&self, action: domain::Action) -> Result<(), AppError> {
        self.require_user()?;
        if self.actor.allows(action) {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    pub fn user_id(&self) -> Option<domain::UserId> {
        self.user.as_ref().map(|u| u.id)
    }
}

/// Ties a session to the password it was opened with: changing the password ends other sessions.
pub fn auth_hash(user: &User) -> String {
    sha256_hex(&format!("{}:{}", user.id, user.password_hash))[..32].to_string()
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let meta = parts
            .extensions
            .get::<RequestMeta>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("guard middleware missing")))?;
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let mut ctx = Ctx {
            lang: meta.lang,
            actor: Actor::anonymous(),
            user: None,
            csrf: meta.csrf,
            path: meta.path,
            flash: meta.flash,
            session: None,
            ip,
            base: base_url(&state.config, &parts.headers),
        };
        if let Some(auth) = parts.headers.get(header::AUTHORIZATION) {
            let mut c = state.store.conn().await?;
            let token = auth
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .ok_or(AppError::SignIn)?;
            let user = store::users::user_by_token(&mut c, &sha256_hex(token.trim()))
                .await?
                .ok_or(AppError::SignIn)?;
            ctx.actor = store::users::actor(&mut c, &user).await?;
            ctx.user = Some(user);
            return Ok(ctx);
        }

        if let Ok(session) = Session::from_request_parts(parts, state).await {
            // The session store takes a connection of its own to load the session: holding one
            // here meanwhile would let a burst of requests exhaust the pool and wait on itself.
            let uid: Option<String> = session.get("uid").await.ok().flatten();
            let hash: Option<String> = session.get("auth").await.ok().flatten();
            if let (Some(uid), Some(hash)) = (uid, hash) {
                let mut c = state.store.conn().await?;
                let user = match uid.parse() {
                    Ok(id) => store::users::by_id(&mut c, id).await?,
                    Err(_) => None,
                };
                match user {
                    Some(u) if u.active && auth_hash(&u) == hash => {
                        ctx.actor = store::users::actor(&mut c, &u).await?;
                        ctx.user = Some(u);
                    }
                    _ => {
                        let _ = session.flush().await;
                    }
                }
            }
            ctx.session = Some(session);
        }
        Ok(ctx)
    }
}

/// A form body that passed the CSRF check: its `_csrf` field equals the caller's cookie token.
/// Repeated fields (check boxes) become lists.
pub struct VerifiedForm<T>(pub T);

/// The raw body of a verified form, for forms read as several parts (`serde(flatten)` cannot
/// carry repeated fields).
pub struct VerifiedBody(pub axum::body::Bytes);

impl VerifiedBody {
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, AppError> {
        serde_html_form::from_bytes(&self.0).map_err(|_| AppError::BadRequest("err-bad-form"))
    }
}

impl FromRequest<AppState> for VerifiedBody {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let meta = req
            .extensions()
            .get::<RequestMeta>()
            .cloned()
            .ok_or(AppError::Csrf)?;
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| AppError::BadRequest("err-bad-form"))?;
        let pairs: Vec<(String, String)> = serde_html_form::from_bytes(&bytes)
            .map_err(|_| AppError::BadRequest("err-bad-form"))?;
        let token_ok = !meta.csrf_is_new
            && pairs.iter().any(|(k, v)| {
                k == CSRF_FIELD && constant_time_eq(v.as_bytes(), meta.csrf.as_bytes())
            });
        if !token_ok {
            return Err(AppError::Csrf);
        }
        Ok(VerifiedBody(bytes))
    }
}

impl<T: serde::de::DeserializeOwned> FromRequest<AppState> for VerifiedForm<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let body = VerifiedBody::from_request(req, state).await?;
        Ok(VerifiedForm(body.parse()?))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

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

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    use argon2::password_hash::PasswordHasher;
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    use argon2::password_hash::{PasswordVerifier, phc::PasswordHash};
    PasswordHash::new(hash).is_ok_and(|h| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash of nothing anybody knows, checked when the login does not exist so that the answer
/// takes as long as for a real account.
pub fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash_password(&random_token(16)).unwrap_or_default())
}

/// Checks a login and password (off the async threads: argon2 is slow on purpose).
pub async fn authenticate(
    state: &AppState,
    login: &str,
    password: &str,
    ip: Option<IpAddr>,
) -> Result<User, AppError> {
    state.limits.sign_in_attempt(login, ip)?;
    let mut c = state.store.conn().await?;
    let user = store::users::by_login(&mut c, login).await?;
    drop(c);
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| dummy_hash().to_string());
    let pw = password.to_string();
    let ok = tokio::task::spawn_blocking(move || verify_password(&pw, &hash))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    match user {
        Some(u) if ok && u.active => Ok(u),
        _ => Err(AppError::BadRequest("err-login-failed")),
    }
}
