//! The rules screen: the workspace's automation rules with how many customers each matches
//! now, switched on and off and edited by admins — in the rule builder (`rule_builder`), or as
//! the documented JSON ("advanced") — checked as they are edited, with a live count of whom the
//! draft would match. The edge runs them.

use std::collections::BTreeMap;
use std::rc::Rc;

use crm_core::Id;
use crm_core::customer::Customer;
use crm_core::pipeline::Pipeline;
use crm_core::rules::form::RuleForm;
use crm_core::rules::{Action, Context, Rule, matching};
use crm_core::workspace::{Role, RuleBook};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::errors::{edit_workspace, error_text};
use super::rule_builder::RuleBuilder;
use super::segments::SegmentsCard;
use super::{use_session, use_signals};
use crate::i18n::{Lang, use_lang};

/// What a new rule starts as in the editor (with an id of its own).
const TEMPLATE: &str = r#"{
  "id": "new-rule",
  "name": "VIP with no contact for 14 days",
  "when": {"all": [
    {"has_tag": "VIP"},
    {"days_since_last_interaction": {"days": {"at_least": 14}}}
  ]},
  "then": [
    {"add_tag": "VIP at risk"},
    {"follow_up": {"title": "Call {name}", "due_in_days": 0}}
  ]
}"#;

/// Every customer as read when the page opened, and the instant they are evaluated at.
#[derive(Clone)]
struct Snapshot {
    customers: Rc<Vec<Customer>>,
    now: i64,
}

#[component]
pub fn RulesPage() -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let signals = use_signals();
    let progress = RwSignal::new((0usize, 0usize));
    let snapshot = RwSignal::new_local(None::<Snapshot>);
    spawn_local(async move {
        let session = session.get_value();
        let customers = session.all_customers(progress).await;
        snapshot.set(Some(Snapshot {
            customers: Rc::new(customers),
            now: js_sys::Date::now() as i64,
        }));
    });
    let pipeline = Memo::new(move |_| {
        signals
            .workspace
            .with(|ws| ws.as_ref().map(|ws| ws.pipeline.clone()))
            .unwrap_or_else(Pipeline::standard)
    });
    let counts = Memo::new(move |_| {
        let rules = signals.rules.with(|book| book.rules.clone());
        let pipeline = pipeline.get();
        snapshot.with(|s| s.as_ref().map(|s| count(&rules, s, &pipeline)))
    });
    let admin = signals.role.get_value() == Role::Admin;
    let editing = RwSignal::new(None::<Rule>);
    let new_rule = move |_| {
        let Ok(mut rule) = serde_json::from_slice::<Rule>(TEMPLATE.as_bytes()) else {
            return;
        };
        rule.id = format!("rule-{}", &Id::random().as_str()[..10]);
        editing.set(Some(rule));
    };
    view! {
        <div class="page-head">
            <h1>{move || lang.get().t().rules_title}</h1>
            {admin.then(|| view! {
                <button type="button" class="primary" on:click=new_rule>
                    {move || lang.get().t().new_rule}
                </button>
            })}
        </div>
        <p class="muted">{move || lang.get().t().rules_intro}</p>
        {(!admin).then(|| view! { <p class="muted">{move || lang.get().t().admins_only}</p> })}
        <p class="muted rules-progress" data-testid="rules-progress">
            {move || {
                let (read, total) = progress.get();
                let t = lang.get().t();
                format!("{} {read} / {total} {}", t.checked, t.customers_unit)
            }}
        </p>
        {move || editing.get().map(|rule| view! { <RuleEditor rule editing snapshot pipeline /> })}
        {move || (admin && signals.rules.with(RuleBook::is_empty)).then(|| view! { <InstallDefaults /> })}
        <SegmentsCard admin />
        <ul class="rules">
            <For
                each=move || signals.rules.get().rules
                key=|rule| serde_json::to_string(rule).unwrap_or_default()
                children=move |rule| view! { <RuleItem rule counts editing admin /> }
            />
        </ul>
        {move || {
            let unreadable = signals.rules.get().unreadable;
            (!unreadable.is_empty()).then(|| view! {
                <p class="banner banner-error" role="alert">
                    {lang.get().t().unreadable_rule} ": "
                    {unreadable.into_iter().map(|(id, why)| format!("{id} ({why})")).collect::<Vec<_>>().join("; ")}
                </p>
            })
        }}
    }
}

