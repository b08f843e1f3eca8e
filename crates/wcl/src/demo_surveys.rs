//! Demo surveys: the network's built-in baseline/endline instrument (Kyrgyz, Russian, English)
//! with two scales, self-confidence (6 Likert items, two reversed) and gender-equal attitudes
//! (5 items, two reversed), plus profile questions with skip logic; baseline answers for the
//! accepted, active and graduated residents and endline answers for the graduates, spread over
//! their cohorts' dates (scores improve on average, some women much more than others, a few not
//! at all), a few 6- and 12-month follow-ups, some typed in from paper by a coordinator; and one
//! instrument imported from the Kobo-style XLSForm of the tests. The demo resident is left with
//! her baseline due.
use anyhow::Context;
use chrono::{Duration, NaiveDate};
use domain::surveys::{
    Choice, Condition, Labels, Question, QuestionKind, Scale, ScaleMethod, WaveKind,
};
use domain::{LabId, PersonId, ResidencyStatus, UserId};
use std::collections::HashMap;
use store::residency;
use web::services::surveys as svc;

pub struct Surveys {
    pub instruments: usize,
    pub responses: usize,
}

/// A small deterministic generator (the demo is the same on every machine).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() % 1_000_000) as f64 / 1_000_000.0
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
}

fn choices(list: &[(&str, &str, &str, &str)]) -> Vec<Choice> {
    list.iter()
        .map(|(n, ky, ru, en)| Choice {
            name: n.to_string(),
            label: Labels::new(ky, ru, en),
        })
        .collect()
}

fn agree5() -> Vec<Choice> {
    choices(&[
        (
            "1",
            "Такыр макул эмесмин",
            "Совсем не согласна",
            "Strongly disagree",
        ),
        ("2", "Макул эмесмин", "Не согласна", "Disagree"),
        ("3", "Бейтарап", "Нейтрально", "Neither"),
        ("4", "Макулмун", "Согласна", "Agree"),
        (
            "5",
            "Толук макулмун",
            "Полностью согласна",
            "Strongly agree",
        ),
    ])
}

/// `(name, ky, ru, en, reversed)`
type Item = (&'static str, &'static str, &'static str, &'static str, bool);

const CONFIDENCE: &[Item] = &[
    (
        "sc1",
        "Мен өз пикиримди ачык айта алам.",
        "Я могу открыто высказывать своё мнение.",
        "I can say what I think openly.",
        false,
    ),
    (
        "sc2",
        "Жаңы нерсени үйрөнө алам.",
        "Я могу научиться новому.",
        "I can learn new things.",
        false,
    ),
    (
        "sc3",
        "Көп учурда өзүмдү пайдасыз сезем.",
        "Я часто чувствую себя бесполезной.",
        "I often feel useless.",
        true,
    ),
    (
        "sc4",
        "Өз ишимди баштоого күчүм жетет.",
        "Я способна начать своё дело.",
        "I am able to start my own business.",
        false,
    ),
    (
        "sc5",
        "Бейтааныш адамдар менен сүйлөшүүдөн тартынам.",
        "Я стесняюсь говорить с незнакомыми людьми.",
        "I am shy of talking to people I do not know.",
        true,
    ),
    (
        "sc6",
        "Кыйынчылык болгондо чечим таба алам.",
        "Когда трудно, я нахожу выход.",
        "When things are hard, I find a way.",
        false,
    ),
];

const ATTITUDES: &[Item] = &[
    (
        "ga1",
        "Аял да эркектей эле акча таба алат.",
        "Женщина может зарабатывать так же, как мужчина.",
        "A woman can earn as well as a man.",
        false,
    ),
    (
        "ga2",
        "Үй иши аялдын гана милдети.",
        "Домашние дела — обязанность только женщины.",
        "Housework is only a woman's duty.",
        true,
    ),
    (
        "ga3",
        "Кыздар да жогорку билим алышы керек.",
        "Девочки тоже должны получать высшее образование.",
        "Girls should get higher education too.",
        false,
    ),
    (
        "ga4",
        "Үй-бүлөдөгү акча маселесин эркек гана чечиши керек.",
        "Решения о деньгах в семье должен принимать только мужчина.",
        "Only the man should decide about money in the family.",
        true,
    ),
    (
        "ga5",
        "Аялдар жергиликтүү кеңешке шайланышы керек.",
        "Женщины должны избираться в местные советы.",
        "Women should be elected to local councils.",
        false,
    ),
];

