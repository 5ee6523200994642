//! Sync answers the server gives from what is stored, without loading the document — the two
//! cases that dominate when a device (re)connects to a big workspace:
//!
//! - the device has nothing: the stored snapshot and changes go out as they are, in one
//!   message, under the stored heads;
//! - the device reports exactly the stored heads: it is up to date.
//!
//! Each leaves the connection's [`sync::State`] as `automerge` itself would after receiving the
//! device's message and generating its answer, so the ordinary path takes over seamlessly once
//! the document is loaded. The one difference: the first answer carries no bloom filter of the
//! server's changes (it would need the loaded document), so the device's next edit of that
//! document costs one extra round trip while the server asks for it.
//!
//! The device side mirrors it: a document that arrives whole is kept as bytes
//! ([`accept_whole`]), and a kept document answers from its heads ([`report`]) as long as the
//! server needs nothing else from it.

use automerge::ChangeHash;
use automerge::sync::{self, BloomFilter, Capability, Have, MessageFlags, MessageVersion};

use super::server::Stored;

/// Whether `message` only reports heads: no changes, nothing needed.
pub fn is_report(message: &sync::Message) -> bool {
    message.changes.is_empty() && message.need.is_empty()
}

/// Whether `message` only reports exactly `heads` (sorted).
pub fn reports(message: &sync::Message, heads: &[ChangeHash]) -> bool {
    is_report(message) && sorted(&message.heads) == heads
}

/// Whether `message` restarts the exchange (automerge's `SYNC_RESET` flag, which a device
/// sets to check that it is level: see [`super::SyncClient::probe`]): the receiver answers it
/// even when it has nothing new to say.
pub fn asks_answer(message: &sync::Message) -> bool {
    message
        .flags
        .is_some_and(|flags| flags.contains(MessageFlags::SYNC_RESET))
}

/// Whether `message` is a [`whole_document`] answer: a whole document and its heads, with
/// nothing asked in return.
pub fn is_whole(message: &sync::Message) -> bool {
    !message.changes.is_empty()
        && !message.heads.is_empty()
        && message.need.is_empty()
        && message.have.is_empty()
}

/// The changes `message` carries as one run of bytes (a [`whole_document`] answer: the
/// document's saved bytes), copied chunk by chunk.
pub fn joined(message: &sync::Message) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(message.changes.iter().map(<[u8]>::len).sum());
    for chunk in message.changes.iter() {
        bytes.extend_from_slice(chunk);
    }
    bytes
}

/// What receiving a [`whole_document`] answer does to a device's `state` when the device keeps
/// the document as bytes: it now has, and shares, the message's heads, and the server knows it
/// (it sent them), so there is nothing to acknowledge.
pub fn accept_whole(message: &sync::Message, state: &mut sync::State) {
    receive_level(message, &sorted(&message.heads), state);
    state.have_responded = true;
}

/// Whether a device holding a document at `heads` (sorted) can answer from them alone: the
/// heads are shared and the other side asked for nothing but to know them.
pub fn can_report(heads: &[ChangeHash], state: &sync::State) -> bool {
    let known = |last_sync: &[ChangeHash]| sorted(last_sync) == heads;
    sorted(&state.shared_heads) == heads
        && state.their_need.as_ref().is_none_or(Vec::is_empty)
        && state
            .their_have
            .as_ref()
            .is_none_or(|have| have.iter().all(|h| known(&h.last_sync)))
}

/// What `generate_sync_message` would send from a document at `heads` that shares them (see
/// [`can_report`]): our heads, until the other side has them.
pub fn report(heads: &[ChangeHash], state: &mut sync::State) -> Option<sync::Message> {
    let unchanged = state.last_sent_heads == heads;
    let equal = state.their_heads.as_deref().map(sorted).as_deref() == Some(heads);
    if unchanged && state.have_responded && (equal || state.in_flight) {
        return None;
    }
    Some(answered(state, level_message(heads)))
}

