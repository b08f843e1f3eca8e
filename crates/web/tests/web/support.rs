//! Psychosocial support through the real app on SQLite and PostgreSQL: case workers open cases
//! and write notes that are stored only encrypted; every read is audited and the woman sees who
//! read her case; nobody else (the admin included) can tell a case from a missing one; a
//! coordinator learns only that a case exists, and only when she agreed; referrals need her
//! consent or a reason; case data never shows on the routes that return people; keys rotate;
//! case pages time out quickly; without a key nothing is stored.
use crate::common::{TestApp, csrf};
use domain::{LabRole, Role};
use serde_json::{Value, json};
use std::sync::Arc;
use web::sealed::{Keyring, generate_key};

const NOTE: &str = "Зумрат-купуя-жазуу-7731 private note";
const SHARED: &str = "Дем алуу көнүгүүсү shared-with-her-5520";

/// The tests' case key (the rotation test needs to know it).
const KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn keyring() -> Arc<Keyring> {
    Arc::new(Keyring::from_list(KEY).unwrap())
}

fn config(keys: Option<Arc<Keyring>>, idle: i64) -> web::WebConfig {
    web::WebConfig {
        case_keys: keys,
        case_idle_seconds: idle,
        ..web::WebConfig::default()
    }
}

macro_rules! both {
    ($($name:ident : $cfg:expr),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let app = $crate::common::TestApp::spawn_with($crate::common::Backend::Sqlite, $cfg).await.unwrap();
                super::$name(app).await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(app) = $crate::common::TestApp::spawn_with($crate::common::Backend::Postgres, $cfg).await else { return };
                super::$name(app).await;
            })*
        }
    };
}

both!(
    case_worker_opens_a_case_and_notes_stay_encrypted: super::config(Some(super::keyring()), 900),
    the_woman_sees_shared_notes_and_who_read_her_case: super::config(Some(super::keyring()), 900),
    nobody_else_can_tell_a_case_from_a_missing_one: super::config(Some(super::keyring()), 900),
    case_data_never_shows_on_routes_that_return_people: super::config(Some(super::keyring()), 900),
    referrals_need_consent_or_a_reason: super::config(Some(super::keyring()), 900),
    keys_rotate_and_tampering_is_caught: super::config(Some(super::keyring()), 900),
    opening_a_case_finds_her_or_registers_a_walk_in: super::config(Some(super::keyring()), 900),
    without_a_key_nothing_is_stored: super::config(None, 900),
    case_pages_time_out_quickly: super::config(Some(super::keyring()), 1),
);

async fn api(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut r = app
        .client()
        .request(method, app.url(path))
        .bearer_auth(token);
    if let Some(b) = body {
        r = r.json(&b);
    }
    r.send().await.unwrap()
}

/// Opens a case for Aizhan with one private and one shared note; returns its id.
async fn open_case(app: &TestApp, token: &str) -> String {
    let r = api(
        app,
        token,
        reqwest::Method::POST,
        "/api/v1/support-cases",
        Some(json!({"person_id": app.aizhan, "reason": "violence", "urgency": "high"})),
    )
    .await;
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    let id = v["id"].as_str().unwrap().to_string();
    assert_eq!(v["reason"], "violence");
    assert_eq!(v["status"], "open");
    for (text, shared) in [(NOTE, false), (SHARED, true)] {
        let r = api(
            app,
            token,
            reqwest::Method::POST,
            &format!("/api/v1/support-cases/{id}/notes"),
            Some(json!({"text": text, "shared_with_resident": shared})),
        )
        .await;
        assert_eq!(r.status(), 201);
    }
    id
}

