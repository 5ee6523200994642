//! The compact row a customer is shown as in lists, search and dashboards.

use std::collections::BTreeMap;
use std::sync::Arc;

use automerge::ChangeHash;
use serde::{Deserialize, Serialize};

use super::CustomerDoc;
use super::model::{Channel, Customer, Deal, Lifecycle, Source};
use crate::contact::ContactKind;
use crate::error::ModelError;
use crate::values::{Millis, Money};

/// A follow-up not done yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenFollowUp {
    pub id: String,
    pub title: String,
    pub due_at: Millis,
    pub assignee: String,
}

/// A deal, summarised for the pipeline board and the funnel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealRow {
    pub id: String,
    pub title: String,
    pub amount: Money,
    /// Current stage id.
    pub stage: String,
    /// Every stage the deal has been in, in history order, without repeats.
    pub reached: Vec<String>,
    /// When the deal last entered its current stage.
    pub stage_since: Millis,
    /// When the deal was created (rows cached before reports read as 0).
    #[serde(default)]
    pub created_at: Millis,
    /// Every stage entry, (stage, time), in history order: stage-to-stage times, the time a
    /// deal was won.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub moves: Vec<(String, Millis)>,
}

impl DealRow {
    /// Summarises deal `id` from its stage history.
    fn of(id: &str, deal: &Deal) -> Self {
        let history = deal.stage_history.iter().map(|c| (c.stage.clone(), c.at));
        Self::from_parts(
            id,
            deal.title.clone(),
            Money {
                minor: deal.amount_minor,
                currency: deal.currency.clone(),
            },
            deal.stage.clone(),
            deal.created_at,
            history,
        )
    }

    /// Builds the row from the stored fields; `history` is (stage, time) in list order.
    pub(super) fn from_parts(
        id: &str,
        title: String,
        amount: Money,
        stage: String,
        created_at: Millis,
        history: impl Iterator<Item = (String, Millis)>,
    ) -> Self {
        let mut reached: Vec<String> = Vec::new();
        let mut stage_since = created_at;
        let mut moves = Vec::new();
        for (entered, at) in history {
            if entered == stage {
                stage_since = at;
            }
            if !reached.contains(&entered) {
                reached.push(entered.clone());
            }
            moves.push((entered, at));
        }
        Self {
            id: id.to_owned(),
            title,
            amount,
            stage,
            reached,
            stage_since,
            created_at,
            moves,
        }
    }
}

/// One customer, summarised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryRow {
    pub id: String,
    pub name: String,
    pub name_latin: String,
    pub company: String,
    pub owner: String,
    pub source: Source,
    pub lifecycle: Lifecycle,
    /// Manual and automatic tags, sorted, without duplicates.
    pub tags: Vec<String>,
    /// Normalised phones, emails and handles, for search and duplicate matching.
    pub contact_keys: Vec<(ContactKind, String)>,
    /// Follow-ups not done yet, earliest due first (ties by id).
    pub open_follow_ups: Vec<OpenFollowUp>,
    /// Time and channel of the latest interaction.
    pub last_interaction: Option<(Millis, Channel)>,
    /// Sum of all orders per currency, sorted by currency.
    pub lifetime_spend: Vec<Money>,
    pub order_count: usize,
    /// Deals, open or closed, by id.
    pub deals: Vec<DealRow>,
    pub updated_at: Millis,
    /// The customer is archived (rows cached before archiving existed read as not).
    #[serde(default)]
    pub archived: bool,
    /// When the customer was created (rows cached before reports read as 0).
    #[serde(default)]
    pub created_at: Millis,
    /// Author → the minute (since 1970, UTC) of each of their interactions, oldest first:
    /// activity per member and period, in a sixth of the bytes of times with authors.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub logged: BTreeMap<String, Vec<i64>>,
    /// Every follow-up done, (due, done, assignee), by due time: done on time or late.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub done_follow_ups: Vec<(Millis, Millis, String)>,
    /// The survivor's id and when, while this customer is merged into another: a tombstone
    /// lists, counts and searches leave out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<(String, Millis)>,
    /// The tags rules applied and when, by tag: what the rules flagged, and since when.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flagged: Vec<(String, Millis)>,
}

