//! XLSForm constraints and appearances through the real app on SQLite and PostgreSQL: a form
//! written by openpyxl imports with its constraints, messages and title in three languages; a
//! woman's answer that breaks a constraint is refused with the form's message in her language
//! (or a generic one in her language) and nothing is saved; a form with a constraint wcl cannot
//! check is refused at import with every such row named, on the API and on the page.
use crate::common::{TestApp, csrf};
use crate::surveys::{BOUNDARY, import, multipart};
use documents::table::{Cell, Sheet, xlsx};
use serde_json::Value;

on_both_backends!(
    constraints_are_kept_and_enforced,
    unsupported_constraints_refuse_the_import
);

/// Written by openpyxl: `documents/tests/fixtures/make_constraints_fixture.py`.
const CONSTRAINTS: &[u8] = include_bytes!("../../../documents/tests/fixtures/constraints.xlsx");

async fn constraints_are_kept_and_enforced(app: TestApp) {
    let coord = app.token("coord.osh@test.kg").await;
    let r = import(
        &app,
        Some(&coord),
        &[("lab", "osh"), ("waves", "baseline")],
        CONSTRAINTS,
        "ky",
    )
    .await;
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.unwrap();
    let title = &body["instrument"]["title"];
    assert_eq!(title["ky"], "Иш жана көндүмдөр");
    assert_eq!(title["ru"], "Работа и навыки");
    assert_eq!(title["en"], "Work and skills");
    // Appearance words not honoured are reported by row, in her language.
    let quick = body["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["row"] == 8)
        .unwrap();
    assert_eq!(quick["code"], "appearance-ignored");
    assert_eq!(
        quick["message"],
        "survey, 8-сап: quick көрүнүшү колдоого алынбайт; суроо кадимкидей көрсөтүлөт"
    );
    let id = body["instrument"]["id"].as_str().unwrap().to_string();
    let detail: Value = app
        .client()
        .get(app.url(&format!("/api/v1/survey-instruments/{id}")))
        .bearer_auth(&coord)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let q = |n: &str| {
        detail["questions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["name"] == n)
            .unwrap()
            .clone()
    };
    assert_eq!(q("age")["constraint"], ". >= 14 and . <= 90");
    assert_eq!(q("age")["constraint_message"]["ru"], "Возраст от 14 до 90");
    assert_eq!(q("postcode")["constraint"], "regex(., '^[0-9]{6}$')");
    assert_eq!(q("story")["appearance"], "multiline");
    assert_eq!(q("region")["appearance"], "minimal");
    assert_eq!(q("works")["appearance"], Value::Null);
    assert_eq!(q("works")["constraint"], Value::Null);

    // Her form: a text area where the form asks for one, a single line elsewhere, drop-down
    // lists for `minimal` choices.
    let me = app.signed_in("+996555100200").await;
    let form_url = format!("/me/surveys/{id}/baseline");
    let get = |lang: &'static str| {
        me.get(app.url(&form_url))
            .header("accept-language", lang)
            .send()
    };
    let form = get("ky").await.unwrap().text().await.unwrap();
    assert!(form.contains("<h1>Иш жана көндүмдөр</h1>"), "{form}");
    assert!(form.contains("<textarea id=\"q-story\""), "{form}");
    assert!(form.contains("<input id=\"q-postcode\" name=\"q-postcode\" type=\"text\""));
    assert!(
        form.contains("<select id=\"q-region\" name=\"q-region\">"),
        "{form}"
    );
    assert!(form.contains("<select id=\"q-skills\" name=\"q-skills\" multiple>"));
    assert!(form.contains("type=\"radio\" name=\"q-works\""));
    let token = csrf(&form);
    let post = |lang: &'static str, fields: &[(&str, &str)]| {
        let mut f: Vec<(String, String)> = vec![("_csrf".into(), token.clone())];
        f.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        me.post(app.url(&form_url))
            .header("accept-language", lang)
            .form(&f)
            .send()
    };
    let good = [
        ("q-age", "30"),
        ("q-hours", "12.5"),
        ("q-machines", "2"),
        ("q-postcode", "723500"),
        ("q-story", "Кийиз басам"),
        ("q-region", "osh"),
        ("q-skills", "sewing"),
        ("q-skills", "felt"),
    ];
    let with = |name: &str, value: &'static str| -> Vec<(&'static str, &'static str)> {
        good.iter()
            .map(|(k, v)| if *k == name { (*k, value) } else { (*k, *v) })
            .collect()
    };
    // Each broken constraint, in Kyrgyz: the form's own message where it gave one in Kyrgyz,
    // else the generic one in Kyrgyz (never the form's Russian text).
    for (field, value, message, not) in [
        (
            "q-age",
            "200",
            "Жаш 14төн 90го чейин болушу керек",
            "Возраст",
        ),
        (
            "q-hours",
            "100",
            "Бул суроого мындай жооп кабыл алынбайт",
            "not allowed",
        ),
        (
            "q-machines",
            "5",
            "Бул суроого мындай жооп кабыл алынбайт",
            "Пять машин",
        ),
        ("q-postcode", "7235", "Индекс 6 сандан турат", "Индекс из"),
    ] {
        let r = post("ky", &with(field, value)).await.unwrap();
        assert_eq!(r.status(), 422, "{field}");
        let html = r.text().await.unwrap();
        let name = field.trim_start_matches("q-");
        let shown = format!("<p class=\"error\" id=\"e-{name}\">{message}</p>");
        assert!(html.contains(&shown), "{field}: {html}");
        assert!(!html.contains(not), "{field}");
        // What she typed is kept.
        assert!(html.contains("Кийиз басам"));
    }
    // In Russian, the Russian messages.
    let r = post("ru", &with("q-machines", "5")).await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Пять машин не бывает в этом опросе")
    );
    let r = post("en", &with("q-hours", "0")).await.unwrap();
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("This answer is not allowed for this question")
    );
    assert_eq!(app.count("survey_responses").await, 0);
    assert_eq!(app.count("survey_answers").await, 0);

    // Within every constraint: saved; the choices as chosen in the drop-down lists.
    let r = post("ky", &good).await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(app.count("survey_responses").await, 1);
    let mut c = app.db.store.conn().await.unwrap();
    let rid = store::surveys::responses_of_person(&mut c, app.aizhan)
        .await
        .unwrap()[0]
        .id;
    let inst = store::surveys::instrument(&mut c, id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let answers = store::surveys::answers(&mut c, rid).await.unwrap();
    let value = |n: &str| {
        let item = inst.items.iter().find(|i| i.q.name == n).unwrap();
        answers.get(&item.id).cloned()
    };
    assert_eq!(value("skills").as_deref(), Some("sewing felt"));
    assert_eq!(value("postcode").as_deref(), Some("723500"));
    // Read back from the store, the constraint is the parsed one.
    let age = &inst.items.iter().find(|i| i.q.name == "age").unwrap().q;
    assert!(age.check_constraint("91").is_err() && age.check_constraint("90").is_ok());
}

