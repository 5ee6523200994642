//! The named operations on a customer document.

use std::collections::BTreeMap;

use automerge::{ChangeHash, ObjId, ObjType, ROOT, ReadDoc, Value, transaction::Transactable};
use autosurgeon::{Reconcile, Text, hydrate_prop, reconcile_prop};

use super::{CustomerDoc, SCHEMA_VERSION, Stamp, layout_error, model::*};
use crate::contact::{ContactKind, normalize};
use crate::custom_field::{CustomFieldDef, FieldKind};
use crate::document::RULES_AUTHOR;
use crate::document::{CrmDocument, corrupt};
use crate::error::ModelError;
use crate::id::Id;
use crate::pipeline::{Pipeline, StageKind};
use crate::values::{Millis, Money, date, optional_text, required_text};

const MAX_NAME: usize = 100;
const MAX_SHORT_TEXT: usize = 200;
const MAX_SUMMARY: usize = 5_000;
pub(super) const MAX_NOTES: usize = 20_000;
const MAX_TAG: usize = 32;

/// Input of [`CustomerDoc::create`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCustomer {
    pub name: String,
    pub name_latin: String,
    pub company: String,
    pub title: String,
    /// Owning member id.
    pub owner: String,
    pub source: Source,
    pub lifecycle: Lifecycle,
}

/// One profile field and its new value, for [`CustomerDoc::edit_profile`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileEdit {
    Name(String),
    NameLatin(String),
    Company(String),
    Title(String),
    Owner(String),
    Source(Source),
    Lifecycle(Lifecycle),
}

/// Input of [`CustomerDoc::add_contact`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContact {
    pub kind: ContactKind,
    /// As typed; normalised by the operation.
    pub value: String,
    /// A phone's E.164 form, from [`crate::contact::to_e164`]; `None` for other kinds.
    pub e164: Option<String>,
    pub label: String,
    /// Make it the preferred point of its kind (the others of that kind lose the flag).
    pub primary: bool,
}

/// One contact field and its new value, for [`CustomerDoc::edit_contact`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactEdit {
    /// As typed, with a phone's E.164 form (see [`NewContact::e164`]); normalised for the
    /// contact's kind, which never changes.
    Value {
        value: String,
        e164: Option<String>,
    },
    Label(String),
}

/// One interaction field and its new value, for [`CustomerDoc::edit_interaction`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InteractionEdit {
    Summary(String),
    Channel(Channel),
    Direction(Direction),
    At(Millis),
}

/// One order field and its new value, for [`CustomerDoc::edit_order`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderEdit {
    Amount(Money),
    Items(String),
    At(Millis),
    Channel(OrderChannel),
}

/// Input of [`CustomerDoc::add_deal`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDeal {
    pub title: String,
    pub amount: Money,
    /// Starting stage; `None` means the pipeline's first open stage.
    pub stage: Option<String>,
    /// `YYYY-MM-DD`.
    pub expected_close: Option<String>,
}

/// One deal field and its new value, for [`CustomerDoc::edit_deal`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DealEdit {
    Title(String),
    Amount(Money),
    /// `YYYY-MM-DD`, or `None` to clear.
    ExpectedClose(Option<String>),
}

/// Input of [`CustomerDoc::add_follow_up`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFollowUp {
    pub title: String,
    pub due_at: Millis,
    /// Member id.
    pub assignee: String,
    /// [`MANUAL_ORIGIN`] or the id of the rule creating it.
    pub origin: String,
}

/// Input of [`CustomerDoc::add_interaction`]; the author is the stamp's member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInteraction {
    pub channel: Channel,
    pub direction: Direction,
    pub at: Millis,
    pub summary: String,
    /// A deal of this customer.
    pub deal_id: Option<String>,
}

/// Input of [`CustomerDoc::add_order`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    pub at: Millis,
    pub amount: Money,
    pub items: String,
    pub channel: OrderChannel,
}

impl CustomerDoc {
    /// A new customer document with id `id`.
    pub fn create(id: &Id, new: NewCustomer, stamp: &Stamp) -> Result<Self, ModelError> {
        Self::create_with(id, new, Vec::new(), &[], "", stamp)
    }

