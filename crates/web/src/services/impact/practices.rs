//! Positive deviance, its second half: what a woman far above women who started like her does
//! differently, noted by a coordinator of her lab (what she does, how she found it, whether it
//! could be taught), and the list of these practices across labs, without names, so that what
//! works can spread.
use crate::error::{AppError, AppResult};
use crate::services::base::{entry, signed_in};
use domain::{Action, Actor, LabScope, PersonId};
use serde::{Deserialize, Serialize};
use store::impact::Practice;
use store::labs::Lab;
use store::people::Person;
use store::{Store, audit};

/// Whether a practice could be taught to other women.
pub const TEACHABLE: [&str; 3] = ["yes", "no", "unsure"];

/// A note as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PracticeInput {
    pub practice: String,
    pub found: String,
    /// `yes`, `no` or `unsure`.
    pub teachable: String,
}

impl From<&Practice> for PracticeInput {
    fn from(p: &Practice) -> Self {
        Self {
            practice: p.practice.clone(),
            found: p.found.clone(),
            teachable: p.teachable.clone(),
        }
    }
}

fn validate(i: &PracticeInput) -> Result<(String, String, String), Vec<(String, String)>> {
    let mut errs = vec![];
    let practice = i.practice.trim().to_string();
    if practice.is_empty() || practice.chars().count() > 1000 {
        errs.push(("practice".into(), "err-practice-text".into()));
    }
    let found = i.found.trim().to_string();
    if found.chars().count() > 500 {
        errs.push(("found".into(), "err-practice-found".into()));
    }
    let teachable = i.teachable.trim().to_string();
    if !TEACHABLE.contains(&teachable.as_str()) {
        errs.push(("teachable".into(), "err-practice-teachable".into()));
    }
    if errs.is_empty() {
        Ok((practice, found, teachable))
    } else {
        Err(errs)
    }
}

/// Her record for a coordinator of her lab (or the admin); anyone else: 404.
async fn her(tx: &mut store::AnyConn, actor: &Actor, person: PersonId) -> AppResult<Person> {
    signed_in(actor)?;
    let p = store::people::get_scoped(tx, &actor.people_scope(), person)
        .await?
        .ok_or(AppError::NotFound)?;
    if !actor.allows(Action::ManageImpact(p.lab_id)) {
        return Err(AppError::NotFound);
    }
    Ok(p)
}

/// The note form of a woman: her record and her note so far (the read is audited: it names her).
pub async fn practice_of(
    store: &Store,
    actor: &Actor,
    person: PersonId,
) -> AppResult<(Person, Lab, Option<Practice>)> {
    let mut tx = store.begin().await?;
    let p = her(&mut tx, actor, person).await?;
    let lab = store::labs::lab(&mut tx, p.lab_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let note = store::impact::practice_of(&mut tx, person).await?;
    audit::record(
        &mut tx,
        entry(actor, "practice.read", "person", person, Some(p.lab_id)),
    )
    .await?;
    tx.commit().await?;
    Ok((p, lab, note))
}

/// Saves what she does differently (replacing her note so far); answers her lab's slug. Audited.
pub async fn save_practice(
    store: &Store,
    actor: &Actor,
    person: PersonId,
    input: &PracticeInput,
) -> AppResult<String> {
    let mut tx = store.begin().await?;
    let p = her(&mut tx, actor, person).await?;
    let (practice, found, teachable) = validate(input).map_err(AppError::Invalid)?;
    let lab = store::labs::lab(&mut tx, p.lab_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let note = Practice {
        person_id: person,
        lab_id: p.lab_id,
        practice,
        found,
        teachable,
        updated_at: chrono::Utc::now(),
    };
    store::impact::save_practice(&mut tx, &note, actor.user_id).await?;
    audit::record(
        &mut tx,
        entry(actor, "practice.save", "person", person, Some(p.lab_id))
            .with_detail(format!("teachable={}", note.teachable)),
    )
    .await?;
    tx.commit().await?;
    Ok(lab.slug)
}

/// One practice on the list across labs: the lab and the note, never her name.
#[derive(Debug, Clone)]
pub struct SharedPractice {
    pub lab: Lab,
    pub practice: String,
    pub found: String,
    pub teachable: String,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// The practices of every lab, for the admin and the coordinators (of any lab), newest first.
pub async fn network_practices(store: &Store, actor: &Actor) -> AppResult<Vec<SharedPractice>> {
    super::dashboard_allowed(actor)?;
    let mut c = store.conn().await?;
    let labs = store::labs::list_labs(&mut c).await?;
    let list = store::impact::practices(&mut c, &LabScope::All).await?;
    Ok(list
        .into_iter()
        .filter_map(|p| {
            let lab = labs.iter().find(|l| l.id == p.lab_id)?.clone();
            Some(SharedPractice {
                lab,
                practice: p.practice,
                found: p.found,
                teachable: p.teachable,
                updated_at: p.updated_at,
            })
        })
        .collect())
}

/// The notes of a lab's women by person, for its positive-deviance list.
pub(super) async fn notes_of_lab(
    c: &mut store::AnyConn,
    lab: &Lab,
) -> AppResult<std::collections::HashMap<PersonId, Practice>> {
    let list = store::impact::practices(c, &LabScope::Only(vec![lab.id])).await?;
    Ok(list.into_iter().map(|p| (p.person_id, p)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_needs_a_practice_and_an_answer_to_teachable() {
        let ok = PracticeInput {
            practice: "Sells felt toys to tourists through a hostel in Arslanbob".into(),
            found: "Her cousin works there".into(),
            teachable: "yes".into(),
        };
        assert!(validate(&ok).is_ok());
        let bad = PracticeInput {
            practice: "  ".into(),
            found: "x".repeat(501),
            teachable: "maybe".into(),
        };
        let errs = validate(&bad).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, vec!["practice", "found", "teachable"]);
    }
}
