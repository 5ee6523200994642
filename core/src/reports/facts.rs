//! A run of rows read once into flat columns: what every figure needs of them, whatever the
//! period, filter or time buckets asked. A new question is answered from the columns, front to
//! back, without reading the rows again (over 100,000 rows, reading each row's scattered
//! allocations — deals, their stages, follow-ups, the interaction log — was most of the time
//! of every figure).

use std::collections::HashMap;

use crate::customer::{Lifecycle, Source, SummaryRow};
use crate::funnel::Steps;
use crate::pipeline::{Pipeline, StageKind};
use crate::values::Millis;

/// The strings the facts refer to by number: member ids and currencies (only ever added to,
/// so a number keeps its meaning in every run's facts read with them).
#[derive(Debug, Default)]
pub(super) struct Names {
    pub(super) members: Interned,
    pub(super) currencies: Interned,
}

/// Up to this many strings are found by comparing each.
const FEW: usize = 16;

/// Strings numbered in the order first seen.
#[derive(Debug, Default)]
pub(super) struct Interned {
    names: Vec<String>,
    numbers: HashMap<String, u32>,
}

impl Interned {
    /// `name`'s number, given it if it has none yet.
    fn number(&mut self, name: &str) -> u32 {
        // A team's members and currencies are a handful: compared in turn, faster than hashed.
        let few = self.names.len() <= FEW;
        let found = match few {
            true => (self.names.iter().position(|n| n == name)).map(|n| n as u32),
            false => self.numbers.get(name).copied(),
        };
        if let Some(n) = found {
            return n;
        }
        let n = self.names.len() as u32;
        self.names.push(name.to_owned());
        self.numbers.insert(name.to_owned(), n);
        n
    }

    /// `name`'s number, if it has one (a string never numbered is in no fact).
    pub(super) fn find(&self, name: &str) -> Option<u32> {
        self.numbers.get(name).copied()
    }

    /// The string numbered `n`.
    pub(super) fn name(&self, n: u32) -> &str {
        &self.names[n as usize]
    }
}

