//! Hostile text and requests (issue 13, "Text and files" and "Requests"): the one text rule on
//! every form, JSON body and query; same-site `next` only; cookie API writes need the token or
//! this site's Origin; authentication before the body; edits on a stale version answer 409;
//! dates that cannot be true are refused.
use crate::common::{TestApp, csrf};

on_both_backends!(
    control_and_bidi_characters_are_refused_everywhere,
    next_is_a_same_site_path_only,
    cookie_api_writes_need_the_token_or_this_origin,
    anonymous_api_writes_get_401_whatever_the_body,
    a_stale_edit_answers_409_with_both_versions,
    a_stale_event_edit_answers_409_with_both_versions,
    a_stale_grant_call_edit_answers_409_with_both_versions,
    a_stale_session_edit_answers_409_with_both_versions,
    implausible_dates_are_refused,
);

async fn get(c: &reqwest::Client, url: String) -> (u16, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn post_form(c: &reqwest::Client, url: String, form: &[(&str, String)]) -> (u16, String) {
    let r = c
        .post(url)
        .header("accept-language", "ru")
        .form(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn aims(app: &TestApp) -> (String, String) {
    let mut c = app.db.store.conn().await.unwrap();
    let p = store::people::get_scoped(&mut c, &domain::LabScope::All, app.aizhan)
        .await
        .unwrap()
        .unwrap();
    (p.aims, p.district)
}

/// The edit form of Aizhan's record as typed, with `field` set to `value`.
fn person_form(
    token: &str,
    version: &str,
    field: &str,
    value: &str,
) -> Vec<(&'static str, String)> {
    let mut f: Vec<(&'static str, String)> = vec![
        ("_csrf", token.into()),
        ("version", version.into()),
        ("family_name", "Токтогулова".into()),
        ("given_name", "Айжан".into()),
        ("phone", "0555 100 200".into()),
        ("birth_year", "1994".into()),
        ("gender", "woman".into()),
        ("family_support", "yes".into()),
        ("aims", "Тигүү цехин ачуу".into()),
        ("district", "Ош".into()),
    ];
    for (k, v) in f.iter_mut() {
        if *k == field {
            *v = value.into();
        }
    }
    f
}

fn hidden(html: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let i = html
        .find(&key)
        .unwrap_or_else(|| panic!("no {name} in page"));
    let rest = &html[i + key.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

async fn control_and_bidi_characters_are_refused_everywhere(app: TestApp) {
    let coord = app.signed_in("coord.osh@test.kg").await;
    let edit = app.url(&format!("/people/{}/edit", app.aizhan));
    let before = aims(&app).await;
    for (field, value) in [
        ("aims", "sew\0ing"),
        ("district", "Ош\u{202E}"),
        ("aims", "a\u{2066}b\u{2069}"),
        ("family_name", "Токто\u{200B}гулова"),
        ("aims", "bell\u{7}"),
    ] {
        let (_, page) = get(&coord, edit.clone()).await;
        let form = person_form(&csrf(&page), &hidden(&page, "version"), field, value);
        let (s, body) = post_form(&coord, edit.clone(), &form).await;
        assert_eq!(s, 422, "{field}={value:?}: {body}");
        assert!(body.contains("невидимый или управляющий символ"), "{body}");
        assert_eq!(aims(&app).await, before, "nothing saved for {field}");
    }
    // Line breaks and tabs stay allowed in a multi-line field.
    let (_, page) = get(&coord, edit.clone()).await;
    let form = person_form(
        &csrf(&page),
        &hidden(&page, "version"),
        "aims",
        "one\r\n\ttwo",
    );
    let (s, _) = post_form(&coord, edit.clone(), &form).await;
    assert_eq!(s, 303);

    // The public registration form: a NUL in her e-mail or name saves nothing.
    let people = app.count("people").await;
    let anon = app.client();
    for (field, value) in [("email", "a\0@b.kg"), ("given_name", "Гүл\u{202E}нара")] {
        let (_, page) = get(&anon, app.url("/labs/osh/apply")).await;
        let mut form = vec![
            ("_csrf", csrf(&page)),
            ("family_name", "Асанова".to_string()),
            ("given_name", "Гүлнара".to_string()),
            ("phone", "0700 123 456".to_string()),
            ("birth_year", "1999".to_string()),
            ("consent", "on".to_string()),
            ("motivation", "Үйрөнгүм келет".to_string()),
        ];
        form.retain(|(k, _)| *k != field);
        form.push((field, value.to_string()));
        let (s, body) = post_form(&anon, app.url("/labs/osh/apply"), &form).await;
        assert_eq!(s, 422, "{field}: {body}");
    }
    assert_eq!(app.count("people").await, people);

    // The API: JSON strings and query strings follow the same rule.
    let token = app.token("coord.osh@test.kg").await;
    let r = app
        .client()
        .post(app.url("/api/v1/people"))
        .bearer_auth(&token)
        .json(&serde_json::json!({
            "lab": "osh", "family_name": "Асанова", "given_name": "Бурул", "phone": "0700 555 111",
            "aims": "x\u{0}y", "consent": true
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["fields"][0]["error"], "err-bad-text", "{body}");
    assert_eq!(app.count("people").await, people);
    let (s, _) = get(&coord, app.url("/people?q=%00%E2%80%AE")).await;
    assert_eq!(s, 422);
}

async fn next_is_a_same_site_path_only(app: TestApp) {
    let c = app.client();
    for next in [
        "/%09/evil.example",
        "/%0a/evil.example",
        "/%0d%0a/evil.example",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example",
        "/%5C/evil.example",
        "%2F%2Fevil.example",
        "/%C2%A0/evil.example",
    ] {
        let r = c
            .get(app.url(&format!("/lang/en?next={next}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{next}");
        assert_eq!(r.headers()["location"], "/", "{next}");
        let (s, page) = get(&c, app.url(&format!("/login?next={next}"))).await;
        assert_eq!(s, 200, "{next}");
        assert_eq!(hidden(&page, "next"), "/", "{next}");
    }
    // Signing in with a hostile next lands at home, not elsewhere.
    let (_, page) = get(&c, app.url("/login")).await;
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("_csrf", csrf(&page)),
            ("login", "coord.osh@test.kg".into()),
            ("password", crate::common::PW.into()),
            ("next", "/\t/evil.example".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(!to.contains("evil"), "{to}");
    // A real path is kept.
    let r = c
        .get(app.url("/lang/ru?next=/people%3Fq%3Dx"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/people?q=x");
}

async fn cookie_api_writes_need_the_token_or_this_origin(app: TestApp) {
    let coord = app.signed_in("coord.osh@test.kg").await;
    let (_, page) = get(&coord, app.url("/people")).await;
    let token = csrf(&page);
    let cohort = |n: &str| serde_json::json!({"name": format!("Когорта {n}"), "starts_on": "2026-09-01", "ends_on": "2026-12-01"});
    let url = app.url("/api/v1/labs/osh/cohorts");
    // No token, no Origin: refused (a cross-site form or script could send exactly this).
    let r = coord.post(&url).json(&cohort("1")).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r = coord
        .post(&url)
        .header("origin", "https://evil.example")
        .json(&cohort("2"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = coord
        .post(&url)
        .header("x-csrf-token", "0".repeat(64))
        .json(&cohort("3"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(app.count("cohorts").await, 0);
    // This site's Origin, or the token in the header: accepted.
    let r = coord
        .post(&url)
        .header("origin", app.base.clone())
        .json(&cohort("4"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = coord
        .post(&url)
        .header("x-csrf-token", token)
        .json(&cohort("5"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    // A bearer token needs neither.
    let bearer = app.token("coord.osh@test.kg").await;
    let r = app
        .client()
        .post(&url)
        .bearer_auth(bearer)
        .json(&cohort("6"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(app.count("cohorts").await, 3);
}

async fn anonymous_api_writes_get_401_whatever_the_body(app: TestApp) {
    let doc = web::api::openapi();
    let secured = web::api::secured_writes(&doc);
    assert!(secured.len() >= 10, "{secured:?}");
    let c = app.client();
    let id = "0190b6a0-0000-7000-8000-000000000000".to_string();
    for (method, path) in &secured {
        let url = app.url(
            &path
                .replace("{slug}", "osh")
                .replace("{id}", &id)
                .replace("{cancel_token}", "x"),
        );
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        for body in ["", "{", "{}"] {
            let r = c
                .request(m.clone(), &url)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 401, "{method} {path} with {body:?}");
        }
        // No content type at all.
        let r = c.request(m.clone(), &url).send().await.unwrap();
        assert_eq!(r.status(), 401, "{method} {path} without a body");
    }
    // Public writes still answer on their own terms (a bad body is a 4xx, not a 401).
    let r = c
        .post(app.url("/api/v1/auth/token"))
        .header("content-type", "application/json")
        .body("")
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), 401);
}

async fn a_stale_edit_answers_409_with_both_versions(app: TestApp) {
    let first = app.signed_in("coord.osh@test.kg").await;
    let second = app.signed_in("admin@test.kg").await;
    let edit = app.url(&format!("/people/{}/edit", app.aizhan));
    let (_, page_a) = get(&first, edit.clone()).await;
    let (_, page_b) = get(&second, edit.clone()).await;
    let v = hidden(&page_a, "version");
    assert!(!v.is_empty());
    assert_eq!(v, hidden(&page_b, "version"));
    // The first saves her change.
    let (s, _) = post_form(
        &first,
        edit.clone(),
        &person_form(&csrf(&page_a), &v, "aims", "Тигүү цехин ачуу жана окутуу"),
    )
    .await;
    assert_eq!(s, 303);
    // The second saves on the version she opened: refused, both versions shown, nothing lost.
    let (s, body) = post_form(
        &second,
        edit.clone(),
        &person_form(&csrf(&page_b), &v, "aims", "Кафе ачуу"),
    )
    .await;
    assert_eq!(s, 409, "{body}");
    assert!(body.contains("Тигүү цехин ачуу жана окутуу"), "{body}");
    assert!(body.contains("Кафе ачуу"), "{body}");
    assert!(body.contains("Кто-то другой сохранил"), "{body}");
    assert_eq!(aims(&app).await.0, "Тигүү цехин ачуу жана окутуу");
    // Saving again from the conflict page (which carries the new version) is a decision: it saves.
    let again = hidden(&body, "version");
    assert_ne!(again, v);
    let (s, _) = post_form(
        &second,
        edit.clone(),
        &person_form(&csrf(&body), &again, "aims", "Кафе ачуу"),
    )
    .await;
    assert_eq!(s, 303);
    assert_eq!(aims(&app).await.0, "Кафе ачуу");
}

async fn implausible_dates_are_refused(app: TestApp) {
    let coord = app.signed_in("coord.osh@test.kg").await;
    let people = app.count("people").await;
    let (_, page) = get(&coord, app.url("/people/new")).await;
    let (s, body) = post_form(
        &coord,
        app.url("/people"),
        &[
            ("_csrf", csrf(&page)),
            ("lab", "osh".into()),
            ("status", "active".into()),
            ("family_name", "Асанова".into()),
            ("given_name", "Бурул".into()),
            ("phone", "0700 555 222".into()),
            ("birth_year", "1990".into()),
            ("consent", "on".into()),
            ("consent_date", "1900-01-01".into()),
        ],
    )
    .await;
    assert_eq!(s, 422, "{body}");
    assert!(body.contains("Такая дата невозможна"), "{body}");
    assert_eq!(app.count("people").await, people);
    // A cohort in 1900 or in 2400, a grant call in 0202: refused with the message.
    for (starts, ends) in [("1900-01-01", "1900-06-01"), ("2400-01-01", "2400-06-01")] {
        let (_, page) = get(&coord, app.url("/labs/osh/cohorts")).await;
        let (s, body) = post_form(
            &coord,
            app.url("/labs/osh/cohorts"),
            &[
                ("_csrf", csrf(&page)),
                ("name", "Кыш".into()),
                ("starts_on", starts.into()),
                ("ends_on", ends.into()),
            ],
        )
        .await;
        assert_eq!(s, 422, "{starts}: {body}");
        assert!(body.contains("Такая дата невозможна"), "{body}");
    }
    assert_eq!(app.count("cohorts").await, 0);
}

async fn a_stale_event_edit_answers_409_with_both_versions(app: TestApp) {
    let id = app.create_event(20, true, "Кийиз басуу").await;
    let first = app.signed_in("coord.osh@test.kg").await;
    let second = app.signed_in("admin@test.kg").await;
    let edit = app.url(&format!("/events/{id}/edit"));
    let (_, page_a) = get(&first, edit.clone()).await;
    let (_, page_b) = get(&second, edit.clone()).await;
    let v = hidden(&page_a, "version");
    let date = (chrono::Utc::now() + chrono::Duration::days(10))
        .format("%Y-%m-%d")
        .to_string();
    let form = |token: String, version: &str, place: &str| {
        vec![
            ("_csrf", token),
            ("version", version.to_string()),
            ("title", "Кийиз басуу".to_string()),
            ("kind", "master-class".into()),
            ("scope", "lab".into()),
            ("date", date.clone()),
            ("starts", "14:00".into()),
            ("ends", "16:30".into()),
            ("place", place.into()),
            ("language", "ky".into()),
            ("capacity", "20".into()),
            ("description", "Кийиз басуу".into()),
            ("published", "on".into()),
        ]
    };
    let (s, _) = post_form(
        &first,
        edit.clone(),
        &form(csrf(&page_a), &v, "Ош, Курманжан Датка 12"),
    )
    .await;
    assert_eq!(s, 303);
    let (s, body) = post_form(
        &second,
        edit.clone(),
        &form(csrf(&page_b), &v, "Ош, Масалиев 5"),
    )
    .await;
    assert_eq!(s, 409, "{body}");
    assert!(
        body.contains("Курманжан Датка 12") && body.contains("Масалиев 5"),
        "{body}"
    );
    let (_, shown) = get(&first, app.url(&format!("/events/{id}"))).await;
    assert!(shown.contains("Курманжан Датка 12"));
    let again = hidden(&body, "version");
    let (s, _) = post_form(
        &second,
        edit.clone(),
        &form(csrf(&body), &again, "Ош, Масалиев 5"),
    )
    .await;
    assert_eq!(s, 303);
}

/// Two coordinators edit the same draft grant call: the later save answers 409 with both
/// versions, and saving again knowingly works.
async fn a_stale_grant_call_edit_answers_409_with_both_versions(app: TestApp) {
    let today = domain::time::today();
    let call = {
        let mut c = app.db.store.conn().await.unwrap();
        store::grants::insert_call(
            &mut c,
            Some(app.osh),
            &store::grants::CallFields {
                title: "Күзгү гранттар".into(),
                description: String::new(),
                budget: 10_000_000,
                min_award: 1_000_000,
                max_award: 5_000_000,
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
        .unwrap()
    };
    let first = app.signed_in("coord.osh@test.kg").await;
    let second = app.signed_in("admin@test.kg").await;
    let edit = app.url(&format!("/grant-calls/{call}/edit"));
    let (s, page_a) = get(&first, edit.clone()).await;
    assert_eq!(s, 200, "{page_a}");
    let (_, page_b) = get(&second, edit.clone()).await;
    let v = hidden(&page_a, "version");
    assert!(!v.is_empty());
    let form = |token: String, version: &str, title: &str| {
        vec![
            ("_csrf", token),
            ("version", version.to_string()),
            ("title", title.to_string()),
            ("description", String::new()),
            ("budget", "100000".into()),
            ("min_award", "10000".into()),
            ("max_award", "50000".into()),
            ("opens_on", today.to_string()),
            (
                "closes_on",
                (today + chrono::Duration::days(10)).to_string(),
            ),
            ("cohort", String::new()),
            ("c1_name_ky", "Ишке ашуусу".into()),
            ("c1_name_ru", "Жизнеспособность".into()),
            ("c1_name_en", "Viability".into()),
            ("c1_weight", "1".into()),
            ("c1_max_points", "10".into()),
        ]
    };
    let (s, body) = post_form(
        &first,
        edit.clone(),
        &form(csrf(&page_a), &v, "Кышкы гранттар"),
    )
    .await;
    assert_eq!(s, 303, "{body}");
    let (s, body) = post_form(
        &second,
        edit.clone(),
        &form(csrf(&page_b), &v, "Жазгы гранттар"),
    )
    .await;
    assert_eq!(s, 409, "{body}");
    assert!(
        body.contains("Кышкы гранттар") && body.contains("Жазгы гранттар"),
        "{body}"
    );
    let again = hidden(&body, "version");
    let (s, _) = post_form(
        &second,
        edit.clone(),
        &form(csrf(&body), &again, "Жазгы гранттар"),
    )
    .await;
    assert_eq!(s, 303);
}

/// Two coordinators move the same training session: the later save answers 409 with both
/// versions, and saving again knowingly works.
async fn a_stale_session_edit_answers_409_with_both_versions(app: TestApp) {
    let id = crate::http::training_session(&app).await;
    let module = {
        let mut c = app.db.store.conn().await.unwrap();
        store::training::session(&mut c, id.parse().unwrap())
            .await
            .unwrap()
            .unwrap()
            .module_id
            .to_string()
    };
    let first = app.signed_in("coord.osh@test.kg").await;
    let second = app.signed_in("admin@test.kg").await;
    let edit = app.url(&format!("/sessions/{id}/edit"));
    let (s, page_a) = get(&first, edit.clone()).await;
    assert_eq!(s, 200);
    let (_, page_b) = get(&second, edit.clone()).await;
    let v = hidden(&page_a, "version");
    assert!(!v.is_empty());
    let date = (domain::time::today() + chrono::Duration::days(3)).to_string();
    let form = |token: String, version: &str, room: &str| {
        vec![
            ("_csrf", token),
            ("version", version.to_string()),
            ("module", module.clone()),
            ("date", date.clone()),
            ("starts", "10:00".into()),
            ("ends", "12:00".into()),
            ("room", room.to_string()),
            ("trainer", String::new()),
        ]
    };
    let (s, body) = post_form(&first, edit.clone(), &form(csrf(&page_a), &v, "Чоң зал")).await;
    assert_eq!(s, 303, "{body}");
    let (s, body) = post_form(&second, edit.clone(), &form(csrf(&page_b), &v, "Кичи зал")).await;
    assert_eq!(s, 409, "{body}");
    assert!(
        body.contains("Чоң зал") && body.contains("Кичи зал"),
        "{body}"
    );
    let again = hidden(&body, "version");
    let (s, _) = post_form(
        &second,
        edit.clone(),
        &form(csrf(&body), &again, "Кичи зал"),
    )
    .await;
    assert_eq!(s, 303);
}
