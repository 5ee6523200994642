//! Contact points: what was typed, and the normalised form used to find duplicates.

use crate::error::ModelError;
use crate::string_enum::string_enum;
use crate::values::optional_text;

string_enum! {
    /// The channel a contact point reaches the customer on.
    pub enum ContactKind fallback Other {
        Phone => "phone",
        Email => "email",
        WeChat => "wechat",
        WeCom => "wecom",
        Douyin => "douyin",
        Xiaohongshu => "xiaohongshu",
        Address => "address",
        Other => "other",
    }
}

/// Longest accepted handle or address, in characters.
const MAX_VALUE_CHARS: usize = 200;

/// Validates `input` for `kind` and returns `(as typed, normalised)`.
///
/// - phone: `e164` is its E.164 form (`+8613812345678`) as found by [`to_e164`], checked here
///   only for that shape: the numbering plans behind `to_e164` are large, so the browser app
///   loads them on demand in a worker (`crm-worker`) instead of in its bundle;
/// - email: `local@domain.tld`, lower-cased;
/// - WeChat / WeCom / Douyin / Xiaohongshu: no spaces, a leading `@` dropped, lower-cased;
/// - address and other: whitespace collapsed.
pub fn normalize(
    kind: ContactKind,
    input: &str,
    e164: Option<&str>,
) -> Result<(String, String), ModelError> {
    let typed = optional_text("contact value", input, MAX_VALUE_CHARS)?;
    if typed.is_empty() {
        return Err(ModelError::Empty {
            field: "contact value",
        });
    }
    let normalized = match kind {
        ContactKind::Phone => match e164 {
            Some(e164) if is_e164(e164) => e164.to_owned(),
            _ => return Err(ModelError::InvalidPhone { input: typed }),
        },
        ContactKind::Email => email(&typed)?,
        ContactKind::WeChat => handle("WeChat", &typed)?,
        ContactKind::WeCom => handle("WeCom", &typed)?,
        ContactKind::Douyin => handle("Douyin", &typed)?,
        ContactKind::Xiaohongshu => handle("Xiaohongshu", &typed)?,
        ContactKind::Address | ContactKind::Other => {
            typed.split_whitespace().collect::<Vec<_>>().join(" ")
        }
    };
    Ok((typed, normalized))
}

/// A contact point with its middle hidden: `+86138****5678`, `z***@example.com`, `w***`.
pub fn mask(kind: ContactKind, value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    match kind {
        ContactKind::Phone if chars.len() > 7 => {
            let (head, tail) = (chars.len() - 8, chars.len() - 4);
            let kept: String = chars[..head].iter().collect();
            let end: String = chars[tail..].iter().collect();
            format!("{kept}****{end}")
        }
        ContactKind::Email => match value.split_once('@') {
            Some((user, domain)) => {
                format!("{}***@{domain}", user.chars().next().unwrap_or('*'))
            }
            None => "***".into(),
        },
        _ => format!("{}***", chars.first().copied().unwrap_or('*')),
    }
}

