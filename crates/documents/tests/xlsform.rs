//! Imports a real-world XLSForm laid out as KoboToolbox exports it (see
//! `fixtures/make_kobo_fixture.py`, which wrote `fixtures/kobo_wellbeing.xlsx`): settings,
//! choices, groups, three languages, a Likert block tied to a scale, skip logic, required
//! answers, and rows wcl does not support, each reported by its row.
use documents::xlsform::{XlsFormError, parse};

/// Hostile workbooks and zips, hand-made and generated.
#[path = "xlsform/hostile.rs"]
mod hostile;
use documents::table::{Cell, Sheet, xlsx};
use domain::surveys::{Appearance, Op, QuestionKind, ScaleMethod};

const FIXTURE: &[u8] = include_bytes!("fixtures/kobo_wellbeing.xlsx");

#[test]
fn imports_the_kobo_fixture() {
    let f = parse(FIXTURE).unwrap();
    assert_eq!(f.form_id, "wcl_wellbeing_2024");
    assert_eq!(f.version, "2024061201");
    assert_eq!(f.default_language, "ky");
    assert_eq!(f.title.ky, "Аялдардын абалы: баштапкы сурамжылоо");

    let names: Vec<&str> = f.questions.iter().map(|q| q.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "intro",
            "age",
            "works",
            "income",
            "skills",
            "skills_other",
            "sc1",
            "sc2",
            "sc3",
            "child_name",
            "next_visit"
        ]
    );
    let q = |n: &str| f.questions.iter().find(|q| q.name == n).unwrap();

    // Three languages, with Kyrgyz letters intact; hints; groups kept with their questions.
    let works = q("works");
    assert_eq!(works.kind, QuestionKind::Single);
    assert_eq!(works.label.ky, "Азыр иштейсизби?");
    assert_eq!(works.label.ru, "Работаете ли вы сейчас?");
    assert_eq!(works.label.en, "Do you work now?");
    assert!(works.required);
    assert_eq!(works.group.ky, "Өзүңүз жөнүндө");
    assert_eq!(works.group.en, "About you");
    assert_eq!(works.choices.len(), 2);
    assert_eq!(works.choices[0].label.ky, "Ооба");
    assert_eq!(q("income").hint.ru, "Примерно");
    assert_eq!(q("intro").kind, QuestionKind::Note);
    assert!(q("intro").group.is_empty());
    assert_eq!(q("age").kind, QuestionKind::Integer);
    // `. >= 14 and . <= 80` is checked now; the file gives no message for it.
    let age = q("age").constraint.as_ref().unwrap();
    assert!(age.holds("14") && age.holds("80") && !age.holds("81"));
    assert!(q("age").constraint_message.is_empty());
    assert_eq!(q("next_visit").kind, QuestionKind::Date);
    assert_eq!(q("skills").kind, QuestionKind::Multiple);
    assert_eq!(q("skills").choices[1].label.ky, "Кийиз басуу");
    assert!(!q("skills").required);

    // Skip logic.
    let income = q("income").relevant.as_ref().unwrap();
    assert_eq!(income.all[0].question, "works");
    assert_eq!(income.all[0].op, Op::Eq);
    assert_eq!(income.all[0].value, "yes");
    let other = q("skills_other").relevant.as_ref().unwrap();
    assert_eq!(other.all[0].op, Op::Selected);
    // `or` is not supported: the question is kept and always shown.
    assert!(q("next_visit").relevant.is_none());

    // The Likert block and its scale.
    for (n, reversed) in [("sc1", false), ("sc2", true), ("sc3", false)] {
        assert_eq!(q(n).kind, QuestionKind::Likert, "{n}");
        assert_eq!(q(n).scale.as_deref(), Some("self_confidence"));
        assert_eq!(q(n).reversed, reversed, "{n}");
        assert_eq!(q(n).choices.len(), 5);
        assert_eq!(q(n).group.ru, "Уверенность в себе");
    }
    assert_eq!(q("sc2").scored_value("2"), Some(4.0));
    assert_eq!(f.scales.len(), 1);
    assert_eq!(f.scales[0].code, "self_confidence");
    assert_eq!(f.scales[0].method, ScaleMethod::Mean);

    // Every unsupported row and column, by row.
    let got: Vec<(String, u32, String, String)> = f
        .warnings
        .iter()
        .map(|w| (w.sheet.clone(), w.row, w.code.clone(), w.detail.clone()))
        .collect();
    let want: Vec<(String, u32, String, String)> = [
        ("survey", 1, "unknown-language", "label::Uzbek (uz)"),
        ("survey", 2, "metadata-ignored", "start"),
        ("survey", 3, "metadata-ignored", "end"),
        ("survey", 17, "unsupported-type", "calculate"),
        ("survey", 18, "unsupported-type", "geopoint"),
        ("survey", 19, "unsupported-type", "begin_repeat"),
        ("survey", 20, "in-repeat", "child_name"),
        ("survey", 21, "unsupported-type", "end_repeat"),
        (
            "survey",
            22,
            "relevant-unsupported",
            "${age} > 17 or ${works} = 'no'",
        ),
    ]
    .iter()
    .map(|(s, r, c, d)| (s.to_string(), *r, c.to_string(), d.to_string()))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn files_that_are_not_xlsforms() {
    assert_eq!(
        parse(b"PK\x03\x04 not really a zip").unwrap_err(),
        XlsFormError::NotXlsx
    );
    assert_eq!(
        parse("type,name\ntext,q1".as_bytes()).unwrap_err().key(),
        "err-xlsform-not-xlsx"
    );
}

