//! The entries a change touched: the paths of Automerge's diff, cut to an entry of a collection.

use std::collections::BTreeSet;

use automerge::{AutoCommit, ChangeHash, PatchAction, Prop};

/// Keys kept of a touched path: a root key and, below it, one entry (`interactions/{id}`,
/// `profile/owner`, `rules/{id}`). Rights are decided per entry.
const DEPTH: usize = 2;

/// A path of map keys (list indexes as numbers) from the document's root.
pub(crate) type Path = Vec<String>;

/// The entries the change from `before` to the current heads touched.
pub(crate) fn touched(doc: &mut AutoCommit, before: &[ChangeHash]) -> BTreeSet<Path> {
    let after = doc.get_heads();
    let mut paths = BTreeSet::new();
    for patch in doc.diff(before, &after) {
        let mut path: Path = patch.path.iter().map(|(_, prop)| key(prop)).collect();
        match &patch.action {
            PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key } => {
                path.push(key.clone())
            }
            PatchAction::Increment { prop, .. } | PatchAction::Conflict { prop } => {
                path.push(key(prop))
            }
            _ => {}
        }
        path.truncate(DEPTH);
        if !path.is_empty() {
            paths.insert(path);
        }
    }
    paths
}

fn key(prop: &Prop) -> String {
    match prop {
        Prop::Map(key) => key.clone(),
        Prop::Seq(index) => index.to_string(),
    }
}
