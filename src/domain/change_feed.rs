//! The change feed's rules: what a cursor is and what the feed may hold.
//!
//! A position in the feed is the id of the transaction that wrote an entry and the entry's own
//! id. Entries are listed in that order, and only those of transactions older than every
//! transaction still running. Those have all ended, so no entry can appear later before a
//! position already handed out. A client that pages with the cursor reads each entry exactly
//! once.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use strum::{AsRefStr, EnumString};
use utoipa::ToSchema;

/// Entries per page when the request does not set `limit`.
pub const DEFAULT_LIMIT: u32 = 100;

/// The maximum number of entries on one page.
pub const MAX_LIMIT: u32 = 1000;

/// What changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema, AsRefStr, EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ChangeKind {
    /// A new version of a realisation: created, edited, submitted, verified or returned. A
    /// draft's versions are left out, because only its own organisation may see a draft.
    Realisation,
    /// A target figure of an indicator, set or revised through the API or by an import.
    Target,
    /// An action plan created or changed, its status included.
    Plan,
    /// A milestone of a plan created or changed, its progress included.
    Milestone,
}

impl ChangeKind {
    pub const NAMES: [&'static str; 4] = ["realisation", "target", "plan", "milestone"];
}

/// A position in the feed: entries after it come next. It is written as
/// `<transaction>-<entry>`, both whole numbers; clients treat it as opaque text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cursor {
    pub transaction: u64,
    pub entry: i64,
}

impl Cursor {
    /// Returns the position before every entry of transactions from `horizon` on. A page that
    /// ends short of its limit returns it, so that the next poll skips what the filters left out.
    pub fn at_horizon(horizon: u64) -> Cursor {
        Cursor { transaction: horizon, entry: 0 }
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}-{}", self.transaction, self.entry)
    }
}

/// The text is not a cursor.
#[derive(Debug, PartialEq, Eq)]
pub struct InvalidCursor;

impl FromStr for Cursor {
    type Err = InvalidCursor;

    fn from_str(text: &str) -> Result<Cursor, InvalidCursor> {
        let (transaction, entry) = text.split_once('-').ok_or(InvalidCursor)?;
        let digits =
            |part: &str| !part.is_empty() && part.len() <= 19 && part.bytes().all(|byte| byte.is_ascii_digit());
        if !digits(transaction) || !digits(entry) {
            return Err(InvalidCursor);
        }
        let transaction = transaction.parse::<i64>().map_err(|_| InvalidCursor)?;
        let entry = entry.parse::<i64>().map_err(|_| InvalidCursor)?;
        Ok(Cursor { transaction: transaction as u64, entry })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_reads_back_what_it_writes() {
        let cursor = Cursor { transaction: 7_301, entry: 42 };

        assert_eq!(cursor.to_string(), "7301-42");
        assert_eq!("7301-42".parse::<Cursor>(), Ok(cursor));
    }

    #[test]
    fn malformed_cursors_are_refused() {
        for text in ["", "12", "-3", "3-", "a-1", "1-b", "1-2-3", "+1-2", "99999999999999999999-1", "1 -2"] {
            assert_eq!(text.parse::<Cursor>(), Err(InvalidCursor), "{text:?}");
        }
    }

    #[test]
    fn cursors_order_by_transaction_then_entry() {
        let earlier = Cursor { transaction: 5, entry: 900 };
        let later = Cursor { transaction: 6, entry: 1 };

        assert!(earlier < later);
        assert!(Cursor::at_horizon(6) < later);
    }
}
