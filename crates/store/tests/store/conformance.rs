//! One suite, run against SQLite and PostgreSQL: the store must behave the same on both.
use chrono::NaiveDate;
use domain::{LabScope, OrgKind, PartnerRole, ResidencyStatus, UserId};
use store::testing::TestDb;
use store::{Store, StoreError, audit, copy, labs, people, residency, sessions, users};

on_both_backends!(
    labs_and_partners,
    people_search_is_forgiving_and_scoped,
    duplicates_are_found_by_phone_and_name,
    confusable_names_are_duplicates_and_old_keys_are_refreshed,
    residency_moves_forward_once,
    consent_can_be_withdrawn_once,
    audit_log_is_append_only,
    accounts_grants_and_tokens,
    sessions_expire,
    concurrent_read_then_write_transactions_all_succeed,
    missing_then_present_coordinates,
    people_search_is_served_by_its_index,
);

fn osh() -> labs::NewLab {
    labs::NewLab {
        slug: "osh".into(),
        name_ky: "Акылжан".into(),
        name_ru: "Акылжан".into(),
        name_en: "Akylzhan".into(),
        region: "osh-city".into(),
        locality: "Ош".into(),
        address: "".into(),
        latitude: Some(40.5283),
        longitude: Some(72.7985),
        hours: "09:00–18:00".into(),
        opened_on: NaiveDate::from_ymd_opt(2022, 3, 1),
    }
}

fn lab_named(slug: &str) -> labs::NewLab {
    labs::NewLab {
        slug: slug.into(),
        ..osh()
    }
}

fn woman(
    family: &str,
    given: &str,
    phone: Option<&str>,
    year: Option<i32>,
) -> people::PersonFields {
    people::PersonFields {
        family_name: family.into(),
        given_name: given.into(),
        name_latin: domain::names::transliterate(&format!("{family} {given}")),
        phone: phone.map(|p| domain::Phone::parse(p).unwrap().as_str().to_string()),
        birth_year: year,
        gender: "woman".into(),
        family_support: "yes".into(),
        languages: vec!["ky".into(), "ru".into()],
        skills: vec!["sewing".into()],
        ..Default::default()
    }
}

/// One connection inserts a lab without coordinates, then one with them: the statement the first
/// prepared must take the second's numbers (sqlx 0.9 sent a missing f64 to PostgreSQL as float4).
async fn missing_then_present_coordinates(s: Store) {
    let mut c = s.conn().await.unwrap();
    let bare = labs::NewLab {
        latitude: None,
        longitude: None,
        ..lab_named("bare")
    };
    labs::insert_lab(&mut c, &bare).await.unwrap();
    labs::insert_lab(&mut c, &lab_named("placed"))
        .await
        .unwrap();
    let placed = labs::lab_by_slug(&mut c, "placed").await.unwrap().unwrap();
    assert_eq!(placed.latitude, Some(40.5283));
    let bare = labs::lab_by_slug(&mut c, "bare").await.unwrap().unwrap();
    assert_eq!(bare.latitude, None);
}

async fn labs_and_partners(s: Store) {
    let mut c = s.conn().await.unwrap();
    let id = labs::insert_lab(&mut c, &osh()).await.unwrap();
    let again = labs::insert_lab(&mut c, &osh()).await.unwrap_err();
    assert!(
        matches!(again, StoreError::Conflict("labs.slug")),
        "{again:?}"
    );
    let lab = labs::lab_by_slug(&mut c, "osh").await.unwrap().unwrap();
    assert_eq!(lab.id, id);
    assert_eq!(lab.latitude, Some(40.5283));
    assert!(lab.accepting_applications);
    assert_eq!(lab.opened_on, NaiveDate::from_ymd_opt(2022, 3, 1));
    assert!(labs::lab_by_slug(&mut c, "naryn").await.unwrap().is_none());

    let org = labs::insert_org(&mut c, "Мэрия города Ош", OrgKind::LocalAdministration, "")
        .await
        .unwrap();
    labs::add_partner(&mut c, id, org, PartnerRole::FacilityProvider)
        .await
        .unwrap();
    labs::add_partner(&mut c, id, org, PartnerRole::CommunityPartner)
        .await
        .unwrap();
    let dup = labs::add_partner(&mut c, id, org, PartnerRole::FacilityProvider)
        .await
        .unwrap_err();
    assert!(matches!(dup, StoreError::Conflict(_)));
    assert_eq!(labs::partners(&mut c, id).await.unwrap().len(), 2);
    assert!(
        labs::remove_partner(&mut c, id, org, PartnerRole::CommunityPartner)
            .await
            .unwrap()
    );
    assert!(
        !labs::remove_partner(&mut c, id, org, PartnerRole::CommunityPartner)
            .await
            .unwrap()
    );
    assert_eq!(
        labs::partners(&mut c, id).await.unwrap()[0].role,
        PartnerRole::FacilityProvider
    );
}

