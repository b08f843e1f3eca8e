//! The JSON API under `/api/v1`, with the same access rules as the pages, documented in the
//! OpenAPI document at `/api/openapi.json` and browsable at `/api/docs` (served from the binary).
//! Callers authenticate with `Authorization: Bearer <token>` from `POST /api/v1/auth/token`.
//! Errors are `{"error": key, "message": text in the caller's language, "fields": [...]}`.

mod accounts;
mod crowdfunding;
pub(crate) mod errors;
mod events;
mod grants;
mod impact;
mod labs;
mod mentoring;
mod messages;
pub mod package;
mod people;
mod rights;
mod showcase;
mod space;
mod support;
mod surveys;

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
pub use errors::{ErrorBody, FieldError, error_body};

use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;

use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

#[derive(OpenApi)]
#[openapi(
    info(title = "wcl API", description = "Women Creative Labs network: labs, organisations, people, residencies and cohorts."),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Tokens"),
        (name = "labs", description = "Labs, cohorts, partner organisations"),
        (name = "people", description = "People and residencies (staff of the person's lab)"),
        (name = "support", description = "Psychosocial support cases: case workers of the woman's lab only"),
        (name = "mentoring", description = "Optimal mentor proposals and matches (coordinators)"),
        (name = "events", description = "Open events: public listing and registration, waiting list, check-in"),
        (name = "impact", description = "Indicators (public figures withheld below 5 women), donors' report, positive deviance, outcomes"),
        (name = "grants", description = "Seed funding: calls with budget and awarded totals, ranking and proposal, donors' exports"),
        (name = "messages", description = "Messages over Telegram, SMS and email: a woman's history (staff of her lab), group messages of a lab"),
        (name = "space", description = "The lab's space and money: resources, availability, bookings, invoices, the self-financing ratio"),
        (name = "crowdfunding", description = "Campaigns, their public ledger, pledges without an account"),
        (name = "surveys", description = "Survey instruments (XLSForm import) and response exports: coordinators of the lab and the admin"),
        (name = "package", description = "A lab's package (programmes, surveys, grant templates, texts, targets): export, import with preview, the network library"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(create_token, revoke_current_token))
        .routes(routes!(me))
        .merge(accounts::router())
        .merge(labs::router())
        .merge(people::router())
        .merge(rights::router())
        .merge(events::router())
        .merge(mentoring::router())
        .merge(grants::router())
        .merge(support::router())
        .merge(impact::router())
        .merge(surveys::router())
        .merge(messages::router())
        .merge(package::router())
        .merge(space::router())
        .merge(crowdfunding::router())
        .merge(showcase::router())
}

/// The OpenAPI document (also snapshot-tested).
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = api_router().split_for_parts().1;
    describe_responses(&mut doc);
    text_rule_in_inputs(&mut doc);
    no_default_when_required(&mut doc);
    doc
}

/// Inputs shared with the HTML forms default every field to empty (a form may leave one out),
/// and their schemas inherit `default: ""`; where a field is required, that default is neither
/// true (leaving it out is refused) nor valid (`""` breaks its length or format), so it goes.
fn no_default_when_required(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::Schema;
    let Some(c) = doc.components.as_mut() else {
        return;
    };
    for s in c.schemas.values_mut() {
        let RefOr::T(Schema::Object(o)) = s else {
            continue;
        };
        for name in o.required.clone() {
            if let Some(RefOr::T(Schema::Object(p))) = o.properties.get_mut(&name) {
                p.default = None;
            }
        }
    }
}

