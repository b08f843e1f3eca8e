//! Crowdfunding through the real app on SQLite and PostgreSQL: a campaign from the form to its
//! public page, pledges through the API (a repeated key is one pledge), payments matched from a
//! bank statement (preview, idempotent, unmatched lines listed), spending with a receipt,
//! reversals and the balance, who sees what, bad input, and a reward under twenty concurrent
//! pledges.
use crate::common::{TestApp, csrf};
use domain::Actor;
use domain::crowdfunding::PledgeStatus;
use serde_json::Value;
use store::crowdfunding as cf;
use web::services::crowdfunding as svc;

on_both_backends!(
    campaign_pledge_statement_spend_end_to_end,
    twenty_concurrent_pledges_for_five_left,
    balance_holds_after_reversals,
    who_sees_what,
    bad_input_gets_a_message_and_changes_nothing,
    a_reward_that_is_her_product_credits_her_sale_once,
    all_or_nothing_below_its_goal_refunds_everyone_at_the_close,
);

async fn actor(app: &TestApp, login: &str) -> Actor {
    let mut c = app.db.store.conn().await.unwrap();
    let u = store::users::by_login(&mut c, login)
        .await
        .unwrap()
        .unwrap();
    store::users::actor(&mut c, &u).await.unwrap()
}

fn today() -> chrono::NaiveDate {
    domain::time::today()
}

/// An open campaign of the Osh lab with one reward of `quantity`.
pub(crate) async fn open_campaign(
    app: &TestApp,
    quantity: &str,
) -> (domain::CampaignId, domain::TierId) {
    open_campaign_in(app, quantity, "keep").await
}

