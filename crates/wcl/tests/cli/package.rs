//! `wcl package`: the demo lab's package holds nothing about any person, and it imports back.
use super::wcl;

/// Every name, phone, e-mail and note of the people in the database (women, staff, event
/// guests), as stored.
async fn personal_values(store: &store::Store) -> Vec<String> {
    let mut c = store.conn().await.unwrap();
    let wanted = [
        ("people", "family_name"),
        ("people", "given_name"),
        ("people", "patronymic"),
        ("people", "name_latin"),
        ("people", "phone"),
        ("people", "email"),
        ("people", "aims"),
        ("users", "display_name"),
        ("users", "login"),
        ("registrations", "name"),
        ("registrations", "phone"),
        ("registrations", "email"),
        ("residencies", "motivation"),
        ("residency_transitions", "note"),
        ("residency_declines", "reason"),
        ("outcomes", "note"),
        ("mentoring_sessions", "notes"),
        ("practices", "practice"),
        ("practices", "found"),
        ("account_links", "display_name"),
        ("account_links", "login"),
    ];
    let mut out = vec![];
    for (table, col) in wanted {
        let cols = store::copy::columns(store, &mut c, table).await.unwrap();
        if !cols.iter().any(|x| x.name == col) {
            continue;
        }
        let sql = format!("SELECT {col} AS v FROM {table} WHERE {col} IS NOT NULL");
        let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut *c)
            .await
            .unwrap();
        out.extend(rows);
    }
    out.retain(|v| v.trim().chars().count() >= 4);
    out.sort();
    out.dedup();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_package_holds_nobody_and_imports_back() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/wcl.db", dir.path().display());
    let (ok, out) = wcl(&url, &["demo"]);
    assert!(ok, "{out}");
    let file = dir.path().join("osh.json");
    let (ok, out) = wcl(
        &url,
        &["package", "export", "--lab", "osh", file.to_str().unwrap()],
    );
    assert!(ok, "{out}");
    assert!(out.contains("package osh-lab version 3"), "{out}");
    let package = std::fs::read_to_string(&file).unwrap();
    assert!(package.contains("\"programmes\"") && package.contains("\"surveys\""));

    let store = store::Store::open(&url).await.unwrap();
    let values = personal_values(&store).await;
    assert!(values.len() > 100, "the demo has people: {}", values.len());
    let lower = package.to_lowercase();
    // As a word of its own: "Бакыт" (a name) is not found in "убакыт" (time).
    let holds = |needle: &str| {
        lower.match_indices(needle).any(|(i, m)| {
            let before = lower[..i].chars().next_back();
            let after = lower[i + m.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
    };
    let found: Vec<&String> = values
        .iter()
        .filter(|v| {
            let v = v.trim().to_lowercase();
            holds(&v) || v.starts_with('+') && holds(&v[1..])
        })
        .collect();
    assert!(found.is_empty(), "personal data in the package: {found:?}");

    // The library holds two versions; imported back into its own lab, nothing changes.
    let counts = store::copy::counts(&store).await.unwrap();
    assert!(
        counts
            .iter()
            .any(|(t, n)| t == "package_versions" && *n == 2),
        "{counts:?}"
    );
    let (ok, out) = wcl(
        &url,
        &[
            "package",
            "import",
            "--lab",
            "osh",
            file.to_str().unwrap(),
            "--dry-run",
        ],
    );
    assert!(ok, "{out}");
    assert!(out.contains("0 created, 0 changed"), "{out}");
    // A new lab gets it all; a broken file is refused with its reason.
    let (ok, out) = wcl(
        &url,
        &[
            "package",
            "import",
            "--lab",
            "batken",
            file.to_str().unwrap(),
            "--dry-run",
        ],
    );
    assert!(ok, "{out}");
    assert!(out.contains("dry run"), "{out}");
    std::fs::write(
        &file,
        package.replacen("\"schema_version\": 1", "\"schema_version\": 0", 1),
    )
    .unwrap();
    let (ok, out) = wcl(
        &url,
        &[
            "package",
            "import",
            "--lab",
            "batken",
            file.to_str().unwrap(),
        ],
    );
    assert!(!ok && out.contains("another format version"), "{out}");
    store.close().await;
}
