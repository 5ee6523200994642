//! Backup and restore (admins): the whole workspace downloaded as one file, and a backup
//! restored into a workspace without customers — with progress, and every document that
//! could not be read named.

use crm_core::backup::{Backup, BackupError, Unreadable};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::super::{use_session, use_signals};
use crate::i18n::use_lang;

/// What the card is doing.
#[derive(Clone, PartialEq)]
enum Doing {
    Idle,
    Reading(usize),
    Saved(usize),
    Restoring(usize),
    Restored(usize),
}

#[component]
pub(super) fn BackupCard() -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let signals = use_signals();
    let doing = RwSignal::new(Doing::Idle);
    let error = RwSignal::new(None::<String>);
    let unreadable = RwSignal::new(Vec::<Unreadable>::new());
    let busy = move || matches!(doing.get(), Doing::Reading(_) | Doing::Restoring(_));
    let empty = move || signals.rows.with(Vec::is_empty);
    let download = move |_| {
        let name = signals
            .workspace
            .with_untracked(|ws| ws.as_ref().map(|w| w.name.clone()).unwrap_or_default());
        error.set(None);
        doing.set(Doing::Reading(0));
        spawn_local(async move {
            let session = session.get_value();
            let (file, left_out) = session
                .backup(&name, |n| doing.set(Doing::Reading(n)))
                .await;
            let day = lang.get_untracked().date(js_sys::Date::now() as i64);
            let file_name = format!("qingke-{name}-{day}.qingke").replace(['/', ' ', ','], "-");
            let bytes = js_sys::Uint8Array::from(file.as_slice());
            crate::browser::download(&file_name, &bytes, "application/octet-stream");
            doing.set(Doing::Saved(file.len()));
            unreadable.set(left_out);
        });
    };
    let restore = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        error.set(None);
        doing.set(Doing::Restoring(0));
        spawn_local(async move {
            let t = lang.get_untracked().t();
            let bytes = crate::browser::file_bytes(&file).await.map(|b| b.to_vec());
            let backup = match bytes.as_deref().map(Backup::decode) {
                Some(Ok(backup)) => backup,
                Some(Err(BackupError::Damaged(why))) => {
                    doing.set(Doing::Idle);
                    return error.set(Some(format!("{} {why}", t.backup_damaged)));
                }
                _ => {
                    doing.set(Doing::Idle);
                    return error.set(Some(t.backup_not_a_backup.to_owned()));
                }
            };
            let session = session.get_value();
            match session
                .restore(&backup, |n| doing.set(Doing::Restoring(n)))
                .await
            {
                Ok((restored, left_out)) => {
                    doing.set(Doing::Restored(restored));
                    unreadable.set(left_out);
                }
                Err(e) => {
                    doing.set(Doing::Idle);
                    error.set(Some(super::super::errors::error_text(
                        lang.get_untracked(),
                        &e,
                    )));
                }
            }
        });
    };
    move || {
        let t = lang.get().t();
        let status = match doing.get() {
            Doing::Idle => None,
            Doing::Reading(n) => Some(format!("{} {n}…", t.backup_reading)),
            Doing::Saved(bytes) => {
                Some(format!("{} · {} KB", t.backup_saved, bytes.div_ceil(1024)))
            }
            Doing::Restoring(n) => Some(format!("{} {n} {}…", t.restore_done, t.backup_customers)),
            Doing::Restored(n) => Some(format!("{} {n} {}", t.restore_done, t.backup_customers)),
        };
        view! {
            <section class="card backup-card">
                <h2>{t.backup_title}</h2>
                <p class="muted">{t.backup_hint}</p>
                <div class="inline-fields">
                    <button type="button" on:click=download disabled=busy>{t.backup_download}</button>
                    {move || match empty() {
                        true => view! {
                            <label class="file-pick">
                                <span>{t.restore_pick}</span>
                                <input type="file" accept=".qingke" on:change=restore disabled=busy />
                            </label>
                        }.into_any(),
                        false => view! { <span class="muted">{t.restore_only_empty}</span> }.into_any(),
                    }}
                </div>
                {status.map(|s| view! { <p class="backup-status" role="status">{s}</p> })}
                {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                {move || {
                    let left_out = unreadable.get();
                    (!left_out.is_empty()).then(|| view! {
                        <div class="banner banner-error" role="alert">
                            <p>{t.backup_unreadable}</p>
                            <ul>{left_out.into_iter().map(|u| view! { <li><code>{u.id}</code> " " {u.reason}</li> }).collect_view()}</ul>
                        </div>
                    })
                }}
            </section>
        }
    }
}
