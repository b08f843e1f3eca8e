//! Imports a real-world XLSForm laid out as KoboToolbox exports it (see
//! `fixtures/make_kobo_fixture.py`, which wrote `fixtures/kobo_wellbeing.xlsx`): settings,
//! choices, groups, three languages, a Likert block tied to a scale, skip logic, required
//! answers, and rows wcl does not support, each reported by its row.
use documents::xlsform::{XlsFormError, parse};

/// Hostile workbooks and zips, hand-made and generated.
#[path = "xlsform/hostile.rs"]
mod hostile;
use domain::surveys::{Op, QuestionKind, ScaleMethod};

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
        ("survey", 6, "column-ignored", "constraint"),
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
