//! What a change means to what the device shows: a customer's summary row, a watched page,
//! the workspace's settings; and the edge's rows that a new device lists before its documents
//! arrive.

use super::{DeviceEffect, DeviceRepo, Write};
use crate::customer::HeadedRow;
use crate::replica::Replica;
use crate::sync::DocSlot;

impl DeviceRepo {
    /// Reports what document `id` changed for the screen.
    pub(super) fn changed(&mut self, id: &str) {
        if self.adopt(id, false) {
            self.out.push(DeviceEffect::RowsChanged);
        }
    }

    /// Brings the row, the watched page and the workspace settings of document `id` up to
    /// date; returns whether its row changed. With `cache`, a changed row is also queued for
    /// the row cache (documents restored at start whose cached row was stale or missing).
    ///
    /// A document kept unloaded is loaded only if its row is not known at its heads or a page
    /// watches it; while the edge's rows are being fetched it waits for them. One kept in
    /// storage only is read first: this comes back once it is (see [`DeviceRepo::loaded`]).
    pub(super) fn adopt(&mut self, id: &str, cache: bool) -> bool {
        let Some(slot) = self.docs.get(id) else {
            return false;
        };
        if let DocSlot::Stored { heads, .. } = slot
            && !self.watched.contains(id)
        {
            if self.rows.get(id).is_some_and(|r| r.is_at(heads)) {
                return false;
            }
            if self.fetching_rows {
                self.rowless.insert(id.to_owned());
                return false;
            }
        }
        if !self.ready(id) {
            return false;
        }
        let Some(slot) = self.docs.get_mut(id) else {
            return false;
        };
        let replica = match slot.loaded(id) {
            Ok(Some(replica)) => replica,
            Ok(None) => return false,
            Err(error) => {
                self.set_aside(id, &error);
                return false;
            }
        };
        match replica {
            Replica::Workspace(_) => {
                self.out.push(DeviceEffect::WorkspaceChanged);
                false
            }
            Replica::Customer(_) => {
                if self.watched.contains(id) {
                    self.out.push(DeviceEffect::CustomerChanged(id.to_owned()));
                }
                // A document read from storage to be opened is usually at its row's heads.
                if self.rows.get(id).is_some_and(|r| r.is_at(&replica.heads())) {
                    return false;
                }
                let row = replica.summary();
                if self.rows.get(id) == row.as_ref() {
                    return false;
                }
                match row {
                    Some(row) => {
                        if cache {
                            self.stale_rows.push(row.clone());
                        }
                        self.rows.insert(id.to_owned(), row);
                    }
                    None => {
                        self.rows.remove(id);
                    }
                }
                true
            }
        }
    }

    /// Document `id`, kept unloaded, does not load: it leaves memory and is handed back for
    /// quarantine (the edge fills it again).
    pub(super) fn set_aside(&mut self, id: &str, error: &crate::ModelError) {
        match self.docs.remove(id) {
            Some(DocSlot::Stored {
                bytes: Some(bytes),
                heads,
            }) => {
                self.rows.remove(id);
                self.appended.remove(id);
                self.out.push(DeviceEffect::RowsChanged);
                let stored = super::StoredDoc {
                    id: id.to_owned(),
                    snapshot: Some(bytes),
                    heads: Some(heads),
                    changes: Vec::new(),
                };
                let reason = error.to_string();
                self.out.push(DeviceEffect::Quarantine { stored, reason });
            }
            Some(slot) => {
                self.docs.insert(id.to_owned(), slot);
                let warning = format!("document {id} does not load: {error}");
                self.out.push(DeviceEffect::Ignored(warning));
            }
            None => {}
        }
    }

    /// The edge's page of summary rows asked for by [`DeviceEffect::FetchRows`] (`None` when
    /// it could not be had: the rows then come with their documents). Shows the rows of
    /// documents this device awaits and asks for the next page; after the last, the
    /// documents that arrived meanwhile without a row are loaded and the queued offers go.
    pub fn rows_page(&mut self, page: Option<Vec<HeadedRow>>) -> Vec<DeviceEffect> {
        let last = page
            .as_ref()
            .and_then(|rows| rows.last())
            .map(|r| r.row.id.clone());
        let mut shown = false;
        let scoped = self.scoped();
        for row in page.into_iter().flatten() {
            let id = &row.row.id;
            if scoped && !self.is_mine(&row.row.owner) {
                // The pool's or a colleague's: shown as the edge masked it, never requested.
                self.masked.insert(id.clone(), row.row);
                shown = true;
                continue;
            }
            if scoped && !self.docs.contains_key(id) && !self.shelved.contains_key(id) {
                // A customer of this member's that this device lacks: requested.
                self.docs.insert(id.clone(), DocSlot::awaited());
                self.awaited.insert(id.clone());
                self.offers.push_back(id.clone());
            }
            if self.docs.contains_key(&row.row.id) && !self.rows.contains_key(&row.row.id) {
                self.rows.insert(row.row.id.clone(), row);
                shown = true;
            }
        }
        if shown {
            self.out.push(DeviceEffect::RowsChanged);
        }
        match last {
            Some(after) => self.out.push(DeviceEffect::FetchRows { after }),
            None => {
                self.fetching_rows = false;
                let mut changed = false;
                for id in std::mem::take(&mut self.rowless) {
                    changed |= self.adopt(&id, true);
                }
                if changed {
                    self.out.push(DeviceEffect::RowsChanged);
                }
                self.cache_stale_rows();
            }
        }
        self.take_effects()
    }

    /// Writes the rows found stale since the last time, in one write.
    pub(super) fn cache_stale_rows(&mut self) {
        let rows = std::mem::take(&mut self.stale_rows);
        if !rows.is_empty() {
            self.write(vec![Write::Rows(rows)], super::AfterWrite::default());
        }
    }
}
