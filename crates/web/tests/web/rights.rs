//! Her data, her rights, through the real app on SQLite and PostgreSQL: everything kept about her
//! for a coordinator of her lab and for herself (JSON and PDF), hidden once she withdraws her
//! consent, erased without changing the network's figures (and erased again after a restore),
//! and the retention rule.
use crate::common::{TestApp, csrf};
use serde_json::{Value, json};

on_both_backends!(
    everything_kept_about_her_is_hers_and_her_labs_to_read,
    withdrawn_consent_hides_her_but_from_her_labs_coordinators,
    erasure_removes_her_everywhere_and_keeps_the_figures,
    retention_erases_old_declined_applications_and_unlinked_registrations,
);

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(app.db.store.pool())
        .await
        .unwrap()
}

async fn text(app: &TestApp, sql: &str) -> Option<String> {
    sqlx::query_scalar::<_, Option<String>>(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(app.db.store.pool())
        .await
        .unwrap()
}

/// An outcome with a note, a message to her, an event she registered for.
async fn her_traces(app: &TestApp) -> String {
    let a = app.aizhan;
    let token = app.token("coord.osh@test.kg").await;
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/people/{a}/outcomes")))
        .bearer_auth(&token)
        .json(&json!({"kind": "income", "occurred_on": "2026-06-01", "amount": "12000", "verified": "on", "note": "Айжан кийиз сатты"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let mut c = app.db.store.conn().await.unwrap();
    let payload = json!({"to": "+996555100200", "subject": "Салам, Айжан", "body": "Айжан Токтогулова, сиз катталдыңыз"});
    store::jobs::enqueue(
        &mut c,
        "email",
        &payload.to_string(),
        chrono::Utc::now(),
        None,
    )
    .await
    .unwrap();
    drop(c);
    let ev = app.create_event(10, true, "Кийиз мастер-классы").await;
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/events/{ev}/registrations")))
        .json(&json!({"name": "Айжан Токтогулова", "phone": "0555 100 200", "email": "aizhan@mail.kg"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    sqlx::query("UPDATE registrations SET person_id = $1 WHERE phone = '+996555100200'")
        .bind(a.to_string())
        .execute(app.db.store.pool())
        .await
        .unwrap();
    ev
}

async fn everything_kept_about_her_is_hers_and_her_labs_to_read(app: TestApp) {
    let a = app.aizhan;
    her_traces(&app).await;
    let coord = app.signed_in("coord.osh@test.kg").await;
    // Her page, read by the coordinator: a read the export must list, with the reader's name.
    let page = crate::common::get_text(&coord, app.url(&format!("/people/{a}"))).await;
    assert!(page.contains(&format!("/people/{a}/export.pdf")), "{page}");
    assert!(page.contains(&format!("/people/{a}/erase")));

    let r = coord
        .get(app.url(&format!("/people/{a}/export.json")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("no-store")
    );
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["person"]["family_name"], "Токтогулова");
    assert_eq!(v["person"]["lab"], "osh");
    assert!(!v["consents"].as_array().unwrap().is_empty(), "{v}");
    assert_eq!(v["residencies"][0]["status"], "active", "{v}");
    assert!(!v["transitions"].as_array().unwrap().is_empty(), "{v}");
    assert_eq!(v["outcomes"][0]["note"], "Айжан кийиз сатты", "{v}");
    assert_eq!(v["events"][0]["event"], "Кийиз мастер-классы", "{v}");
    assert_eq!(v["messages"][0]["subject"], "Салам, Айжан", "{v}");
    for section in [
        "attendance",
        "certificates",
        "mentoring_sessions",
        "survey_answers",
        "grant_applications",
        "grant_attachments",
        "bookings",
    ] {
        assert!(v[section].is_array(), "{section} missing: {v}");
    }
    let reads = v["reads"].as_array().unwrap();
    assert!(
        reads
            .iter()
            .any(|r| r["reader"] == "coord.osh@test.kg" && r["action"] == "person.read"),
        "{v}"
    );

    let r = coord
        .get(app.url(&format!("/people/{a}/export.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(r.bytes().await.unwrap().starts_with(b"%PDF"));

    // Another lab's coordinator, a mentor of her own lab, and nobody at all: nothing.
    for login in ["coord.batken@test.kg", "mentor.osh@test.kg"] {
        let other = app.signed_in(login).await;
        for path in ["export.json", "export.pdf", "erase"] {
            let r = other
                .get(app.url(&format!("/people/{a}/{path}")))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 404, "{login} {path}");
        }
    }
    let r = app
        .client()
        .get(app.url(&format!("/people/{a}/export.json")))
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), 200);

    // The API answers the same, to the same callers.
    for (login, status) in [("coord.osh@test.kg", 200), ("coord.batken@test.kg", 404)] {
        let r = app
            .client()
            .get(app.url(&format!("/api/v1/people/{a}/export")))
            .bearer_auth(app.token(login).await)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{login}");
        if status == 200 {
            let v: Value = r.json().await.unwrap();
            assert_eq!(v["person"]["family_name"], "Токтогулова");
        }
    }

    // She herself, from /me.
    let me = app.signed_in("+996555100200").await;
    let page = crate::common::get_text(&me, app.url("/me")).await;
    assert!(page.contains("/me/export.pdf"));
    let v: Value = me
        .get(app.url("/me/export.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["person"]["given_name"], "Айжан");
    assert!(
        v["reads"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["action"] == "person.export" && r["reader"] == "coord.osh@test.kg"),
        "she sees that the coordinator read her record out: {v}"
    );
    let r = me.get(app.url("/me/export.pdf")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.unwrap().starts_with(b"%PDF"));
    // A sensitive read, audited every time (three by the coordinator, two by her).
    assert_eq!(
        scalar(
            &app,
            &format!(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'person.export' AND entity_id = '{a}'"
            )
        )
        .await,
        5
    );
    // The batken woman is not in Aizhan's export, and Aizhan cannot read hers.
    let r = me
        .get(app.url(&format!("/people/{}/export.json", app.batken_woman)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

async fn found(c: &reqwest::Client, app: &TestApp, q: &str) -> bool {
    let page = crate::common::get_text(c, app.url(&format!("/people?q={q}"))).await;
    page.contains(&format!("/people/{}", app.aizhan))
}

async fn withdrawn_consent_hides_her_but_from_her_labs_coordinators(app: TestApp) {
    let a = app.aizhan;
    let coord = app.signed_in("coord.osh@test.kg").await;
    let admin = app.signed_in("admin@test.kg").await;
    let token = app.token("admin@test.kg").await;
    let api_found = async || {
        let v: Value = app
            .client()
            .get(app.url("/api/v1/people?q=Токтогулова"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v.to_string().contains(&a.to_string())
    };
    assert!(found(&admin, &app, "Токтогулова").await);
    assert!(found(&coord, &app, "Токтогулова").await);
    assert!(api_found().await);
    let listed = async |c: &reqwest::Client| {
        c.get(app.url("/labs/osh/residents"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains(&format!("/people/{a}"))
    };
    assert!(listed(&admin).await);
    // She is a member of the lab's network and waits for a mentor.
    {
        let mut c = app.db.store.conn().await.unwrap();
        store::events::ensure_member(&mut c, app.osh, a, None)
            .await
            .unwrap();
    }
    let in_list = async |path: &str| {
        admin
            .get(app.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("Токтогулова")
    };
    let waiting = async || {
        let mut c = app.db.store.conn().await.unwrap();
        store::mentoring::waiting(&mut c, app.osh)
            .await
            .unwrap()
            .iter()
            .any(|w| w.person_id == a)
    };
    assert!(in_list("/labs/osh/members").await);
    assert!(waiting().await, "she waits for a mentor");

    // She withdraws her consent from /me.
    let me = app.signed_in("+996555100200").await;
    let page = crate::common::get_text(&me, app.url("/me")).await;
    let i = page.find("/me/consents/").unwrap();
    let action = page[i..].split('"').next().unwrap().to_string();
    let r = me
        .post(app.url(&action))
        .form(&[("_csrf", csrf(&page))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);

    assert!(
        !found(&admin, &app, "Токтогулова").await,
        "the admin no longer finds her"
    );
    assert!(!found(&admin, &app, "0555100200").await, "nor by her phone");
    assert!(!api_found().await, "nor through the API");
    assert!(!listed(&admin).await, "nor in the lab's list");
    assert!(
        !in_list("/labs/osh/members").await,
        "nor among the lab's network members"
    );
    assert!(!waiting().await, "nor among women proposed to mentors");
    assert!(
        found(&coord, &app, "Токтогулова").await,
        "her lab's coordinator does"
    );
    // Her page for the coordinator: minimal, with the prompt to erase.
    let page = crate::common::get_text(&coord, app.url(&format!("/people/{a}"))).await;
    assert!(page.contains(&format!("/people/{a}/erase")), "{page}");
    assert!(
        !page.contains("0555") && !page.contains("+996555100200"),
        "minimal: {page}"
    );
    assert!(page.contains(&web::i18n::Lang::Ky.t("rights-withdrawn-prompt")));
}

/// Every text column of every table holding one of `needles`, as `table.column`.
async fn traces(app: &TestApp, needles: &[&str]) -> Vec<String> {
    let s = &app.db.store;
    let mut c = s.conn().await.unwrap();
    let mut out = vec![];
    for table in store::copy::TABLES {
        if *table == "audit_log" {
            continue;
        }
        for col in store::copy::columns(s, &mut c, table).await.unwrap() {
            if col.ty != store::copy::ColType::Text {
                continue;
            }
            for n in needles {
                let sql = format!(
                    "SELECT COUNT(*) FROM {table} WHERE LOWER({}) LIKE LOWER($1)",
                    col.name
                );
                let k: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                    .bind(format!("%{n}%"))
                    .fetch_one(&mut *c)
                    .await
                    .unwrap();
                if k > 0 {
                    out.push(format!("{table}.{} ~ {n}", col.name));
                }
            }
        }
    }
    out
}

async fn indicators(app: &TestApp, token: &str, query: &str) -> Value {
    let r = app
        .client()
        .get(app.url(&format!("/api/v1/indicators?{query}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json::<Value>().await.unwrap()["indicators"].clone()
}

async fn erasure_removes_her_everywhere_and_keeps_the_figures(app: TestApp) {
    let a = app.aizhan;
    her_traces(&app).await;
    let admin_token = app.token("admin@test.kg").await;
    let me = app.signed_in("+996555100200").await;
    let needles = ["Токтогулова", "Айжан", "555100200", "aizhan@mail.kg"];
    assert!(!traces(&app, &needles).await.is_empty());
    let before_osh = indicators(&app, &admin_token, "lab=osh").await;
    let before_all = indicators(&app, &admin_token, "").await;

    // Another lab's coordinator cannot; her own must confirm and give a reason.
    let other = app.signed_in("coord.batken@test.kg").await;
    let coord = app.signed_in("coord.osh@test.kg").await;
    let page = crate::common::get_text(&coord, app.url(&format!("/people/{a}/erase"))).await;
    let token = csrf(&page);
    let r = other
        .post(app.url(&format!("/people/{a}/erase")))
        .form(&[
            (
                "_csrf",
                csrf(
                    &other
                        .get(app.url("/people"))
                        .send()
                        .await
                        .unwrap()
                        .text()
                        .await
                        .unwrap(),
                ),
            ),
            ("reason", "her-request".to_string()),
            ("confirm", "on".to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    for form in [
        vec![("_csrf", token.as_str()), ("reason", "her-request")],
        vec![
            ("_csrf", token.as_str()),
            ("reason", "because"),
            ("confirm", "on"),
        ],
    ] {
        let r = coord
            .post(app.url(&format!("/people/{a}/erase")))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("Токтогулова"));
    }
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM erasures").await, 0);

    let r = coord
        .post(app.url(&format!("/people/{a}/erase")))
        .form(&[
            ("_csrf", token.as_str()),
            ("reason", "her-request"),
            ("confirm", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/people");

    assert_eq!(traces(&app, &needles).await, Vec::<String>::new());
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM outcomes").await,
        1,
        "the fact stays"
    );
    // The figures do not change, for her lab or the network.
    assert_eq!(indicators(&app, &admin_token, "lab=osh").await, before_osh);
    assert_eq!(indicators(&app, &admin_token, "").await, before_all);
    // Her account is gone: signed out, and no way back in.
    let r = me.get(app.url("/me/export.json")).send().await.unwrap();
    assert_ne!(r.status(), 200);
    // The audit row names the reason, not her.
    let detail = text(
        &app,
        &format!(
            "SELECT detail FROM audit_log WHERE action = 'person.erase' AND entity_id = '{a}'"
        ),
    )
    .await;
    assert_eq!(detail.as_deref(), Some("her-request"));
    // Her page says so; the export holds nothing of her.
    let page = crate::common::get_text(&coord, app.url(&format!("/people/{a}"))).await;
    assert!(page.contains(&web::i18n::Lang::Ky.t("rights-erased")));
    assert!(!found(&coord, &app, "Токтогулова").await);

    // A backup from before the erasure is restored: the list erases her again.
    sqlx::query(
        "UPDATE people SET family_name = 'Токтогулова', phone = '+996555100200' WHERE id = $1",
    )
    .bind(a.to_string())
    .execute(app.db.store.pool())
    .await
    .unwrap();
    assert!(!traces(&app, &needles).await.is_empty());
    assert_eq!(
        web::services::rights::reapply_erasures(&app.db.store)
            .await
            .unwrap(),
        1
    );
    assert_eq!(traces(&app, &needles).await, Vec::<String>::new());
    assert_eq!(indicators(&app, &admin_token, "").await, before_all);
}

async fn retention_erases_old_declined_applications_and_unlinked_registrations(app: TestApp) {
    let pool = app.db.store.pool();
    // Two women who applied through the public form and were declined: one long ago.
    let s = &app.db.store;
    let admin = domain::Actor {
        user_id: Some(
            store::users::by_login(&mut s.conn().await.unwrap(), "admin@test.kg")
                .await
                .unwrap()
                .unwrap()
                .id,
        ),
        admin: true,
        ..Default::default()
    };
    let mut ids = vec![];
    for (family, phone) in [("Осмонова", "0700 900 001"), ("Бакирова", "0700 900 002")]
    {
        let p = web::services::PersonInput {
            family_name: family.into(),
            given_name: "Гүлнара".into(),
            phone: phone.into(),
            birth_year: "1990".into(),
            ..Default::default()
        };
        let consent = web::services::ConsentInput {
            consent: "on".into(),
            ..Default::default()
        };
        let id = match web::services::register_person(
            s,
            &admin,
            app.osh,
            &p,
            &consent,
            domain::ResidencyStatus::Applied,
            true,
            web::i18n::Lang::Ky,
        )
        .await
        .unwrap()
        {
            web::services::RegisterOutcome::Created(id) => id,
            web::services::RegisterOutcome::Duplicates(_) => unreachable!(),
        };
        ids.push(id);
    }
    // Both declined (the decline itself is tested with intake); the first long ago.
    for id in &ids {
        sqlx::query("UPDATE residencies SET status = 'declined' WHERE person_id = $1")
            .bind(id.to_string())
            .execute(pool)
            .await
            .unwrap();
    }
    sqlx::query(
        "UPDATE residencies SET updated_at = '2023-01-10T08:00:00.000000Z' WHERE person_id = $1",
    )
    .bind(ids[0].to_string())
    .execute(pool)
    .await
    .unwrap();
    // A registration of someone never linked to a person, for an event long over; and a new one.
    let ev = app.create_event(10, true, "Эски иш-чара").await;
    for (name, phone) in [
        ("Нурайым Жолдошева", "0700 800 001"),
        ("Сезим Алиева", "0700 800 002"),
    ] {
        let r = app
            .client()
            .post(app.url(&format!("/api/v1/events/{ev}/registrations")))
            .json(&json!({"name": name, "phone": phone}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
    }
    let ev2 = app.create_event(10, true, "Жаңы иш-чара").await;
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/events/{ev2}/registrations")))
        .json(&json!({"name": "Айдай Токоева", "phone": "0700 800 003"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    sqlx::query("UPDATE events SET starts_at = '2023-03-01T08:00:00.000000Z', ends_at = '2023-03-01T10:00:00.000000Z' WHERE id = $1")
        .bind(&ev)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE registrations SET created_at = '2023-02-01T08:00:00.000000Z' WHERE event_id = $1",
    )
    .bind(&ev)
    .execute(pool)
    .await
    .unwrap();
    let before = indicators(&app, &app.token("admin@test.kg").await, "").await;

    let (people, regs) = web::services::rights::retention_run_once(s, 730)
        .await
        .unwrap();
    assert_eq!((people, regs), (1, 2));
    let t = traces(
        &app,
        &["Осмонова", "Нурайым", "Сезим", "700800001", "700900001"],
    )
    .await;
    assert_eq!(t, Vec::<String>::new());
    // The recent ones, and the active resident, are untouched.
    let t = traces(&app, &["Бакирова", "Айдай", "Токтогулова"]).await;
    assert!(t.iter().any(|x| x.contains("Бакирова")), "{t:?}");
    assert!(t.iter().any(|x| x.contains("Айдай")), "{t:?}");
    assert!(t.iter().any(|x| x.contains("Токтогулова")), "{t:?}");
    assert_eq!(
        indicators(&app, &app.token("admin@test.kg").await, "").await,
        before
    );
    // A second pass finds nothing more.
    assert_eq!(
        web::services::rights::retention_run_once(s, 730)
            .await
            .unwrap(),
        (0, 0)
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM erasures WHERE reason = 'retention'"
        )
        .await,
        3
    );
}