/// The built-in instrument's questions and scales.
pub fn built_in() -> (Vec<Question>, Vec<Scale>) {
    let profile = Labels::new("Өзүңүз жөнүндө", "О себе", "About you");
    let mut qs = vec![];
    let mut intro = Question::new(
        "intro",
        QuestionKind::Note,
        Labels::new(
            "Бул сурамжылоо программанын сиздин жашооңузга кандай таасир этээрин түшүнүүгө жардам берет. Жоопторуңузду сиздин лабораториянын координатору гана көрөт.",
            "Этот опрос помогает понять, как программа меняет вашу жизнь. Ваши ответы видит только координатор вашей лаборатории.",
            "This survey helps us understand how the programme changes your life. Only your lab's coordinator sees your answers.",
        ),
    );
    intro.group = profile.clone();
    qs.push(intro);
    let mut works = Question::new(
        "works_for_pay",
        QuestionKind::Single,
        Labels::new(
            "Азыр акы төлөнүүчү иш же өз ишиңиз барбы?",
            "Есть ли у вас сейчас оплачиваемая работа или своё дело?",
            "Do you have paid work or your own business now?",
        ),
    );
    works.choices = choices(&[("yes", "Ооба", "Да", "Yes"), ("no", "Жок", "Нет", "No")]);
    works.required = true;
    works.group = profile.clone();
    qs.push(works);
    let mut income = Question::new(
        "income_month",
        QuestionKind::Integer,
        Labels::new(
            "Өткөн айда канча киреше таптыңыз (сом)?",
            "Сколько вы заработали в прошлом месяце (сом)?",
            "How much did you earn last month (som)?",
        ),
    );
    income.hint = Labels::new("Болжол менен", "Примерно", "Roughly");
    income.relevant = Condition::parse("${works_for_pay} = 'yes'");
    income.required = true;
    income.group = profile.clone();
    qs.push(income);
    let mut hours = Question::new(
        "creative_hours",
        QuestionKind::Integer,
        Labels::new(
            "Жумасына чыгармачыл ишке канча саат бөлөсүз?",
            "Сколько часов в неделю вы уделяете творческой работе?",
            "How many hours a week do you spend on creative work?",
        ),
    );
    hours.group = profile.clone();
    // A week has 168 hours; more than 112 at creative work is a typing mistake.
    hours.constraint = domain::surveys::Constraint::parse(". >= 0 and . <= 112").ok();
    hours.constraint_message = Labels::new(
        "0дон 112ге чейинки санды жазыңыз",
        "Напишите число от 0 до 112",
        "Write a number from 0 to 112",
    );
    qs.push(hours);
    let mut hope = Question::new(
        "hope",
        QuestionKind::Text,
        Labels::new(
            "Бир жылдан кийин эмнеге жетким келет?",
            "Чего вы хотите достичь через год?",
            "What would you like to achieve in a year?",
        ),
    );
    hope.group = profile;
    hope.appearance = Some(domain::surveys::Appearance::Multiline);
    qs.push(hope);
    for (group, scale, items) in [
        (
            Labels::new("Өзүңүзгө ишеним", "Уверенность в себе", "Self-confidence"),
            "self_confidence",
            CONFIDENCE,
        ),
        (
            Labels::new("Аялдар жана эркектер", "Женщины и мужчины", "Women and men"),
            "gender_attitudes",
            ATTITUDES,
        ),
    ] {
        for (name, ky, ru, en, reversed) in items {
            let mut q = Question::new(name, QuestionKind::Likert, Labels::new(ky, ru, en));
            q.choices = agree5();
            q.required = true;
            q.group = group.clone();
            q.scale = Some(scale.to_string());
            q.reversed = *reversed;
            qs.push(q);
        }
    }
    let scales = vec![
        Scale {
            code: "self_confidence".into(),
            name: Labels::new("Өзүнө ишеним", "Уверенность в себе", "Self-confidence"),
            method: ScaleMethod::Mean,
        },
        Scale {
            code: "gender_attitudes".into(),
            name: Labels::new(
                "Гендердик теңчилик көз караштары",
                "Гендерно-равные установки",
                "Gender-equal attitudes",
            ),
            method: ScaleMethod::Mean,
        },
    ];
    (qs, scales)
}

