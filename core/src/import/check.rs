//! Each row of a sheet checked as a customer before anything is stored: its fields read
//! through the column mapping, its contact points normalised, its owner, stage and source
//! looked up — every problem named with the row's line — and the customer it already is, if
//! one on this device (or an earlier row) holds one of its contact points.

use std::borrow::Borrow;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::columns::Column;
use super::table::Table;
use crate::contact::{ContactKind, mask, normalize};
use crate::customer::{Lifecycle, NewContact, NewCustomer, Source, SummaryRow};
use crate::workspace::Role;

/// How the importing team names things: members, stages and sources, as people write them
/// in a sheet (labels in any language, stored strings, member names or ids).
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    /// Member id and display name.
    pub members: Vec<(String, String)>,
    /// A label a stage is known by, and the stage.
    pub lifecycles: Vec<(String, Lifecycle)>,
    /// A label a source is known by, and the source.
    pub sources: Vec<(String, Source)>,
}

/// Who imports: salespeople import customers they own.
#[derive(Debug, Clone)]
pub struct Importer {
    /// Member id.
    pub member: String,
    /// Their role.
    pub role: Role,
}

/// A row that reads as a customer.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The profile.
    pub new: NewCustomer,
    /// Contact points, normalised, first of each kind primary.
    pub contacts: Vec<NewContact>,
    /// The normalised keys of `contacts`.
    pub keys: Vec<(ContactKind, String)>,
    /// Manual tags.
    pub tags: Vec<String>,
    /// Notes.
    pub notes: String,
}

/// What is wrong with a cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    /// A name is required.
    MissingName,
    /// The value does not read as the column's kind (the model's reason).
    Invalid { reason: String },
    /// No member of the team is called that.
    UnknownOwner,
    /// Salespeople import customers they own.
    NotYours,
    /// No stage is called that.
    UnknownLifecycle,
    /// No source is called that.
    UnknownSource,
}

/// A problem in one cell of a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// The column.
    pub column: Column,
    /// The cell as written.
    pub value: String,
    /// What is wrong.
    pub problem: Problem,
}

/// Whom a row already is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Found {
    /// Nobody known.
    New,
    /// A customer on this device: its id, name and owner; `held`: its document is here (a
    /// masked row of the pool's or a colleague's is listed, not held, and cannot be updated).
    Customer {
        id: String,
        name: String,
        owner: String,
        held: bool,
    },
    /// The same person as an earlier row of the sheet, at this line.
    Earlier { line: u32 },
}

/// One row, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// Its line in the file (the header is line 1).
    pub line: u32,
    /// Its name cell, as written (also when the row has problems).
    pub name: String,
    /// The customer it reads as, or every problem found.
    pub outcome: Result<Candidate, Vec<RowError>>,
    /// Whom it already is.
    pub found: Found,
}

/// The cells of the columns mapped to phones: to be put in E.164 before [`check`] (the
/// numbering plans live in the phone worker).
pub fn phone_cells(table: &Table, columns: &[Column]) -> Vec<String> {
    let mut phones: Vec<String> = (table.rows.iter())
        .flat_map(|row| cells(&row.cells, columns, Column::Phone))
        .map(|cell| unguarded(cell).to_owned())
        .collect();
    phones.sort();
    phones.dedup();
    phones
}

