//! The rule builder: a rule as a form — conditions picked and nested (all / any / not), actions
//! listed — over `crm_core::rules::form`, which reads every rule the JSON can say and writes it
//! back unchanged. Each field edits its node in place (found by its path of child indexes), so
//! typing re-renders only the field; the structure re-renders when a kind or a list changes.

use crm_core::contact::ContactKind;
use crm_core::customer::{Channel, Lifecycle, Source};
use crm_core::pipeline::StageKind;
use crm_core::rules::ProfileField;
use crm_core::rules::form::RuleForm;
use crm_core::rules::form::{ActionForm, CONDITION_KINDS, ConditionForm, CustomCheck, RangeForm};
use leptos::prelude::*;

use super::stages::{name, use_pipeline};
use super::{member_choices, use_signals};
use crate::i18n::{Lang, Texts, use_lang};

/// Where a node is: child indexes from the rule's condition.
type Path = Vec<usize>;
/// A message of the table.
type Message = fn(&Texts) -> &'static str;

/// The form's conditions and actions.
#[component]
pub fn RuleBuilder(form: RwSignal<RuleForm>) -> impl IntoView {
    let lang = use_lang();
    let actions =
        Memo::new(move |_| form.with(|f| f.then.iter().map(action_kind).collect::<Vec<_>>()));
    view! {
        <div class="rule-builder">
            <label class="field">
                <span>{move || lang.get().t().rb_rule_name}</span>
                <input
                    type="text"
                    prop:value=move || form.with(|f| f.name.clone())
                    on:input=move |ev| form.update(|f| f.name = event_target_value(&ev))
                />
            </label>
            <h3>{move || lang.get().t().rb_when}</h3>
            <ConditionNode form path=Vec::new() />
            <h3>{move || lang.get().t().rb_then}</h3>
            <ol class="rb-actions">
                {move || (0..actions.with(Vec::len)).map(|i| view! { <ActionRow form i /> }).collect_view()}
            </ol>
            <button type="button" on:click=move |_| form.update(|f| f.then.push(ActionForm::AddTag(String::new())))>
                {move || lang.get().t().rb_add_action}
            </button>
        </div>
    }
}

/// One condition: its kind, and its fields or the conditions it groups.
#[component]
fn ConditionNode(form: RwSignal<RuleForm>, path: Path) -> impl IntoView {
    let lang = use_lang();
    let signals = use_signals();
    let at = StoredValue::new(path.clone());
    let kind = Memo::new(move |_| {
        form.with(|f| {
            f.when
                .at(&at.read_value())
                .map(ConditionForm::kind)
                .unwrap_or("has_tag")
        })
    });
    let children = Memo::new(move |_| {
        form.with(|f| match f.when.at(&at.read_value()) {
            Some(ConditionForm::All(items) | ConditionForm::Any(items)) => items.len(),
            Some(ConditionForm::Not(_)) => 1,
            _ => 0,
        })
    });
    let switch = move |ev| {
        let kind = event_target_value(&ev);
        let field = signals.workspace.with_untracked(|ws| {
            ws.as_ref()
                .and_then(|w| w.custom_fields.keys().next().cloned())
                .unwrap_or_default()
        });
        edit(form, &at.read_value(), |c| *c = c.switched(&kind, &field));
    };
    let removable = !path.is_empty();
    let remove = move |_| {
        let path = at.read_value().clone();
        let Some((last, parent)) = path.split_last() else {
            return;
        };
        form.update(|f| match f.when.at_mut(parent) {
            Some(ConditionForm::All(items) | ConditionForm::Any(items)) => {
                items.remove(*last);
            }
            // The only condition of a "not" goes with it.
            Some(not @ ConditionForm::Not(_)) => *not = ConditionForm::All(Vec::new()),
            _ => {}
        });
    };
    let add = move |_| {
        edit(form, &at.read_value(), |c| {
            if let ConditionForm::All(items) | ConditionForm::Any(items) = c {
                items.push(ConditionForm::HasTag(String::new()));
            }
        })
    };
    view! {
        <div class="rb-condition" data-kind=move || kind.get()>
            <div class="rb-head">
                <select aria-label=move || lang.get().t().rb_condition on:change=switch>
                    {CONDITION_KINDS.iter().map(|k| view! {
                        <option value=*k selected=move || kind.get() == *k>{move || kind_label(lang.get().t(), k)}</option>
                    }).collect_view()}
                </select>
                {removable.then(|| view! {
                    <button type="button" class="row-button" aria-label=move || lang.get().t().rb_remove on:click=remove>"×"</button>
                })}
            </div>
            {move || match kind.get() {
                "all" | "any" | "not" => {
                    let group = kind.get() != "not";
                    view! {
                        <div class="rb-children">
                            {(0..children.get()).map(|i| {
                                let mut child = at.read_value().clone();
                                child.push(i);
                                view! { <ConditionNode form path=child /> }.into_any()
                            }).collect_view()}
                            {group.then(|| view! {
                                <button type="button" class="rb-add" on:click=add>{move || lang.get().t().rb_add_condition}</button>
                            })}
                        </div>
                    }.into_any()
                }
                kind => view! { <LeafFields form at kind /> }.into_any(),
            }}
        </div>
    }
}

