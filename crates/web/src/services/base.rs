//! What every service uses: the audit row of a change and its commit, the policy check, and
//! the small validations of typed text.
use crate::error::{AppError, AppResult};
use domain::{Actor, LabId, names};
use store::audit;

pub(crate) fn entry<'a>(
    actor: &Actor,
    action: &'a str,
    entity: &'a str,
    id: impl ToString,
    lab: Option<LabId>,
) -> audit::Entry<'a> {
    audit::Entry {
        actor: actor.user_id,
        action,
        entity,
        entity_id: Some(id.to_string()),
        lab,
        detail: String::new(),
    }
}

/// A whole number typed in `field`, within `range`; otherwise the error `key` on that field.
pub(crate) fn number(
    field: &str,
    s: &str,
    range: std::ops::RangeInclusive<i64>,
    key: &str,
    errs: &mut Vec<(String, String)>,
) -> Option<i64> {
    let n = s.trim().parse::<i64>().ok().filter(|n| range.contains(n));
    if n.is_none() {
        errs.push((field.into(), key.into()));
    }
    n
}

/// The caller must be signed in: anyone else is sent to sign in (pages) or answered 401 (API).
pub(crate) fn signed_in(actor: &Actor) -> AppResult<domain::UserId> {
    actor.user_id.ok_or(AppError::SignIn)
}

/// Like `Ctx::require`: signed in, and allowed `action`; otherwise 404.
pub(crate) fn allow(actor: &Actor, action: domain::Action) -> AppResult<()> {
    signed_in(actor)?;
    if actor.allows(action) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Records a write's audit row and commits the write with it.
pub(crate) async fn commit(mut tx: store::Tx, e: audit::Entry<'_>) -> AppResult<()> {
    audit::record(&mut tx, e).await?;
    tx.commit().await?;
    Ok(())
}

/// [`commit`] with a detail on the audit row.
pub(crate) async fn commit_with(
    tx: store::Tx,
    mut e: audit::Entry<'_>,
    detail: String,
) -> AppResult<()> {
    e.detail = detail;
    commit(tx, e).await
}

pub(crate) fn limit(
    field: &'static str,
    s: &str,
    max: usize,
    errs: &mut Vec<(String, String)>,
) -> String {
    // The one text rule first: a control or direction-changing character is refused, not kept.
    if let Err(e) = domain::text::check(field, s) {
        errs.push((field.into(), e.key.into()));
    }
    let c = names::clean(s);
    if c.chars().count() > max {
        errs.push((field.into(), "err-too-long".into()));
    }
    c
}

/// A date typed in `field` that can be true for it ([`domain::time::plausible`]): otherwise
/// `err-date` (not a date) or `err-date-implausible` (a slip of the year) on that field.
pub(crate) fn date(
    field: &str,
    s: &str,
    span: domain::time::DateSpan,
    errs: &mut Vec<(String, String)>,
) -> Option<chrono::NaiveDate> {
    let Some(d) = domain::time::parse_date(s) else {
        errs.push((field.into(), "err-date".into()));
        return None;
    };
    match domain::time::plausible("date", d, span, domain::time::today()) {
        Ok(d) => Some(d),
        Err(e) => {
            errs.push((field.into(), e.key.into()));
            None
        }
    }
}

/// One field's message, as a form shows it beside the field.
pub(crate) fn invalid(field: &str, key: &str) -> AppError {
    AppError::Invalid(vec![(field.into(), key.into())])
}

/// A unique name taken (a store conflict) becomes a message beside `field`.
pub(crate) fn taken(field: &'static str) -> impl Fn(store::StoreError) -> AppError {
    move |e| match AppError::from(e) {
        AppError::Conflict(k) => invalid(field, k),
        other => other,
    }
}