async fn people_search_is_forgiving_and_scoped(s: Store) {
    let mut c = s.conn().await.unwrap();
    let osh = labs::insert_lab(&mut c, &osh()).await.unwrap();
    let batken = labs::insert_lab(&mut c, &lab_named("batken"))
        .await
        .unwrap();
    let aizhan = people::insert(
        &mut c,
        osh,
        &woman("Токтогулова", "Айжан", Some("0555 123 456"), Some(1994)),
        None,
    )
    .await
    .unwrap();
    people::insert(
        &mut c,
        osh,
        &woman("Өмүрбекова", "Гүлнара", None, Some(1988)),
        None,
    )
    .await
    .unwrap();
    let other = people::insert(
        &mut c,
        batken,
        &woman("Токтогулова", "Айгүл", None, None),
        None,
    )
    .await
    .unwrap();

    let only_osh = LabScope::Only(vec![osh]);
    let find = |q: &str| people::Search {
        text: q.into(),
        ..Default::default()
    };
    for q in [
        "Aizhan",
        "aijan toktogulova",
        "TOKTOGULOVA  ayzhan",
        "Айжан",
        "0555 12",
    ] {
        let found = people::search(&mut c, &only_osh, &find(q)).await.unwrap();
        assert_eq!(
            found.iter().map(|p| p.id).collect::<Vec<_>>(),
            vec![aizhan],
            "query {q}"
        );
    }
    let g = people::search(&mut c, &only_osh, &find("gulnara omurbekova"))
        .await
        .unwrap();
    assert_eq!(g.len(), 1);
    // Batken's Aigul shares the family name but is outside the scope.
    let all_t = people::search(&mut c, &only_osh, &find("Toktogulova"))
        .await
        .unwrap();
    assert_eq!(all_t.len(), 1);
    let everyone = people::search(&mut c, &LabScope::All, &find("Toktogulova"))
        .await
        .unwrap();
    assert_eq!(everyone.len(), 2);
    assert!(
        people::get_scoped(&mut c, &only_osh, other)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        people::get_scoped(&mut c, &LabScope::Only(vec![]), aizhan)
            .await
            .unwrap()
            .is_none()
    );
    let p = people::get_scoped(&mut c, &only_osh, aizhan)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p.phone.as_deref(), Some("+996555123456"));
    assert_eq!(p.languages, vec!["ky", "ru"]);
    assert_eq!(p.birth_year, Some(1994));

    // An edit outside the scope changes nothing.
    let mut f = woman("Токтогулова", "Айгүл", Some("0700 111 222"), None);
    assert!(!people::update(&mut c, &only_osh, other, &f).await.unwrap());
    f.aims = "Open a sewing workshop".into();
    assert!(
        people::update(&mut c, &LabScope::Only(vec![batken]), other, &f)
            .await
            .unwrap()
    );
    let found = people::search(&mut c, &LabScope::All, &find("0700111222"))
        .await
        .unwrap();
    assert_eq!(found[0].aims, "Open a sewing workshop");
}

