//! The rules engine: automatic tags, follow-ups and lifecycle moves from rules kept in the
//! workspace document (format in docs/rules.md), and the saved segments kept beside them. Pure and deterministic: the outcome depends
//! only on the customer document, the rules and the instant given.
//!
//! The edge carries plans out after every merged change and at each customer's
//! [`Plan::next_change`]; the app only previews them.

mod defaults;
mod eval;
pub mod form;
mod model;
mod plan;
mod segment;
mod validate;

pub use defaults::{Language, RECYCLING_RULES, default_name, default_rules, default_segments};
pub use eval::Context;
pub use model::*;
pub use plan::{Firing, MAX_ROUNDS, Plan, RULES_AUTHOR, RulesRun, matching, plan};
pub use segment::{SEGMENT_KEY_PREFIX, Segment};
pub use validate::{MAX_DAYS, MAX_RULE_ID, RuleScope};

#[cfg(test)]
mod tests;
