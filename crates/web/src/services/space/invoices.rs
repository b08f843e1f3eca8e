//! Invoices numbered without gaps, their lines and PDF, payments by hand or from a bank
//! statement, credit notes.
use super::*;

/// Issues an invoice in the caller's transaction: numbered from the lab's counter for the year
/// (gapless: a rolled back invoice gives its number back), with the lab's legal details.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn issue_in(
    tx: &mut store::AnyConn,
    actor: &Actor,
    lab: LabId,
    person: Option<PersonId>,
    org: Option<OrgId>,
    payer: &str,
    lines: &[Line],
    credits: Option<InvoiceId>,
    language: &str,
) -> AppResult<(InvoiceId, String)> {
    let labrow = store::labs::lab(tx, lab).await?.ok_or(AppError::NotFound)?;
    let s = db::settings(tx, lab).await?;
    let today = domain::time::today();
    let source = lines
        .first()
        .map(|l| l.item.clone())
        .unwrap_or_else(|| "other".into());
    let r = db::insert_invoice(
        tx,
        &db::NewInvoice {
            lab,
            year: today.year(),
            number_prefix: &labrow.slug,
            kind: if credits.is_some() {
                "credit-note"
            } else {
                "invoice"
            },
            credits,
            person,
            org,
            payer_name: payer,
            seller_name: if s.legal_name.is_empty() {
                &labrow.name_ru
            } else {
                &s.legal_name
            },
            seller_details: &s.legal_details,
            source: &source,
            issued_on: today,
            due_on: today + Duration::days(14),
            language,
            lines,
            by: actor.user_id,
        },
    )
    .await?;
    store::audit::record(
        tx,
        entry(actor, "space.invoice.issue", "invoice", r.0, Some(lab)).with_detail(r.1.clone()),
    )
    .await?;
    Ok(r)
}

/// An invoice as typed by a coordinator: for a woman of the lab, an organisation or a payer
/// named, with up to five lines.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct InvoiceInput {
    pub person_id: String,
    pub org_id: String,
    pub payer_name: String,
    pub language: String,
    pub item: Vec<String>,
    pub description: Vec<String>,
    pub quantity: Vec<String>,
    pub unit_price: Vec<String>,
}