/// Whether `value` has the shape of an E.164 number: `+`, a country code not starting with
/// 0, at most 15 digits in all.
pub fn is_e164(value: &str) -> bool {
    value.strip_prefix('+').is_some_and(|digits| {
        (7..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0')
    })
}

/// A phone number as typed, parsed with China as the default region, checked against the
/// numbering plans and written in E.164 (`138 1234 5678` → `+8613812345678`).
#[cfg(feature = "phone")]
pub fn to_e164(input: &str) -> Result<String, ModelError> {
    use phonenumber::country::Id as Country;
    let invalid = || ModelError::InvalidPhone {
        input: input.trim().to_owned(),
    };
    let number = phonenumber::parse(Some(Country::CN), input).map_err(|_| invalid())?;
    if !phonenumber::is_valid(&number) {
        return Err(invalid());
    }
    Ok(number.format().mode(phonenumber::Mode::E164).to_string())
}

fn email(input: &str) -> Result<String, ModelError> {
    let lower = input.to_lowercase();
    let valid = match lower.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !lower.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if valid {
        Ok(lower)
    } else {
        Err(ModelError::InvalidEmail {
            input: input.to_owned(),
        })
    }
}

fn handle(kind: &'static str, input: &str) -> Result<String, ModelError> {
    let bare = input.strip_prefix('@').unwrap_or(input);
    if bare.is_empty() || bare.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ModelError::InvalidHandle {
            kind,
            input: input.to_owned(),
        });
    }
    Ok(bare.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(kind: ContactKind, input: &str) -> Result<String, ModelError> {
        let e164 = (kind == ContactKind::Phone)
            .then(|| to_e164(input))
            .transpose()?;
        normalize(kind, input, e164.as_deref()).map(|(_, n)| n)
    }

    #[test]
    fn phones_become_e164_with_china_as_default_region() {
        assert_eq!(
            norm(ContactKind::Phone, "138 1234 5678").unwrap(),
            "+8613812345678"
        );
        assert_eq!(
            norm(ContactKind::Phone, "+86 138-1234-5678").unwrap(),
            "+8613812345678"
        );
        assert_eq!(
            norm(ContactKind::Phone, "010 6552 9988").unwrap(),
            "+861065529988"
        );
        assert_eq!(
            norm(ContactKind::Phone, "+852 9123 4567").unwrap(),
            "+85291234567"
        );
        for bad in ["12345", "not a phone", "+86 999"] {
            assert_eq!(
                norm(ContactKind::Phone, bad),
                Err(ModelError::InvalidPhone { input: bad.into() })
            );
        }
    }

    #[test]
    fn a_phone_is_taken_only_with_an_e164_form() {
        let typed = "138 1234 5678";
        assert_eq!(
            normalize(ContactKind::Phone, typed, Some("+8613812345678")).unwrap(),
            (typed.to_owned(), "+8613812345678".to_owned())
        );
        for e164 in [
            None,
            Some("13812345678"),
            Some("+0123456789"),
            Some("+86 138"),
            Some("+1234"),
        ] {
            assert_eq!(
                normalize(ContactKind::Phone, typed, e164),
                Err(ModelError::InvalidPhone {
                    input: typed.into()
                })
            );
        }
    }

    #[test]
    fn emails_are_lower_cased_and_checked() {
        let (typed, normalized) =
            normalize(ContactKind::Email, " Li.Na@Example.COM ", None).unwrap();
        assert_eq!(
            (typed.as_str(), normalized.as_str()),
            ("Li.Na@Example.COM", "li.na@example.com")
        );
        for bad in ["li.na", "a@b", "a@@b.com", "a b@c.com", "@c.com", "a@.com"] {
            assert_eq!(
                norm(ContactKind::Email, bad),
                Err(ModelError::InvalidEmail { input: bad.into() })
            );
        }
    }

    #[test]
    fn handles_drop_the_at_sign_and_refuse_spaces() {
        assert_eq!(
            norm(ContactKind::Douyin, "@ShopZhang").unwrap(),
            "shopzhang"
        );
        assert_eq!(norm(ContactKind::WeChat, "wxid_AB12").unwrap(), "wxid_ab12");
        assert_eq!(
            norm(ContactKind::WeChat, "zhang wei"),
            Err(ModelError::InvalidHandle {
                kind: "WeChat",
                input: "zhang wei".into()
            })
        );
        assert_eq!(
            norm(ContactKind::Xiaohongshu, "   "),
            Err(ModelError::Empty {
                field: "contact value"
            })
        );
    }

    #[test]
    fn addresses_keep_their_text_with_whitespace_collapsed() {
        assert_eq!(
            norm(ContactKind::Address, "上海市  浦东新区\n世纪大道 100 号").unwrap(),
            "上海市 浦东新区 世纪大道 100 号"
        );
    }
}
