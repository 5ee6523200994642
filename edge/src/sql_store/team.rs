//! The team's tables: `invitations` (each one minted, as JSON, until it expires; `spent_at`
//! once redeemed or revoked — an invitation sealed elsewhere, by `cargo xtask invite`, gets a
//! row when it is spent) and `seen` (when each member last opened a socket); and how many
//! customers a member owns (for the pool's cap).

use crm_core::sync::StoreError;
use crm_core::token::Invitation;
use crm_core::values::Millis;
use worker::SqlStorageValue;

use super::{SqlStore, failed, integers};

impl SqlStore {
    /// Keeps a minted invitation, pending.
    pub fn put_invitation(&self, invitation: &Invitation) -> Result<(), StoreError> {
        let json = serde_json::to_string(invitation).map_err(|e| StoreError(e.to_string()))?;
        self.run(
            "INSERT INTO invitations (id, json, expires_at) VALUES (?, ?, ?)",
            vec![
                invitation.id.as_str().into(),
                json.into(),
                invitation.expires_at.into(),
            ],
        )
    }

    /// Whether invitation `id` was redeemed or revoked.
    pub fn is_spent(&self, id: &str) -> Result<bool, StoreError> {
        let spent = integers(
            &self.sql,
            "SELECT spent_at FROM invitations WHERE id = ? AND spent_at IS NOT NULL",
            vec![id.into()],
        )?;
        Ok(!spent.is_empty())
    }

    /// Marks invitation `id` spent at `now` (redeemed or revoked): it never opens again.
    pub fn spend(&self, id: &str, now: Millis) -> Result<(), StoreError> {
        self.run(
            "INSERT INTO invitations (id, json, expires_at, spent_at) VALUES (?, '{}', 0, ?) \
             ON CONFLICT(id) DO UPDATE SET spent_at = excluded.spent_at",
            vec![id.into(), now.into()],
        )
    }

    /// The invitations still open at `now`, oldest first, as a JSON array.
    pub fn pending_json(&self, now: Millis) -> Result<String, StoreError> {
        let rows = (self.sql)
            .exec(
                "SELECT json FROM invitations WHERE spent_at IS NULL AND expires_at > ? \
                 ORDER BY rowid",
                vec![now.into()],
            )
            .map_err(failed)?;
        let mut list = Vec::new();
        for row in rows.raw() {
            if let Some(SqlStorageValue::String(json)) = row.map_err(failed)?.into_iter().next() {
                list.push(json);
            }
        }
        Ok(format!("[{}]", list.join(",")))
    }

    /// How many customers `member` owns.
    pub fn owned_by(&self, member: &str) -> Result<usize, StoreError> {
        let counted = integers(
            &self.sql,
            "SELECT COUNT(*) FROM rows WHERE json_extract(json, '$.row.owner') = ?",
            vec![member.into()],
        )?;
        Ok(counted.first().copied().unwrap_or(0) as usize)
    }

    /// Records that `member` opened a socket at `now`.
    pub fn mark_seen(&self, member: &str, now: Millis) -> Result<(), StoreError> {
        self.run(
            "INSERT INTO seen (member, at) VALUES (?, ?) \
             ON CONFLICT(member) DO UPDATE SET at = excluded.at",
            vec![member.into(), now.into()],
        )
    }

    /// When each member last opened a socket, as a JSON object `{member: ms}`.
    pub fn seen_json(&self) -> Result<String, StoreError> {
        let rows = (self.sql)
            .exec("SELECT member, at FROM seen", None)
            .map_err(failed)?;
        let mut seen = serde_json::Map::new();
        for row in rows.raw() {
            let mut row = row.map_err(failed)?.into_iter();
            if let (Some(SqlStorageValue::String(member)), Some(SqlStorageValue::Integer(at))) =
                (row.next(), row.next())
            {
                seen.insert(member, at.into());
            }
        }
        Ok(serde_json::Value::Object(seen).to_string())
    }
}
