//! The binary as a user runs it: demo data, accounts, backup, db copy, serve.
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use store::testing::TestDb;

/// The systemd unit in deploy/.
#[path = "cli/deploy.rs"]
mod deploy;

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
