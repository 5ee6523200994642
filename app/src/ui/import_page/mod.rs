//! The import screen: a CSV or Excel file read by the sheet worker, its columns recognised
//! (and remembered per workspace for the same headers), every row checked with its line
//! before anything is stored, rows that are customers already shown with whom they are, then
//! the import with a progress bar, cancellable, and a report to download.

mod run;

use std::collections::HashMap;
use std::rc::Rc;

use crm_core::customer::{Lifecycle, Source};
use crm_core::import::{self, Checked, Column, Found, Importer, Table, Vocabulary};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{member_name, use_session, use_signals};
use crate::i18n::{Lang, use_lang};
use crate::session::SessionSignals;
use crate::sheets::{self, Format, SheetError};
use run::{Done, Matched, Report};

/// Rows of the checked sheet listed on screen (the report has them all).
const SHOWN: usize = 100;

/// Where the import is.
#[derive(Clone)]
enum Stage {
    Pick,
    Reading,
    /// Read: columns to confirm.
    Map,
    Checking,
    /// Checked: the rows, to import.
    Checked(Rc<Vec<Checked>>),
    /// Importing this many rows.
    Running(usize),
    Done(Rc<Report>),
}

/// The import page.
#[component]
pub fn ImportPage() -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let signals = use_signals();
    sheets::warm_up();
    crate::phone::warm_up();
    let stage = RwSignal::new_local(Stage::Pick);
    let table = RwSignal::new(Table::default());
    let columns = RwSignal::new(Vec::<Column>::new());
    let error = RwSignal::new(None::<String>);
    let workspace = session.with_value(|s| s.config().workspace);
    let saved_key = format!("crm-import-columns:{workspace}");

    let key = saved_key.clone();
    let pick = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        let key = key.clone();
        stage.set(Stage::Reading);
        error.set(None);
        spawn_local(async move {
            let t = lang.get_untracked().t();
            let read = match crate::browser::file_bytes(&file).await {
                Some(bytes) => sheets::read(&file.name(), &bytes).await,
                None => Err(SheetError::Refused(String::new())),
            };
            match read {
                Ok(read) => {
                    columns.set(remembered(&key, &read.headers));
                    table.set(read);
                    stage.set(Stage::Map);
                }
                Err(e) => {
                    error.set(Some(match e {
                        SheetError::Refused(why) => why,
                        SheetError::Unavailable => t.import_unavailable.into(),
                    }));
                    stage.set(Stage::Pick);
                }
            }
        });
    };

    let check = move |_| {
        let key = saved_key.clone();
        stage.set(Stage::Checking);
        spawn_local(async move {
            let mapped = columns.get_untracked();
            remember(&key, &table.with_untracked(|t| t.headers.clone()), &mapped);
            let phones = table.with_untracked(|t| import::phone_cells(t, &mapped));
            let e164: HashMap<String, String> = match crate::phone::to_e164_all(&phones).await {
                Ok(found) => (phones.into_iter().zip(found))
                    .filter_map(|(typed, e164)| Some((typed, e164?)))
                    .collect(),
                Err(_) => {
                    error.set(Some(lang.get_untracked().t().err_phone_unavailable.into()));
                    return stage.set(Stage::Map);
                }
            };
            let importer = Importer {
                member: signals.member.get_value(),
                role: signals.role.get_value(),
            };
            let vocabulary = vocabulary(signals);
            let session = session.get_value();
            let checked = table.with_untracked(|t| {
                signals.rows.with_untracked(|rows| {
                    let held = |id: &str| session.holds(id);
                    let phone = |typed: &str| e164.get(typed).cloned();
                    import::check(t, &mapped, &vocabulary, &importer, rows, &held, &phone)
                })
            });
            stage.set(Stage::Checked(Rc::new(checked)));
        });
    };

    let progress = RwSignal::new(0usize);
    let cancel = RwSignal::new(false);
    let start = move |rows: Rc<Vec<Checked>>, matched: Matched| {
        let (session, lang) = (session.get_value(), lang.get_untracked());
        stage.set(Stage::Running(rows.len()));
        progress.set(0);
        cancel.set(false);
        spawn_local(async move {
            let report = run::run(session, signals, lang, rows, matched, progress, cancel).await;
            stage.set(Stage::Done(Rc::new(report)));
        });
    };
    // A rarely used screen: drawn again whole when the language or the stage changes, its
    // text plain (a smaller bundle than a reactive node per label).
    move || {
        let lang = lang.get();
        let t = lang.t();
        let body = match stage.get() {
            Stage::Pick => ().into_any(),
            Stage::Reading | Stage::Checking => view! { <p class="muted">{t.import_reading}</p> }.into_any(),
            Stage::Map => view! {
                {mapping(lang, table, columns)}
                <button class="primary" type="button" on:click=check.clone()>{t.import_check}</button>
            }.into_any(),
            Stage::Checked(rows) => preview(lang, signals, rows, start).into_any(),
            Stage::Running(total) => {
                view! {
                <div class="import-progress">
                    <progress max=total value=move || progress.get()></progress>
                    <span class="muted">{move || format!("{} / {total}", progress.get())}</span>
                    <button type="button" disabled=move || cancel.get() on:click=move |_| cancel.set(true)>
                        {t.import_cancel}
                    </button>
                </div>
            }.into_any()
            }
            Stage::Done(report) => finished(lang, report).into_any(),
        };
        view! {
            <section class="card import-page">
                <h1>{t.import_title}</h1>
                <label class="file-pick">
                    <span>{t.import_pick}</span>
                    <input type="file" accept=".csv,.xlsx,text/csv" on:change=pick.clone() />
                </label>
                <p class="muted">{t.import_hint}</p>
                {error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                {body}
            </section>
        }
    }
}

