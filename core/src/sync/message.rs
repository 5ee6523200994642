//! The automerge-repo network protocol, version 1: CBOR maps with a `type` key, one message per
//! WebSocket binary frame. Decoding accepts exactly what `@automerge/automerge-repo` 2.x sends
//! (CBOR from `cbor-x`: definite maps, `undefined` for absent optionals, integers or floats for
//! counters) and refuses everything else with a specific error.
//!
//! One extension, between peers that both say so in their metadata (`manyPerFrame`): a frame
//! may carry several messages back to back (a CBOR sequence, [`pack`]), so that a first sync
//! of 100,000 documents is a few thousand frames, not 200,000 — each frame costs the edge's
//! runtime and the browser far more than the bytes in it.

use minicbor::data::Type;
use minicbor::{Decoder, Encoder};

use super::doc_id::{DocIdError, RepoDocId};

/// The protocol version this implementation speaks.
pub const PROTOCOL_VERSION: &str = "1";
/// Largest message accepted, in bytes (a whole customer document with years of history is
/// well under 1 MiB).
pub const MAX_MESSAGE_BYTES: usize = 8 * 1024 * 1024;
/// Longest accepted peer id, session id or error text, in bytes.
const MAX_TEXT_BYTES: usize = 1024;
/// Most bytes [`pack`] puts in one frame (a single larger message goes alone): ~100 whole
/// customer documents, a few tens of milliseconds of work for the receiving tab.
pub const PACKED_BYTES: usize = 256 * 1024;

/// What a peer says about itself in `join` and `peer`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PeerMetadata {
    /// Id of the storage behind the peer, if it has one it will come back with.
    pub storage_id: Option<String>,
    /// Whether the peer forgets everything when it disconnects.
    pub is_ephemeral: bool,
    /// Whether the peer reads frames that carry several messages (ours do; automerge-repo's
    /// do not, and never get one).
    pub many_per_frame: bool,
}

/// A sync (or request) message about one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocMessage {
    /// Who sends it.
    pub sender_id: String,
    /// Who it is for.
    pub target_id: String,
    /// The document.
    pub document_id: RepoDocId,
    /// An encoded `automerge::sync::Message`.
    pub data: Vec<u8>,
}

/// One protocol message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepoMessage {
    /// First message of a client: who it is and which versions it speaks.
    Join {
        sender_id: String,
        supported_protocol_versions: Vec<String>,
        peer_metadata: Option<PeerMetadata>,
    },
    /// The server's answer to `join`.
    Peer {
        sender_id: String,
        target_id: String,
        selected_protocol_version: String,
        peer_metadata: Option<PeerMetadata>,
    },
    /// The sender is about to disconnect.
    Leave { sender_id: String },
    /// The sender will close the connection because of `message`.
    Error { message: String },
    /// Sync from a peer that does not have the document yet (asks for it).
    Request(DocMessage),
    /// Sync between peers that both know the document.
    Sync(DocMessage),
    /// The sender does not have the requested document.
    DocUnavailable {
        sender_id: String,
        target_id: String,
        document_id: RepoDocId,
    },
    /// Presence data for a document (cursors, "who is looking"), relayed, never stored.
    Ephemeral {
        sender_id: String,
        target_id: String,
        count: u64,
        session_id: String,
        document_id: RepoDocId,
        data: Vec<u8>,
    },
    /// A message type this implementation accepts and ignores (`remote-heads-changed`,
    /// `remote-subscription-change`: storage-id gossip between servers).
    Ignored { kind: String },
}

/// Why a frame is not a protocol message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// Bigger than [`MAX_MESSAGE_BYTES`].
    #[error("message of {0} bytes is larger than the {MAX_MESSAGE_BYTES} byte limit")]
    TooLarge(usize),
    /// Not well-formed CBOR of the expected shape.
    #[error("malformed message: {0}")]
    Malformed(String),
    /// A required field is absent.
    #[error("{kind} message without {field}")]
    Missing {
        kind: &'static str,
        field: &'static str,
    },
    /// A `type` this protocol version does not have.
    #[error("unknown message type {0:?}")]
    UnknownType(String),
    /// A document id that is not an automerge-repo id.
    #[error(transparent)]
    DocumentId(#[from] DocIdError),
}

