//! Seed funding through the real app on SQLite and PostgreSQL: a whole round (call, apply with a
//! team and an attachment, reviews with a conflict, ranking, proposal, awards with a reason,
//! decision, tranches, payments refused twice, a report), who sees what, bad input, the budget
//! under twenty concurrent awards, and the donors' exports.
use crate::common::{PW, TestApp, csrf};
use domain::grants::{ApplicationStatus, CallStatus, Category, CriterionSpec};
use domain::{Actor, ApplicationId, GrantCallId, LabId, LabRole, PersonId, Role, UserId};
use serde_json::Value;
use store::grants as g;
use web::services;

on_both_backends!(
    a_round_end_to_end,
    who_sees_what,
    bad_input_gets_a_message_and_changes_nothing,
    budget_holds_under_twenty_concurrent_awards,
    exports_neutralise_formulas,
    a_network_call_shows_each_lab_its_own,
    a_calls_applications_come_a_page_at_a_time,
);

async fn page(c: &reqwest::Client, url: String) -> (u16, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn post(c: &reqwest::Client, url: String, form: &[(&str, String)]) -> reqwest::Response {
    c.post(url).form(form).send().await.unwrap()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_string()
}

/// The id in a redirect like `/grant-applications/<id>/edit`.
fn id_in(loc: &str, prefix: &str) -> String {
    loc.trim_start_matches(prefix)
        .split('/')
        .next()
        .unwrap()
        .to_string()
}

async fn actor(app: &TestApp, login: &str) -> Actor {
    let mut c = app.db.store.conn().await.unwrap();
    let u = store::users::by_login(&mut c, login)
        .await
        .unwrap()
        .unwrap();
    store::users::actor(&mut c, &u).await.unwrap()
}

async fn uid(app: &TestApp, login: &str) -> UserId {
    actor(app, login).await.user_id.unwrap()
}

/// An active resident of a lab with her own account (login: her phone).
async fn resident(app: &TestApp, lab: LabId, family: &str, given: &str, phone: &str) -> PersonId {
    let admin = actor(app, "admin@test.kg").await;
    let s = &app.db.store;
    let p = match services::register_person(
        s,
        &admin,
        lab,
        &services::PersonInput {
            family_name: family.into(),
            given_name: given.into(),
            phone: phone.into(),
            birth_year: "1995".into(),
            ..Default::default()
        },
        &services::ConsentInput {
            consent: "on".into(),
            ..Default::default()
        },
        domain::ResidencyStatus::Active,
        true,
        web::i18n::Lang::Ky,
    )
    .await
    .unwrap()
    {
        services::RegisterOutcome::Created(id) => id,
        services::RegisterOutcome::Duplicates(_) => unreachable!(),
    };
    let login = domain::Phone::parse(phone).unwrap().as_str().to_string();
    services::create_account(s, None, &login, given, PW, Role::Resident, None, Some(p))
        .await
        .unwrap();
    p
}

async fn reviewer(app: &TestApp, login: &str, lab: LabId) -> UserId {
    services::create_account(
        &app.db.store,
        None,
        login,
        login,
        PW,
        Role::Lab(LabRole::Reviewer),
        Some(lab),
        None,
    )
    .await
    .unwrap()
}

fn crit(name: &str, weight: i64) -> CriterionSpec {
    CriterionSpec {
        name_ky: name.into(),
        name_ru: name.into(),
        name_en: name.into(),
        guidance_ky: "Кеңеш".into(),
        guidance_ru: "Подсказка".into(),
        guidance_en: "Guidance".into(),
        weight,
        max_points: 10,
    }
}

/// A call made in the store (for tests about other things than the call form).
async fn store_call(
    app: &TestApp,
    lab: Option<LabId>,
    budget_som: i64,
    status: CallStatus,
) -> GrantCallId {
    let mut c = app.db.store.conn().await.unwrap();
    let today = domain::time::today();
    let id = g::insert_call(
        &mut c,
        lab,
        &g::CallFields {
            title: "Тест раунду".into(),
            description: String::new(),
            budget: budget_som * 100,
            min_award: som(10_000),
            max_award: som(50_000),
            opens_on: today - chrono::Duration::days(1),
            closes_on: today + chrono::Duration::days(10),
            cohort_id: None,
            criteria: vec![crit("Ишке ашуусу", 3), crit("Чыгармачылык", 1)],
        },
        None,
    )
    .await
    .unwrap();
    let mut now = CallStatus::Draft;
    for next in [CallStatus::Open, CallStatus::Closed] {
        if now == status {
            break;
        }
        assert!(g::set_call_status(&mut c, id, now, next).await.unwrap());
        now = next;
    }
    id
}

/// A submitted application made in the store.
async fn store_application(
    app: &TestApp,
    call: GrantCallId,
    lab: LabId,
    person: PersonId,
    title: &str,
    som: i64,
) -> ApplicationId {
    let mut c = app.db.store.conn().await.unwrap();
    let id = g::insert_application(&mut c, call, person, lab, None)
        .await
        .unwrap();
    g::save_draft(
        &mut c,
        id,
        &g::DraftFields {
            title: title.into(),
            idea: "Идея".into(),
            category: Some(Category::Sewing),
            requested: som * 100,
            own_contribution: 0,
            lines: vec![("Машина".into(), som * 100)],
            team: vec![],
        },
        None,
    )
    .await
    .unwrap();
    g::set_application_status(
        &mut c,
        id,
        ApplicationStatus::Draft,
        ApplicationStatus::Submitted,
    )
    .await
    .unwrap();
    id
}

/// A JPEG-shaped photo whose EXIF block names a place and a phone.
fn photo_with_exif() -> Vec<u8> {
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
        b"Exif\0\0GPSLatitude 40.5283 GPSLongitude 72.7985 owner +996555100200",
    );
    seg(&mut v, 0xDB, &[0u8; 65]);
    seg(&mut v, 0xDA, &[1, 1, 0, 0, 63, 0]);
    v.extend_from_slice(&[0x12, 0x34, 0x56, 0xFF, 0xD9]);
    v
}