/// A workbook our own exporter writes: `rows` under `type, name, label, constraint`.
fn form(rows: &[[&str; 4]]) -> Vec<u8> {
    let mut survey = Sheet::new(
        "survey",
        ["type", "name", "label", "constraint"]
            .map(String::from)
            .to_vec(),
    );
    for r in rows {
        survey.push(r.iter().map(|c| Cell::from(*c)).collect());
    }
    xlsx(&[survey]).unwrap()
}

async fn unsupported_constraints_refuse_the_import(app: TestApp) {
    let book = form(&[
        ["integer", "age", "Age", ". >= 14"],
        ["integer", "kids", "Children", ". < ${age}"],
        ["text", "phone", "Phone", "regex(., '[0-9')"],
        ["date", "born", "Born", ". > 3"],
    ]);
    let coord = app.token("coord.osh@test.kg").await;
    let r = import(&app, Some(&coord), &[("lab", "osh")], &book, "ru").await;
    assert_eq!(r.status(), 422);
    let e: Value = r.json().await.unwrap();
    let fields: Vec<(&str, &str)> = e["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["field"].as_str().unwrap(), f["error"].as_str().unwrap()))
        .collect();
    assert_eq!(
        fields,
        [
            ("file", "err-xlsform-refused"),
            ("survey:3:constraint", "err-xlsform-constraint-unsupported"),
            ("survey:4:constraint", "err-xlsform-constraint-regex"),
            ("survey:5:constraint", "err-xlsform-constraint-kind"),
        ]
    );
    assert!(
        e["fields"][1]["message"]
            .as_str()
            .unwrap()
            .starts_with("это ограничение нельзя проверить"),
        "{e}"
    );

    // The page names each row in her language, and nothing is stored.
    let page = app.signed_in("coord.osh@test.kg").await;
    let import_page = crate::common::get_text(&page, app.url("/labs/osh/surveys/import")).await;
    let r = page
        .post(app.url("/labs/osh/surveys/import"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(multipart(
            &[("_csrf", &csrf(&import_page)), ("waves", "baseline")],
            Some(&book),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("эч нерсе импорттолгон жок"), "{html}");
    assert!(
        html.contains("<li>survey, 3-сап, constraint: бул чектөөнү текшерүү мүмкүн эмес"),
        "{html}"
    );
    assert!(html.contains("<li>survey, 5-сап, constraint: салыштыруулар"));
    assert_eq!(app.count("survey_instruments").await, 0);
    assert_eq!(app.count("survey_questions").await, 0);

    // The same form with constraints wcl can check imports.
    let book = form(&[
        ["integer", "age", "Age", ". >= 14"],
        ["integer", "kids", "Children", ". >= 0 and . < 20"],
        ["text", "phone", "Phone", "regex(., '^[0-9]+$')"],
    ]);
    let r = import(&app, Some(&coord), &[("lab", "osh")], &book, "ru").await;
    assert_eq!(r.status(), 201);
}
