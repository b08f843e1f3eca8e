//! Faults the service recovers from by itself: a burst of dashboard requests larger than the
//! pool (each request takes one connection at a time, so all progress; a request that cannot get
//! one in time answers 503 with Retry-After, never 500), and a full disk (writes answer 503 while
//! it is full, `/healthz` says so, and both recover when space is freed, without a restart).
use crate::common::{Backend, TestApp};

on_both_backends!(a_burst_of_dashboards_is_served);

async fn a_burst_of_dashboards_is_served(app: TestApp) {
    let coord = app.signed_in("coord.osh@test.kg").await;
    let admin = app.signed_in("admin@test.kg").await;
    let mut tasks = vec![];
    for i in 0..64 {
        let c = if i % 2 == 0 {
            coord.clone()
        } else {
            admin.clone()
        };
        let url = app.url(if i % 2 == 0 {
            "/impact/dashboard"
        } else {
            "/impact/dashboard?lab=osh"
        });
        tasks.push(tokio::spawn(async move {
            let r = c.get(url).send().await.unwrap();
            let retry = r.headers().contains_key("retry-after");
            (r.status().as_u16(), retry)
        }));
    }
    let mut ok = 0;
    for t in tasks {
        let (status, retry) = t.await.unwrap();
        assert!(
            status == 200 || (status == 503 && retry),
            "a dashboard answered {status}"
        );
        if status == 200 {
            ok += 1;
        }
    }
    // A request that held one connection while waiting for a second made every request of a
    // burst as large as the pool wait on itself: none was served.
    assert!(ok >= 32, "only {ok} of 64 dashboards were served");
}

/// Mounts a small tmpfs (the test runs as root on the CI machine); `None` where that is not
/// allowed outside CI.
fn small_fs(size: &str) -> Option<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("wcl-full-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let ok = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(&dir)
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            !store::testing::in_ci(),
            "the full-disk test needs to mount a tmpfs under CI=true"
        );
        eprintln!("skipping: cannot mount a tmpfs here");
        return None;
    }
    Some(dir)
}

struct Unmount(std::path::PathBuf);
impl Drop for Unmount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
        let _ = std::fs::remove_dir(&self.0);
    }
}

/// Fills the file system with a file of zeros until it is full.
fn fill(path: &std::path::Path) {
    use std::io::Write;
    let mut f = std::fs::File::create(path).unwrap();
    let block = vec![0u8; 64 * 1024];
    while f.write_all(&block).is_ok() {}
    let _ = f.sync_all();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_recover_after_a_full_disk() {
    let Some(dir) = small_fs("8m") else { return };
    let _guard = Unmount(dir.clone());
    let db = store::testing::TestDb::sqlite_in(&dir).await;
    let app = TestApp::spawn_on(db, web::WebConfig::default()).await;
    let token = app.token("coord.osh@test.kg").await;
    let cohort = |name: String| {
        let c = app.client();
        let url = app.url("/api/v1/labs/osh/cohorts");
        let token = token.clone();
        async move {
            let r = c
                .post(url)
                .bearer_auth(token)
                .json(&serde_json::json!({"name": name, "starts_on": "2027-01-10", "ends_on": "2027-06-30"}))
                .send()
                .await
                .unwrap();
            let retry = r.headers().contains_key("retry-after");
            (r.status().as_u16(), retry)
        }
    };
    assert_eq!(cohort("Кыш 1".into()).await.0, 201);
    assert_eq!(
        app.client()
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    let filler = dir.join("filler");
    fill(&filler);
    // While the disk is full: every write answers 503 with Retry-After (never 500), and the
    // health check says the database cannot write.
    for i in 0..12 {
        let (status, retry) = cohort(format!("Толук {i}")).await;
        assert!(
            status == 503 && retry,
            "a write on a full disk answered {status}"
        );
    }
    let r = app.client().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 503);
    assert!(r.headers().contains_key("retry-after"));

    // Space is freed: writes and the health check recover without a restart, on every pooled
    // connection (more writes than connections).
    std::fs::remove_file(&filler).unwrap();
    for i in 0..20 {
        let (status, _) = cohort(format!("Жаз {i}")).await;
        assert_eq!(status, 201, "write {i} after space was freed");
    }
    assert_eq!(
        app.client()
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(app.count("cohorts").await, 21);
    let _ = Backend::Sqlite;
}
