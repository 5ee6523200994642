//! Document ids as automerge-repo writes them: 16 bytes (a UUID) in base58check, and the
//! `automerge:` URL around them. A customer id (32 hex digits = the same 16 bytes) maps to one
//! one-to-one; the workspace document has a reserved id.

use std::fmt;

use sha2::{Digest, Sha256};

use crate::id::Id;
use crate::replica::WORKSPACE_DOC_ID;

/// The 16 bytes the workspace document travels under (all ones: never a random customer id,
/// which is a version-4-style random value, and never one of the demo ids).
const WORKSPACE_BYTES: [u8; 16] = [0xff; 16];

/// URL scheme automerge-repo uses for document links.
const URL_PREFIX: &str = "automerge:";

/// An automerge-repo document id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RepoDocId([u8; 16]);

/// Why text is not a document id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocIdError {
    /// Not base58check, or a checksum mismatch.
    #[error("document id {0:?} is not base58check")]
    Encoding(String),
    /// Valid base58check of the wrong length.
    #[error("document id {0:?} does not hold 16 bytes")]
    Length(String),
    /// A local id that has no automerge-repo form (not 32 hex digits).
    #[error("local document id {0:?} is not 32 hex digits")]
    Local(String),
}

impl RepoDocId {
    /// The id of the workspace document.
    pub const WORKSPACE: Self = Self(WORKSPACE_BYTES);

    /// Parses the base58check form, with or without the `automerge:` prefix.
    pub fn parse(text: &str) -> Result<Self, DocIdError> {
        let bare = text.strip_prefix(URL_PREFIX).unwrap_or(text);
        let bytes = (bs58::decode(bare).into_vec().ok())
            .filter(|raw| raw.len() >= 4)
            .and_then(|mut raw| {
                let check = raw.split_off(raw.len() - 4);
                (check == checksum(&raw)).then_some(raw)
            })
            .ok_or_else(|| DocIdError::Encoding(text.to_owned()))?;
        <[u8; 16]>::try_from(bytes)
            .map(Self)
            .map_err(|_| DocIdError::Length(text.to_owned()))
    }

    /// The id of local document `doc_id` (`workspace` or a 32-hex-digit customer id).
    pub fn from_local(doc_id: &str) -> Result<Self, DocIdError> {
        if doc_id == WORKSPACE_DOC_ID {
            return Ok(Self::WORKSPACE);
        }
        let bits = (doc_id.len() == 32
            && doc_id
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
        .then(|| u128::from_str_radix(doc_id, 16).ok())
        .flatten()
        .ok_or_else(|| DocIdError::Local(doc_id.to_owned()))?;
        Ok(Self(bits.to_be_bytes()))
    }

    /// The local document id: `workspace`, or the customer id as 32 hex digits.
    pub fn local(&self) -> String {
        if *self == Self::WORKSPACE {
            WORKSPACE_DOC_ID.to_owned()
        } else {
            Id::from_bits(u128::from_be_bytes(self.0)).to_string()
        }
    }

    /// The `automerge:` URL that automerge-repo's `Repo::find` accepts.
    pub fn url(&self) -> String {
        format!("{URL_PREFIX}{self}")
    }
}

impl fmt::Display for RepoDocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&check_encoded(&self.0))
    }
}

/// The four bytes base58check appends: the first of SHA-256 applied twice (computed here
/// with the `sha2` Automerge already brings, not another version of it).
fn checksum(bytes: &[u8]) -> [u8; 4] {
    let twice = Sha256::digest(Sha256::digest(bytes));
    [twice[0], twice[1], twice[2], twice[3]]
}

/// `bytes` in base58check.
fn check_encoded(bytes: &[u8]) -> String {
    bs58::encode([bytes, &checksum(bytes)].concat()).into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn matches_automerge_repo_encoding() {
        // `stringifyAutomergeUrl` of @automerge/automerge-repo 2.5.6 on these 16 bytes.
        let id = RepoDocId::from_local("6a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d").unwrap();
        assert_eq!(id.url(), "automerge:2UjnmEfAyifo3Zeu4j9tJii8wwgT");
        assert_eq!(RepoDocId::parse(&id.url()).unwrap(), id);
        assert_eq!(
            RepoDocId::WORKSPACE.url(),
            "automerge:4ZrjxJnU1LA5xSyrWMNuXTozYEvA"
        );
        assert_eq!(id.local(), "6a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d");
        assert_eq!(
            RepoDocId::from_local(WORKSPACE_DOC_ID).unwrap(),
            RepoDocId::WORKSPACE
        );
        assert_eq!(RepoDocId::WORKSPACE.local(), WORKSPACE_DOC_ID);
    }

    #[test]
    fn refuses_what_is_not_an_id() {
        assert!(matches!(
            RepoDocId::parse("not base58 0OIl"),
            Err(DocIdError::Encoding(_))
        ));
        let short = check_encoded(&[1u8; 8]);
        assert!(matches!(
            RepoDocId::parse(&short),
            Err(DocIdError::Length(_))
        ));
        let mut tampered = RepoDocId::WORKSPACE.to_string();
        tampered.replace_range(0..1, if tampered.starts_with('2') { "3" } else { "2" });
        assert!(RepoDocId::parse(&tampered).is_err());
        for local in ["c1", "ABCDEF0123456789ABCDEF0123456789", "xyz"] {
            assert!(matches!(
                RepoDocId::from_local(local),
                Err(DocIdError::Local(_))
            ));
        }
    }

    proptest! {
        #[test]
        fn every_customer_id_round_trips(bits in any::<u128>()) {
            prop_assume!(bits != u128::MAX);
            let local = Id::from_bits(bits).to_string();
            let id = RepoDocId::from_local(&local).unwrap();
            prop_assert_eq!(RepoDocId::parse(&id.to_string()).unwrap(), id);
            prop_assert_eq!(id.local(), local);
        }
    }
}
