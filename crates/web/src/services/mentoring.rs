//! Mentoring: mentors' profiles, optimal proposals (computed by `analytics::matching` from the
//! lab's waiting residents and the mentors who can take them), accepted matches, sessions and
//! ratings. A proposal is never stored; the coordinator accepts, changes or leaves each pair.
use super::base::{allow, commit, entry, limit, number, signed_in};
use crate::error::{AppError, AppResult};
use analytics::matching as m;
use domain::{
    Action, Actor, LabId, Language, MatchId, MentoringSessionId, PersonId, Skill, UserId,
};
use serde::{Deserialize, Serialize};
use store::mentoring::{Match, Mentor, Waiting};
use store::{Store, audit};

fn skill_mask(codes: &[String]) -> u64 {
    Skill::ALL
        .iter()
        .enumerate()
        .filter(|(_, s)| codes.iter().any(|c| c == s.code()))
        .fold(0, |acc, (i, _)| acc | (1u64 << i))
}

fn lang_mask(codes: &[String]) -> u8 {
    Language::ALL
        .iter()
        .enumerate()
        .filter(|(_, l)| codes.iter().any(|c| c == l.code()))
        .fold(0, |acc, (i, _)| acc | (1u8 << i.min(7)))
}

/// One proposed pair with why: the points each reason adds.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Proposal {
    pub person_id: uuid::Uuid,
    pub person_name: String,
    pub mentor_id: uuid::Uuid,
    pub mentor_name: String,
    pub score: i64,
    /// Skill codes she wants that the mentor offers.
    pub shared_skills: Vec<String>,
    pub skills_points: i64,
    pub shared_language: bool,
    pub language_points: i64,
    /// same-lab or remote
    pub place: String,
    pub place_points: i64,
    /// The resident asked for this mentor.
    pub preferred: bool,
    pub preference_points: i64,
}

impl Proposal {
    /// Stored with an accepted match: `skills:sewing+design:20;language:5;place:same-lab:4;preference:8`.
    pub fn explanation(&self) -> String {
        format!(
            "skills:{}:{};language:{};place:{}:{};preference:{}",
            self.shared_skills.join("+"),
            self.skills_points,
            self.language_points,
            self.place,
            self.place_points,
            self.preference_points
        )
    }
}

/// Everything a proposal page shows: the pairs, who stays waiting, and the mentors' room.
pub struct Proposals {
    pub pairs: Vec<Proposal>,
    pub unmatched: Vec<Waiting>,
    pub mentors: Vec<Mentor>,
    pub waiting: Vec<Waiting>,
    /// The greedy baseline's total, to show what optimisation adds.
    pub greedy_total: i64,
    pub total: i64,
    /// Why a resident's own choice of mentor was not followed, for each such resident.
    pub choices: Vec<ChoiceNote>,
    /// Every mentor who can take mentees of the lab, with room or not (names for messages).
    pub all_mentors: Vec<Mentor>,
}

/// A resident chose a mentor and the proposal does not pair them: why.
#[derive(Debug, Clone)]
pub struct ChoiceNote {
    pub person_id: PersonId,
    /// The mentor she chose, when she still mentors for this lab.
    pub mentor_name: Option<String>,
    /// `full` (no room left), `cannot-meet` (neither in her lab nor remote as she accepts),
    /// `gone` (no longer a mentor for this lab), `better-fit` (the best total for everyone
    /// pairs her chosen mentor otherwise).
    pub reason: &'static str,
}

impl Proposals {
    /// Why her choice was not followed, if she made one and it was not.
    pub fn choice_note(&self, person: &uuid::Uuid) -> Option<&ChoiceNote> {
        self.choices.iter().find(|n| n.person_id.0 == *person)
    }
}

