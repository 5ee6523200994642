//! Import and export: per-row errors with lines, contact-key matching (against the device's
//! rows and earlier rows), updates that only add, and an export that imports again as the
//! same customers.

use super::*;
use crate::contact::ContactKind;
use crate::customer::{Lifecycle, Source, SummaryRow};
use crate::document::Stamp;
use crate::id::Id;
use crate::rules::Language;
use crate::workspace::Role;

fn sheet(rows: &[&[&str]]) -> Table {
    Table::of(
        (rows.iter().zip(1..))
            .map(|(cells, line)| (line, cells.iter().map(|c| c.to_string()).collect())),
    )
}

fn vocabulary() -> Vocabulary {
    Vocabulary {
        members: vec![
            ("sales-zhang".into(), "张伟 Zhang Wei".into()),
            ("sales-chen".into(), "陈静 Chen Jing".into()),
        ],
        lifecycles: vec![
            ("线索".into(), Lifecycle::Lead),
            ("客户".into(), Lifecycle::Customer),
        ],
        sources: vec![
            ("抖音".into(), Source::Douyin),
            ("转介绍".into(), Source::Referral),
        ],
    }
}

fn admin() -> Importer {
    Importer {
        member: "admin".into(),
        role: Role::Admin,
    }
}

/// A stand-in for the phone worker: Chinese mobiles only.
fn e164(typed: &str) -> Option<String> {
    let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
    let national = digits.strip_prefix("86").unwrap_or(&digits);
    (national.len() == 11 && national.starts_with('1')).then(|| format!("+86{national}"))
}

fn checked(table: &Table, importer: &Importer, rows: &[SummaryRow]) -> Vec<Checked> {
    let columns = recognise_all(&table.headers);
    check(
        table,
        &columns,
        &vocabulary(),
        importer,
        rows,
        &|_| true,
        &e164,
    )
}

#[test]
fn each_bad_row_is_named_with_its_line_and_the_rest_reads() {
    let table = sheet(&[
        &[
            "姓名",
            "手机",
            "公司",
            "负责人",
            "阶段",
            "来源",
            "标签",
            "备注",
        ],
        &[
            "周芳",
            "138 1234 5678",
            "华东贸易",
            "张伟",
            "客户",
            "抖音",
            "VIP，展会",
            "老客户",
        ],
        &["", "139 0000 1111", "", "", "", "", "", ""],
        &[],
        &["李娜", "12345", "", "王五", "搁置", "电视", "", ""],
        &[
            "赵强",
            "13900001111; 13700002222",
            "",
            "sales-chen",
            "",
            "转介绍",
            "",
            "",
        ],
    ]);
    let rows = checked(&table, &admin(), &[]);
    assert_eq!(
        rows.iter().map(|r| r.line).collect::<Vec<_>>(),
        [2, 3, 5, 6]
    );
    let zhou = rows[0].outcome.as_ref().unwrap();
    assert_eq!(
        (zhou.new.owner.as_str(), zhou.new.lifecycle, zhou.new.source),
        ("sales-zhang", Lifecycle::Customer, Source::Douyin)
    );
    assert_eq!(
        zhou.keys,
        [(ContactKind::Phone, "+8613812345678".to_owned())]
    );
    assert_eq!(zhou.tags, ["VIP", "展会"]);
    assert_eq!(zhou.notes, "老客户");
    let missing = rows[1].outcome.as_ref().unwrap_err();
    assert_eq!(missing[0].problem, Problem::MissingName);
    let problems: Vec<(Column, &Problem)> = (rows[2].outcome.as_ref().unwrap_err().iter())
        .map(|e| (e.column, &e.problem))
        .collect();
    assert_eq!(problems.len(), 4, "{problems:?}");
    assert!(problems.contains(&(Column::Owner, &Problem::UnknownOwner)));
    assert!(problems.contains(&(Column::Lifecycle, &Problem::UnknownLifecycle)));
    assert!(problems.contains(&(Column::Source, &Problem::UnknownSource)));
    assert!(
        matches!(problems[3], (Column::Phone, Problem::Invalid { .. })),
        "{problems:?}"
    );
    let zhao = rows[3].outcome.as_ref().unwrap();
    assert_eq!(zhao.new.source, Source::Referral);
    assert_eq!(zhao.contacts.len(), 2, "two numbers in one cell");
    assert_eq!(
        (zhao.contacts[0].primary, zhao.contacts[1].primary),
        (true, false)
    );
    assert_eq!(zhao.new.owner, "sales-chen");
}

#[test]
fn salespeople_import_their_own_customers() {
    let table = sheet(&[&["Name", "Owner"], &["周芳", "陈静"], &["李娜", ""]]);
    let zhang = Importer {
        member: "sales-zhang".into(),
        role: Role::Sales,
    };
    let rows = checked(&table, &zhang, &[]);
    assert_eq!(
        rows[0].outcome.as_ref().unwrap_err()[0].problem,
        Problem::NotYours
    );
    assert_eq!(rows[1].outcome.as_ref().unwrap().new.owner, "sales-zhang");
}

fn customer(id: &str, name: &str, phone: &str, email: &str) -> crate::CustomerDoc {
    let table = sheet(&[&["姓名", "手机", "邮箱"], &[name, phone, email]]);
    let row = checked(&table, &admin(), &[]).remove(0);
    create(
        &Id::parse(id).unwrap(),
        &row.outcome.unwrap(),
        &Stamp::new("admin", 1),
    )
    .unwrap()
}