/// For a workspace without rules (one started before they existed): installs the default
/// rules and segments, worded in the interface's language.
#[component]
fn InstallDefaults() -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let install = move |_| {
        let defaults = RuleBook::defaults(lang.get_untracked().as_team());
        let _ = session.with_value(|s| s.edit_workspace(|ws| ws.install(&defaults)));
    };
    view! {
        <section class="card">
            <p class="empty">{move || lang.get().t().no_rules}</p>
            <button type="button" class="primary" on:click=install>{move || lang.get().t().install_default_rules}</button>
        </section>
    }
}

/// Rule id → customers it matches now.
fn count(rules: &[Rule], snapshot: &Snapshot, pipeline: &Pipeline) -> BTreeMap<String, usize> {
    let ctx = Context {
        now: snapshot.now,
        pipeline,
    };
    let mut counts = BTreeMap::new();
    for customer in snapshot.customers.iter() {
        for id in matching(rules, customer, &ctx) {
            *counts.entry(id.to_owned()).or_insert(0) += 1;
        }
    }
    counts
}

/// One rule: name, what it does, whom it matches now, on/off and edit for admins.
#[component]
fn RuleItem(
    rule: Rule,
    counts: Memo<Option<BTreeMap<String, usize>>>,
    editing: RwSignal<Option<Rule>>,
    admin: bool,
) -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let id = rule.id.clone();
    let matches = move || {
        let t = lang.get().t();
        match counts.get() {
            Some(counts) => format!(
                "{} {} {}",
                t.matches_now,
                counts.get(&id).copied().unwrap_or(0),
                t.matches_unit
            )
            .trim_end()
            .to_owned(),
            None => t.counting.to_owned(),
        }
    };
    let enabled = rule.enabled;
    let toggled = {
        let rule = rule.clone();
        move |_| {
            let changed = Rule {
                enabled: !enabled,
                ..rule.clone()
            };
            let _ = session.with_value(|s| s.edit_workspace(|ws| ws.put_rule(&changed)));
        }
    };
    let edited = rule.clone();
    view! {
        <li class="card rule" class:disabled=!enabled data-rule=rule.id.clone()>
            <div class="rule-head">
                <h2 class="rule-name">{
                    let (id, name) = (rule.id.clone(), rule.name.clone());
                    move || lang.get().configured_name(&id, &name)
                }</h2>
                <label class="switch">
                    <input type="checkbox" prop:checked=enabled disabled=!admin on:change=toggled />
                    <span>{move || lang.get().t().rule_enabled}</span>
                </label>
            </div>
            <p class="chips">
                {rule.then.iter().map(|action| view! { <ActionChip action=action.clone() /> }).collect_view()}
            </p>
            <p class="rule-foot">
                <span class="rule-count">{matches}</span>
                {admin.then(|| view! {
                    <button type="button" on:click=move |_| editing.set(Some(edited.clone()))>
                        {move || lang.get().t().edit_rule}
                    </button>
                })}
            </p>
        </li>
    }
}

/// What an action does, as a chip.
#[component]
pub fn ActionChip(action: Action) -> impl IntoView {
    let lang = use_lang();
    let text = move || describe(lang.get(), &action);
    view! { <span class="chip auto-tag">{text}</span> }
}

fn describe(lang: Lang, action: &Action) -> String {
    let t = lang.t();
    match action {
        Action::AddTag(tag) => format!("⚙ {tag}"),
        Action::RemoveTag(tag) => format!("{} {tag}", t.will_remove_tag),
        Action::FollowUp(f) => format!("↻ {}", f.title.replace("{name}", t.name_in_template)),
        Action::SetLifecycle(stage) => format!("→ {}", lang.lifecycle(*stage)),
        Action::ReleaseToPool => format!("→ {}", t.pool),
    }
}