/// The text rule (`domain::text`, applied to every request by `ctx::text_rule`) as a JSON Schema
/// pattern: no character it refuses, anywhere. Built from the rule itself, not a second list.
pub fn text_pattern() -> String {
    let push = |class: &mut String, c: char| {
        if (c as u32) < 0x10000 {
            class.push_str(&format!("\\u{:04X}", c as u32));
        } else {
            // Outside the BMP: the character itself (no escape both regex dialects read alike).
            class.push(c);
        }
    };
    let mut run: Option<(char, char)> = None;
    let mut runs = vec![];
    for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
        if domain::text::is_forbidden(c) {
            run = match run {
                Some((a, b)) if b as u32 + 1 == c as u32 => Some((a, c)),
                Some(r) => {
                    runs.push(r);
                    Some((c, c))
                }
                None => Some((c, c)),
            };
        }
    }
    runs.extend(run);
    let mut class = String::new();
    for (a, b) in runs {
        push(&mut class, a);
        if b != a {
            class.push('-');
            push(&mut class, b);
        }
    }
    format!("^[^{class}]*$")
}

/// Every free-text input (a string without an enum or a format, in a request body or a query
/// parameter) and every key of an input object gets [`text_pattern`]: what the document calls
/// valid, the text rule lets through.
fn text_rule_in_inputs(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::path::ParameterIn;
    let pattern = text_pattern();
    let mut inputs: Vec<String> = vec![];
    for op in operations(doc) {
        for p in op.parameters.iter_mut().flatten() {
            if let RefOr::T(p) = p
                && p.parameter_in == ParameterIn::Query
                && let Some(RefOr::T(s)) = p.schema.as_mut()
            {
                textual(s, &pattern, &mut inputs);
            }
        }
        if let Some(RefOr::T(body)) = op.request_body.as_mut() {
            for content in body.content.values_mut() {
                let RefOr::T(content) = content else { continue };
                match content.schema.as_mut() {
                    Some(RefOr::T(s)) => textual(s, &pattern, &mut inputs),
                    Some(RefOr::Ref(r)) => inputs.push(r.ref_location.clone()),
                    None => {}
                }
            }
        }
    }
    let mut done = std::collections::BTreeSet::new();
    while let Some(r) = inputs.pop() {
        let name = r.trim_start_matches("#/components/schemas/").to_string();
        if !done.insert(name.clone()) {
            continue;
        }
        if let Some(c) = doc.components.as_mut()
            && let Some(RefOr::T(s)) = c.schemas.get_mut(&name)
        {
            textual(s, &pattern, &mut inputs);
        }
    }
    if let Some(c) = doc.components.as_mut() {
        c.schemas
            .insert(EXTRA.to_string(), RefOr::T(extra_schema(&pattern)));
    }
}

/// The schema of a field a route does not read: any JSON value whose text (strings and keys,
/// at any depth) keeps the text rule, as `ctx::text_rule` checks the whole body.
const EXTRA: &str = "Extra";

fn extra_schema(pattern: &str) -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{
        AdditionalProperties, AnyOf, Array, Object, Schema, SchemaType, Type,
    };
    use utoipa::openapi::{Ref, RefOr};
    let again = || RefOr::Ref(Ref::from_schema_name(EXTRA));
    let text = || {
        Object::builder()
            .schema_type(Type::String)
            .pattern(Some(pattern))
            .build()
    };
    Schema::AnyOf(
        AnyOf::builder()
            .description(Some(
                "A field this route does not read: ignored, but its text (strings and keys, at any depth) must keep the text rule.",
            ))
            .item(text())
            .item(
                Object::builder().schema_type(SchemaType::Array(vec![
                    Type::Number,
                    Type::Boolean,
                    Type::Null,
                ])),
            )
            .item(Array::builder().items(again()))
            .item(
                Object::builder()
                    .schema_type(Type::Object)
                    .property_names(Some(text()))
                    .additional_properties(Some(AdditionalProperties::RefOr(again()))),
            )
            .build(),
    )
}

