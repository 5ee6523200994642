//! Bytes per summary row (JSON, as the device caches it and the edge serves it) over the demo
//! workspace: `cargo run -p crm-core --example row_bytes --features fixtures [-- N]`.

fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000);
    let docs = crm_core::demo::saved_workspace(count, 1_780_000_000_000);
    let rows: Vec<String> = (docs.iter())
        .filter_map(|d| d.row.as_ref())
        .map(|r| serde_json::to_string(&r.row).expect("a row serialises"))
        .collect();
    let total: usize = rows.iter().map(String::len).sum();
    let part = |f: &dyn Fn(&crm_core::customer::SummaryRow) -> usize| -> usize {
        (docs.iter())
            .filter_map(|d| d.row.as_ref())
            .map(|r| f(&r.row))
            .sum::<usize>()
            / rows.len().max(1)
    };
    println!(
        "per row: logged {} B, done follow-ups {} B, deal moves {} B",
        part(&|r| serde_json::to_string(&r.logged).unwrap().len()),
        part(&|r| serde_json::to_string(&r.done_follow_ups).unwrap().len()),
        part(&|r| r
            .deals
            .iter()
            .map(|d| serde_json::to_string(&d.moves).unwrap().len())
            .sum()),
    );
    println!(
        "{} rows, {} bytes of JSON, {} bytes per row",
        rows.len(),
        total,
        total / rows.len().max(1)
    );
}