#[test]
fn a_workbook_without_a_survey_sheet() {
    let e = parse(include_bytes!("fixtures/not_a_form.xlsx")).unwrap_err();
    assert_eq!(e, XlsFormError::NoSurveySheet);
    assert_eq!(e.key(), "err-xlsform-no-survey");
}

/// Written by openpyxl (see `fixtures/make_constraints_fixture.py`).
const CONSTRAINTS: &[u8] = include_bytes!("fixtures/constraints.xlsx");

fn warnings(f: &documents::xlsform::Form) -> Vec<(u32, String, String)> {
    f.warnings
        .iter()
        .map(|w| (w.row, w.code.clone(), w.detail.clone()))
        .collect()
}

#[test]
fn constraints_appearances_and_titles_from_openpyxl() {
    let f = parse(CONSTRAINTS).unwrap();
    // The title in every language the settings give: the plain column is the default (en).
    assert_eq!(f.title.ky, "Иш жана көндүмдөр");
    assert_eq!(f.title.ru, "Работа и навыки");
    assert_eq!(f.title.en, "Work and skills");
    assert_eq!(f.form_id, "wcl_constraints");
    let q = |n: &str| f.questions.iter().find(|q| q.name == n).unwrap();

    let age = q("age");
    let c = age.constraint.as_ref().unwrap();
    assert_eq!(c.to_string(), ". >= 14 and . <= 90");
    assert!(c.holds("14") && c.holds("90") && !c.holds("13") && !c.holds("91"));
    assert_eq!(
        age.constraint_message.ky,
        "Жаш 14төн 90го чейин болушу керек"
    );
    assert_eq!(age.constraint_message.ru, "Возраст от 14 до 90");
    // The plain `constraint_message` column is the default language's.
    assert_eq!(age.constraint_message.en, "Age is 14 to 90");

    let hours = q("hours");
    assert_eq!(
        hours.constraint.as_ref().unwrap().to_string(),
        ". > 0 and . < 100"
    );
    assert!(hours.constraint_message.is_empty());
    assert!(!hours.constraint.as_ref().unwrap().holds("100"));
    let machines = q("machines");
    assert!(!machines.constraint.as_ref().unwrap().holds("5"));
    assert_eq!(
        machines.constraint_message.ru,
        "Пять машин не бывает в этом опросе"
    );
    assert_eq!(machines.constraint_message.ky, "");
    let post = q("postcode").constraint.as_ref().unwrap();
    assert!(post.holds("723500") && !post.holds("7235") && !post.holds("72350a"));
    assert_eq!(
        q("postcode").constraint_message.en,
        "A postcode has 6 digits"
    );

    assert_eq!(q("story").appearance, Some(Appearance::Multiline));
    assert_eq!(q("region").appearance, Some(Appearance::Minimal));
    assert_eq!(q("skills").appearance, Some(Appearance::Minimal));
    assert_eq!(q("works").appearance, None);
    assert_eq!(q("name").appearance, Some(Appearance::Multiline));
    // A message without a constraint is reported and not kept.
    assert!(q("name").constraint.is_none() && q("name").constraint_message.is_empty());

    // Each appearance word not honoured, and the lone message, by row.
    assert_eq!(
        warnings(&f),
        [
            (8, "appearance-ignored".into(), "quick".into()),
            (9, "appearance-ignored".into(), "w3".into()),
            (
                9,
                "message-without-constraint".into(),
                "constraint_message".into()
            ),
        ]
    );
}

