//! What the server tells a device about a change of its that it did not keep as sent: the
//! entries it put back and why. Carried as the data of an `ephemeral` message from the server
//! (CBOR: `{"restored": [{"path": "interactions.i1", "reason": "…"}]}`), which automerge-repo
//! clients hand to the document's handle and the app shows on the record.

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
}
