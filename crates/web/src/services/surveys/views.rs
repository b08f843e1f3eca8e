//! Read models of the survey pages and the API: each decides who may see it once and reads once.
use super::{Imported, import_xlsform, instrument_for_staff, instruments_for_staff, parse_waves};
use super::{person_responses, warning_text};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::services::labs::lab_by_slug;
use domain::{Action, Actor, InstrumentId, LabId, PersonId, ResidencyStatus};
use store::Store;
use store::labs::Lab;
use store::people::Person;
use store::residency::ResidencyRow;
use store::surveys::{Instrument, InstrumentSummary, Response};

fn signed_in(actor: &Actor) -> AppResult<()> {
    if actor.is_signed_in() {
        Ok(())
    } else {
        Err(AppError::SignIn)
    }
}

/// A lab by its slug, for those who manage its surveys (404 for anyone else).
pub async fn survey_lab(store: &Store, actor: &Actor, slug: &str) -> AppResult<Lab> {
    let lab = lab_by_slug(store, slug).await?;
    signed_in(actor)?;
    if !actor.allows(Action::ManageSurveys(lab.id)) {
        return Err(AppError::NotFound);
    }
    Ok(lab)
}

/// A lab's surveys page: its instruments (with the network's) and the women who may answer.
pub async fn lab_surveys(
    store: &Store,
    actor: &Actor,
    slug: &str,
) -> AppResult<(Lab, Vec<InstrumentSummary>, Vec<ResidencyRow>)> {
    let lab = survey_lab(store, actor, slug).await?;
    let instruments = instruments_for_staff(store, actor, Some(lab.id)).await?;
    let mut conn = store.conn().await?;
    let residents = store::residency::of_lab(&mut conn, lab.id, None)
        .await?
        .into_iter()
        .filter(|r| {
            matches!(
                r.residency.status,
                ResidencyStatus::Accepted | ResidencyStatus::Active | ResidencyStatus::Graduated
            )
        })
        .collect();
    Ok((lab, instruments, residents))
}

/// An instrument with its lab (none for the network's), for those who manage it.
pub async fn instrument_with_lab(
    store: &Store,
    actor: &Actor,
    id: InstrumentId,
) -> AppResult<(Instrument, Option<Lab>)> {
    signed_in(actor)?;
    let i = instrument_for_staff(store, actor, id).await?;
    let lab = match i.summary.lab_id {
        Some(l) => {
            let mut conn = store.conn().await?;
            store::labs::lab(&mut conn, l).await?
        }
        None => None,
    };
    Ok((i, lab))
}

/// The instruments she manages (of the lab named by its slug, or of all her labs), with the
/// labs to name them by.
pub async fn instruments_at(
    store: &Store,
    actor: &Actor,
    slug: Option<&str>,
) -> AppResult<(Vec<InstrumentSummary>, Vec<Lab>)> {
    signed_in(actor)?;
    let lab = match slug.filter(|x| !x.is_empty()) {
        Some(slug) => Some(lab_by_slug(store, slug).await?.id),
        None => None,
    };
    let list = instruments_for_staff(store, actor, lab).await?;
    let mut conn = store.conn().await?;
    let labs = store::labs::list_labs(&mut conn).await?;
    Ok((list, labs))
}

/// The lab an import is for: the named one, else the only lab she coordinates, else the
/// network (admin).
pub async fn import_lab(store: &Store, actor: &Actor, slug: &str) -> AppResult<Option<LabId>> {
    if !slug.is_empty() {
        return Ok(Some(lab_by_slug(store, slug).await?.id));
    }
    if actor.allows(Action::ManageNetwork) {
        return Ok(None);
    }
    match actor.scope_for(Action::ManageSurveys) {
        domain::LabScope::Only(l) if l.len() == 1 => Ok(Some(l[0])),
        domain::LabScope::Only(l) if l.is_empty() => Err(AppError::NotFound),
        _ => Err(AppError::Invalid(vec![(
            "lab".into(),
            "err-survey-lab-required".into(),
        )])),
    }
}

/// Imports a workbook for the API: the lab by its slug (see [`import_lab`]), the waves as sent;
/// answers the new instrument with its lab and what the importer did not take over.
pub async fn import_at(
    store: &Store,
    actor: &Actor,
    slug: &str,
    file: &[u8],
    waves: &[String],
) -> AppResult<(Instrument, Option<Lab>, Imported)> {
    signed_in(actor)?;
    let lab = import_lab(store, actor, slug).await?;
    let waves = parse_waves(waves)?;
    let out = import_xlsform(store, actor, lab, file, &waves).await?;
    let (i, lab) = instrument_with_lab(store, actor, out.id).await?;
    Ok((i, lab, out))
}

/// The import warnings stored with an instrument, in words.
pub fn warnings_of(i: &Instrument, lang: Lang) -> Vec<(documents::xlsform::Warning, String)> {
    let list: Vec<documents::xlsform::Warning> =
        serde_json::from_str(&i.warnings_json).unwrap_or_default();
    list.into_iter()
        .map(|w| {
            let text = warning_text(lang, &w);
            (w, text)
        })
        .collect()
}

/// A woman's surveys for the coordinators of her lab (her own answers are on her own page):
/// her answers (the read audited) and the instruments that may be entered for her.
pub async fn person_surveys(
    store: &Store,
    actor: &Actor,
    person: PersonId,
) -> AppResult<(Person, Vec<Response>, Vec<InstrumentSummary>)> {
    signed_in(actor)?;
    let scope = actor.scope_for(Action::ManageSurveys);
    {
        let mut conn = store.conn().await?;
        store::people::get_scoped(&mut conn, &scope, person)
            .await?
            .ok_or(AppError::NotFound)?;
    }
    let (p, responses) = person_responses(store, actor, person).await?;
    let instruments = instruments_for_staff(store, actor, Some(p.lab_id)).await?;
    Ok((p, responses, instruments))
}
