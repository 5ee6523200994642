//! The periods the reports offer, in the device's time zone.

use crm_core::reports::Period;

use crate::i18n::Lang;

/// The periods offered.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Span {
    Week,
    Month,
    Quarter,
    Year,
}

impl Span {
    pub(super) const ALL: [Span; 4] = [Span::Week, Span::Month, Span::Quarter, Span::Year];

    pub(super) fn label(self, lang: Lang) -> &'static str {
        let t = lang.t();
        match self {
            Span::Week => t.period_week,
            Span::Month => t.period_month,
            Span::Quarter => t.period_quarter,
            Span::Year => t.period_year,
        }
    }

    /// The current week (from Monday), month, quarter or year, in local time.
    pub(super) fn period(self, now: &js_sys::Date) -> Period {
        let (year, month, day) = (now.get_full_year(), now.get_month(), now.get_date());
        let local = |y: u32, m: i32, d: i32| {
            js_sys::Date::new_with_year_month_day(y, m, d).get_time() as i64
        };
        let (from, to) = match self {
            Span::Week => {
                let back = (now.get_day() as i32 + 6) % 7;
                let start = day as i32 - back;
                (
                    local(year, month as i32, start),
                    local(year, month as i32, start + 7),
                )
            }
            Span::Month => (
                local(year, month as i32, 1),
                local(year, month as i32 + 1, 1),
            ),
            Span::Quarter => {
                let first = month as i32 - month as i32 % 3;
                (local(year, first, 1), local(year, first + 3, 1))
            }
            Span::Year => (local(year, 0, 1), local(year + 1, 0, 1)),
        };
        Period { from, to }
    }
}

/// The starts of the last twelve months and of the next one, in local time.
pub(super) fn month_edges(now: &js_sys::Date) -> Vec<i64> {
    let (year, month) = (now.get_full_year(), now.get_month() as i32);
    (-11..=1)
        .map(|back| js_sys::Date::new_with_year_month_day(year, month + back, 1).get_time() as i64)
        .collect()
}
