//! The binary as a user runs it: demo data, accounts, backup, db copy, serve.
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use store::testing::TestDb;

/// The systemd unit in deploy/.
#[path = "cli/deploy.rs"]
mod deploy;
/// `wcl package`.
#[path = "cli/package.rs"]
mod package;
/// A network of national size: the impact figures kept between requests.
#[path = "cli/scale.rs"]
mod scale;

fn wcl(url: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_wcl"))
        .arg("--database-url")
        .arg(url)
        .args(args)
        .env("WCL_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn create_user(url: &str, args: &[&str], password: &str) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wcl"))
        .arg("--database-url")
        .arg(url)
        .args(["admin", "create-user"])
        .args(args)
        .arg("--password-stdin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(password.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn bare_paths_and_unknown_schemes_are_refused() {
    for bad in ["./data/wcl.db", "mysql://x@y/z"] {
        let (ok, out) = wcl(bad, &["migrate"]);
        assert!(!ok);
        assert!(
            out.contains("sqlite://") && out.contains("postgres://"),
            "{out}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_accounts_backup_and_copy() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/net/wcl.db", dir.path().display());
    let (ok, out) = wcl(&url, &["demo"]);
    assert!(ok, "{out}");
    assert!(
        out.contains("demo network loaded") && out.contains("coordinator.osh@wcl.kg"),
        "{out}"
    );
    let (ok, out) = wcl(&url, &["demo"]);
    assert!(ok && out.contains("already present"), "{out}");

    let (ok, out) = create_user(
        &url,
        &[
            "--login",
            "new.coord@wcl.kg",
            "--role",
            "coordinator",
            "--lab",
            "batken",
        ],
        "a-long-password\n",
    );
    assert!(ok, "{out}");
    let (ok, out) = create_user(
        &url,
        &["--login", "x@wcl.kg", "--role", "coordinator"],
        "a-long-password\n",
    );
    assert!(!ok && out.contains("--lab"), "{out}");
    let (ok, out) = create_user(&url, &["--login", "y@wcl.kg", "--role", "admin"], "short\n");
    assert!(!ok && out.contains("10 characters"), "{out}");

    let backup = dir.path().join("backup.db");
    let (ok, out) = wcl(&url, &["backup", backup.to_str().unwrap()]);
    assert!(ok, "{out}");
    let copy = TestDb::sqlite().await;
    let b = store::Store::open(&format!("sqlite://{}", backup.display()))
        .await
        .unwrap();
    let a = store::Store::open(&url).await.unwrap();
    let counts = store::copy::counts(&a).await.unwrap();
    assert_eq!(store::copy::counts(&b).await.unwrap(), counts);
    assert!(
        counts.iter().any(|(t, n)| t == "people" && *n >= 55),
        "{counts:?}"
    );
    // The space: bookings, invoices, payments; Osh pays its own way more and more.
    for t in [
        "space_resources",
        "space_bookings",
        "space_invoices",
        "space_payments",
    ] {
        assert!(
            counts.iter().any(|(x, n)| x == t && *n > 0),
            "{t}: {counts:?}"
        );
    }
    let osh = store::labs::lab_by_slug(&mut a.conn().await.unwrap(), "osh")
        .await
        .unwrap()
        .unwrap();
    let to = domain::time::today().format("%Y-%m").to_string();
    let f = web::services::space::finance_unchecked(&a, osh.id, Some("2015-01"), Some(&to))
        .await
        .unwrap();
    let ratios: Vec<i64> = f.months.iter().filter_map(|m| m.ratio_pct).collect();
    assert!(ratios.len() >= 24, "{ratios:?}");
    assert!(ratios[0] < 8, "a few per cent at first: {ratios:?}");
    let last = *ratios.last().unwrap();
    assert!((25..=45).contains(&last), "about a third now: {ratios:?}");
    let (ok, _) = wcl(&url, &["backup", backup.to_str().unwrap()]);
    assert!(!ok, "an existing backup file is not overwritten");

    // SQLite → PostgreSQL with the command, then back, nothing lost.
    if let Some(pg) = TestDb::postgres().await {
        let (ok, out) = wcl(&url, &["db", "copy", "--from", &url, "--to", &pg.url]);
        assert!(ok, "{out}");
        assert_eq!(store::copy::counts(&pg.store).await.unwrap(), counts);
        let (ok, out) = wcl(
            &pg.url,
            &["db", "copy", "--from", &pg.url, "--to", &copy.url],
        );
        assert!(ok, "{out}");
        assert_eq!(store::copy::counts(&copy.store).await.unwrap(), counts);
        let (ok, _) = wcl(&pg.url, &["db", "copy", "--from", &url, "--to", &pg.url]);
        assert!(
            !ok,
            "copying into a database that holds a network is refused"
        );
        pg.store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_seeds_postgres_too() {
    let Some(pg) = TestDb::postgres_unmigrated().await else {
        return;
    };
    let (ok, out) = wcl(&pg.url, &["demo"]);
    assert!(ok, "{out}");
    let counts = store::copy::counts(&pg.store).await.unwrap();
    assert!(
        counts.iter().any(|(t, n)| t == "labs" && *n == 3),
        "{counts:?}"
    );
    pg.store.close().await;
}

/// `wcl demo --labs --people` adds a network of that size with its history in proportion, the
/// same for a seed on either backend, once; sizes it cannot make are refused with a reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generated_network_is_in_proportion_and_the_same_for_its_seed() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/wcl.db", dir.path().display());
    for bad in [
        &["demo", "--labs", "0", "--people", "10"][..],
        &["demo", "--labs", "5", "--people", "4"],
        &["demo", "--labs", "5"],
    ] {
        let (ok, out) = wcl(&url, bad);
        assert!(
            !ok && out.contains("--labs") || out.contains("--people"),
            "{bad:?}: {out}"
        );
    }
    let args = ["demo", "--labs", "4", "--people", "400", "--seed", "7"];
    let (ok, out) = wcl(&url, &args);
    assert!(ok, "{out}");
    assert!(out.contains("generated 4 labs, 400 people"), "{out}");
    let sqlite = store::Store::open(&url).await.unwrap();
    let before = store::copy::counts(&sqlite).await.unwrap();
    let (ok, out) = wcl(&url, &args);
    assert!(ok && out.contains("already present"), "{out}");
    assert_eq!(store::copy::counts(&sqlite).await.unwrap(), before);
    let n = |t: &str| {
        before
            .iter()
            .find(|(x, _)| x == t)
            .map(|(_, n)| *n)
            .unwrap()
    };
    let generated: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM people p JOIN labs l ON l.id = p.lab_id WHERE l.slug LIKE 'net-%'",
    )
    .fetch_one(sqlite.pool())
    .await
    .unwrap();
    assert_eq!(generated, 400);
    assert_eq!(n("labs"), 3 + 4);
    // In the proportions of a national network (25 attendance rows, 5 registrations and 2.5
    // outcomes a person): generated rows dwarf the demo's.
    let per = |t: &str| n(t) as f64 / 400.0;
    assert!((15.0..35.0).contains(&per("attendance")), "{before:?}");
    assert!((3.0..8.0).contains(&per("registrations")), "{before:?}");
    assert!((1.2..4.0).contains(&per("outcomes")), "{before:?}");
    for t in [
        "residency_transitions",
        "assertions",
        "network_members",
        "mentoring_sessions",
        "events",
    ] {
        assert!(per(t) > 0.05, "{t}: {before:?}");
    }
    // Grants, surveys, the space and crowdfunding, in proportion too (the generated labs' rows
    // only: the demo's are beside them).
    for (t, from, lo, hi) in [
        (
            "grant_applications",
            "grant_applications x JOIN labs l ON l.id = x.lab_id",
            0.1,
            0.6,
        ),
        (
            "grant_reviews",
            "grant_reviews x JOIN grant_applications a ON a.id = x.application_id JOIN labs l ON l.id = a.lab_id",
            0.04,
            0.4,
        ),
        (
            "grant_awards",
            "grant_awards x JOIN grant_calls k ON k.id = x.call_id JOIN labs l ON l.id = k.lab_id",
            0.01,
            0.1,
        ),
        (
            "ventures",
            "ventures x JOIN labs l ON l.id = x.lab_id",
            0.02,
            0.3,
        ),
        (
            "venture_sales",
            "venture_sales x JOIN ventures v ON v.id = x.venture_id JOIN labs l ON l.id = v.lab_id",
            0.3,
            5.0,
        ),
        (
            "survey_responses",
            "survey_responses x JOIN labs l ON l.id = x.lab_id",
            0.5,
            1.5,
        ),
        (
            "survey_answers",
            "survey_answers x JOIN survey_responses r ON r.id = x.response_id JOIN labs l ON l.id = r.lab_id",
            6.0,
            20.0,
        ),
        (
            "survey_scores",
            "survey_scores x JOIN survey_responses r ON r.id = x.response_id JOIN labs l ON l.id = r.lab_id",
            1.0,
            3.0,
        ),
        (
            "space_bookings",
            "space_bookings x JOIN labs l ON l.id = x.lab_id",
            1.0,
            5.0,
        ),
        (
            "space_slots",
            "space_slots x JOIN space_bookings b ON b.id = x.booking_id JOIN labs l ON l.id = b.lab_id",
            2.0,
            10.0,
        ),
        (
            "space_invoices",
            "space_invoices x JOIN labs l ON l.id = x.lab_id",
            0.3,
            2.0,
        ),
        (
            "space_payments",
            "space_payments x JOIN labs l ON l.id = x.lab_id",
            0.2,
            2.0,
        ),
        (
            "pledges",
            "pledges x JOIN campaigns k ON k.id = x.campaign_id JOIN labs l ON l.id = k.lab_id",
            0.6,
            2.5,
        ),
        (
            "campaign_ledger",
            "campaign_ledger x JOIN campaigns k ON k.id = x.campaign_id JOIN labs l ON l.id = k.lab_id",
            0.6,
            2.5,
        ),
        (
            "maker_profiles",
            "maker_profiles x JOIN labs l ON l.id = x.lab_id",
            0.02,
            0.2,
        ),
        (
            "fair_makers",
            "fair_makers x JOIN maker_profiles m ON m.person_id = x.person_id JOIN labs l ON l.id = m.lab_id",
            0.02,
            0.5,
        ),
    ] {
        let sql = format!("SELECT COUNT(*) FROM {from} WHERE l.slug LIKE 'net-%'");
        let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(sqlite.pool())
            .await
            .unwrap();
        let each = count as f64 / 400.0;
        assert!((lo..hi).contains(&each), "{t}: {each} a person");
    }
    // The figures the app computes from them make sense.
    for (what, sql) in [
        (
            "an award of an application not awarded",
            "SELECT COUNT(*) FROM grant_awards w JOIN grant_applications a ON a.id = w.application_id
             WHERE a.status <> 'awarded' OR a.submitted_at IS NULL OR a.call_id <> w.call_id",
        ),
        (
            "an awarded application without its award",
            "SELECT COUNT(*) FROM grant_applications a WHERE a.status = 'awarded'
             AND NOT EXISTS (SELECT 1 FROM grant_awards w WHERE w.application_id = a.id)",
        ),
        (
            "a call's awards past its budget or limits",
            "SELECT COUNT(*) FROM grant_calls k WHERE k.budget < (SELECT COALESCE(SUM(w.amount), 0) FROM grant_awards w WHERE w.call_id = k.id)
             OR EXISTS (SELECT 1 FROM grant_awards w WHERE w.call_id = k.id AND (w.amount < k.min_award OR w.amount > k.max_award))",
        ),
        (
            "an award's tranches not adding up to it",
            "SELECT COUNT(*) FROM grant_awards w WHERE w.amount <> (SELECT SUM(t.amount) FROM grant_tranches t WHERE t.award_id = w.id)",
        ),
        (
            "a tranche paid more than its amount",
            "SELECT COUNT(*) FROM grant_tranches t WHERE t.amount < (SELECT COALESCE(SUM(p.amount), 0) FROM grant_payments p WHERE p.tranche_id = t.id)",
        ),
        (
            "an invoice paid more than its total",
            "SELECT COUNT(*) FROM space_invoices i WHERE i.total < (SELECT COALESCE(SUM(p.amount), 0) FROM space_payments p WHERE p.invoice_id = i.id)
             OR i.total <> (SELECT SUM(l.amount) FROM space_invoice_lines l WHERE l.invoice_id = i.id)",
        ),
        (
            "an invoice numbered out of its counter",
            "SELECT COUNT(*) FROM space_invoice_counters c WHERE c.last_seq <>
             (SELECT COUNT(*) FROM space_invoices i WHERE i.lab_id = c.lab_id AND i.year = c.year)",
        ),
        (
            "a campaign that spent more than came in",
            "SELECT COUNT(*) FROM campaigns k WHERE (SELECT COALESCE(SUM(amount), 0) FROM campaign_ledger l WHERE l.campaign_id = k.id AND l.direction = 'in')
             < (SELECT COALESCE(SUM(amount), 0) FROM campaign_ledger l WHERE l.campaign_id = k.id AND l.direction = 'out')",
        ),
        (
            "a paid pledge not in the ledger, or an unpaid one in it",
            "SELECT COUNT(*) FROM pledges p WHERE (p.status = 'paid') <> EXISTS (SELECT 1 FROM campaign_ledger l WHERE l.pledge_id = p.id AND l.amount = p.amount)",
        ),
        (
            "a tier reserved past its quantity or not as its pledges",
            "SELECT COUNT(*) FROM campaign_tiers t WHERE t.quantity IS NOT NULL
             AND t.reserved <> (SELECT COUNT(*) FROM pledges p WHERE p.tier_id = t.id)",
        ),
        (
            "a survey score out of the scale",
            "SELECT COUNT(*) FROM survey_scores WHERE score < 1 OR score > 5",
        ),
        (
            "a response at a wave of a woman without a residency",
            "SELECT COUNT(*) FROM survey_responses r JOIN residencies x ON x.id = r.residency_id WHERE x.person_id <> r.person_id",
        ),
        (
            "a live booking without its slots, or a cancelled one holding some",
            "SELECT COUNT(*) FROM space_bookings b JOIN labs l ON l.id = b.lab_id WHERE l.slug LIKE 'net-%'
             AND (b.status = 'cancelled') = (0 < (SELECT COUNT(*) FROM space_slots s WHERE s.booking_id = b.id))",
        ),
    ] {
        let n: i64 = sqlx::query_scalar(sql).fetch_one(sqlite.pool()).await.unwrap();
        assert_eq!(n, 0, "{what}");
    }
    // Endlines score higher than baselines on average.
    let (base, end): (f64, f64) = sqlx::query_as(
        "SELECT AVG(CASE WHEN r.wave = 'baseline' THEN s.score END), AVG(CASE WHEN r.wave = 'endline' THEN s.score END)
         FROM survey_scores s JOIN survey_responses r ON r.id = s.response_id WHERE s.scale_code = 'self_confidence'",
    )
    .fetch_one(sqlite.pool())
    .await
    .unwrap();
    assert!(end > base + 0.2, "{base} {end}");
    let broken: Vec<(String,)> = sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
        .fetch_all(sqlite.pool())
        .await
        .unwrap();
    assert!(broken.is_empty(), "{broken:?}");
    // Her record is found as anyone's is (here by her phone).
    let mut c = sqlite.conn().await.unwrap();
    let facts = store::impact::facts(&mut c, &domain::LabScope::All)
        .await
        .unwrap();
    assert!(facts.people.len() >= 400 && facts.outcomes.len() >= 400);
    assert!(
        !facts.grants.is_empty() && !facts.scores.is_empty(),
        "grants and scores"
    );
    let someone: (String, String) = sqlx::query_as(
        "SELECT p.given_name, p.phone FROM people p JOIN labs l ON l.id = p.lab_id WHERE l.slug = 'net-0002' ORDER BY p.id LIMIT 1",
    )
    .fetch_one(&mut *c)
    .await
    .unwrap();
    let found = store::people::search(
        &mut c,
        &domain::LabScope::All,
        &store::people::Search {
            text: someone.1.clone(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(
        found.iter().any(|p| p.given_name == someone.0),
        "{someone:?}"
    );
    drop(c);
    let first_of = |pool: &sqlx::AnyPool| {
        let pool = pool.clone();
        async move {
            sqlx::query_as::<_, (String, String, String)>(
                "SELECT p.id, p.given_name, p.phone FROM people p JOIN labs l ON l.id = p.lab_id WHERE l.slug = 'net-0003' ORDER BY p.id",
            )
            .fetch_all(&pool)
            .await
            .unwrap()
        }
    };
    let here = first_of(sqlite.pool()).await;
    // The new capabilities' rows, by their time-ordered ids: the same for the seed.
    let rows_of = |pool: &sqlx::AnyPool| {
        let pool = pool.clone();
        async move {
            let mut out = vec![];
            for sql in [
                "SELECT a.id || ' ' || a.status || ' ' || CAST(a.requested AS TEXT) FROM grant_applications a JOIN labs l ON l.id = a.lab_id WHERE l.slug = 'net-0003' ORDER BY a.id",
                "SELECT r.id || ' ' || r.wave || ' ' || s.scale_code || ' ' || CAST(CAST(ROUND(s.score * 1000) AS BIGINT) AS TEXT) FROM survey_scores s JOIN survey_responses r ON r.id = s.response_id JOIN labs l ON l.id = r.lab_id WHERE l.slug = 'net-0003' ORDER BY r.id, s.scale_code",
                "SELECT i.number || ' ' || CAST(i.total AS TEXT) FROM space_invoices i JOIN labs l ON l.id = i.lab_id WHERE l.slug = 'net-0003' ORDER BY i.number",
                "SELECT p.reference || ' ' || p.status || ' ' || CAST(p.amount AS TEXT) FROM pledges p JOIN campaigns k ON k.id = p.campaign_id JOIN labs l ON l.id = k.lab_id WHERE l.slug = 'net-0003' ORDER BY p.id",
            ] {
                let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&pool).await.unwrap();
                assert!(!rows.is_empty(), "{sql}");
                out.push(rows);
            }
            out
        }
    };
    let these = rows_of(sqlite.pool()).await;
    assert!(here.len() >= 100);
    if let Some(pg) = TestDb::postgres_unmigrated().await {
        let (ok, out) = wcl(&pg.url, &args);
        assert!(ok, "{out}");
        // The generated tables hold as many rows (the demo beside them differs: no case key).
        let generated = |all: Vec<(String, i64)>| -> Vec<(String, i64)> {
            all.into_iter()
                .filter(|(t, _)| {
                    [
                        "people",
                        "attendance",
                        "registrations",
                        "outcomes",
                        "residency_transitions",
                        "grant_applications",
                        "grant_awards",
                        "grant_payments",
                        "venture_sales",
                        "survey_answers",
                        "survey_scores",
                        "space_bookings",
                        "space_slots",
                        "space_invoices",
                        "space_payments",
                        "pledges",
                        "campaign_ledger",
                        "maker_profiles",
                        "fair_makers",
                    ]
                    .contains(&t.as_str())
                })
                .collect()
        };
        assert_eq!(
            generated(store::copy::counts(&pg.store).await.unwrap()),
            generated(before.clone())
        );
        assert_eq!(
            first_of(pg.store.pool()).await,
            here,
            "the same seed, the same people"
        );
        for (theirs, ours) in rows_of(pg.store.pool()).await.iter().zip(&these) {
            let first = theirs.iter().zip(ours).find(|(a, b)| a != b);
            assert!(
                first.is_none() && theirs.len() == ours.len(),
                "the same seed, the same rows: {first:?}"
            );
        }
        pg.store.close().await;
    }
    sqlite.close().await;
}

/// The demo's members and women did not all come in the month it was loaded: first contact (the
/// event she first came to, or earlier in the year for a regular; the day she applied for an
/// alumna) is spread over the months, so "new members" by month means something.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_first_contact_is_spread_over_the_year() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/wcl.db", dir.path().display());
    let (ok, out) = wcl(&url, &["demo"]);
    assert!(ok, "{out}");
    let s = store::Store::open(&url).await.unwrap();
    let mut c = s.conn().await.unwrap();
    let labs = store::labs::list_labs(&mut c).await.unwrap();
    let osh = labs
        .iter()
        .find(|l| l.slug == "osh")
        .unwrap()
        .id
        .to_string();
    let facts = store::impact::facts(&mut c, &domain::LabScope::All)
        .await
        .unwrap();
    let month = |d: chrono::NaiveDate| d.format("%Y-%m").to_string();
    let mut by_month: std::collections::BTreeMap<String, usize> = Default::default();
    for m in facts.members.iter().filter(|m| m.lab == osh) {
        *by_month.entry(month(m.on)).or_default() += 1;
    }
    let total: usize = by_month.values().sum();
    assert!(total >= 40, "{by_month:?}");
    assert!(by_month.len() >= 5, "members over the months: {by_month:?}");
    let most = by_month.values().max().copied().unwrap_or(0);
    assert!(
        most * 3 <= total,
        "no month holds most members: {by_month:?}"
    );
    let mut reached: std::collections::BTreeMap<String, usize> = Default::default();
    for p in facts.people.iter().filter(|p| p.lab == osh && p.woman) {
        *reached.entry(month(p.registered_on)).or_default() += 1;
    }
    let total: usize = reached.values().sum();
    let most = reached.values().max().copied().unwrap_or(0);
    assert!(most * 2 <= total, "women reached by month: {reached:?}");
    // What women who stand out do differently, noted in their labs.
    let practices = store::impact::practices(&mut c, &domain::LabScope::All)
        .await
        .unwrap();
    assert!(!practices.is_empty());
    drop(c);
    s.close().await;
}

/// Reads `wcl serve`'s standard output until it prints the address it listens on.
fn printed_address(child: &mut std::process::Child) -> String {
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    loop {
        let line = lines.next().expect("serve printed its address").unwrap();
        if let Some(rest) = line.strip_prefix("wcl is running on http://") {
            return rest.split_whitespace().next().unwrap().to_string();
        }
    }
}

#[test]
fn serve_prints_its_address_and_answers() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/wcl.db", dir.path().display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_wcl"))
        .args([
            "--database-url",
            &url,
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--demo",
        ])
        .env("WCL_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let addr = printed_address(&mut child);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let body =
        rt.block_on(async { http(&addr, "GET", "/labs", "Accept-Language: ky\r\n", "").await });
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        body.contains("Akylzhan") || body.contains("Акылжан"),
        "{body}"
    );
}

