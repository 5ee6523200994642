//! Writes a saved demo workspace to a file, for the app's browser benchmark
//! (`cargo xtask bench`): `demo_fixture <customers> <out>`.
//!
//! Format: `crm_core::demo::write_fixture_entry` for each document, the workspace document
//! first.

use std::io::Write;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let count: usize = args
        .next()
        .and_then(|n| n.parse().ok())
        .expect("usage: demo_fixture <customers> <out>");
    let out = args.next().expect("usage: demo_fixture <customers> <out>");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_millis() as i64;
    let mut file = std::io::BufWriter::new(std::fs::File::create(&out)?);
    let mut entry = Vec::new();
    for doc in crm_core::demo::saved_workspace(count, now) {
        entry.clear();
        crm_core::demo::write_fixture_entry(&mut entry, &doc.id, &doc.bytes);
        file.write_all(&entry)?;
    }
    file.flush()
}
