//! Surveys in the store, on SQLite and PostgreSQL: an instrument round-trips with its questions,
//! scales and skip logic; responses keep their answers and scores; `scale_scores` reads them
//! with the residency's cohort; one response per wave; `db copy` carries the scores.
use chrono::NaiveDate;
use domain::ResidencyStatus;
use domain::surveys::{
    Choice, Condition, Labels, Question, QuestionKind, Scale, ScaleMethod, WaveKind,
};
use store::surveys::{self, InstrumentDraft, ResponseDraft};
use store::testing::TestDb;
use store::{Store, StoreError, copy, labs, people, residency};

fn lab(slug: &str) -> labs::NewLab {
    labs::NewLab {
        slug: slug.into(),
        name_ky: slug.into(),
        name_ru: slug.into(),
        name_en: slug.into(),
        region: "osh-city".into(),
        locality: "Ош".into(),
        address: "".into(),
        latitude: None,
        longitude: None,
        hours: "".into(),
        opened_on: None,
    }
}

fn woman(family: &str) -> people::PersonFields {
    people::PersonFields {
        family_name: family.into(),
        given_name: "Айгүл".into(),
        name_latin: "Aigul".into(),
        gender: "woman".into(),
        family_support: "unknown".into(),
        ..Default::default()
    }
}

fn questions() -> (Vec<Question>, Vec<Scale>) {
    let mut works = Question::new(
        "works",
        QuestionKind::Single,
        Labels::new("Иш", "Работа", "Work"),
    );
    works.choices = vec![
        Choice {
            name: "yes".into(),
            label: Labels::new("Ооба", "Да", "Yes"),
        },
        Choice {
            name: "no".into(),
            label: Labels::new("Жок", "Нет", "No"),
        },
    ];
    let mut income = Question::new(
        "income",
        QuestionKind::Integer,
        Labels::new("Киреше", "Доход", "Income"),
    );
    income.relevant = Condition::parse("${works} = 'yes'");
    let mut sc = Question::new(
        "sc1",
        QuestionKind::Likert,
        Labels::new("Ишеним", "Уверенность", "Confidence"),
    );
    sc.choices = (1..=5)
        .map(|i| Choice {
            name: i.to_string(),
            label: Labels::default(),
        })
        .collect();
    sc.scale = Some("self_confidence".into());
    sc.reversed = true;
    let scales = vec![Scale {
        code: "self_confidence".into(),
        name: Labels::new("Өзүнө ишеним", "Уверенность в себе", "Self-confidence"),
        method: ScaleMethod::Sum,
    }];
    (vec![works, income, sc], scales)
}

