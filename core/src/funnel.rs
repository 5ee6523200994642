//! The sales pipeline seen across customers: deals by stage with their totals, and the funnel
//! with stage-to-stage conversion.
//!
//! A deal has *reached* a stage when it has been in that stage or in any later open or won
//! stage (a deal that skipped a stage still passed through it). Lost deals count for the
//! furthest stage they reached before being lost; the lost stage itself is not a funnel step.

use std::collections::BTreeMap;

use crate::customer::{DealRow, SummaryRow};
use crate::pipeline::{Pipeline, StageKind};
use crate::values::Money;

/// The deals currently in one stage.
#[derive(Debug, Clone, PartialEq)]
pub struct StageColumn {
    /// Stage id.
    pub stage: String,
    /// (customer id, customer name, deal), largest amount first.
    pub deals: Vec<(String, String, DealRow)>,
    /// Sum of the amounts per currency, sorted by currency.
    pub totals: Vec<Money>,
}

/// One step of the funnel.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelStep {
    /// Stage id.
    pub stage: String,
    /// Deals that reached this stage.
    pub reached: usize,
    /// `reached` of this step over `reached` of the previous one (`None` for the first step or
    /// when the previous step is empty).
    pub conversion: Option<f64>,
}

/// The board: one column per stage of `pipeline`, in board order.
pub fn board<'a>(
    rows: impl IntoIterator<Item = &'a SummaryRow>,
    pipeline: &Pipeline,
) -> Vec<StageColumn> {
    let mut columns: Vec<StageColumn> = pipeline
        .ordered()
        .into_iter()
        .map(|(id, _)| StageColumn {
            stage: id.to_owned(),
            deals: Vec::new(),
            totals: Vec::new(),
        })
        .collect();
    for row in rows.into_iter().filter(|row| row.live()) {
        for deal in &row.deals {
            // A deal in a stage since removed (moved there on a device that did not know)
            // shows in the first stage, where someone moves it on.
            let at = (columns.iter()).position(|c| c.stage == deal.stage);
            if let Some(column) = at.or((!columns.is_empty()).then_some(0)) {
                columns[column]
                    .deals
                    .push((row.id.clone(), row.name.clone(), deal.clone()));
            }
        }
    }
    for column in &mut columns {
        column.deals.sort_by(|a, b| {
            (b.2.amount.minor, &a.0, &a.2.id).cmp(&(a.2.amount.minor, &b.0, &b.2.id))
        });
        let mut totals: BTreeMap<&str, i64> = BTreeMap::new();
        for (_, _, deal) in &column.deals {
            let total = totals.entry(deal.amount.currency.as_str()).or_default();
            *total = total.saturating_add(deal.amount.minor);
        }
        column.totals = totals
            .into_iter()
            .map(|(currency, minor)| Money {
                minor,
                currency: currency.to_owned(),
            })
            .collect();
    }
    columns
}

/// The funnel over the open and won stages of `pipeline`, in board order.
pub fn funnel<'a>(
    rows: impl IntoIterator<Item = &'a SummaryRow>,
    pipeline: &Pipeline,
) -> Vec<FunnelStep> {
    let deals = (rows.into_iter())
        .filter(|row| row.live())
        .flat_map(|row| &row.deals);
    funnel_of(deals, pipeline)
}

/// The funnel of `deals` over the open and won stages of `pipeline`, in board order.
pub fn funnel_of<'a>(
    deals: impl IntoIterator<Item = &'a DealRow>,
    pipeline: &Pipeline,
) -> Vec<FunnelStep> {
    let steps = Steps::of(pipeline);
    let furthest: Vec<i64> = (deals.into_iter())
        .filter_map(|deal| steps.furthest(deal))
        .collect();
    steps.funnel(&furthest)
}

/// A funnel's steps: the open and won stages of a pipeline, in board order, with their order.
#[derive(Debug, Clone)]
pub(crate) struct Steps(Vec<(String, i64)>);

impl Steps {
    pub(crate) fn of(pipeline: &Pipeline) -> Self {
        Self(
            (pipeline.ordered().into_iter())
                .filter(|(_, s)| s.kind != StageKind::Lost)
                .map(|(id, s)| (id.to_owned(), s.order))
                .collect(),
        )
    }

