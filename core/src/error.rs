//! Why an operation on a CRM document was refused. A returned error means the document was
//! not touched.

/// Every validation and structural failure of the domain model.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    /// The bytes are not an Automerge document (random bytes, a truncated save, …).
    #[error("not a valid document: {reason}")]
    Corrupt { reason: String },
    /// An Automerge document, but not laid out as this kind of CRM document.
    #[error("document does not have the {kind} layout: {reason}")]
    Layout { kind: &'static str, reason: String },
    /// Written by a newer build; this one cannot read it safely.
    #[error("document schema version {found} is newer than the supported {supported}")]
    NewerSchema { found: u64, supported: u64 },
    /// A required text field is empty.
    #[error("{field} must not be empty")]
    Empty { field: &'static str },
    /// A text field is longer than allowed.
    #[error("{field} has {chars} characters; at most {max} are allowed")]
    TooLong {
        field: &'static str,
        chars: usize,
        max: usize,
    },
    /// An id is empty, too long or uses characters outside `[A-Za-z0-9_-]`.
    #[error("invalid id {input:?}")]
    InvalidId { input: String },
    /// Something with this id already exists.
    #[error("{kind} {id} already exists")]
    DuplicateId { kind: &'static str, id: String },
    /// No such entity in this document.
    #[error("no {kind} with id {id}")]
    NotFound { kind: &'static str, id: String },
    /// The document is on this device but not read from its storage yet (its read has been
    /// asked for: try again once it is open).
    #[error("document {id} is still being read from this device's storage")]
    NotLoaded { id: String },
    /// The customer was erased: nothing of it is left to read or change.
    #[error("customer {id} was erased")]
    Erased { id: String },
    /// Not a phone number that can be normalised to E.164.
    #[error("invalid phone number {input:?}")]
    InvalidPhone { input: String },
    /// Not a plausible e-mail address.
    #[error("invalid e-mail address {input:?}")]
    InvalidEmail { input: String },
    /// Not a valid handle for the channel (WeChat id, Douyin handle, …).
    #[error("invalid {kind} handle {input:?}")]
    InvalidHandle { kind: &'static str, input: String },
    /// Not a calendar date in `YYYY-MM-DD` form.
    #[error("invalid date {input:?} (expected YYYY-MM-DD)")]
    InvalidDate { input: String },
    /// Not an ISO 4217 currency code (three capital letters).
    #[error("invalid currency {input:?}")]
    InvalidCurrency { input: String },
    /// Money amounts of this kind cannot be negative.
    #[error("{field} must not be negative (got {amount_minor})")]
    NegativeAmount {
        field: &'static str,
        amount_minor: i64,
    },
    /// The pipeline has no stage with this id.
    #[error("unknown pipeline stage {stage:?}")]
    UnknownStage { stage: String },
    /// The workspace defines no custom field with this id.
    #[error("unknown custom field {field:?}")]
    UnknownField { field: String },
    /// The value does not match the custom field's type or options.
    #[error("value does not fit custom field {field:?}: {reason}")]
    InvalidFieldValue { field: String, reason: String },
    /// A deal moved to a lost stage needs a reason.
    #[error("a lost deal needs a lost reason")]
    LostReasonRequired,
    /// A pipeline stage that cannot be removed, and why.
    #[error("stage {stage:?} cannot be removed: {reason}")]
    StageInUse { stage: String, reason: String },
    /// The edit would leave the team without an active admin.
    #[error("the team keeps at least one active admin")]
    LastAdmin,
    /// A tag name is empty, too long or contains control characters.
    #[error("invalid tag {input:?}")]
    InvalidTag { input: String },
    /// A rule that cannot be stored as written.
    #[error("rule {rule:?} is invalid: {reason}")]
    InvalidRule { rule: String, reason: String },
    /// The field is not currently in conflict, or the choice is out of range.
    #[error("no conflict to resolve at {path}")]
    NoConflict { path: String },
    /// A merge (or unmerge) that cannot be made, and why.
    #[error("cannot merge: {reason}")]
    NotMergeable { reason: &'static str },
    /// An unmerge later than its window.
    #[error("a merge is undone within {days} days of it")]
    MergeWindow { days: i64 },
}
