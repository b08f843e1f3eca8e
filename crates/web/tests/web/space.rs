//! The space and its money: resources with a training prerequisite, bookings (refusals with
//! their reason, one holder per slot under 20 concurrent requests), plans, invoices numbered
//! without gaps under 20 concurrent issues, payments, a bank statement imported twice, and the
//! self-financing ratio moving.
use crate::common::{TestApp, csrf};
use chrono::{Duration, NaiveDate, NaiveTime};
use domain::{Actor, ProgrammeId, ResourceId};
use serde_json::{Value, json};
use web::services::space as svc;

pub struct Space {
    pub coord: Actor,
    /// Needs "Safety at the sewing machine", which Aizhan completed.
    pub sewing: ResourceId,
    /// Needs the embroidery course, which she did not.
    pub embroidery: ResourceId,
    pub safety: ProgrammeId,
}

async fn actor(app: &TestApp, login: &str) -> Actor {
    let mut c = app.db.store.conn().await.unwrap();
    let u = store::users::by_login(&mut c, login)
        .await
        .unwrap()
        .unwrap();
    store::users::actor(&mut c, &u).await.unwrap()
}

fn resource(name: &str, training: Option<ProgrammeId>) -> svc::ResourceInput {
    let open = "09:00-18:00".to_string();
    svc::ResourceInput {
        kind: "equipment".into(),
        name_ky: name.into(),
        capacity: "1".into(),
        mon: open.clone(),
        tue: open.clone(),
        wed: open.clone(),
        thu: open.clone(),
        fri: open.clone(),
        sat: open.clone(),
        sun: open,
        slot_minutes: "60".into(),
        horizon_days: "14".into(),
        max_hours: "4".into(),
        cancel_hours: "2".into(),
        training_id: training.map(|t| t.to_string()).unwrap_or_default(),
        active: "on".into(),
        price_unit: "hour".into(),
        price_alumna: "100".into(),
        price_resident: "50".into(),
        price_outsider: "250".into(),
        ..Default::default()
    }
}

/// Two machines of Osh, each requiring a training; Aizhan holds the first one's certificate.
pub async fn setup(app: &TestApp) -> Space {
    let coord = actor(app, "coord.osh@test.kg").await;
    let s = &app.db.store;
    let mut c = s.conn().await.unwrap();
    let rule = domain::CompletionRule {
        min_attendance_pct: 80,
        final_module_required: false,
    };
    let prog = |title: &'static str| store::training::NewProgramme {
        lab: app.osh,
        cohort: None,
        title,
        description: "",
        rule,
    };
    let safety =
        store::training::insert_programme(&mut c, &prog("Тигүү машинасында коопсуздук"), None)
            .await
            .unwrap();
    let embroidery = store::training::insert_programme(&mut c, &prog("Саймалоо"), None)
        .await
        .unwrap();
    store::training::issue(&mut c, safety, app.aizhan, "email", "h", "s")
        .await
        .unwrap();
    drop(c);
    let sewing = svc::save_resource(
        s,
        &coord,
        app.osh,
        None,
        &resource("Өнөр жай тигүү машинасы", Some(safety)),
    )
    .await
    .unwrap();
    let embroidery = svc::save_resource(
        s,
        &coord,
        app.osh,
        None,
        &resource("Саймалоочу машина", Some(embroidery)),
    )
    .await
    .unwrap();
    Space {
        coord,
        sewing,
        embroidery,
        safety,
    }
}

/// A day three days ahead (inside the 14-day horizon), in Bishkek.
fn ahead(days: i64) -> NaiveDate {
    domain::time::today() + Duration::days(days)
}

fn at(d: NaiveDate, h: u32) -> chrono::DateTime<chrono::Utc> {
    domain::space::at(d, NaiveTime::from_hms_opt(h, 0, 0).unwrap())
}

