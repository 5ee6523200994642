//! Segments: saved filters over the customers' summary rows ("high value, at risk of churn"),
//! shown as lists with counts and usable as a filter of the customer list. Kept in the
//! workspace's `rules` map under `segment:{id}` keys, as JSON like the rules.

use serde::{Deserialize, Serialize};

use super::validate::MAX_RULE_ID;
use crate::customer::{Lifecycle, Source, SummaryRow, tag_name};
use crate::error::ModelError;
use crate::id::Id;
use crate::values::required_text;

/// Prefix of a segment's key in the workspace's `rules` map.
pub const SEGMENT_KEY_PREFIX: &str = "segment:";

/// A saved filter; every part set must hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    /// Stable id (`[A-Za-z0-9_-]`, at most 48 characters).
    pub id: String,
    /// As shown to people.
    pub name: String,
    /// The customer carries every one of these tags (manual or automatic).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Its lifecycle stage is one of these (any when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lifecycle: Vec<Lifecycle>,
    /// It came from one of these sources (any when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source: Vec<Source>,
    /// Its owner is this member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

impl Segment {
    /// Whether the customer summarised by `row` is in the segment.
    pub fn matches(&self, row: &SummaryRow) -> bool {
        self.tags.iter().all(|tag| row.tags.contains(tag))
            && (self.lifecycle.is_empty() || self.lifecycle.contains(&row.lifecycle))
            && (self.source.is_empty() || self.source.contains(&row.source))
            && self.owner.as_ref().is_none_or(|owner| *owner == row.owner)
    }

    /// Checks id, name and tags.
    pub fn validate(&self) -> Result<(), ModelError> {
        Id::parse(&self.id)?;
        if self.id.len() > MAX_RULE_ID {
            return Err(ModelError::InvalidId {
                input: self.id.clone(),
            });
        }
        required_text("segment name", &self.name, 100)?;
        for tag in &self.tags {
            tag_name(tag)?;
        }
        if let Some(owner) = &self.owner {
            Id::parse(owner)?;
        }
        Ok(())
    }

    /// Its key in the workspace's `rules` map.
    pub fn key(&self) -> String {
        format!("{SEGMENT_KEY_PREFIX}{}", self.id)
    }
}