/// A word of the query is looked up in the trigram index of the search keys (FTS5 on SQLite,
/// pg_trgm on PostgreSQL), which follows every edit of a name.
async fn people_search_is_served_by_its_index(s: Store) {
    let mut c = s.conn().await.unwrap();
    let osh = labs::insert_lab(&mut c, &osh()).await.unwrap();
    let scope = LabScope::Only(vec![osh]);
    let find = |q: &str| people::Search {
        text: q.into(),
        ..Default::default()
    };
    let aizhan = people::insert(
        &mut c,
        osh,
        &woman("Токтогулова", "Айжан", None, None),
        None,
    )
    .await
    .unwrap();
    let ids = |found: Vec<people::Person>| found.iter().map(|p| p.id).collect::<Vec<_>>();
    // Inside a name, any spelling.
    for q in ["togul", "TOKTOG", "ogulov aizh"] {
        let found = people::search(&mut c, &scope, &find(q)).await.unwrap();
        assert_eq!(ids(found), vec![aizhan], "{q}");
    }
    // Renamed: found by the new name only.
    let mut renamed = woman("Сыдыкова", "Айжан", None, None);
    renamed.aims = "weaving".into();
    assert!(
        people::update(&mut c, &scope, aizhan, &renamed)
            .await
            .unwrap()
    );
    assert!(
        people::search(&mut c, &scope, &find("togul"))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        ids(people::search(&mut c, &scope, &find("sydyk"))
            .await
            .unwrap()),
        vec![aizhan]
    );
    if c.backend_name().eq_ignore_ascii_case("sqlite") {
        // The index is what answers: without her row there, a long word misses her and a short
        // one (looked for in the keys themselves) still finds her.
        sqlx::query("DELETE FROM people_search WHERE person_id = $1")
            .bind(aizhan.to_string())
            .execute(&mut *c)
            .await
            .unwrap();
        assert!(
            people::search(&mut c, &scope, &find("sydyk"))
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            ids(people::search(&mut c, &scope, &find("sy")).await.unwrap()),
            vec![aizhan]
        );
    } else {
        sqlx::query("SET enable_seqscan = off")
            .execute(&mut *c)
            .await
            .unwrap();
        let plan: Vec<String> =
            sqlx::query_scalar("EXPLAIN SELECT id FROM people WHERE search_key LIKE '%sydyk%'")
                .fetch_all(&mut *c)
                .await
                .unwrap();
        assert!(
            plan.iter().any(|l| l.contains("people_search_key_trgm")),
            "{plan:?}"
        );
        sqlx::query("RESET enable_seqscan")
            .execute(&mut *c)
            .await
            .unwrap();
    }
}

async fn duplicates_are_found_by_phone_and_name(s: Store) {
    let mut c = s.conn().await.unwrap();
    let osh = labs::insert_lab(&mut c, &osh()).await.unwrap();
    let scope = LabScope::Only(vec![osh]);
    let id = people::insert(
        &mut c,
        osh,
        &woman("Токтогулова", "Айжан", Some("0555123456"), Some(1994)),
        None,
    )
    .await
    .unwrap();
    let by_phone = people::likely_duplicates(
        &mut c,
        &scope,
        &woman("Other", "Name", Some("+996 555 123 456"), None),
    )
    .await
    .unwrap();
    assert_eq!(by_phone.len(), 1);
    let by_name = people::likely_duplicates(
        &mut c,
        &scope,
        &woman("Toktogulova", "Aizhan", None, Some(1995)),
    )
    .await
    .unwrap();
    assert_eq!(by_name[0].id, id);
    let swapped =
        people::likely_duplicates(&mut c, &scope, &woman("Aijan", "Toktogulova", None, None))
            .await
            .unwrap();
    assert_eq!(swapped.len(), 1);
    let far_year = people::likely_duplicates(
        &mut c,
        &scope,
        &woman("Токтогулова", "Айжан", None, Some(1970)),
    )
    .await
    .unwrap();
    assert!(far_year.is_empty());
    let other_name = people::likely_duplicates(
        &mut c,
        &scope,
        &woman("Токтогулова", "Айгүл", None, Some(1994)),
    )
    .await
    .unwrap();
    assert!(other_name.is_empty());
}

async fn confusable_names_are_duplicates_and_old_keys_are_refreshed(s: Store) {
    let mut c = s.conn().await.unwrap();
    let osh = labs::insert_lab(&mut c, &osh()).await.unwrap();
    let scope = LabScope::Only(vec![osh]);
    let id = people::insert(&mut c, osh, &woman("Асанова", "Айгүл", None, None), None)
        .await
        .unwrap();
    for spelling in ["Айгұл", "Айгyл"] {
        let d = people::likely_duplicates(&mut c, &scope, &woman("Асанова", spelling, None, None))
            .await
            .unwrap();
        assert_eq!(d.len(), 1, "{spelling}");
        assert_eq!(d[0].id, id);
    }
    // A row keyed by an older version (before confusables were folded) is re-keyed at start.
    let other = people::insert(&mut c, osh, &woman("Исакова", "Айгұл", None, None), None)
        .await
        .unwrap();
    sqlx::query("UPDATE people SET search_key = 'isakova aigұl' WHERE id = $1")
        .bind(other.to_string())
        .execute(&mut *c)
        .await
        .unwrap();
    drop(c);
    s.migrate().await.unwrap();
    let mut c = s.conn().await.unwrap();
    let found = people::search(
        &mut c,
        &scope,
        &people::Search {
            lab: None,
            text: "Исакова Айгүл".into(),
            limit: 10,
            offset: 0,
        },
    )
    .await
    .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, other);
}