    /// A new customer with its first contact points (the first primary of a kind stays
    /// primary), manual tags and notes, written as one change: what an import makes, at a
    /// tenth of the cost of adding each afterwards.
    pub fn create_with(
        id: &Id,
        new: NewCustomer,
        contacts: Vec<(Id, NewContact)>,
        tags: &[String],
        notes: &str,
        stamp: &Stamp,
    ) -> Result<Self, ModelError> {
        let mut points = BTreeMap::new();
        let mut primary_kinds = Vec::new();
        for (contact_id, new) in contacts {
            let (value, normalized) = normalize(new.kind, &new.value, new.e164.as_deref())?;
            let primary = new.primary && !primary_kinds.contains(&new.kind);
            if primary {
                primary_kinds.push(new.kind);
            }
            let point = ContactPoint {
                kind: new.kind,
                value,
                normalized,
                label: optional_text("label", &new.label, MAX_NAME)?,
                primary,
            };
            if points
                .insert(contact_id.as_str().to_owned(), point)
                .is_some()
            {
                return Err(ModelError::DuplicateId {
                    kind: "contact",
                    id: contact_id.to_string(),
                });
            }
        }
        let mut manual = BTreeMap::new();
        for tag in tags {
            let added = ManualTag {
                added_at: stamp.at,
                added_by: stamp.by.clone(),
            };
            manual.insert(tag_name(tag)?, added);
        }
        let chars = notes.chars().count();
        if chars > MAX_NOTES {
            return Err(ModelError::TooLong {
                field: "notes",
                chars,
                max: MAX_NOTES,
            });
        }
        let profile = Profile {
            name: required_text("name", &new.name, MAX_NAME)?,
            name_latin: optional_text("Latin name", &new.name_latin, MAX_NAME)?,
            company: optional_text("company", &new.company, MAX_SHORT_TEXT)?,
            title: optional_text("title", &new.title, MAX_NAME)?,
            owner: Id::parse(&new.owner)?.as_str().to_owned(),
            source: new.source,
            lifecycle: new.lifecycle,
        };
        let customer = Customer {
            schema_version: SCHEMA_VERSION,
            id: id.as_str().to_owned(),
            profile,
            contacts: points,
            tags: manual,
            auto_tags: BTreeMap::new(),
            rule_firings: BTreeMap::new(),
            custom: BTreeMap::new(),
            deals: BTreeMap::new(),
            follow_ups: BTreeMap::new(),
            interactions: BTreeMap::new(),
            orders: BTreeMap::new(),
            notes: Text::with_value(notes),
            created_at: stamp.at,
            created_by: stamp.by.clone(),
            updated_at: stamp.at,
            updated_by: stamp.by.clone(),
            archived: None,
            merged_into: None,
        };
        Self::new_document(id, &customer)
    }

    /// Archives the customer: lists and rules leave it out until it is restored; nothing is
    /// deleted.
    pub fn archive(&mut self, stamp: &Stamp) -> Result<(), ModelError> {
        let archived = Archived {
            at: stamp.at,
            by: stamp.by.clone(),
        };
        self.put(&ROOT, "archived", Some(archived))?;
        self.touch(stamp)
    }

    /// Restores an archived customer.
    pub fn restore(&mut self, stamp: &Stamp) -> Result<(), ModelError> {
        self.put(&ROOT, "archived", None::<Archived>)?;
        self.touch(stamp)
    }

    /// Changes one profile field.
    pub fn edit_profile(&mut self, edit: ProfileEdit, stamp: &Stamp) -> Result<(), ModelError> {
        let profile = self.child(&ROOT, "profile", "profile", "profile")?;
        match edit {
            ProfileEdit::Name(v) => {
                self.put(&profile, "name", required_text("name", &v, MAX_NAME)?)
            }
            ProfileEdit::NameLatin(v) => self.put(
                &profile,
                "name_latin",
                optional_text("Latin name", &v, MAX_NAME)?,
            ),
            ProfileEdit::Company(v) => self.put(
                &profile,
                "company",
                optional_text("company", &v, MAX_SHORT_TEXT)?,
            ),
            ProfileEdit::Title(v) => {
                self.put(&profile, "title", optional_text("title", &v, MAX_NAME)?)
            }
            ProfileEdit::Owner(v) => self.put(&profile, "owner", Id::parse(&v)?.as_str()),
            ProfileEdit::Source(v) => self.put(&profile, "source", v),
            ProfileEdit::Lifecycle(v) => self.put(&profile, "lifecycle", v),
        }?;
        self.touch(stamp)
    }