/// Answers for a woman whose latent levels (1..5) are `confidence` and `attitudes`.
fn answers(
    rng: &mut Rng,
    confidence: f64,
    attitudes: f64,
    earns: bool,
    income: i64,
) -> HashMap<String, String> {
    let mut a = HashMap::new();
    for (items, level) in [(CONFIDENCE, confidence), (ATTITUDES, attitudes)] {
        for (name, _, _, _, reversed) in items {
            // Skip an item now and then: a scale is still scored with at least half its items.
            if rng.unit() < 0.03 {
                continue;
            }
            let v = (level + rng.range(-0.8, 0.8)).round().clamp(1.0, 5.0) as i64;
            let answer = if *reversed { 6 - v } else { v };
            a.insert(name.to_string(), answer.to_string());
        }
    }
    a.insert(
        "works_for_pay".into(),
        if earns { "yes" } else { "no" }.into(),
    );
    if earns {
        a.insert("income_month".into(), income.to_string());
    }
    a.insert(
        "creative_hours".into(),
        ((confidence * 4.0 + rng.range(0.0, 8.0)).round() as i64).to_string(),
    );
    a
}

pub async fn seed(
    tx: &mut store::Tx,
    lab_ids: &[(&str, LabId)],
    coordinators: &[(LabId, UserId)],
    resident: PersonId,
    today: NaiveDate,
) -> anyhow::Result<Surveys> {
    let (questions, scales) = built_in();
    let id = svc::create_built_in(
        tx,
        None,
        "wcl_baseline_endline",
        &Labels::new(
            "Баштапкы жана жыйынтыктоочу сурамжылоо",
            "Начальный и итоговый опрос",
            "Baseline and endline survey",
        ),
        WaveKind::ALL,
        &questions,
        &scales,
    )
    .await?;
    let inst = store::surveys::instrument(tx, id)
        .await?
        .context("demo data: the built-in instrument")?;

    // The Kobo-style instrument of the importer's test, imported for Osh, answered on request.
    let osh = lab_ids
        .iter()
        .find(|(s, _)| *s == "osh")
        .map(|(_, l)| *l)
        .context("demo data: the Osh lab")?;
    let form = documents::xlsform::parse(include_bytes!(
        "../../documents/tests/fixtures/kobo_wellbeing.xlsx"
    ))
    .map_err(|e| anyhow::anyhow!("demo data: the XLSForm fixture: {e}"))?;
    let draft = store::surveys::InstrumentDraft {
        code: &form.form_id,
        title: &form.title,
        waves: &[],
        source: "xlsform",
        version: &form.version,
        warnings_json: serde_json::to_string(&form.warnings)?,
        questions: &form.questions,
        scales: &form.scales,
    };
    store::surveys::insert_instrument(tx, Some(osh), &draft, None).await?;

    let mut rng = Rng(20_260_306);
    let mut responses = 0usize;
    for (_, lab) in lab_ids {
        let coordinator = coordinators.iter().find(|(l, _)| l == lab).map(|(_, u)| *u);
        let rows = residency::of_lab(tx, *lab, None).await?;
        for (i, row) in rows.iter().enumerate() {
            let r = &row.residency;
            if r.person_id == resident {
                continue; // her baseline stays due
            }
            let graduated = r.status == ResidencyStatus::Graduated;
            if !matches!(
                r.status,
                ResidencyStatus::Accepted | ResidencyStatus::Active
            ) && !graduated
            {
                continue;
            }
            let cohort = match r.cohort_id {
                Some(c) => residency::cohort(tx, c).await?,
                None => None,
            };
            let spread = Duration::days(30 + (rng.next() % 640) as i64);
            let start = cohort
                .as_ref()
                .map(|c| c.starts_on)
                .unwrap_or(today - spread)
                .min(today);
            let end = cohort
                .as_ref()
                .map(|c| c.ends_on)
                .unwrap_or(start + Duration::days(180))
                .min(today);
            let paper = |k: usize| {
                if k.is_multiple_of(3) {
                    coordinator
                } else {
                    None
                }
            };

            // Where she starts: lower confidence and more traditional views for most.
            let conf0 = rng.range(1.8, 3.5);
            let att0 = rng.range(2.0, 3.8);
            let earns0 = rng.unit() < 0.35;
            let income0 = (rng.range(2_000.0, 9_000.0) / 500.0).round() as i64 * 500;
            let a = answers(&mut rng, conf0, att0, earns0, income0);
            svc::record_response(
                tx,
                &inst,
                r.person_id,
                Some(r.id),
                *lab,
                WaveKind::Baseline,
                start,
                paper(i),
                &a,
            )
            .await?;
            responses += 1;
            if !graduated {
                continue;
            }
            // How much she changed: most a little, some a lot, a few not at all.
            let luck = rng.unit();
            let gain = if luck < 0.15 {
                rng.range(1.3, 1.9)
            } else if luck < 0.25 {
                rng.range(-0.3, 0.1)
            } else {
                rng.range(0.3, 1.0)
            };
            let conf1 = (conf0 + gain).min(4.9);
            let att1 = (att0 + gain * rng.range(0.4, 0.9)).min(4.9);
            let earns1 = earns0 || rng.unit() < 0.3 + gain * 0.3;
            let income1 = ((income0 as f64 * (1.0 + gain.max(0.0) * rng.range(0.3, 1.2))) / 500.0)
                .round() as i64
                * 500;
            let a = answers(&mut rng, conf1, att1, earns1, income1);
            svc::record_response(
                tx,
                &inst,
                r.person_id,
                Some(r.id),
                *lab,
                WaveKind::Endline,
                end.max(start),
                paper(i + 1),
                &a,
            )
            .await?;
            responses += 1;
            for (wave, days, every) in [
                (WaveKind::FollowUp6, 182, 2usize),
                (WaveKind::FollowUp12, 365, 3usize),
            ] {
                // Follow-ups are collected in a window around their date (the lab calls
                // graduates from six weeks before): answered then, or today if that is sooner.
                let due = end + Duration::days(days);
                if i % every != 0 || due - Duration::days(45) > today {
                    continue;
                }
                let on = due.min(today);
                let drift = rng.range(-0.3, 0.3);
                let a = answers(
                    &mut rng,
                    (conf1 + drift).clamp(1.0, 4.9),
                    (att1 + drift / 2.0).clamp(1.0, 4.9),
                    earns1,
                    income1 + 500,
                );
                svc::record_response(
                    tx,
                    &inst,
                    r.person_id,
                    Some(r.id),
                    *lab,
                    wave,
                    on,
                    coordinator,
                    &a,
                )
                .await?;
                responses += 1;
            }
        }
    }
    Ok(Surveys {
        instruments: 2,
        responses,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_instrument_scores_both_scales() {
        let (qs, scales) = built_in();
        assert_eq!(
            qs.iter()
                .filter(|q| q.scale.as_deref() == Some("self_confidence"))
                .count(),
            6
        );
        assert_eq!(
            qs.iter()
                .filter(|q| q.scale.as_deref() == Some("gender_attitudes") && q.reversed)
                .count(),
            2
        );
        let mut rng = Rng(7);
        let a = answers(&mut rng, 4.0, 2.0, true, 5000);
        let s = domain::surveys::score_all(&scales, &qs, &a);
        assert_eq!(s.len(), 2);
        let conf = s.iter().find(|x| x.0 == "self_confidence").unwrap().1;
        assert!((3.0..=5.0).contains(&conf), "{conf}");
        for q in &qs {
            for lang in ["ky", "ru", "en"] {
                assert!(!q.label.get(lang).is_empty());
            }
        }
    }
}
