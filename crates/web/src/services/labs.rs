//! Labs: the one way a slug in a URL becomes a lab (or 404).
use crate::error::{AppError, AppResult};
use store::Store;
use store::labs::Lab;

/// A lab by its slug, or 404: for pages and the API alike.
pub async fn lab_by_slug(store: &Store, slug: &str) -> AppResult<Lab> {
    let mut c = store.conn().await?;
    store::labs::lab_by_slug(&mut c, slug)
        .await?
        .ok_or(AppError::NotFound)
}