    /// Adds a contact point; the value is validated and normalised for its kind.
    pub fn add_contact(
        &mut self,
        id: &Id,
        new: NewContact,
        stamp: &Stamp,
    ) -> Result<(), ModelError> {
        let (value, normalized) = normalize(new.kind, &new.value, new.e164.as_deref())?;
        let label = optional_text("label", &new.label, MAX_NAME)?;
        let contacts = self.collection("contacts")?;
        self.ensure_absent(&contacts, "contact", id)?;
        if new.primary {
            self.clear_primary(new.kind, &contacts)?;
        }
        let contact = ContactPoint {
            kind: new.kind,
            value,
            normalized,
            label,
            primary: new.primary,
        };
        self.put(&contacts, id.as_str(), contact)?;
        self.touch(stamp)
    }

    /// Makes contact `id` the preferred point of its kind.
    pub fn make_primary(&mut self, id: &str, stamp: &Stamp) -> Result<(), ModelError> {
        let contact = self.entry("contacts", "contact", id)?;
        let kind: ContactKind = hydrate_prop(&self.doc, &contact, "kind").map_err(layout_error)?;
        let contacts = self.collection("contacts")?;
        self.clear_primary(kind, &contacts)?;
        self.put(&contact, "primary", true)?;
        self.touch(stamp)
    }

    /// Changes one field of contact point `id`.
    pub fn edit_contact(
        &mut self,
        id: &str,
        edit: ContactEdit,
        stamp: &Stamp,
    ) -> Result<(), ModelError> {
        let contact = self.entry("contacts", "contact", id)?;
        match edit {
            ContactEdit::Value { value, e164 } => {
                let kind: ContactKind =
                    hydrate_prop(&self.doc, &contact, "kind").map_err(layout_error)?;
                let (value, normalized) = normalize(kind, &value, e164.as_deref())?;
                self.put(&contact, "value", value)?;
                self.put(&contact, "normalized", normalized)?;
            }
            ContactEdit::Label(label) => {
                self.put(&contact, "label", optional_text("label", &label, MAX_NAME)?)?
            }
        }
        self.touch(stamp)
    }

    /// Removes contact point `id`.
    pub fn remove_contact(&mut self, id: &str, stamp: &Stamp) -> Result<(), ModelError> {
        self.remove("contacts", "contact", id, stamp)
    }

    /// Adds a manual tag (adding an existing tag again is a no-op).
    pub fn add_tag(&mut self, tag: &str, stamp: &Stamp) -> Result<(), ModelError> {
        let tag = tag_name(tag)?;
        let tags = self.collection("tags")?;
        if self.child(&tags, &tag, "tag", &tag).is_ok() {
            return Ok(());
        }
        let added = ManualTag {
            added_at: stamp.at,
            added_by: stamp.by.clone(),
        };
        self.put(&tags, &tag, added)?;
        self.touch(stamp)
    }

    /// Removes a manual tag.
    pub fn remove_tag(&mut self, tag: &str, stamp: &Stamp) -> Result<(), ModelError> {
        self.remove("tags", "tag", tag, stamp)
    }

    /// Applies an automatic tag on behalf of rule `rule_id` (rules engine only).
    pub fn apply_auto_tag(
        &mut self,
        tag: &str,
        rule_id: &str,
        stamp: &Stamp,
    ) -> Result<(), ModelError> {
        let tag = tag_name(tag)?;
        let rule_id = Id::parse(rule_id)?;
        let tags = self.collection("auto_tags")?;
        let applied = AutoTag {
            rule_id: rule_id.as_str().to_owned(),
            applied_at: stamp.at,
        };
        self.put(&tags, &tag, applied)?;
        self.touch(stamp)
    }

    /// Removes an automatic tag (rules engine only).
    pub fn remove_auto_tag(&mut self, tag: &str, stamp: &Stamp) -> Result<(), ModelError> {
        self.remove("auto_tags", "automatic tag", tag, stamp)
    }

