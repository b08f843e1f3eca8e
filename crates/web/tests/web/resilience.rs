//! No single request takes the server down: a handler that panics answers 500 (an error page in
//! the caller's language, JSON under /api/) and the next request is served. The panicking routes
//! exist only in this test, merged through `web::app_with` under the app's own layers.
use crate::common::TestApp;
use axum::Router;
use axum::routing::{get, post};
use serde_json::Value;
use std::net::SocketAddr;

on_both_backends!(a_panicking_handler_answers_500_and_the_server_goes_on);

async fn boom() -> &'static str {
    panic!("a handler's bug")
}

async fn a_panicking_handler_answers_500_and_the_server_goes_on(app: TestApp) {
    let state = web::AppState::new(app.db.store.clone(), web::WebConfig::default());
    let extra: Router<web::AppState> = Router::new()
        .route("/test-only/boom", get(boom))
        .route("/api/v1/test-only/boom", post(boom));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(
            listener,
            web::app_with(state, extra).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    let c = reqwest::Client::new();

    for _ in 0..3 {
        // A page: the error page, in Russian when she reads Russian; no panic text.
        let r = c
            .get(format!("{base}/test-only/boom"))
            .header("accept-language", "ru")
            .send()
            .await
            .expect("an answer, not a dropped connection");
        assert_eq!(r.status(), 500);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let html = r.text().await.unwrap();
        assert!(html.contains("<html"), "{html}");
        assert!(!html.contains("a handler's bug"));
        assert!(!html.contains("Something went wrong"), "{html}");

        // The API: JSON with the error's key.
        let r = c
            .post(format!("{base}/api/v1/test-only/boom"))
            .header("accept-language", "en")
            .send()
            .await
            .expect("an answer, not a dropped connection");
        assert_eq!(r.status(), 500);
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"], "err-internal", "{e}");
        assert!(!e.to_string().contains("a handler's bug"));

        // And the server goes on.
        let r = c.get(format!("{base}/healthz")).send().await.unwrap();
        assert_eq!(r.status(), 200);
    }
}
