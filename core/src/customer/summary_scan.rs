//! The summary row read straight off the document: one `map_range` pass over each map the row
//! needs, skipping notes, histories and free texts it does not show. Several times faster than
//! hydrating the whole [`Customer`](super::Customer); [`SummaryRow::of`] is the reference it
//! is tested against. Collections that are absent read as empty; `id`, `profile` and
//! `updated_at` are required.

use std::collections::BTreeMap;

use automerge::iter::MapRangeItem;
use automerge::{AutoCommit, ObjId, ObjType, ROOT, ReadDoc, ScalarValueRef, ValueRef};

use super::model::{Channel, Lifecycle, Source};
use super::projection::{
    DealRow, OpenFollowUp, SummaryRow, log_by_author, sort_follow_ups, sorted_done,
};
use crate::contact::ContactKind;
use crate::error::ModelError;
use crate::values::{Millis, Money};

/// Summarises the customer stored in `doc`.
pub(super) fn summary_row(doc: &AutoCommit) -> Result<SummaryRow, ModelError> {
    let mut id = None;
    let mut profile = None;
    let mut updated_at = None;
    let mut tags = Vec::new();
    let mut contact_keys = Vec::new();
    let mut open_follow_ups = Vec::new();
    let mut last_interaction = None;
    let mut orders = (0, Vec::new());
    let mut deals = Vec::new();
    let mut archived = false;
    let mut merged_into = None;
    let mut created_at = 0;
    let mut flagged = Vec::new();
    let (mut logged, mut done_follow_ups) = (Vec::new(), Vec::new());
    for item in fields(doc, &ROOT, "customer")? {
        let at = item.key.as_ref();
        match at {
            "id" => id = Some(string(&item, "customer")?),
            "profile" => profile = Some(read_profile(doc, &map(&item, "customer")?)?),
            "contacts" => contact_keys = read_contact_keys(doc, &map(&item, "customer")?)?,
            "tags" => tags.extend(keys(doc, &map(&item, "customer")?, at)?),
            "auto_tags" => flagged = read_flags(doc, &map(&item, "customer")?)?,
            "follow_ups" => {
                (open_follow_ups, done_follow_ups) = read_follow_ups(doc, &map(&item, "customer")?)?
            }
            "interactions" => {
                (last_interaction, logged) = read_interactions(doc, &map(&item, "customer")?)?
            }
            "created_at" => created_at = int(&item, "customer")?,
            "orders" => orders = read_orders(doc, &map(&item, "customer")?)?,
            "deals" => deals = read_deals(doc, &map(&item, "customer")?)?,
            "updated_at" => updated_at = Some(int(&item, "customer")?),
            "archived" => archived = matches!(item.value, ValueRef::Object(_)),
            "merged_into" => merged_into = read_merge(doc, &item)?,
            _ => {}
        }
    }
    let profile = required(profile, "profile")?;
    tags.extend(
        flagged
            .iter()
            .map(|(tag, _): &(String, Millis)| tag.clone()),
    );
    tags.sort();
    tags.dedup();
    Ok(SummaryRow {
        id: required(id, "id")?,
        name: profile.name,
        name_latin: profile.name_latin,
        company: profile.company,
        owner: profile.owner,
        source: profile.source,
        lifecycle: profile.lifecycle,
        tags,
        contact_keys,
        open_follow_ups,
        last_interaction,
        lifetime_spend: orders.1,
        order_count: orders.0,
        deals,
        updated_at: required(updated_at, "updated_at")?,
        archived,
        merged_into,
        created_at,
        logged: log_by_author(logged.into_iter()),
        done_follow_ups: sorted_done(done_follow_ups),
        flagged,
    })
}

/// The profile fields a row shows.
struct RowProfile {
    name: String,
    name_latin: String,
    company: String,
    owner: String,
    source: Source,
    lifecycle: Lifecycle,
}