/// The fields of a condition that tests one thing.
#[component]
fn LeafFields(
    form: RwSignal<RuleForm>,
    at: StoredValue<Path>,
    kind: &'static str,
) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().t();
    match kind {
        "profile" => view! { <ProfileFields form at /> }.into_any(),
        "custom" => view! { <CustomFields form at /> }.into_any(),
        "has_tag" => text_field(
            form,
            at,
            |t| t.rb_tag,
            |c| match c {
                ConditionForm::HasTag(tag) => Some(tag),
                _ => None,
            },
        )
        .into_any(),
        "has_contact" => {
            let options = ContactKind::ALL
                .iter()
                .map(|k| (k.as_str().to_owned(), *k))
                .collect::<Vec<_>>();
            let current = move || {
                node(form, at, |c| match c {
                    ConditionForm::HasContact(k) => Some(k.as_str().to_owned()),
                    _ => None,
                })
            };
            view! {
                <select aria-label=move || t().rb_has_contact on:change=move |ev| {
                    let picked = ContactKind::from_stored(&event_target_value(&ev));
                    edit(form, &at.read_value(), |c| *c = ConditionForm::HasContact(picked));
                }>
                    {options.into_iter().map(|(value, k)| {
                        let shown = value.clone();
                        view! { <option value=value selected=move || current() == Some(shown.clone())>{move || lang.get().contact_kind(k)}</option> }
                    }).collect_view()}
                </select>
            }
            .into_any()
        }
        "deal" => view! { <DealFields form at /> }.into_any(),
        "orders" => view! {
            {text_field(form, at, |t| t.rb_within_days, |c| match c {
                ConditionForm::Orders { within_days, .. } => Some(within_days),
                _ => None,
            })}
            {range_fields(form, at, |t| t.rb_count, |c| match c {
                ConditionForm::Orders { count, .. } => Some(count),
                _ => None,
            })}
            {range_fields(form, at, |t| t.rb_sum, |c| match c {
                ConditionForm::Orders { sum, .. } => Some(sum),
                _ => None,
            })}
        }
        .into_any(),
        "interactions" => view! {
            {channel_fields(form, at, |c| match c {
                ConditionForm::Interactions { channels, .. } => Some(channels),
                _ => None,
            })}
            {optional_text_field(form, at, |t| t.rb_mentions, |c| match c {
                ConditionForm::Interactions { mentions, .. } => Some(mentions),
                _ => None,
            })}
            {text_field(form, at, |t| t.rb_within_days, |c| match c {
                ConditionForm::Interactions { within_days, .. } => Some(within_days),
                _ => None,
            })}
            {range_fields(form, at, |t| t.rb_count, |c| match c {
                ConditionForm::Interactions { count, .. } => Some(count),
                _ => None,
            })}
        }
        .into_any(),
        "days_since_last_interaction" => view! {
            {channel_fields(form, at, |c| match c {
                ConditionForm::DaysSinceLastInteraction { channels, .. } => Some(channels),
                _ => None,
            })}
            {range_fields(form, at, |t| t.rb_days, |c| match c {
                ConditionForm::DaysSinceLastInteraction { days, .. } => Some(days),
                _ => None,
            })}
        }
        .into_any(),
        _ => range_fields(
            form,
            at,
            |t| t.rb_days,
            |c| match c {
                ConditionForm::DaysSinceCreated(days) => Some(days),
                _ => None,
            },
        )
        .into_any(),
    }
}