/// One rule being written, in the builder or as JSON ("advanced"): checked as it is edited,
/// with whom it would match now.
#[component]
fn RuleEditor(
    rule: Rule,
    editing: RwSignal<Option<Rule>>,
    snapshot: RwSignal<Option<Snapshot>, LocalStorage>,
    pipeline: Memo<Pipeline>,
) -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let signals = use_signals();
    let form = RwSignal::new(RuleForm::of(&rule));
    // The JSON being written in "advanced" (none: the builder).
    let json = RwSignal::new(None::<String>);
    let saved_error = RwSignal::new(None::<String>);
    // The draft as a rule valid in this workspace, or why not.
    let checked = Memo::new(move |_| {
        let rule: Rule = match json.get() {
            Some(text) => serde_json::from_slice(text.as_bytes()).map_err(|e| e.to_string())?,
            None => form.with(RuleForm::rule).map_err(|e| e.to_string())?,
        };
        let workspace = signals.workspace.get().ok_or_else(String::new)?;
        rule.validate(workspace.rule_scope())
            .map_err(|e| error_text(lang.get(), &e))?;
        Ok::<Rule, String>(rule)
    });
    let would_match = move || {
        let rule = checked.get().ok()?;
        let pipeline = pipeline.get();
        snapshot.with(|s| {
            s.as_ref().map(|s| {
                count(std::slice::from_ref(&rule), s, &pipeline)
                    .values()
                    .sum::<usize>()
            })
        })
    };
    let advanced = move |_| match json.get_untracked() {
        None => {
            let rule = form
                .with_untracked(RuleForm::rule)
                .unwrap_or_else(|_| rule.clone());
            json.set(Some(
                serde_json::to_string_pretty(&rule).unwrap_or_default(),
            ));
        }
        Some(text) => {
            if let Ok(rule) = serde_json::from_slice::<Rule>(text.as_bytes()) {
                form.set(RuleForm::of(&rule));
                json.set(None);
            }
        }
    };
    let save = move |_| {
        let Ok(rule) = checked.get_untracked() else {
            return;
        };
        if edit_workspace(session, lang, saved_error, |ws| ws.put_rule(&rule)) {
            editing.set(None);
        }
    };
    let remove = move |_| {
        let Ok(rule) = checked.get_untracked() else {
            return;
        };
        if edit_workspace(session, lang, saved_error, |ws| ws.remove_rule(&rule.id)) {
            editing.set(None);
        }
    };
    view! {
        <section class="card rule-editor">
            {move || match json.get().is_some() {
                false => view! { <RuleBuilder form /> }.into_any(),
                true => view! {
                    <textarea
                        class="rule-json"
                        rows="16"
                        spellcheck="false"
                        aria-label=move || lang.get().t().rule_json
                        prop:value=move || json.get().unwrap_or_default()
                        on:input=move |ev| json.set(Some(event_target_value(&ev)))
                    ></textarea>
                }.into_any(),
            }}
            <p class="rule-check" role="status">
                {move || match checked.get() {
                    Ok(_) => {
                        let t = lang.get().t();
                        match would_match() {
                            Some(n) => format!("✓ {} {n} {}", t.would_match, t.matches_unit).trim_end().to_owned(),
                            None => format!("✓ {}", t.counting),
                        }
                    }
                    Err(why) => format!("✗ {why}"),
                }}
            </p>
            {move || saved_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <div class="inline-fields">
                <button type="button" class="primary" disabled=move || checked.get().is_err() on:click=save>
                    {move || lang.get().t().save_rule}
                </button>
                <button type="button" on:click=move |_| editing.set(None)>{move || lang.get().t().cancel}</button>
                <button type="button" on:click=advanced>
                    {move || match json.get().is_some() {
                        false => lang.get().t().rb_advanced,
                        true => lang.get().t().rb_builder,
                    }}
                </button>
                <button type="button" class="danger" disabled=move || checked.get().is_err() on:click=remove>
                    {move || lang.get().t().delete_rule}
                </button>
            </div>
        </section>
    }
}