async fn instruments_responses_and_scores(s: Store) {
    let mut c = s.conn().await.unwrap();
    let osh = labs::insert_lab(&mut c, &lab("osh")).await.unwrap();
    let batken = labs::insert_lab(&mut c, &lab("batken")).await.unwrap();
    let (qs, scales) = questions();
    let title = Labels::new("Сурамжылоо", "Опрос", "Survey");
    let draft = InstrumentDraft {
        code: "base",
        title: &title,
        waves: &[WaveKind::Baseline, WaveKind::FollowUp12],
        source: "built",
        version: "1",
        warnings_json: "[]".into(),
        questions: &qs,
        scales: &scales,
    };
    let id = surveys::insert_instrument(&mut c, None, &draft, None)
        .await
        .unwrap();
    // The same code again in the network: refused; in a lab: a different instrument.
    assert!(matches!(
        surveys::insert_instrument(&mut c, None, &draft, None).await,
        Err(StoreError::Conflict("survey_instruments.code"))
    ));
    surveys::insert_instrument(&mut c, Some(batken), &draft, None)
        .await
        .unwrap();
    let i = surveys::instrument(&mut c, id).await.unwrap().unwrap();
    assert_eq!(
        i.summary.waves,
        vec![WaveKind::Baseline, WaveKind::FollowUp12]
    );
    assert_eq!(i.summary.title.ky, "Сурамжылоо");
    assert_eq!(i.questions(), qs);
    assert_eq!(i.scales, scales);
    assert_eq!(
        surveys::instruments(&mut c, Some(osh)).await.unwrap().len(),
        1
    );
    assert_eq!(
        surveys::instruments(&mut c, Some(batken))
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(surveys::instruments(&mut c, None).await.unwrap().len(), 2);

    let p = people::insert(&mut c, osh, &woman("Асанова"), None)
        .await
        .unwrap();
    let r = residency::open(
        &mut c,
        p,
        osh,
        ResidencyStatus::Active,
        "",
        "assisted",
        None,
    )
    .await
    .unwrap();
    let cohort = residency::insert_cohort(
        &mut c,
        osh,
        "2025 жаз",
        NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
        NaiveDate::from_ymd_opt(2025, 8, 31).unwrap(),
    )
    .await
    .unwrap();
    residency::set_cohort(&mut c, r, Some(cohort))
        .await
        .unwrap();
    let steps = surveys::residency_steps(&mut c, p).await.unwrap();
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0].steps[0].0, ResidencyStatus::Active);

    let on = NaiveDate::from_ymd_opt(2025, 3, 2).unwrap();
    let d = ResponseDraft {
        instrument: id,
        person: p,
        residency: Some(r),
        lab: osh,
        wave: WaveKind::Baseline,
        answered_on: on,
        entered_by: None,
    };
    let answers = vec![
        (i.items[0].id, "no".to_string()),
        (i.items[2].id, "2".to_string()),
    ];
    let rid =
        surveys::insert_response(&mut c, &d, &answers, &[("self_confidence".into(), 4.25, 1)])
            .await
            .unwrap();
    assert!(matches!(
        surveys::insert_response(&mut c, &d, &answers, &[]).await,
        Err(StoreError::Conflict("survey_responses.once"))
    ));
    let stored = surveys::answers(&mut c, rid).await.unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[&i.items[2].id], "2");
    assert_eq!(
        surveys::answered(&mut c, p).await.unwrap(),
        vec![(id, WaveKind::Baseline, Some(r))]
    );
    let mine = surveys::responses_of_person(&mut c, p).await.unwrap();
    assert_eq!(mine[0].scores, vec![("self_confidence".to_string(), 4.25)]);
    let export = surveys::responses_with_answers(&mut c, id, Some(batken))
        .await
        .unwrap();
    assert!(export.is_empty());
    let export = surveys::responses_with_answers(&mut c, id, None)
        .await
        .unwrap();
    assert_eq!(export.len(), 1);
    assert_eq!(export[0].1.len(), 2);
    drop(c);

    let all = surveys::scale_scores(&s, None).await.unwrap();
    assert_eq!(
        all,
        vec![surveys::ScaleScore {
            person_id: p,
            lab_id: osh,
            cohort_id: Some(cohort),
            scale: "self_confidence".into(),
            wave: "baseline".into(),
            score: 4.25,
            answered_on: on,
        }]
    );
    assert_eq!(
        surveys::scale_scores(&s, Some(&osh)).await.unwrap().len(),
        1
    );
    assert!(
        surveys::scale_scores(&s, Some(&batken))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    let db = TestDb::sqlite().await;
    instruments_responses_and_scores(db.store.clone()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_and_copy() {
    let Some(pg) = TestDb::postgres().await else {
        return;
    };
    instruments_responses_and_scores(pg.store.clone()).await;
    // PostgreSQL → SQLite carries instruments, answers and scores (REAL / DOUBLE PRECISION).
    let lite = TestDb::sqlite().await;
    copy::copy(&pg.store, &lite.store).await.unwrap();
    assert_eq!(
        copy::counts(&pg.store).await.unwrap(),
        copy::counts(&lite.store).await.unwrap()
    );
    assert_eq!(
        surveys::scale_scores(&lite.store, None).await.unwrap()[0].score,
        4.25
    );
    pg.store.close().await;
}