async fn text(c: &reqwest::Client, url: String) -> (u16, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn audit_rows(app: &TestApp, case: &str) -> i64 {
    let mut c = app.db.store.conn().await.unwrap();
    store::support::audit_count(&mut c, case.parse().unwrap())
        .await
        .unwrap()
}

async fn post_form(
    app: &TestApp,
    c: &reqwest::Client,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let (_, html) = text(c, app.url(page)).await;
    let token = csrf(&html);
    let mut form: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
    form.extend_from_slice(fields);
    c.post(app.url(action)).form(&form).send().await.unwrap()
}

/// The database never holds a note in clear: not in its rows, not in the SQLite file or its WAL.
async fn assert_not_stored_in_clear(app: &TestApp, secret: &str) {
    let mut c = app.db.store.conn().await.unwrap();
    let sealed = store::support::all_sealed(&mut c).await.unwrap();
    assert!(!sealed.is_empty());
    for v in &sealed {
        assert!(!v.ciphertext.contains(secret));
        assert!(v.ciphertext.starts_with(&format!("{}:", v.key_id)));
    }
    for row in store::audit::recent(&mut c, None, 1000).await.unwrap() {
        assert!(!row.detail.contains(secret), "audit detail {}", row.detail);
    }
    drop(c);
    if let Some(path) = app.db.url.strip_prefix("sqlite://") {
        let needle = secret.as_bytes();
        for f in [path.to_string(), format!("{path}-wal")] {
            if let Ok(bytes) = std::fs::read(&f) {
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle),
                    "{f} holds the note in clear"
                );
            }
        }
    }
}

