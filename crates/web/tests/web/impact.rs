//! Impact through the real app on SQLite and PostgreSQL: outcomes recorded and validated,
//! indicators computed from the records (exact for the lab's coordinators, withheld below five
//! women for everyone else), targets and the dashboard's charts, positive deviance, exports.
use crate::common::{TestApp, csrf};
use serde_json::{Value, json};

on_both_backends!(
    outcomes_are_validated_scoped_and_counted,
    public_figures_are_withheld_below_five_women,
    targets_and_dashboard,
    positive_deviance_finds_the_woman_far_above_women_like_her,
    exports_for_donors
);

const NAMES: [&str; 10] = [
    "Айгүл",
    "Бүбүсара",
    "Гүлжан",
    "Динара",
    "Элнура",
    "Жазгүл",
    "Зуура",
    "Каныкей",
    "Мээрим",
    "Нуриза",
];

/// Registers `n` rural women in Osh who started alike (no income, housewives, family supports
/// them) and returns their ids.
async fn alike(app: &TestApp, n: usize) -> Vec<String> {
    let token = app.token("coord.osh@test.kg").await;
    let mut ids = vec![];
    for (i, name) in NAMES.iter().enumerate().take(n) {
        let r = app
            .client()
            .post(app.url("/api/v1/people"))
            .bearer_auth(&token)
            .json(&json!({
                "lab": "osh",
                "family_name": "Мамытова",
                "given_name": name,
                "phone": format!("0700 55{i} {i}{i}{i}"),
                "birth_year": 1990,
                "settlement": "rural",
                "occupation": "housewife",
                "family_support": "yes",
                "monthly_income_tyiyn": 0,
                "consent": true,
                "status": "active",
                "confirm_not_duplicate": true,
            }))
            .send()
            .await
            .unwrap();
        let status = r.status();
        let body: Value = r.json().await.unwrap();
        assert_eq!(status, 201, "{body}");
        ids.push(body["id"].as_str().unwrap().to_string());
    }
    ids
}