/// A profile field test: the field, is one of / contains / empty, and the value.
#[component]
fn ProfileFields(form: RwSignal<RuleForm>, at: StoredValue<Path>) -> impl IntoView {
    let lang = use_lang();
    let signals = use_signals();
    let members = member_choices(signals);
    let test = move || {
        node(form, at, |c| match c {
            ConditionForm::Profile(test) => Some(test.clone()),
            _ => None,
        })
    };
    let check = move || {
        test().map_or("contains", |t| match (&t.is, &t.contains, t.empty) {
            (Some(_), _, _) => "is",
            (None, Some(_), _) => "contains",
            (None, None, Some(true)) => "empty",
            _ => "not_empty",
        })
    };
    let field = move || test().map(|t| t.field);
    let set_test = move |update: &dyn Fn(&mut crm_core::rules::ProfileTest)| {
        edit(form, &at.read_value(), |c| {
            if let ConditionForm::Profile(test) = c {
                update(test);
            }
        })
    };
    // The values a field is picked from (source, stage, owner); others are typed.
    let choices = move || -> Option<Vec<(String, String)>> {
        let lang = lang.get();
        match field()? {
            ProfileField::Source => Some(
                Source::ALL
                    .iter()
                    .map(|s| (s.as_str().to_owned(), lang.source(*s).to_owned()))
                    .collect(),
            ),
            ProfileField::Lifecycle => Some(
                Lifecycle::ALL
                    .iter()
                    .map(|l| (l.as_str().to_owned(), lang.lifecycle(*l).to_owned()))
                    .collect(),
            ),
            ProfileField::Owner => Some(members.get()),
            _ => None,
        }
    };
    view! {
        <select aria-label=move || lang.get().t().rb_profile on:change=move |ev| {
            let picked = profile_field(&event_target_value(&ev));
            set_test(&|t| { t.field = picked; if t.is.is_some() { t.is = Some(Vec::new()); } });
        }>
            {ProfileField::ALL.iter().map(|f| view! {
                <option value=profile_field_key(*f) selected=move || field() == Some(*f)>{move || profile_field_label(lang.get().t(), *f)}</option>
            }).collect_view()}
        </select>
        <select aria-label=move || lang.get().t().rb_is on:change=move |ev| {
            let picked = event_target_value(&ev);
            set_test(&|t| {
                t.is = (picked == "is").then(Vec::new);
                t.contains = (picked == "contains").then(String::new);
                t.empty = match picked.as_str() { "empty" => Some(true), "not_empty" => Some(false), _ => None };
            });
        }>
            {PROFILE_CHECKS
                .into_iter()
                .map(|(key, label)| view! { <option value=key selected=move || check() == key>{move || label(lang.get().t())}</option> })
                .collect_view()}
        </select>
        {move || match (check(), choices()) {
            ("is", Some(choices)) => view! {
                <span class="rb-choices">
                    {choices.into_iter().map(|(value, label)| {
                        let (shown, toggled) = (value.clone(), value);
                        view! {
                            <label class="rb-choice">
                                <input type="checkbox"
                                    prop:checked=move || test().and_then(|t| t.is).is_some_and(|is| is.contains(&shown))
                                    on:change=move |_| set_test(&|t| toggle(t.is.get_or_insert_with(Vec::new), &toggled)) />
                                {label}
                            </label>
                        }
                    }).collect_view()}
                </span>
            }.into_any(),
            ("is", None) => view! {
                <input type="text" aria-label=move || lang.get().t().rb_values
                    placeholder=move || lang.get().t().rb_values
                    prop:value=move || test().and_then(|t| t.is).unwrap_or_default().join(", ")
                    on:change=move |ev| {
                        let values = split_list(&event_target_value(&ev));
                        set_test(&|t| t.is = Some(values.clone()));
                    } />
            }.into_any(),
            ("contains", _) => view! {
                <input type="text" aria-label=move || lang.get().t().rb_contains
                    prop:value=move || test().and_then(|t| t.contains).unwrap_or_default()
                    on:input=move |ev| {
                        let text = event_target_value(&ev);
                        set_test(&|t| t.contains = Some(text.clone()));
                    } />
            }.into_any(),
            _ => ().into_any(),
        }}
    }
}