fn read_profile(doc: &AutoCommit, obj: &ObjId) -> Result<RowProfile, ModelError> {
    let (mut name, mut name_latin, mut company, mut owner) = (None, None, None, None);
    let (mut source, mut lifecycle) = (None, None);
    for item in fields(doc, obj, "profile")? {
        let at = item.key.as_ref();
        match at {
            "name" => name = Some(string(&item, "profile")?),
            "name_latin" => name_latin = Some(string(&item, "profile")?),
            "company" => company = Some(string(&item, "profile")?),
            "owner" => owner = Some(string(&item, "profile")?),
            "source" => source = Some(Source::from_stored(&string(&item, "profile")?)),
            "lifecycle" => lifecycle = Some(Lifecycle::from_stored(&string(&item, "profile")?)),
            _ => {}
        }
    }
    Ok(RowProfile {
        name: required(name, "profile.name")?,
        name_latin: required(name_latin, "profile.name_latin")?,
        company: required(company, "profile.company")?,
        owner: required(owner, "profile.owner")?,
        source: required(source, "profile.source")?,
        lifecycle: required(lifecycle, "profile.lifecycle")?,
    })
}

/// Each automatic tag and when its rule applied it, by tag.
fn read_flags(doc: &AutoCommit, obj: &ObjId) -> Result<Vec<(String, Millis)>, ModelError> {
    let mut flags = Vec::new();
    for item in fields(doc, obj, "auto_tags")? {
        let mut applied_at = None;
        for field in fields(doc, &map(&item, "auto_tags")?, "auto_tags")? {
            if field.key == "applied_at" {
                applied_at = Some(int(&field, "auto_tags")?);
            }
        }
        flags.push((
            item.key.into_owned(),
            required(applied_at, "auto_tags.applied_at")?,
        ));
    }
    Ok(flags)
}

/// The survivor and time of an active merge (`merged_into` not undone).
fn read_merge(
    doc: &AutoCommit,
    item: &MapRangeItem<'_>,
) -> Result<Option<(String, Millis)>, ModelError> {
    if !matches!(item.value, ValueRef::Object(_)) {
        return Ok(None);
    }
    let (mut into, mut at, mut undone) = (None, None, false);
    for field in fields(doc, &map(item, "customer")?, "merged_into")? {
        match field.key.as_ref() {
            "into" => into = Some(string(&field, "merged_into")?),
            "at" => at = Some(int(&field, "merged_into")?),
            "undone" => undone = matches!(field.value, ValueRef::Object(_)),
            _ => {}
        }
    }
    let merge = (
        required(into, "merged_into.into")?,
        required(at, "merged_into.at")?,
    );
    Ok((!undone).then_some(merge))
}

fn read_contact_keys(
    doc: &AutoCommit,
    obj: &ObjId,
) -> Result<Vec<(ContactKind, String)>, ModelError> {
    let mut out = Vec::new();
    for entry in fields(doc, obj, "contacts")? {
        let (mut kind, mut normalized) = (None, None);
        for item in fields(doc, &map(&entry, "contacts")?, "contact")? {
            match item.key.as_ref() {
                "kind" => kind = Some(ContactKind::from_stored(&string(&item, "contact")?)),
                "normalized" => normalized = Some(string(&item, "contact")?),
                _ => {}
            }
        }
        let kind = required(kind, "contact.kind")?;
        let normalized = required(normalized, "contact.normalized")?;
        if kind != ContactKind::Address {
            out.push((kind, normalized));
        }
    }
    Ok(out)
}

/// Open follow-ups (earliest due first) and done ones as (due, done, assignee).
type FollowUps = (Vec<OpenFollowUp>, Vec<(Millis, Millis, String)>);

