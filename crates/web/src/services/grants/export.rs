//! The round for donors: applications, awards and the ledger as sheets (audited).
use super::*;

/// A round as donors read it: one row per application, the awards, the ledger.
#[derive(Debug, Clone)]
pub struct Export {
    pub call: Call,
    pub ranking: Ranking,
    pub awards: Vec<(Award, String, String)>,
    /// (payment, applicant)
    pub payments: Vec<(g::Payment, String)>,
}

/// Reads a round for export (the call's managers; a lab's coordinator on a network call gets
/// the rows of her labs' applicants only); the read is audited like other exports.
pub async fn export(
    store: &Store,
    actor: &Actor,
    id: GrantCallId,
    format: &str,
) -> AppResult<Export> {
    let (call, access) = call_for(store, actor, id).await?;
    let labs = round_labs(&access)?;
    let call = &call;
    let mut tx = store.begin().await?;
    let ranking = ranking_in(&mut tx, call).await?.narrowed(labs.as_deref());
    let apps: Vec<Application> = g::applications(&mut tx, call.id, false)
        .await?
        .into_iter()
        .filter(|a| labs.as_ref().is_none_or(|l| l.contains(&a.lab_id)))
        .collect();
    let shown = |id: ApplicationId| apps.iter().any(|a| a.id == id);
    let name_of = |id: ApplicationId| {
        apps.iter()
            .find(|a| a.id == id)
            .map(|a| (a.person_name.clone(), a.title.clone()))
            .unwrap_or_default()
    };
    let awards = g::awards_of_call(&mut tx, call.id)
        .await?
        .into_iter()
        .filter(|a| shown(a.application_id))
        .map(|a| {
            let (n, t) = name_of(a.application_id);
            (a, n, t)
        })
        .collect();
    let payments = g::payments_of_call(&mut tx, call.id)
        .await?
        .into_iter()
        .filter(|(_, app)| shown(*app))
        .map(|(p, app)| (p, name_of(app).0))
        .collect();
    commit(
        tx,
        about_call(actor, "grant_call.export", call).with_detail(format.to_string()),
    )
    .await?;
    Ok(Export {
        call: call.clone(),
        ranking,
        awards,
        payments,
    })
}

/// Dates for forms.
pub fn date_text(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// A score rounded to two decimals (`82.91666…` → `82.92`).
fn hundredths(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// The export as sheets: applications (one row each), awards, payments. Headers in the reader's
/// language; text cells are neutralised by `documents::table`.
pub fn export_sheets(x: &Export, lang: Lang) -> Vec<documents::table::Sheet> {
    use documents::table::{Cell, Sheet};
    let h = |keys: &[&str]| -> Vec<String> { keys.iter().map(|k| lang.t(k)).collect() };
    let mut apps = Sheet::new(
        lang.t("grants-sheet-applications"),
        h(&[
            "grants-col-applicant",
            "grants-col-title",
            "grants-category",
            "grants-requested",
            "grants-score",
            "grants-col-spread",
            "grants-col-rank",
            "grants-awarded",
            "grants-paid",
            "grants-col-status",
        ]),
    );
    for r in &x.ranking.rows {
        apps.push(vec![
            Cell::Text(r.applicant.clone()),
            Cell::Text(r.title.clone()),
            Cell::Text(lang.t(&format!("grant-category-{}", r.category))),
            Cell::Money(r.requested),
            // Two decimals, as the ranking page shows them.
            r.score
                .map(|v| Cell::Decimal(hundredths(v)))
                .unwrap_or(Cell::Empty),
            r.spread
                .map(|v| Cell::Decimal(hundredths(v)))
                .unwrap_or(Cell::Empty),
            r.rank.map(|k| Cell::Int(k as i64)).unwrap_or(Cell::Empty),
            r.awarded.map(Cell::Money).unwrap_or(Cell::Empty),
            Cell::Money(r.paid),
            Cell::Text(lang.t(&format!("grant-app-status-{}", r.status))),
        ]);
    }
    let mut awards = Sheet::new(
        lang.t("grants-sheet-awards"),
        h(&[
            "grants-col-applicant",
            "grants-col-title",
            "grants-amount",
            "grants-proposed",
            "grants-adjust-reason",
            "grants-col-decided-on",
            "grants-paid",
        ]),
    );
    for (a, name, title) in &x.awards {
        awards.push(vec![
            Cell::Text(name.clone()),
            Cell::Text(title.clone()),
            Cell::Money(a.amount),
            Cell::Money(a.proposed_amount),
            Cell::Text(a.adjusted_reason.clone()),
            Cell::Date(a.decided_on),
            Cell::Money(a.paid),
        ]);
    }
    let mut payments = Sheet::new(
        lang.t("grants-sheet-payments"),
        h(&[
            "grants-paid-on",
            "grants-col-applicant",
            "grants-amount",
            "grants-channel",
            "grants-reference",
            "grants-col-reversal",
        ]),
    );
    for (p, name) in &x.payments {
        payments.push(vec![
            Cell::Date(p.paid_on),
            Cell::Text(name.clone()),
            Cell::Money(p.amount),
            Cell::Text(lang.t(&format!("payment-channel-{}", p.channel.code()))),
            Cell::Text(p.reference.clone()),
            Cell::Text(if p.reverses_id.is_some() {
                lang.t("grants-reversal")
            } else {
                String::new()
            }),
        ]);
    }
    vec![apps, awards, payments]
}
