//! What the server tells a device about a document beyond syncing it, as the data of an
//! `ephemeral` message from the server, which automerge-repo clients hand to the document's
//! handle:
//!
//! - [`Notice`]: the entries of the device's change it put back and why (CBOR:
//!   `{"restored": [{"path": "interactions.i1", "reason": "…"}]}`); the app shows it on the
//!   record;
//! - [`Erasure`]: the customer was erased, and this tombstone replaces every copy (CBOR:
//!   `{"erased": bytes}`); the device drops what it held;
//! - [`OUT_OF_SCOPE`]: the member may not read this customer (any more): the device drops
//!   it, its row and what it stored of it (CBOR: `{"out_of_scope": true}`).

use minicbor::{Decoder, Encoder};

use crate::policy::Breach;

/// Entries of one document the server put back after a device's change.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Notice {
    /// Each entry's path (keys joined by `.`) and the reason, in English.
    pub restored: Vec<(String, String)>,
}

impl Notice {
    /// The notice for these breaches.
    pub fn of(breaches: &[Breach]) -> Self {
        let restored = breaches
            .iter()
            .map(|b| (b.path.join("."), b.reason.to_owned()))
            .collect();
        Self { restored }
    }

    /// As ephemeral data.
    pub fn encode(&self) -> Vec<u8> {
        let mut e = Encoder::new(Vec::new());
        let written: Result<(), minicbor::encode::Error<std::convert::Infallible>> = (|| {
            e.map(1)?
                .str("restored")?
                .array(self.restored.len() as u64)?;
            for (path, reason) in &self.restored {
                e.map(2)?
                    .str("path")?
                    .str(path)?
                    .str("reason")?
                    .str(reason)?;
            }
            Ok(())
        })();
        written.expect("writing to a Vec cannot fail");
        e.into_writer()
    }

    /// Reads ephemeral data; `None` when it is not a notice (other ephemeral traffic).
    pub fn decode(data: &[u8]) -> Option<Self> {
        let mut d = Decoder::new(data);
        if d.map().ok()?? != 1 || d.str().ok()? != "restored" {
            return None;
        }
        let count = d.array().ok()??;
        let restored = (0..count)
            .map(|_| {
                let mut entry = (String::new(), String::new());
                for _ in 0..d.map().ok()?? {
                    let key = d.str().ok()?;
                    let value = d.str().ok()?.to_owned();
                    match key {
                        "path" => entry.0 = value,
                        "reason" => entry.1 = value,
                        _ => {}
                    }
                }
                Some(entry)
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Self { restored })
    }
}

/// A customer erased at the edge: its tombstone (a saved document), which replaces the
/// device's copy and everything it held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erasure {
    pub tombstone: Vec<u8>,
}

impl Erasure {
    /// As ephemeral data.
    pub fn encode(&self) -> Vec<u8> {
        let mut e = Encoder::new(Vec::new());
        let written: Result<_, minicbor::encode::Error<std::convert::Infallible>> = e
            .map(1)
            .and_then(|e| e.str("erased"))
            .and_then(|e| e.bytes(&self.tombstone));
        written.expect("writing to a Vec cannot fail");
        e.into_writer()
    }

    /// Reads ephemeral data; `None` when it is not an erasure.
    pub fn decode(data: &[u8]) -> Option<Self> {
        let mut d = Decoder::new(data);
        if d.map().ok()?? != 1 || d.str().ok()? != "erased" {
            return None;
        }
        let tombstone = d.bytes().ok()?.to_vec();
        Some(Self { tombstone })
    }
}

/// The customer is not the member's to read (see `policy::scope`).
pub const OUT_OF_SCOPE: &[u8] = b"\xa1\x6cout_of_scope\xf5";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_round_trip_and_other_data_is_not_one() {
        let notice = Notice {
            restored: vec![("profile.owner".into(), "only managers assign owners".into())],
        };
        assert_eq!(Notice::decode(&notice.encode()), Some(notice));
        assert_eq!(Notice::decode(b"\xa1\x61x\x01"), None);
        assert_eq!(Notice::decode(&[]), None);
    }

    #[test]
    fn out_of_scope_is_its_cbor_and_nothing_else() {
        let mut e = Encoder::new(Vec::new());
        e.map(1)
            .unwrap()
            .str("out_of_scope")
            .unwrap()
            .bool(true)
            .unwrap();
        assert_eq!(e.into_writer(), OUT_OF_SCOPE);
        assert_eq!(Notice::decode(OUT_OF_SCOPE), None);
        assert_eq!(Erasure::decode(OUT_OF_SCOPE), None);
    }

    #[test]
    fn erasures_round_trip_and_are_not_notices() {
        let erasure = Erasure {
            tombstone: vec![0x85, 0x6f, 0x4a, 0x83],
        };
        assert_eq!(Erasure::decode(&erasure.encode()), Some(erasure.clone()));
        assert_eq!(Notice::decode(&erasure.encode()), None);
        let notice = Notice { restored: vec![] };
        assert_eq!(Erasure::decode(&notice.encode()), None);
    }
}