/// Signs in, searches by name and phone, reads a person: the debug log holds none of it.
#[test]
fn logs_hold_no_names_phones_or_passwords() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/wcl.db", dir.path().display());
    let log = std::fs::File::create(dir.path().join("log.txt")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_wcl"))
        .args([
            "--database-url",
            &url,
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--demo",
        ])
        .env("WCL_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap();
    let addr = printed_address(&mut child);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let body = r#"{"login":"+996555100200","password":"demo-password-2026"}"#;
        let token = http(&addr, "POST", "/api/v1/auth/token", "", body).await;
        assert!(token.contains("token"), "{token}");
        let body = r#"{"login":"coordinator.osh@wcl.kg","password":"demo-password-2026"}"#;
        let r = http(&addr, "POST", "/api/v1/auth/token", "", body).await;
        let token = r
            .split("\"token\":\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let auth = format!("Authorization: Bearer {token}\r\n");
        let found = http(
            &addr,
            "GET",
            "/api/v1/people?q=%D0%A2%D0%BE%D0%BA%D1%82%D0%BE%D0%B3%D1%83%D0%BB%D0%BE%D0%B2%D0%B0",
            &auth,
            "",
        )
        .await;
        assert!(found.contains("Токтогулова"), "{found}");
        let id = found
            .split("\"id\":\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        assert!(
            http(&addr, "GET", &format!("/api/v1/people/{id}"), &auth, "")
                .await
                .contains("200 OK")
        );
        http(&addr, "GET", "/api/v1/people?q=0555100200", &auth, "").await;
    });
    let _ = child.kill();
    let _ = child.wait();
    let log = std::fs::read_to_string(dir.path().join("log.txt")).unwrap();
    assert!(log.contains("request"), "the debug log has request lines");
    for secret in [
        "Токтогулова",
        "Toktogulova",
        "555100200",
        "demo-password-2026",
        "coordinator.osh@wcl.kg",
    ] {
        assert!(!log.contains(secret), "the log contains {secret}");
    }
}