/// [`text_rule_in_inputs`] on one schema; the references it meets are queued.
fn textual(s: &mut utoipa::openapi::schema::Schema, pattern: &str, refs: &mut Vec<String>) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{
        AdditionalProperties, ArrayItems, Object, Schema, SchemaType, Type,
    };
    let walk = |r: &mut RefOr<Schema>, refs: &mut Vec<String>| match r {
        RefOr::T(s) => textual(s, pattern, refs),
        RefOr::Ref(r) => refs.push(r.ref_location.clone()),
    };
    match s {
        Schema::Object(o) => {
            let is = |t: Type| match &o.schema_type {
                SchemaType::Type(x) => *x == t,
                SchemaType::Array(xs) => xs.contains(&t),
                SchemaType::AnyValue => false,
            };
            if is(Type::String)
                && o.enum_values.is_none()
                && o.format.is_none()
                && o.pattern.is_none()
            {
                o.pattern = Some(pattern.to_string());
            }
            if is(Type::Object) {
                o.property_names = Some(Box::new(Schema::Object(
                    Object::builder()
                        .schema_type(Type::String)
                        .pattern(Some(pattern))
                        .build(),
                )));
                // Fields the route does not read are ignored, but their text is checked too:
                // the document allows them as any value that keeps the rule ([`EXTRA`]).
                if o.additional_properties.is_none() {
                    o.additional_properties = Some(Box::new(AdditionalProperties::RefOr(
                        RefOr::Ref(utoipa::openapi::Ref::from_schema_name(EXTRA)),
                    )));
                }
            }
            for p in o.properties.values_mut() {
                walk(p, refs);
            }
        }
        Schema::Array(a) => {
            if let ArrayItems::RefOrSchema(i) = &mut a.items {
                walk(i, refs);
            }
        }
        Schema::OneOf(x) => x.items.iter_mut().for_each(|i| walk(i, refs)),
        Schema::AllOf(x) => x.items.iter_mut().for_each(|i| walk(i, refs)),
        Schema::AnyOf(x) => x.items.iter_mut().for_each(|i| walk(i, refs)),
        _ => {}
    }
}

/// Every operation of the document, whatever its method.
fn operations(
    doc: &mut utoipa::openapi::OpenApi,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    doc.paths.paths.values_mut().flat_map(|item| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
    })
}

/// OpenAPI requires a description on every response: where a route declares none, the status's
/// own meaning is written.
fn describe_responses(doc: &mut utoipa::openapi::OpenApi) {
    for op in operations(doc) {
        framework_responses(op);
        for (code, r) in op.responses.responses.iter_mut() {
            if let utoipa::openapi::RefOr::T(r) = r
                && r.description.is_empty()
            {
                r.description = code
                    .parse::<u16>()
                    .ok()
                    .and_then(|c| StatusCode::from_u16(c).ok())
                    .and_then(|c| c.canonical_reason())
                    .unwrap_or("Response")
                    .to_string();
            }
        }
    }
}

/// The answers every route may give before its handler runs (see `errors::framework_error`), in
/// the API's JSON error: 401 for a bearer token that is not valid (any route reads one), 400 or
/// 422 for a query string that does not parse or holds refused characters, and for a route with
/// a body 400 (not readable), 413 (too large), 415 (another content type) and 422 (a field of
/// the wrong type).
fn framework_responses(op: &mut utoipa::openapi::path::Operation) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let error = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build(),
        )
    };
    let mut add = |code: &str, description: &str| {
        op.responses
            .responses
            .entry(code.to_string())
            .or_insert_with(|| error(description));
    };
    add(
        "401",
        "The bearer token is not valid (expired, revoked or mistyped)",
    );
    let has_query = op.parameters.as_ref().is_some_and(|ps| {
        ps.iter().any(|p| {
            matches!(p, RefOr::T(p) if p.parameter_in == utoipa::openapi::path::ParameterIn::Query)
        })
    });
    if has_query {
        add("400", "The query string could not be read");
        // The text rule (`ctx::text_rule`) refuses control characters in any parameter.
        add(
            "422",
            "A parameter holds characters or a value that is not accepted",
        );
    }
    if op.request_body.is_some() {
        add(
            "400",
            "The body could not be read (not JSON, a broken form)",
        );
        add("413", "The body is too large");
        add(
            "415",
            "The body is not sent in the content type this route takes",
        );
        add("422", "A field is missing or has the wrong type or value");
    }
}