fn text_row(cells: &[&str]) -> Vec<Cell> {
    cells.iter().map(|c| Cell::from(*c)).collect()
}

/// A workbook written by our own exporter (rust_xlsxwriter): a survey sheet with `rows` under
/// `type, name, label, constraint, appearance` and a choices sheet.
fn form(rows: &[[&str; 5]]) -> Vec<u8> {
    let mut survey = Sheet::new(
        "survey",
        ["type", "name", "label", "constraint", "appearance"]
            .map(String::from)
            .to_vec(),
    );
    for r in rows {
        survey.push(text_row(r));
    }
    let mut choices = Sheet::new(
        "choices",
        ["list_name", "name", "label"].map(String::from).to_vec(),
    );
    choices.push(text_row(&["yn", "yes", "Yes"]));
    choices.push(text_row(&["yn", "no", "No"]));
    xlsx(&[survey, choices]).unwrap()
}

#[test]
fn constraints_wcl_cannot_check_refuse_the_import_by_row() {
    let book = form(&[
        ["integer", "age", "Age", ". >= 14", ""],
        ["integer", "kids", "Children", ". < ${age}", ""],
        ["text", "phone", "Phone", "regex(., '[0-9')", ""],
        ["select_one yn", "works", "Works?", ". > 1", "minimal"],
        ["date", "born", "Born", ". < today()", "no-calendar"],
        [
            "text",
            "long",
            "Long",
            &format!(". > 1{}", " and . < 2".repeat(30)),
            "",
        ],
        ["integer", "n", "N", ". > 1 or . < 0", ""],
    ]);
    let e = parse(&book).unwrap_err();
    assert_eq!(e.key(), "err-xlsform-refused");
    let XlsFormError::Refused(rows) = e else {
        panic!("{e:?}")
    };
    let got: Vec<(u32, &str)> = rows.iter().map(|w| (w.row, w.code.as_str())).collect();
    assert_eq!(
        got,
        [
            (3, "constraint-unsupported"),
            (4, "constraint-regex"),
            (5, "constraint-kind"),
            (6, "constraint-unsupported"),
            (7, "constraint-too-long"),
            (8, "constraint-unsupported"),
        ]
    );
    assert!(rows.iter().all(|w| w.sheet == "survey"));
    assert_eq!(rows[0].detail, ". < ${age}");

    // The same rows with constraints it can check import, appearances reported where not kept.
    let book = form(&[
        ["integer", "age", "Age", ". >= 14", ""],
        ["integer", "kids", "Children", "(. >= 0) and (. < 20)", "w2"],
        [
            "text",
            "phone",
            "Phone",
            "regex(., '^\\+996[0-9]{9}$')",
            "multiline",
        ],
        ["select_one yn", "works", "Works?", "", "minimal"],
        ["date", "born", "Born", "", "no-calendar"],
        ["begin_group", "g", "Group", "", "field-list table-list"],
        ["note", "n", "Note", "", "multiline"],
        ["end_group", "", "", "", ""],
    ]);
    let f = parse(&book).unwrap();
    let phone = f.questions.iter().find(|q| q.name == "phone").unwrap();
    assert!(phone.constraint.as_ref().unwrap().holds("+996555123456"));
    assert_eq!(phone.appearance, Some(Appearance::Multiline));
    assert_eq!(
        warnings(&f),
        [
            (3, "appearance-ignored".into(), "w2".into()),
            (6, "appearance-ignored".into(), "no-calendar".into()),
            (7, "appearance-ignored".into(), "table-list".into()),
            (8, "appearance-ignored".into(), "multiline".into()),
        ]
    );
}
