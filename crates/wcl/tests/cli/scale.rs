//! A network of national size (issue 14): the impact figures kept between requests are always
//! those computed afresh from the records, before and after the records change, for the admin's
//! exact view and the public's, on both backends.
use super::wcl;
use domain::impact::{OutcomeKind, OutcomeSource};
use domain::{Actor, LabId, PersonId};
use store::Store;
use store::testing::TestDb;
use web::services::impact::{self as svc, CutInput};

use analytics::indicators::Figure;

type Row = (&'static str, Figure, bool);

/// The figures as the API serves them (kept, or computed and kept).
async fn served(store: &Store, actor: &Actor, cut: &CutInput) -> Vec<Row> {
    let (_, _, list) = svc::indicators_for(store, actor, cut).await.unwrap();
    list.into_iter()
        .map(|s| (s.ind.code, s.fig, s.suppressed))
        .collect()
}

/// A public page's series, funnel and targets reached, as served (kept) and computed afresh from
/// the whole network's facts.
async fn page_both_ways(store: &Store, slug: Option<&str>) -> [Vec<String>; 2] {
    let (_, fig) = svc::public_impact(store, slug).await.unwrap();
    let facts = svc::facts(store, &fig.scope, true).await.unwrap();
    let cut = fig.scope.cut();
    let targets = svc::targets(store, &facts, &fig.scope).await.unwrap();
    let show = |monthly: &[(String, Figure)],
                funnel: &[(&'static str, Figure)],
                targets: &[svc::TargetProgress]| {
        let mut out: Vec<String> = monthly.iter().map(|x| format!("{x:?}")).collect();
        out.extend(funnel.iter().map(|x| format!("{x:?}")));
        out.extend(
            targets
                .iter()
                .map(|t| format!("{} {:?} {:?}", t.target.indicator, t.target.id, t.figure)),
        );
        out
    };
    [
        show(&fig.monthly, &fig.funnel, &fig.targets),
        show(
            &analytics::indicators::monthly(&facts, &cut, "events-held"),
            &analytics::indicators::funnel(&facts, &cut),
            &targets,
        ),
    ]
}

/// The same figures computed from the records now, as before figures were kept.
async fn afresh(store: &Store, actor: &Actor, cut: &CutInput) -> Vec<Row> {
    let mut scope = svc::resolve(store, cut).await.unwrap();
    let exact = svc::sees_exact(actor, &scope);
    if !exact {
        svc::public_period(&mut scope);
    }
    let facts = svc::facts(store, &scope, !exact).await.unwrap();
    svc::indicators(&facts, &scope, !exact)
        .shown
        .into_iter()
        .map(|s| (s.ind.code, s.fig, s.suppressed))
        .collect()
}

async fn kept_figures_follow_the_records(url: &str, store: &Store) {
    let (ok, out) = wcl(
        url,
        &["demo", "--labs", "3", "--people", "600", "--seed", "11"],
    );
    assert!(ok, "{out}");
    let admin = Actor {
        user_id: Some(domain::UserId::new()),
        admin: true,
        ..Actor::default()
    };
    // Each lab's part of the facts gives its figures as the whole facts do (the public pages and
    // the network's dashboard compute every lab's figures from its part).
    {
        let mut c = store.conn().await.unwrap();
        let facts = store::impact::facts(&mut c, &domain::LabScope::All)
            .await
            .unwrap();
        let parts = facts.by_lab();
        let codes: Vec<&'static str> = domain::impact::INDICATORS.iter().map(|i| i.code).collect();
        let (from, to) = svc::default_period();
        assert!(parts.len() >= 6, "{}", parts.len());
        for (lab, part) in &parts {
            let cut = analytics::indicators::Cut {
                labs: Some([lab.clone()].into()),
                cohort: None,
                from,
                to,
            };
            assert_eq!(
                analytics::indicators::figures(part, &cut, &codes),
                analytics::indicators::figures(&facts, &cut, &codes),
                "lab {lab}"
            );
            // Its series and funnel too (a lab's public page draws them from its part).
            for code in [
                "events-held",
                "women-reached",
                "women-earning",
                "attendance",
            ] {
                assert_eq!(
                    analytics::indicators::monthly(part, &cut, code),
                    analytics::indicators::monthly(&facts, &cut, code),
                    "lab {lab}, {code}"
                );
            }
            assert_eq!(
                analytics::indicators::funnel(part, &cut),
                analytics::indicators::funnel(&facts, &cut),
                "lab {lab}"
            );
        }
    }
    // Each public page's series, funnel and targets: as computed afresh from the whole facts.
    for slug in [None, Some("net-0001"), Some("net-0002"), Some("net-0003")] {
        let [served, fresh] = page_both_ways(store, slug).await;
        assert!(!served.is_empty());
        assert_eq!(served, fresh, "{slug:?}");
    }
    let public = Actor::anonymous();
    let network = CutInput::default();
    let lab = CutInput {
        lab: "net-0002".into(),
        ..CutInput::default()
    };
    let mut before = vec![];
    for (who, cut) in [
        (&admin, &network),
        (&admin, &lab),
        (&public, &network),
        (&public, &lab),
    ] {
        let first = served(store, who, cut).await;
        assert_eq!(first, afresh(store, who, cut).await);
        // Asked again: from what was kept, the same.
        assert_eq!(served(store, who, cut).await, first);
        before.push(first);
    }
    // Ten women of net-0002 find work: every view that counts them moves at once.
    let (lab_id, people): (String, Vec<String>) = {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT l.id, p.id FROM people p JOIN labs l ON l.id = p.lab_id WHERE l.slug = 'net-0002' ORDER BY p.id LIMIT 10",
        )
        .fetch_all(store.pool())
        .await
        .unwrap();
        (rows[0].0.clone(), rows.into_iter().map(|r| r.1).collect())
    };
    let lab_id: LabId = lab_id.parse().unwrap();
    let mut c = store.conn().await.unwrap();
    let day = chrono::Utc::now().date_naive() - chrono::Duration::days(10);
    for p in &people {
        let person: PersonId = p.parse().unwrap();
        store::impact::insert_outcome(
            &mut c,
            &store::impact::NewOutcome {
                person_id: person,
                lab_id,
                kind: OutcomeKind::Job,
                occurred_on: day,
                amount: None,
                source: OutcomeSource::Verified,
                note: "",
            },
            None,
        )
        .await
        .unwrap();
    }
    drop(c);
    for (k, (who, cut)) in [
        (&admin, &network),
        (&admin, &lab),
        (&public, &network),
        (&public, &lab),
    ]
    .into_iter()
    .enumerate()
    {
        let now = served(store, who, cut).await;
        assert_eq!(now, afresh(store, who, cut).await, "view {k}");
        assert_ne!(now, before[k], "view {k} moved with the new outcomes");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kept_figures_are_those_of_the_records_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/wcl.db", dir.path().display());
    let store = Store::open(&url).await.unwrap();
    kept_figures_follow_the_records(&url, &store).await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kept_figures_are_those_of_the_records_on_postgres() {
    let Some(pg) = TestDb::postgres_unmigrated().await else {
        return;
    };
    kept_figures_follow_the_records(&pg.url, &pg.store).await;
    pg.store.close().await;
}
