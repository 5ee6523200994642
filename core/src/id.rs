//! Identifiers of documents and of entities inside them.

use std::fmt;

use crate::error::ModelError;

/// Longest accepted id.
pub const MAX_ID_LEN: usize = 64;

/// A validated id: 1–64 characters from `[A-Za-z0-9_-]`, so it is safe as a map key, in a URL
/// and in a file name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id(String);

impl Id {
    /// Validates `input` as an id.
    pub fn parse(input: &str) -> Result<Self, ModelError> {
        let ok = !input.is_empty()
            && input.len() <= MAX_ID_LEN
            && input
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(input.to_owned()))
        } else {
            Err(ModelError::InvalidId {
                input: input.to_owned(),
            })
        }
    }

    /// A fresh random id (128 bits, 32 hex digits).
    pub fn random() -> Self {
        Self(automerge::ActorId::random().to_hex_string())
    }

    /// A deterministic id from 128 bits, for seeded generators and tests.
    pub fn from_bits(bits: u128) -> Self {
        Self(format!("{bits:032x}"))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Id {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_slugs_and_refuses_the_rest() {
        assert_eq!(Id::parse("deal_01-a").unwrap().as_str(), "deal_01-a");
        for bad in ["", "has space", "斜/杠", &"x".repeat(MAX_ID_LEN + 1)] {
            assert!(matches!(Id::parse(bad), Err(ModelError::InvalidId { .. })));
        }
        assert_eq!(Id::random().as_str().len(), 32);
        assert_eq!(
            Id::from_bits(255).as_str(),
            "000000000000000000000000000000ff"
        );
    }
}