/// A run of rows, as columns; every fact names its row by position in the run.
#[derive(Debug, Default)]
pub(super) struct Facts {
    /// One per row, in order.
    pub(super) rows: Vec<RowFact>,
    /// Every deal, row by row.
    pub(super) deals: Vec<DealFact>,
    /// The deals' stays in a funnel step's stage, each time they left it, deal by deal.
    pub(super) stays: Vec<Stay>,
    /// Follow-ups done.
    pub(super) done: Vec<DoneFact>,
    /// Follow-ups not done yet.
    pub(super) open: Vec<OpenFact>,
    /// Interactions, a run per customer and author.
    pub(super) logged: Vec<Logged>,
    /// The minutes of the interactions (since 1970, UTC), run by run, oldest first in each.
    pub(super) minutes: Vec<i32>,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct RowFact {
    pub(super) created_at: Millis,
    pub(super) owner: u32,
    /// Whether it has an owner (`owner` is then the empty string's number).
    pub(super) owned: bool,
    pub(super) live: bool,
    /// Whether any of its deals is won, whenever.
    pub(super) won_any: bool,
    pub(super) source: Source,
    pub(super) lifecycle: Lifecycle,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct DealFact {
    pub(super) row: u32,
    pub(super) created_at: Millis,
    /// When it was won (it is in a won stage, entered then).
    pub(super) won: Option<Millis>,
    /// When it was lost.
    pub(super) lost: Option<Millis>,
    pub(super) amount: i64,
    pub(super) currency: u32,
    /// The order of the furthest funnel step it reached.
    pub(super) furthest: Option<i64>,
    /// Its stays: `stays[from..to]`.
    pub(super) stays: (u32, u32),
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Stay {
    /// The funnel step (position among the steps).
    pub(super) step: u32,
    pub(super) span: Millis,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct DoneFact {
    pub(super) row: u32,
    pub(super) assignee: u32,
    pub(super) due: Millis,
    pub(super) done: Millis,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct OpenFact {
    pub(super) row: u32,
    pub(super) assignee: u32,
    pub(super) due: Millis,
}

/// The interactions one member logged on one customer.
#[derive(Debug, Clone, Copy)]
pub(super) struct Logged {
    pub(super) row: u32,
    pub(super) author: u32,
    /// The first and last minutes.
    pub(super) first: i32,
    pub(super) last: i32,
    /// Where its minutes are: `minutes[from..to]`.
    pub(super) minutes: (u32, u32),
}

impl Logged {
    /// How many of the run's interactions fall in the minutes `[from, to)`: none read when the
    /// run is wholly in or out.
    pub(super) fn within(&self, (from, to): (i32, i32), minutes: &[i32]) -> usize {
        let (at, end) = (self.minutes.0 as usize, self.minutes.1 as usize);
        if self.last < from || self.first >= to {
            0
        } else if from <= self.first && self.last < to {
            end - at
        } else {
            let run = &minutes[at..end];
            run.partition_point(|m| *m < to) - run.partition_point(|m| *m < from)
        }
    }
}

/// The pipeline's won and lost stages, to tell closed deals apart without a map lookup per
/// deal.
struct Closing {
    won: Vec<String>,
    lost: Vec<String>,
}

impl Closing {
    fn of(pipeline: &Pipeline) -> Self {
        let of_kind = |kind| {
            (pipeline.stages.iter())
                .filter(|(_, s)| s.kind == kind)
                .map(|(id, _)| id.clone())
                .collect()
        };
        Self {
            won: of_kind(StageKind::Won),
            lost: of_kind(StageKind::Lost),
        }
    }
}

impl Facts {
    /// The facts of `rows` under `pipeline`'s stages, their strings numbered in `names`.
    pub(super) fn of<'a>(
        rows: impl IntoIterator<Item = &'a SummaryRow>,
        pipeline: &Pipeline,
        names: &mut Names,
    ) -> Self {
        let (closing, steps) = (Closing::of(pipeline), Steps::of(pipeline));
        let mut facts = Facts::default();
        for (at, row) in rows.into_iter().enumerate() {
            facts.add(at as u32, row, &closing, &steps, names);
        }
        facts
    }

    fn add(
        &mut self,
        at: u32,
        row: &SummaryRow,
        closing: &Closing,
        steps: &Steps,
        names: &mut Names,
    ) {
        let mut won_any = false;
        for deal in &row.deals {
            let closed =
                |stages: &[String]| stages.contains(&deal.stage).then_some(deal.stage_since);
            let from = self.stays.len() as u32;
            for pair in deal.moves.windows(2) {
                if let Some(step) = steps.position(&pair[0].0) {
                    let span = pair[1].1 - pair[0].1;
                    self.stays.push(Stay {
                        step: step as u32,
                        span,
                    });
                }
            }
            let won = closed(&closing.won);
            won_any |= won.is_some();
            self.deals.push(DealFact {
                row: at,
                created_at: deal.created_at,
                won,
                lost: closed(&closing.lost),
                amount: deal.amount.minor,
                currency: names.currencies.number(&deal.amount.currency),
                furthest: steps.furthest(deal),
                stays: (from, self.stays.len() as u32),
            });
        }
        for (due, done, assignee) in &row.done_follow_ups {
            self.done.push(DoneFact {
                row: at,
                assignee: names.members.number(assignee),
                due: *due,
                done: *done,
            });
        }
        for open in &row.open_follow_ups {
            self.open.push(OpenFact {
                row: at,
                assignee: names.members.number(&open.assignee),
                due: open.due_at,
            });
        }
        for (author, minutes) in &row.logged {
            let (Some(first), Some(last)) = (minutes.first(), minutes.last()) else {
                continue;
            };
            let from = self.minutes.len() as u32;
            (self.minutes).extend(minutes.iter().map(|m| minute(*m)));
            self.logged.push(Logged {
                row: at,
                author: names.members.number(author),
                first: minute(*first),
                last: minute(*last),
                minutes: (from, self.minutes.len() as u32),
            });
        }
        self.rows.push(RowFact {
            created_at: row.created_at,
            owner: names.members.number(&row.owner),
            owned: !row.owner.is_empty(),
            live: row.live(),
            won_any,
            source: row.source,
            lifecycle: row.lifecycle,
        });
    }
}

/// What each figure counts of a row under a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pass {
    /// Nothing: archived, merged, or another source.
    Out,
    /// Only the breakdown by owner (the filter's owner is someone else).
    Owners,
    /// Every figure.
    All,
}

impl Pass {
    /// Whether the figures about the filtered customers count the row.
    pub(super) fn figures(self) -> bool {
        self == Pass::All
    }

    /// Whether the breakdown by owner counts the row.
    pub(super) fn owners(self) -> bool {
        self != Pass::Out
    }

    /// What each figure counts of each row of `facts` under `filter`'s owner and source.
    pub(super) fn of(
        facts: &Facts,
        owner: Option<&str>,
        source: Option<Source>,
        names: &Names,
    ) -> Vec<Pass> {
        // An owner never numbered owns none of the rows.
        let owner = owner.map(|o| names.members.find(o));
        (facts.rows.iter())
            .map(|row| {
                if !row.live || source.is_some_and(|s| s != row.source) {
                    Pass::Out
                } else if owner.is_some_and(|o| o != Some(row.owner)) {
                    Pass::Owners
                } else {
                    Pass::All
                }
            })
            .collect()
    }
}

/// A minute since 1970 as the facts keep it (an `i32` lasts until the year 6053).
pub(super) fn minute(m: i64) -> i32 {
    m.clamp(i32::MIN.into(), i32::MAX.into()) as i32
}
