//! Handing a member's customers and open follow-ups over to another member: every customer
//! concerned is read from storage if need be, a chunk at a time, edited as this device's
//! member (`CustomerDoc::hand_over`), and synced like any edit.

use std::cell::Cell;
use std::rc::Rc;

use crm_core::customer::Handed;

use super::Session;
use crate::browser::yield_to_browser;

/// Customers edited between two yields to the browser.
const CHUNK: usize = 100;

/// What a handover did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HandedOver {
    /// Customers whose owner changed.
    pub customers: usize,
    /// Open follow-ups reassigned.
    pub follow_ups: usize,
    /// Customers that could not be edited (gone, or unreadable on this device).
    pub failed: usize,
}

impl Session {
    /// Hands `from`'s work among customers `ids` over to `to`; `progress` hears how many
    /// customers are done after each chunk.
    pub async fn hand_over(
        self: &Rc<Self>,
        from: &str,
        to: &str,
        ids: &[String],
        progress: impl Fn(usize),
    ) -> HandedOver {
        let mut done = HandedOver::default();
        for (n, chunk) in ids.chunks(CHUNK).enumerate() {
            self.open(chunk).await;
            for id in chunk {
                let handed = Cell::new(Handed::default());
                let edited = self.edit_customer(id, |doc, stamp| {
                    handed.set(doc.hand_over(from, to, stamp)?);
                    Ok(())
                });
                let handed = handed.get();
                done.customers += usize::from(handed.owner);
                done.follow_ups += handed.follow_ups;
                done.failed += usize::from(edited.is_err());
            }
            progress((n * CHUNK + chunk.len()).min(ids.len()));
            yield_to_browser().await;
        }
        done
    }
}
