//! Who is asking, in which language, and the guards every request passes: the per-request
//! context ([`Ctx`]), cross-site request protection, sign-in state, rate limits and the error
//! renderer.
use crate::error::AppError;
use crate::i18n::Lang;
use crate::secrets::{auth_hash, random_token, sha256_hex};
use crate::state::{AppState, WebConfig};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use domain::Actor;
use std::net::{IpAddr, SocketAddr};
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

/// Refuses an unsafe method on a page whose Origin is another site (the form token guards too).
pub async fn origin_check(req: Request, next: Next) -> Response {
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method && !req.uri().path().starts_with("/api/") && !same_origin(req.headers()) {
        return AppError::Csrf.into_response();
    }
    next.run(req).await
}

/// The header a script sends the `wcl_csrf` cookie's token in, for API writes made with a
/// session cookie (bearer tokens need neither it nor an Origin).
pub const CSRF_HEADER: &str = "x-csrf-token";

fn api_write(parts: &Parts) -> bool {
    parts.uri.path().starts_with("/api/")
        && !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A cookie-authenticated API write passes with the CSRF token in [`CSRF_HEADER`] or with an
/// `Origin` header naming this site (a missing Origin is not enough here).
fn cookie_write_allowed(headers: &HeaderMap, csrf: &str) -> bool {
    let token_ok = headers
        .get(CSRF_HEADER)
        .is_some_and(|v| constant_time_eq(v.as_bytes(), csrf.as_bytes()));
    token_ok || (headers.contains_key(header::ORIGIN) && same_origin(headers))
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

/// The outermost guard of every request: decides the language, the CSRF cookie and the flash
/// message ([`RequestMeta`]), and sets the security and caching headers on every answer.
/// Errors are rendered by the layer inside it (`render_errors` in the crate root).
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
    let meta = RequestMeta {
        lang,
        csrf: csrf.clone(),
        csrf_is_new,
        flash: flash.clone(),
        path: path.clone(),
        secure: state.config.secure_cookies,
    };
    req.extensions_mut().insert(meta);

    let mut resp = next.run(req).await;

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
/// Only a same-site path passes: one leading slash, then no second slash, no backslash, no
/// control character or white space (browsers drop tabs and line breaks, so `/\t/evil.example`
/// would become `//evil.example`), no scheme; only printable ASCII (a `Location` header).
pub fn safe_next(next: Option<&str>) -> String {
    let ok = |n: &str| {
        let b = n.as_bytes();
        b.first() == Some(&b'/')
            && !matches!(b.get(1), Some(b'/' | b'\\'))
            && n.bytes().all(|c| c.is_ascii_graphic() && c != b'\\')
    };
    match next {
        Some(n) if ok(n) => n.to_string(),
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

/// The path as logs may hold it: private ticket tokens and one-time account links are cut out.
pub fn loggable_path(path: &str) -> String {
    for prefix in [
        "/tickets/",
        "/api/v1/registrations/",
        "/invite/",
        "/password/reset/",
    ] {
        if let Some(rest) = path.strip_prefix(prefix) {
            let tail = rest.find('/').map(|i| &rest[i..]).unwrap_or("");
            return format!("{prefix}…{tail}");
        }
    }
    path.to_string()
}

/// The public address links are built on: `public_url` from the configuration, else `http://`
/// and the Host header (a laptop on a lab's network), else the loopback address.
pub fn base_url(config: &WebConfig, headers: &axum::http::HeaderMap) -> String {
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

/// The client's address: the connection's, or, when the connection comes from a trusted proxy,
/// the nearest address in `X-Forwarded-For` that is not itself a trusted proxy.
pub fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    Some(
        forwarded
            .into_iter()
            .rev()
            .find(|a| !trusted.contains(a))
            .unwrap_or(peer),
    )
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
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let ip = client_ip(peer, &parts.headers, &state.config.trusted_proxies);
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
                        // A browser's cookie rides along on any site's request: an API write
                        // made with it needs the form token in a header or this site's Origin.
                        if api_write(parts) && !cookie_write_allowed(&parts.headers, &ctx.csrf) {
                            return Err(AppError::Csrf);
                        }
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

/// The one text rule ([`domain::text`]) on everything a request carries as text: the query
/// string, and form or JSON bodies (already bounded by the body limit outside this layer). A
/// value that breaks it answers 422 with the message in the caller's language and reaches no
/// handler, so nothing is saved. Multipart text parts are checked in [`multipart_parts`], file
/// names where the upload is stored.
pub async fn text_rule(req: Request, next: Next) -> Response {
    if let Some(q) = req.uri().query()
        && let Some(field) = bad_pair(q.as_bytes())
    {
        return bad_text(field).into_response();
    }
    let kind = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let form = kind.starts_with("application/x-www-form-urlencoded");
    let json = kind.starts_with("application/json") || kind.contains("+json");
    if !form && !json {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(_) => return axum::http::StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    };
    let bad = if form {
        bad_pair(&bytes)
    } else {
        serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| bad_json("", &v))
    };
    if let Some(field) = bad {
        return bad_text(field).into_response();
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

fn bad_text(field: String) -> AppError {
    AppError::Invalid(vec![(field, domain::text::BAD_TEXT.into())])
}

/// The first urlencoded pair whose name or value breaks the text rule.
fn bad_pair(raw: &[u8]) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(raw).ok()?;
    pairs
        .into_iter()
        .find(|(k, v)| domain::text::forbidden(k).is_some() || domain::text::forbidden(v).is_some())
        .map(|(k, _)| {
            k.chars()
                .filter(|c| !domain::text::is_forbidden(*c))
                .collect()
        })
}

/// The path of the first JSON string (or key) that breaks the text rule.
fn bad_json(at: &str, v: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match v {
        Value::String(s) => domain::text::forbidden(s).map(|_| at.to_string()),
        Value::Array(a) => a.iter().find_map(|x| bad_json(at, x)),
        Value::Object(o) => o.iter().find_map(|(k, x)| {
            if domain::text::forbidden(k).is_some() {
                return Some(at.to_string());
            }
            bad_json(k, x)
        }),
        _ => None,
    }
}

/// The parts of a multipart form (an upload) in order, by name; the caller checks `_csrf`.
pub async fn multipart_parts(
    mut form: axum::extract::Multipart,
) -> Result<Vec<(String, axum::body::Bytes)>, AppError> {
    let bad = |_| AppError::BadRequest("err-bad-form");
    let mut out = vec![];
    while let Some(field) = form.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_string();
        let is_file = field.file_name().is_some();
        let bytes = field.bytes().await.map_err(bad)?;
        if !is_file
            && let Ok(text) = std::str::from_utf8(&bytes)
            && domain::text::forbidden(text).is_some()
        {
            return Err(bad_text(name));
        }
        out.push((name, bytes));
    }
    Ok(out)
}

pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Path parameters, typed: `Path((slug, id)): Path<(String, PersonId)>`. A parameter that does
/// not parse (a malformed id) answers 404, like an id that does not exist, instead of axum's
/// 400 with its own text.
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| Path(v))
            .map_err(|_| AppError::NotFound)
    }
}

/// `?page=N` of a paginated list, from 0 (absent: the first page). Anything but a whole number
/// from 0 answers 422 with the message `err-page` in her language (the error page, or the API's
/// error under `/api/`), not axum's English text. Whether the page exists is the service's
/// question (`services::pager::Pager`), once it has counted the rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageNo(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for PageNo {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(parts.uri.query().unwrap_or("")).unwrap_or_default();
        match pairs.iter().find(|(k, _)| k == "page") {
            None => Ok(PageNo(0)),
            Some((_, v)) => v
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .map(PageNo)
                .ok_or_else(|| AppError::Invalid(vec![("page".into(), "err-page".into())])),
        }
    }
}
