//! Mentoring pages: the lab's mentoring (mentors, matches, a proposal to accept or change), a
//! mentor's own page (her offer, her mentees), a match (sessions, notes, ratings), and a
//! resident's page (her mentor, her wish).
use super::Errors;
use super::labs::lab_or_404;
use crate::ctx::{Ctx, VerifiedBody, VerifiedForm, redirect_with_flash};
use crate::error::{AppError, AppResult};
use crate::services::mentoring::{self as svc, ProfileInput, Proposals, SessionInput, WishInput};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::{Action, MatchId, MentoringSessionId, PersonId, UserId};
use serde::Deserialize;
use store::labs::Lab;
use store::mentoring::{Match, Mentor, MentoringSession};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/labs/{slug}/mentoring", get(lab_mentoring))
        .route("/labs/{slug}/mentoring/proposals", post(proposals))
        .route("/labs/{slug}/mentoring/matches", post(accept))
        .route("/mentoring", get(mentor_page).post(save_profile))
        .route("/matches/{id}", get(match_page))
        .route("/matches/{id}/sessions", post(add_session))
        .route("/matches/{id}/end", post(end_match))
        .route("/mentoring-sessions/{id}/rating", post(rate))
        .route("/me/mentoring", get(my_mentoring).post(save_wish))
}

impl Ctx {
    pub fn is_mentor(&self) -> bool {
        self.actor.holds(domain::LabRole::Mentor)
    }
    /// "sewing, design" in the reader's language.
    pub fn skills_text(&self, codes: &[String]) -> String {
        codes
            .iter()
            .map(|c| self.tv("skill", c))
            .collect::<Vec<_>>()
            .join(", ")
    }
    pub fn langs_text(&self, codes: &[String]) -> String {
        codes
            .iter()
            .map(|c| self.tv("language", c))
            .collect::<Vec<_>>()
            .join(", ")
    }
    /// Why a pair: "sewing, design (+20) · shared language (+5) · same lab (+4) · her choice (+8)".
    pub fn why(&self, p: &svc::Proposal) -> String {
        let mut parts = vec![];
        if !p.shared_skills.is_empty() {
            parts.push(format!(
                "{} (+{})",
                self.skills_text(&p.shared_skills),
                p.skills_points
            ));
        }
        if p.shared_language {
            parts.push(format!(
                "{} (+{})",
                self.t("why-language"),
                p.language_points
            ));
        }
        parts.push(format!(
            "{} (+{})",
            self.t(&format!("why-place-{}", p.place)),
            p.place_points
        ));
        if p.preferred {
            parts.push(format!(
                "{} (+{})",
                self.t("why-preferred"),
                p.preference_points
            ));
        }
        parts.join(" · ")
    }
    /// The stored explanation of an accepted match, in words.
    pub fn why_stored(&self, explanation: &str) -> String {
        let mut parts = vec![];
        for item in explanation.split(';') {
            let f: Vec<&str> = item.split(':').collect();
            match f.as_slice() {
                ["skills", skills, points] if !skills.is_empty() => {
                    let codes: Vec<String> = skills.split('+').map(str::to_string).collect();
                    parts.push(format!("{} (+{points})", self.skills_text(&codes)));
                }
                ["language", points] if *points != "0" => {
                    parts.push(format!("{} (+{points})", self.t("why-language")))
                }
                ["place", place, points] => parts.push(format!(
                    "{} (+{points})",
                    self.t(&format!("why-place-{place}"))
                )),
                ["preference", points] if *points != "0" => {
                    parts.push(format!("{} (+{points})", self.t("why-preferred")))
                }
                ["changed"] => parts.push(self.t("why-changed")),
                _ => {}
            }
        }
        parts.join(" · ")
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "mentoring_lab.html")]
struct LabPage {
    c: Ctx,
    lab: Lab,
    mentors: Vec<Mentor>,
    matches: Vec<Match>,
    waiting: usize,
    months: Vec<(domain::LabId, String, i64, i64)>,
}