pub async fn issue_invoice(
    store: &Store,
    actor: &Actor,
    lab: LabId,
    f: &InvoiceInput,
) -> AppResult<InvoiceId> {
    allow(actor, Action::ManageSpace(lab))?;
    let mut errs = vec![];
    fn optional_id<T: std::str::FromStr>(
        field: &str,
        s: &str,
        errs: &mut Vec<(String, String)>,
    ) -> Option<T> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        let v = s.parse::<T>().ok();
        if v.is_none() {
            errs.push((field.into(), "err-choice".into()));
        }
        v
    }
    let person: Option<PersonId> = optional_id("person_id", &f.person_id, &mut errs);
    let org: Option<OrgId> = optional_id("org_id", &f.org_id, &mut errs);
    let payer = limit("payer_name", &f.payer_name, 200, &mut errs);
    let language = match f.language.as_str() {
        "ru" | "en" | "ky" => f.language.clone(),
        "" => "ky".into(),
        _ => {
            errs.push(("language".into(), "err-choice".into()));
            "ky".into()
        }
    };
    let mut lines = vec![];
    for i in 0..f.description.len().min(20) {
        let desc = f.description[i].trim();
        if desc.is_empty() {
            continue;
        }
        let item = f.item.get(i).map(String::as_str).unwrap_or("other");
        if LineItem::parse(item).is_none() {
            errs.push((format!("item-{i}"), "err-choice".into()));
        }
        let d = limit("description", desc, 300, &mut errs);
        let q = number(
            "quantity",
            f.quantity.get(i).map(String::as_str).unwrap_or("1"),
            1..=10_000,
            "err-space-number",
            &mut errs,
        );
        let p = match domain::Money::parse_som(
            "unit_price",
            f.unit_price.get(i).map(String::as_str).unwrap_or(""),
        ) {
            Ok(Some(m)) if m.0 > 0 && m.0 <= domain::space::MAX_AMOUNT => Some(m.0),
            Ok(Some(m)) if m.0 > 0 => {
                errs.push(("unit_price".into(), "err-space-amount-absurd".into()));
                None
            }
            _ => {
                errs.push(("unit_price".into(), "err-space-amount".into()));
                None
            }
        };
        if let (Some(q), Some(p)) = (q, p) {
            let amount = q.saturating_mul(p);
            if amount > domain::space::MAX_AMOUNT {
                errs.push(("unit_price".into(), "err-space-amount-absurd".into()));
            }
            lines.push(Line {
                item: item.into(),
                description: d,
                quantity: q,
                unit_price: p,
                amount,
                resource_id: None,
                booking_id: None,
                person_plan_id: None,
            });
        }
    }
    if lines.is_empty() && errs.is_empty() {
        errs.push(("description".into(), "err-space-no-lines".into()));
    }
    let mut tx = store.begin().await?;
    let payer = match (person, org) {
        (Some(p), _) => {
            if db::person_lab(&mut tx, p).await? != Some(lab) {
                errs.push(("person_id".into(), "err-choice".into()));
                String::new()
            } else {
                person_name(&mut tx, p).await?
            }
        }
        (None, Some(o)) => match store::labs::org(&mut tx, o).await? {
            Some(o) => o.name,
            None => {
                errs.push(("org_id".into(), "err-choice".into()));
                String::new()
            }
        },
        (None, None) => {
            if payer.is_empty() {
                errs.push(("payer_name".into(), "err-required".into()));
            }
            payer
        }
    };
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let (id, _) = issue_in(
        &mut tx, actor, lab, person, org, &payer, &lines, None, &language,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Invoices a woman's plan (a coordinator).
pub async fn invoice_plan(store: &Store, actor: &Actor, pp: PersonPlanId) -> AppResult<InvoiceId> {
    signed_in(actor)?;
    let mut tx = store.begin().await?;
    let p = db::person_plan(&mut tx, pp)
        .await?
        .ok_or(AppError::NotFound)?;
    allow(actor, Action::ManageSpace(p.lab_id))?;
    let line = Line {
        item: LineItem::Plan.code().into(),
        description: format!("{} ({} – {})", p.plan_ky, p.starts_on, p.ends_on),
        quantity: 1,
        unit_price: p.price,
        amount: p.price,
        resource_id: None,
        booking_id: None,
        person_plan_id: Some(pp),
    };
    let (id, _) = issue_in(
        &mut tx,
        actor,
        p.lab_id,
        Some(p.person_id),
        None,
        &p.who,
        &[line],
        None,
        "ky",
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Invoices a booking with a price (a coordinator).
pub async fn invoice_booking(store: &Store, actor: &Actor, b: BookingId) -> AppResult<InvoiceId> {
    let b = booking_for(store, actor, b).await?;
    allow(actor, Action::ManageSpace(b.lab_id))?;
    if b.price <= 0 {
        return Err(AppError::Conflict("err-space-nothing-to-invoice"));
    }
    let mut tx = store.begin().await?;
    let line = Line {
        item: LineItem::Booking.code().into(),
        description: format!(
            "{} {}",
            b.resource_ky,
            domain::time::format_datetime(b.starts_at)
        ),
        quantity: 1,
        unit_price: b.price,
        amount: b.price,
        resource_id: Some(b.resource_id),
        booking_id: Some(b.id),
        person_plan_id: None,
    };
    let (id, _) = issue_in(
        &mut tx,
        actor,
        b.lab_id,
        b.person_id,
        None,
        &b.who,
        &[line],
        None,
        "ky",
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The lab's programmes as a resource's training prerequisite may name them (id, title).
pub async fn programme_choices(store: &Store, lab: LabId) -> AppResult<Vec<(String, String)>> {
    let mut c = store.conn().await?;
    Ok(store::training::programmes(&mut c, lab)
        .await?
        .into_iter()
        .map(|p| (p.id.to_string(), p.title))
        .collect())
}

/// The title of the programme a resource requires.
pub async fn programme_title(store: &Store, id: domain::ProgrammeId) -> AppResult<Option<String>> {
    let mut c = store.conn().await?;
    Ok(store::training::programme(&mut c, id)
        .await?
        .map(|p| p.title))
}

/// The organisations an invoice of the lab may be made out to (id, name), for its staff.
pub async fn org_choices(
    store: &Store,
    actor: &Actor,
    lab: LabId,
) -> AppResult<Vec<(String, String)>> {
    allow(actor, Action::ManageSpace(lab))?;
    let mut c = store.conn().await?;
    Ok(store::labs::list_orgs(&mut c)
        .await?
        .into_iter()
        .map(|o| (o.id.to_string(), o.name))
        .collect())
}

/// An invoice as its page, its PDF and the API show it.
pub struct InvoiceView {
    pub i: Invoice,
    pub lines: Vec<Line>,
    pub payments: Vec<Payment>,
    /// The credit note that corrects it: no payment and no second correction then.
    pub credited_by: Option<Invoice>,
    /// For a credit note, the invoice it corrects.
    pub corrects: Option<Invoice>,
}

/// An invoice the actor may see: the lab's coordinators and the admin, or the woman it is for.
pub async fn invoice_for(store: &Store, actor: &Actor, id: InvoiceId) -> AppResult<InvoiceView> {
    signed_in(actor)?;
    let mut c = store.conn().await?;
    let i = db::invoice(&mut c, id).await?.ok_or(AppError::NotFound)?;
    let hers = i.person_id.is_some() && i.person_id == actor.person_id;
    if !(actor.allows(Action::ManageSpace(i.lab_id)) || hers) {
        return Err(AppError::NotFound);
    }
    Ok(InvoiceView {
        lines: db::lines(&mut c, id).await?,
        payments: db::payments_of(&mut c, id).await?,
        credited_by: db::credit_note_of(&mut c, id).await?,
        corrects: match i.credits_id {
            Some(of) => db::invoice(&mut c, of).await?,
            None => None,
        },
        i,
    })
}

/// Corrects an issued invoice: a credit note for its whole amount (the invoice stays as issued).
pub async fn credit_note(store: &Store, actor: &Actor, id: InvoiceId) -> AppResult<InvoiceId> {
    let InvoiceView { i, lines, .. } = invoice_for(store, actor, id).await?;
    allow(actor, Action::ManageSpace(i.lab_id))?;
    if i.kind != "invoice" {
        return Err(AppError::Conflict("err-space-credit-twice"));
    }
    let mut tx = store.begin().await?;
    if db::credit_note_of(&mut tx, id).await?.is_some() {
        return Err(AppError::Conflict("err-space-credit-twice"));
    }
    let neg: Vec<Line> = lines
        .into_iter()
        .map(|l| Line {
            unit_price: -l.unit_price,
            amount: -l.amount,
            ..l
        })
        .collect();
    let (cid, _) = issue_in(
        &mut tx,
        actor,
        i.lab_id,
        i.person_id,
        i.org_id,
        &i.payer_name,
        &neg,
        Some(id),
        &i.language,
    )
    .await?;
    tx.commit().await?;
    Ok(cid)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PaymentInput {
    pub amount: String,
    pub method: String,
    pub reference: String,
    pub paid_on: String,
}

/// Records a payment (partial or whole) on an invoice; more than is due is refused.
pub async fn record_payment(
    store: &Store,
    actor: &Actor,
    id: InvoiceId,
    f: &PaymentInput,
) -> AppResult<store::space::Payment> {
    let i = invoice_for(store, actor, id).await?.i;
    allow(actor, Action::ManageSpace(i.lab_id))?;
    let mut errs = vec![];
    let amount = match domain::Money::parse_som("amount", &f.amount) {
        Ok(Some(m)) if m.0 > 0 && m.0 <= domain::space::MAX_AMOUNT => Some(m.0),
        Ok(Some(m)) if m.0 > 0 => {
            errs.push(("amount".into(), "err-space-amount-absurd".into()));
            None
        }
        _ => {
            errs.push(("amount".into(), "err-space-amount".into()));
            None
        }
    };
    if PaymentMethod::parse(&f.method).is_none() {
        errs.push(("method".into(), "err-choice".into()));
    }
    let reference = limit("reference", &f.reference, 120, &mut errs);
    let paid_on = if f.paid_on.trim().is_empty() {
        Some(domain::time::today())
    } else {
        crate::services::base::date(
            "paid_on",
            &f.paid_on,
            domain::time::DateSpan::Past,
            &mut errs,
        )
    };
    if i.kind != "invoice" {
        errs.push(("amount".into(), "err-space-credit-note-paid".into()));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let amount = amount.unwrap_or(0);
    let mut tx = store.begin().await?;
    let now_i = db::invoice(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if db::credit_note_of(&mut tx, id).await?.is_some() {
        return Err(crate::services::base::invalid(
            "amount",
            "err-space-invoice-credited",
        ));
    }
    if amount > now_i.due() {
        return Err(crate::services::base::invalid(
            "amount",
            "err-space-overpaid",
        ));
    }
    let pid = db::insert_payment(
        &mut tx,
        &db::NewPayment {
            lab: i.lab_id,
            invoice: id,
            paid_on: paid_on.unwrap_or_default(),
            amount,
            method: f.method.trim(),
            reference: &reference,
            fingerprint: None,
            by: actor.user_id,
        },
    )
    .await?;
    let p = db::payment(&mut tx, pid).await?.ok_or(AppError::NotFound)?;
    commit(
        tx,
        entry(actor, "space.payment", "invoice", id, Some(i.lab_id))
            .with_detail(format!("{amount}")),
    )
    .await?;
    Ok(p)
}

/// The lab's invoices (coordinators and the admin).
pub async fn invoices(store: &Store, actor: &Actor, lab: LabId) -> AppResult<Vec<Invoice>> {
    allow(actor, Action::ManageSpace(lab))?;
    let mut c = store.conn().await?;
    Ok(db::invoices(&mut c, lab).await?)
}

pub async fn payments(store: &Store, actor: &Actor, lab: LabId) -> AppResult<Vec<Payment>> {
    allow(actor, Action::ManageSpace(lab))?;
    let mut c = store.conn().await?;
    Ok(db::payments(&mut c, lab).await?)
}

/// Her invoices (a woman), oldest first.
pub async fn my_invoices(store: &Store, actor: &Actor) -> AppResult<Vec<Invoice>> {
    signed_in(actor)?;
    let Some(p) = actor.person_id else {
        return Ok(vec![]);
    };
    let mut c = store.conn().await?;
    Ok(db::invoices_of_person(&mut c, p).await?)
}

/// A statement of account: every invoice and credit note of a person with what was paid, and
/// the balance owed.
pub async fn statement_of_person(
    store: &Store,
    actor: &Actor,
    lab: LabId,
    person: PersonId,
) -> AppResult<(String, Vec<Invoice>, i64)> {
    allow(actor, Action::ManageSpace(lab))?;
    let mut c = store.conn().await?;
    if db::person_lab(&mut c, person).await? != Some(lab) {
        return Err(AppError::NotFound);
    }
    let name = person_name(&mut c, person).await?;
    let inv = db::invoices_of_person(&mut c, person).await?;
    let owed = inv.iter().map(|i| i.total - i.paid).sum();
    Ok((name, inv, owed))
}

/// A statement of account of an organisation with the lab.
pub async fn statement_of_org(
    store: &Store,
    actor: &Actor,
    lab: LabId,
    org: OrgId,
) -> AppResult<(String, Vec<Invoice>, i64)> {
    allow(actor, Action::ManageSpace(lab))?;
    let mut c = store.conn().await?;
    let o = store::labs::org(&mut c, org)
        .await?
        .ok_or(AppError::NotFound)?;
    let inv: Vec<Invoice> = db::invoices_of_org(&mut c, org)
        .await?
        .into_iter()
        .filter(|i| i.lab_id == lab)
        .collect();
    let owed = inv.iter().map(|i| i.total - i.paid).sum();
    Ok((o.name, inv, owed))
}

/// One line of a statement preview.
#[derive(Debug, Clone, Serialize)]
pub struct StatementRow {
    pub line: usize,
    pub date: NaiveDate,
    pub amount: i64,
    pub purpose: String,
    pub payer: String,
    /// The invoice it pays, when its number is in the purpose.
    pub invoice: Option<String>,
    /// `match`, `recorded` (imported before), `unmatched`, `overpaid`.
    pub state: String,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct StatementPreview {
    pub encoding: String,
    pub rows: Vec<StatementRow>,
    /// Lines not read, with why (line number and a message key).
    pub unread: Vec<(usize, String)>,
    pub recorded: usize,
}

/// Reads a bank statement and matches its incoming lines to the lab's invoices by number in the
/// purpose; with `apply`, records the matched payments (once: each line's fingerprint is kept).
pub async fn import_statement(
    store: &Store,
    actor: &Actor,
    lab: LabId,
    bytes: &[u8],
    apply: bool,
) -> AppResult<StatementPreview> {
    allow(actor, Action::ManageSpace(lab))?;
    let st = documents::statement::read(bytes).map_err(|r| {
        crate::services::base::invalid(
            "file",
            match r {
                documents::statement::Refusal::TooLarge => "err-space-statement-large",
                documents::statement::Refusal::TooManyLines => "err-space-statement-large",
                documents::statement::Refusal::FieldTooLong(_) => "err-space-statement-field",
                documents::statement::Refusal::NoHeader => "err-space-statement-header",
                documents::statement::Refusal::NotCsv => "err-space-statement-csv",
            },
        )
    })?;
    let mut tx = store.begin().await?;
    let open = db::open_invoices(&mut tx, lab).await?;
    let mut due: Vec<(InvoiceId, String, i64)> = open
        .iter()
        .map(|i| (i.id, i.number.clone(), i.due()))
        .collect();
    // Longer numbers first, so OSH-2026-0012 is not read as OSH-2026-001.
    due.sort_by_key(|x| std::cmp::Reverse(x.1.len()));
    let mut out = StatementPreview {
        encoding: st.encoding.to_string(),
        ..Default::default()
    };
    for u in &st.unread {
        let key = match u.problem {
            documents::statement::Problem::BadDate(_) => "err-space-row-date",
            documents::statement::Problem::BadAmount(_) => "err-space-row-amount",
            documents::statement::Problem::Short => "err-space-row-short",
        };
        out.unread.push((u.line, key.into()));
    }
    for l in &st.lines {
        let hit = due.iter_mut().find(|x| l.mentions(&x.1));
        let mut row = StatementRow {
            line: l.line,
            date: l.date,
            amount: l.amount,
            purpose: l.purpose.clone(),
            payer: l.payer.clone(),
            invoice: hit.as_ref().map(|x| x.1.clone()),
            state: "unmatched".into(),
        };
        if db::fingerprint_known(&mut tx, &l.fingerprint).await? {
            row.state = "recorded".into();
        } else if let Some(x) = hit {
            if l.amount > x.2 {
                row.state = "overpaid".into();
            } else {
                row.state = "match".into();
                x.2 -= l.amount;
                if apply {
                    db::insert_payment(
                        &mut tx,
                        &db::NewPayment {
                            lab,
                            invoice: x.0,
                            paid_on: l.date,
                            amount: l.amount,
                            method: PaymentMethod::BankTransfer.code(),
                            reference: &l.document,
                            fingerprint: Some(&l.fingerprint),
                            by: actor.user_id,
                        },
                    )
                    .await?;
                    out.recorded += 1;
                }
            }
        }
        out.rows.push(row);
    }
    if apply {
        commit(
            tx,
            entry(actor, "space.statement.import", "lab", lab, Some(lab))
                .with_detail(format!("{} payments", out.recorded)),
        )
        .await?;
    }
    Ok(out)
}

/// The invoice as a PDF in its language (A4, the same embedded fonts as certificates).
pub fn invoice_pdf(
    lang: crate::i18n::Lang,
    i: &Invoice,
    lines: &[Line],
    payments: &[Payment],
) -> Vec<u8> {
    use documents::record::{Record, Section};
    let t = |k: &str| lang.t(k);
    let money = |v: i64| format!("{} {}", domain::Money(v).som_display(), t("space-som"));
    let heading = if i.kind == "invoice" {
        t("space-invoice")
    } else {
        t("space-credit-note")
    };
    let mut sections = vec![Section {
        title: t("space-lines"),
        entries: lines
            .iter()
            .map(|l| {
                vec![
                    (t("space-line-description"), l.description.clone()),
                    (
                        t("space-line-quantity"),
                        format!("{} × {}", l.quantity, money(l.unit_price)),
                    ),
                    (t("space-line-amount"), money(l.amount)),
                ]
            })
            .collect(),
    }];
    sections.push(Section {
        title: t("space-payments"),
        entries: payments
            .iter()
            .map(|p| {
                vec![
                    (t("space-paid-on"), domain::time::format_date(p.paid_on)),
                    (t("space-amount"), money(p.amount)),
                    (t("space-method"), t(&format!("space-method-{}", p.method))),
                    (t("space-reference"), p.reference.clone()),
                ]
            })
            .collect(),
    });
    sections.push(Section {
        title: t("space-total"),
        entries: vec![vec![
            (t("space-total"), money(i.total)),
            (t("space-paid"), money(i.paid)),
            (t("space-to-pay"), money(i.due())),
        ]],
    });
    documents::record::record_pdf(&Record {
        heading: format!("{heading} {}", i.number),
        intro: vec![
            format!("{}: {}", t("space-seller"), i.seller_name),
            i.seller_details.clone(),
            format!("{}: {}", t("space-payer"), i.payer_name),
            format!(
                "{}: {} · {}: {}",
                t("space-issued-on"),
                domain::time::format_date(i.issued_on),
                t("space-due-on"),
                domain::time::format_date(i.due_on)
            ),
        ],
        empty: "—".into(),
        sections,
    })
}
