//! The interim wire format between app and edge: one whole saved document per binary frame,
//! addressed by its document id. (The automerge-repo protocol replaces it; see ARCHITECTURE.)
//!
//! Layout: `[version = 1][id length: u16 big-endian][id: UTF-8][Automerge bytes]`.

/// Format version byte.
const VERSION: u8 = 1;

/// A saved document addressed by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocFrame {
    /// Document id (`workspace` or a customer id).
    pub doc_id: String,
    /// The document's Automerge save.
    pub bytes: Vec<u8>,
}

/// Why a frame could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Shorter than its header says.
    #[error("frame truncated")]
    Truncated,
    /// A format version this build does not speak.
    #[error("unsupported frame version {0}")]
    Version(u8),
    /// The document id is not UTF-8.
    #[error("document id is not UTF-8")]
    BadId,
}

impl DocFrame {
    /// Encodes the frame.
    pub fn encode(&self) -> Vec<u8> {
        let id = self.doc_id.as_bytes();
        let len = u16::try_from(id.len()).expect("document ids are at most 64 bytes");
        let mut out = Vec::with_capacity(3 + id.len() + self.bytes.len());
        out.push(VERSION);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(id);
        out.extend_from_slice(&self.bytes);
        out
    }

    /// Decodes a frame; any malformed input is an error.
    pub fn decode(frame: &[u8]) -> Result<Self, FrameError> {
        let (&version, rest) = frame.split_first().ok_or(FrameError::Truncated)?;
        if version != VERSION {
            return Err(FrameError::Version(version));
        }
        let (len, rest) = rest.split_first_chunk::<2>().ok_or(FrameError::Truncated)?;
        let len = usize::from(u16::from_be_bytes(*len));
        if rest.len() < len {
            return Err(FrameError::Truncated);
        }
        let (id, bytes) = rest.split_at(len);
        let doc_id = std::str::from_utf8(id)
            .map_err(|_| FrameError::BadId)?
            .to_owned();
        Ok(Self {
            doc_id,
            bytes: bytes.to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn malformed_frames_are_errors() {
        assert_eq!(DocFrame::decode(&[]), Err(FrameError::Truncated));
        assert_eq!(DocFrame::decode(&[2, 0, 0]), Err(FrameError::Version(2)));
        assert_eq!(DocFrame::decode(&[1, 0]), Err(FrameError::Truncated));
        assert_eq!(
            DocFrame::decode(&[1, 0, 5, b'a']),
            Err(FrameError::Truncated)
        );
        assert_eq!(DocFrame::decode(&[1, 0, 1, 0xff]), Err(FrameError::BadId));
    }

    proptest! {
        #[test]
        fn encode_then_decode_is_identity(id in "[a-z0-9_-]{1,64}", bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let frame = DocFrame { doc_id: id, bytes };
            prop_assert_eq!(DocFrame::decode(&frame.encode()).unwrap(), frame);
        }

        #[test]
        fn decoding_random_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = DocFrame::decode(&bytes);
        }
    }
}
