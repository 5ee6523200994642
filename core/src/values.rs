//! Small validated values shared by the documents: text limits, dates, money.

use chrono::NaiveDate;

use crate::error::ModelError;

/// Milliseconds since the Unix epoch (UTC). Stored as an Automerge integer.
pub type Millis = i64;

/// One day in milliseconds.
pub const DAY_MS: Millis = 86_400_000;

/// Trims `input` and checks it is non-empty and at most `max` characters.
pub fn required_text(field: &'static str, input: &str, max: usize) -> Result<String, ModelError> {
    let text = optional_text(field, input, max)?;
    if text.is_empty() {
        return Err(ModelError::Empty { field });
    }
    Ok(text)
}

/// Trims `input` and checks it is at most `max` characters (empty is allowed).
pub fn optional_text(field: &'static str, input: &str, max: usize) -> Result<String, ModelError> {
    let text = input.trim();
    let chars = text.chars().count();
    if chars > max {
        return Err(ModelError::TooLong { field, chars, max });
    }
    Ok(text.to_owned())
}

/// Validates a calendar date written `YYYY-MM-DD`; returns it in that canonical form.
pub fn date(input: &str) -> Result<String, ModelError> {
    let text = input.trim();
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(_) if shaped => Ok(text.to_owned()),
        _ => Err(ModelError::InvalidDate {
            input: input.to_owned(),
        }),
    }
}

/// An amount of money in integer minor units (fen for CNY, cents for USD).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Money {
    /// Amount in minor units.
    pub minor: i64,
    /// ISO 4217 code, e.g. `CNY`.
    pub currency: String,
}

impl Money {
    /// A validated amount: a three-capital-letter currency code and an amount ≥ 0.
    pub fn new(field: &'static str, minor: i64, currency: &str) -> Result<Self, ModelError> {
        let currency = currency.trim();
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(ModelError::InvalidCurrency {
                input: currency.to_owned(),
            });
        }
        if minor < 0 {
            return Err(ModelError::NegativeAmount {
                field,
                amount_minor: minor,
            });
        }
        Ok(Self {
            minor,
            currency: currency.to_owned(),
        })
    }

    /// Renminbi.
    pub fn cny(minor: i64) -> Self {
        Self {
            minor,
            currency: "CNY".into(),
        }
    }
}

/// An amount typed in major units as people type them — `12800`, `12,800.5`, `12，800.50`,
/// `￥3,000`, `3000元`, `1.2万` (×10,000), `3千` or `3k` (×1,000), full-width digits — in minor
/// units (two decimals); `None` for anything else, for more precision than a cent, negative
/// amounts and overflow.
pub fn parse_amount(text: &str) -> Option<i64> {
    let mut clean: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | ' ' | '\u{3000}'))
        .map(|c| match c {
            // Full-width digits and point.
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' | '。' => '.',
            c => c,
        })
        .collect();
    for prefix in ["￥", "¥", "RMB", "CNY"] {
        if let Some(rest) = clean.strip_prefix(prefix) {
            clean = rest.to_owned();
        }
    }
    for suffix in ["元", "块", "RMB", "CNY"] {
        if let Some(rest) = clean.strip_suffix(suffix) {
            clean = rest.to_owned();
        }
    }
    let (number, unit) = match clean.chars().last()? {
        '万' | 'w' | 'W' => (
            &clean[..clean.len() - clean.chars().last()?.len_utf8()],
            10_000,
        ),
        '千' | 'k' | 'K' => (
            &clean[..clean.len() - clean.chars().last()?.len_utf8()],
            1_000,
        ),
        _ => (clean.as_str(), 1),
    };
    let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > 18 {
        return None;
    }
    // whole.frac × unit × 100, exactly: refused when it leaves a fraction of a cent.
    let scale = 10i128.checked_pow(frac.len() as u32)?;
    let number: i128 = format!("{whole}{frac}").parse().ok()?;
    let minor = number.checked_mul(unit * 100)?;
    if minor % scale != 0 {
        return None;
    }
    i64::try_from(minor / scale).ok()
}

/// An amount in minor units as [`parse_amount`] reads it back, for editing: `12800`,
/// `12800.5` → `12800.50`.
pub fn amount_text(minor: i64) -> String {
    match minor % 100 {
        0 => (minor / 100).to_string(),
        cents => format!("{}.{:02}", minor / 100, cents.abs()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn an_amount_typed_as_shown_reads_back(minor in 0i64..i64::MAX / 1000) {
            proptest::prop_assert_eq!(parse_amount(&amount_text(minor)), Some(minor));
        }
    }

    #[test]
    fn amounts_are_read_as_people_type_them() {
        let cases = [
            ("12800", Some(1_280_000)),
            ("12,800.5", Some(1_280_050)),
            ("12，800.50", Some(1_280_050)),
            ("￥3,000", Some(300_000)),
            ("¥ 3000", Some(300_000)),
            ("3000元", Some(300_000)),
            ("1.2万", Some(1_200_000)),
            ("1.2345万", Some(1_234_500)),
            ("3千", Some(300_000)),
            ("2.5k", Some(250_000)),
            ("8w", Some(8_000_000)),
            ("１２００", Some(120_000)),
            ("0.01", Some(1)),
            ("0.001", None),
            ("1.234567万", Some(1_234_567)),
            ("1.2345678万", None),
            ("-5", None),
            ("", None),
            ("万", None),
            ("12a", None),
            ("99999999999999999999", None),
        ];
        for (typed, minor) in cases {
            assert_eq!(parse_amount(typed), minor, "{typed:?}");
        }
    }

    #[test]
    fn text_limits_count_characters_not_bytes() {
        assert_eq!(required_text("name", " 王芳 ", 2).unwrap(), "王芳");
        assert_eq!(
            required_text("name", "  ", 10),
            Err(ModelError::Empty { field: "name" })
        );
        assert_eq!(
            optional_text("title", "总经理助理", 4),
            Err(ModelError::TooLong {
                field: "title",
                chars: 5,
                max: 4
            })
        );
    }

    #[test]
    fn dates_must_exist_on_the_calendar() {
        assert_eq!(date("2026-02-28").unwrap(), "2026-02-28");
        for bad in ["2026-02-30", "26-1-1", "tomorrow", ""] {
            assert!(matches!(date(bad), Err(ModelError::InvalidDate { .. })));
        }
    }

    #[test]
    fn money_needs_an_iso_code_and_no_negative_amount() {
        assert_eq!(Money::new("amount", 1999, "CNY").unwrap(), Money::cny(1999));
        assert!(matches!(
            Money::new("amount", 1, "rmb"),
            Err(ModelError::InvalidCurrency { .. })
        ));
        assert_eq!(
            Money::new("amount", -1, "USD"),
            Err(ModelError::NegativeAmount {
                field: "amount",
                amount_minor: -1
            })
        );
    }

    #[test]
    fn typed_amounts_become_minor_units() {
        assert_eq!(parse_amount("12800"), Some(1_280_000));
        assert_eq!(parse_amount(" 12,800.5 "), Some(1_280_050));
        assert_eq!(parse_amount("12，800.05"), Some(1_280_005));
        assert_eq!(parse_amount("0.99"), Some(99));
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            "",
            "-5",
            "1.234",
            "abc",
            "1e5",
            ".5",
            "99999999999999999999",
        ] {
            assert_eq!(parse_amount(bad), None, "{bad}");
        }
    }
}