impl SummaryRow {
    /// Summarises `customer`.
    pub fn of(customer: &Customer) -> Self {
        let p = &customer.profile;
        let mut tags: Vec<String> = customer
            .tags
            .keys()
            .chain(customer.auto_tags.keys())
            .cloned()
            .collect();
        tags.sort();
        tags.dedup();
        let contact_keys = customer
            .contacts
            .values()
            .filter(|c| c.kind != ContactKind::Address)
            .map(|c| (c.kind, c.normalized.clone()))
            .collect();
        let mut open_follow_ups: Vec<OpenFollowUp> = customer
            .follow_ups
            .iter()
            .filter(|(_, f)| !f.done)
            .map(|(id, f)| OpenFollowUp {
                id: id.clone(),
                title: f.title.clone(),
                due_at: f.due_at,
                assignee: f.assignee.clone(),
            })
            .collect();
        sort_follow_ups(&mut open_follow_ups);
        let last_interaction = customer
            .interactions
            .iter()
            .max_by_key(|(id, i)| (i.at, *id))
            .map(|(_, i)| (i.at, i.channel));
        let mut spend: BTreeMap<&str, i64> = BTreeMap::new();
        for order in customer.orders.values() {
            let total = spend.entry(order.currency.as_str()).or_default();
            *total = total.saturating_add(order.amount_minor);
        }
        Self {
            id: customer.id.clone(),
            name: p.name.clone(),
            name_latin: p.name_latin.clone(),
            company: p.company.clone(),
            owner: p.owner.clone(),
            source: p.source,
            lifecycle: p.lifecycle,
            tags,
            contact_keys,
            open_follow_ups,
            last_interaction,
            lifetime_spend: spend
                .into_iter()
                .map(|(currency, minor)| Money {
                    minor,
                    currency: currency.to_owned(),
                })
                .collect(),
            order_count: customer.orders.len(),
            deals: customer
                .deals
                .iter()
                .map(|(id, deal)| DealRow::of(id, deal))
                .collect(),
            updated_at: customer.updated_at,
            archived: customer.archived.is_some(),
            merged_into: (customer.merged_into.as_ref())
                .filter(|m| m.undone.is_none())
                .map(|m| (m.into.clone(), m.at)),
            created_at: customer.created_at,
            logged: log_by_author(
                customer
                    .interactions
                    .values()
                    .map(|i| (i.at, i.author.clone())),
            ),
            done_follow_ups: sorted_done(
                (customer.follow_ups.values())
                    .filter(|f| f.done)
                    .map(|f| (f.due_at, f.done_at.unwrap_or(f.due_at), f.assignee.clone()))
                    .collect(),
            ),
            flagged: (customer.auto_tags.iter())
                .map(|(tag, auto)| (tag.clone(), auto.applied_at))
                .collect(),
        }
    }
}

impl SummaryRow {
    /// Whether the customer is in the team's lists and figures: neither archived nor merged
    /// into another.
    pub fn live(&self) -> bool {
        !self.archived && self.merged_into.is_none()
    }

    /// The earliest open follow-up.
    pub fn next_follow_up(&self) -> Option<&OpenFollowUp> {
        self.open_follow_ups.first()
    }
}

/// Interactions' (time, author) as author → minutes, oldest first.
pub(super) fn log_by_author(
    log: impl Iterator<Item = (Millis, String)>,
) -> BTreeMap<String, Vec<i64>> {
    let mut by_author: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for (at, author) in log {
        by_author
            .entry(author)
            .or_default()
            .push(at.div_euclid(MINUTE_MS));
    }
    by_author
        .values_mut()
        .for_each(|minutes| minutes.sort_unstable());
    by_author
}

/// A minute in milliseconds.
pub const MINUTE_MS: Millis = 60_000;

/// By due time, then done time and assignee.
pub(super) fn sorted_done(
    mut done: Vec<(Millis, Millis, String)>,
) -> Vec<(Millis, Millis, String)> {
    done.sort_unstable();
    done
}

/// Earliest due first, ties by id.
pub(super) fn sort_follow_ups(follow_ups: &mut [OpenFollowUp]) {
    follow_ups.sort_by(|a, b| (a.due_at, &a.id).cmp(&(b.due_at, &b.id)));
}

