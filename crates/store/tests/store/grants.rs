//! Seed funding in the store, on SQLite and PostgreSQL: the budget holds under concurrent awards,
//! the ledger balances and refuses the same payment twice, payments are append-only, totals for
//! impact work, and attachments (bytes) survive `db copy` between backends.
use chrono::NaiveDate;
use domain::grants::{ApplicationStatus, CallStatus, Category, CriterionSpec, PaymentChannel};
use domain::{ApplicationId, GrantCallId, LabId, PersonId, UserId};
use store::grants::{self as g, CallFields, DraftFields, NewAward, NewPayment, TranchePlan};
use store::testing::TestDb;
use store::{Store, StoreError, copy, labs, people, users};

on_both_backends!(
    workers = 4;
    budget_holds_under_concurrent_awards,
    ledger_balances_and_refuses_doubles,
    reviews_are_final_once_submitted,
);

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

struct World {
    lab: LabId,
    coordinator: UserId,
    call: GrantCallId,
    women: Vec<PersonId>,
}

/// A lab, a coordinator, an open call (budget 100 000 som, awards 10 000..=40 000) and `n` women.
async fn world(s: &Store, n: usize) -> World {
    let mut c = s.conn().await.unwrap();
    let lab = labs::insert_lab(
        &mut c,
        &labs::NewLab {
            slug: "osh".into(),
            name_ky: "Ош".into(),
            name_ru: "Ош".into(),
            name_en: "Osh".into(),
            region: "osh-city".into(),
            locality: "Ош".into(),
            address: String::new(),
            latitude: None,
            longitude: None,
            hours: String::new(),
            opened_on: None,
        },
    )
    .await
    .unwrap();
    let coordinator = users::insert(&mut c, "coord@t.kg", "Айгүл", "x", false, None)
        .await
        .unwrap();
    let call = g::insert_call(
        &mut c,
        Some(lab),
        &CallFields {
            title: "Күзгү раунд".into(),
            description: String::new(),
            budget: 10_000_000,
            min_award: 1_000_000,
            max_award: 4_000_000,
            opens_on: d("2026-09-01"),
            closes_on: d("2026-09-30"),
            cohort_id: None,
            criteria: vec![CriterionSpec {
                name_ky: "Ишке ашуусу".into(),
                name_ru: "Жизнеспособность".into(),
                name_en: "Viability".into(),
                guidance_ky: String::new(),
                guidance_ru: String::new(),
                guidance_en: String::new(),
                weight: 1,
                max_points: 10,
            }],
        },
        Some(coordinator),
    )
    .await
    .unwrap();
    assert!(
        g::set_call_status(&mut c, call, CallStatus::Draft, CallStatus::Open)
            .await
            .unwrap()
    );
    let mut women = vec![];
    for i in 0..n {
        let p = people::insert(
            &mut c,
            lab,
            &people::PersonFields {
                family_name: format!("Асанова{i}"),
                given_name: "Айжан".into(),
                name_latin: format!("Asanova{i} Aizhan"),
                gender: "woman".into(),
                family_support: "yes".into(),
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
        women.push(p);
    }
    World {
        lab,
        coordinator,
        call,
        women,
    }
}

/// A submitted application asking for `amount`.
async fn submitted(s: &Store, w: &World, woman: PersonId, amount: i64) -> ApplicationId {
    let mut c = s.conn().await.unwrap();
    let id = g::insert_application(&mut c, w.call, woman, w.lab, None)
        .await
        .unwrap();
    assert!(
        g::save_draft(
            &mut c,
            id,
            &DraftFields {
                title: "Тигүү цехи".into(),
                idea: "Мектеп формасы".into(),
                category: Some(Category::Sewing),
                requested: amount,
                own_contribution: 0,
                lines: vec![("Тигүү машинасы".into(), amount)],
                team: vec![],
            },
            None,
        )
        .await
        .unwrap()
    );
    assert!(
        g::set_application_status(
            &mut c,
            id,
            ApplicationStatus::Draft,
            ApplicationStatus::Submitted
        )
        .await
        .unwrap()
    );
    id
}

async fn budget_holds_under_concurrent_awards(s: Store) {
    let w = world(&s, 20).await;
    let mut apps = vec![];
    for p in &w.women {
        apps.push(submitted(&s, &w, *p, 3_000_000).await);
    }
    // Twenty awards of 30 000 som at once against a budget of 100 000: three fit.
    let mut tasks = vec![];
    for app in apps.clone() {
        let s = s.clone();
        let call = w.call;
        let by = w.coordinator;
        tasks.push(tokio::spawn(async move {
            let mut tx = s.begin().await?;
            let r = g::award(
                &mut tx,
                &NewAward {
                    application: app,
                    call,
                    amount: 3_000_000,
                    proposed_amount: 3_000_000,
                    adjusted_reason: "",
                    decided_by: Some(by),
                    decided_on: d("2026-10-05"),
                },
            )
            .await;
            match r {
                Ok(award) => {
                    // As the service does: the whole award is the first tranche.
                    g::replace_tranches(
                        &mut tx,
                        award,
                        &[TranchePlan {
                            amount: 3_000_000,
                            condition: String::new(),
                            due_on: None,
                        }],
                    )
                    .await?;
                    tx.commit().await?;
                    Ok(true)
                }
                Err(StoreError::Conflict("grant_awards.budget")) => Ok(false),
                Err(e) => Err(e),
            }
        }));
    }
    let mut won = 0;
    for t in tasks {
        if t.await.unwrap().unwrap() {
            won += 1;
        }
    }
    assert_eq!(won, 3);
    let mut c = s.conn().await.unwrap();
    let call = g::get_call(&mut c, w.call).await.unwrap().unwrap();
    assert_eq!(call.awarded, 9_000_000);
    assert_eq!(call.left(), 1_000_000);
    assert!(g::ledger_problems(&mut c, None).await.unwrap().is_empty());
    // Outside the limits is refused too.
    let mut tx = s.begin().await.unwrap();
    let over = g::award(
        &mut tx,
        &NewAward {
            application: apps[0],
            call: w.call,
            amount: 5_000_000,
            proposed_amount: 0,
            adjusted_reason: "",
            decided_by: None,
            decided_on: d("2026-10-05"),
        },
    )
    .await
    .unwrap_err();
    assert!(
        matches!(over, StoreError::Conflict("grant_awards.limits")),
        "{over:?}"
    );
}

async fn ledger_balances_and_refuses_doubles(s: Store) {
    let w = world(&s, 2).await;
    let a = submitted(&s, &w, w.women[0], 4_000_000).await;
    let b = submitted(&s, &w, w.women[1], 2_000_000).await;
    let mut tx = s.begin().await.unwrap();
    let award = g::award(
        &mut tx,
        &NewAward {
            application: a,
            call: w.call,
            amount: 3_500_000,
            proposed_amount: 4_000_000,
            adjusted_reason: "Бир машина арзаныраак табылды",
            decided_by: Some(w.coordinator),
            decided_on: d("2026-10-05"),
        },
    )
    .await
    .unwrap();
    // Tranches must add up to the award.
    let bad = g::replace_tranches(
        &mut tx,
        award,
        &[TranchePlan {
            amount: 1_000_000,
            condition: String::new(),
            due_on: None,
        }],
    )
    .await
    .unwrap_err();
    assert!(matches!(bad, StoreError::Conflict("grant_tranches.sum")));
    g::replace_tranches(
        &mut tx,
        award,
        &[
            TranchePlan {
                amount: 2_000_000,
                condition: "Келишимге кол коюлганда".into(),
                due_on: Some(d("2026-10-10")),
            },
            TranchePlan {
                amount: 1_500_000,
                condition: "Биринчи отчёт кабыл алынганда".into(),
                due_on: Some(d("2026-12-01")),
            },
        ],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut c = s.conn().await.unwrap();
    let ts = g::tranches(&mut c, award).await.unwrap();
    assert_eq!(ts.len(), 2);
    let pay = |amount: i64, key: &'static str| NewPayment {
        tranche: ts[0].id,
        amount,
        paid_on: d("2026-10-11"),
        channel: PaymentChannel::Mobile,
        reference: "MBank 123",
        reverses: None,
        idempotency_key: key,
        recorded_by: Some(w.coordinator),
    };
    let p1 = g::insert_payment(&mut c, &pay(1_000_000, "k1"))
        .await
        .unwrap();
    // The same submission again is refused.
    let twice = g::insert_payment(&mut c, &pay(1_000_000, "k1"))
        .await
        .unwrap_err();
    assert!(
        matches!(twice, StoreError::Conflict("grant_payments.idempotency")),
        "{twice:?}"
    );
    // Past the tranche's amount is refused.
    let over = g::insert_payment(&mut c, &pay(1_000_001, "k2"))
        .await
        .unwrap_err();
    assert!(matches!(over, StoreError::Conflict("grant_payments.over")));
    // A correction is a reversal row; the original stays.
    g::insert_payment(
        &mut c,
        &NewPayment {
            reverses: Some(p1),
            ..pay(-1_000_000, "k3")
        },
    )
    .await
    .unwrap();
    g::insert_payment(&mut c, &pay(2_000_000, "k4"))
        .await
        .unwrap();
    assert!(
        g::ledger_problems(&mut c, Some(w.call))
            .await
            .unwrap()
            .is_empty()
    );
    let award_row = g::get_award(&mut c, award).await.unwrap().unwrap();
    assert_eq!(award_row.paid, 2_000_000);
    assert_eq!(g::payments_of_award(&mut c, award).await.unwrap().len(), 3);
    // Once paid, the plan cannot change.
    let mut tx = s.begin().await.unwrap();
    let locked = g::replace_tranches(
        &mut tx,
        award,
        &[TranchePlan {
            amount: 3_500_000,
            condition: String::new(),
            due_on: None,
        }],
    )
    .await
    .unwrap_err();
    assert!(matches!(
        locked,
        StoreError::Conflict("grant_tranches.paid")
    ));
    drop(tx);
    // The ledger refuses changes at the database level.
    assert!(
        sqlx::query("UPDATE grant_payments SET amount = 1")
            .execute(&mut *c)
            .await
            .is_err()
    );
    assert!(
        sqlx::query("DELETE FROM grant_payments")
            .execute(&mut *c)
            .await
            .is_err()
    );
    // Impact totals: one award decided in October, partly paid; a venture for it.
    g::insert_venture(
        &mut c,
        w.lab,
        Some(award),
        "Тигүү цехи",
        domain::grants::VentureKind::JointInitiative,
        Category::Sewing,
        &[w.women[0], w.women[1]],
    )
    .await
    .unwrap();
    drop(c);
    let t = g::award_totals(&s, Some(&w.lab), d("2026-10-01"), d("2026-10-31"))
        .await
        .unwrap();
    assert_eq!(
        t,
        g::AwardTotals {
            awards: 1,
            awarded: 3_500_000,
            paid: 2_000_000,
            ventures: 1,
            joint_initiatives: 1,
        }
    );
    let none = g::award_totals(&s, None, d("2026-11-01"), d("2026-11-30"))
        .await
        .unwrap();
    assert_eq!(none, g::AwardTotals::default());
    let _ = b;
}

async fn reviews_are_final_once_submitted(s: Store) {
    let w = world(&s, 1).await;
    let a = submitted(&s, &w, w.women[0], 2_000_000).await;
    let mut c = s.conn().await.unwrap();
    let reviewer = users::insert(&mut c, "rev@t.kg", "Эксперт", "x", false, None)
        .await
        .unwrap();
    assert!(
        g::add_reviewer(&mut c, w.call, reviewer, None)
            .await
            .unwrap()
    );
    assert!(
        !g::add_reviewer(&mut c, w.call, reviewer, None)
            .await
            .unwrap()
    );
    let crit = g::criteria(&mut c, w.call).await.unwrap();
    g::save_review(
        &mut c,
        a,
        reviewer,
        "",
        &[(crit[0].id, 5, "".into())],
        false,
    )
    .await
    .unwrap();
    assert!(g::reviews(&mut c, a, true).await.unwrap().is_empty());
    g::save_review(
        &mut c,
        a,
        reviewer,
        "Жакшы",
        &[(crit[0].id, 8, "ok".into())],
        true,
    )
    .await
    .unwrap();
    let again = g::save_review(&mut c, a, reviewer, "", &[(crit[0].id, 1, "".into())], true)
        .await
        .unwrap_err();
    assert!(matches!(
        again,
        StoreError::Conflict("grant_reviews.submitted")
    ));
    let rs = g::reviews(&mut c, a, true).await.unwrap();
    assert_eq!(rs[0].points(&crit[0].id), Some(8));
    assert!(
        g::declare_conflict(&mut c, reviewer, a, "кошунам")
            .await
            .unwrap()
    );
    assert!(g::has_conflict(&mut c, reviewer, a).await.unwrap());
}

/// Attachments are bytes; `db copy` carries them between backends unchanged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_survive_db_copy() {
    let a = TestDb::sqlite().await;
    let Some(pg) = TestDb::postgres().await else {
        return;
    };
    let b = TestDb::sqlite().await;
    let w = world(&a.store, 1).await;
    let app = submitted(&a.store, &w, w.women[0], 2_000_000).await;
    let bytes: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
    let mut c = a.store.conn().await.unwrap();
    let id = g::insert_attachment(&mut c, app, "quote.pdf", "application/pdf", &bytes, None)
        .await
        .unwrap();
    drop(c);
    copy::copy(&a.store, &pg.store).await.unwrap();
    copy::copy(&pg.store, &b.store).await.unwrap();
    let mut pc = pg.store.conn().await.unwrap();
    assert_eq!(g::attachment(&mut pc, id).await.unwrap().unwrap().1, bytes);
    let mut bc = b.store.conn().await.unwrap();
    let (meta, back) = g::attachment(&mut bc, id).await.unwrap().unwrap();
    assert_eq!(back, bytes);
    assert_eq!(meta.size, 5000);
}
