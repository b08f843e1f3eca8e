//! The package pages: a lab's package (download, import with a preview, the imports so far),
//! the network library (versions, what changed, which labs run which), and the new-lab wizard.
//! The preview carries the package on to the confirming form as a hidden field, so that no
//! script and no second upload are needed.
use super::forms::{Errors, respond};
use crate::ctx::{Ctx, Path, VerifiedForm, constant_time_eq, multipart_parts, redirect_with_flash};
use crate::error::{AppError, AppResult};
use crate::services::package::{self as svc, Library, Preview};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use store::labs::Lab;
use store::package::ImportRow;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/labs/{slug}/package", get(lab_page))
        .route("/labs/{slug}/package/import", post(upload))
        .route("/labs/{slug}/package/apply", post(apply))
        .route("/network/packages", get(library).post(publish))
        .route("/network/labs/new", get(wizard_form).post(wizard))
}

impl Ctx {
    pub fn part_name(&self, part: &str) -> String {
        self.t(&format!("package-part-{part}"))
    }
    pub fn step_name(&self, step: &str) -> String {
        self.t(&format!("package-step-{step}"))
    }
    pub fn change_name(&self, change: &str) -> String {
        self.t(&format!("package-change-{change}"))
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "package_lab.html")]
pub(crate) struct LabPage {
    c: Ctx,
    lab: Lab,
    imports: Vec<ImportRow>,
    preview: Option<Preview>,
    /// The package's JSON, carried to the confirming form.
    document: String,
    overwrite: bool,
    errors: Errors,
}

async fn page(
    c: Ctx,
    s: &AppState,
    slug: &str,
    preview: Option<(Preview, String)>,
    overwrite: bool,
    errors: Errors,
) -> AppResult<LabPage> {
    let lab = svc::lab_for(&s.store, &c.actor, slug).await?;
    let imports = svc::imports(&s.store, &lab).await?;
    let (preview, document) = match preview {
        Some((p, d)) => (Some(p), d),
        None => (None, String::new()),
    };
    Ok(LabPage {
        c,
        lab,
        imports,
        preview,
        document,
        overwrite,
        errors,
    })
}

async fn lab_page(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<LabPage> {
    c.require_user()?;
    page(c, &s, &slug, None, false, Errors::default()).await
}

/// The upload (multipart, its CSRF token in the `_csrf` part): the preview, nothing saved.
async fn upload(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    form: Multipart,
) -> AppResult<Response> {
    c.require_user()?;
    svc::lab_for(&s.store, &c.actor, &slug).await?;
    let (mut file, mut token, mut overwrite) = (vec![], String::new(), false);
    for (name, bytes) in multipart_parts(form).await? {
        match name.as_str() {
            "_csrf" => token = String::from_utf8_lossy(&bytes).to_string(),
            "file" => file = bytes.to_vec(),
            "overwrite" => overwrite = true,
            _ => {}
        }
    }
    if !constant_time_eq(token.as_bytes(), c.csrf.as_bytes()) {
        return Err(AppError::Csrf);
    }
    let document = String::from_utf8_lossy(&file).to_string();
    let result = svc::import(&s.store, &c.actor, &slug, &file, true, overwrite).await;
    match result {
        Ok(p) => Ok(page(
            c,
            &s,
            &slug,
            Some((p, document)),
            overwrite,
            Errors::default(),
        )
        .await?
        .into_response()),
        Err(AppError::Invalid(errs)) => Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            page(c, &s, &slug, None, overwrite, Errors(errs)).await?,
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ApplyInput {
    document: String,
    overwrite: String,
}

async fn apply(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    VerifiedForm(f): VerifiedForm<ApplyInput>,
) -> AppResult<Response> {
    c.require_user()?;
    let overwrite = !f.overwrite.is_empty();
    let to = format!("/labs/{slug}/package");
    respond(
        svc::import(
            &s.store,
            &c.actor,
            &slug,
            f.document.as_bytes(),
            false,
            overwrite,
        )
        .await,
        |_| redirect_with_flash(&to, "flash-package-imported"),
        async |errors| page(c, &s, &slug, None, overwrite, errors).await,
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "package_library.html")]
struct LibraryPage {
    c: Ctx,
    l: Library,
    f: PublishInput,
    errors: Errors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PublishInput {
    lab: String,
    version: String,
}

async fn library_page(
    c: Ctx,
    s: &AppState,
    f: PublishInput,
    errors: Errors,
) -> AppResult<LibraryPage> {
    c.require_user()?;
    let l = svc::library(&s.store, &c.actor).await?;
    Ok(LibraryPage { c, l, f, errors })
}

async fn library(c: Ctx, State(s): State<AppState>) -> AppResult<LibraryPage> {
    library_page(c, &s, PublishInput::default(), Errors::default()).await
}

async fn publish(
    c: Ctx,
    State(s): State<AppState>,
    VerifiedForm(f): VerifiedForm<PublishInput>,
) -> AppResult<Response> {
    c.require_user()?;
    let version = Some(f.version.trim()).filter(|v| !v.is_empty());
    let result = if f.lab.trim().is_empty() {
        Err(AppError::Invalid(vec![("lab".into(), "err-choice".into())]))
    } else {
        svc::publish(&s.store, &c.actor, f.lab.trim(), version).await
    };
    respond(
        result,
        |_| redirect_with_flash("/network/packages", "flash-package-published"),
        async |errors| library_page(c, &s, f, errors).await,
    )
    .await
}

pub use wizard::{wizard, wizard_form};

mod wizard {
    use super::*;
    use crate::services::package::{WizardInput, WizardOptions};

    #[derive(Template, WebTemplate)]
    #[template(path = "package_wizard.html")]
    pub(crate) struct WizardPage {
        c: Ctx,
        o: WizardOptions,
        f: WizardInput,
        errors: Errors,
    }

    async fn wizard_page(
        c: Ctx,
        s: &AppState,
        f: WizardInput,
        errors: Errors,
    ) -> AppResult<WizardPage> {
        c.require_user()?;
        let o = svc::wizard_options(&s.store, &c.actor).await?;
        Ok(WizardPage { c, o, f, errors })
    }

    pub async fn wizard_form(c: Ctx, State(s): State<AppState>) -> AppResult<WizardPage> {
        wizard_page(c, &s, WizardInput::blank(), Errors::default()).await
    }

    /// Opens the lab; the coordinator's one-time link is shown once to pass on (and e-mailed
    /// when her login is an address).
    pub async fn wizard(
        c: Ctx,
        State(s): State<AppState>,
        VerifiedForm(f): VerifiedForm<WizardInput>,
    ) -> AppResult<Response> {
        c.require_user()?;
        let result = svc::open_lab(&s, &c.actor, &c.base, c.lang, &f).await;
        let shown = c.clone();
        respond(
            result,
            move |(slug, issued)| {
                crate::pages::links::issued_page(shown, issued, format!("/labs/{slug}"))
            },
            async |errors| wizard_page(c, &s, f, errors).await,
        )
        .await
    }
}
