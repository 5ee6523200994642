//! A backup of the whole workspace (every document this device holds, read from storage a
//! chunk at a time) and its restore into an empty workspace (its workspace document merged
//! into this one, its customers stored and synced a chunk at a time).

use std::rc::Rc;

use crm_core::backup::{Backup, Unreadable};
use crm_core::document::CrmDocument;
use crm_core::replica::{Replica, WORKSPACE_DOC_ID};

use super::Session;
use crate::browser::yield_to_browser;

/// Documents read or restored between two yields to the browser.
const CHUNK: usize = 500;

impl Session {
    /// Every document on this device as one backup file; `progress` hears how many are
    /// read. Documents that cannot be read are named, not left out silently.
    pub async fn backup(
        self: &Rc<Self>,
        name: &str,
        progress: impl Fn(usize),
    ) -> (Vec<u8>, Vec<Unreadable>) {
        let mut ids = vec![WORKSPACE_DOC_ID.to_owned()];
        ids.extend(self.repo.borrow().customer_ids());
        let mut documents = Vec::with_capacity(ids.len());
        let mut unreadable = Vec::new();
        for (n, chunk) in ids.chunks(CHUNK).enumerate() {
            self.open(chunk).await;
            for id in chunk {
                match self.repo.borrow_mut().saved(id) {
                    Ok(bytes) => documents.push((id.clone(), bytes)),
                    Err(error) => unreadable.push(Unreadable {
                        id: id.clone(),
                        reason: error.to_string(),
                    }),
                }
            }
            progress(n * CHUNK + chunk.len());
            yield_to_browser().await;
        }
        let backup = Backup {
            workspace: name.to_owned(),
            at: js_sys::Date::now() as i64,
            documents,
        };
        (backup.encode(), unreadable)
    }

    /// Restores `backup` into this (empty) workspace; `progress` hears how many customers
    /// are stored. Returns how many were, and the documents that could not be read.
    pub async fn restore(
        self: &Rc<Self>,
        backup: &Backup,
        progress: impl Fn(usize),
    ) -> Result<(usize, Vec<Unreadable>), crm_core::ModelError> {
        let (read, unreadable) = backup.replicas();
        let mut customers = Vec::with_capacity(read.len());
        for (id, replica) in read {
            match replica {
                Replica::Workspace(mut saved) => {
                    self.edit_workspace(|ws| ws.merge(&mut saved).map(|_| ()))?
                }
                Replica::Customer(doc) => customers.push((id, doc)),
            }
        }
        let mut restored = 0;
        while !customers.is_empty() {
            let rest = customers.split_off(customers.len().min(CHUNK));
            let chunk = std::mem::replace(&mut customers, rest);
            restored += chunk.len();
            let effects = self.repo.borrow_mut().restore_customers(chunk);
            self.run(effects);
            progress(restored);
            yield_to_browser().await;
        }
        Ok((restored, unreadable))
    }
}