impl From<minicbor::decode::Error> for MessageError {
    fn from(e: minicbor::decode::Error) -> Self {
        Self::Malformed(e.to_string())
    }
}

/// The fields of a message map, as far as present.
#[derive(Default)]
struct Fields {
    kind: Option<String>,
    sender_id: Option<String>,
    target_id: Option<String>,
    document_id: Option<String>,
    data: Option<Vec<u8>>,
    versions: Option<Vec<String>>,
    selected_version: Option<String>,
    metadata: Option<PeerMetadata>,
    message: Option<String>,
    session_id: Option<String>,
    count: Option<u64>,
}

impl RepoMessage {
    /// Decodes a frame of one message.
    pub fn decode(frame: &[u8]) -> Result<Self, MessageError> {
        if frame.len() > MAX_MESSAGE_BYTES {
            return Err(MessageError::TooLarge(frame.len()));
        }
        let mut d = Decoder::new(frame);
        let fields = read_fields(&mut d)?;
        if d.position() != frame.len() {
            return Err(MessageError::Malformed(
                "trailing bytes after the message".into(),
            ));
        }
        fields.into_message()
    }

    /// Decodes a frame of one message or several back to back (see [`pack`]), each with the
    /// bytes of the frame it was read from.
    pub fn decode_all(frame: &[u8]) -> Result<Vec<(Self, std::ops::Range<usize>)>, MessageError> {
        if frame.len() > MAX_MESSAGE_BYTES {
            return Err(MessageError::TooLarge(frame.len()));
        }
        let mut d = Decoder::new(frame);
        let mut messages = Vec::new();
        loop {
            let start = d.position();
            let message = read_fields(&mut d)?.into_message()?;
            messages.push((message, start..d.position()));
            if d.position() == frame.len() {
                return Ok(messages);
            }
        }
    }

    /// Encodes the message as automerge-repo does (a CBOR map with text keys).
    pub fn encode(&self) -> Vec<u8> {
        let mut e = Encoder::new(Vec::new());
        let written: Result<(), minicbor::encode::Error<std::convert::Infallible>> = (|| {
            match self {
                Self::Join {
                    sender_id,
                    supported_protocol_versions,
                    peer_metadata,
                } => {
                    e.map(3 + u64::from(peer_metadata.is_some()))?;
                    e.str("type")?.str("join")?;
                    e.str("senderId")?.str(sender_id)?;
                    e.str("supportedProtocolVersions")?
                        .array(supported_protocol_versions.len() as u64)?;
                    for version in supported_protocol_versions {
                        e.str(version)?;
                    }
                    write_metadata(&mut e, peer_metadata.as_ref())?;
                }
                Self::Peer {
                    sender_id,
                    target_id,
                    selected_protocol_version,
                    peer_metadata,
                } => {
                    e.map(4 + u64::from(peer_metadata.is_some()))?;
                    e.str("type")?.str("peer")?;
                    e.str("senderId")?.str(sender_id)?;
                    e.str("targetId")?.str(target_id)?;
                    e.str("selectedProtocolVersion")?
                        .str(selected_protocol_version)?;
                    write_metadata(&mut e, peer_metadata.as_ref())?;
                }
                Self::Leave { sender_id } => {
                    e.map(2)?.str("type")?.str("leave")?;
                    e.str("senderId")?.str(sender_id)?;
                }
                Self::Error { message } => {
                    e.map(2)?.str("type")?.str("error")?;
                    e.str("message")?.str(message)?;
                }
                Self::Request(m) | Self::Sync(m) => {
                    let kind = if matches!(self, Self::Request(_)) {
                        "request"
                    } else {
                        "sync"
                    };
                    e.map(5)?.str("type")?.str(kind)?;
                    e.str("senderId")?.str(&m.sender_id)?;
                    e.str("targetId")?.str(&m.target_id)?;
                    e.str("documentId")?.str(&m.document_id.to_string())?;
                    e.str("data")?.bytes(&m.data)?;
                }
                Self::DocUnavailable {
                    sender_id,
                    target_id,
                    document_id,
                } => {
                    e.map(4)?.str("type")?.str("doc-unavailable")?;
                    e.str("senderId")?.str(sender_id)?;
                    e.str("targetId")?.str(target_id)?;
                    e.str("documentId")?.str(&document_id.to_string())?;
                }
                Self::Ephemeral {
                    sender_id,
                    target_id,
                    count,
                    session_id,
                    document_id,
                    data,
                } => {
                    e.map(7)?.str("type")?.str("ephemeral")?;
                    e.str("senderId")?.str(sender_id)?;
                    e.str("targetId")?.str(target_id)?;
                    e.str("count")?.u64(*count)?;
                    e.str("sessionId")?.str(session_id)?;
                    e.str("documentId")?.str(&document_id.to_string())?;
                    e.str("data")?.bytes(data)?;
                }
                Self::Ignored { kind } => {
                    e.map(1)?.str("type")?.str(kind)?;
                }
            }
            Ok(())
        })();
        written.expect("writing CBOR into a Vec cannot fail");
        e.into_writer()
    }
}