#[test]
fn a_row_holding_a_known_contact_point_is_that_customer_or_an_earlier_row() {
    let known = customer("c1", "周芳", "13812345678", "zhou@example.com");
    let rows = [SummaryRow::of(&known.customer().unwrap())];
    let table = sheet(&[
        &["姓名", "电话", "E-mail"],
        &["周芳 (new number)", "+86 139 0000 1111", "ZHOU@example.com"],
        &["王磊", "13700002222", ""],
        &["王磊 again", "137-0000-2222", ""],
    ]);
    let checked = checked(&table, &admin(), &rows);
    assert_eq!(
        checked[0].found,
        Found::Customer {
            id: "c1".into(),
            name: "周芳".into(),
            owner: "admin".into(),
            held: true
        }
    );
    assert_eq!(checked[1].found, Found::New);
    assert_eq!(checked[2].found, Found::Earlier { line: 3 });
}

#[test]
fn an_update_adds_what_is_missing_and_overwrites_nothing() {
    let mut doc = customer("c1", "周芳", "13812345678", "");
    let stamp = Stamp::new("admin", 2);
    doc.edit_profile(
        crate::customer::ProfileEdit::Company("华东贸易".into()),
        &stamp,
    )
    .unwrap();
    let table = sheet(&[
        &["姓名", "手机", "邮箱", "公司", "职位", "标签"],
        &[
            "周芳",
            "13812345678",
            "zhou@example.com",
            "别的公司",
            "采购经理",
            "VIP",
        ],
    ]);
    let row = checked(&table, &admin(), &[]).remove(0).outcome.unwrap();
    assert!(update(&mut doc, &row, &stamp).unwrap());
    let c = doc.customer().unwrap();
    assert_eq!(
        (c.profile.company.as_str(), c.profile.title.as_str()),
        ("华东贸易", "采购经理")
    );
    assert_eq!(c.contacts.len(), 2, "the e-mail added, the phone not twice");
    assert!(
        c.contacts.values().all(|p| p.primary),
        "each the first of its kind"
    );
    assert!(c.tags.contains_key("VIP"));
    assert!(
        !update(&mut doc, &row, &stamp).unwrap(),
        "the same row again: nothing new"
    );
}

struct Labels;

impl Names for Labels {
    fn member(&self, id: &str) -> String {
        (vocabulary().members.into_iter())
            .find(|(m, _)| m == id)
            .map_or(id.to_owned(), |(_, n)| n)
    }
    fn lifecycle(&self, lifecycle: Lifecycle) -> String {
        (vocabulary().lifecycles.into_iter())
            .find(|(_, l)| *l == lifecycle)
            .map_or(lifecycle.as_str().to_owned(), |(n, _)| n)
    }
    fn source(&self, source: Source) -> String {
        (vocabulary().sources.into_iter())
            .find(|(_, s)| *s == source)
            .map_or(source.as_str().to_owned(), |(n, _)| n)
    }
}

#[test]
fn an_export_imports_again_as_the_same_customers() {
    let docs: Vec<_> = crate::demo::customers(7, 1_700_000_000_000)
        .take(40)
        .collect();
    let rows: Vec<SummaryRow> = docs
        .iter()
        .map(|d| SummaryRow::of(&d.customer().unwrap()))
        .collect();
    for lang in [Language::Zh, Language::En] {
        let table = table(&rows, &EXPORTED, lang, &Labels);
        assert_eq!(table.rows.len(), 40);
        let columns = recognise_all(&table.headers);
        assert_eq!(columns, EXPORTED, "every header recognised");
        // The team: the demo's owners (by id, where `Labels` has no name for them).
        let mut team = vocabulary();
        for row in &rows {
            team.members
                .push((row.owner.clone(), Labels.member(&row.owner)));
        }
        let again = check(&table, &columns, &team, &admin(), &rows, &|_| true, &e164);
        for (row, original) in again.iter().zip(&rows) {
            if original.contact_keys.is_empty() {
                continue;
            }
            match &row.found {
                Found::Customer { id, .. } => assert_eq!(id, &original.id, "line {}", row.line),
                other => panic!("line {}: {other:?} {:?}", row.line, row.outcome),
            }
        }
    }
}

#[test]
fn cells_excel_would_run_as_formulas_are_guarded_and_unguarded_on_import() {
    assert_eq!(guarded("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
    assert_eq!(guarded("+8613812345678"), "'+8613812345678");
    assert_eq!(guarded("@me"), "'@me");
    assert_eq!(guarded("-1"), "'-1");
    assert_eq!(guarded("周芳"), "周芳");
    let table = sheet(&[&["姓名", "手机"], &["Li", "'+8613812345678"]]);
    let row = checked(&table, &admin(), &[]).remove(0).outcome.unwrap();
    assert_eq!(row.keys[0].1, "+8613812345678");
}

#[test]
fn a_phone_finds_a_colleagues_customer_listed_masked() {
    let theirs = customer("c9", "陈先生", "13812345678", "");
    let mut row = SummaryRow::of(&theirs.customer().unwrap());
    row = crate::policy::pool::masked(&SummaryRow {
        owner: "sales-chen".into(),
        ..row
    });
    assert_eq!(row.contact_keys[0].1, "+86138****5678");
    let table = sheet(&[
        &["姓名", "手机"],
        &["陈总", "138 1234 5678"],
        &["王总", "139 1234 5678"],
    ]);
    let columns = recognise_all(&table.headers);
    let zhang = Importer {
        member: "sales-zhang".into(),
        role: Role::Sales,
    };
    let checked = check(
        &table,
        &columns,
        &vocabulary(),
        &zhang,
        &[row],
        &|_| false,
        &e164,
    );
    assert_eq!(
        checked[0].found,
        Found::Customer {
            id: "c9".into(),
            name: "陈先生".into(),
            owner: "sales-chen".into(),
            held: false
        }
    );
    assert_eq!(checked[1].found, Found::New, "another number");
}