/// A custom field test: the field, its test and values.
#[component]
fn CustomFields(form: RwSignal<RuleForm>, at: StoredValue<Path>) -> impl IntoView {
    let lang = use_lang();
    let signals = use_signals();
    let fields = Memo::new(move |_| {
        signals
            .workspace
            .with(|ws| {
                ws.as_ref().map(|w| {
                    (w.custom_fields.iter())
                        .map(|(id, def)| (id.clone(), def.label(lang.get() == Lang::En).to_owned()))
                        .collect::<Vec<_>>()
                })
            })
            .unwrap_or_default()
    });
    let get = move || {
        node(form, at, |c| match c {
            ConditionForm::Custom { field, test, .. } => Some((field.clone(), *test)),
            _ => None,
        })
    };
    let set = move |update: &dyn Fn(&mut String, &mut CustomCheck, &mut Vec<String>)| {
        edit(form, &at.read_value(), |c| {
            if let ConditionForm::Custom {
                field, test, is, ..
            } = c
            {
                update(field, test, is);
            }
        })
    };
    let checks: [(CustomCheck, &str, Message); 4] = [
        (CustomCheck::Is, "is", |t| t.rb_is),
        (CustomCheck::Number, "number", |t| t.rb_number),
        (CustomCheck::Set, "set", |t| t.rb_set),
        (CustomCheck::Unset, "unset", |t| t.rb_unset),
    ];
    view! {
        <select aria-label=move || lang.get().t().rb_custom on:change=move |ev| {
            let picked = event_target_value(&ev);
            set(&|field, _, _| *field = picked.clone());
        }>
            {move || fields.get().into_iter().map(|(id, label)| {
                let shown = id.clone();
                view! { <option value=id selected=move || get().is_some_and(|(f, _)| f == shown)>{label}</option> }
            }).collect_view()}
        </select>
        <select aria-label=move || lang.get().t().rb_is on:change=move |ev| {
            let picked = event_target_value(&ev);
            let check = checks.iter().find(|(_, key, _)| *key == picked).map_or(CustomCheck::Set, |(c, _, _)| *c);
            set(&|_, test, _| *test = check);
        }>
            {checks.iter().map(|(check, key, label)| {
                let (check, label) = (*check, *label);
                view! { <option value=*key selected=move || get().is_some_and(|(_, t)| t == check)>{move || label(lang.get().t())}</option> }
            }).collect_view()}
        </select>
        {move || match get().map(|(_, t)| t) {
            Some(CustomCheck::Is) => view! {
                <input type="text" aria-label=move || lang.get().t().rb_values
                    placeholder=move || lang.get().t().rb_values
                    prop:value=move || node(form, at, |c| match c {
                        ConditionForm::Custom { is, .. } => Some(is.join(", ")),
                        _ => None,
                    }).unwrap_or_default()
                    on:change=move |ev| {
                        let values = split_list(&event_target_value(&ev));
                        set(&|_, _, is| *is = values.clone());
                    } />
            }.into_any(),
            Some(CustomCheck::Number) => range_fields(form, at, |t| t.rb_number, |c| match c {
                ConditionForm::Custom { number, .. } => Some(number),
                _ => None,
            }).into_any(),
            _ => ().into_any(),
        }}
    }
}

