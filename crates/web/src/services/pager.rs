//! One page of a long list: which rows a store query fetches (`LIMIT`/`OFFSET`) and what the
//! pager under the list shows ("N in all · page X of Y", previous and next). Pages are numbered
//! from 0 in addresses (`?page=1` is the second), like the members list and the showcase.
use crate::error::{AppError, AppResult};

/// Rows on one page of a coordinator's list: what a phone scrolls through without getting lost.
pub const PAGE_SIZE: i64 = 50;

/// A page of `total` rows, `size` a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pager {
    /// From 0.
    pub page: i64,
    pub size: i64,
    pub total: i64,
}

/// The answer to a page that does not exist: a message on the page's `page` parameter.
pub fn no_such_page() -> AppError {
    AppError::Invalid(vec![("page".into(), "err-page".into())])
}

impl Pager {
    /// Page `page` of `total` rows; a page past the last (or before the first) is refused with
    /// [`no_such_page`]. An empty list has one (empty) page.
    pub fn new(page: i64, size: i64, total: i64) -> AppResult<Self> {
        let p = Self {
            page,
            size: size.max(1),
            total: total.max(0),
        };
        if page < 0 || page >= p.pages() {
            return Err(no_such_page());
        }
        Ok(p)
    }

    /// How many pages the list has (at least one).
    pub fn pages(&self) -> i64 {
        ((self.total + self.size - 1) / self.size).max(1)
    }

    pub fn limit(&self) -> i64 {
        self.size
    }

    pub fn offset(&self) -> i64 {
        self.page * self.size
    }

    pub fn prev(&self) -> Option<i64> {
        (self.page > 0).then(|| self.page - 1)
    }

    pub fn next(&self) -> Option<i64> {
        (self.page + 1 < self.pages()).then(|| self.page + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_bounds() {
        let p = Pager::new(0, 50, 0).unwrap();
        assert_eq!((p.pages(), p.prev(), p.next()), (1, None, None));
        let p = Pager::new(0, 50, 50).unwrap();
        assert_eq!((p.pages(), p.next()), (1, None));
        let p = Pager::new(1, 50, 51).unwrap();
        assert_eq!(
            (p.pages(), p.offset(), p.prev(), p.next()),
            (2, 50, Some(0), None)
        );
        assert!(Pager::new(2, 50, 51).is_err());
        assert!(Pager::new(-1, 50, 51).is_err());
        assert!(Pager::new(1, 50, 0).is_err());
    }
}
