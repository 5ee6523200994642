//! The rules engine inside the sync server: after every stored change of a customer the
//! workspace's rules run on it and their writes are stored and sent like any change, as the
//! server's own actor; each customer's next change time goes to the store's schedule, which
//! the shell wakes the server for ([`SyncServer::run_due`]). A change to the rules reschedules
//! every customer.

use super::{DocumentStore, Effect, StoreError, SyncServer};
use crate::pipeline::Pipeline;
use crate::replica::{Replica, WORKSPACE_DOC_ID};
use crate::rules::Rule;
use crate::sync::doc_id::RepoDocId;
use crate::values::Millis;
use crate::workspace::RuleBook;

/// The workspace's rules and the stages they refer to.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct Rules {
    rules: Vec<Rule>,
    pipeline: Pipeline,
}

impl SyncServer {
    /// Sets the instant the rules engine evaluates at. The server runs rules only once a time
    /// is set; the shell sets it before every call (the edge from its clock, tests as they
    /// please).
    pub fn set_time(&mut self, now: Millis) {
        self.now = Some(now);
    }

    /// Runs the rules on the customers whose next change time has come, at most `limit` of
    /// them (the shell calls this from its alarm until nothing is due); returns the frames
    /// carrying their writes to every joined device.
    pub fn run_due(
        &mut self,
        limit: usize,
        store: &mut impl DocumentStore,
    ) -> Result<Vec<Effect>, StoreError> {
        let Some(now) = self.now else {
            return Ok(Vec::new());
        };
        let mut effects = Vec::new();
        for doc_id in store.due(now, limit)? {
            let document_id = RepoDocId::from_local(&doc_id).ok();
            let customer = doc_id != WORKSPACE_DOC_ID && document_id.is_some();
            if !customer || !self.ensure_loaded(&doc_id, store)? {
                self.docs.remove(&doc_id);
                store.schedule(&doc_id, None)?;
                continue;
            }
            if self.run_rules(&doc_id, now, store)?
                && let Some(document_id) = document_id
            {
                effects.extend(self.broadcast(&doc_id, document_id));
            }
            self.evict_beyond_limit(&doc_id);
        }
        Ok(effects)
    }

    /// The rules and segments a new workspace starts with: installed by the server into a
    /// workspace document it stores for the first time, when that document has none.
    pub fn set_defaults(&mut self, defaults: RuleBook) {
        self.defaults = defaults;
    }

    /// After a stored change of `doc_id` (`first`: the first time it is stored): the workspace
    /// document gets the default rules if it is new and has none, and re-reads the rules
    /// (rescheduling every customer when they changed); a customer runs them.
    pub(super) fn after_change(
        &mut self,
        doc_id: &str,
        first: bool,
        store: &mut impl DocumentStore,
    ) -> Result<(), StoreError> {
        let Some(now) = self.now else {
            return Ok(());
        };
        if doc_id != WORKSPACE_DOC_ID {
            return self.run_rules(doc_id, now, store).map(|_| ());
        }
        if first {
            self.install_default_rules(store)?;
        }
        let before = self.rules.take();
        let after = self.read_rules(store)?;
        if before.as_ref() != Some(&after) {
            store.schedule_all(now)?;
        }
        self.rules = Some(after);
        Ok(())
    }

    /// Installs the default rules into the loaded workspace document if it has no rules.
    fn install_default_rules(&mut self, store: &mut impl DocumentStore) -> Result<(), StoreError> {
        let Some(Replica::Workspace(workspace)) = self
            .docs
            .get_mut(WORKSPACE_DOC_ID)
            .and_then(|l| l.slot.replica_mut())
        else {
            return Ok(());
        };
        if self.defaults.is_empty() || !workspace.rule_book().is_empty() {
            return Ok(());
        }
        if workspace.install(&self.defaults).is_err() {
            // A pipeline without the stages the defaults name: the team writes its own.
            return Ok(());
        }
        self.persist(WORKSPACE_DOC_ID, true, store)?;
        Ok(())
    }

    /// Runs the rules on loaded customer `doc_id` and stores what they wrote and when to look
    /// again. A customer that cannot be read as such is left alone.
    fn run_rules(
        &mut self,
        doc_id: &str,
        now: Millis,
        store: &mut impl DocumentStore,
    ) -> Result<bool, StoreError> {
        let rules = match self.rules.take() {
            Some(rules) => rules,
            None => self.read_rules(store)?,
        };
        let run = match self.docs.get_mut(doc_id).and_then(|l| l.slot.replica_mut()) {
            Some(Replica::Customer(doc)) if !rules.rules.is_empty() => doc
                .run_rules(&rules.rules, &rules.pipeline, now)
                .unwrap_or_default(),
            _ => Default::default(),
        };
        self.rules = Some(rules);
        if run.changed {
            self.persist(doc_id, true, store)?;
        }
        store.schedule(doc_id, run.next_change)?;
        Ok(run.changed)
    }