    /// Where `stage` is among the steps.
    pub(crate) fn position(&self, stage: &str) -> Option<usize> {
        self.0.iter().position(|(id, _)| *id == stage)
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// The order of the furthest step `deal` reached (a deal that skipped a stage passed
    /// through it).
    pub(crate) fn furthest(&self, deal: &DealRow) -> Option<i64> {
        (deal.reached.iter())
            .filter_map(|stage| self.position(stage))
            .map(|at| self.0[at].1)
            .max()
    }

    /// The steps, each with how many of the deals reached it (`furthest`: each deal's
    /// furthest order) and the conversion from the step before.
    pub(crate) fn funnel(&self, furthest: &[i64]) -> Vec<FunnelStep> {
        let mut previous: Option<usize> = None;
        (self.0.iter())
            .map(|(id, order)| {
                let reached = furthest.iter().filter(|f| *f >= order).count();
                let conversion = previous
                    .filter(|p| *p > 0)
                    .map(|p| reached as f64 / p as f64);
                previous = Some(reached);
                FunnelStep {
                    stage: id.clone(),
                    reached,
                    conversion,
                }
            })
            .collect()
    }

    /// The order of the step at `at`.
    pub(crate) fn order(&self, at: usize) -> i64 {
        self.0[at].1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customer::{CustomerDoc, Lifecycle, NewCustomer, NewDeal, Source};
    use crate::document::Stamp;
    use crate::id::Id;

    fn customer_with_deals(id: &str, moves: &[(&str, &[&str], i64)]) -> SummaryRow {
        let pipeline = Pipeline::standard();
        let stamp = Stamp::new("li", 1_000);
        let new = NewCustomer {
            name: format!("客户{id}"),
            name_latin: String::new(),
            company: String::new(),
            title: String::new(),
            owner: "li".into(),
            source: Source::Other,
            lifecycle: Lifecycle::Lead,
        };
        let mut doc = CustomerDoc::create(&Id::parse(id).unwrap(), new, &stamp).unwrap();
        for (deal, stages, amount) in moves {
            let new = NewDeal {
                title: format!("deal {deal}"),
                amount: Money::cny(*amount),
                stage: None,
                expected_close: None,
            };
            doc.add_deal(&Id::parse(deal).unwrap(), new, &pipeline, &stamp)
                .unwrap();
            for stage in *stages {
                let reason = (*stage == "lost").then_some("价格");
                doc.move_deal_stage(deal, stage, reason, &pipeline, &stamp)
                    .unwrap();
            }
        }
        doc.summary().unwrap()
    }

    fn rows() -> Vec<SummaryRow> {
        vec![
            customer_with_deals("a", &[("d1", &[], 100), ("d2", &["proposal"], 300)]),
            customer_with_deals(
                "b",
                &[
                    ("d3", &["qualified", "proposal", "negotiation", "won"], 500),
                    ("d4", &["qualified", "lost"], 200),
                ],
            ),
        ]
    }

    #[test]
    fn the_board_groups_deals_by_current_stage_with_totals() {
        let board = board(&rows(), &Pipeline::standard());
        let column = |stage: &str| board.iter().find(|c| c.stage == stage).unwrap();
        assert_eq!(board.len(), 6);
        assert_eq!(column("initial").deals.len(), 1);
        assert_eq!(column("proposal").totals, vec![Money::cny(300)]);
        assert_eq!(column("won").deals[0].1, "客户b");
        assert_eq!(column("lost").deals[0].2.id, "d4");
        assert!(column("negotiation").deals.is_empty());
    }

    #[test]
    fn the_funnel_counts_skipped_stages_as_passed_and_lost_deals_where_they_stopped() {
        let steps = funnel(&rows(), &Pipeline::standard());
        let reached: Vec<(&str, usize)> = steps
            .iter()
            .map(|s| (s.stage.as_str(), s.reached))
            .collect();
        // d1 initial; d2 jumped to proposal; d3 went all the way; d4 was lost after qualified.
        assert_eq!(
            reached,
            [
                ("initial", 4),
                ("qualified", 3),
                ("proposal", 2),
                ("negotiation", 1),
                ("won", 1)
            ]
        );
        assert_eq!(steps[0].conversion, None);
        assert_eq!(steps[1].conversion, Some(0.75));
        assert_eq!(steps[4].conversion, Some(1.0));
    }

    #[test]
    fn a_deal_in_a_removed_stage_shows_in_the_first() {
        let mut pipeline = Pipeline::standard();
        pipeline.stages.remove("proposal");
        let board = board(&rows(), &pipeline);
        assert_eq!(board.len(), 5);
        let first: Vec<&str> = board[0].deals.iter().map(|d| d.2.id.as_str()).collect();
        assert_eq!(first, ["d2", "d1"], "d2 was in the removed stage");
    }

    #[test]
    fn an_empty_workspace_has_empty_columns_and_no_conversion() {
        let steps = funnel([], &Pipeline::standard());
        assert!(
            steps
                .iter()
                .all(|s| s.reached == 0 && s.conversion.is_none())
        );
        assert!(
            board([], &Pipeline::standard())
                .iter()
                .all(|c| c.deals.is_empty())
        );
    }
}