async fn residency_moves_forward_once(s: Store) {
    let mut c = s.conn().await.unwrap();
    let osh = labs::insert_lab(&mut c, &osh()).await.unwrap();
    let p = people::insert(&mut c, osh, &woman("Асанова", "Бурул", None, None), None)
        .await
        .unwrap();
    let cohort = residency::insert_cohort(
        &mut c,
        osh,
        "2026 осень",
        NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
        NaiveDate::from_ymd_opt(2026, 12, 20).unwrap(),
    )
    .await
    .unwrap();
    let dup =
        residency::insert_cohort(&mut c, osh, "2026 осень", NaiveDate::MIN, NaiveDate::MAX).await;
    assert!(matches!(dup, Err(StoreError::Conflict("cohorts.name"))));

    let r = residency::open(
        &mut c,
        p,
        osh,
        ResidencyStatus::Applied,
        "I sew",
        "self",
        None,
    )
    .await
    .unwrap();
    let second = residency::open(&mut c, p, osh, ResidencyStatus::Applied, "", "self", None).await;
    assert!(
        matches!(second, Err(StoreError::Conflict("residencies.open"))),
        "{second:?}"
    );

    assert!(
        residency::transition(
            &mut c,
            r,
            ResidencyStatus::Applied,
            ResidencyStatus::Accepted,
            None,
            ""
        )
        .await
        .unwrap()
    );
    // A second click on the same button finds the status already moved.
    assert!(
        !residency::transition(
            &mut c,
            r,
            ResidencyStatus::Applied,
            ResidencyStatus::Accepted,
            None,
            ""
        )
        .await
        .unwrap()
    );
    residency::set_cohort(&mut c, r, Some(cohort))
        .await
        .unwrap();
    assert!(
        residency::transition(
            &mut c,
            r,
            ResidencyStatus::Accepted,
            ResidencyStatus::Active,
            None,
            ""
        )
        .await
        .unwrap()
    );

    let got = residency::get_scoped(&mut c, &LabScope::Only(vec![osh]), r)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.status, ResidencyStatus::Active);
    assert_eq!(got.cohort_name.as_deref(), Some("2026 осень"));
    assert!(
        residency::get_scoped(&mut c, &LabScope::Only(vec![]), r)
            .await
            .unwrap()
            .is_none()
    );
    let history = residency::transitions(&mut c, r).await.unwrap();
    let steps: Vec<_> = history.iter().map(|t| (t.from, t.to)).collect();
    assert_eq!(
        steps,
        vec![
            (None, ResidencyStatus::Applied),
            (Some(ResidencyStatus::Applied), ResidencyStatus::Accepted),
            (Some(ResidencyStatus::Accepted), ResidencyStatus::Active),
        ]
    );
    let rows = residency::of_lab(&mut c, osh, Some(ResidencyStatus::Active))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].person_name, "Асанова Бурул");
    assert!(
        residency::of_lab(&mut c, osh, Some(ResidencyStatus::Applied))
            .await
            .unwrap()
            .is_empty()
    );
    let counts = residency::counts(&mut c, osh).await.unwrap();
    assert!(counts.contains(&(ResidencyStatus::Active, 1)));

    // After she graduates she may apply again.
    assert!(
        residency::transition(
            &mut c,
            r,
            ResidencyStatus::Active,
            ResidencyStatus::Graduated,
            None,
            ""
        )
        .await
        .unwrap()
    );
    residency::open(&mut c, p, osh, ResidencyStatus::Applied, "", "self", None)
        .await
        .unwrap();
    assert_eq!(residency::of_person(&mut c, p).await.unwrap().len(), 2);
}

async fn consent_can_be_withdrawn_once(s: Store) {
    let mut c = s.conn().await.unwrap();
    let osh = labs::insert_lab(&mut c, &osh()).await.unwrap();
    let p = people::insert(&mut c, osh, &woman("Асанова", "Бурул", None, None), None)
        .await
        .unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let k = people::add_consent(&mut c, p, "2026-1", "consent", "ky", day, None)
        .await
        .unwrap();
    let list = people::consents(&mut c, p).await.unwrap();
    assert_eq!((list[0].given_on, list[0].withdrawn_at), (day, None));
    assert!(people::withdraw_consent(&mut c, p, k, None).await.unwrap());
    assert!(!people::withdraw_consent(&mut c, p, k, None).await.unwrap());
    assert!(
        people::consents(&mut c, p).await.unwrap()[0]
            .withdrawn_at
            .is_some()
    );
}

