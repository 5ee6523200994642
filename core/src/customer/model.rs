//! The typed shape of a customer document (see docs/schema.md for the stored layout).

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile, Text};

use crate::contact::ContactKind;
use crate::string_enum::string_enum;
use crate::values::Millis;

string_enum! {
    /// Where the customer came from.
    pub enum Source fallback Other {
        BaiduAds => "baidu_ads",
        Douyin => "douyin",
        WeChat => "wechat",
        Xiaohongshu => "xiaohongshu",
        Referral => "referral",
        TradeShow => "trade_show",
        WebsiteForm => "website_form",
        ColdCall => "cold_call",
        Other => "other",
    }
}

string_enum! {
    /// Where the customer is in its relationship with the team.
    pub enum Lifecycle fallback Lead {
        Lead => "lead",
        Prospect => "prospect",
        Customer => "customer",
        RepeatCustomer => "repeat_customer",
        Churned => "churned",
    }
}

string_enum! {
    /// The channel an interaction happened on.
    pub enum Channel fallback Other {
        Call => "call",
        Visit => "visit",
        Email => "email",
        WeChatChat => "wechat_chat",
        WeChatGroup => "wechat_group",
        WeCom => "wecom",
        DouyinComment => "douyin_comment",
        Xiaohongshu => "xiaohongshu",
        Website => "website",
        Other => "other",
    }
}

string_enum! {
    /// Who reached out.
    pub enum Direction fallback Outbound {
        Inbound => "inbound",
        Outbound => "outbound",
    }
}

string_enum! {
    /// Where an order was placed.
    pub enum OrderChannel fallback Offline {
        OnlineShop => "online_shop",
        Pos => "pos",
        Offline => "offline",
    }
}

/// A customer, as hydrated from its document.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile)]
pub struct Customer {
    /// Layout version of the document.
    pub schema_version: u64,
    /// The document's customer id (also its key in the workspace directory).
    pub id: String,
    /// Who the customer is.
    pub profile: Profile,
    /// Contact point id → contact point.
    pub contacts: BTreeMap<String, ContactPoint>,
    /// Manual tag name → who added it.
    pub tags: BTreeMap<String, ManualTag>,
    /// Automatic tag name → the rule that applied it. Written only by the rules engine.
    pub auto_tags: BTreeMap<String, AutoTag>,
    /// Rule id → the record of its firings on this customer. Written only by the rules
    /// engine; absent in documents it never touched.
    #[autosurgeon(missing = "BTreeMap::new")]
    pub rule_firings: BTreeMap<String, RuleFiring>,
    /// Custom field id → value (types defined in the workspace).
    pub custom: BTreeMap<String, CustomValue>,
    /// Deal id → deal.
    pub deals: BTreeMap<String, Deal>,
    /// Follow-up id → follow-up.
    pub follow_ups: BTreeMap<String, FollowUp>,
    /// Interaction id → interaction (the timeline).
    pub interactions: BTreeMap<String, Interaction>,
    /// Order id → order.
    pub orders: BTreeMap<String, Order>,
    /// Free-form notes, collaboratively edited.
    pub notes: Text,
    /// Creation time.
    pub created_at: Millis,
    /// Member who created the customer.
    pub created_by: String,
    /// Time of the last edit.
    pub updated_at: Millis,
    /// Member who made the last edit.
    pub updated_by: String,
    /// Set while the customer is archived: left out of lists and rules, restorable, nothing
    /// deleted. Absent in documents never archived.
    #[autosurgeon(missing = "Option::default")]
    pub archived: Option<Archived>,
    /// Set once a manager merged this customer into another (a tombstone: lists leave it out,
    /// the edge carries what it holds — and every later edit — into the survivor). Absent in
    /// documents never merged.
    #[autosurgeon(missing = "Option::default")]
    pub merged_into: Option<Merged>,
    // `merges` (merged-away customer id → its `MergeRecord`) is written and read by the edge
    // only (`CustomerDoc::merge_record`), so devices never hydrate it.
}

/// A customer merged into another: who decided it, which profile fields the survivor takes
/// from this one, and whether it was undone.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct Merged {
    /// The surviving customer's id.
    pub into: String,
    pub at: Millis,
    /// Member id (a manager or admin).
    pub by: String,
    /// Profile fields (`name`, `company`, `owner`, …) whose value the survivor takes from
    /// this customer.
    pub take: Vec<String>,
    /// Set when the merge was undone (within [`UNMERGE_DAYS`] of `at`).
    pub undone: Option<Unmerged>,
}

/// When and by whom a merge was undone.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct Unmerged {
    pub at: Millis,
    /// Member id.
    pub by: String,
}

/// How long after a merge it can be undone.
pub const UNMERGE_DAYS: i64 = 30;

