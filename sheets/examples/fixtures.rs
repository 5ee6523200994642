//! Writes the spreadsheets the end-to-end import tests read into `tests/fixtures/generated/`:
//! a GBK-encoded CSV as Chinese Excel saves it (with rows that must fail, and a row repeating
//! an earlier one) and a 1,000-row XLSX with English headers. Run by `cargo xtask test`;
//! with a row count (`-- 10000`), it writes only an XLSX of that many rows (the import bench).

use std::path::Path;

use crm_core::import::Table;

/// The GBK CSV: 12 rows, of which line 5 repeats line 2's phone, line 8 has an invalid phone
/// and line 11 an owner the team does not have.
fn gbk_rows() -> Vec<Vec<String>> {
    let rows: [[&str; 11]; 13] = [
        [
            "姓名",
            "手机",
            "公司",
            "职位",
            "微信",
            "邮箱",
            "来源",
            "负责人",
            "标签",
            "备注",
            "阶段",
        ],
        [
            "孙丽",
            "139 1000 2001",
            "杭州丝绸有限公司",
            "采购主管",
            "sunli_hz",
            "",
            "抖音",
            "",
            "展会，重点",
            "",
            "线索",
        ],
        [
            "周强",
            "13910002002",
            "南京建材",
            "经理",
            "",
            "zhouqiang@example.cn",
            "转介绍",
            "",
            "",
            "老客户介绍",
            "潜在客户",
        ],
        ["吴敏", "13910002003", "", "", "", "", "", "", "", "", ""],
        [
            "孙丽（重复）",
            "+86 139-1000-2001",
            "",
            "",
            "",
            "sunli@example.cn",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "郑伟",
            "13910002005",
            "苏州电子",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "客户",
        ],
        [
            "冯雪",
            "13910002006",
            "",
            "",
            "fengxue",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        ["陈刚", "12345", "", "", "", "", "", "", "", "", ""],
        ["褚红", "13910002008", "", "", "", "", "", "", "", "", ""],
        ["卫东", "13910002009", "", "", "", "", "", "", "", "", ""],
        [
            "蒋华",
            "13910002010",
            "",
            "",
            "",
            "",
            "",
            "王五",
            "",
            "",
            "",
        ],
        ["沈洁", "13910002011", "", "", "", "", "", "", "", "", ""],
        ["韩梅", "13910002012", "", "", "", "", "", "", "", "", ""],
    ];
    rows.iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/generated");
    std::fs::create_dir_all(&dir).expect("the fixtures directory");
    let rows = std::env::args().nth(1).and_then(|n| n.parse().ok());
    if let Some(rows) = rows {
        return write_xlsx(&dir.join(format!("customers-{rows}.xlsx")), rows);
    }
    write_gbk(&dir);
    write_xlsx(&dir.join("customers-1000.xlsx"), 1_000);
}

/// The GBK CSV, as Chinese Excel saves it.
fn write_gbk(dir: &Path) {
    let text: String = (gbk_rows().iter()).map(|r| r.join(",") + "\r\n").collect();
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable, "every character has a GBK code");
    std::fs::write(dir.join("customers-gbk.csv"), gbk).expect("written");
}

/// An XLSX of `rows` people with English headers, each with their own phone and e-mail.
fn write_xlsx(path: &Path, rows: u32) {
    let headers = ["Name", "Phone", "Company", "Email", "Tags"]
        .map(String::from)
        .to_vec();
    let rows = (0..rows).map(|i| {
        let cells = vec![
            format!("Import Person {i:05}"),
            format!("137{:08}", 20_000_000 + i),
            format!("Company {}", i % 37),
            format!("person{i}@example.com"),
            "xlsx-import".to_owned(),
        ];
        (i + 2, cells)
    });
    let table = Table::of(std::iter::once((1, headers)).chain(rows));
    let xlsx = crm_sheets::write_xlsx(&table).expect("the workbook");
    std::fs::write(path, xlsx).expect("written");
}