/// Checks every row of `table` read through `columns`, against the customers in `rows`
/// (`held`: whether a customer's document is on this device) and in earlier rows; `e164`
/// gives a phone cell's E.164 form, if valid.
pub fn check<R: Borrow<SummaryRow>>(
    table: &Table,
    columns: &[Column],
    vocabulary: &Vocabulary,
    importer: &Importer,
    rows: &[R],
    held: &dyn Fn(&str) -> bool,
    e164: &dyn Fn(&str) -> Option<String>,
) -> Vec<Checked> {
    let mut known: HashMap<(ContactKind, &str), &SummaryRow> = HashMap::new();
    for row in rows.iter().map(Borrow::borrow) {
        for (kind, key) in &row.contact_keys {
            known.entry((*kind, key.as_str())).or_insert(row);
        }
    }
    let mut earlier: HashMap<(ContactKind, String), u32> = HashMap::new();
    (table.rows.iter())
        .map(|row| {
            let outcome = candidate(&row.cells, columns, vocabulary, importer, e164);
            let keys = outcome.as_ref().map(|c| c.keys.clone()).unwrap_or_default();
            // A phone also finds a customer this device lists only masked (the pool's, a
            // colleague's): `+86138****5678` — so nobody imports a colleague's customer anew.
            let customer = keys.iter().find_map(|(k, v)| {
                if let Some(row) = known.get(&(*k, v.as_str())) {
                    return Some(*row);
                }
                let masked = (*k == ContactKind::Phone).then(|| mask(*k, v))?;
                known.get(&(*k, masked.as_str())).copied()
            });
            let found = match customer {
                Some(r) => Found::Customer {
                    id: r.id.clone(),
                    name: r.name.clone(),
                    owner: r.owner.clone(),
                    held: held(&r.id),
                },
                None => match keys.iter().find_map(|k| earlier.get(k)) {
                    Some(line) => Found::Earlier { line: *line },
                    None => Found::New,
                },
            };
            for key in keys {
                earlier.entry(key).or_insert(row.line);
            }
            Checked {
                line: row.line,
                name: cells(&row.cells, columns, Column::Name)
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
                outcome,
                found,
            }
        })
        .collect()
}

/// The non-empty cells of `row` in the columns mapped to `column`.
fn cells<'a>(
    row: &'a [String],
    columns: &'a [Column],
    column: Column,
) -> impl Iterator<Item = &'a str> + 'a {
    (columns.iter().zip(row))
        .filter(move |(c, _)| **c == column)
        .map(|(_, cell)| cell.trim())
        .filter(|cell| !cell.is_empty())
}

/// A cell without the `'` an export puts before `=`, `+`, `-` or `@` (against formulas).
fn unguarded(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => cell,
    }
}

/// Stages as sheets commonly name them, beyond the team's labels.
const LIFECYCLE_WORDS: &[(&str, Lifecycle)] = &[
    ("新线索", Lifecycle::Lead),
    ("潜在客户", Lifecycle::Prospect),
    ("意向", Lifecycle::Prospect),
    ("客户", Lifecycle::Customer),
    ("成交", Lifecycle::Customer),
    ("已成交", Lifecycle::Customer),
    ("老客户", Lifecycle::RepeatCustomer),
    ("流失", Lifecycle::Churned),
    ("repeat", Lifecycle::RepeatCustomer),
    ("lost", Lifecycle::Churned),
];

/// Sources as sheets commonly name them, beyond the team's labels.
const SOURCE_WORDS: &[(&str, Source)] = &[
    ("百度", Source::BaiduAds),
    ("介绍", Source::Referral),
    ("朋友介绍", Source::Referral),
    ("老客户介绍", Source::Referral),
    ("官网", Source::WebsiteForm),
    ("网站", Source::WebsiteForm),
    ("电话", Source::ColdCall),
    ("公众号", Source::WeChat),
    ("微信群", Source::WeChat),
    ("tiktok", Source::Douyin),
    ("website", Source::WebsiteForm),
];

