//! Support case pages. (Being built.)
use crate::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
}
