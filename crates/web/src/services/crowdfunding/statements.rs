//! Bank statements: pledges matched by their reference, previewed, never recorded twice.
use super::*;

/// One statement line as the import sees it.
#[derive(Debug, Clone, Serialize)]
pub struct StatementRow {
    pub line: usize,
    pub date: NaiveDate,
    pub amount: i64,
    pub purpose: String,
    pub payer: String,
    /// The pledge it pays, when its purpose names one of the campaign's references.
    pub reference: Option<String>,
    /// matched (to record), recorded (now), already (imported before), paid (the pledge was
    /// marked paid by hand), unmatched (no reference of this campaign)
    pub outcome: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct StatementReport {
    pub applied: bool,
    pub rows: Vec<StatementRow>,
    /// Lines that could not be read: (line, why as a message key).
    pub unread: Vec<(usize, String)>,
    pub recorded: usize,
}

/// Reads a bank statement and matches its incoming lines to the campaign's pledges by their
/// reference. `apply = false` only shows what would happen (the preview); `apply = true`
/// records each match once (a line's fingerprint is kept: importing again records nothing twice).
pub async fn import_statement(
    store: &Store,
    actor: &Actor,
    id: CampaignId,
    bytes: &[u8],
    apply: bool,
) -> AppResult<StatementReport> {
    let k = managed(store, actor, id).await?;
    if bytes.is_empty() {
        return Err(invalid("statement", "err-required"));
    }
    let st = documents::statement::read(bytes).map_err(|r| {
        use documents::statement::Refusal;
        let key = match r {
            Refusal::TooLarge | Refusal::TooManyLines | Refusal::FieldTooLong(_) => {
                "err-crowd-statement-too-big"
            }
            Refusal::NoHeader => "err-crowd-statement-header",
            Refusal::NotCsv => "err-crowd-statement-type",
        };
        invalid("statement", key)
    })?;
    let mut report = StatementReport {
        applied: apply,
        ..Default::default()
    };
    for u in &st.unread {
        use documents::statement::Problem;
        let key = match u.problem {
            Problem::BadDate(_) => "err-crowd-line-date",
            Problem::BadAmount(_) => "err-crowd-line-amount",
            Problem::Short => "err-crowd-line-short",
        };
        report.unread.push((u.line, key.into()));
    }
    let mut tx = store.begin().await?;
    let pledges = cf::pledges(&mut tx, id).await?;
    for line in &st.lines {
        let hit = pledges.iter().find(|p| line.mentions(&p.reference));
        let mut outcome = match hit {
            None => "unmatched",
            Some(_) if cf::fingerprint_seen(&mut tx, &line.fingerprint).await? => "already",
            Some(p) if p.status != PledgeStatus::Promised => "paid",
            Some(_) => "matched",
        };
        if apply
            && outcome == "matched"
            && let Some(p) = hit
        {
            record_paid(
                &mut tx,
                actor,
                p,
                line.amount,
                line.date,
                Some(&line.fingerprint),
            )
            .await?;
            report.recorded += 1;
            outcome = "recorded";
        }
        report.rows.push(StatementRow {
            line: line.line,
            date: line.date,
            amount: line.amount,
            purpose: line.purpose.clone(),
            payer: line.payer.clone(),
            reference: hit.map(|p| p.reference.clone()),
            outcome: outcome.into(),
        });
    }
    if apply {
        let e = entry(actor, "campaign.statement", "campaign", id, k.lab_id);
        commit_with(
            tx,
            e,
            format!("lines {} recorded {}", st.lines.len(), report.recorded),
        )
        .await?;
    }
    Ok(report)
}