fn read_follow_ups(doc: &AutoCommit, obj: &ObjId) -> Result<FollowUps, ModelError> {
    let (mut open, mut finished) = (Vec::new(), Vec::new());
    for entry in fields(doc, obj, "follow_ups")? {
        let (mut title, mut due_at, mut assignee, mut done) = (None, None, None, None);
        let mut done_at = None;
        for item in fields(doc, &map(&entry, "follow_ups")?, "follow_up")? {
            match item.key.as_ref() {
                "title" => title = Some(string(&item, "follow_up")?),
                "due_at" => due_at = Some(int(&item, "follow_up")?),
                "assignee" => assignee = Some(string(&item, "follow_up")?),
                "done" => done = Some(boolean(&item, "follow_up")?),
                "done_at" if !matches!(item.value, ValueRef::Scalar(ScalarValueRef::Null)) => {
                    done_at = Some(int(&item, "follow_up")?)
                }
                _ => {}
            }
        }
        let follow_up = OpenFollowUp {
            id: entry.key.to_string(),
            title: required(title, "follow_up.title")?,
            due_at: required(due_at, "follow_up.due_at")?,
            assignee: required(assignee, "follow_up.assignee")?,
        };
        match required(done, "follow_up.done")? {
            false => open.push(follow_up),
            true => finished.push((
                follow_up.due_at,
                done_at.unwrap_or(follow_up.due_at),
                follow_up.assignee,
            )),
        }
    }
    sort_follow_ups(&mut open);
    Ok((open, finished))
}

/// The latest interaction's time and channel, and every interaction's (time, author).
type Interactions = (Option<(Millis, Channel)>, Vec<(Millis, String)>);

fn read_interactions(doc: &AutoCommit, obj: &ObjId) -> Result<Interactions, ModelError> {
    let mut last: Option<(Millis, String, Channel)> = None;
    let mut logged = Vec::new();
    for entry in fields(doc, obj, "interactions")? {
        let (mut at_time, mut channel, mut author) = (None, None, None);
        for item in fields(doc, &map(&entry, "interactions")?, "interaction")? {
            match item.key.as_ref() {
                "at" => at_time = Some(int(&item, "interaction")?),
                "channel" => channel = Some(Channel::from_stored(&string(&item, "interaction")?)),
                "author" => author = Some(string(&item, "interaction")?),
                _ => {}
            }
        }
        let at_time = required(at_time, "interaction.at")?;
        let channel = required(channel, "interaction.channel")?;
        logged.push((at_time, required(author, "interaction.author")?));
        // Ties on time go to the greatest id, as in `SummaryRow::of`.
        if last
            .as_ref()
            .is_none_or(|(t, id, _)| (at_time, entry.key.as_ref()) >= (*t, id.as_str()))
        {
            last = Some((at_time, entry.key.to_string(), channel));
        }
    }
    Ok((last.map(|(at, _, channel)| (at, channel)), logged))
}

fn read_deals(doc: &AutoCommit, obj: &ObjId) -> Result<Vec<DealRow>, ModelError> {
    let mut deals = Vec::new();
    for entry in fields(doc, obj, "deals")? {
        let (mut title, mut amount, mut currency, mut stage) = (None, None, None, None);
        let (mut created_at, mut history) = (None, Vec::new());
        for item in fields(doc, &map(&entry, "deals")?, "deal")? {
            match item.key.as_ref() {
                "title" => title = Some(string(&item, "deal")?),
                "amount_minor" => amount = Some(int(&item, "deal")?),
                "currency" => currency = Some(string(&item, "deal")?),
                "stage" => stage = Some(string(&item, "deal")?),
                "created_at" => created_at = Some(int(&item, "deal")?),
                "stage_history" => history = read_stage_history(doc, &item)?,
                _ => {}
            }
        }
        deals.push(DealRow::from_parts(
            &entry.key,
            required(title, "deal.title")?,
            Money {
                minor: required(amount, "deal.amount_minor")?,
                currency: required(currency, "deal.currency")?,
            },
            required(stage, "deal.stage")?,
            required(created_at, "deal.created_at")?,
            history.into_iter(),
        ));
    }
    Ok(deals)
}