    /// Records that rule `rule_id` fired (rules engine only).
    pub fn record_firing(
        &mut self,
        rule_id: &str,
        record: &RuleFiring,
        stamp: &Stamp,
    ) -> Result<(), ModelError> {
        let rule_id = Id::parse(rule_id)?;
        let firings = match self.collection("rule_firings") {
            Ok(firings) => firings,
            // Documents created before the rules engine have no record map yet.
            Err(_) => self
                .doc
                .put_object(ROOT, "rule_firings", automerge::ObjType::Map)
                .map_err(layout_error)?,
        };
        self.put(&firings, rule_id.as_str(), record.clone())?;
        self.touch(stamp)
    }

    /// Re-arms rule `rule_id`: its condition stopped holding, so the next time it holds is a
    /// new occurrence (rules engine only).
    pub fn rearm_firing(&mut self, rule_id: &str, stamp: &Stamp) -> Result<(), ModelError> {
        let record = self.entry("rule_firings", "rule firing", rule_id)?;
        self.put(&record, "active", false)?;
        self.touch(stamp)
    }

    /// Sets custom field `field` (defined as `def` in the workspace), or clears it with `None`.
    pub fn set_custom_field(
        &mut self,
        field: &str,
        def: &CustomFieldDef,
        value: Option<CustomValue>,
        stamp: &Stamp,
    ) -> Result<(), ModelError> {
        let field = Id::parse(field).map_err(|_| ModelError::UnknownField {
            field: field.to_owned(),
        })?;
        let custom = self.collection("custom")?;
        match value {
            Some(value) => {
                let value = def.validate(field.as_str(), value)?;
                self.put(&custom, field.as_str(), value)?;
            }
            None => self.delete(&custom, field.as_str())?,
        }
        self.touch(stamp)
    }

    /// Ticks (`on`) or unticks option `option` of multiple-choice field `field` (defined as
    /// `def`). Only that option's key is written, so two people changing different options
    /// at once keep both; unticking the last leaves an empty choice, not a cleared field.
    pub fn set_choice(
        &mut self,
        field: &str,
        def: &CustomFieldDef,
        option: &str,
        on: bool,
        stamp: &Stamp,
    ) -> Result<(), ModelError> {
        let invalid = |reason: String| ModelError::InvalidFieldValue {
            field: field.to_owned(),
            reason,
        };
        if def.kind != FieldKind::MultiSelect {
            return Err(invalid("not a multiple choice".into()));
        }
        if !def.options.contains_key(option) {
            return Err(invalid(format!("no option {option:?}")));
        }
        let field = Id::parse(field).map_err(|_| ModelError::UnknownField {
            field: field.to_owned(),
        })?;
        let custom = self.collection("custom")?;
        let choices = match self.doc.get(&custom, field.as_str()) {
            Ok(Some((Value::Object(ObjType::Map), choices))) => choices,
            _ => (self.doc)
                .put_object(&custom, field.as_str(), ObjType::Map)
                .map_err(layout_error)?,
        };
        match on {
            true => self.put(&choices, option, true)?,
            false if self.doc.get(&choices, option).ok().flatten().is_some() => {
                self.delete(&choices, option)?
            }
            false => {}
        }
        self.touch(stamp)
    }

    /// Adds a deal in `new.stage` (default: the pipeline's first open stage).
    pub fn add_deal(
        &mut self,
        id: &Id,
        new: NewDeal,
        pipeline: &Pipeline,
        stamp: &Stamp,
    ) -> Result<(), ModelError> {
        let title = required_text("deal title", &new.title, MAX_SHORT_TEXT)?;
        let amount = Money::new("deal amount", new.amount.minor, &new.amount.currency)?;
        let stage = match new.stage {
            Some(stage) => stage,
            None => pipeline
                .first_stage()
                .ok_or(ModelError::UnknownStage {
                    stage: String::new(),
                })?
                .to_owned(),
        };
        if pipeline.stage(&stage)?.kind == StageKind::Lost {
            return Err(ModelError::LostReasonRequired);
        }
        let expected_close = new.expected_close.as_deref().map(date).transpose()?;
        let deals = self.collection("deals")?;
        self.ensure_absent(&deals, "deal", id)?;
        let deal = Deal {
            title,
            amount_minor: amount.minor,
            currency: amount.currency,
            stage: stage.clone(),
            expected_close,
            lost_reason: None,
            created_at: stamp.at,
            stage_history: vec![StageChange {
                stage,
                at: stamp.at,
                by: stamp.by.clone(),
            }],
        };
        self.put(&deals, id.as_str(), deal)?;
        self.touch(stamp)
    }

