//! A cheap integrity check of stored Automerge bytes without loading them: every chunk (a
//! document, or an incremental change) carries the first four bytes of the SHA-256 of its
//! type, length and contents. The server checks them before it sends stored bytes as they are.

use sha2::{Digest, Sha256};

const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];

/// Whether `bytes` is a sequence of whole Automerge chunks whose checksums match.
pub fn intact(mut bytes: &[u8]) -> bool {
    if bytes.is_empty() {
        return false;
    }
    while !bytes.is_empty() {
        let Some(rest) = bytes.strip_prefix(&MAGIC) else {
            return false;
        };
        let Some((checksum, rest)) = rest.split_first_chunk::<4>() else {
            return false;
        };
        let Some((length, header)) = read_uleb(&rest[1.min(rest.len())..]) else {
            return false;
        };
        let header_len = 1 + header;
        let Some(end) = usize::try_from(length)
            .ok()
            .and_then(|n| n.checked_add(header_len))
            .filter(|&end| end <= rest.len())
        else {
            return false;
        };
        let digest = Sha256::digest(&rest[..end]);
        if digest[..4] != checksum[..] {
            return false;
        }
        bytes = &rest[end..];
    }
    true
}

/// An unsigned LEB128 number at the start of `bytes` and how many bytes it took.
fn read_uleb(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, &byte) in bytes.iter().enumerate().take(10) {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customer::ProfileEdit;
    use crate::document::{CrmDocument, Stamp};
    use crate::{CustomerDoc, demo};
    use proptest::prelude::*;

    fn saved() -> (Vec<u8>, Vec<u8>) {
        let mut doc: CustomerDoc = demo::customers(7, 1_780_000_000_000).next().unwrap();
        let snapshot = doc.save();
        doc.edit_profile(ProfileEdit::Company("新公司".into()), &Stamp::new("li", 1))
            .unwrap();
        (snapshot, doc.save_incremental())
    }

    #[test]
    fn whole_saves_and_appended_changes_are_intact() {
        let (snapshot, change) = saved();
        assert!(intact(&snapshot));
        assert!(intact(&change));
        assert!(intact(&[snapshot.clone(), change.clone()].concat()));
        assert!(!intact(&[]));
        assert!(!intact(b"rotten"));
        assert!(!intact(&snapshot[..snapshot.len() - 1]), "truncated");
    }

    proptest! {
        #[test]
        fn any_flipped_byte_is_noticed(at in any::<usize>(), bit in 0..8u8) {
            let (snapshot, change) = saved();
            let mut bytes = [snapshot, change].concat();
            let i = at % bytes.len();
            bytes[i] ^= 1 << bit;
            prop_assert!(!intact(&bytes));
        }
    }
}
