//! Surveys through the real app on SQLite and PostgreSQL: importing a Kobo-style XLSForm through
//! the API (warnings by row, clear errors in the caller's language), a resident answering her
//! due baseline on the pages (required answers, skip logic, scores with reversed items), a
//! coordinator entering a paper form, `store::surveys::scale_scores`, the CSV/XLSX export, and
//! who may see what.
use crate::common::{TestApp, csrf};
use domain::surveys::{
    Choice, Condition, Labels, Question, QuestionKind, Scale, ScaleMethod, WaveKind,
};
use domain::{InstrumentId, LabId};
use serde_json::Value;

on_both_backends!(
    import_through_the_api,
    hostile_workbooks_are_refused,
    resident_answers_her_baseline,
    paper_entry_export_and_access,
    an_instruments_responses_come_a_page_at_a_time,
);

const FIXTURE: &[u8] = include_bytes!("../../../documents/tests/fixtures/kobo_wellbeing.xlsx");
const NOT_A_FORM: &[u8] = include_bytes!("../../../documents/tests/fixtures/not_a_form.xlsx");
/// 1.5 KB: a form with one more cell at XFD1048576 (the old reader asked for 512 GB and aborted).
const FAR_CELL: &[u8] = include_bytes!("../../../documents/tests/fixtures/far_cell.xlsx");
pub(crate) const BOUNDARY: &str = "----wcl-test-boundary-7MA4YWxkTrZu0gW";