/// Why each resident's chosen mentor is not the one proposed (nothing when it is).
fn choice_notes(lab: LabId, p: &Proposals) -> Vec<ChoiceNote> {
    let mut out = vec![];
    for w in &p.waiting {
        let Some(chosen) = w.wish.preferred_mentor else {
            continue;
        };
        let proposed = p.pairs.iter().find(|x| x.person_id == w.person_id.0);
        if proposed.is_some_and(|x| x.mentor_id == chosen.0) {
            continue;
        }
        let mentor = p.all_mentors.iter().find(|x| x.user_id == chosen);
        let reason = match mentor {
            None => "gone",
            Some(x) if x.free() <= 0 => "full",
            Some(x)
                if !((x.in_person && x.labs.contains(&lab)) || (x.remote && w.wish.remote_ok)) =>
            {
                "cannot-meet"
            }
            Some(_) => "better-fit",
        };
        out.push(ChoiceNote {
            person_id: w.person_id,
            mentor_name: mentor.map(|x| x.name.clone()),
            reason,
        });
    }
    out
}

/// Computes the best assignment of the lab's waiting residents to mentors with room.
pub async fn propose(store: &Store, actor: &Actor, lab: LabId) -> AppResult<Proposals> {
    allow(actor, Action::ManageMentoring(lab))?;
    let mut c = store.conn().await?;
    Ok(propose_in(&mut c, lab).await?)
}

/// The proposal for a lab from what is stored now (also used by the demo, in its transaction).
pub async fn propose_in(c: &mut store::AnyConn, lab: LabId) -> store::Result<Proposals> {
    let waiting = store::mentoring::waiting(c, lab).await?;
    let all_mentors = store::mentoring::mentors_for(c, lab).await?;
    let mentors: Vec<Mentor> = all_mentors
        .iter()
        .filter(|x| x.free() > 0)
        .cloned()
        .collect();
    let labs: Vec<LabId> = store::labs::list_labs(c)
        .await?
        .into_iter()
        .map(|l| l.id)
        .collect();
    let mut p = solve(lab, &labs, waiting, mentors);
    p.all_mentors = all_mentors;
    p.choices = choice_notes(lab, &p);
    Ok(p)
}

/// Maps residents and mentors to the matching problem (skills and languages as bit sets, labs
/// as indexes, her preferred mentor as an index) and solves it exactly.
pub fn solve(lab: LabId, labs: &[LabId], waiting: Vec<Waiting>, mentors: Vec<Mentor>) -> Proposals {
    let lab_index = |id: LabId| labs.iter().position(|l| *l == id).unwrap_or(0) as u32;
    let residents: Vec<m::Resident> = waiting
        .iter()
        .map(|w| m::Resident {
            skills_wanted: skill_mask(&w.skills),
            languages: lang_mask(&w.languages),
            lab: lab_index(lab),
            remote_ok: w.wish.remote_ok,
            preferred_mentor: w
                .wish
                .preferred_mentor
                .and_then(|p| mentors.iter().position(|x| x.user_id == p)),
        })
        .collect();
    let offers: Vec<m::Mentor> = mentors
        .iter()
        .map(|x| m::Mentor {
            expertise: skill_mask(&x.expertise),
            languages: lang_mask(&x.languages),
            labs: x.labs.iter().map(|l| lab_index(*l)).collect(),
            remote: x.remote,
            in_person: x.in_person,
            capacity: x.free() as u32,
        })
        .collect();
    let w = m::Weights::default();
    let pairs = m::propose(&residents, &offers, &w);
    let greedy_total = m::total(&m::greedy(&residents, &offers, &w));
    let total = m::total(&pairs);
    let proposals: Vec<Proposal> = pairs
        .iter()
        .map(|p| {
            let r = &waiting[p.resident];
            let x = &mentors[p.mentor];
            let b = p.score.breakdown(&w);
            Proposal {
                person_id: r.person_id.0,
                person_name: r.name.clone(),
                mentor_id: x.user_id.0,
                mentor_name: x.name.clone(),
                score: p.score.total,
                shared_skills: r
                    .skills
                    .iter()
                    .filter(|s| x.expertise.contains(s))
                    .cloned()
                    .collect(),
                skills_points: b.skills,
                shared_language: p.score.shared_language,
                language_points: b.language,
                place: match p.score.place {
                    m::Place::SameLab => "same-lab".into(),
                    m::Place::Remote => "remote".into(),
                },
                place_points: b.place,
                preferred: p.score.preferred,
                preference_points: b.preference,
            }
        })
        .collect();
    let unmatched = waiting
        .iter()
        .enumerate()
        .filter(|(i, _)| !pairs.iter().any(|p| p.resident == *i))
        .map(|(_, r)| r.clone())
        .collect();
    Proposals {
        pairs: proposals,
        unmatched,
        mentors,
        waiting,
        greedy_total,
        total,
        choices: vec![],
        all_mentors: vec![],
    }
}

