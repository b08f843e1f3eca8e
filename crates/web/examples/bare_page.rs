//! The ceiling the event page is measured against (bench/run.sh): a bare axum server that answers
//! every request with the same bytes, as wcl's event page answers, and nothing else: no database,
//! no templates, no sessions, no compression.
//!
//!   cargo run --release -p web --example bare_page -- 127.0.0.1:8798 page.html
use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(bind), Some(file)) = (args.next(), args.next()) else {
        eprintln!("usage: bare_page ADDRESS FILE");
        std::process::exit(2);
    };
    let body: &'static [u8] = Vec::leak(std::fs::read(file)?);
    let page = move || async move {
        ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
    };
    let app = Router::new().fallback(page);
    let listener = tokio::net::TcpListener::bind(bind).await?;
    axum::serve(listener, app).await
}