fn write_metadata(
    e: &mut Encoder<Vec<u8>>,
    metadata: Option<&PeerMetadata>,
) -> Result<(), minicbor::encode::Error<std::convert::Infallible>> {
    let Some(metadata) = metadata else {
        return Ok(());
    };
    let fields = 1 + u64::from(metadata.storage_id.is_some()) + u64::from(metadata.many_per_frame);
    e.str("peerMetadata")?.map(fields)?;
    if let Some(storage_id) = &metadata.storage_id {
        e.str("storageId")?.str(storage_id)?;
    }
    e.str("isEphemeral")?.bool(metadata.is_ephemeral)?;
    if metadata.many_per_frame {
        e.str("manyPerFrame")?.bool(true)?;
    }
    Ok(())
}

/// Encoded messages packed into as few frames as [`PACKED_BYTES`] allows, in order, for a
/// peer that reads several messages per frame.
pub fn pack(messages: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    let mut frames: Vec<Vec<u8>> = Vec::new();
    for message in messages {
        match frames.last_mut() {
            Some(frame) if frame.len() + message.len() <= PACKED_BYTES => {
                frame.extend_from_slice(&message);
            }
            _ => frames.push(message),
        }
    }
    frames
}

/// Reads the top-level map into [`Fields`], skipping keys this protocol does not use.
fn read_fields(d: &mut Decoder<'_>) -> Result<Fields, MessageError> {
    let len = definite(d.map()?, "message map")?;
    let mut f = Fields::default();
    for _ in 0..len {
        let key = d.str()?;
        if is_absent(d)? {
            continue;
        }
        match key {
            "type" => f.kind = Some(text(d)?),
            "senderId" => f.sender_id = Some(text(d)?),
            "targetId" => f.target_id = Some(text(d)?),
            "documentId" => f.document_id = Some(text(d)?),
            "selectedProtocolVersion" => f.selected_version = Some(text(d)?),
            "message" => f.message = Some(text(d)?),
            "sessionId" => f.session_id = Some(text(d)?),
            "data" => f.data = Some(d.bytes()?.to_vec()),
            "count" => f.count = Some(counter(d)?),
            "supportedProtocolVersions" => {
                let n = definite(d.array()?, "supportedProtocolVersions")?;
                f.versions = Some((0..n).map(|_| text(d)).collect::<Result<_, _>>()?);
            }
            "peerMetadata" => f.metadata = Some(read_metadata(d)?),
            _ => d.skip()?,
        }
    }
    Ok(f)
}

fn read_metadata(d: &mut Decoder<'_>) -> Result<PeerMetadata, MessageError> {
    let len = definite(d.map()?, "peerMetadata")?;
    let mut metadata = PeerMetadata::default();
    for _ in 0..len {
        let key = d.str()?;
        if is_absent(d)? {
            continue;
        }
        match key {
            "storageId" => metadata.storage_id = Some(text(d)?),
            "isEphemeral" => metadata.is_ephemeral = d.bool()?,
            "manyPerFrame" => metadata.many_per_frame = d.bool()?,
            _ => d.skip()?,
        }
    }
    Ok(metadata)
}