/// A summary row with the heads of the document state it summarises, so a row that was cached
/// or received from the edge can be checked against the document it stands for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadedRow {
    /// Heads of the summarised document, lowercase hex, sorted.
    pub heads: Vec<String>,
    /// Shared: the device's lists hold the same row, not a copy (100,000 rows copied on every
    /// change took longer than a frame).
    pub row: Arc<SummaryRow>,
    /// The row layout it was made with ([`ROW_VERSION`]; absent: 1): a row of an older layout
    /// lacks fields and is made again from its document.
    #[serde(default = "first_version")]
    pub version: u32,
}

/// The summary row layout this build makes: 2 added what the reports read (creation times,
/// stage moves, interactions by author, done follow-ups), 3 when rules applied their tags.
pub const ROW_VERSION: u32 = 3;

fn first_version() -> u32 {
    1
}

impl HeadedRow {
    /// `row`, summarising the document at `heads`.
    pub fn new(row: SummaryRow, heads: &[ChangeHash]) -> Self {
        Self {
            heads: hex_heads(heads),
            row: Arc::new(row),
            version: ROW_VERSION,
        }
    }

    /// Whether this row summarises the document at `heads` (compared digit by digit, without
    /// formatting: a start checks 100,000 rows).
    pub fn is_at(&self, heads: &[ChangeHash]) -> bool {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut sorted: Vec<&ChangeHash> = heads.iter().collect();
        sorted.sort_unstable();
        let is_hex_of = |hex: &String, hash: &ChangeHash| {
            hex.len() == 2 * hash.0.len()
                && (hex.as_bytes().chunks(2).zip(hash.0)).all(|(pair, byte)| {
                    pair == [
                        DIGITS[usize::from(byte >> 4)],
                        DIGITS[usize::from(byte & 15)],
                    ]
                })
        };
        self.version == ROW_VERSION
            && self.heads.len() == sorted.len()
            && (self.heads.iter().zip(sorted)).all(|(hex, hash)| is_hex_of(hex, hash))
    }
}

fn hex_heads(heads: &[ChangeHash]) -> Vec<String> {
    let mut hex: Vec<String> = heads.iter().map(ToString::to_string).collect();
    hex.sort_unstable();
    hex
}

impl CustomerDoc {
    /// This customer's summary row, read without hydrating the whole customer.
    pub fn summary(&self) -> Result<SummaryRow, ModelError> {
        if self.erased().is_some() {
            return Err(ModelError::Erased { id: self.id()? });
        }
        super::summary_scan::summary_row(&self.doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_cached_in_an_older_layout_is_made_again() {
        let heads = [ChangeHash([7; 32])];
        let doc = crate::customer::tests::new_customer();
        let row = HeadedRow::new(doc.summary().unwrap(), &heads);
        assert!(row.is_at(&heads));
        let mut json = serde_json::to_value(&row).unwrap();
        json.as_object_mut().unwrap().remove("version");
        let old: HeadedRow = serde_json::from_value(json).unwrap();
        assert_eq!(old.version, 1);
        assert!(!old.is_at(&heads));
    }

    proptest::proptest! {
        /// A row is at the heads whose sorted lowercase hex it holds, and at no others.
        #[test]
        fn a_row_is_at_exactly_the_heads_it_names(
            named in proptest::collection::vec(proptest::array::uniform32(0u8..4), 0..4),
            asked in proptest::collection::vec(proptest::array::uniform32(0u8..4), 0..4),
        ) {
            let hashes = |raw: &[[u8; 32]]| raw.iter().map(|h| ChangeHash(*h)).collect::<Vec<_>>();
            let summary = crate::customer::tests::new_customer().summary().unwrap();
            let row = HeadedRow { heads: hex_heads(&hashes(&named)), row: Arc::new(summary), version: ROW_VERSION };
            let asked = hashes(&asked);
            proptest::prop_assert_eq!(row.is_at(&asked), row.heads == hex_heads(&asked));
            proptest::prop_assert!(row.is_at(&hashes(&named).into_iter().rev().collect::<Vec<_>>()));
        }
    }
}
