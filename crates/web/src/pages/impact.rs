//! Impact pages: the public impact page of the network and of each lab (aggregates only, figures
//! behind fewer than five women withheld), the dashboard of coordinators and the network admin
//! (indicators for a cut, targets, charts drawn on the server), the positive-deviance list, a
//! woman's outcomes, and the exports of indicators.
use super::forms::{Errors, respond};
use crate::ctx::{Ctx, Path, VerifiedForm, redirect_with_flash};
use crate::error::AppResult;
use crate::services::impact::{
    self as svc, CutInput, DeviantView, Figures, OutcomeInput, PracticeInput, Scope,
    SharedPractice, Shown, TargetInput, TargetProgress,
};
use crate::services::labs::MANY_LABS;
use crate::state::AppState;
use analytics::indicators as ind;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Datelike;
use documents::charts;
use domain::impact::{INDICATORS, IndicatorGroup, OutcomeKind, Unit};
use domain::{OutcomeId, PersonId, TargetId, group_digits};
use serde::Deserialize;
use store::impact::{Outcome, Practice};
use store::labs::Lab;
use store::people::Person;
use store::residency::Cohort;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/impact", get(public_network))
        .route("/labs/{slug}/impact", get(public_lab))
        .route("/impact/dashboard", get(dashboard))
        .route("/impact/targets", post(add_target))
        .route("/impact/targets/{id}/delete", post(delete_target))
        .route("/impact/export.csv", get(export_csv))
        .route("/impact/export.xlsx", get(export_xlsx))
        .route("/labs/{slug}/positive-deviance", get(deviance))
        .route("/people/{id}/practice", get(practice).post(save_practice))
        .route("/practices", get(practices))
        .route("/people/{id}/outcomes", get(outcomes).post(add_outcome))
        .route("/outcomes/{id}/delete", post(delete_outcome))
        .route("/me/outcomes", get(my_outcomes).post(add_my_outcome))
}