/// A multipart body with the CSRF token and one file.
fn multipart(token: &str, name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----wcltestboundary7MA4YWxkTrZu0gW";
    let mut body = vec![];
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{token}\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(
    app: &TestApp,
    c: &reqwest::Client,
    aid: &str,
    name: &str,
    bytes: &[u8],
) -> (u16, String) {
    let (_, form) = page(c, app.url(&format!("/grant-applications/{aid}/edit"))).await;
    let (ct, body) = multipart(&csrf(&form), name, bytes);
    let r = c
        .post(app.url(&format!("/grant-applications/{aid}/attachments")))
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

/// The value of a hidden input named `name` in a page (the first).
fn hidden(html: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let i = html
        .find(&key)
        .unwrap_or_else(|| panic!("no {name} in page"));
    let rest = &html[i + key.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

async fn a_round_end_to_end(app: TestApp) {
    let today = domain::time::today();
    let bermet = resident(&app, app.osh, "Кадырова", "Бермет", "0700 222 444").await;
    let gulnara = resident(&app, app.osh, "Асанова", "Гүлнара", "0700 333 555").await;
    let rev1 = reviewer(&app, "rev1.osh@test.kg", app.osh).await;
    let rev2 = reviewer(&app, "rev2.osh@test.kg", app.osh).await;

    // The coordinator writes the call with two criteria (blank rows are ignored) and opens it.
    let coord = app.signed_in("coord.osh@test.kg").await;
    let (s, form) = page(&coord, app.url("/labs/osh/grants/new")).await;
    assert_eq!(s, 200);
    assert!(form.contains("c6_name_ky"), "six criterion rows");
    let mut fields: Vec<(&str, String)> = vec![
        ("_csrf", csrf(&form)),
        ("title", "Күзгү раунд".into()),
        ("description", "Тигүү жана тамак-аш".into()),
        ("budget", "100 000".into()),
        ("min_award", "20000".into()),
        ("max_award", "50000".into()),
        ("opens_on", today.to_string()),
        (
            "closes_on",
            (today + chrono::Duration::days(14)).to_string(),
        ),
        ("c1_name_ky", "Ишке ашуусу".into()),
        ("c1_name_ru", "Жизнеспособность".into()),
        ("c1_guidance_ru", "Есть ли покупатели?".into()),
        ("c1_weight", "3".into()),
        ("c1_max_points", "10".into()),
        ("c2_name_en", "Creativity".into()),
        ("c2_weight", "1".into()),
        ("c2_max_points", "10".into()),
    ];
    let r = post(&coord, app.url("/labs/osh/grants/new"), &fields).await;
    assert_eq!(r.status(), 303);
    let call = id_in(&location(&r), "/grant-calls/");
    let call_id: GrantCallId = call.parse().unwrap();
    let (_, cp) = page(&coord, app.url(&format!("/grant-calls/{call}"))).await;
    let r = post(
        &coord,
        app.url(&format!("/grant-calls/{call}/status")),
        &[("_csrf", csrf(&cp)), ("to", "open".into())],
    )
    .await;
    assert_eq!(r.status(), 303);
    for u in [rev1, rev2, uid(&app, "mentor.osh@test.kg").await] {
        let r = post(
            &coord,
            app.url(&format!("/grant-calls/{call}/reviewers")),
            &[("_csrf", csrf(&cp)), ("user", u.to_string())],
        )
        .await;
        assert_eq!(r.status(), 303);
    }
    fields.clear();

    // Aizhan applies: a draft with Bermet on her team, finished later.
    let aizhan = app.signed_in("+996555100200").await;
    let (s, hub) = page(&aizhan, app.url("/grants")).await;
    assert_eq!(s, 200);
    assert!(
        hub.contains("Күзгү раунд"),
        "the open call is listed for her"
    );
    let (_, cp) = page(&aizhan, app.url(&format!("/grant-calls/{call}"))).await;
    let r = post(
        &aizhan,
        app.url(&format!("/grant-calls/{call}/apply")),
        &[("_csrf", csrf(&cp))],
    )
    .await;
    assert_eq!(r.status(), 303);
    let aid = id_in(&location(&r), "/grant-applications/");
    let (_, ef) = page(&aizhan, app.url(&format!("/grant-applications/{aid}/edit"))).await;
    assert!(
        ef.contains("Кадырова Бермет"),
        "team candidates are the lab's residents"
    );
    let draft = |action: &str| {
        vec![
            ("_csrf", csrf(&ef)),
            ("title", "Тигүү цехи".to_string()),
            ("idea", "Мектеп формасы\nэки кошунам менен".into()),
            ("category", "sewing".into()),
            ("requested", "50000".into()),
            ("own_contribution", "10000".into()),
            ("line1_item", "Машина".into()),
            ("line1_amount", "35000".into()),
            ("line2_item", "Кездеме".into()),
            ("line2_amount", "15000".into()),
            ("team", bermet.to_string()),
            ("action", action.into()),
        ]
    };
    let r = post(
        &aizhan,
        app.url(&format!("/grant-applications/{aid}/edit")),
        &draft("save"),
    )
    .await;
    assert_eq!(r.status(), 303);
    // Submitting waits for Bermet's confirmation (the draft stays).
    let r = post(
        &aizhan,
        app.url(&format!("/grant-applications/{aid}/edit")),
        &draft("submit"),
    )
    .await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("өз барагында ырасташы керек"),
        "Kyrgyz message"
    );
    // Bermet confirms on her own page.
    let bc = app.signed_in("+996700222444").await;
    let (s, ap) = page(&bc, app.url(&format!("/grant-applications/{aid}"))).await;
    assert_eq!(s, 200);
    let r = post(
        &bc,
        app.url(&format!("/grant-applications/{aid}/confirm")),
        &[("_csrf", csrf(&ap))],
    )
    .await;
    assert_eq!(r.status(), 303);

    // An attachment: the EXIF block is gone; too big and wrong types are refused with a message.
    let (s, _) = upload(&app, &aizhan, &aid, "smeta.jpg", &photo_with_exif()).await;
    assert_eq!(s, 303);
    let mut conn = app.db.store.conn().await.unwrap();
    let atts = g::attachments(&mut conn, aid.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(atts.len(), 1);
    let r = aizhan
        .get(app.url(&format!("/grant-attachments/{}", atts[0].id)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    let bytes = r.bytes().await.unwrap();
    assert!(!bytes.windows(4).any(|w| w == b"Exif"));
    assert!(!bytes.windows(12).any(|w| w == b"+99655510020"));
    let mut big = photo_with_exif();
    big.resize(2 * 1024 * 1024 + 10, 0);
    let (s, body) = upload(&app, &aizhan, &aid, "big.jpg", &big).await;
    assert_eq!(s, 422);
    assert!(body.contains("2 МБ"), "{body}");
    let (s, body) = upload(&app, &aizhan, &aid, "virus.exe", b"MZ\x90\0\x03").await;
    assert_eq!(s, 422);
    assert!(body.contains("JPEG"), "{body}");
    // A name that hides its real ending behind a right-to-left override is refused.
    let (s, body) = upload(
        &app,
        &aizhan,
        &aid,
        "smeta\u{202E}gpj.exe",
        &photo_with_exif(),
    )
    .await;
    assert_eq!(s, 422, "{body}");
    assert!(
        ["көрүнбөгөн", "невидимый", "invisible"]
            .iter()
            .any(|m| body.contains(m)),
        "{body}"
    );
    assert_eq!(
        g::attachments(&mut conn, aid.parse().unwrap())
            .await
            .unwrap()
            .len(),
        1
    );

    let r = post(
        &aizhan,
        app.url(&format!("/grant-applications/{aid}/edit")),
        &draft("submit"),
    )
    .await;
    assert_eq!(r.status(), 303);

    // The coordinator fills one in with Гүлнара (recorded), Bermet applies herself.
    let (_, cp) = page(&coord, app.url(&format!("/grant-calls/{call}"))).await;
    assert!(cp.contains("Асанова Гүлнара"));
    let r = post(
        &coord,
        app.url(&format!("/grant-calls/{call}/apply")),
        &[("_csrf", csrf(&cp)), ("person", gulnara.to_string())],
    )
    .await;
    assert_eq!(r.status(), 303);
    let gid = id_in(&location(&r), "/grant-applications/");
    let (_, gf) = page(&coord, app.url(&format!("/grant-applications/{gid}/edit"))).await;
    let r = post(
        &coord,
        app.url(&format!("/grant-applications/{gid}/edit")),
        &[
            ("_csrf", csrf(&gf)),
            ("title", "Самса".into()),
            ("idea", "Базарга самса".into()),
            ("category", "food".into()),
            ("requested", "40000".into()),
            ("line1_item", "Тандыр".into()),
            ("line1_amount", "40000".into()),
            ("action", "submit".into()),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let ga = g::get_application(&mut conn, gid.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ga.filled_by, Some(uid(&app, "coord.osh@test.kg").await));
    assert_eq!(ga.status, ApplicationStatus::Submitted);
    let (_, cp) = page(&bc, app.url(&format!("/grant-calls/{call}"))).await;
    let r = post(
        &bc,
        app.url(&format!("/grant-calls/{call}/apply")),
        &[("_csrf", csrf(&cp))],
    )
    .await;
    let bid = id_in(&location(&r), "/grant-applications/");
    let (_, bf) = page(&bc, app.url(&format!("/grant-applications/{bid}/edit"))).await;
    let r = post(
        &bc,
        app.url(&format!("/grant-applications/{bid}/edit")),
        &[
            ("_csrf", csrf(&bf)),
            ("title", "Дизайн студия".into()),
            ("idea", "Логотиптер".into()),
            ("category", "design".into()),
            ("requested", "30000".into()),
            ("line1_item", "Ноутбук".into()),
            ("line1_amount", "30000".into()),
            ("action", "submit".into()),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (_, cp) = page(&coord, app.url(&format!("/grant-calls/{call}"))).await;
    let r = post(
        &coord,
        app.url(&format!("/grant-calls/{call}/status")),
        &[("_csrf", csrf(&cp)), ("to", "closed".into())],
    )
    .await;
    assert_eq!(r.status(), 303);

    // Reviews. rev1 knows Гүлнара: she declares it and the application disappears for her.
    let r1 = app.signed_in("rev1.osh@test.kg").await;
    let (s, rp) = page(&r1, app.url(&format!("/grant-calls/{call}"))).await;
    assert_eq!(s, 200);
    let r = post(
        &r1,
        app.url(&format!("/grant-applications/{gid}/conflict")),
        &[("_csrf", csrf(&rp)), ("reason", "Кошунам".into())],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        page(&r1, app.url(&format!("/grant-applications/{gid}")))
            .await
            .0,
        404
    );
    let crits = g::criteria(&mut conn, call_id).await.unwrap();
    let score = |c: &str, a: u8, b: u8, note: &str, action: &str| {
        vec![
            ("_csrf", c.to_string()),
            (leak(format!("points-{}", crits[0].id)), a.to_string()),
            (leak(format!("note-{}", crits[0].id)), note.to_string()),
            (leak(format!("points-{}", crits[1].id)), b.to_string()),
            ("comment", format!("{note} overall")),
            ("action", action.into()),
        ]
    };
    // rev2 submits first.
    let r2 = app.signed_in("rev2.osh@test.kg").await;
    for (x, a, b) in [(&aid, 9, 7), (&gid, 6, 8), (&bid, 5, 5)] {
        let (s, p) = page(&r2, app.url(&format!("/grant-applications/{x}"))).await;
        assert_eq!(s, 200);
        assert!(
            p.contains("Есть ли покупатели?") || p.contains("Кеңеш") || p.contains("Ишке ашуусу")
        );
        let r = post(
            &r2,
            app.url(&format!("/grant-applications/{x}/review")),
            &score(&csrf(&p), a, b, "rev2-note", "submit"),
        )
        .await;
        assert_eq!(r.status(), 303);
    }
    // rev1: out-of-range points are refused and nothing is stored.
    let scores_before = app.count("grant_scores").await;
    let (_, p) = page(&r1, app.url(&format!("/grant-applications/{aid}"))).await;
    assert!(
        !p.contains("rev2-note"),
        "others' scores are hidden before she submits"
    );
    let r = post(
        &r1,
        app.url(&format!("/grant-applications/{aid}/review")),
        &score(&csrf(&p), 11, 5, "rev1", "submit"),
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(app.count("grant_scores").await, scores_before);
    let r = post(
        &r1,
        app.url(&format!("/grant-applications/{aid}/review")),
        &score(&csrf(&p), 8, 6, "rev1", "save"),
    )
    .await;
    assert_eq!(r.status(), 303);
    let (_, p) = page(&r1, app.url(&format!("/grant-applications/{aid}"))).await;
    assert!(
        !p.contains("rev2-note"),
        "a saved draft does not open the others' scores"
    );
    let r = post(
        &r1,
        app.url(&format!("/grant-applications/{aid}/review")),
        &score(&csrf(&p), 8, 6, "rev1", "submit"),
    )
    .await;
    assert_eq!(r.status(), 303);
    let (_, p) = page(&r1, app.url(&format!("/grant-applications/{aid}"))).await;
    assert!(
        p.contains("rev2-note"),
        "after submitting she sees the others"
    );
    let (_, p) = page(&r1, app.url(&format!("/grant-applications/{bid}"))).await;
    let r = post(
        &r1,
        app.url(&format!("/grant-applications/{bid}/review")),
        &score(&csrf(&p), 4, 6, "rev1", "submit"),
    )
    .await;
    assert_eq!(r.status(), 303);

    // Ranking: weighted mean and spread; the proposal fits the budget and the limits.
    let token = app.token("coord.osh@test.kg").await;
    let rk: Value = app
        .client()
        .get(app.url(&format!("/api/v1/grant-calls/{call}/ranking")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rows = rk["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["application_id"], aid.as_str(), "{rk}");
    assert_eq!(rows[0]["reviews"], 2);
    assert!(rows[0]["spread"].as_f64().unwrap() > 0.0);
    let proposed: Vec<i64> = rows.iter().filter_map(|r| r["proposed"].as_i64()).collect();
    assert!(proposed.iter().sum::<i64>() <= som(100_000));
    assert!(
        proposed
            .iter()
            .all(|p| (som(20_000)..=som(50_000)).contains(p)),
        "{proposed:?}"
    );
    assert_eq!(rows[0]["proposed"], som(50_000));
    // The export for donors: scores to two decimals, sheets named in the reader's language.
    let export = |ext: &'static str| {
        let (app, token, call) = (&app, &token, &call);
        async move {
            app.client()
                .get(app.url(&format!("/api/v1/grant-calls/{call}/export.{ext}")))
                .bearer_auth(token)
                .header("accept-language", "ru")
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap()
        }
    };
    let csv = String::from_utf8(export("csv").await.to_vec()).unwrap();
    assert!(
        !csv.split([',', '\n'])
            .any(
                |cell| cell.split_once('.').is_some_and(|(w, f)| !w.is_empty()
                    && w.chars().all(|c| c.is_ascii_digit())
                    && f.trim().len() > 2
                    && f.trim().chars().all(|c| c.is_ascii_digit()))
            ),
        "scores rounded to two decimals: {csv}"
    );
    {
        use calamine::Reader;
        let book =
            calamine::Xlsx::new(std::io::Cursor::new(export("xlsx").await.to_vec())).unwrap();
        assert_eq!(book.sheet_names(), ["Заявки", "Гранты", "Выплаты"]);
    }

    // Awards: as proposed; adjusted needs a reason; past the budget is refused.
    let (s, rpage) = page(&coord, app.url(&format!("/grant-calls/{call}/ranking"))).await;
    assert_eq!(s, 200);
    let tok = csrf(&rpage);
    let award = |x: &str, amount: &str, reason: &str| {
        let (tok, x, amount, reason) = (
            tok.clone(),
            x.to_string(),
            amount.to_string(),
            reason.to_string(),
        );
        let coord = &coord;
        let app = &app;
        async move {
            post(
                coord,
                app.url(&format!("/grant-applications/{x}/award")),
                &[("_csrf", tok), ("amount", amount), ("reason", reason)],
            )
            .await
        }
    };
    assert_eq!(award(&aid, "50000", "").await.status(), 303);
    let r = award(&gid, "35000", "").await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("сунуштан башка экенин"));
    assert_eq!(
        award(&gid, "35000", "Тандыр арзаныраак").await.status(),
        303
    );
    let r = award(&bid, "30000", "Баары").await;
    assert_eq!(
        r.status(),
        422,
        "50 000 + 35 000 + 30 000 would pass 100 000"
    );
    assert!(r.text().await.unwrap().contains("бюджетинен ашып"));
    let cdto: Value = app
        .client()
        .get(app.url(&format!("/api/v1/grant-calls/{call}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cdto["budget"], som(100_000));
    assert_eq!(cdto["awarded"], som(85_000));
    assert_eq!(cdto["left"], som(15_000));
    assert_eq!(cdto["criteria"].as_array().unwrap().len(), 2);

    // Aizhan is on Telegram: the decision, with the coordinator's words, reaches her there.
    {
        let mut c = app.db.store.conn().await.unwrap();
        store::messages::link_telegram(&mut c, app.aizhan, "7001")
            .await
            .unwrap();
        store::messages::set_channel(
            &mut c,
            app.aizhan,
            domain::messages::Channel::Telegram,
            1,
            true,
        )
        .await
        .unwrap();
    }
    let (fake, base) = crate::messages::fakes().await;
    let transports = web::messenger::Transports::from_config(&crate::messages::config(&base));
    web::messenger::run_once(&app.db.store, &transports)
        .await
        .unwrap();
    // The decision: Bermet is declined with a message she sees on her page.
    let r = post(
        &coord,
        app.url(&format!("/grant-calls/{call}/decide")),
        &[
            ("_csrf", tok.clone()),
            ("awarded_message", "Куттуктайбыз!".into()),
            ("declined_message", "Кийинки жолу ийгилик!".into()),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (_, bp) = page(&bc, app.url(&format!("/grant-applications/{bid}"))).await;
    assert!(
        bp.contains("Кийинки жолу ийгилик!"),
        "the declined get a message"
    );
    let (_, ap) = page(&aizhan, app.url(&format!("/grant-applications/{aid}"))).await;
    assert!(ap.contains("Куттуктайбыз!"));
    web::messenger::run_once(&app.db.store, &transports)
        .await
        .unwrap();
    let told: Vec<_> = fake
        .telegram()
        .into_iter()
        .filter(|(chat, t)| chat == "7001" && t.contains("Куттуктайбыз!"))
        .collect();
    assert_eq!(told.len(), 1, "{:?}", fake.telegram());
    assert_eq!(
        g::get_call(&mut conn, call_id)
            .await
            .unwrap()
            .unwrap()
            .status,
        CallStatus::Decided
    );

    // Tranches: they must add up to the award.
    let w = g::award_of(&mut conn, aid.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let (_, ap) = page(&coord, app.url(&format!("/grant-applications/{aid}"))).await;
    // The coordinator reads the decision about her, not the applicant's own banner.
    let own = web::i18n::Lang::Ky.t("grants-decision-awarded");
    assert!(!ap.contains(&own) && !ap.contains("decision-own"), "{ap}");
    assert!(ap.contains("decision-staff"));
    let (_, mine) = page(&aizhan, app.url(&format!("/grant-applications/{aid}"))).await;
    assert!(mine.contains(&own) && !mine.contains("decision-staff"));
    let tok = csrf(&ap);
    let plan = |a: &str, b: &str| {
        vec![
            ("_csrf", tok.clone()),
            ("t1_amount", a.to_string()),
            ("t1_condition", "Келишим".into()),
            ("t2_amount", b.to_string()),
            ("t2_condition", "Биринчи отчёт".into()),
            (
                "t2_due_on",
                (today + chrono::Duration::days(60)).to_string(),
            ),
        ]
    };
    let r = post(
        &coord,
        app.url(&format!("/grant-awards/{}/tranches", w.id)),
        &plan("30000", "10000"),
    )
    .await;
    assert_eq!(r.status(), 422);
    let r = post(
        &coord,
        app.url(&format!("/grant-awards/{}/tranches", w.id)),
        &plan("30000", "20000"),
    )
    .await;
    assert_eq!(r.status(), 303);
    let ts = g::tranches(&mut conn, w.id).await.unwrap();
    assert_eq!(
        ts.iter().map(|t| t.amount).collect::<Vec<_>>(),
        vec![som(30_000), som(20_000)]
    );
    let r = post(
        &coord,
        app.url(&format!("/grant-tranches/{}/release", ts[0].id)),
        &[("_csrf", tok.clone())],
    )
    .await;
    assert_eq!(r.status(), 303);

    // A payment; the same form sent twice is refused and adds nothing; she is told once.
    let before = fake.telegram().len();
    let (_, ap) = page(&coord, app.url(&format!("/grant-applications/{aid}"))).await;
    let key = hidden(&ap, "key");
    let pay = vec![
        ("_csrf", tok.clone()),
        ("key", key),
        ("amount", "30000".to_string()),
        ("paid_on", today.to_string()),
        ("channel", "mobile".into()),
        ("reference", "MBank 5531".into()),
    ];
    let r = post(
        &coord,
        app.url(&format!("/grant-tranches/{}/payments", ts[0].id)),
        &pay,
    )
    .await;
    assert_eq!(r.status(), 303);
    let r = post(
        &coord,
        app.url(&format!("/grant-tranches/{}/payments", ts[0].id)),
        &pay,
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("эки жолу"));
    assert_eq!(app.count("grant_payments").await, 1);
    web::messenger::run_once(&app.db.store, &transports)
        .await
        .unwrap();
    let paid: Vec<_> = fake.telegram()[before..]
        .iter()
        .filter(|(_, t)| t.contains("транш"))
        .cloned()
        .collect();
    assert_eq!(paid.len(), 1, "{paid:?}");
    assert_eq!(paid[0].0, "7001");
    assert!(
        paid[0]
            .1
            .contains(&domain::Money(som(30_000)).som_display()),
        "{}",
        paid[0].1
    );
    // The second tranche is not released: no payment form, and a forged post is refused.
    let r = post(
        &coord,
        app.url(&format!("/grant-tranches/{}/payments", ts[1].id)),
        &[
            ("_csrf", tok.clone()),
            ("key", "abcdefabcdefabcdef12".into()),
            ("amount", "100".into()),
            ("paid_on", today.to_string()),
            ("channel", "cash".into()),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(
        g::ledger_problems(&mut conn, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        g::get_award(&mut conn, w.id).await.unwrap().unwrap().paid,
        som(30_000)
    );

    // Aizhan reports progress; the coordinator asks for more, then accepts the next one.
    let (_, ap) = page(&aizhan, app.url(&format!("/grant-applications/{aid}"))).await;
    let r = post(
        &aizhan,
        app.url(&format!("/grant-awards/{}/reports", w.id)),
        &[
            ("_csrf", csrf(&ap)),
            ("body", "Машиналар алынды".into()),
            ("purchases", "Машина, кездеме".into()),
            ("first_sales", "12000".into()),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let reports = g::reports(&mut conn, w.id).await.unwrap();
    let r = post(
        &coord,
        app.url(&format!("/grant-reports/{}/response", reports[0].id)),
        &[
            ("_csrf", tok.clone()),
            ("decision", "more".into()),
            ("response", "".into()),
        ],
    )
    .await;
    assert_eq!(r.status(), 422, "asking for more says what");
    let r = post(
        &coord,
        app.url(&format!("/grant-reports/{}/response", reports[0].id)),
        &[
            ("_csrf", tok.clone()),
            ("decision", "accept".into()),
            ("response", "Жакшы!".into()),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let reports = g::reports(&mut conn, w.id).await.unwrap();
    assert_eq!(reports[0].status, domain::grants::ReportStatus::Accepted);
    assert_eq!(reports[0].first_sales, som(12_000));

    // The venture the grant funds: a joint initiative of Aizhan and Bermet.
    let v = g::venture_of_award(&mut conn, w.id).await.unwrap().unwrap();
    assert_eq!(v.kind, domain::grants::VentureKind::JointInitiative);
    assert_eq!(v.members.len(), 2);
    let (s, vp) = page(&bc, app.url(&format!("/ventures/{}", v.id))).await;
    assert_eq!(s, 200);
    assert!(vp.contains("Тигүү цехи"));
    let totals = g::award_totals(&app.db.store, Some(&app.osh), today, today)
        .await
        .unwrap();
    assert_eq!(totals.awards, 2);
    assert_eq!(totals.awarded, som(85_000));
    assert_eq!(totals.paid, som(30_000));
    assert_eq!(totals.joint_initiatives, 1);
    // Everything above was audited.
    let audit = store::audit::recent(&mut conn, None, 500).await.unwrap();
    for action in [
        "grant.award",
        "grant.payment",
        "grant_review.conflict",
        "grant_call.decide",
    ] {
        assert!(audit.iter().any(|r| r.action == action), "{action} audited");
    }
}

/// `&'static str` for a test's form field names built at run time.
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

async fn who_sees_what(app: TestApp) {
    let osh_call = store_call(&app, Some(app.osh), 100_000, CallStatus::Open).await;
    let batken_call = store_call(&app, Some(app.batken), 100_000, CallStatus::Open).await;
    let other = resident(&app, app.osh, "Асанова", "Гүлнара", "0700 333 555").await;
    let mine = store_application(&app, osh_call, app.osh, app.aizhan, "Менин ишим", 30_000).await;
    let hers = store_application(&app, osh_call, app.osh, other, "Анын иши", 30_000).await;
    let bw = store_application(
        &app,
        batken_call,
        app.batken,
        app.batken_woman,
        "Баткен",
        30_000,
    )
    .await;
    let rev = reviewer(&app, "rev.osh@test.kg", app.osh).await;
    let mut c = app.db.store.conn().await.unwrap();
    g::add_reviewer(&mut c, osh_call, rev, None).await.unwrap();

    let get = |client: reqwest::Client, path: String| {
        let app = &app;
        async move {
            client
                .get(app.url(&path))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    // One sign-in per account (sign-ins are rate limited per address).
    let mut clients: std::collections::HashMap<&str, reqwest::Client> = Default::default();
    // (login, path, status)
    let cases: Vec<(&str, String, u16)> = vec![
        // The reviewer: her call and its submitted applications; not another call, not the lab.
        ("rev.osh@test.kg", format!("/grant-calls/{osh_call}"), 200),
        (
            "rev.osh@test.kg",
            format!("/grant-applications/{mine}"),
            200,
        ),
        (
            "rev.osh@test.kg",
            format!("/grant-calls/{batken_call}"),
            404,
        ),
        ("rev.osh@test.kg", format!("/grant-applications/{bw}"), 404),
        ("rev.osh@test.kg", "/labs/osh/grants".into(), 404),
        ("rev.osh@test.kg", "/labs/osh/residents".into(), 404),
        (
            "rev.osh@test.kg",
            format!("/grant-calls/{osh_call}/ranking"),
            404,
        ),
        // The applicant: her own, not another woman's.
        ("+996555100200", format!("/grant-applications/{mine}"), 200),
        ("+996555100200", format!("/grant-applications/{hers}"), 404),
        ("+996555100200", format!("/grant-calls/{osh_call}"), 200),
        ("+996555100200", format!("/grant-calls/{batken_call}"), 404),
        (
            "+996555100200",
            format!("/grant-calls/{osh_call}/ranking"),
            404,
        ),
        // Another lab's coordinator: 404 everywhere in Osh.
        (
            "coord.batken@test.kg",
            format!("/grant-calls/{osh_call}"),
            404,
        ),
        (
            "coord.batken@test.kg",
            format!("/grant-applications/{mine}"),
            404,
        ),
        ("coord.batken@test.kg", "/labs/osh/grants".into(), 404),
        (
            "coord.batken@test.kg",
            format!("/grant-calls/{batken_call}"),
            200,
        ),
        (
            "coord.batken@test.kg",
            format!("/grant-applications/{bw}"),
            200,
        ),
        // A mentor of the lab who is not on the panel.
        (
            "mentor.osh@test.kg",
            format!("/grant-calls/{osh_call}"),
            404,
        ),
        (
            "mentor.osh@test.kg",
            format!("/grant-applications/{mine}"),
            404,
        ),
        (
            "coord.osh@test.kg",
            format!("/grant-applications/{hers}"),
            200,
        ),
        ("admin@test.kg", format!("/grant-applications/{bw}"), 200),
    ];
    for (login, path, want) in &cases {
        if !clients.contains_key(login) {
            clients.insert(login, app.signed_in(login).await);
        }
        let client = clients[login].clone();
        assert_eq!(get(client, path.clone()).await, *want, "{login} {path}");
    }
    // A declared conflict hides the application from its reviewer.
    g::declare_conflict(&mut c, rev, hers, "").await.unwrap();
    let r = clients["rev.osh@test.kg"].clone();
    assert_eq!(
        get(r.clone(), format!("/grant-applications/{hers}")).await,
        404
    );
    // A draft is not the panel's.
    let draft = g::insert_application(
        &mut c,
        osh_call,
        resident(&app, app.osh, "Бекова", "Нургүл", "0700 444 666").await,
        app.osh,
        None,
    )
    .await
    .unwrap();
    assert_eq!(get(r, format!("/grant-applications/{draft}")).await, 404);
    // Anonymous: pages go to sign-in, the API answers 401.
    let anon = app.client();
    let resp = anon
        .get(app.url(&format!("/grant-calls/{osh_call}")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert!(location(&resp).starts_with("/login"));
    for path in [
        "/api/v1/grant-calls".to_string(),
        format!("/api/v1/grant-calls/{osh_call}"),
        format!("/api/v1/grant-calls/{osh_call}/export.csv"),
    ] {
        assert_eq!(
            anon.get(app.url(&path)).send().await.unwrap().status(),
            401,
            "{path}"
        );
    }
    // The API: the list holds only what she may see.
    let t = app.token("coord.batken@test.kg").await;
    let list: Value = app
        .client()
        .get(app.url("/api/v1/grant-calls"))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![batken_call.to_string().as_str()]);
    let t = app.token("rev.osh@test.kg").await;
    let list: Value = app
        .client()
        .get(app.url("/api/v1/grant-calls?lab=osh"))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["budget"], som(100_000));
    let r = app
        .client()
        .get(app.url(&format!("/api/v1/grant-calls/{batken_call}")))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

async fn bad_input_gets_a_message_and_changes_nothing(app: TestApp) {
    let coord = app.signed_in("coord.osh@test.kg").await;
    let _ = coord.get(app.url("/lang/ru?next=/")).send().await.unwrap();
    let (_, form) = page(&coord, app.url("/labs/osh/grants/new")).await;
    let r = post(
        &coord,
        app.url("/labs/osh/grants/new"),
        &[
            ("_csrf", csrf(&form)),
            ("title", "Весенний конкурс".into()),
            ("budget", "100000".into()),
            ("min_award", "50000".into()),
            ("max_award", "20000".into()),
            ("opens_on", "2026-12-01".into()),
            ("closes_on", "2026-12-20".into()),
            ("c1_name_ru", "Идея".into()),
            ("c1_weight", "1".into()),
            ("c1_max_points", "10".into()),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("Наибольший грант должен быть не меньше наименьшего"),
        "{body}"
    );
    assert!(body.contains("Весенний конкурс"), "what she typed is kept");
    assert_eq!(app.count("grant_calls").await, 0);

    // An application whose lines do not add up stays a draft, with a message.
    let call = store_call(&app, Some(app.osh), 100_000, CallStatus::Open).await;
    let aizhan = app.signed_in("+996555100200").await;
    let _ = aizhan.get(app.url("/lang/en?next=/")).send().await.unwrap();
    let (_, cp) = page(&aizhan, app.url(&format!("/grant-calls/{call}"))).await;
    let r = post(
        &aizhan,
        app.url(&format!("/grant-calls/{call}/apply")),
        &[("_csrf", csrf(&cp))],
    )
    .await;
    let aid = id_in(&location(&r), "/grant-applications/");
    let (_, ef) = page(&aizhan, app.url(&format!("/grant-applications/{aid}/edit"))).await;
    let r = post(
        &aizhan,
        app.url(&format!("/grant-applications/{aid}/edit")),
        &[
            ("_csrf", csrf(&ef)),
            ("title", "Sewing workshop".into()),
            ("idea", "Uniforms".into()),
            ("category", "sewing".into()),
            ("requested", "30000".into()),
            ("line1_item", "Machine".into()),
            ("line1_amount", "25000".into()),
            ("action", "submit".into()),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("must add up to the amount requested"),
        "{body}"
    );
    assert!(body.contains("Sewing workshop"));
    let mut c = app.db.store.conn().await.unwrap();
    let a = g::get_application(&mut c, aid.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.status, ApplicationStatus::Draft);
    assert_eq!(a.title, "", "a refused form changes nothing");
    // Money typed badly.
    let r = post(
        &aizhan,
        app.url(&format!("/grant-applications/{aid}/edit")),
        &[
            ("_csrf", csrf(&ef)),
            ("requested", "30 000 сом".into()),
            ("action", "save".into()),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    // A second application to the same call is her first one again.
    let r = post(
        &aizhan,
        app.url(&format!("/grant-calls/{call}/apply")),
        &[("_csrf", csrf(&cp))],
    )
    .await;
    assert_eq!(id_in(&location(&r), "/grant-applications/"), aid);
    assert_eq!(app.count("grant_applications").await, 1);
}

async fn budget_holds_under_twenty_concurrent_awards(app: TestApp) {
    let call = store_call(&app, Some(app.osh), 100_000, CallStatus::Open).await;
    let mut apps = vec![];
    for i in 0..20 {
        let phone = format!("0700 500 {:03}", 100 + i);
        let p = resident(&app, app.osh, "Апаева", "Айгерим", &phone).await;
        apps.push(store_application(&app, call, app.osh, p, "Иш", 30_000).await);
    }
    let mut c = app.db.store.conn().await.unwrap();
    g::set_call_status(&mut c, call, CallStatus::Open, CallStatus::Closed)
        .await
        .unwrap();
    let coord = app.signed_in("coord.osh@test.kg").await;
    let (_, rp) = page(&coord, app.url(&format!("/grant-calls/{call}/ranking"))).await;
    let tok = csrf(&rp);
    let mut tasks = vec![];
    for a in apps {
        let coord = coord.clone();
        let url = app.url(&format!("/grant-applications/{a}/award"));
        let tok = tok.clone();
        tasks.push(tokio::spawn(async move {
            let r = coord
                .post(url)
                .form(&[
                    ("_csrf", tok.as_str()),
                    ("amount", "30000"),
                    ("reason", "Бардыгына бирдей"),
                ])
                .send()
                .await
                .unwrap();
            r.status().as_u16()
        }));
    }
    let mut statuses = vec![];
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        3,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 422).count(),
        17,
        "{statuses:?}"
    );
    let k = g::get_call(&mut c, call).await.unwrap().unwrap();
    assert_eq!(k.awarded, som(90_000));
    assert!(g::ledger_problems(&mut c, None).await.unwrap().is_empty());
    assert_eq!(app.count("grant_awards").await, 3);
    assert_eq!(app.count("ventures").await, 3);
}

async fn exports_neutralise_formulas(app: TestApp) {
    let call = store_call(&app, Some(app.osh), 100_000, CallStatus::Open).await;
    store_application(
        &app,
        call,
        app.osh,
        app.aizhan,
        "=HYPERLINK(\"http://evil\",\"x\")",
        30_000,
    )
    .await;
    // Names cannot start like a formula (they are validated), titles and reasons can.
    let other = resident(&app, app.osh, "Асанова", "Гүлнара", "0700 333 555").await;
    store_application(&app, call, app.osh, other, "-2+3", 20_000).await;
    let third = resident(&app, app.osh, "Бекова", "Нургүл", "0700 444 666").await;
    store_application(&app, call, app.osh, third, "@SUM(A1:A9)", 20_000).await;
    let t = app.token("coord.osh@test.kg").await;
    let r = app
        .client()
        .get(app.url(&format!("/api/v1/grant-calls/{call}/export.csv")))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = r.text().await.unwrap();
    assert!(csv.contains("Токтогулова Айжан"), "{csv}");
    for line in csv.lines() {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            let formula = cell.starts_with(['=', '+', '@'])
                || (cell.starts_with('-') && cell[1..].starts_with(|c: char| !c.is_ascii_digit()));
            assert!(!formula, "formula-like cell {cell:?} in {csv}");
        }
    }
    assert!(
        !csv.contains(",=HYPERLINK") && !csv.contains(",\"=HYPERLINK"),
        "{csv}"
    );
    let r = app
        .client()
        .get(app.url(&format!("/api/v1/grant-calls/{call}/export.xlsx")))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "an XLSX is a zip");
    // Exports are for the call's managers, and audited.
    let tr = app.token("+996555100200").await;
    // She sees the call's budget, as on its page, but not the round's totals.
    let list: Value = app
        .client()
        .get(app.url("/api/v1/grant-calls?lab=osh"))
        .bearer_auth(&tr)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let hers = list
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == call.to_string().as_str())
        .expect("the call she may apply to");
    assert!(hers["budget"].is_i64());
    for totals in ["awarded", "left", "paid", "applications"] {
        assert!(hers[totals].is_null(), "{totals}: {hers}");
    }
    let (_, her_page) = page(
        &app.signed_in("+996555100200").await,
        app.url(&format!("/grant-calls/{call}")),
    )
    .await;
    assert!(her_page.contains(&web::i18n::Lang::Ky.t("grants-budget")));
    assert!(!her_page.contains(&web::i18n::Lang::Ky.t("grants-awarded")));
    let r = app
        .client()
        .get(app.url(&format!("/api/v1/grant-calls/{call}/export.csv")))
        .bearer_auth(&tr)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let mut c = app.db.store.conn().await.unwrap();
    let audit = store::audit::recent(&mut c, None, 100).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|r| r.action == "grant_call.export")
            .count(),
        2
    );
}

/// Som in tyiyn.
const fn som(n: i64) -> i64 {
    n * 100
}

/// Every text cell of a workbook, sheet by sheet.
fn xlsx_cells(bytes: &[u8]) -> Vec<String> {
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut out = vec![];
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        out.extend(range.rows().flatten().map(|c| c.to_string()));
    }
    out
}

/// A network call: a lab's coordinator reads the call, and its ranking and exports with the
/// applicants of her lab only (pages and API agree); the admin sees all; another lab's call
/// stays 404; staff who do not run grants see nothing of it.
async fn a_network_call_shows_each_lab_its_own(app: TestApp) {
    let net = store_call(&app, None, 100_000, CallStatus::Closed).await;
    let batken_call = store_call(&app, Some(app.batken), 100_000, CallStatus::Closed).await;
    let osh_app = store_application(&app, net, app.osh, app.aizhan, "Ошто тигүү", 30_000).await;
    let bw_app = store_application(
        &app,
        net,
        app.batken,
        app.batken_woman,
        "Баткенде токуу",
        40_000,
    )
    .await;
    // An award to the Batken woman: it must not reach Osh's export either.
    {
        let admin = actor(&app, "admin@test.kg").await;
        services::grants::award(&app.db.store, &admin, bw_app, "40000", "Тест")
            .await
            .unwrap();
    }
    let api = |login: &'static str, path: String| {
        let app = &app;
        async move {
            let t = app.token(login).await;
            let r = app
                .client()
                .get(app.url(&path))
                .bearer_auth(&t)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
        }
    };
    // The list and the call: the network call is there for both labs' coordinators.
    for login in ["coord.osh@test.kg", "coord.batken@test.kg"] {
        let (s, body) = api(login, "/api/v1/grant-calls".into()).await;
        assert_eq!(s, 200);
        let list: Value = serde_json::from_slice(&body).unwrap();
        assert!(
            list.as_array()
                .unwrap()
                .iter()
                .any(|x| x["id"] == net.to_string().as_str()),
            "{login}: {list}"
        );
        assert_eq!(
            api(login, format!("/api/v1/grant-calls/{net}")).await.0,
            200
        );
    }
    // The ranking: Osh's coordinator gets Osh's row only, and a total of hers.
    let (s, body) = api(
        "coord.osh@test.kg",
        format!("/api/v1/grant-calls/{net}/ranking"),
    )
    .await;
    assert_eq!(s, 200);
    let rk: Value = serde_json::from_slice(&body).unwrap();
    let rows = rk["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{rk}");
    assert_eq!(rows[0]["application_id"], osh_app.to_string().as_str());
    assert_eq!(rk["labs_only"], true);
    let text = rk.to_string();
    assert!(
        !text.contains("Эшимова") && !text.contains("Баткенде"),
        "{text}"
    );
    assert_eq!(
        rk["proposed_total"].as_i64().unwrap(),
        rows[0]["proposed"].as_i64().unwrap_or(0)
    );
    let (_, body) = api(
        "coord.batken@test.kg",
        format!("/api/v1/grant-calls/{net}/ranking"),
    )
    .await;
    let rk: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(rk["rows"].as_array().unwrap().len(), 1, "{rk}");
    assert_eq!(rk["rows"][0]["application_id"], bw_app.to_string().as_str());
    let (_, body) = api(
        "admin@test.kg",
        format!("/api/v1/grant-calls/{net}/ranking"),
    )
    .await;
    let rk: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(rk["rows"].as_array().unwrap().len(), 2, "{rk}");
    assert_eq!(rk["labs_only"], false);
    // The exports: Osh's file holds Osh's applicant only, in every sheet.
    let (s, csv) = api(
        "coord.osh@test.kg",
        format!("/api/v1/grant-calls/{net}/export.csv"),
    )
    .await;
    assert_eq!(s, 200);
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.contains("Токтогулова"), "{csv}");
    assert!(
        !csv.contains("Эшимова") && !csv.contains("Баткенде"),
        "{csv}"
    );
    let (s, x) = api(
        "coord.osh@test.kg",
        format!("/api/v1/grant-calls/{net}/export.xlsx"),
    )
    .await;
    assert_eq!(s, 200);
    let cells = xlsx_cells(&x);
    assert!(cells.iter().any(|c| c.contains("Токтогулова")), "{cells:?}");
    assert!(
        !cells
            .iter()
            .any(|c| c.contains("Эшимова") || c.contains("Баткенде")),
        "{cells:?}"
    );
    // The admin's file has both, and the Batken award.
    let (_, x) = api(
        "admin@test.kg",
        format!("/api/v1/grant-calls/{net}/export.xlsx"),
    )
    .await;
    let cells = xlsx_cells(&x);
    assert!(
        cells.iter().filter(|c| c.contains("Эшимова")).count() >= 2,
        "{cells:?}"
    );
    assert!(cells.iter().any(|c| c.contains("Токтогулова")));
    // Batken's lab call stays Batken's; a mentor runs no grants.
    for path in ["", "/ranking", "/export.csv", "/export.xlsx"] {
        let (s, _) = api(
            "coord.osh@test.kg",
            format!("/api/v1/grant-calls/{batken_call}{path}"),
        )
        .await;
        assert_eq!(s, 404, "{path}");
        let (s, _) = api(
            "mentor.osh@test.kg",
            format!("/api/v1/grant-calls/{net}{path}"),
        )
        .await;
        assert_eq!(s, 404, "mentor {path}");
    }
    // The pages say the same: her lab's row, no award or decision forms, the links to the files.
    let coord = app.signed_in("coord.osh@test.kg").await;
    let (s, html) = page(&coord, app.url(&format!("/grant-calls/{net}/ranking"))).await;
    assert_eq!(s, 200);
    assert!(html.contains("Ошто тигүү"), "{html}");
    assert!(!html.contains("Баткенде") && !html.contains("Эшимова"));
    assert!(
        !html.contains("/award\"") && !html.contains("/decide\""),
        "{html}"
    );
    let (s, html) = page(&coord, app.url(&format!("/grant-calls/{net}"))).await;
    assert_eq!(s, 200);
    assert!(
        html.contains(&format!("/grant-calls/{net}/ranking")),
        "{html}"
    );
    assert!(html.contains(&format!("/api/v1/grant-calls/{net}/export.csv")));
    // The file behind the page's link, with her session.
    let r = coord
        .get(app.url(&format!("/api/v1/grant-calls/{net}/export.csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let csv = r.text().await.unwrap();
    assert!(
        csv.contains("Токтогулова") && !csv.contains("Эшимова"),
        "{csv}"
    );
    let (s, _) = page(
        &coord,
        app.url(&format!("/grant-calls/{batken_call}/ranking")),
    )
    .await;
    assert_eq!(s, 404);
    let admin = app.signed_in("admin@test.kg").await;
    let (s, html) = page(&admin, app.url(&format!("/grant-calls/{net}/ranking"))).await;
    assert_eq!(s, 200);
    assert!(html.contains("Баткенде") && html.contains("Ошто тигүү"));
}

/// A call's applications come 50 a page with the count of all its reader may see: the
/// coordinator every one (drafts too), a reviewer the submitted ones only; a page that does not
/// exist is refused.
async fn a_calls_applications_come_a_page_at_a_time(app: TestApp) {
    let call = store_call(&app, Some(app.osh), 1_000_000, CallStatus::Open).await;
    let mut c = app.db.store.conn().await.unwrap();
    for i in 0..55 {
        let p = store::people::PersonFields {
            family_name: format!("Талапкер{i:02}"),
            given_name: "Айгуль".into(),
            gender: "woman".into(),
            family_support: "unknown".into(),
            ..Default::default()
        };
        let person = store::people::insert(&mut c, app.osh, &p, None)
            .await
            .unwrap();
        let id = g::insert_application(&mut c, call, person, app.osh, None)
            .await
            .unwrap();
        if i % 10 == 0 {
            g::set_application_status(
                &mut c,
                id,
                ApplicationStatus::Draft,
                ApplicationStatus::Submitted,
            )
            .await
            .unwrap();
        }
    }
    let rev = reviewer(&app, "rev.pages@test.kg", app.osh).await;
    g::add_reviewer(&mut c, call, rev, None).await.unwrap();
    drop(c);
    let path = format!("/grant-calls/{call}");
    let en = |who: reqwest::Client, q: &'static str| {
        let url = app.url(&format!("{path}{q}"));
        async move { crate::common::page_in_english(&who, url).await }
    };
    let coord = app.signed_in("coord.osh@test.kg").await;
    let first = en(coord.clone(), "").await;
    assert_eq!(first.matches("Талапкер").count(), 50);
    assert!(first.contains("55 in all · page 1 of 2"), "{first}");
    assert!(first.contains(&format!("{path}?page=1")));
    let second = en(coord.clone(), "?page=1").await;
    assert_eq!(second.matches("Талапкер").count(), 5);
    assert!(second.contains("55 in all · page 2 of 2"));
    assert!(second.contains(&format!("{path}?page=0")));
    // Oldest first, then by id: the two pages together are every application once.
    let names = |html: &str| -> Vec<String> {
        html.match_indices("Талапкер")
            .map(|(i, _)| html[i..i + "Талапкер".len() + 2].to_string())
            .collect()
    };
    let mut all = names(&first);
    all.extend(names(&second));
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 55);
    crate::common::refuses_bad_pages(&coord, &app, &path, 2).await;
    // A reviewer sees the six submitted ones, on one page.
    let r = en(app.signed_in("rev.pages@test.kg").await, "").await;
    assert_eq!(r.matches("Талапкер").count(), 6);
    assert!(r.contains("6 in all · page 1 of 1"));
    assert!(!r.contains("rel=\"next\""));
}