async fn http(host: &str, method: &str, path: &str, headers: &str, body: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(host).await.unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\n{headers}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    String::from_utf8_lossy(&out).to_string()
}

/// Starts `wcl serve` on a free port; answers the process and its address. Its standard output
/// is drained on a thread, so that it can go on printing.
fn spawn_serve(url: &str, extra: &[&str]) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wcl"))
        .args(["--database-url", url, "serve", "--bind", "127.0.0.1:0"])
        .args(extra)
        .env("WCL_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("serve printed its address")
            .expect("serve's output");
        if let Some(rest) = line.strip_prefix("wcl is running on http://") {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines.by_ref() {});
    (child, addr)
}

fn sqlite_file(url: &str) -> std::path::PathBuf {
    url.trim_start_matches("sqlite://").into()
}

/// `wcl restore` checks the file first, refuses to replace a database without `--force` and
/// never while a server holds it open, keeps the database it replaced, and says what it did.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_checks_the_file_and_refuses_a_live_database() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/wcl.db", dir.path().display());
    let (ok, out) = create_user(
        &url,
        &["--login", "admin@restore.kg", "--role", "admin"],
        "a-long-password\n",
    );
    assert!(ok, "{out}");
    let backup = dir.path().join("b.db");
    let (ok, out) = wcl(&url, &["backup", backup.to_str().unwrap()]);
    assert!(ok && out.contains("checked: integrity ok"), "{out}");
    let (ok, out) = create_user(
        &url,
        &["--login", "later@restore.kg", "--role", "admin"],
        "a-long-password\n",
    );
    assert!(ok, "{out}");
    let users = |url: String| async move {
        let s = store::Store::open(&url).await.unwrap();
        let n = store::copy::counts(&s)
            .await
            .unwrap()
            .into_iter()
            .find(|(t, _)| t == "users")
            .unwrap()
            .1;
        s.close().await;
        n
    };
    assert_eq!(users(url.clone()).await, 2);

    // Files that are not whole wcl databases are refused, and nothing changes.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database at all, just some bytes").unwrap();
    let (ok, out) = wcl(&url, &["restore", junk.to_str().unwrap(), "--force"]);
    assert!(!ok && out.contains("not a SQLite database"), "{out}");
    let plain = dir.path().join("plain.db");
    let status = Command::new("sqlite3")
        .arg(&plain)
        .arg("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
        .status();
    if status.is_ok_and(|s| s.success()) {
        let (ok, out) = wcl(&url, &["restore", plain.to_str().unwrap(), "--force"]);
        assert!(!ok && out.contains("not a wcl database"), "{out}");
    }
    // A backup from a newer wcl (a migration this one does not know) is refused.
    let newer = dir.path().join("newer.db");
    std::fs::copy(&backup, &newer).unwrap();
    let status = Command::new("sqlite3")
        .arg(&newer)
        .arg("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (9999, 'future', 1, x'00', 0);")
        .status();
    if status.is_ok_and(|s| s.success()) {
        let (ok, out) = wcl(&url, &["restore", newer.to_str().unwrap(), "--force"]);
        assert!(!ok && out.contains("newer wcl"), "{out}");
    }
    // A damaged copy: a page in the middle overwritten.
    let damaged = dir.path().join("damaged.db");
    let mut bytes = std::fs::read(&backup).unwrap();
    let page = 4096;
    assert!(bytes.len() > 8 * page);
    for b in &mut bytes[5 * page..7 * page] {
        *b = 0x5a;
    }
    std::fs::write(&damaged, bytes).unwrap();
    let (ok, out) = wcl(&url, &["restore", damaged.to_str().unwrap(), "--force"]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("integrity") || out.contains("malformed") || out.contains("corrupt"),
        "{out}"
    );
    assert_eq!(users(url.clone()).await, 2, "nothing was replaced");

    // Without --force an existing database stays.
    let (ok, out) = wcl(&url, &["restore", backup.to_str().unwrap()]);
    assert!(!ok && out.contains("--force"), "{out}");

    // While a server runs on it, even --force is refused.
    let (mut server, _) = spawn_serve(&url, &[]);
    let (ok, out) = wcl(&url, &["restore", backup.to_str().unwrap(), "--force"]);
    let _ = server.kill();
    let _ = server.wait();
    assert!(!ok && out.contains("in use"), "{out}");
    assert_eq!(users(url.clone()).await, 2);

    let (ok, out) = wcl(&url, &["restore", backup.to_str().unwrap(), "--force"]);
    assert!(ok, "{out}");
    assert!(
        out.contains("integrity ok") && out.contains("kept as") && out.contains("restored"),
        "{out}"
    );
    assert_eq!(users(url.clone()).await, 1, "the backup's state is back");
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| {
            n.starts_with("wcl.db.before-restore-") && !n.ends_with("-wal") && !n.ends_with("-shm")
        })
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    let old = format!("sqlite://{}", dir.path().join(&kept[0]).display());
    assert_eq!(users(old).await, 2, "the replaced database is whole");

    // Into a new place, no --force needed.
    let fresh = format!("sqlite://{}/new/wcl.db", dir.path().display());
    let (ok, out) = wcl(&fresh, &["restore", backup.to_str().unwrap()]);
    assert!(ok && !out.contains("kept as"), "{out}");
    assert_eq!(users(fresh).await, 1);

    // PostgreSQL is restored with its own tools.
    let (ok, out) = wcl(
        "postgres://postgres@127.0.0.1:1/none",
        &["restore", backup.to_str().unwrap()],
    );
    assert!(!ok && out.contains("pg_restore"), "{out}");
}

