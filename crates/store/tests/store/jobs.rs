//! Jobs on several servers sharing one database: a claimed job is leased, so a second server
//! starting does not take it back (and send it twice); a job whose worker died returns to the
//! queue when its lease runs out.
use store::Store;

on_both_backends!(a_claimed_job_is_sent_once_by_one_server);

async fn a_claimed_job_is_sent_once_by_one_server(store: Store) {
    let mut a = store.conn().await.unwrap();
    let mut b = store.conn().await.unwrap();
    let now = chrono::Utc::now();
    store::jobs::enqueue(&mut a, "email", "{}", now, None)
        .await
        .unwrap();
    store::jobs::enqueue(&mut a, "email", "{}", now, None)
        .await
        .unwrap();
    // Server A claims both; server B starts and looks for stale jobs: none are.
    let claimed = store::jobs::claim_due(&mut a, "email", 10).await.unwrap();
    assert_eq!(claimed.len(), 2);
    assert_eq!(
        store::jobs::requeue_stale(&mut b, "email").await.unwrap(),
        0
    );
    assert!(
        store::jobs::claim_due(&mut b, "email", 10)
            .await
            .unwrap()
            .is_empty()
    );
    // A sends one; then dies. Once the lease of the other has run out it is B's to send.
    store::jobs::done(&mut a, claimed[0].id).await.unwrap();
    sqlx::query(
        "UPDATE jobs SET lease_until = '2020-01-01T00:00:00.000000Z' WHERE status = 'running'",
    )
    .execute(&mut *b)
    .await
    .unwrap();
    assert_eq!(
        store::jobs::requeue_stale(&mut b, "email").await.unwrap(),
        1
    );
    let again = store::jobs::claim_due(&mut b, "email", 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(
        again[0].id, claimed[1].id,
        "the unsent one, not the sent one"
    );
}
