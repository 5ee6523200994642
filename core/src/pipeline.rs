//! Sales pipeline stage definitions (kept per workspace).

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};

use crate::error::ModelError;
use crate::string_enum::string_enum;

string_enum! {
    /// Whether a stage is still in play or closes the deal.
    pub enum StageKind fallback Open {
        Open => "open",
        Won => "won",
        Lost => "lost",
    }
}

/// One pipeline stage.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile, serde::Serialize, serde::Deserialize)]
pub struct StageDef {
    /// Chinese display name.
    pub name_zh: String,
    /// English display name.
    pub name_en: String,
    /// Position on the board, ascending.
    pub order: i64,
    /// Open, won or lost.
    pub kind: StageKind,
}

/// The stages deals move through, keyed by stage id.
#[derive(
    Debug, Clone, PartialEq, Eq, Default, Hydrate, Reconcile, serde::Serialize, serde::Deserialize,
)]
pub struct Pipeline {
    /// Stage id → definition.
    pub stages: BTreeMap<String, StageDef>,
}

impl Pipeline {
    /// The default B2B pipeline: initial contact → needs confirmed → proposal → negotiation →
    /// won / lost.
    pub fn standard() -> Self {
        let stage = |order, zh: &str, en: &str, kind| StageDef {
            name_zh: zh.into(),
            name_en: en.into(),
            order,
            kind,
        };
        Self {
            stages: BTreeMap::from([
                (
                    "initial".into(),
                    stage(10, "初步接触", "Initial contact", StageKind::Open),
                ),
                (
                    "qualified".into(),
                    stage(20, "需求确认", "Needs confirmed", StageKind::Open),
                ),
                (
                    "proposal".into(),
                    stage(30, "方案报价", "Proposal", StageKind::Open),
                ),
                (
                    "negotiation".into(),
                    stage(40, "商务谈判", "Negotiation", StageKind::Open),
                ),
                ("won".into(), stage(50, "赢单", "Won", StageKind::Won)),
                ("lost".into(), stage(60, "输单", "Lost", StageKind::Lost)),
            ]),
        }
    }

    /// The stage called `id`, or [`ModelError::UnknownStage`].
    pub fn stage(&self, id: &str) -> Result<&StageDef, ModelError> {
        self.stages.get(id).ok_or_else(|| ModelError::UnknownStage {
            stage: id.to_owned(),
        })
    }

    /// Stages in board order (then by id).
    pub fn ordered(&self) -> Vec<(&str, &StageDef)> {
        let mut stages: Vec<_> = self.stages.iter().map(|(id, s)| (id.as_str(), s)).collect();
        stages.sort_by_key(|(id, s)| (s.order, *id));
        stages
    }

    /// The first open stage, where new deals start.
    pub fn first_stage(&self) -> Option<&str> {
        self.ordered()
            .into_iter()
            .find(|(_, s)| s.kind == StageKind::Open)
            .map(|(id, _)| id)
    }
}