/// How the team names members, stages and sources, in both languages.
fn vocabulary(signals: SessionSignals) -> Vocabulary {
    let members = signals.workspace.with_untracked(|ws| {
        (ws.iter().flat_map(|w| w.members.iter()))
            .map(|(id, m)| (id.clone(), m.name.clone()))
            .collect()
    });
    let langs = [Lang::Zh, Lang::En];
    Vocabulary {
        members,
        lifecycles: (Lifecycle::ALL.iter())
            .flat_map(|l| langs.map(|lang| (lang.lifecycle(*l).to_owned(), *l)))
            .collect(),
        sources: (Source::ALL.iter())
            .flat_map(|s| langs.map(|lang| (lang.source(*s).to_owned(), *s)))
            .collect(),
    }
}

/// The columns chosen last time for these headers on this device, else as recognised. Kept
/// as lines of `header` U+0001 `column`.
fn remembered(key: &str, headers: &[String]) -> Vec<Column> {
    let saved = saved(key);
    let recognised = import::recognise_all(headers);
    (headers.iter().zip(recognised))
        .map(|(h, c)| {
            (saved.lines())
                .find_map(|line| line.strip_prefix(h.as_str())?.strip_prefix('\u{1}'))
                .map_or(c, Column::from_stored)
        })
        .collect()
}

/// Keeps the columns chosen for `headers`, after those kept for other headers.
fn remember(key: &str, headers: &[String], columns: &[Column]) {
    let kept = saved(key);
    let others = kept.lines().filter(|line| {
        let header = line.split('\u{1}').next().unwrap_or_default();
        !headers.iter().any(|h| h == header)
    });
    let chosen = (headers.iter().zip(columns)).map(|(h, c)| format!("{h}\u{1}{}", c.as_str()));
    let text: Vec<String> = others.map(String::from).chain(chosen).collect();
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(key, &text.join("\n"));
    }
}

/// What was kept under `key`.
fn saved(key: &str) -> String {
    (local_storage())
        .and_then(|s| s.get_item(key).ok().flatten())
        .unwrap_or_default()
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Each header with the field it fills and its first value.
fn mapping(lang: Lang, table: RwSignal<Table>, columns: RwSignal<Vec<Column>>) -> impl IntoView {
    let headers = table.with_untracked(|t| t.headers.clone());
    let first =
        table.with_untracked(|t| t.rows.first().map(|r| r.cells.clone()).unwrap_or_default());
    let chosen = columns.get_untracked();
    view! {
        <h2>{lang.t().import_columns}</h2>
        <div class="import-columns">
            {headers.into_iter().enumerate().map(|(i, header)| {
                let sample = first.get(i).cloned().unwrap_or_default();
                let now = chosen.get(i).copied().unwrap_or(Column::Ignore);
                view! {
                    <label class="import-column">
                        <span class="header">{header.clone()}</span>
                        <select aria-label=header on:change=move |ev| {
                            let c = Column::from_stored(&event_target_value(&ev));
                            columns.update(|cs| if let Some(slot) = cs.get_mut(i) { *slot = c });
                        }>
                            {Column::ALL.iter().map(|c| view! {
                                <option value=c.as_str() selected=*c == now>{column_label(lang, *c)}</option>
                            }).collect_view()}
                        </select>
                        <span class="muted sample">{sample}</span>
                    </label>
                }
            }).collect_view()}
        </div>
    }
}

/// What a column fills, said in `lang`.
fn column_label(lang: Lang, column: Column) -> &'static str {
    match column {
        Column::Ignore => lang.t().import_ignore,
        c => c.header(lang.as_team()),
    }
}