/// A deal test: its stages, stage kind, amount and days in stage.
#[component]
fn DealFields(form: RwSignal<RuleForm>, at: StoredValue<Path>) -> impl IntoView {
    let lang = use_lang();
    let pipeline = use_pipeline();
    let stages = move || {
        node(form, at, |c| match c {
            ConditionForm::Deal { stage, .. } => Some(stage.clone()),
            _ => None,
        })
        .flatten()
    };
    let kind = move || {
        node(form, at, |c| match c {
            ConditionForm::Deal { stage_kind, .. } => Some(*stage_kind),
            _ => None,
        })
        .flatten()
    };
    view! {
        <fieldset class="rb-choices">
            <legend>{move || lang.get().t().rb_stages}</legend>
            {move || pipeline.get().ordered().into_iter().map(|(id, def)| {
                let (shown, toggled) = (id.to_owned(), id.to_owned());
                let label = name(lang.get(), def).to_owned();
                view! {
                    <label class="rb-choice">
                        <input type="checkbox"
                            prop:checked=move || stages().is_some_and(|s| s.contains(&shown))
                            on:change=move |_| edit(form, &at.read_value(), |c| {
                                if let ConditionForm::Deal { stage, .. } = c {
                                    let list = stage.get_or_insert_with(Vec::new);
                                    toggle(list, &toggled);
                                    if list.is_empty() { *stage = None; }
                                }
                            }) />
                        {label}
                    </label>
                }
            }).collect_view()}
        </fieldset>
        <select aria-label=move || lang.get().t().rb_any_kind on:change=move |ev| {
            let picked = StageKind::parse(&event_target_value(&ev));
            edit(form, &at.read_value(), |c| if let ConditionForm::Deal { stage_kind, .. } = c { *stage_kind = picked; });
        }>
            <option value="" selected=move || kind().is_none()>{move || lang.get().t().rb_any_kind}</option>
            {StageKind::ALL.iter().map(|k| view! {
                <option value=k.as_str() selected=move || kind() == Some(*k)>{move || stage_kind_label(lang.get().t(), *k)}</option>
            }).collect_view()}
        </select>
        {range_fields(form, at, |t| t.rb_amount, |c| match c {
            ConditionForm::Deal { amount, .. } => Some(amount),
            _ => None,
        })}
        {range_fields(form, at, |t| t.rb_days_in_stage, |c| match c {
            ConditionForm::Deal { days_in_stage, .. } => Some(days_in_stage),
            _ => None,
        })}
    }
}