async fn lab_mentoring(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<LabPage> {
    let lab = lab_or_404(&s, &slug).await?;
    c.require(Action::ManageMentoring(lab.id))?;
    let mut conn = s.store.conn().await?;
    Ok(LabPage {
        mentors: store::mentoring::mentors_for(&mut conn, lab.id).await?,
        matches: store::mentoring::matches(&mut conn, Some(lab.id), None, None).await?,
        waiting: store::mentoring::waiting(&mut conn, lab.id).await?.len(),
        months: store::mentoring::monthly_counts(&mut conn, Some(lab.id)).await?,
        c,
        lab,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "mentoring_proposals.html")]
struct ProposalsPage {
    c: Ctx,
    lab: Lab,
    p: Proposals,
    errors: Errors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Empty {}

async fn proposals(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    VerifiedForm(_): VerifiedForm<Empty>,
) -> AppResult<ProposalsPage> {
    let lab = lab_or_404(&s, &slug).await?;
    c.require(Action::ManageMentoring(lab.id))?;
    let p = svc::propose(&s.store, &c.actor, lab.id).await?;
    Ok(ProposalsPage {
        c,
        lab,
        p,
        errors: Errors::default(),
    })
}

/// The proposal form posts `accept=<person>` for each pair kept and `mentor-<person>=<mentor>`.
async fn accept(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    body: VerifiedBody,
) -> AppResult<Response> {
    let lab = lab_or_404(&s, &slug).await?;
    c.require(Action::ManageMentoring(lab.id))?;
    let fields: Vec<(String, String)> = body.parse()?;
    let mut pairs: Vec<(PersonId, UserId)> = vec![];
    for (k, v) in &fields {
        if k == "accept" {
            let person: PersonId = v
                .parse()
                .map_err(|_| AppError::BadRequest("err-bad-form"))?;
            let key = format!("mentor-{person}");
            let mentor = fields
                .iter()
                .find(|(k, _)| *k == key)
                .and_then(|(_, v)| v.parse::<UserId>().ok())
                .ok_or(AppError::BadRequest("err-bad-form"))?;
            pairs.push((person, mentor));
        }
    }
    match svc::accept(&s.store, &c.actor, lab.id, &pairs).await {
        Ok(ids) => Ok(redirect_with_flash(
            &format!("/labs/{slug}/mentoring"),
            if ids.is_empty() {
                "flash-saved"
            } else {
                "flash-matches-saved"
            },
        )),
        Err(AppError::Invalid(errs)) => {
            let p = svc::propose(&s.store, &c.actor, lab.id).await?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                ProposalsPage {
                    c,
                    lab,
                    p,
                    errors: Errors(errs),
                },
            )
                .into_response())
        }
        Err(AppError::Conflict(k)) => {
            let p = svc::propose(&s.store, &c.actor, lab.id).await?;
            Ok((
                StatusCode::CONFLICT,
                ProposalsPage {
                    c,
                    lab,
                    p,
                    errors: Errors(vec![("pairs".into(), k.into())]),
                },
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "mentoring_mentor.html")]
struct MentorPage {
    c: Ctx,
    me: Mentor,
    f: ProfileInput,
    matches: Vec<Match>,
    errors: Errors,
}

async fn mentor_view(
    c: Ctx,
    s: &AppState,
    f: Option<ProfileInput>,
    errors: Errors,
) -> AppResult<MentorPage> {
    let user = c.require_user()?.id;
    if !c.actor.holds(domain::LabRole::Mentor) {
        return Err(AppError::NotFound);
    }
    let mut conn = s.store.conn().await?;
    let me = store::mentoring::mentor(&mut conn, user)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(MentorPage {
        f: f.unwrap_or_else(|| ProfileInput::from_mentor(&me)),
        matches: store::mentoring::matches(&mut conn, None, Some(user), None).await?,
        me,
        c,
        errors,
    })
}

async fn mentor_page(c: Ctx, State(s): State<AppState>) -> AppResult<MentorPage> {
    mentor_view(c, &s, None, Errors::default()).await
}

async fn save_profile(
    c: Ctx,
    State(s): State<AppState>,
    VerifiedForm(f): VerifiedForm<ProfileInput>,
) -> AppResult<Response> {
    c.require_user()?;
    match svc::save_profile(&s.store, &c.actor, &f).await {
        Ok(()) => Ok(redirect_with_flash("/mentoring", "flash-saved")),
        Err(AppError::Invalid(errs)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            mentor_view(c, &s, Some(f), Errors(errs)).await?,
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "mentoring_match.html")]
struct MatchPage {
    c: Ctx,
    m: Match,
    sessions: Vec<MentoringSession>,
    is_mentor: bool,
    is_mentee: bool,
    manage: bool,
    f: SessionInput,
    errors: Errors,
}

async fn match_view(
    c: Ctx,
    s: &AppState,
    id: MatchId,
    f: SessionInput,
    errors: Errors,
) -> AppResult<MatchPage> {
    let m = svc::match_for(&s.store, &c.actor, id).await?;
    let mut conn = s.store.conn().await?;
    Ok(MatchPage {
        sessions: store::mentoring::sessions(&mut conn, m.id).await?,
        is_mentor: svc::is_mentor_of(&c.actor, &m),
        is_mentee: c.actor.person_id == Some(m.person_id),
        manage: c.actor.allows(Action::ManageMentoring(m.lab_id)),
        m,
        c,
        f,
        errors,
    })
}

fn mid(s: &str) -> AppResult<MatchId> {
    s.parse().map_err(|_| AppError::NotFound)
}

async fn match_page(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<MatchPage> {
    c.require_user()?;
    let f = SessionInput {
        held_on: domain::time::today().to_string(),
        minutes: "60".into(),
        ..Default::default()
    };
    match_view(c, &s, mid(&id)?, f, Errors::default()).await
}

async fn add_session(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    VerifiedForm(f): VerifiedForm<SessionInput>,
) -> AppResult<Response> {
    c.require_user()?;
    let m = svc::match_for(&s.store, &c.actor, mid(&id)?).await?;
    match svc::add_session(&s.store, &c.actor, &m, &f).await {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/matches/{}", m.id),
            "flash-saved",
        )),
        Err(AppError::Invalid(errs)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            match_view(c, &s, m.id, f, Errors(errs)).await?,
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

async fn end_match(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    VerifiedForm(_): VerifiedForm<Empty>,
) -> AppResult<Response> {
    c.require_user()?;
    let m = svc::match_for(&s.store, &c.actor, mid(&id)?).await?;
    svc::end(&s.store, &c.actor, &m).await?;
    Ok(redirect_with_flash(
        &format!("/matches/{}", m.id),
        "flash-saved",
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RatingForm {
    rating: String,
}

async fn rate(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    VerifiedForm(f): VerifiedForm<RatingForm>,
) -> AppResult<Response> {
    c.require_user()?;
    let sid: MentoringSessionId = id.parse().map_err(|_| AppError::NotFound)?;
    let m = svc::rate(&s.store, &c.actor, sid, &f.rating).await?;
    Ok(redirect_with_flash(
        &format!("/matches/{m}"),
        "flash-thanks",
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "mentoring_me.html")]
struct MyPage {
    c: Ctx,
    matches: Vec<Match>,
    mentors: Vec<Mentor>,
    f: WishInput,
    errors: Errors,
}

async fn my_view(c: Ctx, s: &AppState, f: Option<WishInput>, errors: Errors) -> AppResult<MyPage> {
    c.require_user()?;
    let person = c.actor.person_id.ok_or(AppError::NotFound)?;
    let mut conn = s.store.conn().await?;
    let matches = store::mentoring::matches(&mut conn, None, None, Some(person)).await?;
    let lab = store::residency::of_person(&mut conn, person)
        .await?
        .into_iter()
        .map(|r| r.lab_id)
        .next();
    let mentors = match lab {
        Some(l) => store::mentoring::mentors_for(&mut conn, l).await?,
        None => vec![],
    };
    let wish = store::mentoring::wish(&mut conn, person)
        .await?
        .unwrap_or_default();
    let f = f.unwrap_or_else(|| WishInput {
        mentor: wish
            .preferred_mentor
            .map(|u| u.to_string())
            .unwrap_or_default(),
        remote_ok: if wish.remote_ok {
            "on".into()
        } else {
            String::new()
        },
        skills: wish.skills,
    });
    Ok(MyPage {
        c,
        matches,
        mentors,
        f,
        errors,
    })
}

async fn my_mentoring(c: Ctx, State(s): State<AppState>) -> AppResult<MyPage> {
    my_view(c, &s, None, Errors::default()).await
}

async fn save_wish(
    c: Ctx,
    State(s): State<AppState>,
    VerifiedForm(f): VerifiedForm<WishInput>,
) -> AppResult<Response> {
    c.require_user()?;
    match svc::save_wish(&s.store, &c.actor, &f).await {
        Ok(()) => Ok(redirect_with_flash("/me/mentoring", "flash-saved")),
        Err(AppError::Invalid(errs)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            my_view(c, &s, Some(f), Errors(errs)).await?,
        )
            .into_response()),
        Err(e) => Err(e),
    }
}
