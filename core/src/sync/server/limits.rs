//! What one workspace's server holds and takes at most, so that no device — honest or not —
//! can exhaust the object's memory (128 MB on Cloudflare) or its storage for the others.

use crate::values::Millis;

/// The bounds a [`super::SyncServer`] enforces; the defaults suit a small team's workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Documents the workspace may hold (its customers and the workspace document); a new
    /// one beyond this is refused.
    pub documents: usize,
    /// Stored bytes of one customer document: a change that would grow it beyond is refused.
    pub customer_bytes: usize,
    /// Stored bytes of the workspace document (its directory lists every customer).
    pub workspace_bytes: usize,
    /// Bytes the changes of one sync message may inflate to.
    pub inflated_bytes: usize,
    /// Appended changes larger than this are stored as a new snapshot instead (a store splits
    /// large snapshots; single rows stay far below SQLite's 2 MB).
    pub append_bytes: usize,
    /// Bytes of one ephemeral message's data.
    pub ephemeral_bytes: usize,
    /// Ephemeral messages one connection may send per second.
    pub ephemeral_per_second: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            documents: 200_000,
            customer_bytes: 2 << 20,
            workspace_bytes: 24 << 20,
            inflated_bytes: 32 << 20,
            append_bytes: 256 << 10,
            ephemeral_bytes: 4 << 10,
            ephemeral_per_second: 20,
        }
    }
}

/// A connection's ephemeral messages in the current second.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Rate {
    second: Millis,
    count: u32,
}

impl Rate {
    /// Counts one more message at `now`; whether it stays within `per_second`.
    pub(super) fn admit(&mut self, now: Option<Millis>, per_second: u32) -> bool {
        let second = now.unwrap_or(0).div_euclid(1000);
        if second != self.second {
            *self = Self { second, count: 0 };
        }
        self.count += 1;
        self.count <= per_second
    }
}

#[cfg(test)]
pub(super) mod tests;