impl Ctx {
    /// An indicator's figure as text in the reader's language: `1 234`, `15 000 сом`, `+0.45`,
    /// `<5` when withheld, `—` when there is nothing to compute from.
    pub fn figure(&self, unit: Unit, value: Option<i64>, suppressed: bool) -> String {
        if suppressed {
            return self.t("impact-suppressed");
        }
        let Some(v) = value else {
            return "—".into();
        };
        match unit {
            Unit::Money => format!("{} {}", group_digits(v / 100), self.t("som")),
            Unit::Points => {
                let sign = if v > 0 {
                    "+"
                } else if v < 0 {
                    "−"
                } else {
                    ""
                };
                format!("{sign}{}.{:02}", v.abs() / 100, v.abs() % 100)
            }
            Unit::Women | Unit::Things => group_digits(v),
        }
    }
    /// "12 / 200" for a target's progress.
    pub fn progress_text(&self, t: &TargetProgress) -> String {
        format!(
            "{} / {}",
            self.figure(t.ind.unit, t.reached, false),
            self.figure(t.ind.unit, Some(t.target.target), false)
        )
    }
    pub fn shown(&self, s: &Shown) -> String {
        self.figure(s.ind.unit, s.fig.value, s.suppressed)
    }
    /// Where the earnings behind a figure come from, in words ("from sales", "self-reported",
    /// "mixed: 3 from sales, 5 self-reported"); empty for other figures and withheld ones.
    pub fn source_note(&self, s: &Shown, exact: bool) -> String {
        let Some(src) = s.fig.source.filter(|_| !s.suppressed) else {
            return String::new();
        };
        match src.kind() {
            Some("mixed") => {
                let (sales, reported) = crate::services::impact::source_counts(&src, exact);
                let n =
                    |v: Option<i64>| v.map_or_else(|| self.t("impact-suppressed"), group_digits);
                self.lang.t_args(
                    "impact-source-mixed",
                    &[("sales", n(sales).into()), ("reported", n(reported).into())],
                )
            }
            Some(k) => self.t(&format!("impact-source-{k}")),
            None => String::new(),
        }
    }
    pub fn ind_name(&self, code: &str) -> String {
        self.tv("ind", code)
    }
    pub fn sdg_tags(&self, sdg: &[u8]) -> String {
        sdg.iter()
            .map(|n| format!("SDG {n}"))
            .collect::<Vec<_>>()
            .join(" · ")
    }
    /// "settlement=rural" → "rural" in words, joined.
    pub fn deviance_group(&self, group: &[String]) -> String {
        group
            .iter()
            .map(|g| match g.split_once('=') {
                Some((k, v)) => self.tv(&format!("pd-{k}"), v),
                None => g.clone(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
    /// The plain-words explanation of one positive deviant.
    pub fn deviance_text(&self, d: &DeviantView) -> String {
        let args: Vec<(&str, fluent_templates::fluent_bundle::FluentValue<'_>)> = vec![
            ("her", self.money_som(d.value).into()),
            ("median", self.money_som(d.group_median).into()),
            ("n", (d.group_size as i64).into()),
            ("times", ratio_text(d.value, d.group_median).into()),
        ];
        let key = if d.group_median > 0 && d.value >= 2 * d.group_median {
            "pd-explain-times"
        } else {
            "pd-explain"
        };
        self.lang.t_args(key, &args)
    }
    /// How far above women who started like her, in words instead of a robust z: "far more"
    /// (z of 5 or more), "much more" (3 to 5), "clearly more" (2 to 3).
    pub fn deviance_strength(&self, d: &DeviantView) -> String {
        let key = if d.z >= 5.0 {
            "pd-strength-far"
        } else if d.z >= 3.0 {
            "pd-strength-much"
        } else {
            "pd-strength-clear"
        };
        self.t(key)
    }
    fn money_som(&self, tyiyn: i64) -> String {
        let sign = if tyiyn < 0 { "−" } else { "+" };
        format!(
            "{sign}{} {}",
            group_digits(tyiyn.abs() / 100),
            self.t("som")
        )
    }
}

fn ratio_text(her: i64, median: i64) -> String {
    if median <= 0 {
        return String::new();
    }
    let r = her as f64 / median as f64;
    if r >= 10.0 {
        format!("{}", r.round() as i64)
    } else {
        format!("{:.1}", r)
    }
}

/// The charts of a view, drawn on the server as SVG.
struct Charts {
    targets: String,
    series: String,
    funnel: String,
    labs: String,
}

fn draw(c: &Ctx, fig: &Figures, public: bool, series_code: &'static str) -> Charts {
    let (scope, targets) = (&fig.scope, &fig.targets);
    let supp = c.t("impact-suppressed");
    let hide = |f: &ind::Figure| public && f.suppressed(domain::impact::SUPPRESS_BELOW);
    let bars: Vec<charts::Progress> = targets
        .iter()
        .map(|t| {
            // Withheld by the women behind it (a grant amount of one woman's grant too).
            let behind = &t.figure;
            charts::Progress {
                label: format!(
                    "{} · {}–{}",
                    c.ind_name(t.ind.code),
                    c.date(t.target.starts_on),
                    c.date(t.target.ends_on)
                ),
                value: if hide(behind) { None } else { t.reached },
                target: Some(t.target.target),
            }
        })
        .collect();
    let monthly = &fig.monthly;
    let series = charts::monthly_series(
        &c.ind_name(series_code),
        &[charts::Series {
            name: c.ind_name(series_code),
            points: monthly
                .iter()
                .map(|(m, f)| (month_label(m), if hide(f) { None } else { f.value }))
                .collect(),
        }],
        &supp,
    );
    let steps: Vec<(String, Option<i64>)> = fig
        .funnel
        .iter()
        .map(|(step, f)| (c.tv("funnel", step), if hide(f) { None } else { f.value }))
        .collect();
    let funnel = charts::funnel(&c.t("impact-funnel"), &steps, &supp);
    let labs = if scope.labs.len() > 1 {
        let cats = [
            "women-reached",
            "graduated",
            "events-held",
            "network-members",
        ];
        // Each lab's figures as its own page shows them (withheld cells protected across labs).
        let mut groups: Vec<(String, Vec<Option<i64>>)> = scope
            .labs
            .iter()
            .zip(&fig.by_lab)
            .map(|(l, shown)| {
                let value = |code: &str| {
                    shown
                        .iter()
                        .find(|s| s.ind.code == code)
                        .and_then(|s| s.value())
                };
                (c.lab_name(l), cats.iter().map(|k| value(k)).collect())
            })
            .collect();
        // A large network compares the labs that reached the most women (a withheld figure
        // counts as the least), in the order of the labs among equals.
        let title = if groups.len() > MANY_LABS {
            let n = groups.len();
            groups.sort_by_key(|g| std::cmp::Reverse(g.1[0].unwrap_or(-1)));
            groups.truncate(MANY_LABS);
            c.lang.t_args(
                "impact-labs-top",
                &[
                    ("shown", (MANY_LABS as i64).into()),
                    ("n", (n as i64).into()),
                ],
            )
        } else {
            c.t("impact-labs-compared")
        };
        charts::comparison(
            &title,
            &cats.iter().map(|k| c.ind_name(k)).collect::<Vec<_>>(),
            &groups,
            &supp,
        )
    } else {
        String::new()
    };
    Charts {
        targets: if bars.is_empty() {
            String::new()
        } else {
            charts::progress_bars(&c.t("impact-targets"), &bars, &supp)
        },
        series,
        funnel,
        labs,
    }
}

/// `2026-03` → `03.26`.
fn month_label(m: &str) -> String {
    match m.split_once('-') {
        Some((y, mm)) if y.len() == 4 => format!("{mm}.{}", &y[2..]),
        _ => m.to_string(),
    }
}

/// The indicators of a view in their groups, for the tables.
fn grouped(list: Vec<Shown>) -> Vec<(IndicatorGroup, Vec<Shown>)> {
    let mut out: Vec<(IndicatorGroup, Vec<Shown>)> = vec![];
    for s in list {
        match out.last_mut() {
            Some((g, v)) if *g == s.ind.group => v.push(s),
            _ => out.push((s.ind.group, vec![s])),
        }
    }
    out
}

#[derive(Template, WebTemplate)]
#[template(path = "impact_public.html")]
struct PublicPage {
    c: Ctx,
    lab: Option<Lab>,
    /// The labs' tabs (none in a large network, which links the list of labs instead).
    labs: Vec<Lab>,
    many: bool,
    scope: Scope,
    groups: Vec<(IndicatorGroup, Vec<Shown>)>,
    charts: Charts,
    /// Self-financing, occupancy and women using the space (issue 15).
    space: Vec<crate::services::space::PublicSpace>,
    /// What crowdfunding raised and paid for, the makers' sales.
    crowd: crate::services::crowdfunding::PublicCrowd,
}

async fn public_view(c: Ctx, s: &AppState, slug: Option<&str>) -> AppResult<PublicPage> {
    let (labs, fig) = svc::public_impact(&s.store, slug).await?;
    // Events held: never about women, so no month can give away a withheld figure.
    let charts = draw(&c, &fig, true, "events-held");
    let money = svc::public_money(&s.store, fig.scope.lab.as_ref(), &labs).await?;
    // A large network's tabs would name every lab: the list of labs by region does instead.
    let many = labs.len() > MANY_LABS;
    let labs = if many { vec![] } else { labs };
    Ok(PublicPage {
        many,
        space: money.space.clone(),
        crowd: money.crowd.clone(),
        c,
        lab: fig.scope.lab.clone(),
        labs,
        scope: fig.scope,
        groups: grouped(fig.shown),
        charts,
    })
}

async fn public_network(c: Ctx, State(s): State<AppState>) -> AppResult<PublicPage> {
    public_view(c, &s, None).await
}

async fn public_lab(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<PublicPage> {
    public_view(c, &s, Some(&slug)).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DashQuery {
    #[serde(flatten)]
    cut: CutInput,
    series: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "impact_dashboard.html")]
struct Dashboard {
    c: Ctx,
    q: CutInput,
    series: &'static str,
    labs: Vec<Lab>,
    regions: Vec<String>,
    cohorts: Vec<Cohort>,
    scope: Option<Scope>,
    groups: Vec<(IndicatorGroup, Vec<Shown>)>,
    targets: Vec<TargetProgress>,
    charts: Option<Charts>,
    may_set_targets: bool,
    t: TargetInput,
    errors: Errors,
    query: String,
    /// The network map, for the admin's view of the whole network.
    map: Option<crate::services::map::NetworkMap>,
}

impl Dashboard {
    fn series_codes(&self) -> Vec<&'static str> {
        INDICATORS
            .iter()
            .filter(|i| i.unit != Unit::Money && i.unit != Unit::Points)
            .map(|i| i.code)
            .collect()
    }
    fn indicator_codes(&self) -> Vec<&'static str> {
        INDICATORS.iter().map(|i| i.code).collect()
    }
}

async fn dashboard_view(
    c: Ctx,
    s: &AppState,
    q: DashQuery,
    t: TargetInput,
    mut errors: Errors,
) -> AppResult<Dashboard> {
    let series = svc::series_code(&q.series);
    let d = svc::dashboard(&s.store, &c.actor, q.cut, series).await?;
    errors.0.extend(d.errors);
    let charts = d.figures.as_ref().map(|f| draw(&c, f, false, series));
    let map = if c.actor.allows(domain::Action::ManageNetwork) {
        Some(crate::services::map::network_map(&s.store, c.lang, None).await?)
    } else {
        None
    };
    let (scope, groups, targets) = match d.figures {
        Some(f) => (Some(f.scope), grouped(f.shown), f.targets),
        None => (None, vec![], vec![]),
    };
    Ok(Dashboard {
        query: serde_urlencoded::to_string(&d.cut).unwrap_or_default(),
        q: d.cut,
        series,
        labs: d.labs,
        regions: d.regions,
        cohorts: d.cohorts,
        scope,
        groups,
        targets,
        charts,
        may_set_targets: d.may_set_targets,
        t,
        errors,
        map,
        c,
    })
}

async fn dashboard(
    c: Ctx,
    State(s): State<AppState>,
    Query(q): Query<DashQuery>,
) -> AppResult<Response> {
    // The target form starts with this calendar year.
    let year = domain::time::today().year();
    let t = TargetInput {
        starts_on: format!("{year}-01-01"),
        ends_on: format!("{year}-12-31"),
        ..TargetInput::default()
    };
    let d = dashboard_view(c, &s, q, t, Errors::default()).await?;
    let status = if d.errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, d).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TargetForm {
    lab: String,
    #[serde(flatten)]
    t: TargetInput,
}

async fn add_target(
    c: Ctx,
    State(s): State<AppState>,
    VerifiedForm(f): VerifiedForm<TargetForm>,
) -> AppResult<Response> {
    let to = format!("/impact/dashboard?lab={}", f.lab);
    respond(
        svc::set_target_at(&s.store, &c.actor, &f.lab, &f.t).await,
        |_| redirect_with_flash(&to, "flash-saved"),
        async |errors| {
            let q = DashQuery {
                cut: CutInput {
                    lab: f.lab,
                    ..CutInput::default()
                },
                series: String::new(),
            };
            dashboard_view(c, &s, q, f.t, errors).await
        },
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Empty {}

async fn delete_target(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<TargetId>,
    VerifiedForm(_): VerifiedForm<Empty>,
) -> AppResult<Response> {
    let slug = svc::remove_target(&s.store, &c.actor, id).await?;
    let to = format!("/impact/dashboard?lab={slug}");
    Ok(redirect_with_flash(&to, "flash-saved"))
}

async fn export_csv(c: Ctx, s: State<AppState>, q: Query<CutInput>) -> AppResult<Response> {
    export(c, s, q, "indicators.csv").await
}

async fn export_xlsx(c: Ctx, s: State<AppState>, q: Query<CutInput>) -> AppResult<Response> {
    export(c, s, q, "wcl-impact-report.xlsx").await
}

/// The dashboard's figures as a file (its staff only; audited by the service).
async fn export(
    c: Ctx,
    State(s): State<AppState>,
    Query(q): Query<CutInput>,
    name: &str,
) -> AppResult<Response> {
    let sheets = svc::indicator_sheets(&s.store, &c.actor, c.lang, &q, false).await?;
    crate::download::sheets(sheets, name)
}

#[derive(Template, WebTemplate)]
#[template(path = "impact_deviance.html")]
struct DeviancePage {
    c: Ctx,
    lab: Lab,
    /// Each woman with what the lab noted she does differently.
    list: Vec<(DeviantView, Option<Practice>)>,
}

async fn deviance(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<DeviancePage> {
    let (lab, list, mut notes) = svc::deviance_at(&s.store, &c.actor, &slug).await?;
    let list = list
        .into_iter()
        .map(|d| {
            let note = notes.remove(&PersonId(d.person_id));
            (d, note)
        })
        .collect();
    Ok(DeviancePage { c, lab, list })
}

#[derive(Template, WebTemplate)]
#[template(path = "impact_practice.html")]
struct PracticePage {
    c: Ctx,
    person: Person,
    lab: Lab,
    f: PracticeInput,
    errors: Errors,
}

impl PracticePage {
    fn choices(&self) -> &'static [&'static str] {
        &svc::TEACHABLE
    }
}

async fn practice_view(
    c: Ctx,
    s: &AppState,
    id: PersonId,
    typed: Option<PracticeInput>,
    errors: Errors,
) -> AppResult<PracticePage> {
    let (person, lab, note) = svc::practice_of(&s.store, &c.actor, id).await?;
    let f = typed.unwrap_or_else(|| note.as_ref().map(PracticeInput::from).unwrap_or_default());
    Ok(PracticePage {
        c,
        person,
        lab,
        f,
        errors,
    })
}

async fn practice(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<PersonId>,
) -> AppResult<PracticePage> {
    practice_view(c, &s, id, None, Errors::default()).await
}

async fn save_practice(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<PersonId>,
    VerifiedForm(f): VerifiedForm<PracticeInput>,
) -> AppResult<Response> {
    respond(
        svc::save_practice(&s.store, &c.actor, id, &f).await,
        |slug| redirect_with_flash(&format!("/labs/{slug}/positive-deviance"), "flash-saved"),
        async |errors| practice_view(c, &s, id, Some(f), errors).await,
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "impact_practices.html")]
struct PracticesPage {
    c: Ctx,
    list: Vec<SharedPractice>,
}

async fn practices(c: Ctx, State(s): State<AppState>) -> AppResult<PracticesPage> {
    let list = svc::network_practices(&s.store, &c.actor).await?;
    Ok(PracticesPage { c, list })
}

#[derive(Template, WebTemplate)]
#[template(path = "impact_outcomes.html")]
struct OutcomesPage {
    c: Ctx,
    person: Option<Person>,
    list: Vec<Outcome>,
    f: OutcomeInput,
    errors: Errors,
    may_record: bool,
}

impl OutcomesPage {
    fn kinds(&self) -> Vec<&'static str> {
        OutcomeKind::ALL.iter().map(|k| k.code()).collect()
    }
    fn action(&self) -> String {
        match &self.person {
            Some(p) => format!("/people/{}/outcomes", p.id),
            None => "/me/outcomes".into(),
        }
    }
}

/// Her outcomes page: a staff member's view of a woman (`id`), or her own (`None`).
async fn outcomes_view(
    c: Ctx,
    s: &AppState,
    id: Option<PersonId>,
    f: OutcomeInput,
    errors: Errors,
) -> AppResult<OutcomesPage> {
    let (person, list, may_record) = match id {
        Some(id) => {
            let (p, list, may) = svc::person_outcomes(&s.store, &c.actor, id).await?;
            (Some(p), list, may)
        }
        None => (None, svc::my_outcomes(&s.store, &c.actor).await?, true),
    };
    Ok(OutcomesPage {
        c,
        person,
        list,
        f,
        errors,
        may_record,
    })
}

async fn outcomes(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<PersonId>,
) -> AppResult<OutcomesPage> {
    outcomes_view(c, &s, Some(id), OutcomeInput::default(), Errors::default()).await
}

async fn add_outcome(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<PersonId>,
    VerifiedForm(f): VerifiedForm<OutcomeInput>,
) -> AppResult<Response> {
    let to = format!("/people/{id}/outcomes");
    respond(
        svc::record_outcome(&s.store, &c.actor, id, &f).await,
        |_| redirect_with_flash(&to, "flash-saved"),
        async |errors| outcomes_view(c, &s, Some(id), f, errors).await,
    )
    .await
}

async fn delete_outcome(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<OutcomeId>,
    VerifiedForm(_): VerifiedForm<Empty>,
) -> AppResult<Response> {
    let person = svc::remove_outcome(&s.store, &c.actor, id).await?;
    let to = format!("/people/{person}/outcomes");
    Ok(redirect_with_flash(&to, "flash-saved"))
}

async fn my_outcomes(c: Ctx, State(s): State<AppState>) -> AppResult<OutcomesPage> {
    outcomes_view(c, &s, None, OutcomeInput::default(), Errors::default()).await
}

async fn add_my_outcome(
    c: Ctx,
    State(s): State<AppState>,
    VerifiedForm(f): VerifiedForm<OutcomeInput>,
) -> AppResult<Response> {
    respond(
        svc::report_own_outcome(&s.store, &c.actor, &f).await,
        |_| redirect_with_flash("/me/outcomes", "flash-saved"),
        async |errors| outcomes_view(c, &s, None, f, errors).await,
    )
    .await
}