pub fn router() -> Router<AppState> {
    let (router, mut doc) = api_router().split_for_parts();
    describe_responses(&mut doc);
    text_rule_in_inputs(&mut doc);
    let secured = std::sync::Arc::new(secured_writes(&doc));
    router
        .route_layer(axum::middleware::from_fn(move |req, next| {
            auth_first(secured.clone(), req, next)
        }))
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", doc))
}

/// The writes (method, path template) the document says need a bearer token.
pub fn secured_writes(
    doc: &utoipa::openapi::OpenApi,
) -> std::collections::HashSet<(String, String)> {
    let mut out = std::collections::HashSet::new();
    for (path, item) in &doc.paths.paths {
        let ops = [
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ];
        for (method, op) in ops {
            if let Some(op) = op
                && op.security.as_ref().is_some_and(|s| !s.is_empty())
            {
                out.insert((method.to_string(), path.clone()));
            }
        }
    }
    out
}

/// Authentication before the body: an anonymous write to a route that needs a token answers
/// 401 whatever its body (the JSON extractor would otherwise answer 422 first).
async fn auth_first(
    secured: std::sync::Arc<std::collections::HashSet<(String, String)>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|m| m.as_str().to_string());
    let needs_auth = route.is_some_and(|r| secured.contains(&(req.method().to_string(), r)));
    if needs_auth
        && !req
            .headers()
            .contains_key(axum::http::header::AUTHORIZATION)
    {
        let signed_in = match req.extensions().get::<tower_sessions::Session>() {
            Some(s) => s.get::<String>("uid").await.ok().flatten().is_some(),
            None => false,
        };
        if !signed_in {
            return AppError::SignIn.into_response();
        }
    }
    next.run(req).await
}

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    /// E-mail or phone.
    pub login: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <token>`. Shown once; only its hash is stored.
    pub token: String,
}

/// Exchange a login and password for an API token (rate limited per account and address).
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenRequest,
    responses((status = 201, body = TokenResponse), (status = 400, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn create_token(
    c: Ctx,
    State(s): State<AppState>,
    Json(req): Json<TokenRequest>,
) -> AppResult<(StatusCode, Json<TokenResponse>)> {
    let user = crate::services::accounts::authenticate(&s, &req.login, &req.password, c.ip).await?;
    let token = crate::services::issue_token(&s.store, &user).await?;
    Ok((StatusCode::CREATED, Json(TokenResponse { token })))
}

/// Revoke the token this request was made with.
#[utoipa::path(delete, path = "/api/v1/auth/token", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
async fn revoke_current_token(
    c: Ctx,
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
) -> AppResult<StatusCode> {
    c.require_user()?;
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(AppError::SignIn)?;
    crate::services::revoke_token(&s.store, &c.actor, token.trim()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct Grant {
    pub lab: String,
    /// coordinator, mentor, case-worker or reviewer
    pub role: String,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: uuid::Uuid,
    pub login: String,
    pub display_name: String,
    pub admin: bool,
    pub grants: Vec<Grant>,
    pub person_id: Option<uuid::Uuid>,
}

/// The account behind the token, with its roles per lab.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn me(c: Ctx, State(s): State<AppState>) -> AppResult<Json<Me>> {
    let u = c.require_user()?;
    let roles = crate::services::accounts::my_roles(&s.store, &c.actor).await?;
    Ok(Json(Me {
        id: u.id.0,
        login: u.login.clone(),
        display_name: u.display_name.clone(),
        admin: u.is_admin,
        grants: roles
            .into_iter()
            .map(|(lab, r)| Grant {
                lab: lab.slug,
                role: r.code().into(),
            })
            .collect(),
        person_id: u.person_id.map(|p| p.0),
    }))
}
