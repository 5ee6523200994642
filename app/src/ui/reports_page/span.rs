//! The periods the reports offer, in the device's time zone: this week, month, quarter or
//! year, or any days chosen.

use crm_core::reports::Period;

use crate::i18n::Lang;

/// A calendar day in local time (`month` from 0, as JavaScript counts).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Day {
    year: u32,
    month: i32,
    date: i32,
}

impl Day {
    /// The day `at` falls on.
    pub(super) fn of(at: i64) -> Self {
        let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at as f64));
        Self {
            year: d.get_full_year(),
            month: d.get_month() as i32,
            date: d.get_date() as i32,
        }
    }

    /// The day a date input gives ("2026-11-30").
    pub(super) fn parse(iso: &str) -> Option<Self> {
        let mut parts = iso.splitn(3, '-').map(str::parse::<i32>);
        let (Some(Ok(year)), Some(Ok(month)), Some(Ok(date))) =
            (parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        let valid = year > 0 && (1..=12).contains(&month) && (1..=31).contains(&date);
        valid.then(|| Self {
            year: year as u32,
            month: month - 1,
            date,
        })
    }

    /// As a date input shows it.
    pub(super) fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month + 1, self.date)
    }

    /// Its first millisecond, `after` days on.
    fn start(self, after: i32) -> i64 {
        js_sys::Date::new_with_year_month_day(self.year, self.month, self.date + after).get_time()
            as i64
    }
}

/// The periods offered.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Span {
    Week,
    Month,
    Quarter,
    Year,
    /// From the first day to the last, both included.
    Days(Day, Day),
}

impl Span {
    /// The periods offered by name (the chosen days besides).
    pub(super) const NAMED: [Span; 4] = [Span::Week, Span::Month, Span::Quarter, Span::Year];

    pub(super) fn label(self, lang: Lang) -> String {
        let t = lang.t();
        match self {
            Span::Week => t.period_week.to_owned(),
            Span::Month => t.period_month.to_owned(),
            Span::Quarter => t.period_quarter.to_owned(),
            Span::Year => t.period_year.to_owned(),
            Span::Days(first, last) => format!("{} – {}", first.iso(), last.iso()),
        }
    }

    /// The current week (from Monday), month, quarter or year, or the days chosen, in local
    /// time.
    pub(super) fn period(self, now: &js_sys::Date) -> Period {
        let today = Day::of(now.get_time() as i64);
        let first_of = |month: i32| Day {
            month,
            date: 1,
            ..today
        };
        let (from, to) = match self {
            Span::Week => {
                let back = (now.get_day() as i32 + 6) % 7;
                (today.start(-back), today.start(7 - back))
            }
            Span::Month => (
                first_of(today.month).start(0),
                first_of(today.month + 1).start(0),
            ),
            Span::Quarter => {
                let first = today.month - today.month % 3;
                (first_of(first).start(0), first_of(first + 3).start(0))
            }
            Span::Year => (first_of(0).start(0), first_of(12).start(0)),
            Span::Days(first, last) => (first.min(last).start(0), first.max(last).start(1)),
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
