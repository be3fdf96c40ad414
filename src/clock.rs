//! The service's clock. Handlers ask it for the time instead of the system, so tests can set the
//! time (a deadline day at 23:59 WIB, say) without waiting for it.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Asia::Jakarta;

/// The current time: the system's, or a time set by a test.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    fixed: Arc<RwLock<Option<DateTime<Utc>>>>,
}

impl Clock {
    /// Returns a clock that follows the system time.
    pub fn system() -> Clock {
        Clock::default()
    }

    /// Fixes the time at `moment`, or returns to the system time with `None`.
    pub fn set(&self, moment: Option<DateTime<Utc>>) {
        *self.fixed.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = moment;
    }

    pub fn now(&self) -> DateTime<Utc> {
        let fixed = *self.fixed.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        fixed.unwrap_or_else(Utc::now)
    }

    /// Today's date in Asia/Jakarta, the calendar of deadlines.
    pub fn today(&self) -> NaiveDate {
        jakarta_date(self.now())
    }
}

/// Returns the calendar day in Asia/Jakarta (WIB, UTC+7) at `moment`.
pub fn jakarta_date(moment: DateTime<Utc>) -> NaiveDate {
    moment.with_timezone(&Jakarta).date_naive()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn jakarta_date_at_midnight_wib() {
        // 23:59 WIB on 30 April is 16:59 UTC on 30 April.
        let moment = Utc.with_ymd_and_hms(2023, 4, 30, 16, 59, 0).unwrap();
        assert_eq!(jakarta_date(moment), NaiveDate::from_ymd_opt(2023, 4, 30).unwrap());

        // 00:00 WIB on 1 May is 17:00 UTC on 30 April.
        let moment = Utc.with_ymd_and_hms(2023, 4, 30, 17, 0, 0).unwrap();
        assert_eq!(jakarta_date(moment), NaiveDate::from_ymd_opt(2023, 5, 1).unwrap());
    }

    #[test]
    fn set_time_lasts_until_cleared() {
        let clock = Clock::system();
        let moment = Utc.with_ymd_and_hms(2023, 4, 30, 16, 59, 0).unwrap();
        clock.set(Some(moment));
        assert_eq!(clock.now(), moment);

        clock.set(None);
        assert!(clock.now() > moment);
    }
}