/// `wcl serve --backup-every` writes checked backups under load and keeps only the newest.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_takes_checked_backups_and_keeps_the_newest() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/wcl.db", dir.path().display());
    let (ok, out) = wcl(&url, &["demo"]);
    assert!(ok, "{out}");
    let backups = dir.path().join("kept");
    let (mut server, addr) = spawn_serve(
        &url,
        &[
            "--backup-every",
            "1s",
            "--backup-keep",
            "2",
            "--backup-dir",
            backups.to_str().unwrap(),
        ],
    );
    // Women are registered through the API all the while: each backup, taken under these
    // writes, must still hold the rows the database had at its moment (else it is `.failed`).
    let body = r#"{"login":"coordinator.osh@wcl.kg","password":"demo-password-2026"}"#;
    let (status, r) = try_http(&addr, "POST", "/api/v1/auth/token", "", body)
        .await
        .unwrap();
    assert_eq!(status, 201, "{r}");
    let token = r
        .split("\"token\":\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let auth = format!("Authorization: Bearer {token}\r\n");
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(4500);
    let (mut most, mut written) = (0, 0);
    while std::time::Instant::now() < deadline {
        let body = format!(
            r#"{{"lab":"osh","family_name":"Сынакова","given_name":"Бермет","aims":"backup {written}","consent":true,"status":"active","confirm_not_duplicate":true}}"#
        );
        let (status, r) = try_http(&addr, "POST", "/api/v1/people", &auth, &body)
            .await
            .unwrap();
        assert_eq!(status, 201, "{r}");
        written += 1;
        most = most.max(wcl::backups::list(&backups).len());
    }
    let _ = server.kill();
    let _ = server.wait();
    let found = wcl::backups::list(&backups);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(most <= 2, "never more than --backup-keep: {most}");
    let failed: Vec<_> = std::fs::read_dir(&backups)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".failed"))
        .collect();
    assert!(
        failed.is_empty(),
        "every backup passed its check: {failed:?}"
    );
    let source = store::Store::open(&url).await.unwrap();
    let counts = store::copy::counts(&source).await.unwrap();
    source.close().await;
    let people = counts.iter().find(|(t, _)| t == "people").unwrap().1;
    assert!(written > 10, "{written}");
    for f in &found {
        let check = store::backup::check_file(f).await.unwrap();
        assert!(check.count("people") <= people, "{}", f.display());
        assert!(check.count("people") > people - written, "{}", f.display());
        assert_eq!(check.counts.len(), counts.len());
    }
    // The same keys in the environment; a bad interval stops the start with a message.
    let out = Command::new(env!("CARGO_BIN_EXE_wcl"))
        .args(["--database-url", &url, "serve", "--bind", "127.0.0.1:0"])
        .env("WCL_BACKUP_EVERY", "6 years")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not a duration"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The PostgreSQL procedure of the README: `pg_dump -Fc`, then `pg_restore` into a new database,