    /// Moves deal `id` to `stage`, appending to its stage history. A lost stage needs a
    /// reason; leaving a lost stage clears it.
    pub fn move_deal_stage(
        &mut self,
        id: &str,
        stage: &str,
        lost_reason: Option<&str>,
        pipeline: &Pipeline,
        stamp: &Stamp,
    ) -> Result<(), ModelError> {
        let kind = pipeline.stage(stage)?.kind;
        let reason = match (
            kind,
            lost_reason
                .map(|r| optional_text("lost reason", r, MAX_SHORT_TEXT))
                .transpose()?,
        ) {
            (StageKind::Lost, Some(r)) if !r.is_empty() => Some(r),
            (StageKind::Lost, _) => return Err(ModelError::LostReasonRequired),
            _ => None,
        };
        let deal = self.entry("deals", "deal", id)?;
        let history = self.child(&deal, "stage_history", "deal", id)?;
        self.put(&deal, "stage", stage)?;
        self.put(&deal, "lost_reason", reason)?;
        let entry = StageChange {
            stage: stage.to_owned(),
            at: stamp.at,
            by: stamp.by.clone(),
        };
        let end = automerge::ReadDoc::length(&self.doc, &history);
        autosurgeon::reconcile_insert(&mut self.doc, history, end, entry).map_err(layout_error)?;
        self.touch(stamp)
    }

    /// Changes one field of deal `id`.
    pub fn edit_deal(&mut self, id: &str, edit: DealEdit, stamp: &Stamp) -> Result<(), ModelError> {
        let deal = self.entry("deals", "deal", id)?;
        match edit {
            DealEdit::Title(t) => self.put(
                &deal,
                "title",
                required_text("deal title", &t, MAX_SHORT_TEXT)?,
            )?,
            DealEdit::Amount(m) => {
                let m = Money::new("deal amount", m.minor, &m.currency)?;
                self.put(&deal, "amount_minor", m.minor)?;
                self.put(&deal, "currency", m.currency)?;
            }
            DealEdit::ExpectedClose(d) => {
                self.put(&deal, "expected_close", d.as_deref().map(date).transpose()?)?
            }
        }
        self.touch(stamp)
    }

    /// Removes deal `id`.
    pub fn remove_deal(&mut self, id: &str, stamp: &Stamp) -> Result<(), ModelError> {
        self.remove("deals", "deal", id, stamp)
    }

    /// Adds a follow-up.
    pub fn add_follow_up(
        &mut self,
        id: &Id,
        new: NewFollowUp,
        stamp: &Stamp,
    ) -> Result<(), ModelError> {
        let title = required_text("follow-up title", &new.title, MAX_SHORT_TEXT)?;
        let assignee = Id::parse(&new.assignee)?;
        let origin = Id::parse(&new.origin)?;
        let follow_ups = self.collection("follow_ups")?;
        self.ensure_absent(&follow_ups, "follow-up", id)?;
        let follow_up = FollowUp {
            title,
            due_at: new.due_at,
            assignee: assignee.as_str().to_owned(),
            done: false,
            done_at: None,
            origin: origin.as_str().to_owned(),
            created_at: stamp.at,
        };
        self.put(&follow_ups, id.as_str(), follow_up)?;
        self.touch(stamp)
    }

    /// Marks follow-up `id` done at the stamp's time.
    pub fn complete_follow_up(&mut self, id: &str, stamp: &Stamp) -> Result<(), ModelError> {
        let follow_up = self.entry("follow_ups", "follow-up", id)?;
        self.put(&follow_up, "done", true)?;
        self.put(&follow_up, "done_at", Some(stamp.at))?;
        self.touch(stamp)
    }