/// (stage, time) of every entry of a deal's `stage_history` list.
fn read_stage_history(
    doc: &AutoCommit,
    item: &MapRangeItem<'_>,
) -> Result<Vec<(String, Millis)>, ModelError> {
    let list = match item.value {
        ValueRef::Object(ObjType::List) => item.id(),
        _ => return Err(layout("deal.stage_history: expected a list".into())),
    };
    let mut history = Vec::new();
    for change in doc.list_range(&list, ..) {
        let change = match change.value {
            ValueRef::Object(ObjType::Map) => change.id(),
            _ => return Err(layout("deal.stage_history: expected maps".into())),
        };
        let (mut stage, mut at) = (None, None);
        for field in fields(doc, &change, "stage_change")? {
            match field.key.as_ref() {
                "stage" => stage = Some(string(&field, "stage_change")?),
                "at" => at = Some(int(&field, "stage_change")?),
                _ => {}
            }
        }
        history.push((
            required(stage, "stage_change.stage")?,
            required(at, "stage_change.at")?,
        ));
    }
    Ok(history)
}

/// Number of orders and their sum per currency, sorted by currency.
fn read_orders(doc: &AutoCommit, obj: &ObjId) -> Result<(usize, Vec<Money>), ModelError> {
    let mut count = 0;
    let mut spend: BTreeMap<String, i64> = BTreeMap::new();
    for entry in fields(doc, obj, "orders")? {
        let (mut amount, mut currency) = (None, None);
        for item in fields(doc, &map(&entry, "orders")?, "order")? {
            match item.key.as_ref() {
                "amount_minor" => amount = Some(int(&item, "order")?),
                "currency" => currency = Some(string(&item, "order")?),
                _ => {}
            }
        }
        let total = spend
            .entry(required(currency, "order.currency")?)
            .or_default();
        *total = total.saturating_add(required(amount, "order.amount_minor")?);
        count += 1;
    }
    let spend = spend
        .into_iter()
        .map(|(currency, minor)| Money { minor, currency })
        .collect();
    Ok((count, spend))
}

/// The entries of the map `obj`; `what` names it in errors.
fn fields<'d>(
    doc: &'d AutoCommit,
    obj: &ObjId,
    what: &str,
) -> Result<impl Iterator<Item = MapRangeItem<'d>> + use<'d>, ModelError> {
    match doc.object_type(obj) {
        Ok(ObjType::Map | ObjType::Table) => Ok(doc.map_range(obj, ..)),
        _ => Err(layout(format!("{what}: expected a map"))),
    }
}

fn keys<'d>(
    doc: &'d AutoCommit,
    obj: &ObjId,
    what: &str,
) -> Result<impl Iterator<Item = String> + use<'d>, ModelError> {
    Ok(fields(doc, obj, what)?.map(|item| item.key.into_owned()))
}

fn map(item: &MapRangeItem<'_>, what: &str) -> Result<ObjId, ModelError> {
    match item.value {
        ValueRef::Object(ObjType::Map | ObjType::Table) => Ok(item.id()),
        _ => Err(layout(format!("{what}.{}: expected a map", item.key))),
    }
}

fn string(item: &MapRangeItem<'_>, what: &str) -> Result<String, ModelError> {
    match &item.value {
        ValueRef::Scalar(ScalarValueRef::Str(s)) => Ok(s.to_string()),
        _ => Err(layout(format!("{what}.{}: expected a string", item.key))),
    }
}

fn int(item: &MapRangeItem<'_>, what: &str) -> Result<i64, ModelError> {
    match item.value {
        ValueRef::Scalar(ScalarValueRef::Int(i)) => Ok(i),
        _ => Err(layout(format!("{what}.{}: expected an integer", item.key))),
    }
}

fn boolean(item: &MapRangeItem<'_>, what: &str) -> Result<bool, ModelError> {
    match item.value {
        ValueRef::Scalar(ScalarValueRef::Boolean(b)) => Ok(b),
        _ => Err(layout(format!("{what}.{}: expected a boolean", item.key))),
    }
}

fn required<T>(value: Option<T>, what: &str) -> Result<T, ModelError> {
    value.ok_or_else(|| layout(format!("{what}: missing")))
}

fn layout(reason: String) -> ModelError {
    ModelError::Layout {
        kind: "customer",
        reason,
    }
}
