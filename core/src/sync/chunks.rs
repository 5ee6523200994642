//! Automerge bytes read without loading them: a cheap integrity check (every chunk — a
//! document, or an incremental change — carries the first four bytes of the SHA-256 of its
//! type, length and contents; the server checks them before it sends stored bytes as they
//! are), and the size chunks inflate to, bounded before Automerge inflates them (a compressed
//! change, or a document's or bundle's deflated columns, can grow a thousandfold).

use std::io::Read;

use flate2::bufread::DeflateDecoder;
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

/// The bytes `bytes` (whole chunks) hold once inflated, or `None` when that would exceed
/// `cap` or the chunks cannot be read (Automerge would refuse them too). Deflated data is
/// inflated here only up to the cap.
pub fn inflated_len(mut bytes: &[u8], cap: usize) -> Option<usize> {
    let mut total = 0usize;
    while !bytes.is_empty() {
        let rest = bytes.strip_prefix(&MAGIC)?.get(4..)?;
        let (&kind, rest) = rest.split_first()?;
        let (length, header) = read_uleb(rest)?;
        let data = rest.get(header..)?;
        let length = usize::try_from(length).ok().filter(|&n| n <= data.len())?;
        let (chunk, next) = data.split_at(length);
        let budget = cap.checked_sub(total)?;
        total += match kind {
            // A compressed change: its data is one deflate stream.
            2 => inflate(chunk, budget)?,
            // A document, or a bundle of changes: columns, some of them deflated.
            0 | 3 => columns_len(chunk, kind == 3, budget)?,
            _ => chunk.len(),
        };
        if total > cap {
            return None;
        }
        bytes = next;
    }
    Some(total)
}

/// The inflated size of a document chunk's (or, `bundle`, a bundle chunk's) data: actors
/// (and a document's heads, a bundle's dependencies), then two groups of column specifications
/// and lengths, the columns' data after each group (a bundle) or after both (a document).
fn columns_len(data: &[u8], bundle: bool, cap: usize) -> Option<usize> {
    let mut cursor = Cursor(data);
    if bundle {
        cursor.hashes()?;
    }
    let actors = cursor.uleb()?;
    for _ in 0..actors {
        let len = cursor.uleb()?;
        cursor.take(len)?;
    }
    if !bundle {
        cursor.hashes()?;
    }
    let mut total = 0usize;
    let mut groups = Vec::new();
    for _ in 0..2 {
        groups.push(cursor.specs()?);
        if bundle {
            total = total.checked_add(cursor.columns(groups.last()?, cap.checked_sub(total)?)?)?;
        }
    }
    if !bundle {
        for group in &groups {
            total = total.checked_add(cursor.columns(group, cap.checked_sub(total)?)?)?;
        }
    }
    Some(total + cursor.0.len())
}

/// Column specifications: (deflated, length of the data as stored).
type Specs = Vec<(bool, usize)>;

/// Reads a chunk's fields in order.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn uleb(&mut self) -> Option<u64> {
        let (value, len) = read_uleb(self.0)?;
        self.0 = &self.0[len..];
        Some(value)
    }

    fn take(&mut self, len: u64) -> Option<&'a [u8]> {
        let len = usize::try_from(len).ok().filter(|&n| n <= self.0.len())?;
        let (taken, rest) = self.0.split_at(len);
        self.0 = rest;
        Some(taken)
    }

    /// A count, then that many 32-byte change hashes.
    fn hashes(&mut self) -> Option<()> {
        let count = self.uleb()?;
        self.take(count.checked_mul(32)?).map(|_| ())
    }

    fn specs(&mut self) -> Option<Specs> {
        let count = self.uleb()?;
        // Each specification takes at least two bytes.
        if count > self.0.len() as u64 {
            return None;
        }
        (0..count)
            .map(|_| {
                let spec = self.uleb()?;
                let len = usize::try_from(self.uleb()?).ok()?;
                Some((spec & 0b1000 != 0, len))
            })
            .collect()
    }

    /// The inflated size of the columns `specs` describes, read from here.
    fn columns(&mut self, specs: &Specs, cap: usize) -> Option<usize> {
        let mut total = 0usize;
        for &(deflated, len) in specs {
            let data = self.take(len as u64)?;
            total += match deflated {
                true => inflate(data, cap.checked_sub(total)?)?,
                false => data.len(),
            };
            if total > cap {
                return None;
            }
        }
        Some(total)
    }
}

/// The size `deflated` inflates to, reading no further than `cap` bytes of output.
fn inflate(deflated: &[u8], cap: usize) -> Option<usize> {
    let mut sink = std::io::sink();
    let limit = u64::try_from(cap).ok()?.saturating_add(1);
    let copied = std::io::copy(&mut DeflateDecoder::new(deflated).take(limit), &mut sink).ok()?;
    usize::try_from(copied).ok().filter(|&n| n <= cap)
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

    #[test]
    fn inflated_sizes_are_read_and_bombs_stop_at_the_cap() {
        let mut doc: CustomerDoc = demo::customers(3, 1_780_000_000_000).next().unwrap();
        for n in 0..50 {
            doc.edit_profile(
                ProfileEdit::Company(format!("公司 {n}")),
                &Stamp::new("li", n),
            )
            .unwrap();
        }
        let snapshot = doc.save();
        let inflated = inflated_len(&snapshot, usize::MAX).expect("a document reads");
        assert!(inflated > snapshot.len(), "its columns are deflated");
        assert_eq!(inflated_len(&snapshot, inflated - 1), None);
        let (_, change) = saved();
        let plain = inflated_len(&change, usize::MAX).expect("a change reads");
        assert!(
            plain < change.len(),
            "an uncompressed change: its data without the header"
        );
        assert_eq!(inflated_len(b"rotten", usize::MAX), None);
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