    /// The rules as the workspace document states them (none while it is missing or
    /// unreadable).
    fn read_rules(&mut self, store: &mut impl DocumentStore) -> Result<Rules, StoreError> {
        if !self.ensure_loaded(WORKSPACE_DOC_ID, store)? {
            self.docs.remove(WORKSPACE_DOC_ID);
            return Ok(Rules::default());
        }
        let workspace = match self.docs[WORKSPACE_DOC_ID].slot.replica() {
            Some(Replica::Workspace(doc)) => doc,
            _ => return Ok(Rules::default()),
        };
        Ok(match workspace.settings() {
            Ok(ws) => Rules {
                rules: workspace.rule_book().rules,
                pipeline: ws.pipeline,
            },
            Err(_) => Rules::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{NOW, exchange, joined, joined_as, sends};
    use super::*;
    use crate::customer::{Lifecycle, NewCustomer, NewOrder, OrderChannel, Source};
    use crate::sync::DocSlot;
    use crate::sync::memory_store::MemoryStore;
    use crate::sync::message::RepoMessage;
    use crate::values::{DAY_MS, Money};
    use crate::workspace::Role;
    use crate::{CustomerDoc, Id, Stamp, demo};

    /// Syncs the device's workspace document with the server; returns the device's copy.
    fn synced_workspace<'a>(
        server: &mut SyncServer,
        client: &mut crate::sync::SyncClient,
        slot: &'a mut DocSlot,
        store: &mut MemoryStore,
    ) -> &'a mut crate::WorkspaceDoc {
        exchange(server, client, WORKSPACE_DOC_ID, slot, store);
        workspace_in(slot)
    }

    fn workspace_in(slot: &mut DocSlot) -> &mut crate::WorkspaceDoc {
        match slot.replica_mut() {
            Some(Replica::Workspace(doc)) => doc,
            _ => panic!("the workspace"),
        }
    }

    fn customer_in(slot: &mut DocSlot) -> &mut CustomerDoc {
        match slot.replica_mut() {
            Some(Replica::Customer(doc)) => doc,
            _ => panic!("a customer"),
        }
    }

    /// Applies the server's frames for conn 1 to the device's copy of `doc_id`.
    fn deliver(
        effects: &[Effect],
        doc_id: &str,
        slot: &mut DocSlot,
        client: &mut crate::sync::SyncClient,
    ) {
        for frame in sends(effects, 1) {
            if let RepoMessage::Sync(m) = frame
                && m.document_id.local() == doc_id
            {
                let message = automerge::sync::Message::decode(&m.data).unwrap();
                client.apply(doc_id, slot, message).unwrap();
            }
        }
    }

    #[test]
    fn the_server_runs_the_rules_after_a_change_on_its_schedule_and_after_a_rule_change() {
        let mut store = MemoryStore::with(demo::saved_workspace(0, NOW));
        let mut server = SyncServer::new("edge", 10, []);
        server.set_time(NOW);
        let mut client = joined(&mut server, &mut store, 1);
        // A device creates a customer and records an order of ¥600.
        let id = "0123456789abcdef0123456789abcdef";
        let new = NewCustomer {
            name: "王芳".into(),
            name_latin: String::new(),
            company: String::new(),
            title: String::new(),
            owner: "li".into(),
            source: Source::WeChat,
            lifecycle: Lifecycle::Customer,
        };
        let stamp = Stamp::new("admin", NOW);
        let doc = CustomerDoc::create(&Id::parse(id).unwrap(), new, &stamp).unwrap();
        let mut slot = DocSlot::known(Replica::Customer(doc));
        let order = NewOrder {
            at: NOW,
            amount: Money::cny(60_000),
            items: "茶叶礼盒".into(),
            channel: OrderChannel::OnlineShop,
        };
        customer_in(&mut slot)
            .add_order(&Id::parse("o1").unwrap(), order, &stamp)
            .unwrap();
        exchange(&mut server, &mut client, id, &mut slot, &mut store);
        // The edge's tag came back with the reply, and is stored.
        let seen = customer_in(&mut slot).customer().unwrap();
        assert_eq!(seen.auto_tags["高价值"].rule_id, "high-value");
        assert_eq!(seen.auto_tags["高价值"].applied_at, NOW);
        let stored = Replica::restore(id, &store.docs[id].snapshot, &store.docs[id].changes);
        let Ok(Replica::Customer(stored)) = stored else {
            panic!("stored")
        };
        assert!(stored.customer().unwrap().auto_tags.contains_key("高价值"));
        // The next change: day 3 of the new customer (the catalogue follow-up).
        assert_eq!(store.schedule[id], NOW + 3 * DAY_MS);
        assert!(
            server.run_due(100, &mut store).unwrap().is_empty(),
            "nothing due yet"
        );

        // Day 30: the order leaves the 30-day windows: high value off, lapse on, one follow-up.
        let mut fired = 0;
        for day in [3, 7, 14, 30, 31, 31] {
            server.set_time(NOW + day * DAY_MS);
            let effects = server.run_due(100, &mut store).unwrap();
            deliver(&effects, id, &mut slot, &mut client);
            fired = customer_in(&mut slot).customer().unwrap().follow_ups.len();
        }
        let seen = customer_in(&mut slot).customer().unwrap();
        assert!(!seen.auto_tags.contains_key("高价值"));
        assert!(seen.auto_tags.contains_key("30天未购买"));
        assert!(seen.follow_ups.contains_key("new-customer-catalogue-1"));
        assert!(seen.follow_ups.contains_key("no-purchase-30d-1"));
        assert_eq!(fired, 2, "each rule fired once");
        assert!(
            seen.auto_tags.contains_key("流失风险"),
            "a customer with no contact in 30 days"
        );

        // An admin disables the churn rule: every customer is looked at again, its tag goes.
        let mut ws = DocSlot::known(
            Replica::load(WORKSPACE_DOC_ID, &store.docs[WORKSPACE_DOC_ID].snapshot).unwrap(),
        );
        let doc = workspace_in(&mut ws);
        let mut churn = doc
            .rule_book()
            .rules
            .into_iter()
            .find(|r| r.id == "churn-risk")
            .unwrap();
        churn.enabled = false;
        doc.put_rule(&churn).unwrap();
        synced_workspace(&mut server, &mut client, &mut ws, &mut store);
        assert_eq!(store.schedule[id], NOW + 31 * DAY_MS);
        let effects = server.run_due(100, &mut store).unwrap();
        deliver(&effects, id, &mut slot, &mut client);
        let seen = customer_in(&mut slot).customer().unwrap();
        assert!(!seen.auto_tags.contains_key("流失风险"));
        assert_eq!(seen.follow_ups.len(), 2);
    }

    #[test]
    fn a_new_workspace_gets_the_default_rules_from_the_server() {
        let mut store = MemoryStore::default();
        let mut server = SyncServer::new("edge", 10, []);
        server.set_time(NOW);
        server.set_defaults(RuleBook::defaults(crate::rules::Language::En));
        let mut client = joined(&mut server, &mut store, 1);
        let mut ws = DocSlot::known(Replica::Workspace(crate::WorkspaceDoc::new()));
        let doc = synced_workspace(&mut server, &mut client, &mut ws, &mut store);
        let book = doc.rule_book();
        assert_eq!((book.rules.len(), book.segments.len()), (10, 3));
        assert!(
            book.rules
                .iter()
                .any(|r| r.name == "No purchase in 30 days")
        );
        // Only into a new workspace without rules: removing them all sticks.
        for rule in &book.rules {
            doc.remove_rule(&rule.id).unwrap();
        }
        for segment in &book.segments {
            doc.remove_segment(&segment.id).unwrap();
        }
        let doc = synced_workspace(&mut server, &mut client, &mut ws, &mut store);
        assert!(doc.rule_book().is_empty());
    }

    #[test]
    fn a_salespersons_workspace_changes_are_undone_an_admins_stay() {
        let mut store = MemoryStore::with(demo::saved_workspace(0, NOW));
        let mut server = SyncServer::new("edge", 10, []);
        server.set_time(NOW);
        let mut client = joined_as(&mut server, &mut store, 1, Role::Sales);
        let stored = Replica::load(WORKSPACE_DOC_ID, &store.docs[WORKSPACE_DOC_ID].snapshot);
        let mut ws = DocSlot::known(stored.unwrap());
        let original = workspace_in(&mut ws).rule_book();
        let edit = |ws: &mut DocSlot| {
            let doc = workspace_in(ws);
            let mut churn = doc.rule_book().rules[0].clone();
            churn.enabled = false;
            doc.put_rule(&churn).unwrap();
            let mut copy = churn.clone();
            copy.id = "copied".into();
            doc.put_rule(&copy).unwrap();
            doc.remove_rule("high-value").unwrap();
            let segment = crate::rules::Segment {
                id: "mine".into(),
                name: "我的".into(),
                tags: vec!["VIP".into()],
                lifecycle: Vec::new(),
                source: Vec::new(),
                owner: None,
            };
            doc.put_segment(&segment).unwrap();
            doc.set_name("销售改的名字").unwrap();
        };
        edit(&mut ws);
        let doc = synced_workspace(&mut server, &mut client, &mut ws, &mut store);
        let book = doc.rule_book();
        assert_eq!(
            book, original,
            "a salesperson's rule and segment changes are undone"
        );
        assert_ne!(
            doc.workspace().unwrap().name,
            "销售改的名字",
            "so is the new name"
        );
        // The same change from an admin stays.
        server.disconnect(1);
        let mut client = joined(&mut server, &mut store, 1);
        edit(&mut ws);
        let doc = synced_workspace(&mut server, &mut client, &mut ws, &mut store);
        let ids: Vec<String> = doc.rule_book().rules.into_iter().map(|r| r.id).collect();
        assert!(ids.contains(&"copied".to_owned()) && !ids.contains(&"high-value".to_owned()));
    }
}