/// gives the same rows. Under CI=true, missing tools are a failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_dump_and_restore_round_trip() {
    let have = |tool: &str| {
        Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !have("pg_dump") || !have("pg_restore") {
        assert!(
            !store::testing::in_ci(),
            "pg_dump and pg_restore are required under CI=true"
        );
        eprintln!("skipping: pg_dump or pg_restore is missing");
        return;
    }
    let Some(source) = TestDb::postgres_unmigrated().await else {
        return;
    };
    let (ok, out) = wcl(&source.url, &["demo"]);
    assert!(ok, "{out}");
    let counts = store::copy::counts(&source.store).await.unwrap();
    assert!(counts.iter().any(|(t, n)| t == "people" && *n >= 55));
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("wcl.dump");
    let out = Command::new("pg_dump")
        .args(["--format=custom", "--no-owner", "--file"])
        .arg(&dump)
        .arg(&source.url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let target = TestDb::postgres_unmigrated().await.unwrap();
    let out = Command::new("pg_restore")
        .args(["--no-owner", "--exit-on-error", "--dbname", &target.url])
        .arg(&dump)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(store::copy::counts(&target.store).await.unwrap(), counts);
    // The restored database is up to date for wcl: migrating changes nothing, and it serves.
    target.store.migrate().await.unwrap();
    let (ok, out) = wcl(&target.url, &["migrate"]);
    assert!(ok, "{out}");
    source.store.close().await;
    target.store.close().await;
}

/// One HTTP request that may fail (the server may be killed meanwhile): the status and body.
async fn try_http(
    host: &str,
    method: &str,
    path: &str,
    headers: &str,
    body: &str,
) -> Option<(u16, String)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(host).await.ok()?;
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\n{headers}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.ok()?;
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.ok()?;
    let text = String::from_utf8_lossy(&out).to_string();
    let status = text.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()?;
    let (_, body) = text.split_once("\r\n\r\n")?;
    Some((status, body.to_string()))
}