/// A multipart body with text fields and one file.
pub(crate) fn multipart(fields: &[(&str, &str)], file: Option<&[u8]>) -> Vec<u8> {
    let mut b = vec![];
    for (k, v) in fields {
        b.extend(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some(f) = file {
        b.extend(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"form.xlsx\"\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n").as_bytes());
        b.extend(f);
        b.extend(b"\r\n");
    }
    b.extend(format!("--{BOUNDARY}--\r\n").as_bytes());
    b
}

pub(crate) async fn import(
    app: &TestApp,
    token: Option<&str>,
    fields: &[(&str, &str)],
    file: &[u8],
    lang: &str,
) -> reqwest::Response {
    let mut r = app
        .client()
        .post(app.url("/api/v1/survey-instruments/import"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header("accept-language", lang)
        .body(multipart(fields, Some(file)));
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    r.send().await.unwrap()
}

/// A workbook that would make the reader allocate beyond its limits is refused with 422 and a
/// message in her language, on the API and on the page, and nothing is stored; the server
/// goes on answering.
async fn hostile_workbooks_are_refused(app: TestApp) {
    let coord = app.token("coord.osh@test.kg").await;
    let r = import(&app, Some(&coord), &[("lab", "osh")], FAR_CELL, "ru").await;
    assert_eq!(r.status(), 422);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["fields"][0]["error"], "err-xlsform-too-big");
    assert!(
        e["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("слишком велика"),
        "{e}"
    );

    let page = app.signed_in("coord.osh@test.kg").await;
    let form = crate::common::get_text(&page, app.url("/labs/osh/surveys/import")).await;
    let r = page
        .post(app.url("/labs/osh/surveys/import"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(multipart(
            &[("_csrf", &csrf(&form)), ("waves", "baseline")],
            Some(FAR_CELL),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Бул китеп өтө чоң"), "{html}");
    assert_eq!(app.count("survey_instruments").await, 0);

    // Still serving, and a real form still imports.
    let r = import(&app, Some(&coord), &[("lab", "osh")], FIXTURE, "en").await;
    assert_eq!(r.status(), 201);
}

async fn import_through_the_api(app: TestApp) {
    let coord = app.token("coord.osh@test.kg").await;
    let r = import(
        &app,
        Some(&coord),
        &[("lab", "osh"), ("waves", "baseline,endline")],
        FIXTURE,
        "ru",
    )
    .await;
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.unwrap();
    let i = &body["instrument"];
    assert_eq!(i["lab"], "osh");
    assert_eq!(i["code"], "wcl_wellbeing_2024");
    assert_eq!(i["source"], "xlsform");
    assert_eq!(i["questions"], 11);
    assert_eq!(i["title"]["ky"], "Аялдардын абалы: баштапкы сурамжылоо");
    assert_eq!(i["waves"], serde_json::json!(["baseline", "endline"]));
    let warnings = body["warnings"].as_array().unwrap();
    let rows: Vec<(u64, &str)> = warnings
        .iter()
        .map(|w| (w["row"].as_u64().unwrap(), w["code"].as_str().unwrap()))
        .collect();
    for want in [
        (1, "unknown-language"),
        (17, "unsupported-type"),
        (18, "unsupported-type"),
        (19, "unsupported-type"),
        (20, "in-repeat"),
        (22, "relevant-unsupported"),
    ] {
        assert!(rows.contains(&want), "{want:?} in {rows:?}");
    }
    let w22 = warnings.iter().find(|w| w["row"] == 22).unwrap();
    assert!(
        w22["message"]
            .as_str()
            .unwrap()
            .starts_with("survey, строка 22: условие"),
        "{w22}"
    );
    let id = i["id"].as_str().unwrap().to_string();

    // The instrument with its questions, scales and warnings.
    let c = app.client();
    let detail: Value = c
        .get(app.url(&format!("/api/v1/survey-instruments/{id}")))
        .bearer_auth(&coord)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["scales"][0]["code"], "self_confidence");
    let sc2 = detail["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["name"] == "sc2")
        .unwrap();
    assert_eq!(sc2["kind"], "likert");
    assert_eq!(sc2["reversed"], true);
    assert_eq!(sc2["label"]["ky"], "Көп учурда өзүмдү пайдасыз сезем.");
    let income = detail["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["name"] == "income")
        .unwrap();
    assert_eq!(income["relevant"]["all"][0]["question"], "works");
    assert_eq!(detail["warnings"].as_array().unwrap().len(), warnings.len());
    let list: Value = c
        .get(app.url("/api/v1/survey-instruments?lab=osh"))
        .bearer_auth(&coord)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);

    // The instrument's page lists the warnings by row, in her language.
    let page = app.signed_in("coord.osh@test.kg").await;
    let html = crate::common::get_text(&page, app.url(&format!("/survey-instruments/{id}"))).await;
    assert!(html.contains("survey, 17-сап"), "{html}");
    assert!(html.contains("Жашыңыз канчада?"));

    // The same form again: its form_id is taken in this lab.
    let r = import(&app, Some(&coord), &[("lab", "osh")], FIXTURE, "en").await;
    assert_eq!(r.status(), 409);
    // Files that are not XLSForms: 422 with a clear message in the caller's language.
    let r = import(&app, Some(&coord), &[("lab", "osh")], b"name,phone\n", "ru").await;
    assert_eq!(r.status(), 422);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["fields"][0]["error"], "err-xlsform-not-xlsx");
    assert!(
        e["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("не является книгой Excel"),
        "{e}"
    );
    let r = import(&app, Some(&coord), &[("lab", "osh")], NOT_A_FORM, "en").await;
    assert_eq!(r.status(), 422);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["fields"][0]["error"], "err-xlsform-no-survey");
    let r = import(
        &app,
        Some(&coord),
        &[("lab", "osh"), ("waves", "someday")],
        FIXTURE,
        "en",
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(app.count("survey_instruments").await, 1);

    // Who may import and read: another lab's coordinator and a mentor 404, anonymous 401.
    for login in [
        "coord.batken@test.kg",
        "mentor.osh@test.kg",
        "+996555100200",
    ] {
        let t = app.token(login).await;
        let r = import(&app, Some(&t), &[("lab", "osh")], FIXTURE, "en").await;
        assert_eq!(r.status(), 404, "{login}");
        let r = c
            .get(app.url(&format!("/api/v1/survey-instruments/{id}")))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{login}");
    }
    let r = import(&app, None, &[("lab", "osh")], FIXTURE, "en").await;
    assert_eq!(r.status(), 401);
    // A coordinator cannot import for the network; the admin can.
    let admin = app.token("admin@test.kg").await;
    let r = import(&app, Some(&admin), &[], FIXTURE, "en").await;
    assert_eq!(r.status(), 201);
    let b: Value = r.json().await.unwrap();
    assert!(b["instrument"]["lab"].is_null());
    assert_eq!(app.count("survey_instruments").await, 2);
    // The import is audited.
    let mut conn = app.db.store.conn().await.unwrap();
    let audit = store::audit::recent(&mut conn, None, 50).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|a| a.action == "survey-instrument.import")
            .count(),
        2
    );
}

/// A small instrument: works (required) → income (required, shown only if she works), three
/// self-confidence items (the second reversed), a comment.
pub(crate) async fn instrument(
    app: &TestApp,
    lab: Option<LabId>,
    waves: &[WaveKind],
) -> InstrumentId {
    let yes_no = vec![
        Choice {
            name: "yes".into(),
            label: Labels::new("Ооба", "Да", "Yes"),
        },
        Choice {
            name: "no".into(),
            label: Labels::new("Жок", "Нет", "No"),
        },
    ];
    let agree: Vec<Choice> = (1..=5)
        .map(|i| Choice {
            name: i.to_string(),
            label: Labels::new(&i.to_string(), &i.to_string(), &i.to_string()),
        })
        .collect();
    let mut works = Question::new(
        "works",
        QuestionKind::Single,
        Labels::new("Иштейсизби?", "Работаете?", "Do you work?"),
    );
    works.choices = yes_no;
    works.required = true;
    let mut income = Question::new(
        "income",
        QuestionKind::Integer,
        Labels::new("Киреше", "Доход", "Income"),
    );
    income.required = true;
    income.relevant = Condition::parse("${works} = 'yes'");
    let mut qs = vec![works, income];
    for (n, rev) in [("sc1", false), ("sc2", true), ("sc3", false)] {
        let mut q = Question::new(n, QuestionKind::Likert, Labels::new(n, n, n));
        q.choices = agree.clone();
        q.required = n != "sc3";
        q.scale = Some("self_confidence".into());
        q.reversed = rev;
        qs.push(q);
    }
    qs.push(Question::new(
        "comment",
        QuestionKind::Text,
        Labels::new("Пикир", "Комментарий", "Comment"),
    ));
    let scales = vec![Scale {
        code: "self_confidence".into(),
        name: Labels::new("Ишеним", "Уверенность", "Confidence"),
        method: ScaleMethod::Mean,
    }];
    let mut c = app.db.store.conn().await.unwrap();
    web::services::surveys::create_built_in(
        &mut c,
        lab,
        "test_survey",
        &Labels::new("Сурамжылоо", "Опрос", "Survey"),
        waves,
        &qs,
        &scales,
    )
    .await
    .unwrap()
}

async fn resident_answers_her_baseline(app: TestApp) {
    let id = instrument(&app, None, &[WaveKind::Baseline, WaveKind::Endline]).await;
    let me = app.signed_in("+996555100200").await;
    let page = crate::common::get_text(&me, app.url("/me/surveys")).await;
    let form_url = format!("/me/surveys/{id}/baseline");
    assert!(page.contains(&form_url), "baseline due: {page}");
    assert!(
        !page.contains(&format!("/me/surveys/{id}/endline")),
        "endline only at graduation"
    );
    let form = crate::common::get_text(&me, app.url(&form_url)).await;
    assert!(form.contains("Иштейсизби?") && form.contains("name=\"q-sc2\""));
    // The condition is said in words next to the question.
    assert!(form.contains("«Иштейсизби?» = «Ооба»"), "{form}");
    let token = csrf(&form);
    let post = |fields: Vec<(&'static str, &'static str)>| {
        let mut f: Vec<(String, String)> = vec![("_csrf".into(), token.clone())];
        f.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        me.post(app.url(&form_url)).form(&f).send()
    };
    // A required answer missing: a message in her language, what she typed kept, nothing saved.
    let r = post(vec![("q-sc1", "4"), ("q-comment", "Жакшы")])
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Бул суроого жооп берүү керек"), "{html}");
    assert!(html.contains("Жакшы"));
    assert_eq!(app.count("survey_responses").await, 0);
    // She works: the income question is shown, so it is required.
    let r = post(vec![("q-works", "yes"), ("q-sc1", "4"), ("q-sc2", "2")])
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    // A bad value is refused too.
    let r = post(vec![
        ("q-works", "yes"),
        ("q-income", "много"),
        ("q-sc1", "4"),
        ("q-sc2", "2"),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Бүтүн сан жазыңыз"));
    assert_eq!(app.count("survey_responses").await, 0);
    // She does not work: the income she typed anyway is dropped, not stored.
    let r = post(vec![
        ("q-works", "no"),
        ("q-income", "5000"),
        ("q-sc1", "4"),
        ("q-sc2", "2"),
        ("q-sc3", "5"),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(app.count("survey_responses").await, 1);
    assert_eq!(app.count("survey_answers").await, 4, "works, sc1..sc3");
    // Nothing due any more; answering again is refused.
    let page = crate::common::get_text(&me, app.url("/me/surveys")).await;
    assert!(!page.contains(&form_url));
    assert!(page.contains("4.33"), "her score is shown: {page}");
    let r = me.get(app.url(&form_url)).send().await.unwrap();
    assert_eq!(r.status(), 404);

    // Scores: 4, reversed 2 → 4, 5: mean 4.33.
    let scores = store::surveys::scale_scores(&app.db.store, Some(&app.osh))
        .await
        .unwrap();
    assert_eq!(scores.len(), 1);
    let s = &scores[0];
    assert_eq!(s.person_id, app.aizhan);
    assert_eq!(s.lab_id, app.osh);
    assert_eq!(s.scale, "self_confidence");
    assert_eq!(s.wave, "baseline");
    assert!((s.score - 13.0 / 3.0).abs() < 1e-9, "{}", s.score);
    assert_eq!(s.answered_on, domain::time::today());
    assert_eq!(
        store::surveys::scale_scores(&app.db.store, None)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        store::surveys::scale_scores(&app.db.store, Some(&app.batken))
            .await
            .unwrap()
            .is_empty()
    );
    // Her answer in her own words.
    let rid = {
        let mut c = app.db.store.conn().await.unwrap();
        store::surveys::responses_of_person(&mut c, app.aizhan)
            .await
            .unwrap()[0]
            .id
    };
    let html = crate::common::get_text(&me, app.url(&format!("/survey-responses/{rid}"))).await;
    assert!(html.contains("Жок") && html.contains("4.33"), "{html}");
}

async fn paper_entry_export_and_access(app: TestApp) {
    let id = instrument(&app, Some(app.osh), &[WaveKind::Baseline]).await;
    let aizhan = app.aizhan;
    let coord = app.signed_in("coord.osh@test.kg").await;
    let page = crate::common::get_text(&coord, app.url(&format!("/people/{aizhan}/surveys"))).await;
    let form_url = format!("/people/{aizhan}/surveys/{id}/endline");
    assert!(page.contains(&form_url), "{page}");
    let form = crate::common::get_text(&coord, app.url(&form_url)).await;
    assert!(form.contains("name=\"answered_on\""));
    let token = csrf(&form);
    let fields = |date: &str| {
        vec![
            ("_csrf".to_string(), token.clone()),
            ("answered_on".into(), date.to_string()),
            ("q-works".into(), "yes".into()),
            ("q-income".into(), "7 000".into()),
            ("q-sc1".into(), "5".into()),
            ("q-sc2".into(), "1".into()),
            ("q-comment".into(), "=HYPERLINK(\"http://x\")".into()),
        ]
    };
    let tomorrow = (domain::time::today() + chrono::Duration::days(2)).to_string();
    let r = coord
        .post(app.url(&form_url))
        .form(&fields(&tomorrow))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "a date in the future");
    assert_eq!(app.count("survey_responses").await, 0);
    // Another lab's coordinator and a mentor: 404, nothing saved.
    for login in ["coord.batken@test.kg", "mentor.osh@test.kg"] {
        let other = app.signed_in(login).await;
        for path in [format!("/people/{aizhan}/surveys"), form_url.clone()] {
            let r = other.get(app.url(&path)).send().await.unwrap();
            assert_eq!(r.status(), 404, "{login} {path}");
        }
    }
    let r = coord
        .post(app.url(&form_url))
        .form(&fields("2026-01-10"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let rid = {
        let mut c = app.db.store.conn().await.unwrap();
        let list = store::surveys::responses_of_person(&mut c, aizhan)
            .await
            .unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].wave, WaveKind::Endline);
        assert!(
            list[0].entered_by.is_some(),
            "recorded as entered from paper"
        );
        assert_eq!(list[0].answered_on.to_string(), "2026-01-10");
        list[0].id
    };
    // Two of three items: scored (5, reversed 1 → 5).
    let scores = store::surveys::scale_scores(&app.db.store, None)
        .await
        .unwrap();
    assert_eq!(scores.len(), 1);
    assert_eq!(scores[0].wave, "endline");
    assert!((scores[0].score - 5.0).abs() < 1e-9);
    // The same wave again is refused.
    let r = coord
        .post(app.url(&form_url))
        .form(&fields("2026-01-11"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);

    // Reading her answers is audited; another lab's coordinator gets 404.
    let r = coord
        .get(app.url(&format!("/survey-responses/{rid}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let batken = app.signed_in("coord.batken@test.kg").await;
    let r = batken
        .get(app.url(&format!("/survey-responses/{rid}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // The export: one row per response, one column per question, formulas neutralised.
    let token = app.token("coord.osh@test.kg").await;
    let c = app.client();
    let r = c
        .get(app.url(&format!("/api/v1/survey-instruments/{id}/responses.csv")))
        .bearer_auth(&token)
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
    let csv = csv.trim_start_matches('\u{feff}');
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert_eq!(
        lines[0],
        "response_id,person_id,lab,wave,answered_on,entered,works,income,sc1,sc2,sc3,comment,score_self_confidence"
    );
    assert!(
        lines[1].contains(",osh,endline,2026-01-10,paper,yes,7000,5,1,,"),
        "{csv}"
    );
    assert!(lines[1].contains("'=HYPERLINK"), "neutralised: {csv}");
    let r = c
        .get(app.url(&format!("/api/v1/survey-instruments/{id}/responses.xlsx")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.unwrap().starts_with(b"PK"));
    for (login, status) in [
        ("coord.batken@test.kg", 404),
        ("mentor.osh@test.kg", 404),
        ("+996555100200", 404),
        ("admin@test.kg", 200),
    ] {
        let t = app.token(login).await;
        let r = c
            .get(app.url(&format!("/api/v1/survey-instruments/{id}/responses.csv")))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{login}");
    }
    let r = c
        .get(app.url(&format!("/api/v1/survey-instruments/{id}/responses.csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = app
        .client()
        .get(app.url("/labs/osh/surveys"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "anonymous to sign-in");

    let mut conn = app.db.store.conn().await.unwrap();
    let audit = store::audit::recent(&mut conn, None, 100).await.unwrap();
    let n = |action: &str| audit.iter().filter(|a| a.action == action).count();
    assert_eq!(n("survey-response.submit"), 1);
    assert_eq!(
        n("survey-response.export"),
        3,
        "two by the coordinator, one by the admin"
    );
    assert!(n("survey-response.read") >= 2, "her list and her response");
    assert!(
        audit
            .iter()
            .all(|a| !a.detail.contains("HYPERLINK") && !a.detail.contains("7000"))
    );
    // The lab's page lists the instrument with its export links.
    let html = crate::common::get_text(&coord, app.url("/labs/osh/surveys")).await;
    assert!(html.contains(&format!("/api/v1/survey-instruments/{id}/responses.csv")));
}

/// An instrument's responses are listed on its page 50 at a time, newest first, with the count of
/// all a coordinator may see (her labs' only, on a network instrument); the read is audited and
/// a page that does not exist is refused.
async fn an_instruments_responses_come_a_page_at_a_time(app: TestApp) {
    let inst = instrument(&app, None, &[WaveKind::Baseline]).await;
    let mut c = app.db.store.conn().await.unwrap();
    let today = domain::time::today();
    for (lab, n, family) in [(app.osh, 55, "Жооптуу"), (app.batken, 3, "Баткендик")]
    {
        for i in 0..n {
            let p = store::people::PersonFields {
                family_name: format!("{family}{i:02}"),
                given_name: "Жылдыз".into(),
                gender: "woman".into(),
                family_support: "unknown".into(),
                ..Default::default()
            };
            let person = store::people::insert(&mut c, lab, &p, None).await.unwrap();
            store::surveys::insert_response(
                &mut c,
                &store::surveys::ResponseDraft {
                    instrument: inst,
                    person,
                    residency: None,
                    lab,
                    wave: WaveKind::Baseline,
                    answered_on: today - chrono::Duration::days(i),
                    entered_by: None,
                },
                &[],
                &[],
            )
            .await
            .unwrap();
        }
    }
    drop(c);
    let coord = app.signed_in("coord.osh@test.kg").await;
    let path = format!("/survey-instruments/{inst}");
    let en =
        |q: &'static str| crate::common::page_in_english(&coord, app.url(&format!("{path}{q}")));
    let first = en("").await;
    assert_eq!(first.matches("Жооптуу").count(), 50);
    assert!(first.contains("55 in all · page 1 of 2"), "{first}");
    assert!(first.contains(&format!("{path}?page=1")));
    assert!(
        first.contains("Жооптуу00") && !first.contains("Жооптуу54"),
        "newest first"
    );
    assert!(
        !first.contains("Баткендик"),
        "another lab's answers are not hers to see"
    );
    let second = en("?page=1").await;
    assert_eq!(second.matches("Жооптуу").count(), 5);
    assert!(second.contains("55 in all · page 2 of 2"));
    assert!(second.contains("Жооптуу54") && second.contains(&format!("{path}?page=0")));
    crate::common::refuses_bad_pages(&coord, &app, &path, 2).await;
    let mut conn = app.db.store.conn().await.unwrap();
    let audit = store::audit::recent(&mut conn, None, 100).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.action == "survey-response.read" && a.entity == "survey_instrument"),
        "the list of who answered is a read of women's records"
    );
}
