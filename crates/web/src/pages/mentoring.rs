//! Mentoring pages: the lab's mentoring (mentors, matches, a proposal to accept or change), a
//! mentor's own page (her offer, her mentees), a match (sessions, notes, ratings), and a
//! resident's page (her mentor, her wish).
use super::forms::{Errors, respond};
use crate::ctx::{Ctx, Path, VerifiedBody, VerifiedForm, redirect_with_flash};
use crate::error::{AppError, AppResult};
use crate::services::labs::lab_by_slug;
use crate::services::mentoring::{self as svc, ProfileInput, Proposals, SessionInput, WishInput};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
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
    /// Why her own choice of mentor was not followed, in words.
    pub fn choice_text(&self, n: &svc::ChoiceNote) -> String {
        let key = format!("mentoring-choice-{}", n.reason);
        match &n.mentor_name {
            Some(name) => self.t1(&key, "name", name),
            None => self.t1(&key, "name", "—"),
        }
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
    let lab = lab_by_slug(&s.store, &slug).await?;
    let v = svc::lab_mentoring(&s.store, &c.actor, lab.id).await?;
    Ok(LabPage {
        mentors: v.mentors,
        matches: v.matches,
        waiting: v.waiting,
        months: v.months,
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
    /// The pair a refused acceptance is about: her id, and "resident — mentor".
    fault: Option<(uuid::Uuid, String)>,
}

impl ProposalsPage {
    /// The lab's proposal as it stands now, with `errors` from a refused acceptance of `pairs`.
    async fn new(
        c: Ctx,
        s: &AppState,
        lab: Lab,
        errors: Errors,
        pairs: &[(PersonId, UserId)],
    ) -> AppResult<Self> {
        let p = svc::propose(&s.store, &c.actor, lab.id).await?;
        let fault = errors
            .0
            .iter()
            .find_map(|(f, _)| f.strip_prefix("pair-")?.parse::<PersonId>().ok())
            .and_then(|person| {
                let mentor = pairs.iter().find(|(x, _)| *x == person)?.1;
                let her = p.waiting.iter().find(|w| w.person_id == person)?;
                let him = p.all_mentors.iter().find(|x| x.user_id == mentor)?;
                Some((person.0, format!("{} — {}", her.name, him.name)))
            });
        Ok(ProposalsPage {
            c,
            lab,
            p,
            errors,
            fault,
        })
    }

    /// "resident — mentor" of the pair a refusal is about.
    fn fault_names(&self) -> Option<&str> {
        self.fault.as_ref().map(|(_, n)| n.as_str())
    }

    /// The message beside a pair's fieldset, when the refusal was about her.
    fn fault_for(&self, person: &uuid::Uuid) -> Option<String> {
        let (id, _) = self.fault.as_ref().filter(|(id, _)| id == person)?;
        self.c.err(&self.errors, &format!("pair-{id}"))
    }
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
    let lab = lab_by_slug(&s.store, &slug).await?;
    ProposalsPage::new(c, &s, lab, Errors::default(), &[]).await
}

/// The pairs a proposal form keeps: `accept=<person>` for each, with `mentor-<person>=<mentor>`.
fn chosen_pairs(fields: &[(String, String)]) -> AppResult<Vec<(PersonId, UserId)>> {
    let bad = || AppError::BadRequest("err-bad-form");
    let mut pairs = vec![];
    for (k, v) in fields {
        if k == "accept" {
            let person: PersonId = v.parse().map_err(|_| bad())?;
            let key = format!("mentor-{person}");
            let mentor = fields
                .iter()
                .find(|(k, _)| *k == key)
                .and_then(|(_, v)| v.parse::<UserId>().ok())
                .ok_or_else(bad)?;
            pairs.push((person, mentor));
        }
    }
    Ok(pairs)
}

async fn accept(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    body: VerifiedBody,
) -> AppResult<Response> {
    let lab = lab_by_slug(&s.store, &slug).await?;
    c.require(Action::ManageMentoring(lab.id))?;
    let pairs = chosen_pairs(&body.parse::<Vec<(String, String)>>()?)?;
    let (status, errors) = match svc::accept(&s.store, &c.actor, lab.id, &pairs).await {
        Ok(ids) => {
            let flash = if ids.is_empty() {
                "flash-saved"
            } else {
                "flash-matches-saved"
            };
            return Ok(redirect_with_flash(
                &format!("/labs/{slug}/mentoring"),
                flash,
            ));
        }
        Err(AppError::Invalid(errs)) => (StatusCode::UNPROCESSABLE_ENTITY, Errors(errs)),
        Err(AppError::Conflict(k)) => (
            StatusCode::CONFLICT,
            Errors(vec![("pairs".into(), k.into())]),
        ),
        Err(e) => return Err(e),
    };
    Ok((
        status,
        ProposalsPage::new(c, &s, lab, errors, &pairs).await?,
    )
        .into_response())
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
    let (me, matches) = svc::mentor_home(&s.store, &c.actor).await?;
    Ok(MentorPage {
        f: f.unwrap_or_else(|| ProfileInput::from_mentor(&me)),
        matches,
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
    respond(
        svc::save_profile(&s.store, &c.actor, &f).await,
        |()| redirect_with_flash("/mentoring", "flash-saved"),
        async |errors| mentor_view(c, &s, Some(f), errors).await,
    )
    .await
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
    let v = svc::match_view(&s.store, &c.actor, id).await?;
    Ok(MatchPage {
        sessions: v.sessions,
        is_mentor: v.is_mentor,
        is_mentee: v.is_mentee,
        manage: v.manage,
        m: v.m,
        c,
        f,
        errors,
    })
}

async fn match_page(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<MatchId>,
) -> AppResult<MatchPage> {
    let f = SessionInput {
        held_on: domain::time::today().to_string(),
        minutes: "60".into(),
        ..Default::default()
    };
    match_view(c, &s, id, f, Errors::default()).await
}

async fn add_session(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<MatchId>,
    VerifiedForm(f): VerifiedForm<SessionInput>,
) -> AppResult<Response> {
    let m = svc::match_for(&s.store, &c.actor, id).await?;
    let to = format!("/matches/{}", m.id);
    respond(
        svc::add_session(&s.store, &c.actor, &m, &f).await,
        |_| redirect_with_flash(&to, "flash-saved"),
        async |errors| match_view(c, &s, m.id, f, errors).await,
    )
    .await
}

async fn end_match(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<MatchId>,
    VerifiedForm(_): VerifiedForm<Empty>,
) -> AppResult<Response> {
    let m = svc::match_for(&s.store, &c.actor, id).await?;
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
    Path(id): Path<MentoringSessionId>,
    VerifiedForm(f): VerifiedForm<RatingForm>,
) -> AppResult<Response> {
    let m = svc::rate(&s.store, &c.actor, id, &f.rating).await?;
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
    let v = svc::my_mentoring(&s.store, &c.actor).await?;
    let wish = v.wish;
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
        matches: v.matches,
        mentors: v.mentors,
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
    respond(
        svc::save_wish(&s.store, &c.actor, &f).await,
        |()| redirect_with_flash("/me/mentoring", "flash-saved"),
        async |errors| my_view(c, &s, Some(f), errors).await,
    )
    .await
}
