//! Carrying out a checked import: new customers made and listed a batch at a time (each
//! batch one write), rows that are customers already updated with what they add, every row's
//! outcome kept for the report; cancellable between batches (what was imported stays).

use std::collections::HashMap;
use std::rc::Rc;

use crm_core::import::{self, Candidate, Checked, Found, Problem, Table};
use crm_core::{CustomerDoc, Id};
use leptos::prelude::*;

use super::super::member_name;
use crate::i18n::{Lang, Texts};
use crate::session::{Session, SessionSignals};

/// New customers listed per write.
const BATCH: usize = 1000;

/// What to do with a row that is a customer already (or repeats an earlier row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Matched {
    Update,
    Skip,
    Create,
}

/// What became of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Done {
    Created,
    Updated,
    Skipped,
    Failed,
}

/// One row's outcome, for the report.
#[derive(Debug, Clone)]
pub(super) struct Outcome {
    pub line: u32,
    pub name: String,
    pub done: Done,
    pub reason: String,
}

/// How far an import got.
#[derive(Debug, Clone, Default)]
pub(super) struct Report {
    pub outcomes: Vec<Outcome>,
    pub cancelled: bool,
}

impl Report {
    /// How many rows ended as `done`.
    pub fn count(&self, done: Done) -> usize {
        self.outcomes.iter().filter(|o| o.done == done).count()
    }

    /// The report as a sheet: line, name, outcome, reason.
    pub fn table(&self, t: &Texts) -> Table {
        let headers = [t.import_line, t.name, t.import_outcome, t.import_reason];
        Table::of(
            std::iter::once((1, headers.map(String::from).to_vec())).chain(
                (self.outcomes.iter().zip(2..)).map(|(o, line)| {
                    let done = match o.done {
                        Done::Created => t.import_created,
                        Done::Updated => t.import_updated,
                        Done::Skipped => t.import_skipped,
                        Done::Failed => t.import_not_imported,
                    };
                    let cells = vec![
                        o.line.to_string(),
                        o.name.clone(),
                        done.into(),
                        o.reason.clone(),
                    ];
                    (line, cells)
                }),
            ),
        )
    }
}

/// "Same person as line `line`", said in `lang`.
pub(super) fn same_as(lang: Lang, line: u32) -> String {
    let t = lang.t();
    format!("{} {line}{}", t.import_same_before, t.import_same_after)
}

