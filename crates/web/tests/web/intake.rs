//! Intake through the real app on SQLite and PostgreSQL: declining an application is its own
//! step with a reason, she is told in her language and a coordinator can reopen it; the public
//! form speaks to the applicant and answers the same whether or not her number is known; the
//! mentoring proposal says why a resident's own choice was not followed and names a refused pair.
use crate::common::{TestApp, csrf};
use domain::{Actor, ResidencyStatus};
use web::services;

on_both_backends!(
    decline_asks_a_reason_tells_her_and_can_be_reopened,
    applying_again_answers_the_same_and_tells_the_coordinator,
    mentoring_proposal_explains_her_choice_and_names_the_pair,
);

async fn get(c: &reqwest::Client, url: String) -> (u16, String) {
    let r = c
        .get(url)
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn post(c: &reqwest::Client, url: String, form: &[(&str, &str)]) -> reqwest::Response {
    c.post(url)
        .header("accept-language", "en")
        .form(form)
        .send()
        .await
        .unwrap()
}

/// An application through the public form, in `lang`; answers the response.
async fn apply(app: &TestApp, lang: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let anon = app.client();
    let page = anon
        .get(app.url("/labs/osh/apply"))
        .header("accept-language", lang)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let t = csrf(&page);
    let mut form = vec![("_csrf", t.as_str())];
    form.extend_from_slice(fields);
    anon.post(app.url("/labs/osh/apply"))
        .header("accept-language", lang)
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// The open or declined residency of the woman named `name` (family, given) in Osh.
async fn residency_of(app: &TestApp, name: &str) -> store::residency::Residency {
    let mut c = app.db.store.conn().await.unwrap();
    store::residency::of_lab(&mut c, app.osh, None)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.person_name == name)
        .unwrap_or_else(|| panic!("no residency of {name}"))
        .residency
}

async fn decline_asks_a_reason_tells_her_and_can_be_reopened(app: TestApp) {
    let r = apply(
        &app,
        "ru",
        &[
            ("family_name", "Асанова"),
            ("given_name", "Бурул"),
            ("phone", "0555 909 808"),
            ("email", "burul@example.kg"),
            ("consent", "on"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let r = apply(
        &app,
        "ky",
        &[
            ("family_name", "Осмонова"),
            ("given_name", "Нургүл"),
            ("phone", "0555 707 606"),
            ("consent", "on"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let burul = residency_of(&app, "Асанова Бурул").await;
    let nurgul = residency_of(&app, "Осмонова Нургүл").await;

    let c = app.signed_in("coord.osh@test.kg").await;
    let (_, html) = get(&c, app.url("/labs/osh/residents?status=applied")).await;
    // "Decline" is not one tap next to "Accept": it leads to its own step.
    assert!(!html.contains("value=\"declined\""), "{html}");
    assert!(html.contains(&format!("/residencies/{}/decline", burul.id)));
    let t = csrf(&html);
    // A bare status change to declined is refused (422) and changes nothing.
    let r = post(
        &c,
        app.url(&format!("/residencies/{}/transition", burul.id)),
        &[("_csrf", t.as_str()), ("to", "declined")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        residency_of(&app, "Асанова Бурул").await.status,
        ResidencyStatus::Applied
    );
    // The step asks why and says how she will be told.
    let (s, html) = get(&c, app.url(&format!("/residencies/{}/decline", burul.id))).await;
    assert_eq!(s, 200);
    assert!(html.contains("name=\"reason\"") && html.contains("by email"));
    let r = post(
        &c,
        app.url(&format!("/residencies/{}/decline", burul.id)),
        &[("_csrf", t.as_str()), ("reason", "  ")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(app.count("residency_declines").await, 0);
    let jobs_before = app.count("jobs").await;
    let r = post(
        &c,
        app.url(&format!("/residencies/{}/decline", burul.id)),
        &[
            ("_csrf", t.as_str()),
            ("reason", "Группа набрана до мая"),
            ("share_reason", "on"),
            ("back", "/labs/osh/residents?status=applied"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        "/labs/osh/residents?status=applied"
    );
    assert_eq!(
        residency_of(&app, "Асанова Бурул").await.status,
        ResidencyStatus::Declined
    );
    // She is told by email, in the language she applied in, with the reason.
    assert_eq!(app.count("jobs").await, jobs_before + 1);
    let mut conn = app.db.store.conn().await.unwrap();
    let jobs = store::jobs::all(&mut conn).await.unwrap();
    let mail = &jobs.last().unwrap().payload;
    assert!(mail.contains("burul@example.kg"), "{mail}");
    assert!(mail.contains("Ваша заявка") && mail.contains("Группа набрана до мая"));
    // Without email: the coordinator says she told her herself.
    let (_, html) = get(&c, app.url(&format!("/residencies/{}/decline", nurgul.id))).await;
    assert!(html.contains("no email"), "{html}");
    let r = post(
        &c,
        app.url(&format!("/residencies/{}/decline", nurgul.id)),
        &[
            ("_csrf", t.as_str()),
            ("reason", "Живёт слишком далеко"),
            ("told_in_person", "on"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.count("jobs").await, jobs_before + 1);
    // The intake page shows why and how she was told, and offers to reopen.
    let (_, html) = get(&c, app.url("/labs/osh/residents?status=declined")).await;
    assert!(html.contains("Группа набрана до мая") && html.contains("told by email"));
    assert!(html.contains("Живёт слишком далеко") && html.contains("told by the coordinator"));
    assert!(html.contains(&format!("/residencies/{}/reopen", burul.id)));
    // Another lab's coordinator cannot see or touch it.
    let b = app.signed_in("coord.batken@test.kg").await;
    let (s, _) = get(&b, app.url(&format!("/residencies/{}/decline", burul.id))).await;
    assert_eq!(s, 404);
    let (_, bh) = get(&b, app.url("/people")).await;
    let bt = csrf(&bh);
    let r = post(
        &b,
        app.url(&format!("/residencies/{}/reopen", burul.id)),
        &[("_csrf", bt.as_str())],
    )
    .await;
    assert_eq!(r.status(), 404);
    // Reopened: back to applied, audited; the decline stays on record.
    let r = post(
        &c,
        app.url(&format!("/residencies/{}/reopen", burul.id)),
        &[("_csrf", t.as_str()), ("back", "/labs/osh/residents")],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        residency_of(&app, "Асанова Бурул").await.status,
        ResidencyStatus::Applied
    );
    let rows = store::audit::recent(&mut conn, Some(("residency", &burul.id.to_string())), 10)
        .await
        .unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
    assert!(actions.contains(&"residency.reopen") && actions.contains(&"residency.decline"));
    assert_eq!(
        store::residency::declines(&mut conn, burul.id)
            .await
            .unwrap()
            .len(),
        1
    );
    // A residency that is not declined cannot be reopened.
    let r = post(
        &c,
        app.url(&format!("/residencies/{}/reopen", burul.id)),
        &[("_csrf", t.as_str())],
    )
    .await;
    assert_eq!(r.status(), 409);
    // The API declines only with a reason.
    let token = app.token("coord.osh@test.kg").await;
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/residencies/{}/transitions", burul.id)))
        .bearer_auth(&token)
        .json(&serde_json::json!({"to": "declined"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
}

/// The answer with its CSRF tokens (and nothing else) blanked.
fn without_tokens(html: &str) -> String {
    let mut out = html.to_string();
    while let Some(i) = out.find("name=\"_csrf\" value=\"") {
        let start = i + 20;
        out.replace_range(i..start + 64, "TOKEN");
    }
    out
}

async fn applying_again_answers_the_same_and_tells_the_coordinator(app: TestApp) {
    let form = [
        ("family_name", "Жумабаева"),
        ("given_name", "Айгерим"),
        ("phone", "0700 111 222"),
        ("consent", "on"),
        ("motivation", "Тигүү"),
    ];
    let first = apply(&app, "en", &form).await;
    let again = apply(&app, "en", &form).await;
    // The same status, the same place to go, the same body: a stranger cannot tell whether a
    // number is known.
    assert_eq!(first.status(), again.status());
    assert_eq!(first.status(), 303);
    assert_eq!(first.headers()["location"], again.headers()["location"]);
    let names = |r: &reqwest::Response| {
        let mut n: Vec<String> = r.headers().keys().map(|k| k.to_string()).collect();
        n.sort();
        n
    };
    assert_eq!(names(&first), names(&again));
    let to = first.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(first.bytes().await.unwrap(), again.bytes().await.unwrap());
    let done = app.url(&to);
    let page = || async {
        app.client()
            .get(done.as_str())
            .header("accept-language", "en")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    assert_eq!(without_tokens(&page().await), without_tokens(&page().await));
    // One application; the coordinator sees that she applied again.
    assert_eq!(app.count("application_repeats").await, 1);
    let c = app.signed_in("coord.osh@test.kg").await;
    let (_, html) = get(&c, app.url("/labs/osh/residents?status=applied")).await;
    assert_eq!(html.matches("Жумабаева Айгерим").count(), 1);
    assert!(html.contains("applied again once"), "{html}");
    // The form speaks to her, in each language.
    for (lang, word) in [
        ("en", "your consent"),
        ("ru", "вашу заявку"),
        ("ky", "Макулдугуңузду"),
    ] {
        let r = apply(
            &app,
            lang,
            &[
                ("family_name", "Жумабаева"),
                ("given_name", "Айгерим"),
                ("phone", "0700 111 222"),
            ],
        )
        .await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains(word), "{lang}: {html}");
        for third in [
            "Her consent",
            "её согласие",
            "анын макулдугу",
            "She already",
        ] {
            assert!(!html.contains(third), "{lang}: {third}");
        }
    }
}

async fn mentoring_proposal_explains_her_choice_and_names_the_pair(app: TestApp) {
    let bermet = app.mentoring_setup().await;
    let s = &app.db.store;
    let mut conn = s.conn().await.unwrap();
    let mentor2 = store::users::by_login(&mut conn, "mentor2.osh@test.kg")
        .await
        .unwrap()
        .unwrap();
    let mentor1 = store::users::by_login(&mut conn, "mentor.osh@test.kg")
        .await
        .unwrap()
        .unwrap();
    let resident = store::users::by_login(&mut conn, "+996555100200")
        .await
        .unwrap()
        .unwrap();
    let m2 = store::users::actor(&mut conn, &mentor2).await.unwrap();
    drop(conn);
    // Aizhan chose the second mentor, who then has no room left.
    let aizhan = Actor {
        user_id: Some(resident.id),
        person_id: Some(app.aizhan),
        ..Actor::default()
    };
    services::mentoring::save_wish(
        s,
        &aizhan,
        &services::mentoring::WishInput {
            mentor: mentor2.id.to_string(),
            remote_ok: String::new(),
            skills: vec!["design".into()],
        },
    )
    .await
    .unwrap();
    services::mentoring::save_profile(
        s,
        &m2,
        &services::mentoring::ProfileInput {
            expertise: vec!["sewing".into(), "design".into()],
            languages: vec!["ky".into(), "ru".into()],
            capacity: "0".into(),
            availability: "Шаршемби".into(),
            in_person: "on".into(),
            remote: String::new(),
        },
    )
    .await
    .unwrap();
    let c = app.signed_in("coord.osh@test.kg").await;
    let (_, html) = get(&c, app.url("/labs/osh/mentoring")).await;
    let t = csrf(&html);
    let r = post(
        &c,
        app.url("/labs/osh/mentoring/proposals"),
        &[("_csrf", t.as_str())],
    )
    .await;
    let html = r.text().await.unwrap();
    assert!(
        html.contains("She chose Гүлмира Асанова, who has no room left."),
        "{html}"
    );
    // Both residents given to a mentor with room for one: refused, naming the pair at fault.
    let (a, b, m) = (
        app.aizhan.to_string(),
        bermet.to_string(),
        mentor1.id.to_string(),
    );
    let (ka, kb) = (format!("mentor-{a}"), format!("mentor-{b}"));
    let r = post(
        &c,
        app.url("/labs/osh/mentoring/matches"),
        &[
            ("_csrf", t.as_str()),
            ("accept", a.as_str()),
            (ka.as_str(), m.as_str()),
            ("accept", b.as_str()),
            (kb.as_str(), m.as_str()),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    let i = html
        .find("id=\"pairs-error\"")
        .expect("the refusal is shown");
    let line = &html[i..i + html[i..].find("</p>").unwrap()];
    assert!(
        line.contains("Кадырова Бермет") && line.contains("mentor.osh@test.kg"),
        "{line}"
    );
    assert!(line.contains("no room left"), "{line}");
    assert_eq!(app.count("mentoring_matches").await, 0);
}