async fn case_worker_opens_a_case_and_notes_stay_encrypted(app: TestApp) {
    let token = app.token("case.osh@test.kg").await;
    let id = open_case(&app, &token).await;

    // Reading decrypts, and every read writes an audit row.
    let before = audit_rows(&app, &id).await;
    let r = api(
        &app,
        &token,
        reqwest::Method::GET,
        &format!("/api/v1/support-cases/{id}"),
        None,
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let v: Value = r.json().await.unwrap();
    let notes: Vec<&str> = v["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["text"].as_str().unwrap())
        .collect();
    assert_eq!(notes, vec![NOTE, SHARED]);
    assert_eq!(audit_rows(&app, &id).await, before + 1);
    let _ = api(
        &app,
        &token,
        reqwest::Method::GET,
        &format!("/api/v1/support-cases/{id}"),
        None,
    )
    .await;
    assert_eq!(audit_rows(&app, &id).await, before + 2);

    assert_not_stored_in_clear(&app, NOTE).await;
    assert_not_stored_in_clear(&app, SHARED).await;

    // Bad input: a clear field error, nothing stored.
    let notes_before = app.count("case_notes").await;
    let r = api(
        &app,
        &token,
        reqwest::Method::POST,
        &format!("/api/v1/support-cases/{id}/notes"),
        Some(json!({"text": "   "})),
    )
    .await;
    assert_eq!(r.status(), 422);
    let r = api(
        &app,
        &token,
        reqwest::Method::POST,
        "/api/v1/support-cases",
        Some(json!({"person_id": app.aizhan, "urgency": "whenever"})),
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(app.count("case_notes").await, notes_before);
    assert_eq!(app.count("support_cases").await, 1);
    // A woman of another lab is not hers to open a case for.
    let r = api(
        &app,
        &token,
        reqwest::Method::POST,
        "/api/v1/support-cases",
        Some(json!({"person_id": app.batken_woman})),
    )
    .await;
    assert_eq!(r.status(), 404);

    // The pages: list, case page, a note and a status change through the forms.
    let c = app.signed_in("case.osh@test.kg").await;
    let (s, html) = text(&c, app.url("/support")).await;
    assert_eq!(s, 200);
    assert!(html.contains("Токтогулова Айжан"), "{html}");
    assert!(html.contains(&format!("/support/cases/{id}")));
    let (s, html) = text(&c, app.url("/support/new?q=%D0%BE%D0%B2%D0%B0")).await;
    assert_eq!(s, 200);
    assert!(html.contains(&app.aizhan.to_string()));
    assert!(!html.contains(&app.batken_woman.to_string()));
    let (s, html) = text(&c, app.url(&format!("/support/cases/{id}"))).await;
    assert_eq!(s, 200);
    assert!(html.contains(NOTE) && html.contains(SHARED));
    let page = format!("/support/cases/{id}");
    let r = post_form(
        &app,
        &c,
        &page,
        &format!("{page}/notes"),
        &[("text", "Form note 9911")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let r = post_form(
        &app,
        &c,
        &page,
        &format!("{page}/update"),
        &[
            ("status", "monitoring"),
            ("urgency", "critical"),
            ("next_contact_on", "2031-05-04"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (_, html) = text(&c, app.url(&page)).await;
    assert!(html.contains("Form note 9911") && html.contains("04.05.2031"));
    // A new case through the form, for the same woman.
    let chosen = format!("/support/new?person={}", app.aizhan);
    let r = post_form(
        &app,
        &c,
        &chosen,
        "/support/new",
        &[
            ("person_id", &app.aizhan.to_string()),
            ("reason", "grief"),
            ("urgency", "low"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/support/cases/")
    );
    assert_eq!(app.count("support_cases").await, 2);
    // In three languages.
    for (lang, word) in [
        ("ky", "Колдоо иштери"),
        ("ru", "Случаи поддержки"),
        ("en", "Support cases"),
    ] {
        let (_, html) = text(&c, app.url(&format!("/lang/{lang}?next=/support"))).await;
        let _ = html;
        let (_, html) = text(&c, app.url("/support")).await;
        assert!(html.contains(word), "{lang}");
    }
}

async fn the_woman_sees_shared_notes_and_who_read_her_case(app: TestApp) {
    let token = app.token("case.osh@test.kg").await;
    let id = open_case(&app, &token).await;
    let _ = api(
        &app,
        &token,
        reqwest::Method::GET,
        &format!("/api/v1/support-cases/{id}"),
        None,
    )
    .await;

    let her = app.signed_in("+996555100200").await;
    let (s, me) = text(&her, app.url("/me")).await;
    assert_eq!(s, 200);
    assert!(me.contains("/me/support"));
    let before = audit_rows(&app, &id).await;
    let (s, html) = text(&her, app.url("/me/support")).await;
    assert_eq!(s, 200);
    assert!(html.contains(SHARED), "shared note shown");
    assert!(!html.contains(NOTE), "private note hidden");
    // Who read it: the case worker's name, not an id.
    assert!(html.contains("case.osh@test.kg"));
    assert_eq!(
        audit_rows(&app, &id).await,
        before + 1,
        "her read is audited too"
    );
    // Her case page shows the shared notes only.
    let (s, html) = text(&her, app.url(&format!("/support/cases/{id}"))).await;
    assert_eq!(s, 200);
    assert!(html.contains(SHARED) && !html.contains(NOTE));
    assert!(
        !html.contains(&format!("/support/cases/{id}/notes")),
        "no note form for her"
    );
    // She cannot write notes or use the case-worker API.
    let r = post_form(
        &app,
        &her,
        "/me/support",
        &format!("/support/cases/{id}/notes"),
        &[("text", "x")],
    )
    .await;
    assert_eq!(r.status(), 404);
    let her_token = app.token("+996555100200").await;
    for path in [
        format!("/api/v1/support-cases/{id}"),
        format!("/api/v1/support-cases/{id}/access-log"),
    ] {
        let r = api(&app, &her_token, reqwest::Method::GET, &path, None).await;
        assert_eq!(r.status(), 404, "{path}");
    }

    // The case worker sees the access log through the API, with the woman's reads in it.
    let r = api(
        &app,
        &token,
        reqwest::Method::GET,
        &format!("/api/v1/support-cases/{id}/access-log"),
        None,
    )
    .await;
    assert_eq!(r.status(), 200);
    let log: Vec<Value> = r.json().await.unwrap();
    assert!(
        log.iter()
            .any(|a| a["who"] == "Айжан" && a["action"] == "read"),
        "{log:?}"
    );
    assert!(
        log.iter()
            .any(|a| a["who"] == "case.osh@test.kg" && a["action"] == "open")
    );

    // She decides whether the coordinator may know that a case exists.
    let coord = app.signed_in("coord.osh@test.kg").await;
    let who = format!("/support/people/{}", app.aizhan);
    let (s, html) = text(&coord, app.url(&who)).await;
    assert_eq!(s, 200);
    assert!(!html.contains("support case with"), "not before she agrees");
    let r = post_form(
        &app,
        &her,
        "/me/support",
        &format!("/support/cases/{id}/share"),
        &[("shared", "on"), ("back", "me")],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/me/support");
    let (s, html) = text(&coord, app.url(&format!("/lang/en?next={who}"))).await;
    let _ = (s, html);
    let (s, html) = text(&coord, app.url(&who)).await;
    assert_eq!(s, 200);
    assert!(html.contains("She has a support case"), "{html}");
    assert!(!html.contains(NOTE) && !html.contains(SHARED) && !html.contains("Violence"));
    // The person page links there for her coordinator.
    let (_, html) = text(&coord, app.url(&format!("/people/{}", app.aizhan))).await;
    assert!(html.contains(&who));
    // Still nothing more for the coordinator.
    let (s, _) = text(&coord, app.url(&format!("/support/cases/{id}"))).await;
    assert_eq!(s, 404);
    // Another lab's coordinator and the admin learn nothing.
    for login in [
        "coord.batken@test.kg",
        "admin@test.kg",
        "mentor.osh@test.kg",
    ] {
        let c = app.signed_in(login).await;
        let (s, _) = text(&c, app.url(&who)).await;
        assert_eq!(s, 404, "{login}");
    }
    // The network's audit page does not tell the admin who has a case (her own reads, her
    // sharing, the coordinator being told): those rows are for the case worker and for her.
    let admin = app.signed_in("admin@test.kg").await;
    let (s, html) = text(&admin, app.url("/admin/audit")).await;
    assert_eq!(s, 200);
    assert!(!html.contains("support_case"), "{html}");
    assert!(
        !html.contains(&id),
        "no case id on the network's audit page"
    );
}

async fn nobody_else_can_tell_a_case_from_a_missing_one(app: TestApp) {
    web::services::create_account(
        &app.db.store,
        None,
        "case.batken@test.kg",
        "case.batken@test.kg",
        crate::common::PW,
        Role::Lab(LabRole::CaseWorker),
        Some(app.batken),
        None,
    )
    .await
    .unwrap();
    let token = app.token("case.osh@test.kg").await;
    let id = open_case(&app, &token).await;
    let missing = domain::CaseId::new().to_string();
    let rows = audit_rows(&app, &id).await;
    for login in [
        "admin@test.kg",
        "coord.osh@test.kg",
        "coord.batken@test.kg",
        "mentor.osh@test.kg",
        "case.batken@test.kg",
    ] {
        let t = app.token(login).await;
        for case in [&id, &missing] {
            for (m, path, body) in [
                (
                    reqwest::Method::GET,
                    format!("/api/v1/support-cases/{case}"),
                    None,
                ),
                (
                    reqwest::Method::GET,
                    format!("/api/v1/support-cases/{case}/access-log"),
                    None,
                ),
                (
                    reqwest::Method::POST,
                    format!("/api/v1/support-cases/{case}/notes"),
                    Some(json!({"text": "intrusion"})),
                ),
            ] {
                let r = api(&app, &t, m, &path, body).await;
                assert_eq!(r.status(), 404, "{login} {path}");
                let body = r.text().await.unwrap();
                assert!(!body.contains("Айжан") && !body.contains(NOTE), "{body}");
            }
        }
        let r = api(
            &app,
            &t,
            reqwest::Method::POST,
            "/api/v1/support-cases",
            Some(json!({"person_id": app.aizhan})),
        )
        .await;
        assert_eq!(r.status(), 404, "{login} opens a case");
        let c = app.signed_in(login).await;
        for path in [
            format!("/support/cases/{id}"),
            format!("/support/cases/{missing}"),
            "/support".to_string(),
            "/support/new".to_string(),
            "/me/support".to_string(),
        ] {
            let (s, body) = text(&c, app.url(&path)).await;
            assert!(
                !body.contains(NOTE) && !body.contains("Айжан"),
                "{login} {path}"
            );
            if login == "case.batken@test.kg" && !path.contains("/cases/") && path != "/me/support"
            {
                // Her own (empty) list and form, without the other lab's women.
                assert_eq!(s, 200, "{login} {path}");
                assert!(!body.contains(&app.aizhan.to_string()));
            } else {
                assert_eq!(s, 404, "{login} {path}");
            }
        }
        for action in ["notes", "update", "share", "refer"] {
            let r = post_form(
                &app,
                &c,
                "/support/services",
                &format!("/support/cases/{id}/{action}"),
                &[
                    ("text", "x"),
                    ("status", "closed"),
                    ("shared", "on"),
                    ("consent", "on"),
                ],
            )
            .await;
            assert_eq!(r.status(), 404, "{login} {action}");
        }
    }
    assert_eq!(
        audit_rows(&app, &id).await,
        rows,
        "refused reads leave no trace in the case"
    );
    assert_eq!(app.count("case_notes").await, 2);
    // Anonymous: 401 on the API, sign-in on the pages.
    let r = app
        .client()
        .get(app.url(&format!("/api/v1/support-cases/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = app
        .client()
        .get(app.url(&format!("/support/cases/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login")
    );
    // The OpenAPI document lists the case endpoints.
    let doc: Value = app
        .client()
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for p in [
        "/api/v1/support-cases",
        "/api/v1/support-cases/{id}/notes",
        "/api/v1/support-cases/{id}/access-log",
    ] {
        assert!(doc["paths"][p].is_object(), "{p}");
    }
}

async fn case_data_never_shows_on_routes_that_return_people(app: TestApp) {
    let token = app.token("case.osh@test.kg").await;
    let id = open_case(&app, &token).await;
    // She agreed that the coordinator knows; even so, only the existence shows, on its own page.
    let her = app.signed_in("+996555100200").await;
    let r = post_form(
        &app,
        &her,
        "/me/support",
        &format!("/support/cases/{id}/share"),
        &[("shared", "on"), ("back", "me")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let forbidden = [
        NOTE,
        SHARED,
        "case-reason",
        "Violence",
        "Насилие",
        "Зомбулук",
        "support_cases",
        "ciphertext",
    ];
    let aizhan = app.aizhan.to_string();
    let pages = [
        "/".to_string(),
        "/people".to_string(),
        "/people?q=Айжан".to_string(),
        format!("/people/{aizhan}"),
        format!("/people/{aizhan}/edit"),
        "/labs/osh".to_string(),
        "/labs/osh/residents".to_string(),
        "/labs/osh/members".to_string(),
        "/labs/osh/cohorts".to_string(),
        "/admin/audit".to_string(),
        "/admin/users".to_string(),
        "/me".to_string(),
        "/me/schedule".to_string(),
        "/events".to_string(),
    ];
    let apis = [
        "/api/v1/people".to_string(),
        "/api/v1/people?q=Айжан".to_string(),
        format!("/api/v1/people/{aizhan}"),
        format!("/api/v1/people/{aizhan}/residencies"),
        "/api/v1/labs/osh/residencies".to_string(),
        "/api/v1/me".to_string(),
    ];
    for login in [
        "admin@test.kg",
        "coord.osh@test.kg",
        "coord.batken@test.kg",
        "mentor.osh@test.kg",
        "case.osh@test.kg",
        "+996555100200",
    ] {
        let c = app.signed_in(login).await;
        for lang in ["en", "ru", "ky"] {
            let _ = c
                .get(app.url(&format!("/lang/{lang}?next=/")))
                .send()
                .await
                .unwrap();
            for p in &pages {
                let (_, body) = text(&c, app.url(p)).await;
                for f in forbidden {
                    assert!(!body.contains(f), "{login} {lang} {p} shows {f}");
                }
            }
        }
        let t = app.token(login).await;
        for p in &apis {
            let body = api(&app, &t, reqwest::Method::GET, p, None)
                .await
                .text()
                .await
                .unwrap();
            for f in forbidden {
                assert!(!body.contains(f), "{login} {p} shows {f}");
            }
        }
    }
    // The exports of the network copy ciphertext only.
    assert_not_stored_in_clear(&app, NOTE).await;
}

async fn referrals_need_consent_or_a_reason(app: TestApp) {
    let token = app.token("case.osh@test.kg").await;
    let id = open_case(&app, &token).await;
    let c = app.signed_in("case.osh@test.kg").await;
    // The directory: case workers add services; anyone signed in reads it.
    let r = post_form(
        &app,
        &c,
        "/support/services",
        "/support/services",
        &[
            ("region", "osh-city"),
            ("kind", "crisis-centre"),
            ("name", "Ош кризистик борбору"),
            ("phone", "+996 3222 5 11 20"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let bad = post_form(
        &app,
        &c,
        "/support/services",
        "/support/services",
        &[("region", "mars"), ("kind", "x"), ("name", "")],
    )
    .await;
    assert_eq!(bad.status(), 422);
    let mentor = app.signed_in("mentor.osh@test.kg").await;
    let (s, html) = text(&mentor, app.url("/support/services?region=osh-city")).await;
    assert_eq!(s, 200);
    assert!(html.contains("Ош кризистик борбору"));
    assert!(!html.contains("name=\"kind\""), "no form for a mentor");
    let r = post_form(
        &app,
        &mentor,
        "/support/services",
        "/support/services",
        &[("region", "osh-city"), ("kind", "health"), ("name", "X")],
    )
    .await;
    assert_eq!(r.status(), 404);
    let mut conn = app.db.store.conn().await.unwrap();
    let service = store::support::services(&mut conn, Some("osh-city"))
        .await
        .unwrap()[0]
        .id
        .to_string();
    drop(conn);

    let page = format!("/support/cases/{id}");
    let action = format!("{page}/refer");
    // Neither consent nor a reason: refused, nothing changes.
    let rows = audit_rows(&app, &id).await;
    let r = post_form(&app, &c, &page, &action, &[("service_id", &service)]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Record her consent")
            || html.contains("согласие")
            || html.contains("макулдугун"),
        "{html}"
    );
    assert_eq!(app.count("referrals").await, 0);
    // Two reads (the form page, then its re-rendering with the error); no referral row.
    assert_eq!(audit_rows(&app, &id).await, rows + 2);
    // With her consent.
    let r = post_form(
        &app,
        &c,
        &page,
        &action,
        &[("service_id", &service), ("consent", "on")],
    )
    .await;
    assert_eq!(r.status(), 303);
    // Without it, with a reason: sealed, and audited as an override.
    let reason = "Өмүрүнө коркунуч override-reason-3141";
    let r = post_form(
        &app,
        &c,
        &page,
        &action,
        &[("service_id", &service), ("override_reason", reason)],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.count("referrals").await, 2);
    let (_, html) = text(&c, app.url(&page)).await;
    assert!(html.contains(reason));
    assert_not_stored_in_clear(&app, reason).await;
    let mut conn = app.db.store.conn().await.unwrap();
    let audit = store::audit::recent(&mut conn, Some(("support_case", &id)), 100)
        .await
        .unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.action == "support_case.refer" && a.detail == "override")
    );
    assert!(
        audit
            .iter()
            .any(|a| a.action == "support_case.refer" && a.detail == "consent")
    );
    // A service that does not exist is refused too.
    drop(conn);
    let r = post_form(
        &app,
        &c,
        &page,
        &action,
        &[("service_id", "nope"), ("consent", "on")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(app.count("referrals").await, 2);
}

async fn keys_rotate_and_tampering_is_caught(app: TestApp) {
    let token = app.token("case.osh@test.kg").await;
    let id = open_case(&app, &token).await;
    let store = &app.db.store;
    let mut conn = store.conn().await.unwrap();
    let sealed = store::support::all_sealed(&mut conn).await.unwrap();
    drop(conn);
    let old_id = sealed[0].key_id.clone();

    // A ciphertext moved onto another note does not open (bound to its case and note), nor does
    // a changed byte; the page still answers, marking the note unreadable.
    let mut conn = store.conn().await.unwrap();
    let (a, b) = (&sealed[0], &sealed[1]);
    store::support::reseal(&mut conn, b, &a.ciphertext, &a.key_id)
        .await
        .unwrap();
    drop(conn);
    let r = api(
        &app,
        &token,
        reqwest::Method::GET,
        &format!("/api/v1/support-cases/{id}"),
        None,
    )
    .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["notes"][0]["text"], NOTE);
    assert!(v["notes"][1]["text"].is_null(), "{v}");
    let c = app.signed_in("case.osh@test.kg").await;
    let (s, html) = text(&c, app.url(&format!("/support/cases/{id}"))).await;
    assert_eq!(s, 200);
    assert!(
        html.contains("cannot be opened")
            || html.contains("нельзя открыть")
            || html.contains("ачууга болбойт")
    );
    // Restore it.
    let mut conn = store.conn().await.unwrap();
    store::support::reseal(&mut conn, b, &b.ciphertext, &b.key_id)
        .await
        .unwrap();
    drop(conn);

    // Rotation: a new key first, the old one after it; everything re-sealed in one transaction.
    let new_key = generate_key().unwrap();
    let both = Keyring::from_list(&format!("{new_key},{KEY}")).unwrap();
    assert_eq!(both.ids()[1], old_id);
    let r = web::services::support::rotate(store, &both).await.unwrap();
    assert_eq!((r.notes, r.referrals, r.already_current), (2, 0, 0));
    let mut conn = store.conn().await.unwrap();
    let after = store::support::all_sealed(&mut conn).await.unwrap();
    assert!(after.iter().all(|v| v.key_id == both.current_id()));
    // The new key alone opens every note now.
    let user = store::users::by_login(&mut conn, "case.osh@test.kg")
        .await
        .unwrap()
        .unwrap();
    let actor = store::users::actor(&mut conn, &user).await.unwrap();
    drop(conn);
    let only_new = Keyring::from_list(&new_key).unwrap();
    let v = web::services::support::read_case(store, &actor, &only_new, id.parse().unwrap(), false)
        .await
        .unwrap();
    let texts: Vec<Option<String>> = v.notes.iter().map(|n| n.text.clone()).collect();
    assert_eq!(
        texts,
        vec![Some(NOTE.to_string()), Some(SHARED.to_string())]
    );
    // A second run has nothing to do.
    let r = web::services::support::rotate(store, &both).await.unwrap();
    assert_eq!((r.notes, r.already_current), (0, 2));
    // A server still holding only the old key answers, marking the notes unreadable.
    let r = api(
        &app,
        &token,
        reqwest::Method::GET,
        &format!("/api/v1/support-cases/{id}"),
        None,
    )
    .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert!(v["notes"][0]["text"].is_null());
    // A value that does not open stops a rotation, and nothing changes.
    let mut conn = store.conn().await.unwrap();
    let tampered = format!("{}x", &after[0].ciphertext[..after[0].ciphertext.len() - 4]);
    store::support::reseal(&mut conn, &after[0], &tampered, &after[0].key_id)
        .await
        .unwrap();
    drop(conn);
    let third = Keyring::from_list(&format!("{},{new_key}", generate_key().unwrap())).unwrap();
    assert!(web::services::support::rotate(store, &third).await.is_err());
    let mut conn = store.conn().await.unwrap();
    let unchanged = store::support::all_sealed(&mut conn).await.unwrap();
    assert_eq!(unchanged[1].ciphertext, after[1].ciphertext);
}

async fn without_a_key_nothing_is_stored(app: TestApp) {
    let token = app.token("case.osh@test.kg").await;
    let r = app
        .client()
        .post(app.url("/api/v1/support-cases"))
        .bearer_auth(&token)
        .header("accept-language", "en")
        .json(&json!({"person_id": app.aizhan}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"], "case-key-missing");
    assert!(
        v["message"].as_str().unwrap().contains("encryption key"),
        "{v}"
    );
    assert_eq!(app.count("support_cases").await, 0);
    let c = app.signed_in("case.osh@test.kg").await;
    let (s, html) = text(&c, app.url("/support")).await;
    assert_eq!(s, 409);
    assert!(html.contains("WCL_CASE_KEY"), "{html}");
    // Others still get 404 first: the missing key tells them nothing.
    let t = app.token("admin@test.kg").await;
    let r = api(
        &app,
        &t,
        reqwest::Method::POST,
        "/api/v1/support-cases",
        Some(json!({"person_id": app.aizhan})),
    )
    .await;
    assert_eq!(r.status(), 404);
}

async fn case_pages_time_out_quickly(app: TestApp) {
    let c = app.signed_in("case.osh@test.kg").await;
    let (s, _) = text(&c, app.url("/support")).await;
    assert_eq!(s, 200);
    let r = c.get(app.url("/support")).send().await.unwrap();
    assert_eq!(r.status(), 200, "still fresh");
    assert_eq!(r.headers()["cache-control"], "no-store");
    tokio::time::sleep(std::time::Duration::from_millis(2300)).await;
    let r = c.get(app.url("/support")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login")
    );
    // The session is over: other pages want a sign-in too.
    let r = c.get(app.url("/support/services")).send().await.unwrap();
    assert_eq!(r.status(), 303);
}

/// Opening a case: no drop-down of every name, but the forgiving search with what tells two
/// women of the same name apart (and nothing more); a woman not in the records is registered
/// there with her consent, by the case worker (who still cannot read people's records).
async fn opening_a_case_finds_her_or_registers_a_walk_in(app: TestApp) {
    let c = app.signed_in("case.osh@test.kg").await;
    let (s, html) = text(&c, app.url("/support/new")).await;
    assert_eq!(s, 200);
    assert!(
        !html.contains("<select id=\"person_id\""),
        "no list of every woman"
    );
    assert!(!html.contains(&app.aizhan.to_string()));
    // Search in any spelling: the Latin spelling finds her; her birth year tells her apart,
    // her phone is not shown.
    let (s, html) = text(&c, app.url("/support/new?q=toktogulova")).await;
    assert_eq!(s, 200);
    assert!(
        html.contains(&format!("/support/new?person={}", app.aizhan)),
        "{html}"
    );
    assert!(html.contains("Токтогулова Айжан") && html.contains("1994"));
    assert!(!html.contains("555100200") && !html.contains("555 100 200"));
    // Another lab's woman is not found.
    let (_, html) = text(&c, app.url("/support/new?q=Эшимова")).await;
    assert!(!html.contains(&app.batken_woman.to_string()));
    // Nor chosen by her id.
    let (_, html) = text(
        &c,
        app.url(&format!("/support/new?person={}", app.batken_woman)),
    )
    .await;
    assert!(!html.contains("Эшимова"));
    // Chosen: the case form names her.
    let (_, html) = text(&c, app.url(&format!("/support/new?person={}", app.aizhan))).await;
    assert!(html.contains("id=\"case-person\"") && html.contains("Токтогулова Айжан"));

    // A walk-in: without her consent nothing is stored (422, in the form).
    let people = app.count("people").await;
    let page = "/support/new?q=%D0%A1%D0%B0%D0%B4%D1%8B%D0%BA%D0%BE%D0%B2%D0%B0";
    let walk = [
        ("family_name", "Садыкова"),
        ("given_name", "Гүлнара"),
        ("birth_year", "1987"),
        ("locality", "Кара-Суу"),
    ];
    let r = post_form(&app, &c, page, "/support/walk-in", &walk).await;
    assert_eq!(r.status(), 422);
    assert_eq!(app.count("people").await, people);
    let mut with_consent = walk.to_vec();
    with_consent.push(("consent", "on"));
    with_consent.push(("consent_language", "ru"));
    let r = post_form(&app, &c, page, "/support/walk-in", &with_consent).await;
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/support/new?person="), "{to}");
    assert_eq!(app.count("people").await, people + 1);
    let id = to.trim_start_matches("/support/new?person=").to_string();
    let mut conn = app.db.store.conn().await.unwrap();
    let p = store::people::get_scoped(&mut conn, &domain::LabScope::All, id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p.lab_id, app.osh);
    let consents = store::people::consents(&mut conn, p.id).await.unwrap();
    assert_eq!(consents.len(), 1);
    assert_eq!(consents[0].language, "ru");
    let rows = store::audit::recent(&mut conn, Some(("person", id.as_str())), 10)
        .await
        .unwrap();
    assert!(
        rows.iter()
            .any(|r| r.action == "person.create" && r.detail == "walk-in")
    );
    drop(conn);
    // Her case opens from there.
    let r = post_form(
        &app,
        &c,
        &to,
        "/support/new",
        &[
            ("person_id", id.as_str()),
            ("reason", "other"),
            ("urgency", "high"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    // Least privilege stays: the case worker cannot read people's records, and a coordinator
    // cannot use the walk-in route.
    let (s, _) = text(&c, app.url(&format!("/people/{id}"))).await;
    assert_eq!(s, 404);
    let coord = app.signed_in("coord.osh@test.kg").await;
    let (_, html) = text(&coord, app.url("/people")).await;
    let token = csrf(&html);
    let mut form = vec![("_csrf", token.as_str())];
    form.extend_from_slice(&with_consent);
    let r = coord
        .post(app.url("/support/walk-in"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(app.count("people").await, people + 1);
}