async fn income(app: &TestApp, token: &str, person: &str, som: &str) {
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/people/{person}/outcomes")))
        .bearer_auth(token)
        .json(&json!({"kind": "income", "occurred_on": "2026-06-01", "amount": som, "verified": "on"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}

async fn indicator(app: &TestApp, token: Option<&str>, query: &str, code: &str) -> Value {
    let mut req = app
        .client()
        .get(app.url(&format!("/api/v1/indicators?{query}")));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    body["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == code)
        .cloned()
        .unwrap()
}

async fn outcomes_are_validated_scoped_and_counted(app: TestApp) {
    let token = app.token("coord.osh@test.kg").await;
    let aizhan = app.aizhan.to_string();
    let post = |token: String, person: String, body: Value| {
        let app = &app;
        async move {
            app.client()
                .post(app.url(&format!("/api/v1/people/{person}/outcomes")))
                .bearer_auth(token)
                .header("accept-language", "ru")
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    // Bad input: a message in her language, nothing saved.
    let r = post(
        token.clone(),
        aizhan.clone(),
        json!({"kind": "income", "occurred_on": "2026-06-01", "amount": "много"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["fields"][0]["field"], "amount");
    assert!(
        body["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("сом"),
        "{body}"
    );
    let r = post(
        token.clone(),
        aizhan.clone(),
        json!({"kind": "job", "occurred_on": "2099-01-01"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let r = post(
        token.clone(),
        aizhan.clone(),
        json!({"kind": "lottery", "occurred_on": "2026-01-01"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(app.count("outcomes").await, 0);

    // Another lab's coordinator, a mentor, a case worker: 404; anonymous 401.
    for login in [
        "coord.batken@test.kg",
        "mentor.osh@test.kg",
        "case.osh@test.kg",
    ] {
        let t = app.token(login).await;
        let r = post(
            t,
            aizhan.clone(),
            json!({"kind": "job", "occurred_on": "2026-01-01"}),
        )
        .await;
        assert_eq!(r.status(), 404, "{login}");
    }
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/people/{aizhan}/outcomes")))
        .json(&json!({"kind": "job", "occurred_on": "2026-01-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(app.count("outcomes").await, 0);

    // The coordinator records a job; the resident reports her income on her own page.
    let r = post(
        token.clone(),
        aizhan.clone(),
        json!({"kind": "job", "occurred_on": "2026-03-10", "verified": "on"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let me = app.signed_in("+996555100200").await;
    let page = me.get(app.url("/me/outcomes")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let r = me
        .post(app.url("/me/outcomes"))
        .form(&[
            ("_csrf", csrf(&html).as_str()),
            ("kind", "income"),
            ("occurred_on", "2026-05-01"),
            ("amount", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "an income without an amount is refused");
    assert!(
        r.text().await.unwrap().contains("15"),
        "the message shows an example"
    );
    let r = me
        .post(app.url("/me/outcomes"))
        .form(&[
            ("_csrf", csrf(&html).as_str()),
            ("kind", "income"),
            ("occurred_on", "2026-05-01"),
            ("amount", "18 500"),
            ("verified", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success() || r.status().is_redirection());
    let list: Value = app
        .client()
        .get(app.url(&format!("/api/v1/people/{aizhan}/outcomes")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    let inc = list.iter().find(|o| o["kind"] == "income").unwrap();
    assert_eq!(inc["amount"], 1_850_000);
    assert_eq!(
        inc["source"], "self-reported",
        "she cannot verify her own report"
    );
    let job = list.iter().find(|o| o["kind"] == "job").unwrap();
    assert_eq!(job["source"], "verified");

    // Counted: exact for her coordinator.
    let q = "lab=osh&from=2026-01-01&to=2026-12-31";
    let jobs = indicator(&app, Some(&token), q, "jobs").await;
    assert_eq!(jobs["value"], 1);
    assert_eq!(jobs["suppressed"], false);
    let earning = indicator(&app, Some(&token), q, "women-earning").await;
    assert_eq!(earning["value"], 1);
    // Outside the period: not counted.
    let before = indicator(
        &app,
        Some(&token),
        "lab=osh&from=2025-01-01&to=2025-12-31",
        "jobs",
    )
    .await;
    assert_eq!(before["value"], 0);
    // Each record, and each staff read of her outcomes, leaves an audit row.
    let mut c = app.db.store.conn().await.unwrap();
    let rows = store::audit::recent(&mut c, None, 200).await.unwrap();
    assert!(rows.iter().any(|r| r.action == "outcome.record"));
    assert!(rows.iter().any(|r| r.action == "outcome.read"));
}

async fn public_figures_are_withheld_below_five_women(app: TestApp) {
    let ids = alike(&app, 6).await;
    let token = app.token("coord.osh@test.kg").await;
    for (i, id) in ids.iter().enumerate().take(3) {
        income(&app, &token, id, &format!("{}", 3000 + i * 500)).await;
    }
    // Today in Bishkek (UTC+6): after 18:00 UTC it is already tomorrow there.
    let today = domain::time::today();
    let q = format!("lab=osh&from=2026-01-01&to={today}");
    // Seven women reached in Osh (Aizhan and six): shown to anyone.
    let reached = indicator(&app, None, &q, "women-reached").await;
    assert_eq!(reached["value"], 7, "{reached}");
    assert_eq!(reached["suppressed"], false);
    // Three women earning: withheld from the public and from another lab's coordinator.
    let earning = indicator(&app, None, &q, "women-earning").await;
    assert_eq!(earning["value"], Value::Null);
    assert_eq!(earning["suppressed"], true);
    let other = app.token("coord.batken@test.kg").await;
    let earning = indicator(&app, Some(&other), &q, "women-earning").await;
    assert_eq!(earning["suppressed"], true);
    let exact = indicator(&app, Some(&token), &q, "women-earning").await;
    assert_eq!(exact["value"], 3);
    let admin = app.token("admin@test.kg").await;
    let median = indicator(&app, Some(&admin), &q, "median-income-change").await;
    assert_eq!(
        median["value"], 350_000,
        "3000, 3500, 4000 som from nothing"
    );

    // Public pages: aggregates only, small figures as <5, nobody's name.
    for path in ["/impact", "/labs/osh/impact"] {
        let r = app.client().get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let html = r.text().await.unwrap();
        assert!(html.contains("&lt;5") || html.contains("<5"), "{path}");
        assert!(html.contains("<svg"), "{path} draws its charts");
        assert!(
            !html.contains("Мамытова") && !html.contains("Токтогулова"),
            "{path}"
        );
    }
    // A cohort is a small group: not for the public.
    let r = app
        .client()
        .get(app.url(&format!(
            "/api/v1/indicators?lab=osh&cohort={}",
            uuid::Uuid::nil()
        )))
        .send()
        .await
        .unwrap();
    assert!(r.status() == 404 || r.status() == 422);
    // Bad dates: a message in the caller's language.
    let r = app
        .client()
        .get(app.url("/api/v1/indicators?from=yesterday"))
        .header("accept-language", "ky")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["fields"][0]["field"], "from");
    let r = app
        .client()
        .get(app.url("/api/v1/indicators?lab=nowhere"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

async fn targets_and_dashboard(app: TestApp) {
    let coord = app.signed_in("coord.osh@test.kg").await;
    let r = coord
        .get(app.url("/impact/dashboard?lab=osh"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"chart-series\"") && html.contains("<svg"));
    assert!(html.contains("id=\"chart-funnel\""));
    let token = csrf(&html);
    // A bad target: message, nothing saved.
    let r = coord
        .post(app.url("/impact/targets"))
        .form(&[
            ("_csrf", token.as_str()),
            ("lab", "osh"),
            ("indicator", "women-reached-rural"),
            ("starts_on", "2026-12-31"),
            ("ends_on", "2026-01-01"),
            ("target", "-5"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("class=\"error\""));
    assert!(html.contains("value=\"-5\""), "what was typed is kept");
    assert_eq!(app.count("indicator_targets").await, 0);
    let r = coord
        .post(app.url("/impact/targets"))
        .form(&[
            ("_csrf", token.as_str()),
            ("lab", "osh"),
            ("indicator", "women-reached-rural"),
            ("starts_on", "2026-01-01"),
            ("ends_on", "2026-12-31"),
            ("target", "200"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success() || r.status().is_redirection());
    assert_eq!(app.count("indicator_targets").await, 1);
    alike(&app, 2).await;
    let html = coord
        .get(app.url("/impact/dashboard?lab=osh"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("id=\"chart-targets\""),
        "progress against the target"
    );
    assert!(html.contains("2 / 200"), "two rural women of 200");

    // She cannot set the network's targets nor another lab's; other roles do not see it.
    let r = coord
        .post(app.url("/impact/targets"))
        .form(&[
            ("_csrf", token.as_str()),
            ("lab", "batken"),
            ("indicator", "events-held"),
            ("starts_on", "2026-01-01"),
            ("ends_on", "2026-12-31"),
            ("target", "25"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = coord
        .post(app.url("/impact/targets"))
        .form(&[
            ("_csrf", token.as_str()),
            ("lab", ""),
            ("indicator", "events-held"),
            ("starts_on", "2026-01-01"),
            ("ends_on", "2026-12-31"),
            ("target", "25"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(app.count("indicator_targets").await, 1);
    let r = coord
        .get(app.url("/impact/dashboard?lab=batken"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    for login in ["mentor.osh@test.kg", "+996555100200", "case.osh@test.kg"] {
        let c = app.signed_in(login).await;
        let r = c.get(app.url("/impact/dashboard")).send().await.unwrap();
        assert_eq!(r.status(), 404, "{login}");
    }
    // The admin sees the network with the labs compared.
    let admin = app.signed_in("admin@test.kg").await;
    let html = admin
        .get(app.url("/impact/dashboard"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("id=\"chart-labs\""));
}

async fn positive_deviance_finds_the_woman_far_above_women_like_her(app: TestApp) {
    let ids = alike(&app, 8).await;
    let token = app.token("coord.osh@test.kg").await;
    let incomes = [
        "2000", "2500", "3000", "2200", "2800", "2600", "2400", "25000",
    ];
    for (id, som) in ids.iter().zip(incomes) {
        income(&app, &token, id, som).await;
    }
    let r = app
        .client()
        .get(app.url("/api/v1/labs/osh/positive-deviance"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    let list = body["deviants"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{body}");
    assert_eq!(list[0]["person_id"], ids[7].as_str());
    assert_eq!(list[0]["value"], 2_500_000);
    assert_eq!(list[0]["group_size"], 8);
    assert!(
        list[0]["group"]
            .as_array()
            .unwrap()
            .contains(&json!("settlement=rural"))
    );
    // In plain words on the page.
    let coord = app.signed_in("coord.osh@test.kg").await;
    let html = coord
        .get(app.url("/labs/osh/positive-deviance"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Мамытова Каныкей"), "{html}");
    assert!(html.contains("×"), "her growth as a multiple of the median");
    // Only her lab's coordinators and the admin; the read is audited.
    for login in [
        "coord.batken@test.kg",
        "mentor.osh@test.kg",
        "+996555100200",
    ] {
        let t = app.token(login).await;
        let r = app
            .client()
            .get(app.url("/api/v1/labs/osh/positive-deviance"))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{login}");
    }
    let admin = app.token("admin@test.kg").await;
    let r = app
        .client()
        .get(app.url("/api/v1/labs/osh/positive-deviance"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let mut c = app.db.store.conn().await.unwrap();
    let rows = store::audit::recent(&mut c, None, 200).await.unwrap();
    assert!(
        rows.iter()
            .filter(|r| r.action == "impact.deviance.read")
            .count()
            >= 3
    );
}

async fn exports_for_donors(app: TestApp) {
    let ids = alike(&app, 5).await;
    let token = app.token("coord.osh@test.kg").await;
    income(&app, &token, &ids[0], "4000").await;
    // The donors' report: anyone gets public figures, one sheet per indicator group.
    let r = app
        .client()
        .get(app.url("/api/v1/indicators/export.xlsx?lab=osh"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    assert_eq!(
        r.headers()["cache-control"],
        "private, no-store",
        "no shared laptop keeps a copy"
    );
    let bytes = r.bytes().await.unwrap().to_vec();
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let names = book.sheet_names().to_vec();
    assert_eq!(names.len(), 8, "{names:?}");
    let mut found_suppressed = false;
    let mut found_reached = false;
    for n in &names {
        let range = book.worksheet_range(n).unwrap();
        for row in range.rows() {
            let cells: Vec<String> = row.iter().map(|c| c.to_string()).collect();
            if cells.iter().any(|c| c == "women-earning") {
                found_suppressed = cells.iter().any(|c| c == "<5" || c == "'<5");
            }
            if cells.iter().any(|c| c == "women-reached") {
                found_reached = cells.iter().any(|c| c == "6");
            }
        }
    }
    assert!(found_suppressed, "one woman earning is withheld");
    assert!(found_reached, "six women reached are shown");

    // The coordinator's CSV has the exact figures; another lab's coordinator gets 404.
    let coord = app.signed_in("coord.osh@test.kg").await;
    let r = coord
        .get(app.url("/impact/export.csv?lab=osh"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    let line = text
        .lines()
        .find(|l| l.contains(",women-earning,"))
        .unwrap();
    assert!(line.contains(",1,"), "{line}");
    let other = app.signed_in("coord.batken@test.kg").await;
    let r = other
        .get(app.url("/impact/export.csv?lab=osh"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let mut c = app.db.store.conn().await.unwrap();
    let rows = store::audit::recent(&mut c, None, 200).await.unwrap();
    assert!(rows.iter().any(|r| r.action == "impact.export"));
}
