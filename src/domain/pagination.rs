//! Page selection for list endpoints.

use serde::Serialize;
use utoipa::ToSchema;

/// Items per page when the request does not set `page_size`.
pub const DEFAULT_PAGE_SIZE: u32 = 50;

/// The largest page a client may ask for.
pub const MAX_PAGE_SIZE: u32 = 200;

/// The highest page number accepted; it bounds the offset that reaches the database.
pub const MAX_PAGE: u32 = 100_000;

/// A validated page request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub page_size: u32,
}

/// Reason a page request is invalid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageError {
    PageOutOfRange,
    PageSizeOutOfRange,
}

impl PageRequest {
    /// Checks `page` (from 1 to `MAX_PAGE`) and `page_size` (from 1 to `MAX_PAGE_SIZE`),
    /// filling in 1 and `DEFAULT_PAGE_SIZE` where they are absent.
    pub fn new(page: Option<u32>, page_size: Option<u32>) -> Result<PageRequest, PageError> {
        let page = page.unwrap_or(1);
        let page_size = page_size.unwrap_or(DEFAULT_PAGE_SIZE);
        if !(1..=MAX_PAGE).contains(&page) {
            return Err(PageError::PageOutOfRange);
        }
        if !(1..=MAX_PAGE_SIZE).contains(&page_size) {
            return Err(PageError::PageSizeOutOfRange);
        }
        Ok(PageRequest { page, page_size })
    }

    pub fn offset(&self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.page_size)
    }

    pub fn limit(&self) -> i64 {
        i64::from(self.page_size)
    }
}

/// One page of a list, with the total number of items across all pages.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    /// The page number, from 1.
    pub page: u32,
    pub page_size: u32,
    /// How many items the whole list has.
    pub total: i64,
}

impl<T: ToSchema> Page<T> {
    pub fn new(items: Vec<T>, request: PageRequest, total: i64) -> Self {
        Page { items, page: request.page, page_size: request.page_size, total }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_bounds() {
        assert_eq!(PageRequest::new(None, None), Ok(PageRequest { page: 1, page_size: DEFAULT_PAGE_SIZE }));
        assert_eq!(PageRequest::new(Some(0), None), Err(PageError::PageOutOfRange));
        assert_eq!(PageRequest::new(None, Some(MAX_PAGE_SIZE + 1)), Err(PageError::PageSizeOutOfRange));
        assert_eq!(PageRequest::new(None, Some(0)), Err(PageError::PageSizeOutOfRange));
        assert_eq!(PageRequest::new(Some(3), Some(20)).unwrap().offset(), 40);
    }
}
