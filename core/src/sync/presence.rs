//! Presence: who has a customer open and which card they are working in (and, in the notes,
//! where their cursor is), sent between devices as automerge-repo `ephemeral` messages for the
//! customer's document and never stored. CBOR: `{"presence": {"member": "…", "card": "…",
//! "cursor": n}}` — an empty `card` while only looking, no `cursor` outside the notes. A
//! device repeats its presence every [`REPEAT_MS`] while its person is active and sends
//! [`Presence::left`] when it leaves; others forget a presence not repeated within
//! [`FORGET_MS`] (so an idle or vanished device is gone within 30 s, and a workspace whose
//! people sit still lets the edge hibernate). The server relays a presence
//! only under the member of the socket's token, so no device speaks for another.

use minicbor::{Decoder, Encoder};

use crate::values::Millis;

/// How often a device repeats its presence while a customer stays open and its person active.
pub const REPEAT_MS: Millis = 15_000;
/// How long a presence lasts unless repeated.
pub const FORGET_MS: Millis = 25_000;
/// The `card` of a device that left the customer.
const LEFT: &str = "-";

/// One device's presence on one customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presence {
    /// The member, as the socket's token names them.
    pub member: String,
    /// The card being worked in (`notes`, `profile`, …), empty while only looking.
    pub card: String,
    /// The cursor's offset in characters, in a text being typed.
    pub cursor: Option<u32>,
}

impl Presence {
    /// The presence that says `member` left the customer.
    pub fn left(member: &str) -> Self {
        Self {
            member: member.to_owned(),
            card: LEFT.to_owned(),
            cursor: None,
        }
    }

    /// Whether it says its member left.
    pub fn is_left(&self) -> bool {
        self.card == LEFT
    }

    /// As ephemeral data.
    pub fn encode(&self) -> Vec<u8> {
        let mut e = Encoder::new(Vec::new());
        let fields = 2 + u64::from(self.cursor.is_some());
        let written: Result<_, minicbor::encode::Error<std::convert::Infallible>> = (|| {
            e.map(1)?.str("presence")?.map(fields)?;
            e.str("member")?.str(&self.member)?;
            e.str("card")?.str(&self.card)?;
            if let Some(cursor) = self.cursor {
                e.str("cursor")?.u32(cursor)?;
            }
            Ok(())
        })();
        written.expect("writing to a Vec cannot fail");
        e.into_writer()
    }

    /// Reads ephemeral data; `None` when it is not a presence.
    pub fn decode(data: &[u8]) -> Option<Self> {
        let mut d = Decoder::new(data);
        if d.map().ok()?? != 1 || d.str().ok()? != "presence" {
            return None;
        }
        let mut presence = Self {
            member: String::new(),
            card: String::new(),
            cursor: None,
        };
        for _ in 0..d.map().ok()?? {
            match d.str().ok()? {
                "member" => presence.member = d.str().ok()?.to_owned(),
                "card" => presence.card = d.str().ok()?.to_owned(),
                "cursor" => presence.cursor = Some(d.u32().ok()?),
                _ => d.skip().ok()?,
            }
        }
        (!presence.member.is_empty()).then_some(presence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::notice::Notice;

    #[test]
    fn presence_round_trips_and_is_not_other_ephemeral_data() {
        let typing = Presence {
            member: "manager".into(),
            card: "notes".into(),
            cursor: Some(120),
        };
        assert_eq!(Presence::decode(&typing.encode()), Some(typing.clone()));
        let looking = Presence {
            card: String::new(),
            cursor: None,
            ..typing.clone()
        };
        assert_eq!(Presence::decode(&looking.encode()), Some(looking));
        let left = Presence::left("manager");
        assert!(Presence::decode(&left.encode()).unwrap().is_left());
        assert_eq!(Notice::decode(&typing.encode()), None);
        assert_eq!(Presence::decode(&Notice::default().encode()), None);
        assert_eq!(Presence::decode(b"\xa1\x68presence\xa0"), None, "no member");
    }
}
