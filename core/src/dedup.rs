//! One record per real person: pairs of customers that look like the same person — sharing a
//! normalised contact point, or a name (a Chinese name matching the other's pinyin counts)
//! with the same company — each with its reasons and a confidence. Pairs the team said are
//! two people ([`crate::WorkspaceDoc::dismissed_duplicates`]) are left out.

use std::borrow::Borrow;
use std::collections::{BTreeSet, HashMap};

use crate::contact::ContactKind;
use crate::customer::SummaryRow;

/// Why two customers look like one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    /// Both hold this contact point.
    Shared(ContactKind),
    /// The same name (or one's name is the other's pinyin).
    Name,
    /// The same company.
    Company,
}

/// Two customers that look like one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    /// The customers' ids, the smaller first.
    pub ids: (String, String),
    /// Why, strongest first.
    pub reasons: Vec<Reason>,
    /// How sure, in percent.
    pub confidence: u8,
}

/// A contact point or name shared by more customers than this is a switchboard or a common
/// name, not a person: it makes no pairs.
const CROWD: usize = 20;

/// The key a pair is remembered by: the two ids, the smaller first, joined by `|`.
pub fn pair_key(a: &str, b: &str) -> String {
    match a <= b {
        true => format!("{a}|{b}"),
        false => format!("{b}|{a}"),
    }
}

/// Text compared as a name or company: lower case, letters and digits only.
fn fold(text: &str) -> String {
    (text.chars())
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The pairs among `rows` (archived and merged customers left out) not in `dismissed` (pair keys), most
/// certain first.
pub fn pairs<R: Borrow<SummaryRow>>(rows: &[R], dismissed: &BTreeSet<String>) -> Vec<Pair> {
    let live: Vec<&SummaryRow> = (rows.iter().map(Borrow::borrow))
        .filter(|r: &&SummaryRow| r.live())
        .collect();
    let mut groups: HashMap<(Option<ContactKind>, String), Vec<usize>> = HashMap::new();
    for (i, row) in live.iter().enumerate() {
        for (kind, key) in &row.contact_keys {
            groups
                .entry((Some(*kind), key.clone()))
                .or_default()
                .push(i);
        }
        let names: BTreeSet<String> = [fold(&row.name), fold(&row.name_latin)]
            .into_iter()
            .filter(|n| !n.is_empty())
            .collect();
        for name in names {
            groups.entry((None, name)).or_default().push(i);
        }
    }
    let mut found: HashMap<(usize, usize), BTreeSet<Reason>> = HashMap::new();
    for ((kind, _), members) in &groups {
        if members.len() < 2 || members.len() > CROWD {
            continue;
        }
        let reason = kind.map_or(Reason::Name, Reason::Shared);
        for (n, a) in members.iter().enumerate() {
            for b in &members[n + 1..] {
                if a != b {
                    found
                        .entry((*a.min(b), *a.max(b)))
                        .or_default()
                        .insert(reason);
                }
            }
        }
    }
    let mut pairs: Vec<Pair> = (found.into_iter())
        .filter_map(|((a, b), mut reasons)| {
            let (a, b) = (live[a], live[b]);
            let company = (fold(&a.company), fold(&b.company));
            if !company.0.is_empty() && company.0 == company.1 {
                reasons.insert(Reason::Company);
            }
            let confidence = confidence(&reasons, company.0.is_empty() || company.1.is_empty())?;
            let ids = match a.id <= b.id {
                true => (a.id.clone(), b.id.clone()),
                false => (b.id.clone(), a.id.clone()),
            };
            (!dismissed.contains(&pair_key(&ids.0, &ids.1))).then(|| Pair {
                ids,
                reasons: reasons.into_iter().collect(),
                confidence,
            })
        })
        .collect();
    pairs.sort_by(|x, y| {
        y.confidence
            .cmp(&x.confidence)
            .then_with(|| x.ids.cmp(&y.ids))
    });
    pairs
}

/// How sure `reasons` make a pair (`None`: not enough to show it); `unknown_company`: one of
/// the two has none.
fn confidence(reasons: &BTreeSet<Reason>, unknown_company: bool) -> Option<u8> {
    let strongest = reasons.iter().map(|r| match r {
        Reason::Shared(ContactKind::Phone | ContactKind::Email) => 95,
        Reason::Shared(ContactKind::Address | ContactKind::Other) => 40,
        Reason::Shared(_) => 90,
        Reason::Name if reasons.contains(&Reason::Company) => 80,
        Reason::Name if unknown_company => 50,
        Reason::Name | Reason::Company => 0,
    });
    let best = strongest.max()?;
    let more = 4 * (reasons.len() as u8 - 1);
    (best >= 50).then(|| (best + more).min(99))
}

#[cfg(test)]
mod tests;