/// What is wrong with a row, said in `lang`.
pub(super) fn problems(lang: Lang, errors: &[import::RowError]) -> String {
    let t = lang.t();
    (errors.iter())
        .map(|e| {
            let problem = match &e.problem {
                Problem::MissingName => t.problem_missing_name.to_owned(),
                Problem::Invalid { reason } => format!("{}: {reason}", t.problem_invalid),
                Problem::UnknownOwner => t.problem_unknown_owner.to_owned(),
                Problem::NotYours => t.problem_not_yours.to_owned(),
                Problem::UnknownLifecycle => t.problem_unknown_lifecycle.to_owned(),
                Problem::UnknownSource => t.problem_unknown_source.to_owned(),
            };
            let column = e.column.header(lang.as_team());
            match e.value.is_empty() {
                true => format!("{column}: {problem}"),
                false => format!("{column} “{}”: {problem}", e.value),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Imports `rows` as `matched` says for rows that are customers already, reporting progress
/// (rows done) and stopping between batches once `cancel` is set.
pub(super) async fn run(
    session: Rc<Session>,
    signals: SessionSignals,
    lang: Lang,
    rows: Rc<Vec<Checked>>,
    matched: Matched,
    progress: RwSignal<usize>,
    cancel: RwSignal<bool>,
) -> Report {
    let mut report = Report::default();
    let mut pending: Vec<(Id, CustomerDoc, u32, String)> = Vec::new();
    let mut made: HashMap<u32, Id> = HashMap::new();
    let mut updates: Vec<(String, Candidate, u32)> = Vec::new();
    let stamp = session.stamp();
    let outcome = |line, name: &str, done, reason: String| Outcome {
        line,
        name: name.to_owned(),
        done,
        reason,
    };
    for (n, row) in rows.iter().enumerate() {
        let candidate = match &row.outcome {
            Ok(candidate) => candidate,
            Err(errors) => {
                let why = problems(lang, errors);
                report
                    .outcomes
                    .push(outcome(row.line, &row.name, Done::Failed, why));
                continue;
            }
        };
        let name = candidate.new.name.as_str();
        let target = match &row.found {
            Found::New => None,
            Found::Customer {
                owner, held: false, ..
            } => {
                let why = format!("{} {}", lang.t().owner, member_name(signals, owner));
                report
                    .outcomes
                    .push(outcome(row.line, name, Done::Skipped, why));
                continue;
            }
            Found::Customer {
                id, name: known, ..
            } => Some((Some(id.clone()), known.clone())),
            Found::Earlier { line } => {
                Some((made.get(line).map(Id::to_string), same_as(lang, *line)))
            }
        };
        match (target, matched) {
            (None, _) | (Some(_), Matched::Create) => {
                let id = Id::random();
                match import::create(&id, candidate, &stamp) {
                    Ok(doc) => pending.push((id, doc, row.line, name.to_owned())),
                    Err(e) => {
                        report
                            .outcomes
                            .push(outcome(row.line, name, Done::Failed, e.to_string()))
                    }
                }
            }
            (Some((_, who)), Matched::Skip) => {
                report
                    .outcomes
                    .push(outcome(row.line, name, Done::Skipped, who));
            }
            (Some((Some(id), _)), Matched::Update) => {
                updates.push((id, candidate.clone(), row.line))
            }
            (Some((None, _)), Matched::Update) => {
                // The same person as an earlier row still in this batch.
                let Found::Earlier { line } = row.found else {
                    continue;
                };
                let earlier = pending.iter_mut().find(|(_, _, l, _)| *l == line);
                let done = earlier.map(|(_, doc, _, _)| import::update(doc, candidate, &stamp));
                let (done, reason) = match done {
                    Some(Ok(_)) => (Done::Updated, same_as(lang, line)),
                    Some(Err(e)) => (Done::Failed, e.to_string()),
                    None => (Done::Skipped, same_as(lang, line)),
                };
                report.outcomes.push(outcome(row.line, name, done, reason));
            }
        }
        if pending.len() >= BATCH || n + 1 == rows.len() {
            flush(&session, &mut pending, &mut made, &mut report);
            progress.set(n + 1);
            crate::browser::yield_to_browser().await;
            if cancel.get_untracked() {
                report.cancelled = true;
                return report;
            }
        }
    }
    flush(&session, &mut pending, &mut made, &mut report);
    let ids: Vec<String> = updates.iter().map(|(id, _, _)| id.clone()).collect();
    session.open(&ids).await;
    for (id, candidate, line) in updates {
        let name = candidate.new.name.clone();
        let edited = session.edit_customer(&id, |doc, stamp| {
            import::update(doc, &candidate, stamp).map(|_| ())
        });
        report.outcomes.push(match edited {
            Ok(()) => outcome(line, &name, Done::Updated, String::new()),
            Err(e) => outcome(line, &name, Done::Failed, e.to_string()),
        });
    }
    progress.set(rows.len());
    report.outcomes.sort_by_key(|o| o.line);
    report
}

/// Lists and stores the batch of new customers.
fn flush(
    session: &Rc<Session>,
    pending: &mut Vec<(Id, CustomerDoc, u32, String)>,
    made: &mut HashMap<u32, Id>,
    report: &mut Report,
) {
    if pending.is_empty() {
        return;
    }
    let (docs, rows): (Vec<_>, Vec<_>) = (std::mem::take(pending).into_iter())
        .map(|(id, doc, line, name)| ((id.clone(), doc), (id, line, name)))
        .unzip();
    let result = session.adopt_customers(docs);
    for (id, line, name) in rows {
        report.outcomes.push(match &result {
            Ok(()) => {
                made.insert(line, id);
                Outcome {
                    line,
                    name,
                    done: Done::Created,
                    reason: String::new(),
                }
            }
            Err(e) => Outcome {
                line,
                name,
                done: Done::Failed,
                reason: e.to_string(),
            },
        });
    }
}