struct CrashReport {
    cycles: usize,
    acknowledged: usize,
    lost: usize,
}

/// Registers women through the API from several clients at once, kills the server with SIGKILL
/// at a random moment, restarts it, again and again; then every registration that was answered
/// 201 must be there, whole (her consent and residency with her), in a sound database.
async fn crash_cycles(url: &str, cycles: usize, budget: std::time::Duration) -> CrashReport {
    use std::sync::{Arc, Mutex};
    let (ok, out) = create_user(
        url,
        &["--login", "admin@crash.kg", "--role", "admin"],
        "a-long-password\n",
    );
    assert!(ok, "{out}");
    let s = store::Store::open(url).await.unwrap();
    let mut c = s.conn().await.unwrap();
    store::labs::insert_lab(
        &mut c,
        &store::labs::NewLab {
            slug: "crash".into(),
            name_ky: "Сыноо".into(),
            name_ru: "Проверка".into(),
            name_en: "Crash".into(),
            region: "osh".into(),
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
    drop(c);
    s.close().await;

    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut token = String::new();
    let started = std::time::Instant::now();
    let mut done = 0;
    while done < cycles && started.elapsed() < budget {
        let (mut server, addr) = spawn_serve(url, &[]);
        if token.is_empty() {
            let body = r#"{"login":"admin@crash.kg","password":"a-long-password"}"#;
            let (status, r) = try_http(&addr, "POST", "/api/v1/auth/token", "", body)
                .await
                .unwrap();
            assert_eq!(status, 201, "{r}");
            token = r
                .split("\"token\":\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .into();
        }
        let auth = format!("Authorization: Bearer {token}\r\n");
        let mut writers = vec![];
        for w in 0..6 {
            let (addr, auth, acked) = (addr.clone(), auth.clone(), acked.clone());
            writers.push(tokio::spawn(async move {
                for n in 0.. {
                    let body = format!(
                        r#"{{"lab":"crash","family_name":"Сынакова","given_name":"Айгүл","aims":"cycle {done} writer {w} n {n}","consent":true,"status":"active","confirm_not_duplicate":true}}"#
                    );
                    match try_http(&addr, "POST", "/api/v1/people", &auth, &body).await {
                        Some((201, r)) => {
                            let id = r.split("\"id\":\"").nth(1).unwrap().split('"').next().unwrap();
                            acked.lock().unwrap().push(id.to_string());
                        }
                        Some((status, r)) if status < 500 => panic!("{status}: {r}"),
                        Some(_) => {}
                        None => break,
                    }
                }
            }));
        }
        let wait = 80 + rand::random::<u64>() % 400;
        tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
        server.kill().unwrap(); // SIGKILL
        let _ = server.wait();
        for w in writers {
            w.await.unwrap();
        }
        done += 1;
    }

    // Restarted once more: it opens, recovers and answers.
    let (mut server, addr) = spawn_serve(url, &[]);
    let r = try_http(&addr, "GET", "/api/v1/labs", "", "")
        .await
        .unwrap();
    assert_eq!(r.0, 200);
    let _ = server.kill();
    let _ = server.wait();

    let s = store::Store::open(url).await.unwrap();
    let mut c = s.conn().await.unwrap();
    use sqlx::Row;
    if s.backend() == store::Backend::Sqlite {
        let rows = sqlx::query("PRAGMA integrity_check")
            .fetch_all(&mut *c)
            .await
            .unwrap();
        let first: String = rows[0].try_get(0).unwrap();
        assert_eq!((rows.len(), first.as_str()), (1, "ok"));
        let fk = sqlx::query("PRAGMA foreign_key_check")
            .fetch_all(&mut *c)
            .await
            .unwrap();
        assert!(fk.is_empty(), "no row points at a missing one");
    }
    // Each woman came whole: her consent and her residency were written with her.
    for check in [
        "SELECT COUNT(*) AS n FROM people p WHERE NOT EXISTS (SELECT 1 FROM consents x WHERE x.person_id = p.id)",
        "SELECT COUNT(*) AS n FROM people p WHERE NOT EXISTS (SELECT 1 FROM residencies x WHERE x.person_id = p.id)",
        "SELECT COUNT(*) AS n FROM residencies r WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.id = r.person_id)",
    ] {
        let n: i64 = sqlx::query(check)
            .fetch_one(&mut *c)
            .await
            .unwrap()
            .try_get("n")
            .unwrap();
        assert_eq!(n, 0, "{check}");
    }
    let present: std::collections::HashSet<String> = sqlx::query("SELECT id FROM people")
        .fetch_all(&mut *c)
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String, _>("id").unwrap())
        .collect();
    drop(c);
    s.close().await;
    let acked = acked.lock().unwrap().clone();
    let lost = acked.iter().filter(|id| !present.contains(*id)).count();
    CrashReport {
        cycles: done,
        acknowledged: acked.len(),
        lost,
    }
}

/// The kill -9 guarantee: no acknowledged write is lost and the database stays sound, on SQLite
/// and PostgreSQL. `WCL_CRASH_CYCLES` makes a longer run (for a release).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_under_concurrent_writes_loses_no_acknowledged_write() {
    let cycles: usize = std::env::var("WCL_CRASH_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let budget = std::time::Duration::from_secs(if cycles > 30 { 3600 } else { 25 });
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/wcl.db", dir.path().display());
    let r = crash_cycles(&url, cycles, budget).await;
    eprintln!(
        "crash test SQLite: {} cycles, {} acknowledged writes, {} lost",
        r.cycles, r.acknowledged, r.lost
    );
    assert!(r.cycles >= 10 && r.acknowledged > 0);
    assert_eq!(r.lost, 0);
    assert!(sqlite_file(&url).exists());
    if let Some(pg) = TestDb::postgres().await {
        let r = crash_cycles(&pg.url, cycles, budget).await;
        eprintln!(
            "crash test PostgreSQL: {} cycles, {} acknowledged writes, {} lost",
            r.cycles, r.acknowledged, r.lost
        );
        assert!(r.cycles >= 10 && r.acknowledged > 0);
        assert_eq!(r.lost, 0);
        pg.store.close().await;
    }
}

/// A woman erased after a backup was taken stays erased when that backup is restored: the
/// erasure list of the database it replaces is carried over and applied again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_erases_again_who_was_erased_after_the_backup() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/wcl.db", dir.path().display());
    let s = store::Store::open(&url).await.unwrap();
    let mut c = s.conn().await.unwrap();
    let lab = store::labs::insert_lab(
        &mut c,
        &store::labs::NewLab {
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
    let p = store::people::PersonFields {
        family_name: "Өмүрбекова".into(),
        given_name: "Гүлнара".into(),
        gender: "woman".into(),
        family_support: "unknown".into(),
        ..Default::default()
    };
    let person = store::people::insert(&mut c, lab, &p, None).await.unwrap();
    drop(c);
    s.close().await;
    let backup = dir.path().join("before-erasure.db");
    let (ok, out) = wcl(&url, &["backup", backup.to_str().unwrap()]);
    assert!(ok, "{out}");
    let s = store::Store::open(&url).await.unwrap();
    let mut tx = s.begin().await.unwrap();
    store::rights::erase_person(&mut tx, person, "her-request")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    s.close().await;

    let (ok, out) = wcl(&url, &["restore", backup.to_str().unwrap(), "--force"]);
    assert!(ok, "{out}");
    assert!(out.contains("re-applied 1 erasures"), "{out}");
    let s = store::Store::open(&url).await.unwrap();
    let mut c = s.conn().await.unwrap();
    let names: Vec<String> = sqlx::query_scalar("SELECT family_name FROM people")
        .fetch_all(&mut *c)
        .await
        .unwrap();
    assert!(!names.iter().any(|n| n.contains("Өмүрбекова")), "{names:?}");
}