    /// Marks follow-up `id` not done again.
    pub fn reopen_follow_up(&mut self, id: &str, stamp: &Stamp) -> Result<(), ModelError> {
        let follow_up = self.entry("follow_ups", "follow-up", id)?;
        self.put(&follow_up, "done", false)?;
        self.put(&follow_up, "done_at", None::<Millis>)?;
        self.touch(stamp)
    }

    /// Moves the due time of follow-up `id`.
    pub fn reschedule_follow_up(
        &mut self,
        id: &str,
        due_at: Millis,
        stamp: &Stamp,
    ) -> Result<(), ModelError> {
        let follow_up = self.entry("follow_ups", "follow-up", id)?;
        self.put(&follow_up, "due_at", due_at)?;
        self.touch(stamp)
    }

    /// Gives follow-up `id` to member `assignee`.
    pub fn reassign_follow_up(
        &mut self,
        id: &str,
        assignee: &str,
        stamp: &Stamp,
    ) -> Result<(), ModelError> {
        let assignee = Id::parse(assignee)?;
        let follow_up = self.entry("follow_ups", "follow-up", id)?;
        self.put(&follow_up, "assignee", assignee.as_str())?;
        self.touch(stamp)
    }

    /// Removes follow-up `id`.
    pub fn remove_follow_up(&mut self, id: &str, stamp: &Stamp) -> Result<(), ModelError> {
        self.remove("follow_ups", "follow-up", id, stamp)
    }

    /// Logs an interaction on the timeline, authored by the stamp's member.
    pub fn add_interaction(
        &mut self,
        id: &Id,
        new: NewInteraction,
        stamp: &Stamp,
    ) -> Result<(), ModelError> {
        let summary = required_text("summary", &new.summary, MAX_SUMMARY)?;
        if let Some(deal) = &new.deal_id {
            self.entry("deals", "deal", deal)?;
        }
        let interactions = self.collection("interactions")?;
        self.ensure_absent(&interactions, "interaction", id)?;
        let interaction = Interaction {
            channel: new.channel,
            direction: new.direction,
            at: new.at,
            author: stamp.by.clone(),
            summary,
            deal_id: new.deal_id,
        };
        self.put(&interactions, id.as_str(), interaction)?;
        self.touch(stamp)
    }

    /// Changes one field of interaction `id` (its author never changes).
    pub fn edit_interaction(
        &mut self,
        id: &str,
        edit: InteractionEdit,
        stamp: &Stamp,
    ) -> Result<(), ModelError> {
        let interaction = self.entry("interactions", "interaction", id)?;
        match edit {
            InteractionEdit::Summary(text) => self.put(
                &interaction,
                "summary",
                required_text("summary", &text, MAX_SUMMARY)?,
            ),
            InteractionEdit::Channel(channel) => self.put(&interaction, "channel", channel),
            InteractionEdit::Direction(direction) => self.put(&interaction, "direction", direction),
            InteractionEdit::At(at) => self.put(&interaction, "at", at),
        }?;
        self.touch(stamp)
    }

    /// Removes interaction `id`.
    pub fn remove_interaction(&mut self, id: &str, stamp: &Stamp) -> Result<(), ModelError> {
        self.remove("interactions", "interaction", id, stamp)
    }

    /// Records an order.
    pub fn add_order(&mut self, id: &Id, new: NewOrder, stamp: &Stamp) -> Result<(), ModelError> {
        let amount = Money::new("order amount", new.amount.minor, &new.amount.currency)?;
        let items = optional_text("items", &new.items, MAX_SUMMARY)?;
        let orders = self.collection("orders")?;
        self.ensure_absent(&orders, "order", id)?;
        let order = Order {
            at: new.at,
            amount_minor: amount.minor,
            currency: amount.currency,
            items,
            channel: new.channel,
        };
        self.put(&orders, id.as_str(), order)?;
        self.touch(stamp)
    }

    /// Changes one field of order `id`.
    pub fn edit_order(
        &mut self,
        id: &str,
        edit: OrderEdit,
        stamp: &Stamp,
    ) -> Result<(), ModelError> {
        let order = self.entry("orders", "order", id)?;
        match edit {
            OrderEdit::Amount(m) => {
                let m = Money::new("order amount", m.minor, &m.currency)?;
                self.put(&order, "amount_minor", m.minor)?;
                self.put(&order, "currency", m.currency)?;
            }
            OrderEdit::Items(items) => self.put(
                &order,
                "items",
                optional_text("items", &items, MAX_SUMMARY)?,
            )?,
            OrderEdit::At(at) => self.put(&order, "at", at)?,
            OrderEdit::Channel(channel) => self.put(&order, "channel", channel)?,
        }
        self.touch(stamp)
    }