/// A key to compare labels by: lower case, no spaces.
fn fold(text: &str) -> String {
    (text.chars())
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The value `labels` (else the common `words`) give `text`.
fn lookup<T: Copy>(labels: &[(String, T)], words: &[(&str, T)], text: &str) -> Option<T> {
    let key = fold(text);
    let word = |(label, value): (&str, T)| (fold(label) == key).then_some(value);
    (labels.iter().find_map(|(l, v)| word((l.as_str(), *v))))
        .or_else(|| words.iter().find_map(|(l, v)| word((l, *v))))
}

fn candidate(
    row: &[String],
    columns: &[Column],
    vocabulary: &Vocabulary,
    importer: &Importer,
    e164: &dyn Fn(&str) -> Option<String>,
) -> Result<Candidate, Vec<RowError>> {
    let mut errors = Vec::new();
    let one = |column| cells(row, columns, column).next().unwrap_or_default();
    let mut error = |column, value: &str, problem| {
        errors.push(RowError {
            column,
            value: value.to_owned(),
            problem,
        })
    };
    let name = one(Column::Name);
    if name.is_empty() {
        error(Column::Name, "", Problem::MissingName);
    }
    let owner = match one(Column::Owner) {
        "" => importer.member.clone(),
        written => {
            let key = fold(written);
            let member = (vocabulary.members.iter()).find(|(id, name)| {
                fold(id) == key
                    || fold(name) == key
                    || name
                        .split_whitespace()
                        .next()
                        .is_some_and(|n| fold(n) == key)
            });
            match member {
                None => {
                    error(Column::Owner, written, Problem::UnknownOwner);
                    String::new()
                }
                Some((id, _)) if importer.role == Role::Sales && *id != importer.member => {
                    error(Column::Owner, written, Problem::NotYours);
                    String::new()
                }
                Some((id, _)) => id.clone(),
            }
        }
    };
    let lifecycle = match one(Column::Lifecycle) {
        "" => Lifecycle::Lead,
        written => (lookup(&vocabulary.lifecycles, LIFECYCLE_WORDS, written)
            .or_else(|| Lifecycle::parse(written)))
        .unwrap_or_else(|| {
            error(Column::Lifecycle, written, Problem::UnknownLifecycle);
            Lifecycle::Lead
        }),
    };
    let source = match one(Column::Source) {
        "" => Source::Other,
        written => (lookup(&vocabulary.sources, SOURCE_WORDS, written)
            .or_else(|| Source::parse(written)))
        .unwrap_or_else(|| {
            error(Column::Source, written, Problem::UnknownSource);
            Source::Other
        }),
    };
    let mut contacts: Vec<NewContact> = Vec::new();
    let mut keys = Vec::new();
    for column in Column::ALL.iter().filter(|c| c.contact_kind().is_some()) {
        let kind = column.contact_kind().expect("filtered");
        // Several numbers in one cell are common: "138…; 139…", "138… / 010-…".
        let values = cells(row, columns, *column).flat_map(|cell| {
            let separators: &[char] = match kind {
                ContactKind::Address => &['\n'],
                _ => &[';', '；', ',', '，', '/', '、', '\n'],
            };
            cell.split(separators)
                .map(str::trim)
                .filter(|v| !v.is_empty())
        });
        for typed in values {
            let typed = unguarded(typed);
            let phone = (kind == ContactKind::Phone).then(|| e164(typed)).flatten();
            match normalize(kind, typed, phone.as_deref()) {
                Ok((_, key)) if keys.contains(&(kind, key.clone())) => {}
                Ok((_, key)) => {
                    let primary = !contacts.iter().any(|c| c.kind == kind);
                    contacts.push(NewContact {
                        kind,
                        value: typed.to_owned(),
                        e164: phone,
                        label: String::new(),
                        primary,
                    });
                    keys.push((kind, key));
                }
                Err(e) => error(
                    *column,
                    typed,
                    Problem::Invalid {
                        reason: e.to_string(),
                    },
                ),
            }
        }
    }
    let tags: Vec<String> = cells(row, columns, Column::Tags)
        .flat_map(|cell| cell.split([',', '，', ';', '；', '、', '|']))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(String::from)
        .collect();
    let notes: Vec<&str> = cells(row, columns, Column::Notes).collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Candidate {
        new: NewCustomer {
            name: name.to_owned(),
            name_latin: one(Column::NameLatin).to_owned(),
            company: one(Column::Company).to_owned(),
            title: one(Column::Title).to_owned(),
            owner,
            source,
            lifecycle,
        },
        contacts,
        keys,
        tags,
        notes: notes.join("\n"),
    })
}