async fn audit_log_is_append_only(s: Store) {
    let mut c = s.conn().await.unwrap();
    let entry = || audit::Entry {
        actor: None,
        action: "person.read",
        entity: "person",
        entity_id: Some("x".into()),
        lab: None,
        detail: String::new(),
    };
    audit::record(&mut c, entry()).await.unwrap();
    audit::record(&mut c, entry()).await.unwrap();
    let rows = audit::recent(&mut c, Some(("person", "x")), 10)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows[0].id > rows[1].id);
    let upd = sqlx::query("UPDATE audit_log SET action = 'forged'")
        .execute(&mut *c)
        .await;
    assert!(upd.unwrap_err().to_string().contains("append-only"));
    let del = sqlx::query("DELETE FROM audit_log").execute(&mut *c).await;
    assert!(del.unwrap_err().to_string().contains("append-only"));
    assert_eq!(audit::recent(&mut c, None, 10).await.unwrap().len(), 2);
}

async fn accounts_grants_and_tokens(s: Store) {
    let mut c = s.conn().await.unwrap();
    let osh = labs::insert_lab(&mut c, &osh()).await.unwrap();
    let u = users::insert(&mut c, " Aida@Example.KG ", "Аида", "hash", false, None)
        .await
        .unwrap();
    let dup = users::insert(&mut c, "aida@example.kg", "x", "h", false, None).await;
    assert!(matches!(dup, Err(StoreError::Conflict("users.login"))));
    let user = users::by_login(&mut c, "AIDA@example.kg")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.id, u);
    users::grant(&mut c, u, osh, domain::LabRole::Coordinator)
        .await
        .unwrap();
    users::grant(&mut c, u, osh, domain::LabRole::Coordinator)
        .await
        .unwrap();
    let actor = users::actor(&mut c, &user).await.unwrap();
    assert_eq!(actor.grants, vec![(osh, domain::LabRole::Coordinator)]);
    assert_eq!(users::staff_of_lab(&mut c, osh).await.unwrap().len(), 1);

    users::insert_token(&mut c, u, "tokhash").await.unwrap();
    assert_eq!(
        users::user_by_token(&mut c, "tokhash")
            .await
            .unwrap()
            .unwrap()
            .id,
        u
    );
    assert!(
        users::user_by_token(&mut c, "other")
            .await
            .unwrap()
            .is_none()
    );
    assert!(users::revoke_token(&mut c, "tokhash").await.unwrap());
    assert!(
        users::user_by_token(&mut c, "tokhash")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        users::tokens_of(&mut c, u).await.unwrap()[0]
            .revoked_at
            .is_some()
    );
    assert!(
        users::revoke(&mut c, u, osh, domain::LabRole::Coordinator)
            .await
            .unwrap()
    );
    assert!(users::by_id(&mut c, UserId::new()).await.unwrap().is_none());
}

async fn sessions_expire(s: Store) {
    let mut c = s.conn().await.unwrap();
    assert!(sessions::create(&mut c, "a", "{}", 100).await.unwrap());
    assert!(!sessions::create(&mut c, "a", "{}", 100).await.unwrap());
    assert_eq!(
        sessions::load(&mut c, "a", 50).await.unwrap(),
        Some(("{}".to_string(), 100))
    );
    assert_eq!(sessions::load(&mut c, "a", 150).await.unwrap(), None);
    sessions::save(&mut c, "a", "{\"x\":1}", 200).await.unwrap();
    assert_eq!(
        sessions::load(&mut c, "a", 150).await.unwrap(),
        Some(("{\"x\":1}".to_string(), 200))
    );
    assert_eq!(sessions::delete_expired(&mut c, 300).await.unwrap(), 1);
}