/// One action: its kind and what it needs.
#[component]
fn ActionRow(form: RwSignal<RuleForm>, i: usize) -> impl IntoView {
    let lang = use_lang();
    let action = move || form.with(|f| f.then.get(i).cloned());
    let kind = Memo::new(move |_| action().map_or("add_tag", |a| action_kind(&a)));
    let set = move |update: &dyn Fn(&mut ActionForm)| {
        form.update(|f| {
            if let Some(a) = f.then.get_mut(i) {
                update(a);
            }
        })
    };
    let kinds: [(&str, Message); 5] = [
        ("add_tag", |t| t.rb_add_tag),
        ("remove_tag", |t| t.rb_remove_tag),
        ("follow_up", |t| t.rb_follow_up),
        ("set_lifecycle", |t| t.rb_set_lifecycle),
        ("release_to_pool", |t| t.pool_release),
    ];
    let text = move |read: fn(&ActionForm) -> Option<String>| {
        move || action().as_ref().and_then(read).unwrap_or_default()
    };
    view! {
        <li class="rb-action">
            <select aria-label=move || lang.get().t().rb_then on:change=move |ev| {
                let picked = event_target_value(&ev);
                set(&|a| *a = match picked.as_str() {
                    "remove_tag" => ActionForm::RemoveTag(String::new()),
                    "follow_up" => ActionForm::FollowUp { title: String::new(), due_in_days: "0".into() },
                    "set_lifecycle" => ActionForm::SetLifecycle(Lifecycle::Prospect),
                    "release_to_pool" => ActionForm::ReleaseToPool,
                    _ => ActionForm::AddTag(String::new()),
                });
            }>
                {kinds.iter().map(|(key, label)| {
                    let (key, label) = (*key, *label);
                    view! { <option value=key selected=move || kind.get() == key>{move || label(lang.get().t())}</option> }
                }).collect_view()}
            </select>
            {move || match kind.get() {
                "add_tag" | "remove_tag" => view! {
                    <input type="text" aria-label=move || lang.get().t().rb_tag
                        prop:value=text(|a| match a { ActionForm::AddTag(t) | ActionForm::RemoveTag(t) => Some(t.clone()), _ => None })
                        on:input=move |ev| {
                            let typed = event_target_value(&ev);
                            set(&|a| if let ActionForm::AddTag(t) | ActionForm::RemoveTag(t) = a { *t = typed.clone(); });
                        } />
                }.into_any(),
                "follow_up" => view! {
                    <input type="text" class="rb-title" aria-label=move || lang.get().t().rb_title
                        placeholder=move || lang.get().t().rb_title
                        prop:value=text(|a| match a { ActionForm::FollowUp { title, .. } => Some(title.clone()), _ => None })
                        on:input=move |ev| {
                            let typed = event_target_value(&ev);
                            set(&|a| if let ActionForm::FollowUp { title, .. } = a { *title = typed.clone(); });
                        } />
                    <input type="text" class="rb-number" inputmode="numeric" aria-label=move || lang.get().t().rb_due
                        prop:value=text(|a| match a { ActionForm::FollowUp { due_in_days, .. } => Some(due_in_days.clone()), _ => None })
                        on:input=move |ev| {
                            let typed = event_target_value(&ev);
                            set(&|a| if let ActionForm::FollowUp { due_in_days, .. } = a { *due_in_days = typed.clone(); });
                        } />
                }.into_any(),
                _ => view! {
                    <select aria-label=move || lang.get().t().rb_set_lifecycle on:change=move |ev| {
                        let picked = Lifecycle::from_stored(&event_target_value(&ev));
                        set(&|a| *a = ActionForm::SetLifecycle(picked));
                    }>
                        {Lifecycle::ALL.iter().map(|l| view! {
                            <option value=l.as_str() selected=move || action() == Some(ActionForm::SetLifecycle(*l))>{move || lang.get().lifecycle(*l)}</option>
                        }).collect_view()}
                    </select>
                }.into_any(),
            }}
            <button type="button" class="row-button" aria-label=move || lang.get().t().rb_remove
                on:click=move |_| form.update(|f| { if i < f.then.len() { f.then.remove(i); } })>"×"</button>
        </li>
    }
}

/// Reads the node at `at` (`None` when it is not of the kind `read` expects).
fn node<T>(
    form: RwSignal<RuleForm>,
    at: StoredValue<Path>,
    read: impl Fn(&ConditionForm) -> Option<T>,
) -> Option<T> {
    read(&node_at(form, at)?)
}

/// The node at `at`, as it stands (one reader for every field: the signal's code is not
/// repeated per field).
fn node_at(form: RwSignal<RuleForm>, at: StoredValue<Path>) -> Option<ConditionForm> {
    form.with(|f| f.when.at(&at.read_value()).cloned())
}

/// Changes the node at `path`.
fn edit(form: RwSignal<RuleForm>, path: &[usize], change: impl FnOnce(&mut ConditionForm)) {
    let mut change = Some(change);
    edit_at(form, path, &mut |c| {
        if let Some(change) = change.take() {
            change(c);
        }
    });
}