async fn open_campaign_in(
    app: &TestApp,
    quantity: &str,
    mode: &str,
) -> (domain::CampaignId, domain::TierId) {
    let coord = actor(app, "coord.osh@test.kg").await;
    let s = &app.db.store;
    let id = svc::create(
        s,
        &coord,
        &svc::CampaignInput {
            lab: app.osh.to_string(),
            title_ky: "Ош лабораториясы".into(),
            title_ru: "Лаборатория в Оше".into(),
            title_en: "The Osh lab".into(),
            story_en: "Twenty-five events and grants.".into(),
            goal: "500000".into(),
            starts_on: (today() - chrono::Days::new(1)).to_string(),
            ends_on: (today() + chrono::Days::new(30)).to_string(),
            mode: mode.into(),
            payment_details: "Optima Bank 1180000012345678".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    svc::set_status(s, &coord, id, "open").await.unwrap();
    let tier = svc::add_tier(
        s,
        &coord,
        id,
        &svc::TierInput {
            title: "Felt toy".into(),
            min_amount: "1500".into(),
            quantity: quantity.into(),
            product: "Айгүл, felt".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    (id, tier)
}

fn pledge_input(amount: &str, tier: Option<domain::TierId>, key: &str) -> svc::PledgeInput {
    svc::PledgeInput {
        name: "Нургуль".into(),
        email: "nurgul@example.kg".into(),
        amount: amount.into(),
        tier: tier.map(|t| t.to_string()).unwrap_or_default(),
        show_name: "on".into(),
        key: key.into(),
        ..Default::default()
    }
}

/// A multipart body with the CSRF token, text fields and one file part.
fn multipart(token: &str, fields: &[(&str, &str)], file: (&str, &[u8])) -> (String, Vec<u8>) {
    let boundary = "----wclcrowdboundary42";
    let mut body = vec![];
    let mut text = |k: &str, v: &str| {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        )
    };
    text("_csrf", token);
    for (k, v) in fields {
        text(k, v);
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"f.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n",
            file.0
        )
        .as_bytes(),
    );
    body.extend_from_slice(file.1);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A JPEG-shaped photo with an EXIF block naming a place.
pub(crate) fn photo_with_exif() -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8];
    let seg = |v: &mut Vec<u8>, marker: u8, data: &[u8]| {
        v.extend_from_slice(&[0xFF, marker]);
        v.extend_from_slice(&((data.len() + 2) as u16).to_be_bytes());
        v.extend_from_slice(data);
    };
    seg(&mut v, 0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    seg(
        &mut v,
        0xE1,
        b"Exif\0\0GPSLatitude 40.5283 GPSLongitude 72.7985",
    );
    seg(&mut v, 0xDB, &[0u8; 65]);
    seg(&mut v, 0xDA, &[1, 1, 0, 0, 63, 0]);
    v.extend_from_slice(&[0x12, 0x34, 0x56, 0xFF, 0xD9]);
    v
}

async fn post_multipart(
    app: &TestApp,
    c: &reqwest::Client,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
    file: (&str, &[u8]),
) -> (u16, String) {
    let form = crate::common::get_text(c, app.url(page)).await;
    let (ct, body) = multipart(&csrf(&form), fields, file);
    let r = c
        .post(app.url(action))
        .header("content-type", ct)
        .header("accept-language", "en")
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

async fn campaign_pledge_statement_spend_end_to_end(app: TestApp) {
    // The coordinator creates the campaign through the form.
    let coord = app.signed_in("coord.osh@test.kg").await;
    let form = coord.get(app.url("/campaigns/new")).send().await.unwrap();
    assert_eq!(form.status(), 200);
    let token = csrf(&form.text().await.unwrap());
    let starts = (today() - chrono::Days::new(1)).to_string();
    let ends = (today() + chrono::Days::new(20)).to_string();
    let r = coord
        .post(app.url("/campaigns/new"))
        .form(&[
            ("_csrf", token.as_str()),
            ("lab", &app.osh.to_string()),
            ("title_ky", "Коопсуз коворкинг"),
            ("title_ru", "Безопасный коворкинг"),
            ("title_en", "A safe coworking space"),
            ("story_en", "Help women of Osh start their businesses."),
            ("goal", "100000"),
            ("starts_on", &starts),
            ("ends_on", &ends),
            ("mode", "keep"),
            ("payment_details", "Optima Bank 1180000012345678"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let id = loc.trim_start_matches("/campaigns/").to_string();
    // A draft: the public cannot see it yet.
    let anon = app.client();
    assert_eq!(anon.get(app.url(&loc)).send().await.unwrap().status(), 404);
    let page = crate::common::get_text(&coord, app.url(&loc)).await;
    let token = csrf(&page);
    let r = coord
        .post(app.url(&format!("{loc}/status")))
        .form(&[("_csrf", token.as_str()), ("status", "open")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = coord
        .post(app.url(&format!("{loc}/tiers")))
        .form(&[
            ("_csrf", token.as_str()),
            ("title", "Felt toy"),
            ("min_amount", "1500"),
            ("quantity", "3"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);

    // The API shows it with its reward.
    let k: Value = anon
        .get(app.url(&format!("/api/v1/campaigns/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(k["goal"], 10_000_000);
    assert_eq!(k["tiers"][0]["remaining"], 3);
    let tier = k["tiers"][0]["id"].as_str().unwrap().to_string();

    // A visitor pledges with a reward; the same key again is the same pledge.
    let body = serde_json::json!({"amount": "2000", "tier": tier, "name": "Нургуль", "email": "nurgul@example.kg",
        "show_name": "on", "message": "Ийгилик!", "key": "form-1"});
    let r = anon
        .post(app.url(&format!("/api/v1/campaigns/{id}/pledges")))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let p: Value = r.json().await.unwrap();
    let reference = p["reference"].as_str().unwrap().to_string();
    assert!(
        p["payment_instructions"]
            .as_str()
            .unwrap()
            .contains("Optima")
    );
    let again: Value = anon
        .post(app.url(&format!("/api/v1/campaigns/{id}/pledges")))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again["reference"], reference.as_str());
    assert_eq!(again["repeated"], true);
    assert_eq!(app.count("pledges").await, 1);
    // A receipt e-mail is queued.
    assert!(app.count("jobs").await >= 1);

    // The visitor's page form works too, and the instructions page shows the reference.
    let page = crate::common::get_text(&anon, app.url(&loc)).await;
    assert!(page.contains("og:image"), "Open Graph tags");
    // The link preview before any money arrived (drawn once, then served as drawn).
    let png_before = anon
        .get(app.url(&format!("{loc}/share.png")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(
        !page.contains("nurgul@example.kg"),
        "no contacts for the public"
    );
    let token = csrf(&page);
    let key = page.split("name=\"key\" value=\"").nth(1).unwrap()[..32].to_string();
    let r = anon
        .post(app.url(&format!("{loc}/pledge")))
        .form(&[
            ("_csrf", token.as_str()),
            ("amount", "500"),
            ("anonymous", "on"),
            ("key", &key),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let instructions = crate::common::get_text(&anon, app.url(&to)).await;
    assert!(instructions.contains("Optima Bank"));
    assert_eq!(app.count("pledges").await, 2);

    // The coordinator previews and imports a statement: one line pays the pledge (the
    // reference typed in lower case with spaces), one is someone else's.
    let csv = format!(
        "Дата;Сумма;Назначение платежа;Плательщик\n{};2 000,00;Пожертвование {} спасибо;Асанова\n{};700,00;Оплата аренды;Кто-то\n",
        domain::time::format_date(today()),
        reference.to_lowercase(),
        domain::time::format_date(today()),
    );
    let (st, html) = post_multipart(
        &app,
        &coord,
        &loc,
        &format!("{loc}/statement"),
        &[("action", "preview")],
        ("statement", csv.as_bytes()),
    )
    .await;
    assert_eq!(st, 200, "{html}");
    assert!(html.contains("statement-report"));
    assert_eq!(
        app.count("campaign_ledger").await,
        0,
        "a preview records nothing"
    );
    let (st, _) = post_multipart(
        &app,
        &coord,
        &loc,
        &format!("{loc}/statement"),
        &[("action", "import")],
        ("statement", csv.as_bytes()),
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(app.count("campaign_ledger").await, 1);
    let (_, html) = post_multipart(
        &app,
        &coord,
        &loc,
        &format!("{loc}/statement"),
        &[("action", "import")],
        ("statement", csv.as_bytes()),
    )
    .await;
    assert_eq!(
        app.count("campaign_ledger").await,
        1,
        "a second import records nothing twice"
    );
    assert!(
        html.contains("Оплата аренды"),
        "the unmatched line is listed"
    );

    // A spend for an event, with its receipt (metadata stripped).
    let event = app.create_event(20, true, "Felt master class").await;
    let (st, html) = post_multipart(
        &app,
        &coord,
        &loc,
        &format!("{loc}/spend"),
        &[
            ("spent_on", &today().to_string()),
            ("amount", "800"),
            ("category", "events"),
            ("description", "Felt and tea for the master class"),
            ("event", &event),
            ("key", "spend-1"),
        ],
        ("receipt", &photo_with_exif()),
    )
    .await;
    assert_eq!(st, 303, "{html}");
    let ledger: Value = anon
        .get(app.url(&format!("/api/v1/campaigns/{id}/ledger")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ledger["totals"]["money_in"], 200_000);
    assert_eq!(ledger["totals"]["money_out"], 80_000);
    assert_eq!(ledger["totals"]["balance"], 120_000);
    let receipt = ledger["rows"][1]["receipt"].as_str().unwrap().to_string();
    let bytes = anon
        .get(receipt.replace(&app.base, &app.url("")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(
        !bytes.windows(11).any(|w| w == b"GPSLatitude"),
        "receipt metadata stripped"
    );
    // The public page shows the balance, where the money went, and the named backer.
    let page = crate::common::get_text(&anon, app.url(&loc)).await;
    assert!(page.contains("1\u{202f}200"), "balance 1 200 som");
    assert!(page.contains("id=\"where\""));
    assert!(page.contains("Нургуль"));
    assert!(page.contains("Felt master class"));
    // The share image.
    let svg = anon
        .get(app.url(&format!("{loc}/share.svg")))
        .send()
        .await
        .unwrap();
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    // What link previews fetch: the PNG the page's og:image names, 1200 × 630.
    assert!(
        page.contains(&format!("{loc}/share.png\"")),
        "og:image is the PNG"
    );
    let png = anon
        .get(app.url(&format!("{loc}/share.png")))
        .send()
        .await
        .unwrap();
    assert_eq!(png.headers()["content-type"], "image/png");
    let png = png.bytes().await.unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    let be = |i: usize| u32::from_be_bytes([png[i], png[i + 1], png[i + 2], png[i + 3]]);
    assert_eq!((be(16), be(20)), (1200, 630), "the IHDR size");
    assert_ne!(png, png_before, "the preview shows the money raised since");
    // The list API.
    let list: Value = anon
        .get(app.url("/api/v1/campaigns"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["backers"], 1);
}

async fn twenty_concurrent_pledges_for_five_left(app: TestApp) {
    let (id, tier) = open_campaign(&app, "5").await;
    let mut tasks = vec![];
    for i in 0..20 {
        let store = app.db.store.clone();
        tasks.push(tokio::spawn(async move {
            svc::pledge(
                &store,
                &Actor::anonymous(),
                id,
                &pledge_input("1500", Some(tier), &format!("k{i}")),
                web::i18n::Lang::Ru,
                "http://x",
            )
            .await
        }));
    }
    let mut ok = 0;
    let mut sold_out = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(web::error::AppError::Invalid(e)) => {
                assert_eq!(e[0].1, "err-crowd-sold-out");
                sold_out += 1
            }
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!((ok, sold_out), (5, 15));
    let mut c = app.db.store.conn().await.unwrap();
    let t = cf::get_tier(&mut c, tier).await.unwrap().unwrap();
    assert_eq!((t.reserved, t.left()), (5, Some(0)));
    assert_eq!(cf::pledges(&mut c, id).await.unwrap().len(), 5);
}

async fn balance_holds_after_reversals(app: TestApp) {
    let (id, tier) = open_campaign(&app, "2").await;
    let s = &app.db.store;
    let coord = actor(&app, "coord.osh@test.kg").await;
    let anon = Actor::anonymous();
    let mut pledges = vec![];
    for (i, amount) in ["1500", "3000", "700"].iter().enumerate() {
        let t = (i < 2).then_some(tier);
        let p = svc::pledge(
            s,
            &anon,
            id,
            &pledge_input(amount, t, &format!("b{i}")),
            web::i18n::Lang::Ky,
            "",
        )
        .await
        .unwrap();
        svc::mark_paid(s, &coord, p.pledge.id, &Default::default())
            .await
            .unwrap();
        pledges.push(p.pledge.id);
    }
    // Paying twice is refused and changes nothing.
    assert!(
        svc::mark_paid(s, &coord, pledges[0], &Default::default())
            .await
            .is_err()
    );
    let spend = |amount: &str, key: &str| svc::SpendInput {
        spent_on: today().to_string(),
        amount: amount.into(),
        category: "materials".into(),
        description: "Felt".into(),
        key: key.into(),
        ..Default::default()
    };
    let a = svc::spend(s, &coord, id, &spend("1000", "s1"), None)
        .await
        .unwrap();
    svc::spend(s, &coord, id, &spend("200", "s2"), None)
        .await
        .unwrap();
    // The same form twice is one row.
    assert!(
        svc::spend(s, &coord, id, &spend("200", "s2"), None)
            .await
            .is_err()
    );
    svc::reverse(s, &coord, a).await.unwrap();
    assert!(
        svc::reverse(s, &coord, a).await.is_err(),
        "one reversal per row"
    );
    svc::refund(s, &coord, pledges[1]).await.unwrap();
    assert!(svc::refund(s, &coord, pledges[1]).await.is_err());
    let mut c = s.conn().await.unwrap();
    let t = cf::totals(&mut c, id).await.unwrap();
    assert_eq!(t.money_in, 150_000 + 70_000);
    assert_eq!(t.money_out, 20_000);
    assert_eq!(t.balance, t.money_in - t.money_out);
    let rows = cf::ledger(&mut c, id).await.unwrap();
    let sum_in: i64 = rows
        .iter()
        .filter(|r| r.direction.code() == "in")
        .map(|r| r.amount)
        .sum();
    let sum_out: i64 = rows
        .iter()
        .filter(|r| r.direction.code() == "out")
        .map(|r| r.amount)
        .sum();
    assert_eq!(t.balance, sum_in - sum_out);
    assert!(cf::ledger_problems(&mut c).await.unwrap().is_empty());
    // The refunded pledge gave its reward back.
    assert_eq!(
        cf::get_tier(&mut c, tier).await.unwrap().unwrap().reserved,
        1
    );
    let p = cf::get_pledge(&mut c, pledges[1]).await.unwrap().unwrap();
    assert_eq!(p.status, PledgeStatus::Refunded);
    // The ledger is append-only in the database itself.
    assert!(
        sqlx::query("UPDATE campaign_ledger SET amount = 1")
            .execute(&mut *c)
            .await
            .is_err()
    );
    assert!(
        sqlx::query("DELETE FROM campaign_ledger")
            .execute(&mut *c)
            .await
            .is_err()
    );
}

async fn who_sees_what(app: TestApp) {
    let (id, _) = open_campaign(&app, "").await;
    let s = &app.db.store;
    let p = svc::pledge(
        s,
        &Actor::anonymous(),
        id,
        &pledge_input("900", None, "w1"),
        web::i18n::Lang::En,
        "",
    )
    .await
    .unwrap();
    let loc = format!("/campaigns/{id}");
    // The campaign's coordinator sees the backers' contacts; the public and another lab do not.
    let own = app.signed_in("coord.osh@test.kg").await;
    let html = crate::common::get_text(&own, app.url(&loc)).await;
    assert!(html.contains("nurgul@example.kg"));
    for login in ["coord.batken@test.kg", "mentor.osh@test.kg"] {
        let other = app.signed_in(login).await;
        let html = crate::common::get_text(&other, app.url(&loc)).await;
        assert!(!html.contains("nurgul@example.kg"), "{login}");
    }
    let batken = actor(&app, "coord.batken@test.kg").await;
    assert!(matches!(
        svc::mark_paid(s, &batken, p.pledge.id, &Default::default()).await,
        Err(web::error::AppError::NotFound)
    ));
    // Paid: the backer gets one receipt, in the language she pledged in, however often it is
    // marked.
    let osh = actor(&app, "coord.osh@test.kg").await;
    svc::mark_paid(s, &osh, p.pledge.id, &Default::default())
        .await
        .unwrap();
    assert!(
        svc::mark_paid(s, &osh, p.pledge.id, &Default::default())
            .await
            .is_err()
    );
    let mails = crate::common::mails_to(&app, "nurgul@example.kg").await;
    let how = mails
        .iter()
        .filter(|(_, b)| b.contains(&p.pledge.reference) && b.contains("/campaigns/"))
        .count();
    assert_eq!(how, 1, "how to pay, once: {mails:?}");
    let receipts: Vec<_> = mails
        .into_iter()
        .filter(|(s, _)| *s == web::i18n::Lang::En.t("msg-pledge-paid-subject"))
        .collect();
    assert_eq!(receipts.len(), 1, "{receipts:?}");
    assert!(
        receipts[0].1.contains("900") && receipts[0].1.contains(&p.pledge.reference),
        "{receipts:?}"
    );
    // Pledged to, it cannot go back to draft; closed, it stays closed.
    let coord = actor(&app, "coord.osh@test.kg").await;
    let refused = svc::set_status(s, &coord, id, "draft").await;
    assert!(
        matches!(&refused, Err(web::error::AppError::Invalid(f)) if f[0].1 == "err-crowd-status-move"),
        "{refused:?}"
    );
    svc::set_status(s, &coord, id, "closed").await.unwrap();
    assert!(svc::set_status(s, &coord, id, "open").await.is_err());
    // A draft answers 404 to another lab's coordinator and to the public.
    let (id, _) = open_campaign(&app, "").await;
    let loc = format!("/campaigns/{id}");
    svc::set_status(s, &coord, id, "draft").await.unwrap();
    let other = app.signed_in("coord.batken@test.kg").await;
    assert_eq!(other.get(app.url(&loc)).send().await.unwrap().status(), 404);
    assert_eq!(
        app.client()
            .get(app.url(&loc))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        app.client()
            .get(app.url(&format!("/api/v1/campaigns/{id}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(own.get(app.url(&loc)).send().await.unwrap().status(), 200);
    // Another lab's coordinator cannot start a campaign for the Osh lab.
    let r = svc::create(
        s,
        &batken,
        &svc::CampaignInput {
            lab: app.osh.to_string(),
            ..Default::default()
        },
    )
    .await;
    assert!(matches!(r, Err(web::error::AppError::NotFound)));
}

async fn bad_input_gets_a_message_and_changes_nothing(app: TestApp) {
    let (id, tier) = open_campaign(&app, "1").await;
    let s = &app.db.store;
    let anon = Actor::anonymous();
    for (amount, key) in [
        ("0", "err-crowd-amount-positive"),
        ("-5", "err-crowd-amount-positive"),
        ("99999999999", "err-crowd-amount-absurd"),
        ("abc", "err-money"),
        ("", "err-required"),
    ] {
        match svc::pledge(
            s,
            &anon,
            id,
            &pledge_input(amount, None, amount),
            web::i18n::Lang::En,
            "",
        )
        .await
        {
            Err(web::error::AppError::Invalid(e)) => assert_eq!(e[0].1, key, "{amount}"),
            other => panic!("{amount}: {other:?}"),
        }
    }
    // Below the reward's amount, then the reward sold out.
    match svc::pledge(
        s,
        &anon,
        id,
        &pledge_input("100", Some(tier), "x1"),
        web::i18n::Lang::En,
        "",
    )
    .await
    {
        Err(web::error::AppError::Invalid(e)) => assert_eq!(e[0].1, "err-crowd-below-tier"),
        other => panic!("{other:?}"),
    }
    svc::pledge(
        s,
        &anon,
        id,
        &pledge_input("1500", Some(tier), "x2"),
        web::i18n::Lang::En,
        "",
    )
    .await
    .unwrap();
    // Through the page: the form again with 422 and the message.
    let c = app.client();
    let loc = format!("/campaigns/{id}");
    let page = crate::common::get_text(&c, app.url(&loc)).await;
    let r = c
        .post(app.url(&format!("{loc}/pledge")))
        .header("accept-language", "en")
        .form(&[
            ("_csrf", csrf(&page).as_str()),
            ("amount", "2000"),
            ("tier", &tier.to_string()),
            ("key", "x3"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("sold out"));
    assert_eq!(app.count("pledges").await, 1);
    // The API: 422 for a zero amount.
    let r = c
        .post(app.url(&format!("/api/v1/campaigns/{id}/pledges")))
        .json(&serde_json::json!({"amount": "0"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(app.count("pledges").await, 1);
    // Photos: wrong type, too large.
    let coord = app.signed_in("coord.osh@test.kg").await;
    let (st, html) = post_multipart(
        &app,
        &coord,
        &loc,
        &format!("{loc}/photos"),
        &[],
        ("file", b"GIF89a not a photo"),
    )
    .await;
    assert_eq!(st, 422);
    assert!(html.contains("JPEG or PNG"));
    let mut big = photo_with_exif();
    big.resize(3 * 1024 * 1024, 0);
    let (st, _) = post_multipart(
        &app,
        &coord,
        &loc,
        &format!("{loc}/photos"),
        &[],
        ("file", &big),
    )
    .await;
    assert_eq!(st, 422);
    assert_eq!(app.count("campaign_files").await, 0);
    let (st, _) = post_multipart(
        &app,
        &coord,
        &loc,
        &format!("{loc}/photos"),
        &[],
        ("file", &photo_with_exif()),
    )
    .await;
    assert_eq!(st, 303);
    // A draft's photo is its staff's alone and no shared cache keeps it; open, it is public.
    let osh = actor(&app, "coord.osh@test.kg").await;
    let draft = svc::create(
        s,
        &osh,
        &svc::CampaignInput {
            lab: app.osh.to_string(),
            title_ky: "Кийиз".into(),
            title_ru: "Войлок".into(),
            title_en: "Felt".into(),
            goal: "100000".into(),
            starts_on: today().to_string(),
            ends_on: (today() + chrono::Days::new(30)).to_string(),
            mode: "keep".into(),
            payment_details: "Optima Bank 1180000012345678".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let photo = svc::add_photo(s, &osh, draft, &photo_with_exif())
        .await
        .unwrap();
    let cache = |c: &reqwest::Client| {
        let url = app.url(&format!("/campaign-files/{photo}"));
        let c = c.clone();
        async move {
            let r = c.get(url).send().await.unwrap();
            (
                r.status().as_u16(),
                r.headers()
                    .get("cache-control")
                    .map(|v| v.to_str().unwrap().to_string()),
            )
        }
    };
    assert_eq!(cache(&coord).await, (200, Some("private, no-store".into())));
    assert_eq!(cache(&app.client()).await.0, 404);
    svc::set_status(s, &osh, draft, "open").await.unwrap();
    let (st, cc) = cache(&app.client()).await;
    assert!(st == 200 && cc.unwrap().starts_with("public"));
    // A statement whose lines name no reference of this campaign records nothing.
    let csv = "Дата;Сумма;Назначение\n01.03.2026;500;CF-ZZZZ-ZZZZ\n";
    let (st, html) = post_multipart(
        &app,
        &coord,
        &loc,
        &format!("{loc}/statement"),
        &[("action", "import")],
        ("statement", csv.as_bytes()),
    )
    .await;
    assert_eq!(st, 200);
    assert!(html.contains("No reference of this campaign"));
    assert_eq!(app.count("campaign_ledger").await, 0);
    // A spending of zero.
    let coord_actor = actor(&app, "coord.osh@test.kg").await;
    let r = svc::spend(
        s,
        &coord_actor,
        id,
        &svc::SpendInput {
            spent_on: today().to_string(),
            amount: "0".into(),
            category: "events".into(),
            description: "x".into(),
            ..Default::default()
        },
        None,
    )
    .await;
    assert!(matches!(r, Err(web::error::AppError::Invalid(_))));
    assert_eq!(app.count("campaign_ledger").await, 0);
}

async fn a_reward_that_is_her_product_credits_her_sale_once(app: TestApp) {
    use web::services::showcase as shop;
    let s = &app.db.store;
    // Aizhan's venture and her felt toy in the showcase.
    let mut c = s.conn().await.unwrap();
    let venture = store::grants::insert_venture(
        &mut c,
        app.osh,
        None,
        "Кийиз",
        domain::grants::VentureKind::Business,
        domain::grants::Category::Handicraft,
        &[app.aizhan],
    )
    .await
    .unwrap();
    drop(c);
    let her = actor(&app, "+996555100200").await;
    shop::save_profile(
        s,
        &her,
        None,
        &shop::ProfileInput {
            display_name: "Айжан".into(),
            venture: venture.to_string(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    shop::add_product(
        s,
        &her,
        None,
        &shop::ProductInput {
            title: "Кийиз оюнчук".into(),
            category: "handicraft".into(),
            price_from: "1500".into(),
            price_to: "1500".into(),
            availability: "to-order".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let product = shop::mine(s, &her, None).await.unwrap().products[0]
        .id
        .clone();
    let (id, _) = open_campaign(&app, "").await;
    let coord = actor(&app, "coord.osh@test.kg").await;
    let tier_input = |product_id: &str| svc::TierInput {
        title: "Her felt toy".into(),
        min_amount: "1500".into(),
        product_id: product_id.into(),
        ..Default::default()
    };
    // Not a product: refused, nothing added.
    let before = app.count("campaign_tiers").await;
    let e = svc::add_tier(s, &coord, id, &tier_input("no-such-product"))
        .await
        .unwrap_err();
    assert!(matches!(e, web::error::AppError::Invalid(ref v) if v[0].1 == "err-crowd-product"));
    assert_eq!(app.count("campaign_tiers").await, before);
    // The reward form offers her product by name, not a number to copy.
    let page = crate::common::get_text(
        &app.signed_in("coord.osh@test.kg").await,
        app.url(&format!("/campaigns/{id}")),
    )
    .await;
    assert!(
        page.contains(&format!(
            "<option value=\"{product}\" >Айжан: Кийиз оюнчук</option>"
        )),
        "the product picker"
    );
    let tier = svc::add_tier(s, &coord, id, &tier_input(&product))
        .await
        .unwrap();
    let mut c = s.conn().await.unwrap();
    let t = cf::get_tier(&mut c, tier).await.unwrap().unwrap();
    assert_eq!(t.product_id.as_deref(), Some(product.as_str()));
    assert_eq!(
        t.product, "Кийиз оюнчук",
        "the label is the product's title"
    );
    drop(c);
    // Two backers: one paid by hand, one from a statement imported twice.
    let mut refs = vec![];
    for key in ["r1", "r2"] {
        let p = svc::pledge(
            s,
            &Actor::anonymous(),
            id,
            &pledge_input("2000", Some(tier), key),
            web::i18n::Lang::Ru,
            "http://x",
        )
        .await
        .unwrap();
        refs.push(p.pledge);
    }
    svc::mark_paid(s, &coord, refs[0].id, &svc::PaidInput::default())
        .await
        .unwrap();
    // Marking again is refused and credits nothing more.
    assert!(
        svc::mark_paid(s, &coord, refs[0].id, &svc::PaidInput::default())
            .await
            .is_err()
    );
    let csv = format!(
        "Дата;Сумма;Назначение платежа\n{};2 000,00;{}\n",
        domain::time::format_date(today()),
        refs[1].reference,
    );
    for _ in 0..2 {
        svc::import_statement(s, &coord, id, csv.as_bytes(), true)
            .await
            .unwrap();
    }
    let sales = shop::sales(s, &her, venture).await.unwrap();
    assert_eq!(sales.len(), 2, "one sale per paid pledge, never twice");
    for sale in &sales {
        assert_eq!(
            sale.channel,
            domain::crowdfunding::SaleChannel::CampaignReward
        );
        assert_eq!(sale.amount, 150_000, "the reward's price");
    }
    // A pledge without her product credits nothing.
    let plain = svc::pledge(
        s,
        &Actor::anonymous(),
        id,
        &pledge_input("500", None, "r3"),
        web::i18n::Lang::Ru,
        "http://x",
    )
    .await
    .unwrap();
    svc::mark_paid(s, &coord, plain.pledge.id, &svc::PaidInput::default())
        .await
        .unwrap();
    assert_eq!(app.count("venture_sales").await, 2);
}

/// All-or-nothing: nothing is spent below the goal; closing below it refunds every paid pledge
/// (rows reversed, rewards given back, each backer told once), the page says so, and a payment
/// that arrives after is refused.
async fn all_or_nothing_below_its_goal_refunds_everyone_at_the_close(app: TestApp) {
    let (id, tier) = open_campaign_in(&app, "5", "all-or-nothing").await;
    let s = &app.db.store;
    let coord = actor(&app, "coord.osh@test.kg").await;
    let anon = Actor::anonymous();
    let mut paid = vec![];
    for (i, amount) in ["1500", "3000", "700"].iter().enumerate() {
        let p = svc::pledge(
            s,
            &anon,
            id,
            &pledge_input(amount, (i < 2).then_some(tier), &format!("a{i}")),
            web::i18n::Lang::En,
            "",
        )
        .await
        .unwrap();
        svc::mark_paid(s, &coord, p.pledge.id, &Default::default())
            .await
            .unwrap();
        paid.push(p.pledge.id);
    }
    let late = svc::pledge(
        s,
        &anon,
        id,
        &pledge_input("900", None, "late"),
        web::i18n::Lang::En,
        "",
    )
    .await
    .unwrap();
    let page = crate::common::get_text(&app.client(), app.url(&format!("/campaigns/{id}"))).await;
    assert!(page.contains("id=\"aon\""), "the promise is on the page");
    // Below the goal, nothing is spent.
    let rows = app.count("campaign_ledger").await;
    let refused = svc::spend(
        s,
        &coord,
        id,
        &svc::SpendInput {
            spent_on: today().to_string(),
            amount: "1000".into(),
            category: "materials".into(),
            description: "Felt".into(),
            key: "aon-spend".into(),
            ..Default::default()
        },
        None,
    )
    .await;
    assert!(
        matches!(&refused, Err(web::error::AppError::Invalid(f)) if f.iter().any(|(_, k)| k == "err-crowd-aon-unfunded")),
        "{refused:?}"
    );
    assert_eq!(app.count("campaign_ledger").await, rows);
    // The close refunds the three paid pledges in the same step.
    svc::set_status(s, &coord, id, "closed").await.unwrap();
    let mut c = s.conn().await.unwrap();
    let t = cf::totals(&mut c, id).await.unwrap();
    assert_eq!((t.money_in, t.balance), (0, 0));
    for p in &paid {
        let p = cf::get_pledge(&mut c, *p).await.unwrap().unwrap();
        assert_eq!(p.status, PledgeStatus::Refunded);
    }
    assert_eq!(
        cf::get_tier(&mut c, tier).await.unwrap().unwrap().reserved,
        0
    );
    assert!(cf::ledger_problems(&mut c).await.unwrap().is_empty());
    drop(c);
    let told: Vec<_> = crate::common::mails_to(&app, "nurgul@example.kg")
        .await
        .into_iter()
        .filter(|(subject, _)| *subject == web::i18n::Lang::En.t("msg-pledge-refunded-subject"))
        .collect();
    assert_eq!(told.len(), 3, "each paid backer told once: {told:?}");
    // A payment arriving after the failed close is refused and changes nothing.
    let refused = svc::mark_paid(s, &coord, late.pledge.id, &Default::default()).await;
    assert!(
        matches!(
            &refused,
            Err(web::error::AppError::Conflict("err-crowd-failed"))
        ),
        "{refused:?}"
    );
    let mut c = s.conn().await.unwrap();
    assert_eq!(cf::totals(&mut c, id).await.unwrap().money_in, 0);
    drop(c);
    let page = crate::common::get_text(&app.client(), app.url(&format!("/campaigns/{id}"))).await;
    assert!(
        page.contains(&web::i18n::Lang::Ky.t("crowd-aon-failed")),
        "the page says everyone was refunded"
    );
    // The late backer's page no longer tells her how to pay.
    let hers = crate::common::get_text(
        &app.client(),
        app.url(&format!(
            "/campaigns/{id}/pledges/{}",
            late.pledge.reference
        )),
    )
    .await;
    assert!(
        hers.contains("id=\"ended\"") && !hers.contains("Optima Bank"),
        "{hers}"
    );
}