/// Accepts pairs (as proposed or changed by the coordinator). Each pair must still be possible:
/// she is an active resident of the lab waiting for a mentor, and the mentor can take her and has
/// room. All pairs are saved together or none.
pub async fn accept(
    store: &Store,
    actor: &Actor,
    lab: LabId,
    pairs: &[(PersonId, UserId)],
) -> AppResult<Vec<MatchId>> {
    allow(actor, Action::ManageMentoring(lab))?;
    if pairs.is_empty() {
        return Err(AppError::Invalid(vec![(
            "pairs".into(),
            "err-mentoring-none-chosen".into(),
        )]));
    }
    // Scores of the current proposal explain the pairs kept as proposed; a changed pair gets
    // the score of its own fit.
    // One read, inside the transaction: the proposal's waiting residents and mentors with room
    // are what the pairs are checked against.
    let mut tx = store.begin().await?;
    let proposal = propose_in(&mut tx, lab).await?;
    let waiting = &proposal.waiting;
    let mut mentors = proposal.mentors.clone();
    let mut ids = vec![];
    for (person, mentor) in pairs {
        let Some(w) = waiting.iter().find(|w| w.person_id == *person) else {
            return Err(AppError::Invalid(vec![(
                "pairs".into(),
                "err-mentoring-not-waiting".into(),
            )]));
        };
        // A refused pair is named: the message says which resident and which mentor.
        let fault = |key: &str| {
            AppError::Invalid(vec![
                ("pairs".into(), key.into()),
                (format!("pair-{person}"), key.into()),
            ])
        };
        let full = proposal
            .all_mentors
            .iter()
            .any(|x| x.user_id == *mentor && x.free() <= 0);
        let Some(x) = mentors.iter_mut().find(|x| x.user_id == *mentor) else {
            return Err(fault(if full {
                "err-mentoring-full"
            } else {
                "err-mentoring-no-room"
            }));
        };
        // She meets her mentor in her lab, or remotely only if she said remote suits her.
        let can_meet = (x.in_person && x.labs.contains(&lab)) || (x.remote && w.wish.remote_ok);
        if x.free() <= 0 {
            return Err(fault("err-mentoring-full"));
        }
        if !can_meet {
            return Err(fault("err-mentoring-cannot-meet"));
        }
        let (score, why) = match proposal
            .pairs
            .iter()
            .find(|p| p.person_id == person.0 && p.mentor_id == mentor.0)
        {
            Some(p) => (p.score, p.explanation()),
            None => {
                let shared: Vec<String> = w
                    .skills
                    .iter()
                    .filter(|s| x.expertise.contains(s))
                    .cloned()
                    .collect();
                (0, format!("changed;skills:{}", shared.join("+")))
            }
        };
        let id = store::mentoring::insert_match(
            &mut tx,
            lab,
            *person,
            *mentor,
            score,
            &why,
            actor.user_id,
        )
        .await?;
        x.active_mentees += 1;
        super::messages::notify(
            &mut tx,
            *person,
            Some(lab),
            "mentor-match",
            &[("title", x.name.clone())],
        )
        .await?;
        audit::record(
            &mut tx,
            entry(actor, "mentoring.match", "person", person, Some(lab))
                .with_detail(format!("mentor {mentor}")),
        )
        .await?;
        ids.push(id);
    }
    tx.commit().await?;
    Ok(ids)
}