async fn resources_pages_and_refusals(app: TestApp) {
    let sp = setup(&app).await;
    let resident = app.signed_in("+996555100200").await;
    // Her list of resources and her week view of the machine, on her phone without JavaScript.
    let page = crate::common::get_text(&resident, app.url("/me/bookings")).await;
    assert!(
        page.contains(&format!("/resources/{}", sp.sewing)),
        "{page}"
    );
    let day = ahead(3);
    let page = crate::common::get_text(
        &resident,
        app.url(&format!("/resources/{}?week={day}", sp.sewing)),
    )
    .await;
    assert!(
        page.contains("Тигүү машинасында коопсуздук"),
        "training named"
    );
    // She books 10:00–12:00.
    let token = csrf(&page);
    let r = resident
        .post(app.url(&format!("/resources/{}/book", sp.sewing)))
        .form(&[
            ("_csrf", token.as_str()),
            ("date", &day.to_string()),
            ("start", "10:00"),
            ("minutes", "120"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(app.count("space_bookings").await, 1);
    assert_eq!(app.count("space_slots").await, 2);
    // The machine she is not trained for: refused with the reason in her language (Kyrgyz).
    let r = resident
        .post(app.url(&format!("/resources/{}/book", sp.embroidery)))
        .form(&[
            ("_csrf", token.as_str()),
            ("date", &day.to_string()),
            ("start", "10:00"),
            ("minutes", "60"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let body = r.text().await.unwrap();
    assert!(
        body.contains(&web::i18n::Lang::Ky.t("space-refused-no-training")),
        "{body}"
    );
    // In the past, end before start, closed at night: each refused, nothing saved.
    let api = app.token("+996555100200").await;
    let client = app.client();
    for (s, e, key) in [
        (at(ahead(-1), 10), at(ahead(-1), 11), "space-refused-past"),
        (at(day, 12), at(day, 11), "space-refused-end-before-start"),
        (at(day, 19), at(day, 20), "space-refused-closed"),
        (
            at(ahead(40), 10),
            at(ahead(40), 11),
            "space-refused-beyond-horizon",
        ),
        (at(day, 11), at(day, 12), "space-refused-taken"),
    ] {
        let r = client
            .post(app.url("/api/v1/bookings"))
            .bearer_auth(&api)
            .json(&json!({"resource_id": sp.sewing, "starts_at": s, "ends_at": e}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 409, "{key}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"], key);
    }
    assert_eq!(app.count("space_bookings").await, 1);
    // Availability: her slots are hers; the coordinator's walk-in is taken, with no name.
    let coord_api = app.token("coord.osh@test.kg").await;
    let r = client
        .post(app.url("/api/v1/bookings"))
        .bearer_auth(&coord_api)
        .json(&json!({"resource_id": sp.sewing, "starts_at": at(day, 14), "ends_at": at(day, 15), "walk_in": "Гүлнара Эже"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = client
        .get(app.url(&format!(
            "/api/v1/resources/{}/availability?from={day}&to={day}",
            sp.sewing
        )))
        .bearer_auth(&api)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(!text.contains("Гүлнара"), "names never shown: {text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    let states: Vec<&str> = v[0]["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["state"].as_str().unwrap())
        .collect();
    assert_eq!(states[1], "mine");
    assert_eq!(states[5], "taken");
    assert_eq!(states[0], "free");
    // Her bookings, then she cancels (before the deadline) through the API.
    let v: Value = client
        .get(app.url("/api/v1/me/bookings"))
        .bearer_auth(&api)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mine = v.as_array().unwrap();
    assert_eq!(mine.len(), 1);
    let id = mine[0]["id"].as_str().unwrap().to_string();
    let r = client
        .delete(app.url(&format!("/api/v1/bookings/{id}")))
        .bearer_auth(&api)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        app.count("space_slots").await,
        1,
        "her slots are free again"
    );
    // Resources of the lab in JSON; another lab's coordinator sees none of it.
    let v: Value = client
        .get(app.url("/api/v1/labs/osh/resources"))
        .bearer_auth(&api)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(v[0]["prices"].as_array().unwrap().len(), 3, "{v}");
    let batken = app.signed_in("coord.batken@test.kg").await;
    for path in [
        format!("/resources/{}", sp.sewing),
        format!("/resources/{}/edit", sp.sewing),
        format!("/resources/{}/bookings.ics", sp.sewing),
        "/labs/osh/space".to_string(),
        "/labs/osh/finance".to_string(),
    ] {
        let r = batken.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
    }
    // Staff see the bookings with names in the calendar feed.
    let coord = app.signed_in("coord.osh@test.kg").await;
    let ics = crate::common::get_text(
        &coord,
        app.url(&format!("/resources/{}/bookings.ics", sp.sewing)),
    )
    .await;
    assert!(
        ics.contains("BEGIN:VCALENDAR") && ics.contains("Гүлнара"),
        "{ics}"
    );
    let _ = sp.safety;
}

async fn resource_form_refuses_bad_input(app: TestApp) {
    let coord = app.signed_in("coord.osh@test.kg").await;
    let page = crate::common::get_text(&coord, app.url("/labs/osh/space/resources/new")).await;
    let token = csrf(&page);
    let r = coord
        .post(app.url("/labs/osh/space/resources/new"))
        .form(&[
            ("_csrf", token.as_str()),
            ("kind", "room"),
            ("name_ky", "Зал"),
            ("capacity", "40"),
            ("mon", "18:00-09:00"),
            ("slot_minutes", "60"),
            ("horizon_days", "30"),
            ("max_hours", "8"),
            ("cancel_hours", "24"),
            ("price_unit", "hour"),
            ("price_organisation", "-5"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(
        body.contains(&web::i18n::Lang::Ky.t("err-space-hours")),
        "{body}"
    );
    assert_eq!(app.count("space_resources").await, 0);
    let r = coord
        .post(app.url("/labs/osh/space/resources/new"))
        .form(&[
            ("_csrf", token.as_str()),
            ("kind", "room"),
            ("name_ky", "Чоң зал"),
            ("name_ru", "Большой зал"),
            ("name_en", "Hall"),
            ("capacity", "40"),
            ("mon", "09:00-18:00"),
            ("slot_minutes", "60"),
            ("horizon_days", "30"),
            ("max_hours", "8"),
            ("cancel_hours", "24"),
            ("price_unit", "hour"),
            ("price_organisation", "1500"),
            ("active", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(app.count("space_resources").await, 1);
    assert_eq!(app.count("space_prices").await, 1);
}

/// Twenty requests for one slot at once: exactly one wins, the others hear it is taken.
async fn twenty_concurrent_bookings_one_wins(app: TestApp) {
    let sp = setup(&app).await;
    let token = app.token("coord.osh@test.kg").await;
    let day = ahead(2);
    let mut tasks = vec![];
    for i in 0..20 {
        let client = app.client();
        let url = app.url("/api/v1/bookings");
        let token = token.clone();
        let body = json!({"resource_id": sp.sewing, "starts_at": at(day, 10), "ends_at": at(day, 12), "walk_in": format!("Конок {i}")});
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut codes = vec![];
    for t in tasks {
        codes.push(t.await.unwrap());
    }
    assert_eq!(codes.iter().filter(|c| **c == 201).count(), 1, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == 409).count(), 19, "{codes:?}");
    assert_eq!(app.count("space_bookings").await, 1);
    assert_eq!(app.count("space_slots").await, 2);
}

/// Twenty invoices at once: numbers 1..=20 of the lab's year, none missing, none twice.
async fn twenty_concurrent_invoices_are_gapless(app: TestApp) {
    let coord = actor(&app, "coord.osh@test.kg").await;
    let mut tasks = vec![];
    for i in 0..20 {
        let store = app.db.store.clone();
        let coord = coord.clone();
        let osh = app.osh;
        tasks.push(tokio::spawn(async move {
            svc::issue_invoice(
                &store,
                &coord,
                osh,
                &svc::InvoiceInput {
                    payer_name: format!("Кафе {i}"),
                    item: vec!["hall".into()],
                    description: vec!["Залды ижарага алуу".into()],
                    quantity: vec!["3".into()],
                    unit_price: vec!["1500".into()],
                    ..Default::default()
                },
            )
            .await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let mut c = app.db.store.conn().await.unwrap();
    let mut seqs: Vec<i64> = store::space::invoices(&mut c, app.osh)
        .await
        .unwrap()
        .iter()
        .map(|i| i.seq)
        .collect();
    seqs.sort();
    assert_eq!(seqs, (1..=20).collect::<Vec<i64>>());
    // A refused invoice takes no number.
    let bad = svc::issue_invoice(
        &app.db.store,
        &coord,
        app.osh,
        &svc::InvoiceInput {
            payer_name: "X".into(),
            description: vec!["Y".into()],
            unit_price: vec!["-10".into()],
            ..Default::default()
        },
    )
    .await;
    assert!(matches!(bad, Err(web::error::AppError::Invalid(_))));
    let next = svc::issue_invoice(
        &app.db.store,
        &coord,
        app.osh,
        &svc::InvoiceInput {
            payer_name: "Кафе".into(),
            description: vec!["Зал".into()],
            unit_price: vec!["100".into()],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let i = store::space::invoice(&mut c, next).await.unwrap().unwrap();
    assert_eq!(i.seq, 21);
    assert!(i.number.starts_with("OSH-"), "{}", i.number);
    drop(c);
    // Twenty credit notes for it at once: exactly one corrects it, the others are refused.
    let mut tasks = vec![];
    for _ in 0..20 {
        let store = app.db.store.clone();
        let coord = coord.clone();
        tasks.push(tokio::spawn(async move {
            svc::credit_note(&store, &coord, next).await
        }));
    }
    let mut made = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => made += 1,
            Err(web::error::AppError::Conflict("err-space-credit-twice")) => {}
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!(made, 1);
    let v: Value = app
        .client()
        .get(app.url(&format!("/api/v1/invoices/{next}")))
        .bearer_auth(app.token("coord.osh@test.kg").await)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(v["credited_by"].is_string(), "{v}");
    // A corrected invoice takes no payment, and a statement no longer finds it.
    let before = app.count("space_payments").await;
    let paid = svc::record_payment(
        &app.db.store,
        &coord,
        next,
        &svc::PaymentInput {
            amount: "100".into(),
            method: "cash".into(),
            ..Default::default()
        },
    )
    .await;
    assert!(
        matches!(&paid, Err(web::error::AppError::Invalid(f)) if f[0].1 == "err-space-invoice-credited"),
        "{paid:?}"
    );
    let csv = format!(
        "Дата;Сумма;Назначение платежа;Плательщик\n{};100,00;Оплата по счету {};Кафе\n",
        domain::time::format_date(domain::time::today()),
        i.number,
    );
    let p = svc::import_statement(&app.db.store, &coord, app.osh, csv.as_bytes(), true)
        .await
        .unwrap();
    assert_eq!(p.rows[0].state, "unmatched", "{p:?}");
    assert_eq!(app.count("space_payments").await, before);
    // Her page says which note corrects it and offers neither a payment nor a second note.
    let page = app
        .signed_in("coord.osh@test.kg")
        .await
        .get(app.url(&format!("/invoices/{next}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&web::i18n::Lang::Ky.t("space-credited-by")),
        "{page}"
    );
    assert!(!page.contains(&format!("/invoices/{next}/payments")));
    assert!(!page.contains(&format!("/invoices/{next}/credit")));
    assert!(!page.contains("id=\"due\""), "nothing is left to pay on it");
    // The note names the invoice it corrects, and asks nobody to pay a negative sum.
    let note = {
        let mut c = app.db.store.conn().await.unwrap();
        store::space::credit_note_of(&mut c, next)
            .await
            .unwrap()
            .unwrap()
    };
    let coord_page = app.signed_in("coord.osh@test.kg").await;
    let page =
        crate::common::get_text(&coord_page, app.url(&format!("/invoices/{}", note.id))).await;
    assert!(
        page.contains(&web::i18n::Lang::Ky.t("space-corrects"))
            && page.contains(&format!("/invoices/{next}\"")),
        "{page}"
    );
    assert!(!page.contains("id=\"due\""));
}

/// A coordinator gives Aizhan a plan with its invoice, records a partial payment by hand and
/// the rest from a bank statement (imported twice: recorded once), then sees the ratio move.
async fn plan_invoice_payments_statement_and_ratio(app: TestApp) {
    let sp = setup(&app).await;
    let s = &app.db.store;
    let plan = svc::save_plan(
        s,
        &sp.coord,
        app.osh,
        &svc::PlanInput {
            kind: "monthly".into(),
            name_ky: "Бүтүрүүчүнүн айлык абонементи".into(),
            hours: "2".into(),
            days: "30".into(),
            price: "1200".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let (pp, inv) = svc::assign_plan(
        s,
        &sp.coord,
        app.osh,
        &svc::AssignInput {
            person_id: app.aizhan.to_string(),
            plan_id: plan.to_string(),
            invoice: "on".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let inv = inv.unwrap();
    let _ = pp;
    // Her plan covers two hours: a two-hour booking is free, the next is refused.
    let aizhan = actor(&app, "+996555100200").await;
    let day = ahead(3);
    let req = |h: u32| svc::BookRequest {
        resource: sp.sewing,
        starts_at: at(day, h),
        ends_at: at(day, h + 2),
        ..Default::default()
    };
    svc::book(s, &aizhan, &req(10)).await.unwrap();
    let r = svc::book(s, &aizhan, &req(14)).await;
    assert!(
        matches!(
            r,
            Err(web::error::AppError::Conflict("space-refused-plan-used-up"))
        ),
        "{r:?}"
    );
    // The cost of the month, and no own income yet.
    let month = domain::time::today().format("%Y-%m").to_string();
    svc::add_cost(
        s,
        &sp.coord,
        app.osh,
        &svc::CostInput {
            month: month.clone(),
            category: "rent".into(),
            paid_by: "undp".into(),
            amount: "12000".into(),
            note: String::new(),
        },
    )
    .await
    .unwrap();
    let f = svc::finance(s, &sp.coord, app.osh, None, None)
        .await
        .unwrap();
    assert_eq!(f.months.last().unwrap().ratio_pct, Some(0));
    // Pages: the coordinator records 200 som in cash; 2000 is more than due (422).
    let coord = app.signed_in("coord.osh@test.kg").await;
    let page = crate::common::get_text(&coord, app.url(&format!("/invoices/{inv}"))).await;
    let number = {
        let mut c = s.conn().await.unwrap();
        store::space::invoice(&mut c, inv)
            .await
            .unwrap()
            .unwrap()
            .number
    };
    assert!(page.contains(&number));
    let token = csrf(&page);
    for (amount, status) in [("2000", 422), ("-5", 422), ("200", 303)] {
        let r = coord
            .post(app.url(&format!("/invoices/{inv}/payments")))
            .form(&[
                ("_csrf", token.as_str()),
                ("amount", amount),
                ("method", "cash"),
                ("reference", "квитанция 17"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{amount}");
    }
    assert_eq!(app.count("space_payments").await, 1);
    // The rest (1000 som) arrives by bank transfer: a statement names the invoice.
    let csv = format!(
        "Дата;Сумма;Назначение платежа;Плательщик\n{};1000,00;Оплата по счету {} за абонемент;Токтогулова А.\n{};500,00;Взнос без номера;Иванова\nвчера;12;Ошибка;X\n",
        domain::time::format_date(domain::time::today()),
        number.to_lowercase(),
        domain::time::format_date(domain::time::today()),
    );
    let mut recorded = vec![];
    for apply in [false, true, true] {
        let p = svc::import_statement(s, &sp.coord, app.osh, csv.as_bytes(), apply)
            .await
            .unwrap();
        assert_eq!(p.rows.len(), 2, "{p:?}");
        assert_eq!(p.unread.len(), 1, "{p:?}");
        assert_eq!(p.rows[1].state, "unmatched");
        recorded.push((p.rows[0].state.clone(), p.recorded));
    }
    assert_eq!(
        recorded,
        vec![
            ("match".to_string(), 0),
            ("match".to_string(), 1),
            ("recorded".to_string(), 0)
        ]
    );
    assert_eq!(app.count("space_payments").await, 2);
    // The invoice is paid; the API shows it, the PDF prints in her language.
    let token_api = app.token("+996555100200").await;
    let v: Value = app
        .client()
        .get(app.url(&format!("/api/v1/invoices/{inv}")))
        .bearer_auth(&token_api)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["due"], 0, "{v}");
    assert_eq!(v["payments"].as_array().unwrap().len(), 2);
    let pdf = app
        .client()
        .get(app.url(&format!("/api/v1/invoices/{inv}.pdf")))
        .bearer_auth(&token_api)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 200);
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
    // The ratio moved: 1200 of 12000 som = 10 %.
    let v: Value = app
        .client()
        .get(app.url("/api/v1/labs/osh/finance"))
        .bearer_auth(app.token("coord.osh@test.kg").await)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        v["months"].as_array().unwrap().last().unwrap()["ratio_pct"],
        10,
        "{v}"
    );
    let r = app
        .client()
        .get(app.url("/api/v1/labs/osh/finance"))
        .bearer_auth(&token_api)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "money is for staff");
    let page = crate::common::get_text(&coord, app.url("/labs/osh/finance")).await;
    assert!(page.contains("<svg"), "charts drawn on the server");
    // The public impact page shows the aggregate (no names, no amounts).
    let public = app
        .client()
        .get(app.url("/labs/osh/impact"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        public.contains(&web::i18n::Lang::Ky.t("space-public-title")) && public.contains("10 %"),
        "{public}"
    );
    // A credit note corrects it; the invoice itself is unchanged.
    let cn = svc::credit_note(s, &sp.coord, inv).await.unwrap();
    let mut c = s.conn().await.unwrap();
    let cn = store::space::invoice(&mut c, cn).await.unwrap().unwrap();
    assert_eq!(cn.total, -120000);
    assert_eq!(cn.kind, "credit-note");
    assert!(svc::credit_note(s, &sp.coord, inv).await.is_err());
    // Exports for the accountant.
    for f in ["invoices.csv", "payments.xlsx"] {
        let r = coord
            .get(app.url(&format!("/labs/osh/space/export/{f}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{f}");
    }
}

on_both_backends!(
    resources_pages_and_refusals,
    resource_form_refuses_bad_input,
    twenty_concurrent_bookings_one_wins,
    twenty_concurrent_invoices_are_gapless,
    plan_invoice_payments_statement_and_ratio,
);