/// [`edit`] without a type per change, so the signal's code is not repeated per field.
fn edit_at(form: RwSignal<RuleForm>, path: &[usize], change: &mut dyn FnMut(&mut ConditionForm)) {
    form.update(|f| {
        if let Some(c) = f.when.at_mut(path) {
            change(c);
        }
    });
}

/// A text input bound to the string `pick` finds in the node.
fn text_field(
    form: RwSignal<RuleForm>,
    at: StoredValue<Path>,
    label: Message,
    pick: fn(&mut ConditionForm) -> Option<&mut String>,
) -> impl IntoView {
    let lang = use_lang();
    let value = move || node(form, at, |c| pick(&mut c.clone()).cloned()).unwrap_or_default();
    view! {
        <label class="field rb-field">
            <span>{move || label(lang.get().t())}</span>
            <input type="text" prop:value=value on:input=move |ev| {
                let typed = event_target_value(&ev);
                edit(form, &at.read_value(), |c| if let Some(s) = pick(c) { *s = typed; });
            } />
        </label>
    }
}

/// A text input for an optional text: empty is none.
fn optional_text_field(
    form: RwSignal<RuleForm>,
    at: StoredValue<Path>,
    label: Message,
    pick: fn(&mut ConditionForm) -> Option<&mut Option<String>>,
) -> impl IntoView {
    let lang = use_lang();
    let value = move || {
        node(form, at, |c| pick(&mut c.clone()).cloned())
            .flatten()
            .unwrap_or_default()
    };
    view! {
        <label class="field rb-field">
            <span>{move || label(lang.get().t())}</span>
            <input type="text" prop:value=value on:input=move |ev| {
                let typed = event_target_value(&ev);
                edit(form, &at.read_value(), |c| if let Some(s) = pick(c) { *s = (!typed.is_empty()).then_some(typed); });
            } />
        </label>
    }
}

/// At-least and at-most inputs for the bounds `pick` finds in the node.
fn range_fields(
    form: RwSignal<RuleForm>,
    at: StoredValue<Path>,
    label: Message,
    pick: fn(&mut ConditionForm) -> Option<&mut RangeForm>,
) -> impl IntoView {
    let lang = use_lang();
    let bound = move |most: bool| {
        move || {
            node(form, at, |c| {
                pick(&mut c.clone()).map(|r| {
                    if most {
                        r.at_most.clone()
                    } else {
                        r.at_least.clone()
                    }
                })
            })
            .unwrap_or_default()
        }
    };
    let set = move |most: bool| {
        move |ev| {
            let typed = event_target_value(&ev);
            edit(form, &at.read_value(), |c| {
                if let Some(r) = pick(c) {
                    *(if most {
                        &mut r.at_most
                    } else {
                        &mut r.at_least
                    }) = typed;
                }
            });
        }
    };
    view! {
        <span class="rb-range">
            <span class="rb-range-label">{move || label(lang.get().t())}</span>
            <input type="text" class="rb-number" inputmode="decimal"
                aria-label=move || format!("{} · {}", label(lang.get().t()), lang.get().t().rb_at_least)
                placeholder=move || lang.get().t().rb_at_least prop:value=bound(false) on:input=set(false) />
            "–"
            <input type="text" class="rb-number" inputmode="decimal"
                aria-label=move || format!("{} · {}", label(lang.get().t()), lang.get().t().rb_at_most)
                placeholder=move || lang.get().t().rb_at_most prop:value=bound(true) on:input=set(true) />
        </span>
    }
}