/// She is this pair's mentor and still holds a mentor role (a removed mentor loses access).
pub fn is_mentor_of(actor: &Actor, x: &Match) -> bool {
    actor.user_id.is_some()
        && actor.user_id == Some(x.mentor_id)
        && actor.holds(domain::LabRole::Mentor)
}

/// A match the actor may see: the lab's coordinators, the mentor, the mentee.
pub async fn match_for(store: &Store, actor: &Actor, id: MatchId) -> AppResult<Match> {
    signed_in(actor)?;
    let mut c = store.conn().await?;
    match store::mentoring::get_match(&mut c, id).await? {
        Some(x)
            if actor.allows(Action::ManageMentoring(x.lab_id))
                || is_mentor_of(actor, &x)
                || actor.person_id == Some(x.person_id) =>
        {
            Ok(x)
        }
        _ => Err(AppError::NotFound),
    }
}

pub async fn end(store: &Store, actor: &Actor, x: &Match) -> AppResult<()> {
    if !actor.allows(Action::ManageMentoring(x.lab_id)) && !is_mentor_of(actor, x) {
        return Err(AppError::NotFound);
    }
    let mut tx = store.begin().await?;
    store::mentoring::end_match(&mut tx, x.id).await?;
    commit(
        tx,
        entry(
            actor,
            "mentoring.end",
            "person",
            x.person_id,
            Some(x.lab_id),
        ),
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ProfileInput {
    pub expertise: Vec<String>,
    pub languages: Vec<String>,
    pub capacity: String,
    pub availability: String,
    pub in_person: String,
    pub remote: String,
}

impl ProfileInput {
    pub fn from_mentor(x: &Mentor) -> Self {
        let on = |b: bool| if b { "on".to_string() } else { String::new() };
        Self {
            expertise: x.expertise.clone(),
            languages: x.languages.clone(),
            capacity: x.capacity.to_string(),
            availability: x.availability.clone(),
            in_person: on(x.in_person),
            remote: on(x.remote),
        }
    }
}

/// A mentor keeps her own offer (expertise, languages, how many mentees, when, how).
pub async fn save_profile(store: &Store, actor: &Actor, input: &ProfileInput) -> AppResult<()> {
    let user = signed_in(actor)?;
    if !actor.holds(domain::LabRole::Mentor) {
        return Err(AppError::NotFound);
    }
    let mut errs = vec![];
    let expertise: Vec<String> = input
        .expertise
        .iter()
        .filter(|s| Skill::parse(s).is_some())
        .cloned()
        .collect();
    if expertise.len() != input.expertise.len() {
        errs.push(("expertise".into(), "err-choice".into()));
    }
    let languages: Vec<String> = input
        .languages
        .iter()
        .filter(|s| Language::parse(s).is_some())
        .cloned()
        .collect();
    if languages.len() != input.languages.len() || languages.is_empty() {
        errs.push(("languages".into(), "err-mentoring-languages".into()));
    }
    let capacity = number(
        "capacity",
        &input.capacity,
        0..=30,
        "err-mentoring-capacity",
        &mut errs,
    );
    let availability = limit("availability", &input.availability, 300, &mut errs);
    let in_person = matches!(input.in_person.as_str(), "on" | "true");
    let remote = matches!(input.remote.as_str(), "on" | "true");
    if !in_person && !remote {
        errs.push(("in_person".into(), "err-mentoring-how".into()));
    }
    let (Some(capacity), true) = (capacity, errs.is_empty()) else {
        return Err(AppError::Invalid(errs));
    };
    let mut tx = store.begin().await?;
    store::mentoring::save_profile(
        &mut tx,
        user,
        &store::mentoring::ProfileFields {
            expertise,
            languages,
            capacity,
            availability,
            in_person,
            remote,
        },
    )
    .await?;
    commit(tx, entry(actor, "mentor.profile", "user", user, None)).await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct WishInput {
    /// A mentor's user id, or empty.
    pub mentor: String,
    pub remote_ok: String,
    pub skills: Vec<String>,
}

/// A resident says what she hopes for: a mentor she would like, remote or not, what to learn.
pub async fn save_wish(store: &Store, actor: &Actor, input: &WishInput) -> AppResult<()> {
    signed_in(actor)?;
    let person = actor.person_id.ok_or(AppError::NotFound)?;
    let mut tx = store.begin().await?;
    let preferred = if input.mentor.trim().is_empty() {
        None
    } else {
        let id: UserId = input
            .mentor
            .parse()
            .map_err(|_| AppError::Invalid(vec![("mentor".into(), "err-choice".into())]))?;
        store::mentoring::mentor(&mut tx, id)
            .await?
            .ok_or(AppError::Invalid(vec![(
                "mentor".into(),
                "err-choice".into(),
            )]))?;
        Some(id)
    };
    let skills: Vec<String> = input
        .skills
        .iter()
        .filter(|s| Skill::parse(s).is_some())
        .cloned()
        .collect();
    store::mentoring::save_wish(
        &mut tx,
        person,
        &store::mentoring::Wish {
            preferred_mentor: preferred,
            remote_ok: matches!(input.remote_ok.as_str(), "on" | "true"),
            skills,
        },
    )
    .await?;
    commit(tx, entry(actor, "mentoring.wish", "person", person, None)).await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SessionInput {
    pub held_on: String,
    pub minutes: String,
    pub topic: String,
    pub goals_set: String,
    pub goals_reached: String,
    pub note: String,
}

/// The mentor (or the lab's coordinator) records a session of an active match.
pub async fn add_session(
    store: &Store,
    actor: &Actor,
    x: &Match,
    input: &SessionInput,
) -> AppResult<MentoringSessionId> {
    if !is_mentor_of(actor, x) && !actor.allows(Action::ManageMentoring(x.lab_id)) {
        return Err(AppError::NotFound);
    }
    let mut errs = vec![];
    let held_on = super::base::date(
        "held_on",
        &input.held_on,
        domain::time::DateSpan::Past,
        &mut errs,
    );
    let minutes = number(
        "minutes",
        &input.minutes,
        5..=600,
        "err-mentoring-minutes",
        &mut errs,
    );
    let topic = limit("topic", &input.topic, 200, &mut errs);
    if topic.is_empty() {
        errs.push(("topic".into(), "err-required".into()));
    }
    let goals_set = limit("goals_set", &input.goals_set, 1000, &mut errs);
    let goals_reached = limit("goals_reached", &input.goals_reached, 1000, &mut errs);
    let note = limit("note", &input.note, 2000, &mut errs);
    if x.status != "active" {
        errs.push(("held_on".into(), "err-mentoring-ended".into()));
    }
    let (Some(held_on), Some(minutes), true) = (held_on, minutes, errs.is_empty()) else {
        return Err(AppError::Invalid(errs));
    };
    let mut tx = store.begin().await?;
    let id = store::mentoring::insert_session(
        &mut tx,
        x.id,
        &store::mentoring::NewSession {
            held_on,
            minutes,
            topic: &topic,
            goals_set: &goals_set,
            goals_reached: &goals_reached,
            note: &note,
        },
        actor.user_id,
    )
    .await?;
    commit(
        tx,
        entry(
            actor,
            "mentoring.session",
            "person",
            x.person_id,
            Some(x.lab_id),
        ),
    )
    .await?;
    Ok(id)
}

/// The mentee rates a session, 1 to 5.
pub async fn rate(
    store: &Store,
    actor: &Actor,
    session: MentoringSessionId,
    rating: &str,
) -> AppResult<MatchId> {
    signed_in(actor)?;
    let mut tx = store.begin().await?;
    let mid = store::mentoring::session_match(&mut tx, session).await?;
    let x = store::mentoring::get_match(&mut tx, mid)
        .await?
        .ok_or(AppError::NotFound)?;
    if actor.person_id != Some(x.person_id) {
        return Err(AppError::NotFound);
    }
    let r = rating
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=5).contains(n))
        .ok_or(AppError::Invalid(vec![(
            "rating".into(),
            "err-rating".into(),
        )]))?;
    store::mentoring::rate(&mut tx, session, r).await?;
    commit(
        tx,
        entry(
            actor,
            "mentoring.rate",
            "person",
            x.person_id,
            Some(x.lab_id),
        ),
    )
    .await?;
    Ok(mid)
}

// ---- Reads: one function per page (and API route), deciding access once and fetching once ----

/// A lab's mentoring for its coordinators: mentors, matches, how many wait, months.
pub struct LabMentoring {
    pub mentors: Vec<Mentor>,
    pub matches: Vec<Match>,
    pub waiting: usize,
    pub months: Vec<(LabId, String, i64, i64)>,
}

pub async fn lab_mentoring(store: &Store, actor: &Actor, lab: LabId) -> AppResult<LabMentoring> {
    allow(actor, Action::ManageMentoring(lab))?;
    let mut c = store.conn().await?;
    Ok(LabMentoring {
        mentors: store::mentoring::mentors_for(&mut c, lab).await?,
        matches: store::mentoring::matches(&mut c, Some(lab), None, None).await?,
        waiting: store::mentoring::waiting(&mut c, lab).await?.len(),
        months: store::mentoring::monthly_counts(&mut c, Some(lab)).await?,
    })
}

/// A mentor's own offer and her mentees (mentors only).
pub async fn mentor_home(store: &Store, actor: &Actor) -> AppResult<(Mentor, Vec<Match>)> {
    let user = signed_in(actor)?;
    if !actor.holds(domain::LabRole::Mentor) {
        return Err(AppError::NotFound);
    }
    let mut c = store.conn().await?;
    let me = store::mentoring::mentor(&mut c, user)
        .await?
        .ok_or(AppError::NotFound)?;
    let matches = store::mentoring::matches(&mut c, None, Some(user), None).await?;
    Ok((me, matches))
}

/// A match with its sessions, for its coordinators, mentor and mentee, and who the reader is.
pub struct MatchView {
    pub m: Match,
    pub sessions: Vec<store::mentoring::MentoringSession>,
    pub is_mentor: bool,
    pub is_mentee: bool,
    pub manage: bool,
}

pub async fn match_view(store: &Store, actor: &Actor, id: MatchId) -> AppResult<MatchView> {
    let m = match_for(store, actor, id).await?;
    let mut c = store.conn().await?;
    Ok(MatchView {
        sessions: store::mentoring::sessions(&mut c, m.id).await?,
        is_mentor: is_mentor_of(actor, &m),
        is_mentee: actor.person_id == Some(m.person_id),
        manage: actor.allows(Action::ManageMentoring(m.lab_id)),
        m,
    })
}

/// A resident's mentoring: her matches, the mentors of her lab, and her wish so far.
pub struct MyMentoring {
    pub matches: Vec<Match>,
    pub mentors: Vec<Mentor>,
    pub wish: store::mentoring::Wish,
}

pub async fn my_mentoring(store: &Store, actor: &Actor) -> AppResult<MyMentoring> {
    signed_in(actor)?;
    let person = actor.person_id.ok_or(AppError::NotFound)?;
    let mut c = store.conn().await?;
    let matches = store::mentoring::matches(&mut c, None, None, Some(person)).await?;
    let lab = store::residency::of_person(&mut c, person)
        .await?
        .into_iter()
        .map(|r| r.lab_id)
        .next();
    let mentors = match lab {
        Some(l) => store::mentoring::mentors_for(&mut c, l).await?,
        None => vec![],
    };
    let wish = store::mentoring::wish(&mut c, person)
        .await?
        .unwrap_or_default();
    Ok(MyMentoring {
        matches,
        mentors,
        wish,
    })
}
