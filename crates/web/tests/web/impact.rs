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
    exports_for_donors,
    funnel_counts_the_same_women_step_by_step,
    zero_is_zero_and_a_withheld_figure_cannot_be_subtracted,
    public_figures_resist_differencing,
    practices_are_noted_by_her_lab_and_shared_without_names,
    a_large_network_is_shown_by_region_and_page
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

/// Registers `n` women in Batken (urban, unless `settlement` says otherwise).
async fn batken_women(app: &TestApp, n: usize, settlement: &str) -> Vec<String> {
    let token = app.token("coord.batken@test.kg").await;
    let mut ids = vec![];
    for (i, name) in NAMES.iter().enumerate().take(n) {
        let r = app
            .client()
            .post(app.url("/api/v1/people"))
            .bearer_auth(&token)
            .json(&json!({
                "lab": "batken",
                "family_name": "Абдыкадырова",
                "given_name": name,
                "phone": format!("0777 66{i} {i}{i}{i}"),
                "birth_year": 1988,
                "settlement": settlement,
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
    // Seven women reached in Osh (Aizhan and six), one in Batken: the network's 8 minus Osh's 7
    // would give Batken's withheld 1 away, so Osh's figure is withheld from the public too.
    let reached = indicator(&app, None, &q, "women-reached").await;
    assert_eq!(reached["suppressed"], true, "{reached}");
    let network = format!("from=2026-01-01&to={today}");
    let all = indicator(&app, None, &network, "women-reached").await;
    assert_eq!(
        all["value"], 10,
        "8 women, rounded to five for the public: {all}"
    );
    // With five women in Batken, nothing needs protecting: Osh's seven are shown to anyone.
    batken_women(&app, 4, "urban").await;
    let reached = indicator(&app, None, &q, "women-reached").await;
    assert_eq!(reached["value"], 5, "7 women, rounded to five: {reached}");
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

    // Public pages: aggregates only, small figures withheld, nobody's name.
    for path in ["/impact", "/labs/osh/impact"] {
        let r = app.client().get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let html = r.text().await.unwrap();
        assert!(html.contains("жашырылган"), "{path}");
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
    let html = crate::common::get_text(&coord, app.url("/impact/dashboard?lab=osh")).await;
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
    let html = crate::common::get_text(&admin, app.url("/impact/dashboard")).await;
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
    assert!(!html.contains("z ="), "no jargon: {html}");
    assert!(
        html.contains("Her income grew far more than that of women who started like her"),
        "in words"
    );
    assert!(html.contains(&format!("/people/{}/practice", ids[7])));
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
    // Five women in Batken too, so that no lab's small figure puts Osh's under protection.
    batken_women(&app, 4, "urban").await;
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
                // The value cell stays empty (the column sums in a spreadsheet); the note says
                // why.
                found_suppressed =
                    cells[6].is_empty() && cells.iter().any(|c| c.starts_with("жашырылган:"));
            }
            if cells.iter().any(|c| c == "women-reached") {
                // Six women, rounded to five for the public.
                found_reached = cells.iter().any(|c| c == "5");
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
    // Without a cut, a coordinator's export is her lab's, as her dashboard is.
    for (who, lab, not) in [(&coord, "Акылжан", "Баткен"), (&other, "Баткен", "Акылжан")]
    {
        for ext in ["csv", "xlsx"] {
            let r = who
                .get(app.url(&format!("/impact/export.{ext}")))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{lab} {ext}");
            if ext == "csv" {
                let text = r.text().await.unwrap();
                assert!(text.contains(lab) && !text.contains(not), "{text}");
            }
        }
    }
    let mut c = app.db.store.conn().await.unwrap();
    let rows = store::audit::recent(&mut c, None, 200).await.unwrap();
    assert!(rows.iter().any(|r| r.action == "impact.export"));
}

/// Opens a residency of `person` in Osh and dates its steps.
async fn path(app: &TestApp, person: &str, steps: &[(&str, &str)]) {
    use domain::ResidencyStatus;
    let person: domain::PersonId = person.parse().unwrap();
    let mut tx = app.db.store.begin().await.unwrap();
    let id = store::residency::open(
        &mut tx,
        person,
        app.osh,
        ResidencyStatus::Applied,
        "",
        "self",
        None,
    )
    .await
    .unwrap();
    let dated: Vec<(ResidencyStatus, chrono::DateTime<chrono::Utc>)> = steps
        .iter()
        .map(|(st, day)| {
            let d: chrono::NaiveDate = day.parse().unwrap();
            (
                ResidencyStatus::parse(st).unwrap(),
                d.and_hms_opt(8, 0, 0).unwrap().and_utc(),
            )
        })
        .collect();
    for w in dated.windows(2) {
        store::residency::transition(&mut tx, id, w[0].0, w[1].0, None, "")
            .await
            .unwrap();
    }
    store::residency::date_history(&mut tx, id, &dated)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn funnel_counts_the_same_women_step_by_step(app: TestApp) {
    // Three women of Osh without a residency yet.
    let mut ids = vec![];
    for name in NAMES.iter().take(3) {
        let mut tx = app.db.store.begin().await.unwrap();
        let id = store::people::insert(
            &mut tx,
            app.osh,
            &store::people::PersonFields {
                family_name: "Жумабаева".into(),
                given_name: (*name).into(),
                gender: "woman".into(),
                family_support: "unknown".into(),
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        ids.push(id.to_string());
    }
    // One woman applied and was accepted in the period; two applied the year before and were
    // accepted in it. The old funnel said "Accepted 3 · 300%".
    path(
        &app,
        &ids[0],
        &[("applied", "2026-01-10"), ("accepted", "2026-01-20")],
    )
    .await;
    for id in &ids[1..] {
        path(
            &app,
            id,
            &[("applied", "2025-11-01"), ("accepted", "2026-01-15")],
        )
        .await;
    }
    let today = domain::time::today();
    let coord = app.signed_in("coord.osh@test.kg").await;
    let html = coord
        .get(app.url(&format!(
            "/impact/dashboard?lab=osh&from=2026-01-01&to={today}"
        )))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("300%") && !html.contains("200%"), "{html}");
    // Her and Aizhan (registered straight as a resident this year: she passed both steps).
    assert!(
        html.contains("Applied: 2 · 100%; Accepted: 2 · 100%; Started: 1 · 50%"),
        "{html}"
    );
    assert!(
        html.contains("the percentages are of the women who applied"),
        "says what each percentage is of"
    );
}

async fn zero_is_zero_and_a_withheld_figure_cannot_be_subtracted(app: TestApp) {
    // Batken: one woman, no grants: a grant amount of 0, not "<5".
    let amount = indicator(&app, None, "lab=batken", "amount-awarded").await;
    assert_eq!(amount["value"], 0, "{amount}");
    assert_eq!(amount["suppressed"], false);
    let grants = indicator(&app, None, "lab=batken", "grants-awarded").await;
    assert_eq!(grants["value"], 0, "{grants}");
    // Osh: Aizhan (settlement not recorded), six rural women and one urban woman. Rural + urban +
    // unknown add up to women reached, with an "unknown" line.
    alike(&app, 6).await;
    let token = app.token("coord.osh@test.kg").await;
    let r = app
        .client()
        .post(app.url("/api/v1/people"))
        .bearer_auth(&token)
        .json(&json!({
            "lab": "osh", "family_name": "Садыкова", "given_name": "Асель",
            "phone": "0700 777 888", "birth_year": 1991, "settlement": "urban",
            "consent": true, "status": "active", "confirm_not_duplicate": true,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    batken_women(&app, 4, "urban").await;
    let exact = |code: &'static str| {
        let (app, token) = (&app, token.clone());
        async move { indicator(app, Some(&token), "lab=osh", code).await["value"].clone() }
    };
    assert_eq!(exact("women-reached").await, 8);
    assert_eq!(exact("women-reached-rural").await, 6);
    assert_eq!(exact("women-reached-urban").await, 1);
    assert_eq!(exact("women-reached-unknown").await, 1);
    // Public: 8 shown (rounded to 10); urban 1 and unknown 1 are withheld, and together they are
    // 2 women, so 8 − 6 would tell they are one each: rural is withheld too.
    let public = |code: &'static str| {
        let app = &app;
        async move { indicator(app, None, "lab=osh", code).await }
    };
    assert_eq!(public("women-reached").await["value"], 10);
    for code in [
        "women-reached-rural",
        "women-reached-urban",
        "women-reached-unknown",
    ] {
        assert_eq!(public(code).await["suppressed"], true, "{code}");
    }
    // The lab's public page says so in words, and shows true zeros as 0.
    let html = app
        .client()
        .get(app.url("/labs/batken/impact"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Zero is shown as 0"), "{html}");
    assert!(html.contains("Women reached, rural or urban not recorded"));
}

async fn practices_are_noted_by_her_lab_and_shared_without_names(app: TestApp) {
    let aizhan = app.aizhan.to_string();
    let coord = app.signed_in("coord.osh@test.kg").await;
    let page = coord
        .get(app.url(&format!("/people/{aizhan}/practice")))
        .header("accept-language", "ru")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Можно ли научить этому других женщин?"),
        "{html}"
    );
    let token = csrf(&html);
    // Bad input: 422 with a message in her language, nothing saved.
    let r = coord
        .post(app.url(&format!("/people/{aizhan}/practice")))
        .header("accept-language", "ru")
        .form(&[
            ("_csrf", token.as_str()),
            ("practice", "  "),
            ("found", "через соседку"),
            ("teachable", "maybe"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Выберите «да», «нет» или «не уверена»."),
        "{html}"
    );
    assert!(html.contains("через соседку"), "what was typed is kept");
    assert_eq!(app.count("practices").await, 0);
    // Another lab's coordinator, a mentor, the resident herself: 404, nothing saved.
    for login in [
        "coord.batken@test.kg",
        "mentor.osh@test.kg",
        "+996555100200",
    ] {
        let c = app.signed_in(login).await;
        let html = crate::common::get_text(&c, app.url("/")).await;
        let t = csrf(&html);
        let r = c
            .get(app.url(&format!("/people/{aizhan}/practice")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{login}");
        let r = c
            .post(app.url(&format!("/people/{aizhan}/practice")))
            .form(&[
                ("_csrf", t.as_str()),
                ("practice", "x"),
                ("teachable", "yes"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{login}");
    }
    assert_eq!(app.count("practices").await, 0);
    let practice = "Продаёт войлочные игрушки туристам через гостевой дом";
    for (text, teachable) in [("черновик", "unsure"), (practice, "yes")] {
        let r = coord
            .post(app.url(&format!("/people/{aizhan}/practice")))
            .form(&[
                ("_csrf", token.as_str()),
                ("practice", text),
                ("found", "Её двоюродная сестра там работает"),
                ("teachable", teachable),
            ])
            .send()
            .await
            .unwrap();
        assert!(r.status().is_redirection() || r.status().is_success());
    }
    assert_eq!(app.count("practices").await, 1, "one note per woman");
    // Across labs, for the coordinators and the admin: the lab and the practice, no name.
    for login in ["coord.batken@test.kg", "admin@test.kg"] {
        let c = app.signed_in(login).await;
        let r = c
            .get(app.url("/practices"))
            .header("accept-language", "ru")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{login}");
        let html = r.text().await.unwrap();
        assert!(
            html.contains(practice) && !html.contains("черновик"),
            "{html}"
        );
        assert!(
            !html.contains("Токтогулова") && !html.contains("Айжан"),
            "{html}"
        );
        assert!(html.contains("Да"));
    }
    for login in ["mentor.osh@test.kg", "+996555100200"] {
        let c = app.signed_in(login).await;
        let r = c.get(app.url("/practices")).send().await.unwrap();
        assert_eq!(r.status(), 404, "{login}");
    }
    let mut c = app.db.store.conn().await.unwrap();
    let rows = store::audit::recent(&mut c, None, 200).await.unwrap();
    assert_eq!(
        rows.iter().filter(|r| r.action == "practice.save").count(),
        2
    );
    assert!(rows.iter().any(|r| r.action == "practice.read"));
}

/// The differencing attack: public queries over consecutive days, months and labs, subtracted
/// from each other, must not tell an exact count of 1 to 4 women. Periods are widened to whole
/// months, and counts of women are rounded to fives.
async fn public_figures_resist_differencing(app: TestApp) {
    alike(&app, 8).await;
    batken_women(&app, 6, "rural").await;
    let today = domain::time::today();
    let yesterday = today.pred_opt().unwrap();
    let month_start = chrono::NaiveDate::from_ymd_opt(
        chrono::Datelike::year(&today),
        chrono::Datelike::month(&today),
        1,
    )
    .unwrap();
    let all = |query: String| {
        let c = app.client();
        let url = app.url(&format!("/api/v1/indicators?{query}"));
        async move {
            let r = c.get(url).send().await.unwrap();
            assert_eq!(r.status(), 200);
            r.json::<Value>().await.unwrap()["indicators"].clone()
        }
    };
    let mut seen = vec![];
    for lab in ["", "lab=osh&", "lab=batken&"] {
        // A day apart, and a period that starts mid-month: the same whole months, the same answer.
        let a = all(format!("{lab}from=2026-01-01&to={yesterday}")).await;
        let b = all(format!("{lab}from=2026-01-01&to={today}")).await;
        let c = all(format!("{lab}from=2026-01-02&to={today}")).await;
        assert_eq!(a, b, "{lab}: a day apart");
        assert_eq!(b, c, "{lab}: mid-month start");
        let m = all(format!("{lab}from={month_start}&to={today}")).await;
        seen.push(b);
        seen.push(m);
    }
    // Every public count of women is 0 or a multiple of five (or withheld): no difference of two
    // of them is a number of 1 to 4 women.
    for list in &seen {
        for i in list.as_array().unwrap() {
            if i["unit"] == "women"
                && i["suppressed"] == false
                && let Some(v) = i["value"].as_i64()
            {
                assert_eq!(v % 5, 0, "{i}");
            }
        }
    }
}

/// A network of 32 labs (past `MANY_LABS`): the pages that named every lab show regions, the
/// labs that reached the most women and pages of the list instead, and every lab is still
/// reached through its region.
async fn a_large_network_is_shown_by_region_and_page(app: TestApp) {
    let admin = app.signed_in("admin@test.kg").await;
    admin.get(app.url("/lang/en?next=/")).send().await.unwrap();
    let form = crate::common::get_text(&admin, app.url("/labs/new")).await;
    let token = csrf(&form);
    for i in 0..30 {
        let region = if i < 20 { "naryn" } else { "talas" };
        let slug = format!("lab-{i:02}");
        let r = admin
            .post(app.url("/labs"))
            .form(&[
                ("_csrf", token.as_str()),
                ("slug", slug.as_str()),
                ("name_ky", slug.as_str()),
                ("name_ru", slug.as_str()),
                ("name_en", slug.as_str()),
                ("region", region),
                ("locality", "Нарын"),
            ])
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_success() || r.status().is_redirection(),
            "{}",
            r.status()
        );
    }
    let page = |path: &str| crate::common::get_text(&admin, app.url(path));
    let cards = |html: &str| html.matches("<li class=\"card\">").count();
    // The list: 24 a page, then the rest; a region alone; a page past the last is the last.
    let first = page("/labs").await;
    assert_eq!(cards(&first), 24);
    assert!(first.contains("32 in all · page 1 of 2"), "{first}");
    assert!(first.contains("href=\"/labs?region=naryn\""));
    assert_eq!(cards(&page("/labs?page=1").await), 8);
    let past = admin.get(app.url("/labs?page=2")).send().await.unwrap();
    assert_eq!(past.status(), 422);
    let naryn = page("/labs?region=naryn").await;
    assert_eq!(cards(&naryn), 20);
    assert!(naryn.contains("20 in all · page 1 of 1"));
    assert!(
        !naryn.contains("/labs/lab-25\""),
        "a lab of Talas among Naryn's"
    );
    // The map: a point a region with its number of labs, leading to their list.
    let home = page("/").await;
    assert!(home.contains("href=\"/labs?region=naryn\""), "{home}");
    assert!(!home.contains("href=\"/labs/lab-07\""));
    // The public impact page: no tab a lab, the list of labs instead; the chart compares 12.
    let impact = page("/impact").await;
    assert!(!impact.contains("/labs/lab-07/impact"));
    assert!(impact.contains("href=\"/labs\""));
    assert!(impact.contains("12 of 32 labs"), "{impact}");
    let lab = page("/labs/lab-03/impact").await;
    assert!(lab.contains("href=\"/labs?region=naryn\""));
}
