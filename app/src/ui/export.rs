//! Exporting the customer list as it is filtered: chosen columns, CSV (UTF-8 with a BOM,
//! formula-like cells guarded) or Excel, written by the sheet worker. The rows are the ones
//! this device holds, so a customer the member may not see whole goes out masked.

use crm_core::customer::{Lifecycle, Source, SummaryRow};
use crm_core::import::{self, Column, EXPORTED, Names};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{member_name, use_signals};
use crate::i18n::{Lang, use_lang};
use crate::session::SessionSignals;
use crate::sheets::{self, Format, SheetError};

/// Members, stages and sources as the interface names them.
struct Labels(SessionSignals, Lang);

impl Names for Labels {
    fn member(&self, id: &str) -> String {
        member_name(self.0, id)
    }
    fn lifecycle(&self, lifecycle: Lifecycle) -> String {
        self.1.lifecycle(lifecycle).to_owned()
    }
    fn source(&self, source: Source) -> String {
        self.1.source(source).to_owned()
    }
}

/// "Export" on the list, opening the columns and format to choose.
#[component]
pub fn ExportPanel(
    listed: Callback<(), Vec<std::sync::Arc<SummaryRow>>>,
    count: Signal<usize>,
) -> impl IntoView {
    let lang = use_lang();
    let signals = use_signals();
    let open = RwSignal::new(false);
    let chosen = RwSignal::new(EXPORTED.to_vec());
    let format = RwSignal::new(Format::Xlsx);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let export = move |_| {
        let lang = lang.get_untracked();
        let columns: Vec<Column> = EXPORTED
            .into_iter()
            .filter(|c| chosen.with(|cs| cs.contains(c)))
            .collect();
        let rows = listed.run(());
        let table = import::table(
            rows.iter().map(|r| &**r),
            &columns,
            lang.as_team(),
            &Labels(signals, lang),
        );
        let format = format.get_untracked();
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match sheets::write(&table, format).await {
                Ok(bytes) => {
                    let name = format!("customers.{}", format.extension());
                    crate::browser::download(&name, &bytes, format.mime());
                    open.set(false);
                }
                Err(SheetError::Refused(why)) => error.set(Some(why)),
                Err(SheetError::Unavailable) => error.set(Some(lang.t().import_unavailable.into())),
            }
            busy.set(false);
        });
    };
    view! {
        <button type="button" class="tool-link" aria-expanded=move || open.get().to_string() on:click=move |_| {
            sheets::warm_up();
            open.update(|o| *o = !*o);
        }>
            {move || lang.get().t().export_link}
        </button>
        <Show when=move || open.get()>
            <div class="export-panel" role="group" aria-label=move || lang.get().t().export_title>
                <fieldset class="export-columns">
                    <legend>{move || lang.get().t().export_columns}</legend>
                    {EXPORTED.into_iter().map(|c| view! {
                        <label>
                            <input type="checkbox"
                                prop:checked=move || chosen.with(|cs| cs.contains(&c))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    chosen.update(|cs| if on { cs.push(c) } else { cs.retain(|x| *x != c) });
                                } />
                            {move || c.header(lang.get().as_team())}
                        </label>
                    }).collect_view()}
                </fieldset>
                <label class="inline-fields">
                    <span>{move || lang.get().t().export_as}</span>
                    <select on:change=move |ev| format.set(match event_target_value(&ev).as_str() {
                        "csv" => Format::Csv,
                        _ => Format::Xlsx,
                    })>
                        <option value="xlsx">"Excel (.xlsx)"</option>
                        <option value="csv">"CSV (UTF-8)"</option>
                    </select>
                </label>
                {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                <button type="button" class="primary" disabled=move || busy.get() on:click=export>
                    {move || format!("{} {} {}", lang.get().t().export_start, count.get(), lang.get().t().export_customers)}
                </button>
            </div>
        </Show>
    }
}
