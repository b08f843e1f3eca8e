//! The real app on port 0, on SQLite and PostgreSQL: pages, forms, access rules, the API.
use crate::common::{PW, TestApp, csrf};
use serde_json::{Value, json};

on_both_backends!(
    pages_speak_three_languages,
    sign_in_renews_the_session_and_limits_guessing,
    forms_refuse_cross_site_posts,
    assisted_registration_checks_duplicates_and_keeps_input,
    public_application_reaches_the_intake_queue,
    access_matrix,
    members_are_paginated,
    api_people_with_tokens,
    resident_edits_her_own_profile,
    reading_a_person_is_audited,
);

async fn pages_speak_three_languages(app: TestApp) {
    let c = app.client();
    assert_eq!(
        c.get(app.url("/healthz")).send().await.unwrap().status(),
        200
    );
    for (accept, lang, word) in [
        ("ru-RU,ru;q=0.9", "ru", "Лаборатории"),
        ("en-US", "en", "Labs"),
        ("ky", "ky", "Лабораториялар"),
    ] {
        let r = c
            .get(app.url("/labs"))
            .header("accept-language", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["cache-control"], "no-store");
        let html = r.text().await.unwrap();
        assert!(html.contains(&format!("<html lang=\"{lang}\">")), "{lang}");
        assert!(html.contains(word), "{lang} page lacks {word}");
    }
    // The switcher remembers the choice over Accept-Language.
    let r = c
        .get(app.url("/lang/en?next=/labs"))
        .header("accept-language", "ru")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/labs");
    let html = c
        .get(app.url("/labs"))
        .header("accept-language", "ru")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html lang=\"en\">"));
    // An open redirect is refused.
    let r = c
        .get(app.url("/lang/ky?next=//evil.example"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/");
    // Unknown pages answer 404 in the reader's language.
    let r = c
        .get(app.url("/no/such/page"))
        .header("accept-language", "ky")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

async fn sign_in_renews_the_session_and_limits_guessing(app: TestApp) {
    let c = app.client();
    let page = crate::common::get_text(&c, app.url("/login")).await;
    let token = csrf(&page);
    let bad = c
        .post(app.url("/login"))
        .header("accept-language", "ru")
        .form(&[
            ("_csrf", token.as_str()),
            ("login", "coord.osh@test.kg"),
            ("password", "wrong-password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let html = bad.text().await.unwrap();
    assert!(
        html.contains("Неверный") || html.contains("неверн"),
        "Russian message for a failed sign-in"
    );
    assert!(
        html.contains("value=\"coord.osh@test.kg\""),
        "the typed login is kept"
    );

    let ok = c
        .post(app.url("/login"))
        .form(&[
            ("_csrf", token.as_str()),
            ("login", "COORD.OSH@test.kg"),
            ("password", PW),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 303);
    let cookie = ok
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("wcl_session="));
    let cookie = cookie.expect("a session cookie is set at sign-in");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert_eq!(
        c.get(app.url("/people")).send().await.unwrap().status(),
        200
    );

    // Five wrong passwords for one account, then even the right one waits.
    let other = app.client();
    let t = csrf(
        &other
            .get(app.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    let mut last = 0;
    for _ in 0..6 {
        last = other
            .post(app.url("/login"))
            .form(&[
                ("_csrf", t.as_str()),
                ("login", "mentor.osh@test.kg"),
                ("password", "guess-guess"),
            ])
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
    }
    assert_eq!(last, 429);
    let r = other
        .post(app.url("/login"))
        .form(&[
            ("_csrf", t.as_str()),
            ("login", "mentor.osh@test.kg"),
            ("password", PW),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
}

async fn forms_refuse_cross_site_posts(app: TestApp) {
    let c = app.signed_in("admin@test.kg").await;
    let before = app.count("organisations").await;
    let no_token = c
        .post(app.url("/organisations"))
        .form(&[("name", "X"), ("kind", "ngo")])
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), 403);
    let page = crate::common::get_text(&c, app.url("/organisations")).await;
    let t = csrf(&page);
    let foreign = c
        .post(app.url("/organisations"))
        .header("origin", "https://evil.example")
        .form(&[("_csrf", t.as_str()), ("name", "X"), ("kind", "ngo")])
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403);
    assert_eq!(app.count("organisations").await, before);
    let ok = c
        .post(app.url("/organisations"))
        .header("origin", app.base.as_str())
        .form(&[
            ("_csrf", t.as_str()),
            ("name", "Ош шаарынын мэриясы"),
            ("kind", "local-administration"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 303);
    assert_eq!(app.count("organisations").await, before + 1);
}

async fn assisted_registration_checks_duplicates_and_keeps_input(app: TestApp) {
    let c = app.signed_in("coord.osh@test.kg").await;
    let page = c
        .get(app.url("/people/new"))
        .header("accept-language", "ky")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let t = csrf(&page);
    let people = app.count("people").await;
    let form = |phone: &str, consent: &str, confirm: &str| {
        vec![
            ("_csrf", t.clone()),
            ("lab", "osh".into()),
            ("status", "active".into()),
            ("family_name", "Токтогулова".into()),
            ("given_name", "Айжан".into()),
            ("phone", phone.into()),
            ("birth_year", "1995".into()),
            ("settlement", "rural".into()),
            ("languages", "ky".into()),
            ("languages", "uz".into()),
            ("skills", "sewing".into()),
            ("consent", consent.into()),
            ("not_duplicate", confirm.into()),
        ]
    };
    // Bad phone and no consent: both messages, input kept, nothing saved.
    let r = c
        .post(app.url("/people"))
        .header("accept-language", "ky")
        .form(&form("12ab", "", ""))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("value=\"12ab\""), "typed phone kept");
    assert!(html.contains("id=\"phone-err\""));
    assert!(
        html.contains("value=\"uz\" checked"),
        "ticked languages kept"
    );
    assert_eq!(app.count("people").await, people);
    // A likely duplicate (same name, year within one) is shown before saving.
    let r = c
        .post(app.url("/people"))
        .form(&form("0700 555 666", "on", ""))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains(&format!("/people/{}", app.aizhan))
    );
    assert_eq!(app.count("people").await, people);
    // Confirmed as another woman: saved with consent and an active residency.
    let r = c
        .post(app.url("/people"))
        .form(&form("0700 555 666", "on", "on"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let html = crate::common::get_text(&c, app.url(&loc)).await;
    assert!(html.contains("+996700555666"));
    assert_eq!(app.count("people").await, people + 1);
    assert_eq!(app.count("consents").await, people + 1);
    // Found again by a Latin spelling.
    let html = crate::common::get_text(&c, app.url("/people?q=aijan+toktogulova")).await;
    assert!(
        html.matches("Токтогулова Айжан").count() >= 2,
        "both Aizhans found by a Latin spelling"
    );
}

async fn public_application_reaches_the_intake_queue(app: TestApp) {
    let anon = app.client();
    let page = crate::common::get_text(&anon, app.url("/labs/osh/apply")).await;
    let t = csrf(&page);
    let r = anon
        .post(app.url("/labs/osh/apply"))
        .form(&[
            ("_csrf", t.as_str()),
            ("family_name", "Асанова"),
            ("given_name", "Бурул"),
            ("phone", ""),
            ("consent", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "a phone is required on the public form");
    let r = anon
        .post(app.url("/labs/osh/apply"))
        .form(&[
            ("_csrf", t.as_str()),
            ("family_name", "Асанова"),
            ("given_name", "Бурул"),
            ("phone", "0555 909 808"),
            ("consent", "on"),
            ("motivation", "Тигүүчүлүк"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        anon.get(app.url("/labs/nowhere/apply"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    let c = app.signed_in("coord.osh@test.kg").await;
    let html = crate::common::get_text(&c, app.url("/labs/osh/residents?status=applied")).await;
    assert!(html.contains("Асанова Бурул") && html.contains("Тигүүчүлүк"));
    // Accept her from the queue.
    let i = html.find("/residencies/").unwrap();
    let rid = &html[i + 13..i + 13 + 36];
    let t = csrf(&html);
    let r = c
        .post(app.url(&format!("/residencies/{rid}/transition")))
        .form(&[("_csrf", t.as_str()), ("to", "accepted")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    // A step the path does not allow is refused.
    let r = c
        .post(app.url(&format!("/residencies/{rid}/transition")))
        .form(&[("_csrf", t.as_str()), ("to", "graduated")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    // Batken's coordinator cannot touch it: 404.
    let b = app.signed_in("coord.batken@test.kg").await;
    let bt = csrf(
        &b.get(app.url("/people"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    let r = b
        .post(app.url(&format!("/residencies/{rid}/transition")))
        .form(&[("_csrf", bt.as_str()), ("to", "active")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

/// Makes a GET request as one role.
type Caller<'a> = Box<dyn Fn(&str) -> reqwest::RequestBuilder + 'a>;

const ROLES: [&str; 6] = [
    "anonymous",
    "admin",
    "coordinator Osh",
    "coordinator Batken",
    "mentor Osh",
    "resident",
];

/// Each route as each role: the statuses that differ from the expected ones.
async fn mismatches(
    app: &TestApp,
    routes: &[(String, [u16; 6])],
    callers: &[Caller<'_>],
) -> Vec<String> {
    let mut failures = vec![];
    for (path, expected) in routes {
        for (i, call) in callers.iter().enumerate() {
            let got = call(&app.url(path)).send().await.unwrap().status().as_u16();
            if got != expected[i] {
                failures.push(format!(
                    "{path} as {}: expected {} got {got}",
                    ROLES[i], expected[i]
                ));
            }
        }
    }
    failures
}

/// An open grant call of the Osh lab (its edit page exists only while it is a draft).
async fn grant_call(app: &TestApp, lab: Option<domain::LabId>) -> String {
    let mut c = app.db.store.conn().await.unwrap();
    let today = domain::time::today();
    let call = store::grants::insert_call(
        &mut c,
        lab,
        &store::grants::CallFields {
            title: "Күзгү гранттар".into(),
            description: String::new(),
            budget: som(100_000),
            min_award: som(10_000),
            max_award: som(50_000),
            opens_on: today,
            closes_on: today + chrono::Duration::days(10),
            cohort_id: None,
            criteria: vec![domain::grants::CriterionSpec {
                name_ky: "Ишке ашуусу".into(),
                name_ru: "Жизнеспособность".into(),
                name_en: "Viability".into(),
                guidance_ky: String::new(),
                guidance_ru: String::new(),
                guidance_en: String::new(),
                weight: 1,
                max_points: 10,
            }],
        },
        None,
    )
    .await
    .unwrap();
    store::grants::set_call_status(
        &mut c,
        call,
        domain::grants::CallStatus::Draft,
        domain::grants::CallStatus::Open,
    )
    .await
    .unwrap();
    call.to_string()
}

/// A training session of the osh lab (programme, module, session), for the matrix.
pub(crate) async fn training_session(app: &TestApp) -> String {
    let mut tx = app.db.store.begin().await.unwrap();
    let p = store::training::insert_programme(
        &mut tx,
        &store::training::NewProgramme {
            lab: app.osh,
            cohort: None,
            title: "Тигүү",
            description: "",
            rule: domain::CompletionRule::default(),
        },
        None,
    )
    .await
    .unwrap();
    let m = store::training::add_module(&mut tx, p, domain::Topic::Sewing, "", false)
        .await
        .unwrap();
    let starts = chrono::Utc::now() - chrono::Duration::hours(1);
    let s = store::training::insert_session(
        &mut tx,
        &store::training::NewSession {
            programme: p,
            module: m,
            lab: app.osh,
            starts_at: starts,
            ends_at: starts + chrono::Duration::hours(2),
            room: "Тигүү цехи",
            trainer: "",
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    s.to_string()
}

/// The logins of the matrix's columns after the anonymous one.
pub(crate) const MATRIX_LOGINS: [&str; 5] = [
    "admin@test.kg",
    "coord.osh@test.kg",
    "coord.batken@test.kg",
    "mentor.osh@test.kg",
    "+996555100200",
];

/// Every page route with the status each caller gets: anonymous, admin, coordinator of Osh,
/// coordinator of Batken, mentor of Osh, resident of Osh.
pub(crate) async fn page_matrix(app: &TestApp) -> Vec<(String, [u16; 6])> {
    let aizhan = app.aizhan.to_string();
    let bw = app.batken_woman.to_string();
    let call = grant_call(app, Some(app.osh)).await;
    let network_call = grant_call(app, None).await;
    let (open_campaign, draft_campaign) = campaigns(app).await;
    let session = training_session(app).await;
    let space = crate::space::setup(app).await.sewing;
    let aizhan_residency =
        store::residency::of_person(&mut app.db.store.conn().await.unwrap(), app.aizhan)
            .await
            .unwrap()[0]
            .id;
    vec![
        //                                           anon  admin coord-osh coord-batken mentor-osh resident
        ("/".into(), [200, 200, 200, 200, 200, 200]),
        ("/labs".into(), [200, 200, 200, 200, 200, 200]),
        ("/labs/osh".into(), [200, 200, 200, 200, 200, 200]),
        ("/labs/osh/apply".into(), [200, 200, 200, 200, 200, 200]),
        ("/labs/new".into(), [303, 200, 404, 404, 404, 404]),
        ("/labs/osh/residents".into(), [303, 200, 200, 404, 404, 404]),
        ("/labs/osh/cohorts".into(), [303, 200, 200, 404, 404, 404]),
        ("/people".into(), [303, 200, 200, 200, 404, 404]),
        ("/people?lab=osh".into(), [303, 200, 200, 404, 404, 404]),
        ("/people/new".into(), [303, 200, 200, 200, 404, 404]),
        (format!("/people/{aizhan}"), [303, 200, 200, 404, 404, 404]),
        (
            format!("/people/{aizhan}/edit"),
            [303, 200, 200, 404, 404, 404],
        ),
        (format!("/people/{bw}"), [303, 200, 404, 200, 404, 404]),
        // Her data, her rights: everything kept about her and its erasure, for her lab's
        // coordinators (and the admin); her own read-out from /me.
        (
            format!("/people/{aizhan}/export.json"),
            [303, 200, 200, 404, 404, 404],
        ),
        (
            format!("/people/{aizhan}/export.pdf"),
            [303, 200, 200, 404, 404, 404],
        ),
        (
            format!("/people/{aizhan}/erase"),
            [303, 200, 200, 404, 404, 404],
        ),
        ("/me/export.json".into(), [303, 404, 404, 404, 404, 200]),
        ("/me/export.pdf".into(), [303, 404, 404, 404, 404, 200]),
        // A malformed id answers 404 to everyone, signed in or not (like /verify below).
        ("/people/not-an-id".into(), [404, 404, 404, 404, 404, 404]),
        ("/organisations".into(), [303, 200, 404, 404, 404, 404]),
        ("/admin/users".into(), [303, 200, 404, 404, 404, 404]),
        ("/admin/audit".into(), [303, 200, 404, 404, 404, 404]),
        // Staff have no profile: /me leads them to their account page.
        ("/me".into(), [303, 303, 303, 303, 303, 200]),
        ("/account".into(), [303, 200, 200, 200, 200, 200]),
        ("/password/forgot".into(), [200, 200, 200, 200, 200, 200]),
        ("/invite/not-a-token".into(), [404, 404, 404, 404, 404, 404]),
        (
            "/password/reset/not-a-token".into(),
            [404, 404, 404, 404, 404, 404],
        ),
        ("/events".into(), [200, 200, 200, 200, 200, 200]),
        ("/labs/osh/events".into(), [200, 200, 200, 200, 200, 200]),
        (
            "/labs/osh/events/new".into(),
            [303, 200, 200, 404, 404, 404],
        ),
        ("/labs/osh/members".into(), [303, 200, 200, 404, 404, 404]),
        (
            "/labs/osh/programmes".into(),
            [303, 200, 200, 404, 404, 404],
        ),
        ("/labs/osh/schedule".into(), [303, 200, 200, 404, 200, 404]),
        ("/me/schedule".into(), [303, 404, 404, 404, 404, 200]),
        // A session: its sheet for whoever takes attendance, its edit page for training staff.
        (
            format!("/sessions/{session}/attendance"),
            [303, 200, 200, 404, 200, 404],
        ),
        (
            format!("/sessions/{session}/edit"),
            [303, 200, 200, 404, 404, 404],
        ),
        (
            "/sessions/not-an-id/edit".into(),
            [404, 404, 404, 404, 404, 404],
        ),
        ("/labs/osh/mentoring".into(), [303, 200, 200, 404, 404, 404]),
        ("/mentoring".into(), [303, 404, 404, 404, 200, 404]),
        ("/me/mentoring".into(), [303, 404, 404, 404, 404, 200]),
        // Surveys: the lab's coordinators and the admin; her own on /me/surveys.
        ("/labs/osh/surveys".into(), [303, 200, 200, 404, 404, 404]),
        // The package: the lab's coordinators and the admin; the library and the wizard: admin.
        ("/labs/osh/package".into(), [303, 200, 200, 404, 404, 404]),
        ("/network/packages".into(), [303, 200, 404, 404, 404, 404]),
        ("/network/labs/new".into(), [303, 200, 404, 404, 404, 404]),
        (
            "/labs/osh/surveys/import".into(),
            [303, 200, 200, 404, 404, 404],
        ),
        ("/me/surveys".into(), [303, 404, 404, 404, 404, 200]),
        (
            format!("/people/{aizhan}/surveys"),
            [303, 200, 200, 404, 404, 404],
        ),
        (
            format!("/people/{bw}/surveys"),
            [303, 200, 404, 200, 404, 404],
        ),
        // Support cases: case workers only; not even the network admin.
        ("/support".into(), [303, 404, 404, 404, 404, 404]),
        ("/support/new?q=ova".into(), [303, 404, 404, 404, 404, 404]),
        // The decline step of an application: her lab's coordinators and the admin (an active
        // residency can no longer be declined: 409); nobody else learns that it exists.
        (
            format!("/residencies/{aizhan_residency}/decline"),
            [303, 409, 409, 404, 404, 404],
        ),
        // This app has no case key configured: her page says so (409) rather than showing nothing.
        ("/me/support".into(), [303, 404, 404, 404, 404, 409]),
        ("/verify/not-an-id".into(), [404, 404, 404, 404, 404, 404]),
        // Impact: public aggregates for everyone; the dashboard and names for the lab's staff.
        ("/impact".into(), [200, 200, 200, 200, 200, 200]),
        ("/labs/osh/impact".into(), [200, 200, 200, 200, 200, 200]),
        ("/impact/dashboard".into(), [303, 200, 200, 200, 404, 404]),
        (
            "/impact/dashboard?lab=osh".into(),
            [303, 200, 200, 404, 404, 404],
        ),
        (
            "/impact/export.csv?lab=osh".into(),
            [303, 200, 200, 404, 404, 404],
        ),
        (
            "/labs/osh/positive-deviance".into(),
            [303, 200, 200, 404, 404, 404],
        ),
        (
            format!("/people/{aizhan}/outcomes"),
            [303, 200, 200, 404, 404, 404],
        ),
        ("/me/outcomes".into(), [303, 404, 404, 404, 404, 200]),
        // Her showcase kept for her: her lab's coordinators (and she herself).
        (
            format!("/people/{aizhan}/showcase"),
            [303, 200, 200, 404, 404, 200],
        ),
        // What a positive deviant woman does differently: her lab's coordinators write it down;
        // the practices across labs (no names) are for coordinators and the admin.
        (
            format!("/people/{aizhan}/practice"),
            [303, 200, 200, 404, 404, 404],
        ),
        ("/practices".into(), [303, 200, 200, 200, 404, 404]),
        // Seed funding: the lab's rounds for its coordinators; a call for them and the women it
        // is open to; the ranking for the coordinators only.
        ("/grants".into(), [303, 200, 200, 200, 200, 200]),
        ("/grants/new".into(), [303, 200, 404, 404, 404, 404]),
        ("/labs/osh/grants".into(), [303, 200, 200, 404, 404, 404]),
        (
            "/labs/osh/grants/new".into(),
            [303, 200, 200, 404, 404, 404],
        ),
        (
            format!("/grant-calls/{call}"),
            [303, 200, 200, 404, 404, 200],
        ),
        (
            format!("/grant-calls/{call}/ranking"),
            [303, 200, 200, 404, 404, 404],
        ),
        (
            format!("/grant-calls/{call}/edit"),
            [303, 404, 404, 404, 404, 404],
        ),
        // A network call: every lab's coordinators read it and its ranking, with the rows of
        // their own labs' applicants only (grants.rs checks the rows).
        (
            format!("/grant-calls/{network_call}"),
            [303, 200, 200, 200, 404, 200],
        ),
        (
            format!("/grant-calls/{network_call}/ranking"),
            [303, 200, 200, 200, 404, 404],
        ),
        (
            "/grant-calls/not-an-id".into(),
            [404, 404, 404, 404, 404, 404],
        ),
        // The space and its money (issue 15).
        ("/labs/osh/space".into(), [303, 200, 200, 404, 404, 404]),
        (
            "/labs/osh/space/resources/new".into(),
            [303, 200, 200, 404, 404, 404],
        ),
        ("/labs/osh/invoices".into(), [303, 200, 200, 404, 404, 404]),
        (
            "/labs/osh/space/statement".into(),
            [303, 200, 200, 404, 404, 404],
        ),
        (
            "/labs/osh/space/export/invoices.csv".into(),
            [303, 200, 200, 404, 404, 404],
        ),
        ("/labs/osh/finance".into(), [303, 200, 200, 404, 404, 404]),
        (
            format!("/resources/{space}"),
            [303, 200, 200, 404, 200, 200],
        ),
        (
            format!("/resources/{space}/edit"),
            [303, 200, 200, 404, 404, 404],
        ),
        (
            format!("/resources/{space}/bookings.ics"),
            [303, 200, 200, 404, 404, 404],
        ),
        (
            "/resources/not-an-id".into(),
            [404, 404, 404, 404, 404, 404],
        ),
        ("/me/bookings".into(), [303, 200, 200, 200, 200, 200]),
        ("/network/space".into(), [303, 200, 404, 404, 404, 404]),
        (
            "/grant-applications/not-an-id".into(),
            [404, 404, 404, 404, 404, 404],
        ),
        // Messages: her channels and history on /me; what was sent to her for her lab's
        // coordinators; the lab's group messages for them; paper to print.
        ("/me/channels".into(), [303, 404, 404, 404, 404, 200]),
        ("/me/messages".into(), [303, 404, 404, 404, 404, 200]),
        (
            format!("/people/{aizhan}/messages"),
            [303, 200, 200, 404, 404, 404],
        ),
        ("/labs/osh/messages".into(), [303, 200, 200, 404, 404, 404]),
        (
            format!("/sessions/{session}/attendance.pdf"),
            [303, 200, 200, 404, 200, 404],
        ),
        ("/labs/osh/apply.pdf".into(), [200, 200, 200, 200, 200, 200]),
        // Crowdfunding: campaigns are public, a draft only for its lab's coordinators.
        ("/campaigns".into(), [200, 200, 200, 200, 200, 200]),
        ("/campaigns/new".into(), [303, 200, 200, 200, 404, 404]),
        (
            format!("/campaigns/{open_campaign}"),
            [200, 200, 200, 200, 200, 200],
        ),
        (
            format!("/campaigns/{draft_campaign}"),
            [404, 200, 200, 404, 404, 404],
        ),
        (
            "/campaigns/not-an-id".into(),
            [404, 404, 404, 404, 404, 404],
        ),
    ]
}

/// An open and a draft campaign of the Osh lab, with a reward (for the access matrix).
async fn campaigns(app: &TestApp) -> (String, String) {
    let mut c = app.db.store.conn().await.unwrap();
    let today = domain::time::today();
    let new = |title: &str| store::crowdfunding::NewCampaign {
        lab_id: Some(app.osh),
        titles: [title.into(), title.into(), title.into()],
        stories: ["Баян".into(), "История".into(), "Story".into()],
        goal: som(100_000),
        starts_on: today,
        ends_on: today + chrono::Duration::days(10),
        ..Default::default()
    };
    let open = store::crowdfunding::create_campaign(&mut c, &new("Коворкинг"))
        .await
        .unwrap();
    store::crowdfunding::set_status(
        &mut c,
        open,
        domain::crowdfunding::CampaignStatus::Draft,
        domain::crowdfunding::CampaignStatus::Open,
    )
    .await
    .unwrap();
    store::crowdfunding::add_tier(
        &mut c,
        open,
        &store::crowdfunding::NewTier {
            title: "Кийиз оюнчук",
            description: "",
            min_amount: som(1_500),
            quantity: Some(5),
            product: "",
            product_id: None,
        },
    )
    .await
    .unwrap();
    let draft = store::crowdfunding::create_campaign(&mut c, &new("Долбоор"))
        .await
        .unwrap();
    (open.to_string(), draft.to_string())
}

/// Every page route × role: anonymous are sent to sign in, another lab's staff get 404.
async fn access_matrix(app: TestApp) {
    let routes = page_matrix(&app).await;
    let aizhan = app.aizhan.to_string();
    let bw = app.batken_woman.to_string();
    // The grant calls the page matrix opened: Osh's, then the network's.
    let calls: Vec<String> = routes
        .iter()
        .filter_map(|(r, _)| r.strip_prefix("/grant-calls/")?.strip_suffix("/ranking"))
        .map(str::to_string)
        .collect();
    let (call, network_call) = (calls[0].clone(), calls[1].clone());
    let mut clients = vec![app.client()];
    for login in MATRIX_LOGINS {
        clients.push(app.signed_in(login).await);
    }
    let pages: Vec<Caller> = clients
        .iter()
        .map(|c| Box::new(move |url: &str| c.get(url)) as Caller)
        .collect();
    let failures = mismatches(&app, &routes, &pages).await;
    assert!(failures.is_empty(), "{failures:#?}");

    // The same for the API, with tokens: anonymous callers get 401, other labs 404.
    let api: Vec<(String, [u16; 6])> = vec![
        ("/api/v1/labs".into(), [200, 200, 200, 200, 200, 200]),
        ("/api/v1/labs/osh".into(), [200, 200, 200, 200, 200, 200]),
        ("/api/v1/me".into(), [401, 200, 200, 200, 200, 200]),
        (
            "/api/package.schema.json".into(),
            [200, 200, 200, 200, 200, 200],
        ),
        (
            "/api/v1/labs/osh/package".into(),
            [401, 200, 200, 404, 404, 404],
        ),
        ("/api/v1/packages".into(), [401, 200, 404, 404, 404, 404]),
        (
            "/api/v1/events?lab=osh".into(),
            [200, 200, 200, 200, 200, 200],
        ),
        (
            format!("/api/v1/people/{aizhan}/badges"),
            [401, 200, 200, 404, 404, 200],
        ),
        (
            "/api/v1/labs/osh/cohorts".into(),
            [401, 200, 200, 404, 404, 404],
        ),
        (
            "/api/v1/labs/osh/residencies".into(),
            [401, 200, 200, 404, 404, 404],
        ),
        (
            "/api/v1/organisations".into(),
            [401, 200, 404, 404, 404, 404],
        ),
        ("/api/v1/people".into(), [401, 200, 200, 200, 404, 404]),
        (
            "/api/v1/labs/osh/resources".into(),
            [401, 200, 200, 404, 200, 200],
        ),
        (
            "/api/v1/labs/osh/finance".into(),
            [401, 200, 200, 404, 404, 404],
        ),
        ("/api/v1/me/bookings".into(), [401, 200, 200, 200, 200, 200]),
        (
            "/api/v1/people?lab=osh".into(),
            [401, 200, 200, 404, 404, 404],
        ),
        (
            format!("/api/v1/people/{aizhan}"),
            [401, 200, 200, 404, 404, 404],
        ),
        (
            format!("/api/v1/people/{aizhan}/residencies"),
            [401, 200, 200, 404, 404, 404],
        ),
        (
            format!("/api/v1/people/{aizhan}/export"),
            [401, 200, 200, 404, 404, 404],
        ),
        (
            format!("/api/v1/people/{bw}"),
            [401, 200, 404, 200, 404, 404],
        ),
        (
            "/api/v1/indicators?lab=osh".into(),
            [200, 200, 200, 200, 200, 200],
        ),
        (
            "/api/v1/indicators/export.xlsx?lab=osh".into(),
            [200, 200, 200, 200, 200, 200],
        ),
        (
            "/api/v1/labs/osh/positive-deviance".into(),
            [401, 200, 200, 404, 404, 404],
        ),
        (
            format!("/api/v1/people/{aizhan}/outcomes"),
            [401, 200, 200, 404, 404, 200],
        ),
        ("/api/v1/campaigns".into(), [200, 200, 200, 200, 200, 200]),
        ("/api/v1/showcase".into(), [200, 200, 200, 200, 200, 200]),
        ("/api/v1/grant-calls".into(), [401, 200, 200, 200, 200, 200]),
        (
            "/api/v1/grant-calls?lab=osh".into(),
            [401, 200, 200, 200, 200, 200],
        ),
        (
            format!("/api/v1/grant-calls/{call}"),
            [401, 200, 200, 404, 404, 200],
        ),
        (
            format!("/api/v1/grant-calls/{call}/ranking"),
            [401, 200, 200, 404, 404, 404],
        ),
        (
            format!("/api/v1/grant-calls/{call}/export.csv"),
            [401, 200, 200, 404, 404, 404],
        ),
        (
            format!("/api/v1/grant-calls/{call}/export.xlsx"),
            [401, 200, 200, 404, 404, 404],
        ),
        (
            format!("/api/v1/grant-calls/{network_call}"),
            [401, 200, 200, 200, 404, 200],
        ),
        (
            format!("/api/v1/grant-calls/{network_call}/ranking"),
            [401, 200, 200, 200, 404, 404],
        ),
        (
            format!("/api/v1/grant-calls/{network_call}/export.csv"),
            [401, 200, 200, 200, 404, 404],
        ),
        (
            format!("/api/v1/grant-calls/{network_call}/export.xlsx"),
            [401, 200, 200, 200, 404, 404],
        ),
        (
            "/api/v1/survey-instruments?lab=osh".into(),
            [401, 200, 200, 404, 404, 404],
        ),
        (
            "/api/v1/survey-instruments".into(),
            [401, 200, 200, 200, 404, 404],
        ),
    ];
    let mut tokens = vec![None];
    for login in [
        "admin@test.kg",
        "coord.osh@test.kg",
        "coord.batken@test.kg",
        "mentor.osh@test.kg",
        "+996555100200",
    ] {
        tokens.push(Some(app.token(login).await));
    }
    let plain = app.client();
    let api_callers: Vec<Caller> = tokens
        .iter()
        .map(|t| {
            let plain = &plain;
            Box::new(move |url: &str| match t {
                Some(t) => plain.get(url).bearer_auth(t),
                None => plain.get(url),
            }) as Caller
        })
        .collect();
    let failures = mismatches(&app, &api, &api_callers).await;
    assert!(failures.is_empty(), "{failures:#?}");
    // The lab page shows internal counts only to its staff.
    let public = clients[0]
        .get(app.url("/labs/osh"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let coord = clients[2]
        .get(app.url("/labs/osh"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!public.contains("/labs/osh/residents") && coord.contains("/labs/osh/residents"));
}

async fn api_people_with_tokens(app: TestApp) {
    let c = app.client();
    let labs: Value = c
        .get(app.url("/api/v1/labs"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(labs.as_array().unwrap().len(), 2);
    let r = c
        .get(app.url("/api/v1/labs/nowhere"))
        .header("accept-language", "ru")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "err-not-found");
    assert_eq!(body["message"], web::i18n::Lang::Ru.t("err-not-found"));
    let r = c.get(app.url("/api/v1/people")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    let bad = c
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"login": "coord.osh@test.kg", "password": "nope-nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);

    let token = app.token("coord.osh@test.kg").await;
    let auth = format!("Bearer {token}");
    let found: Value = c
        .get(app.url("/api/v1/people?lab=osh&q=Aizhan"))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(found[0]["id"], app.aizhan.to_string());
    assert_eq!(found[0]["phone"], "+996555100200");
    assert_eq!(
        c.get(app.url("/api/v1/people?lab=batken"))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let other = c
        .get(app.url(&format!("/api/v1/people/{}", app.batken_woman)))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 404, "another lab's person looks missing");
    let r = c
        .get(app.url(&format!("/api/v1/people/{}", app.aizhan)))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    let new = json!({"lab": "osh", "family_name": "Юсупова", "given_name": "Дилноза", "phone": "0555 777 888", "languages": ["uz", "ru"], "consent": true, "status": "active"});
    let r = c
        .post(app.url("/api/v1/people"))
        .header("authorization", &auth)
        .json(&new)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["name_latin"], "Yusupova Dilnoza");
    let rs: Value = c
        .get(app.url(&format!(
            "/api/v1/people/{}/residencies",
            p["id"].as_str().unwrap()
        )))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rs[0]["status"], "active");
    assert_eq!(rs[0]["history"].as_array().unwrap().len(), 3);
    let rid = rs[0]["id"].as_str().unwrap();
    let r = c
        .post(app.url(&format!("/api/v1/residencies/{rid}/transitions")))
        .header("authorization", &auth)
        .json(&json!({"to": "graduated"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = c
        .post(app.url(&format!("/api/v1/residencies/{rid}/transitions")))
        .header("authorization", &auth)
        .json(&json!({"to": "active"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);

    let invalid = json!({"lab": "osh", "family_name": "", "given_name": "X1", "consent": false});
    let r = c
        .post(app.url("/api/v1/people"))
        .header("authorization", &auth)
        .header("accept-language", "en")
        .json(&invalid)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    let fields: Vec<&str> = body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"family_name")
            && fields.contains(&"given_name")
            && fields.contains(&"consent"),
        "{body}"
    );

    // Cohorts of another lab: 404; admin-only lists: 404 for a coordinator.
    assert_eq!(
        c.get(app.url("/api/v1/labs/batken/cohorts"))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        c.get(app.url("/api/v1/organisations"))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    // Revoked tokens stop working.
    assert_eq!(
        c.delete(app.url("/api/v1/auth/token"))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(
        c.get(app.url("/api/v1/me"))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );

    let doc: Value = c
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/api/v1/people/{id}"].is_object());
    let ui = c.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(ui.status(), 200);
}

async fn resident_edits_her_own_profile(app: TestApp) {
    // She signs in with her phone typed the local way.
    let c = app.client();
    let t = csrf(
        &c.get(app.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("_csrf", t.as_str()),
            ("login", "0555 100 200"),
            ("password", PW),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/me");
    let page = crate::common::get_text(&c, app.url("/me")).await;
    assert!(page.contains("Токтогулова Айжан"));
    let t = csrf(&page);
    let r = c
        .post(app.url("/me"))
        .form(&[("_csrf", t.as_str()), ("phone", "bad"), ("aims", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = c
        .post(app.url("/me"))
        .form(&[
            ("_csrf", t.as_str()),
            ("phone", "0555 100 200"),
            ("aims", "Открыть ателье"),
            ("skills", "sewing"),
            ("skills", "design"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = crate::common::get_text(&c, app.url("/me")).await;
    assert!(page.contains("Открыть ателье"));
    assert!(page.contains("value=\"design\" checked"));
    // She cannot read other people.
    assert_eq!(
        c.get(app.url(&format!("/people/{}", app.aizhan)))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

async fn reading_a_person_is_audited(app: TestApp) {
    let c = app.signed_in("coord.osh@test.kg").await;
    let before = app.count("audit_log").await;
    assert_eq!(
        c.get(app.url(&format!("/people/{}", app.aizhan)))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let mut conn = app.db.store.conn().await.unwrap();
    let rows = store::audit::recent(&mut conn, Some(("person", &app.aizhan.to_string())), 5)
        .await
        .unwrap();
    assert_eq!(rows[0].action, "person.read");
    assert_eq!(app.count("audit_log").await, before + 1);
    // No name or phone in any audit row.
    let all = store::audit::recent(&mut conn, None, 1000).await.unwrap();
    assert!(
        all.iter()
            .all(|r| !r.detail.contains("Айжан") && !r.detail.contains("+996"))
    );
}

/// The OpenAPI document is a visible diff: regenerate with `UPDATE_SNAPSHOTS=1`.
#[test]
fn openapi_snapshot() {
    let doc = serde_json::to_string_pretty(&web::api::openapi()).unwrap() + "\n";
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/openapi.json");
    if std::env::var("UPDATE_SNAPSHOTS").is_ok() || !path.exists() && std::env::var("CI").is_err() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &doc).unwrap();
    }
    let stored =
        std::fs::read_to_string(&path).expect("snapshot exists (run once with UPDATE_SNAPSHOTS=1)");
    assert_eq!(
        stored, doc,
        "the API changed: review and run with UPDATE_SNAPSHOTS=1"
    );
}

/// Som in tyiyn.
const fn som(n: i64) -> i64 {
    n * 100
}

/// The internal links of a page: `href="/…"`, without the language switch, static files and
/// in-page anchors.
fn internal_links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|h| h.starts_with('/') && !h.starts_with("//"))
        .filter(|h| {
            !h.starts_with("/lang/") && !h.starts_with("/static/") && !h.starts_with("/api/docs")
        })
        .map(|h| h.replace("&amp;", "&"))
        .collect()
}

/// A page links only where its viewer may go: for each caller (the matrix's roles and a case
/// worker), every internal link on every page she may open answers neither 404 nor 403, and
/// does not send a signed-in caller to sign in. The lab has a programme with a session this
/// week, a mentoring match and an event, so the schedule, attendance sheet and lists have links.
async fn pages_link_only_where_the_viewer_may_go(app: TestApp) {
    let coord = app.signed_in("coord.osh@test.kg").await;
    let p = crate::common::get_text(&coord, app.url("/labs/osh/programmes")).await;
    let r = coord
        .post(app.url("/labs/osh/programmes"))
        .form(&[
            ("_csrf", csrf(&p)),
            ("title", "Тигүү".to_string()),
            ("min_attendance_pct", "80".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let programme = r.headers()["location"].to_str().unwrap().to_string();
    let r = coord
        .post(app.url(&format!("{programme}/modules")))
        .form(&[
            ("_csrf", csrf(&p)),
            ("topic", "sewing".to_string()),
            ("title", String::new()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = crate::common::get_text(&coord, app.url(&programme)).await;
    let module = page
        .split("name=\"module\"")
        .nth(1)
        .and_then(|s| s.split("value=\"").nth(1))
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let today = domain::time::today().format("%Y-%m-%d").to_string();
    let r = coord
        .post(app.url(&format!("{programme}/sessions")))
        .form(&[
            ("_csrf", csrf(&p)),
            ("module", module),
            ("date", today),
            ("starts", "00:01".into()),
            ("ends", "00:02".into()),
            ("room", "Цех".into()),
            ("trainer", "Гүлмира".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = coord
        .post(app.url(&format!("{programme}/enrol")))
        .form(&[("_csrf", csrf(&p)), ("person", app.aizhan.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    app.create_event(10, true, "Кийиз басуу").await;

    let mut pages: Vec<(String, [u16; 6])> = page_matrix(&app).await;
    pages.push((programme.clone(), [303, 200, 200, 404, 404, 404]));
    let mut clients: Vec<(String, reqwest::Client, Option<usize>)> =
        vec![("anonymous".into(), app.client(), Some(0))];
    for (i, login) in MATRIX_LOGINS.iter().enumerate() {
        clients.push((login.to_string(), app.signed_in(login).await, Some(i + 1)));
    }
    clients.push((
        "case.osh@test.kg".into(),
        app.signed_in("case.osh@test.kg").await,
        None,
    ));
    let mut failures = vec![];
    for (who, c, column) in &clients {
        let mut seen = std::collections::BTreeSet::new();
        for (route, expected) in &pages {
            if let Some(i) = column
                && expected[*i] != 200
            {
                continue;
            }
            let r = c.get(app.url(route)).send().await.unwrap();
            if r.status() != 200 {
                continue; // the case worker: pages she may not open are not hers to follow
            }
            let html = r.text().await.unwrap();
            // Two steps from each page: the schedule leads to the attendance sheet, whose own
            // links count too.
            let mut next: Vec<(String, String, u8)> = internal_links(&html)
                .into_iter()
                .map(|l| (route.clone(), l, 1))
                .collect();
            while let Some((from, link, depth)) = next.pop() {
                if !seen.insert(link.clone()) {
                    continue;
                }
                let r = c.get(app.url(&link)).send().await.unwrap();
                let status = r.status().as_u16();
                let to_sign_in = r
                    .headers()
                    .get("location")
                    .and_then(|l| l.to_str().ok())
                    .is_some_and(|l| l.starts_with("/login"));
                if (403..=405).contains(&status)
                    || status >= 500
                    || (*who != "anonymous" && to_sign_in)
                {
                    failures.push(format!("{who}: {from} links to {link} ({status})"));
                    continue;
                }
                let html_page = r
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.starts_with("text/html"));
                if status == 200 && html_page && depth < 2 {
                    let body = r.text().await.unwrap();
                    next.extend(
                        internal_links(&body)
                            .into_iter()
                            .map(|l| (link.clone(), l, depth + 1)),
                    );
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_only_where_the_viewer_may_go() {
    let app = TestApp::spawn(crate::common::Backend::Sqlite)
        .await
        .unwrap();
    pages_link_only_where_the_viewer_may_go(app).await;
}

/// Static files carry their content's digest in their name and are kept a year; pages are
/// compressed with brotli where the browser takes it, else gzip.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assets_are_hashed_and_pages_compressed() {
    let app = TestApp::spawn(crate::common::Backend::Sqlite)
        .await
        .unwrap();
    let home = app
        .client()
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let i = home
        .find("/static/app.")
        .expect("the style sheet's hashed address");
    let href = &home[i..i + home[i..].find('"').unwrap()];
    assert!(
        href.ends_with(".css") && href.len() > "/static/app..css".len(),
        "{href}"
    );
    let r = app.client().get(app.url(href)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert!(r.text().await.unwrap().contains("body"));
    let r = app
        .client()
        .get(app.url("/static/app.0000.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        404,
        "an old digest is not served as the new file"
    );
    for (accept, expect) in [("br, gzip", "br"), ("gzip", "gzip")] {
        let r = reqwest::Client::builder()
            .no_gzip()
            .build()
            .unwrap()
            .get(app.url("/events"))
            .header("accept-encoding", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["content-encoding"], expect, "{accept}");
    }
}

/// A lab's members list comes a page at a time (50), with the counts of the whole list.
async fn members_are_paginated(app: TestApp) {
    let mut c = app.db.store.conn().await.unwrap();
    for i in 0..55 {
        let p = store::people::PersonFields {
            family_name: format!("Мүчө{i}"),
            given_name: "Айгерим".into(),
            gender: "woman".into(),
            family_support: "unknown".into(),
            ..Default::default()
        };
        let id = store::people::insert(&mut c, app.osh, &p, None)
            .await
            .unwrap();
        store::events::ensure_member(&mut c, app.osh, id, None)
            .await
            .unwrap();
    }
    drop(c);
    let coord = app.signed_in("coord.osh@test.kg").await;
    let first = crate::common::get_text(&coord, app.url("/labs/osh/members")).await;
    assert_eq!(first.matches("/ambassador\"").count(), 50);
    assert!(first.contains("55"), "the count of the whole list");
    assert!(first.contains("/labs/osh/members?page=1"));
    let second = crate::common::get_text(&coord, app.url("/labs/osh/members?page=1")).await;
    assert_eq!(second.matches("/ambassador\"").count(), 5);
    assert!(!second.contains("?page=2"));
    assert!(second.contains("/labs/osh/members?page=0"));

    // The audit log too: a hundred entries a page, then "next" to older ones.
    let mut tx = app.db.store.begin().await.unwrap();
    for i in 0..120 {
        store::audit::record(
            &mut tx,
            store::audit::Entry {
                actor: None,
                action: "test.entry",
                entity: "lab",
                entity_id: Some(format!("e{i}")),
                lab: None,
                detail: String::new(),
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let admin = app.signed_in("admin@test.kg").await;
    let page = crate::common::get_text(&admin, app.url("/admin/audit")).await;
    assert_eq!(page.matches("<tr><td>").count(), 100);
    let i = page
        .find("/admin/audit?before=")
        .expect("a link to older entries");
    let next = &page[i..i + page[i..].find('"').unwrap()];
    let older = crate::common::get_text(&admin, app.url(next)).await;
    assert!(older.matches("<tr><td>").count() > 0);
    assert!(
        !older.contains(">e119<") && page.contains(">e119<"),
        "newest first, not repeated"
    );
}

/// What the framework refuses before a handler runs (a body that is not JSON, a wrong
/// Content-Type, a field of the wrong type, a bad query, a malformed id, an unknown route or
/// method) answers the API's JSON error in the caller's language, with the field when there is
/// one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn framework_errors_speak_json() {
    let app = TestApp::spawn(crate::common::Backend::Sqlite)
        .await
        .unwrap();
    let token = app.token("coord.osh@test.kg").await;
    let c = app.client();
    let send = |r: reqwest::RequestBuilder| async {
        let r = r
            .bearer_auth(&token)
            .header("accept-language", "ky")
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let ct = r.headers()["content-type"].to_str().unwrap().to_string();
        assert!(ct.starts_with("application/json"), "{status}: {ct}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(
            body["message"],
            web::i18n::Lang::Ky.t(body["error"].as_str().unwrap()),
            "{body}"
        );
        (status, body)
    };
    let people = app.url("/api/v1/people");
    let (s, b) = send(
        c.post(&people)
            .header("content-type", "application/json")
            .body("{not json"),
    )
    .await;
    assert_eq!((s, b["error"].as_str()), (400, Some("err-api-malformed")));
    let (s, b) = send(
        c.post(&people)
            .header("content-type", "text/plain")
            .body("{}"),
    )
    .await;
    assert_eq!(
        (s, b["error"].as_str()),
        (415, Some("err-api-content-type"))
    );
    let (s, b) = send(
        c.post(&people)
            .json(&json!({"lab": "osh", "birth_year": "old"})),
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(b["fields"][0]["field"], "birth_year", "{b}");
    assert_eq!(
        b["fields"][0]["message"],
        web::i18n::Lang::Ky.t("err-api-field")
    );
    let (s, b) = send(c.get(app.url("/api/v1/people?limit=many"))).await;
    assert_eq!((s, b["fields"][0]["field"].as_str()), (400, Some("limit")));
    let (s, _) = send(c.get(app.url("/api/v1/people/not-a-uuid"))).await;
    assert_eq!(s, 404);
    let (s, _) = send(c.get(app.url("/api/v1/nothing-here"))).await;
    assert_eq!(s, 404);
    let (s, b) = send(c.delete(app.url("/api/v1/labs"))).await;
    assert_eq!((s, b["error"].as_str()), (405, Some("err-api-method")));
}

/// The interface's English words: every word of four letters or more in the English strings
/// that no Kyrgyz or Russian string also uses (so "PDF", "Telegram", "Open Badges" pass).
fn interface_english() -> std::collections::HashSet<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    let words = |lang: &str| -> std::collections::HashSet<String> {
        let mut set = std::collections::HashSet::new();
        for f in std::fs::read_dir(dir.join(lang)).unwrap() {
            let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
            for line in text.lines() {
                // The value only: keys and placeables are not interface text.
                let value = line.split_once(" = ").map_or(line, |(_, v)| v);
                let mut value = value.to_string();
                while let (Some(a), Some(b)) = (value.find('{'), value.find('}')) {
                    if b < a {
                        break;
                    }
                    value.replace_range(a..=b, " ");
                }
                for w in value.split(|c: char| !c.is_ascii_alphabetic()) {
                    if w.len() >= 4 {
                        set.insert(w.to_lowercase());
                    }
                }
            }
        }
        set
    };
    let (ky, ru) = (words("ky"), words("ru"));
    words("en")
        .into_iter()
        .filter(|w| !ky.contains(w) && !ru.contains(w))
        .collect()
}

/// A page's visible text: no tags, scripts, styles, addresses or e-mails.
fn visible_words(html: &str) -> Vec<String> {
    let mut text = String::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        text.push_str(&rest[..i]);
        text.push(' ');
        let tag_end = rest[i..].find('>').map_or(rest.len(), |j| i + j + 1);
        let tag = &rest[i..tag_end];
        rest = &rest[tag_end..];
        for (open, close) in [
            ("<script", "</script>"),
            ("<style", "</style>"),
            ("<svg", "</svg>"),
        ] {
            if tag.starts_with(open)
                && let Some(j) = rest.find(close)
            {
                rest = &rest[j + close.len()..];
            }
        }
    }
    text.push_str(rest);
    text.split_whitespace()
        .filter(|w| !w.contains('@') && !w.contains("://") && !w.starts_with('/'))
        .flat_map(|w| {
            w.split(|c: char| !c.is_ascii_alphabetic())
                .filter(|p| p.len() >= 4)
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// No interface English on a Kyrgyz or Russian page: every page of the access matrix, as a
/// caller who may open it, in both languages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kyrgyz_and_russian_pages_leave_no_english() {
    let app = TestApp::spawn(crate::common::Backend::Sqlite)
        .await
        .unwrap();
    let english = interface_english();
    assert!(english.contains("withheld") && english.contains("calendar"));
    let routes = page_matrix(&app).await;
    let order = [2usize, 5, 4, 1, 0, 3];
    let mut clients = vec![app.client()];
    for login in MATRIX_LOGINS {
        clients.push(app.signed_in(login).await);
    }
    let mut leftovers = vec![];
    for (route, expected) in &routes {
        if route.contains("export.") || route.contains(".ics") || route.contains(".pdf") {
            continue;
        }
        let Some(&i) = order.iter().find(|&&i| expected[i] == 200) else {
            continue;
        };
        for lang in ["ky", "ru"] {
            let html = clients[i]
                .get(app.url(route))
                .header("accept-language", lang)
                .header("cookie", format!("lang={lang}"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let found: std::collections::BTreeSet<String> = visible_words(&html)
                .into_iter()
                .filter(|w| english.contains(w))
                .collect();
            if !found.is_empty() {
                leftovers.push(format!("{lang} {route}: {found:?}"));
            }
        }
    }
    assert!(leftovers.is_empty(), "{leftovers:#?}");
}

/// schemathesis (PyPI, in the environment `.ci/run` makes under `target/schemathesis`) against
/// the served OpenAPI document, with an admin's and a coordinator's token: no server error, no
/// undocumented status code or content type, no response that breaks its schema, no bad input
/// accepted, and no schema-valid input refused (`positive_data_acceptance`), except on the
/// operations `tests/schemathesis.toml` names with the rule their schemas do not yet say.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_nothing() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let st = root.join("target/schemathesis/bin/schemathesis");
    if !st.exists() {
        assert!(
            !store::testing::in_ci(),
            "schemathesis is required under CI=true (.ci/run installs it)"
        );
        eprintln!("skipping: schemathesis not installed");
        return;
    }
    let app = TestApp::spawn(crate::common::Backend::Sqlite)
        .await
        .unwrap();
    let mut reports = vec![];
    for login in ["admin@test.kg", "coord.osh@test.kg"] {
        let token = app.token(login).await;
        let out = tokio::process::Command::new(&st)
            // Every check, but positive-data acceptance on the operations this file names (each
            // with why; `--checks all` here would override those exceptions).
            .args([
                "--config-file",
                root.join("crates/web/tests/schemathesis.toml")
                    .to_str()
                    .unwrap(),
            ])
            .args(["run", &app.url("/api/openapi.json")])
            .args(["-H", &format!("Authorization: Bearer {token}")])
            // Signing out would end the token for the rest of the run.
            .args(["--exclude-operation-id", "revoke_current_token"])
            .args(["--max-examples", "8", "--generation-deterministic"])
            .args(["--phases", "examples,coverage,fuzzing"])
            .env("NO_COLOR", "1")
            .output()
            .await
            .expect("schemathesis runs");
        let report = String::from_utf8_lossy(&out.stdout);
        // The failures with their curl lines, not the progress before them.
        let failures = report
            .find("FAILURES")
            .map_or(report.as_ref(), |i| &report[i..]);
        if !out.status.success() {
            reports.push(format!(
                "schemathesis as {login}:\n{}",
                failures.chars().take(20_000).collect::<String>()
            ));
        }
    }
    assert!(reports.is_empty(), "{}", reports.join("\n"));
}