/// The answer to a device that has nothing, from the stored document (`stored.heads` must be
/// known). `None` for a device too old for whole-document messages (it takes the ordinary
/// path).
pub fn whole_document(
    stored: Stored,
    message: &sync::Message,
    state: &mut sync::State,
) -> Option<sync::Message> {
    message.flags?;
    receive_report(message, &[], state);
    let mut chunks = Vec::with_capacity(1 + stored.changes.len());
    chunks.push(stored.snapshot);
    chunks.extend(stored.changes);
    Some(answered(
        state,
        sync::Message {
            heads: stored.heads,
            need: Vec::new(),
            // Without the loaded document there is no bloom filter to offer; an empty `have`
            // asks the device for nothing but what it is explicitly asked for.
            have: Vec::new(),
            changes: chunks.into(),
            flags: Some(flags()),
            version: MessageVersion::V2,
        },
    ))
}

/// The answer to a device that reports exactly `heads`, the stored heads: nothing after the
/// first exchange, our heads once so the device knows we are level.
pub fn level(
    heads: &[ChangeHash],
    message: &sync::Message,
    state: &mut sync::State,
) -> Option<sync::Message> {
    receive_level(message, heads, state);
    if state.have_responded {
        return None;
    }
    Some(answered(state, level_message(heads)))
}

/// What receiving a report of exactly `heads`, the heads this side holds, does to `state`.
pub fn receive_level(message: &sync::Message, heads: &[ChangeHash], state: &mut sync::State) {
    receive_report(message, heads, state);
    state.sent_hashes.clear();
    state.last_sent_heads = heads.to_vec();
}

/// Our heads, all shared, nothing needed.
fn level_message(heads: &[ChangeHash]) -> sync::Message {
    sync::Message {
        heads: heads.to_vec(),
        need: Vec::new(),
        have: vec![Have {
            last_sync: heads.to_vec(),
            bloom: BloomFilter::default(),
        }],
        changes: Vec::<Vec<u8>>::new().into(),
        flags: Some(flags()),
        version: MessageVersion::V2,
    }
}

/// Heads in a canonical order, for comparing.
pub fn sorted(heads: &[ChangeHash]) -> Vec<ChangeHash> {
    let mut heads = heads.to_vec();
    heads.sort_unstable();
    heads
}

/// What `receive_sync_message` does with a message without changes whose heads the server
/// has (`shared` are the heads both sides now have).
fn receive_report(message: &sync::Message, shared: &[ChangeHash], state: &mut sync::State) {
    state.in_flight = false;
    if let Some(flags) = message.flags {
        let mut capabilities = vec![Capability::MessageV2];
        if flags.contains(MessageFlags::SUPPORTS_SYNC_RESET) {
            capabilities.push(Capability::SyncReset);
        }
        state.their_capabilities = Some(capabilities);
        if flags.contains(MessageFlags::SYNC_RESET) {
            state.sent_hashes.clear();
            state.have_responded = false;
        }
        state.peer_read_only = flags.contains(MessageFlags::READ_ONLY);
    }
    state.shared_heads = shared.to_vec();
    if message.heads.is_empty() {
        state.last_sent_heads.clear();
        state.sent_hashes.clear();
    }
    state.their_have = Some(message.have.clone());
    state.their_heads = Some(message.heads.clone());
    state.their_need = Some(message.need.clone());
}

/// What `generate_sync_message` records when it sends `message` (including the reset it
/// owes the device, if any).
fn answered(state: &mut sync::State, mut message: sync::Message) -> sync::Message {
    if std::mem::take(&mut state.needs_reset) {
        let mut flags = message.flags.unwrap_or_default();
        flags.set(MessageFlags::SYNC_RESET);
        message.flags = Some(flags);
    }
    state.have_responded = true;
    state.last_sent_heads.clone_from(&message.heads);
    state.in_flight = true;
    message
}

fn flags() -> MessageFlags {
    let mut flags = MessageFlags::new();
    flags.set(MessageFlags::SUPPORTS_SYNC_RESET);
    flags
}