/// Consumes a `null` / `undefined` value (how JavaScript writes an absent optional).
fn is_absent(d: &mut Decoder<'_>) -> Result<bool, MessageError> {
    match d.datatype()? {
        Type::Null | Type::Undefined => {
            d.skip()?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

fn text(d: &mut Decoder<'_>) -> Result<String, MessageError> {
    let s = d.str()?;
    if s.len() > MAX_TEXT_BYTES {
        return Err(MessageError::Malformed(format!(
            "text field of {} bytes (at most {MAX_TEXT_BYTES})",
            s.len()
        )));
    }
    Ok(s.to_owned())
}

/// A non-negative integer that JavaScript may have written as a float.
fn counter(d: &mut Decoder<'_>) -> Result<u64, MessageError> {
    match d.datatype()? {
        Type::F16 | Type::F32 | Type::F64 => {
            let x = d.f64()?;
            if x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x < 2f64.powi(53) {
                Ok(x as u64)
            } else {
                Err(MessageError::Malformed(format!(
                    "count {x} is not a counter"
                )))
            }
        }
        _ => Ok(d.u64()?),
    }
}

fn definite(len: Option<u64>, what: &str) -> Result<u64, MessageError> {
    len.ok_or_else(|| MessageError::Malformed(format!("indefinite-length {what}")))
}

impl Fields {
    fn into_message(self) -> Result<RepoMessage, MessageError> {
        let kind = self.kind.clone().ok_or(MessageError::Missing {
            kind: "a",
            field: "type",
        })?;
        Ok(match kind.as_str() {
            "join" => RepoMessage::Join {
                sender_id: self.required("join", "senderId", &self.sender_id)?,
                supported_protocol_versions: self.versions.clone().ok_or(
                    MessageError::Missing {
                        kind: "join",
                        field: "supportedProtocolVersions",
                    },
                )?,
                peer_metadata: self.metadata,
            },
            "peer" => RepoMessage::Peer {
                sender_id: self.required("peer", "senderId", &self.sender_id)?,
                target_id: self.required("peer", "targetId", &self.target_id)?,
                selected_protocol_version: self.required(
                    "peer",
                    "selectedProtocolVersion",
                    &self.selected_version,
                )?,
                peer_metadata: self.metadata,
            },
            "leave" => RepoMessage::Leave {
                sender_id: self.required("leave", "senderId", &self.sender_id)?,
            },
            "error" => RepoMessage::Error {
                message: self.message.unwrap_or_default(),
            },
            "request" => RepoMessage::Request(self.doc_message("request")?),
            "sync" => RepoMessage::Sync(self.doc_message("sync")?),
            "doc-unavailable" => RepoMessage::DocUnavailable {
                sender_id: self.required("doc-unavailable", "senderId", &self.sender_id)?,
                target_id: self.required("doc-unavailable", "targetId", &self.target_id)?,
                document_id: self.document_id("doc-unavailable")?,
            },
            "ephemeral" => RepoMessage::Ephemeral {
                sender_id: self.required("ephemeral", "senderId", &self.sender_id)?,
                target_id: self.required("ephemeral", "targetId", &self.target_id)?,
                count: self.count.ok_or(MessageError::Missing {
                    kind: "ephemeral",
                    field: "count",
                })?,
                session_id: self.required("ephemeral", "sessionId", &self.session_id)?,
                document_id: self.document_id("ephemeral")?,
                data: self.data.ok_or(MessageError::Missing {
                    kind: "ephemeral",
                    field: "data",
                })?,
            },
            "remote-heads-changed" | "remote-subscription-change" => RepoMessage::Ignored { kind },
            _ => return Err(MessageError::UnknownType(kind)),
        })
    }

    fn required(
        &self,
        kind: &'static str,
        field: &'static str,
        value: &Option<String>,
    ) -> Result<String, MessageError> {
        value.clone().ok_or(MessageError::Missing { kind, field })
    }

    fn document_id(&self, kind: &'static str) -> Result<RepoDocId, MessageError> {
        let text = self.required(kind, "documentId", &self.document_id)?;
        Ok(RepoDocId::parse(&text)?)
    }

    fn doc_message(self, kind: &'static str) -> Result<DocMessage, MessageError> {
        Ok(DocMessage {
            sender_id: self.required(kind, "senderId", &self.sender_id)?,
            target_id: self.required(kind, "targetId", &self.target_id)?,
            document_id: self.document_id(kind)?,
            data: self.data.ok_or(MessageError::Missing {
                kind,
                field: "data",
            })?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn doc() -> RepoDocId {
        RepoDocId::from_local("6a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d").unwrap()
    }

    /// Messages packed into frames come back in order, each with its own bytes; a frame
    /// stays within [`PACKED_BYTES`] unless one message alone is larger; a peer that reads
    /// one message per frame refuses a packed one; a bad message spoils its frame.
    #[test]
    fn packed_messages_come_back_in_order() {
        let message = |n: usize, len: usize| {
            RepoMessage::Sync(DocMessage {
                sender_id: format!("app-{n}"),
                target_id: "edge".into(),
                document_id: doc(),
                data: vec![7; len],
            })
        };
        let messages: Vec<RepoMessage> = (0..300)
            .map(|n| message(n, if n == 150 { PACKED_BYTES + 10 } else { 2_000 }))
            .collect();
        let frames = pack(messages.iter().map(RepoMessage::encode).collect());
        assert!(frames.len() < 10, "{} frames", frames.len());
        let mut back = Vec::new();
        for frame in &frames {
            let decoded = RepoMessage::decode_all(frame).unwrap();
            assert!(frame.len() <= PACKED_BYTES || decoded.len() == 1);
            for (message, bytes) in decoded {
                assert_eq!(RepoMessage::decode(&frame[bytes]).unwrap(), message);
                back.push(message);
            }
        }
        assert_eq!(back, messages);
        assert_eq!(
            RepoMessage::decode(&frames[0]),
            Err(MessageError::Malformed(
                "trailing bytes after the message".into()
            ))
        );
        let mut spoilt = message(0, 10).encode();
        spoilt.extend_from_slice(&[0xa1, 0x61]);
        assert!(RepoMessage::decode_all(&spoilt).is_err());
    }

    #[test]
    fn every_message_round_trips() {
        let sync = DocMessage {
            sender_id: "app-1".into(),
            target_id: "edge".into(),
            document_id: doc(),
            data: vec![0x43, 1, 2],
        };
        let meta = Some(PeerMetadata {
            storage_id: Some("s-1".into()),
            is_ephemeral: false,
            many_per_frame: false,
        });
        for message in [
            RepoMessage::Join {
                sender_id: "app-1".into(),
                supported_protocol_versions: vec!["1".into()],
                peer_metadata: Some(PeerMetadata {
                    storage_id: None,
                    is_ephemeral: false,
                    many_per_frame: true,
                }),
            },
            RepoMessage::Peer {
                sender_id: "edge".into(),
                target_id: "app-1".into(),
                selected_protocol_version: "1".into(),
                peer_metadata: meta,
            },
            RepoMessage::Leave {
                sender_id: "app-1".into(),
            },
            RepoMessage::Error {
                message: "bad".into(),
            },
            RepoMessage::Request(sync.clone()),
            RepoMessage::Sync(sync),
            RepoMessage::DocUnavailable {
                sender_id: "edge".into(),
                target_id: "app-1".into(),
                document_id: doc(),
            },
            RepoMessage::Ephemeral {
                sender_id: "a".into(),
                target_id: "b".into(),
                count: 7,
                session_id: "s".into(),
                document_id: doc(),
                data: vec![1],
            },
        ] {
            assert_eq!(RepoMessage::decode(&message.encode()).unwrap(), message);
        }
    }

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    /// Frames exactly as `cbor.encode` of @automerge/automerge-repo 2.5.6 writes them in Node
    /// (16-bit map lengths, `undefined` for an absent storage id, a float for a large count).
    #[test]
    fn decodes_what_the_javascript_client_sends() {
        let join = hex(concat!(
            "b900046474797065646a6f696e6873656e646572496467706565722d6a736c706565724d6574",
            "6164617461b900026973746f726167654964f76b6973457068656d6572616cf5781973757070",
            "6f7274656450726f746f636f6c56657273696f6e73816131"
        ));
        assert_eq!(
            RepoMessage::decode(&join).unwrap(),
            RepoMessage::Join {
                sender_id: "peer-js".into(),
                supported_protocol_versions: vec!["1".into()],
                peer_metadata: Some(PeerMetadata {
                    storage_id: None,
                    is_ephemeral: true,
                    many_per_frame: false,
                }),
            }
        );
        let sync = hex(concat!(
            "b9000564747970656473796e636873656e646572496467706565722d6a736874617267657449",
            "6464656467656a646f63756d656e744964781c32556a6e6d4566417969666f335a6575346a39",
            "744a69693877776754646461746143430102"
        ));
        assert_eq!(
            RepoMessage::decode(&sync).unwrap(),
            RepoMessage::Sync(DocMessage {
                sender_id: "peer-js".into(),
                target_id: "edge".into(),
                document_id: doc(),
                data: vec![0x43, 1, 2],
            })
        );
        let ephemeral = hex(concat!(
            "b90007647479706569657068656d6572616c6873656e64657249646161687461726765744964",
            "616265636f756e74fb42700000000000006973657373696f6e496461736a646f63756d656e74",
            "4964781c32556a6e6d4566417969666f335a6575346a39744a6969387777675464646174614101"
        ));
        assert!(matches!(
            RepoMessage::decode(&ephemeral).unwrap(),
            RepoMessage::Ephemeral { count, .. } if count == 1 << 40
        ));
    }

    #[test]
    fn refuses_malformed_messages_specifically() {
        assert!(matches!(
            RepoMessage::decode(&[]),
            Err(MessageError::Malformed(_))
        ));
        let no_type = {
            let mut e = Encoder::new(Vec::new());
            e.map(1).unwrap().str("senderId").unwrap().str("x").unwrap();
            e.into_writer()
        };
        assert!(matches!(
            RepoMessage::decode(&no_type),
            Err(MessageError::Missing { field: "type", .. })
        ));
        let unknown = RepoMessage::Ignored {
            kind: "teleport".into(),
        }
        .encode();
        assert_eq!(
            RepoMessage::decode(&unknown),
            Err(MessageError::UnknownType("teleport".into()))
        );
        let mut trailing = RepoMessage::Leave {
            sender_id: "x".into(),
        }
        .encode();
        trailing.push(0);
        assert!(matches!(
            RepoMessage::decode(&trailing),
            Err(MessageError::Malformed(_))
        ));
        let huge = vec![0u8; MAX_MESSAGE_BYTES + 1];
        assert_eq!(
            RepoMessage::decode(&huge),
            Err(MessageError::TooLarge(MAX_MESSAGE_BYTES + 1))
        );
        // A million nested arrays in an unknown key must not overflow the stack.
        let mut nested = vec![0xa2, 0x64];
        nested.extend_from_slice(b"type");
        nested.extend_from_slice(&[0x64]);
        nested.extend_from_slice(b"sync");
        nested.push(0x61);
        nested.push(b'x');
        nested.extend(std::iter::repeat_n(0x81, 1_000_000));
        nested.push(0);
        assert!(RepoMessage::decode(&nested).is_err());
    }

    proptest! {
        #[test]
        fn decoding_random_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = RepoMessage::decode(&bytes);
        }

        #[test]
        fn decoding_corrupted_messages_never_panics(flip in any::<usize>(), cut in any::<usize>()) {
            let mut bytes = RepoMessage::Sync(DocMessage {
                sender_id: "app".into(),
                target_id: "edge".into(),
                document_id: doc(),
                data: vec![1, 2, 3],
            })
            .encode();
            let i = flip % bytes.len();
            bytes[i] ^= 0x5a;
            bytes.truncate(cut % (bytes.len() + 1));
            let _ = RepoMessage::decode(&bytes);
        }
    }
}