/// The checked rows: how many are new, customers already, repeated or wrong; what to do with
/// the matches; the first rows with their outcome; `start` imports them.
fn preview(
    lang: Lang,
    signals: SessionSignals,
    rows: Rc<Vec<Checked>>,
    start: impl Fn(Rc<Vec<Checked>>, Matched) + Copy + 'static,
) -> impl IntoView {
    let t = lang.t();
    let count = |f: &dyn Fn(&Checked) -> bool| rows.iter().filter(|r| f(r)).count();
    let failed = count(&|r| r.outcome.is_err());
    let ok = |r: &Checked| r.outcome.is_ok();
    let new = count(&|r| ok(r) && r.found == Found::New);
    let existing = count(&|r| ok(r) && matches!(r.found, Found::Customer { held: true, .. }));
    let colleagues = count(&|r| ok(r) && matches!(r.found, Found::Customer { held: false, .. }));
    let repeated = count(&|r| ok(r) && matches!(r.found, Found::Earlier { .. }));
    let matched = RwSignal::new(Matched::Update);
    let figures = [
        (rows.len(), t.import_rows, "rows"),
        (new, t.import_new, "new"),
        (existing, t.import_existing, "existing"),
        (colleagues, t.import_colleagues, "colleagues"),
        (repeated, t.import_repeated, "repeated"),
        (failed, t.import_failed, "failed"),
    ];
    let listed: Vec<_> = (rows.iter().take(SHOWN))
        .map(|row| {
            let (name, what, class) = match (&row.outcome, &row.found) {
                (Err(errors), _) => (row.name.clone(), run::problems(lang, errors), "failed"),
                (Ok(c), Found::New) => (c.new.name.clone(), String::new(), "new"),
                (
                    Ok(c),
                    Found::Customer {
                        name, owner, held, ..
                    },
                ) => (
                    c.new.name.clone(),
                    format!("= {name} ({})", member_name(signals, owner)),
                    if *held { "existing" } else { "colleagues" },
                ),
                (Ok(c), Found::Earlier { line }) => {
                    (c.new.name.clone(), run::same_as(lang, *line), "repeated")
                }
            };
            (row.line, name, what, class)
        })
        .collect();
    view! {
        {summary("import-summary", figures)}
        {(existing + repeated > 0).then(|| view! {
            <label class="inline-fields">
                <span>{t.import_for_existing}</span>
                <select on:change=move |ev| matched.set(match event_target_value(&ev).as_str() {
                    "skip" => Matched::Skip,
                    "create" => Matched::Create,
                    _ => Matched::Update,
                })>
                    <option value="update">{t.import_update}</option>
                    <option value="skip">{t.import_skip}</option>
                    <option value="create">{t.import_create}</option>
                </select>
            </label>
        })}
        <table class="import-rows">
            <tbody>
                {listed.into_iter().map(|(line, name, what, class)| view! {
                    <tr class=class data-line=line>
                        <td class="muted">{line}</td>
                        <td>{name}</td>
                        <td>{what}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <button class="primary" type="button" on:click=move |_| start(Rc::clone(&rows), matched.get_untracked())>
            {t.import_start}
        </button>
    }
}

/// Figures side by side: (how many, what, class).
fn summary<const N: usize>(
    test_id: &'static str,
    figures: [(usize, &'static str, &'static str); N],
) -> impl IntoView {
    view! {
        <div class="import-summary" data-testid=test_id>
            {figures.into_iter().map(|(n, label, class)| view! {
                <span class=format!("figure {class}")><strong>{n}</strong> " " {label}</span>
            }).collect_view()}
        </div>
    }
}

/// The outcome: how many rows were created, updated, skipped and not imported, and the
/// report to download.
fn finished(lang: Lang, report: Rc<Report>) -> impl IntoView {
    let t = lang.t();
    let figures = [
        (report.count(Done::Created), t.import_created, "created"),
        (report.count(Done::Updated), t.import_updated, "updated"),
        (report.count(Done::Skipped), t.import_skipped, "skipped"),
        (report.count(Done::Failed), t.import_not_imported, "failed"),
    ];
    let title = match report.cancelled {
        true => t.import_cancelled,
        false => t.import_done,
    };
    let download = move |_| {
        let table = report.table(t);
        spawn_local(async move {
            if let Ok(bytes) = sheets::write(&table, Format::Csv).await {
                crate::browser::download("import-report.csv", &bytes, Format::Csv.mime());
            }
        });
    };
    view! {
        <h2 role="status">{title}</h2>
        {summary("import-report", figures)}
        <button type="button" on:click=download>{t.import_report}</button>
    }
}