/// Channel checkboxes for the channels `pick` finds in the node (none ticked: every channel).
fn channel_fields(
    form: RwSignal<RuleForm>,
    at: StoredValue<Path>,
    pick: fn(&mut ConditionForm) -> Option<&mut Option<Vec<Channel>>>,
) -> impl IntoView {
    let lang = use_lang();
    let ticked = move |channel: Channel| {
        node(form, at, |c| pick(&mut c.clone()).cloned())
            .flatten()
            .is_some_and(|list| list.contains(&channel))
    };
    view! {
        <fieldset class="rb-choices">
            <legend>{move || lang.get().t().rb_channels}</legend>
            {Channel::ALL.iter().map(|channel| {
                let channel = *channel;
                view! {
                    <label class="rb-choice">
                        <input type="checkbox" prop:checked=move || ticked(channel) on:change=move |_| {
                            edit(form, &at.read_value(), |c| if let Some(channels) = pick(c) {
                                let list = channels.get_or_insert_with(Vec::new);
                                toggle(list, &channel);
                                if list.is_empty() { *channels = None; }
                            });
                        } />
                        {move || lang.get().channel(channel)}
                    </label>
                }
            }).collect_view()}
        </fieldset>
    }
}

/// Adds `value` to `list`, or takes it out if it is there.
fn toggle<T: PartialEq + Clone>(list: &mut Vec<T>, value: &T) {
    match list.iter().position(|v| v == value) {
        Some(i) => {
            list.remove(i);
        }
        None => list.push(value.clone()),
    }
}

/// Comma-separated values (either comma), trimmed, empty ones dropped.
fn split_list(typed: &str) -> Vec<String> {
    (typed.split([',', '，']))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

fn action_kind(action: &ActionForm) -> &'static str {
    match action {
        ActionForm::AddTag(_) => "add_tag",
        ActionForm::RemoveTag(_) => "remove_tag",
        ActionForm::FollowUp { .. } => "follow_up",
        ActionForm::SetLifecycle(_) => "set_lifecycle",
        ActionForm::ReleaseToPool => "release_to_pool",
    }
}

fn kind_label(t: &Texts, kind: &str) -> &'static str {
    match kind {
        "all" => t.rb_all,
        "any" => t.rb_any,
        "not" => t.rb_not,
        "profile" => t.rb_profile,
        "custom" => t.rb_custom,
        "has_contact" => t.rb_has_contact,
        "deal" => t.rb_deal,
        "orders" => t.rb_orders,
        "interactions" => t.rb_interactions,
        "days_since_last_interaction" => t.rb_days_since_last,
        "days_since_created" => t.rb_days_since_created,
        _ => t.rb_has_tag,
    }
}

fn stage_kind_label(t: &Texts, kind: StageKind) -> &'static str {
    match kind {
        StageKind::Open => t.stage_open,
        StageKind::Won => t.stage_won,
        StageKind::Lost => t.stage_lost,
    }
}

/// The tests of a profile field, by key.
const PROFILE_CHECKS: [(&str, Message); 4] = [
    ("is", |t| t.rb_is),
    ("contains", |t| t.rb_contains),
    ("empty", |t| t.rb_empty),
    ("not_empty", |t| t.rb_not_empty),
];

fn profile_field_key(field: ProfileField) -> &'static str {
    match field {
        ProfileField::Name => "name",
        ProfileField::NameLatin => "name_latin",
        ProfileField::Company => "company",
        ProfileField::Title => "title",
        ProfileField::Owner => "owner",
        ProfileField::Source => "source",
        ProfileField::Lifecycle => "lifecycle",
    }
}

fn profile_field(key: &str) -> ProfileField {
    (ProfileField::ALL.into_iter())
        .find(|f| profile_field_key(*f) == key)
        .unwrap_or(ProfileField::Company)
}

fn profile_field_label(t: &Texts, field: ProfileField) -> &'static str {
    match field {
        ProfileField::Name => t.name,
        ProfileField::NameLatin => t.name_latin,
        ProfileField::Company => t.company,
        ProfileField::Title => t.job_title,
        ProfileField::Owner => t.owner,
        ProfileField::Source => t.source,
        ProfileField::Lifecycle => t.lifecycle,
    }
}