/// What the edge carried from a merged-away customer into the survivor.
#[derive(Debug, Clone, PartialEq, Eq, Default, Hydrate, Reconcile)]
pub struct MergeRecord {
    /// The merged-away customer's heads (hex) carried up to: a later change of it is carried
    /// from there.
    pub carried: Vec<String>,
    /// Entries carried (`contacts/{id}`, `deals/{id}`, `follow_ups/{id}`, `interactions/{id}`,
    /// `orders/{id}`, `custom/{id}`), and manual tags (`tags/{name}`) the survivor lacked.
    pub entries: Vec<String>,
    /// Profile field → its value in the survivor before and after the merge took it.
    pub profile: BTreeMap<String, Taken>,
    /// The survivor's notes before and after the merged-away customer's were appended.
    pub notes: Option<Taken>,
}

/// A survivor's text before and after a merge wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct Taken {
    pub before: String,
    pub after: String,
}

/// When and by whom (an admin) a customer was erased: all its tombstone holds.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct Erased {
    pub at: Millis,
    /// Member id.
    pub by: String,
}

/// When and by whom a customer was archived.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct Archived {
    pub at: Millis,
    /// Member id.
    pub by: String,
}

/// Who the customer is.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct Profile {
    /// Name as used day to day (often Chinese).
    pub name: String,
    /// Latin-script name (pinyin or English), may be empty.
    pub name_latin: String,
    /// Company, may be empty.
    pub company: String,
    /// Job title, may be empty.
    pub title: String,
    /// Member id of the owning salesperson.
    pub owner: String,
    /// Acquisition channel.
    pub source: Source,
    /// Lifecycle stage.
    pub lifecycle: Lifecycle,
}

/// One way to reach the customer.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct ContactPoint {
    /// Channel.
    pub kind: ContactKind,
    /// As typed.
    pub value: String,
    /// Normalised for matching (E.164 phone, lower-case email or handle).
    pub normalized: String,
    /// Free label ("work", "老板手机", …).
    pub label: String,
    /// The preferred point of its kind.
    pub primary: bool,
}

/// A tag a person added.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct ManualTag {
    /// When.
    pub added_at: Millis,
    /// Member id.
    pub added_by: String,
}

/// A tag the rules engine applied.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct AutoTag {
    /// The rule that applied it.
    pub rule_id: String,
    /// When.
    pub applied_at: Millis,
}

/// How a once-per-occurrence rule has fired on a customer.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct RuleFiring {
    /// Whether the current occurrence has fired (the condition has held since); false once the
    /// condition stopped holding, so the next time it holds is a new occurrence.
    pub active: bool,
    /// Occurrences fired so far.
    pub count: u64,
    /// When the last one fired.
    pub fired_at: Millis,
}

pub use crate::custom_field::CustomValue;

/// A sales opportunity.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct Deal {
    /// What is being sold.
    pub title: String,
    /// Value in minor units.
    pub amount_minor: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// Current pipeline stage id.
    pub stage: String,
    /// Expected close date, `YYYY-MM-DD`.
    pub expected_close: Option<String>,
    /// Why it was lost, when in a lost stage.
    pub lost_reason: Option<String>,
    /// Creation time.
    pub created_at: Millis,
    /// Every stage the deal entered, in insertion order (concurrent moves both stay).
    pub stage_history: Vec<StageChange>,
}

/// A deal entering a stage.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct StageChange {
    /// Stage id entered.
    pub stage: String,
    /// When.
    pub at: Millis,
    /// Member id.
    pub by: String,
}

/// Where a follow-up came from.
pub const MANUAL_ORIGIN: &str = "manual";

/// A reminder to do something for the customer.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct FollowUp {
    /// What to do.
    pub title: String,
    /// When it is due.
    pub due_at: Millis,
    /// Member id responsible.
    pub assignee: String,
    /// Whether it is done.
    pub done: bool,
    /// When it was completed.
    pub done_at: Option<Millis>,
    /// `manual`, or the id of the rule that created it.
    pub origin: String,
    /// Creation time.
    pub created_at: Millis,
}

/// One contact with the customer, for the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct Interaction {
    /// Channel.
    pub channel: Channel,
    /// Inbound or outbound.
    pub direction: Direction,
    /// When it happened.
    pub at: Millis,
    /// Member id who logged it.
    pub author: String,
    /// What was said or done.
    pub summary: String,
    /// The deal it concerns, if any.
    pub deal_id: Option<String>,
}

/// A purchase.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct Order {
    /// When.
    pub at: Millis,
    /// Value in minor units.
    pub amount_minor: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// What was bought, free text.
    pub items: String,
    /// Where.
    pub channel: OrderChannel,
}