/// The two migration trees must describe the same tables and columns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemas_match_across_backends() {
    let lite = TestDb::sqlite().await;
    let Some(pg) = TestDb::postgres().await else {
        return;
    };
    let mut lc = lite.store.conn().await.unwrap();
    let mut pc = pg.store.conn().await.unwrap();
    let lt = copy::tables(&lite.store, &mut lc).await.unwrap();
    let pt = copy::tables(&pg.store, &mut pc).await.unwrap();
    assert_eq!(lt, pt);
    let mut listed: Vec<String> = copy::TABLES.iter().map(|t| t.to_string()).collect();
    // Sessions are not moved (people sign in again), and each database counts its own changes.
    listed.push("sessions".into());
    listed.push("record_versions".into());
    listed.sort();
    assert_eq!(
        lt, listed,
        "copy::TABLES must name every table but sessions and record_versions"
    );
    for t in &lt {
        let mut a = copy::columns(&lite.store, &mut lc, t).await.unwrap();
        let mut b = copy::columns(&pg.store, &mut pc, t).await.unwrap();
        a.sort();
        b.sort();
        assert_eq!(a, b, "table {t}");
    }
}

/// A row PostgreSQL cannot hold (a NUL kept by an older SQLite database) is named with its
/// table, id and the error, and nothing is copied.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn db_copy_names_a_row_it_cannot_move() {
    let a = TestDb::sqlite().await;
    let Some(pg) = TestDb::postgres().await else {
        return;
    };
    let mut c = a.store.conn().await.unwrap();
    let osh = labs::insert_lab(&mut c, &osh()).await.unwrap();
    let mut w = woman("Токтогулова", "Айжан", None, Some(1994));
    w.aims = "sew\0ing".into();
    let p = people::insert(&mut c, osh, &w, None).await.unwrap();
    drop(c);
    let err = copy::copy(&a.store, &pg.store).await.unwrap_err();
    match &err {
        StoreError::CopyRow { table, id, error } => {
            assert_eq!(table, "people");
            assert_eq!(id, &p.to_string());
            assert!(!error.is_empty());
        }
        other => panic!("expected the row to be named, got {other}"),
    }
    assert!(err.to_string().contains(&p.to_string()));
    // Nothing was copied: the target can still take a copy.
    assert_eq!(
        copy::counts(&pg.store)
            .await
            .unwrap()
            .iter()
            .map(|(_, n)| n)
            .sum::<i64>(),
        0
    );
}

/// SQLite → PostgreSQL → SQLite loses nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn db_copy_round_trips() {
    let a = TestDb::sqlite().await;
    let Some(pg) = TestDb::postgres().await else {
        return;
    };
    let b = TestDb::sqlite().await;
    let mut c = a.store.conn().await.unwrap();
    let osh = labs::insert_lab(&mut c, &osh()).await.unwrap();
    let p = people::insert(
        &mut c,
        osh,
        &woman("Токтогулова", "Айжан", Some("0555123456"), Some(1994)),
        None,
    )
    .await
    .unwrap();
    residency::open(&mut c, p, osh, ResidencyStatus::Applied, "", "self", None)
        .await
        .unwrap();
    audit::record(
        &mut c,
        audit::Entry {
            actor: None,
            action: "x",
            entity: "y",
            entity_id: None,
            lab: None,
            detail: String::new(),
        },
    )
    .await
    .unwrap();
    drop(c);
    copy::copy(&a.store, &pg.store).await.unwrap();
    copy::copy(&pg.store, &b.store).await.unwrap();
    assert_eq!(
        copy::counts(&a.store).await.unwrap(),
        copy::counts(&b.store).await.unwrap()
    );
    let mut bc = b.store.conn().await.unwrap();
    let mut ac = a.store.conn().await.unwrap();
    assert_eq!(
        people::get_scoped(&mut ac, &LabScope::All, p)
            .await
            .unwrap(),
        people::get_scoped(&mut bc, &LabScope::All, p)
            .await
            .unwrap()
    );
    // The target's audit sequence continues after the copied rows.
    let mut pc = pg.store.conn().await.unwrap();
    audit::record(
        &mut pc,
        audit::Entry {
            actor: None,
            action: "z",
            entity: "y",
            entity_id: None,
            lab: None,
            detail: String::new(),
        },
    )
    .await
    .unwrap();
    // And a second copy into a full database is refused.
    assert!(copy::copy(&a.store, &pg.store).await.is_err());
}

/// Services read then write in one transaction; many at once must all succeed (SQLite: no
/// "database is locked" from lock upgrades).
async fn concurrent_read_then_write_transactions_all_succeed(s: Store) {
    let mut tasks = vec![];
    for i in 0..12 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = s.begin().await?;
            let n = labs::list_labs(&mut tx).await?.len();
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            labs::insert_lab(&mut tx, &lab_named(&format!("lab-{i}-{n}"))).await?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let mut c = s.conn().await.unwrap();
    assert_eq!(labs::list_labs(&mut c).await.unwrap().len(), 12);
}