    /// Removes order `id`.
    pub fn remove_order(&mut self, id: &str, stamp: &Stamp) -> Result<(), ModelError> {
        self.remove("orders", "order", id, stamp)
    }

    /// Replaces the notes with `text`, as a minimal character diff so that concurrent typing
    /// elsewhere in the notes survives.
    pub fn set_notes(&mut self, text: &str, stamp: &Stamp) -> Result<(), ModelError> {
        let chars = text.chars().count();
        if chars > MAX_NOTES {
            return Err(ModelError::TooLong {
                field: "notes",
                chars,
                max: MAX_NOTES,
            });
        }
        let notes = self.collection("notes")?;
        self.doc.update_text(&notes, text).map_err(layout_error)?;
        self.touch(stamp)
    }

    /// Saves notes that a person edited starting from the document at `base` (its heads when
    /// they began typing): their edit is diffed against what they saw, not against what the
    /// notes hold now, and merged with what others wrote since — so typing from two devices
    /// into the same notes keeps both.
    pub fn edit_notes(
        &mut self,
        base: &[ChangeHash],
        text: &str,
        stamp: &Stamp,
    ) -> Result<(), ModelError> {
        let mut seen = Self::from_checked(self.doc.fork_at(base).map_err(corrupt)?);
        seen.set_notes(text, stamp)?;
        self.merge(&mut seen).map(|_| ())
    }

    pub(super) fn put<R: Reconcile>(
        &mut self,
        obj: &ObjId,
        key: &str,
        value: R,
    ) -> Result<(), ModelError> {
        reconcile_prop(&mut self.doc, obj, key, value).map_err(layout_error)
    }

    fn delete(&mut self, obj: &ObjId, key: &str) -> Result<(), ModelError> {
        self.doc.delete(obj, key).map_err(layout_error)
    }

    fn remove(
        &mut self,
        collection: &'static str,
        kind: &'static str,
        id: &str,
        stamp: &Stamp,
    ) -> Result<(), ModelError> {
        self.entry(collection, kind, id)?;
        let obj = self.collection(collection)?;
        self.delete(&obj, id)?;
        self.touch(stamp)
    }

    fn ensure_absent(
        &self,
        collection: &ObjId,
        kind: &'static str,
        id: &Id,
    ) -> Result<(), ModelError> {
        match self.child(collection, id.as_str(), kind, id.as_str()) {
            Ok(_) => Err(ModelError::DuplicateId {
                kind,
                id: id.as_str().to_owned(),
            }),
            Err(_) => Ok(()),
        }
    }

    fn clear_primary(&mut self, kind: ContactKind, contacts: &ObjId) -> Result<(), ModelError> {
        let all: BTreeMap<String, ContactPoint> =
            autosurgeon::hydrate_prop(&self.doc, ROOT, "contacts").map_err(layout_error)?;
        for (id, contact) in all {
            if contact.kind == kind && contact.primary {
                let obj = self.child(contacts, &id, "contact", &id)?;
                self.put(&obj, "primary", false)?;
            }
        }
        Ok(())
    }

    pub(super) fn touch(&mut self, stamp: &Stamp) -> Result<(), ModelError> {
        if stamp.by == RULES_AUTHOR {
            // What the rules engine writes is not an edit by a person: the customer does not
            // jump to the top of "recently updated" on every alarm.
            return Ok(());
        }
        self.put(&ROOT, "updated_at", stamp.at)?;
        self.put(&ROOT, "updated_by", stamp.by.as_str())
    }
}

pub(crate) fn tag_name(input: &str) -> Result<String, ModelError> {
    let tag = input.trim();
    let chars = tag.chars().count();
    if chars == 0 || chars > MAX_TAG || tag.chars().any(char::is_control) {
        return Err(ModelError::InvalidTag {
            input: input.to_owned(),
        });
    }
    Ok(tag.to_owned())
}
