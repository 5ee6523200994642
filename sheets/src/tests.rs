//! Reading what Chinese and English spreadsheets write, and writing what Excel opens.

use super::*;

const ROWS: &str = "姓名,手机,公司,备注\r\n周芳,138 1234 5678,华东贸易,\"老客户, 年底回访\"\r\n\r\n李娜,13900001111,,\r\n";

#[test]
fn csv_in_utf8_with_or_without_bom_utf16_and_gbk_reads_the_same() {
    let utf8 = ROWS.as_bytes().to_vec();
    let bom = [b"\xEF\xBB\xBF".as_slice(), ROWS.as_bytes()].concat();
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(ROWS);
    assert!(!unmappable);
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(ROWS.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    for (what, bytes) in [
        ("utf-8", utf8),
        ("bom", bom),
        ("gbk", gbk.into_owned()),
        ("utf-16", utf16),
    ] {
        let table = read("客户.csv", &bytes).unwrap();
        assert_eq!(table.headers, ["姓名", "手机", "公司", "备注"], "{what}");
        assert_eq!(table.rows.len(), 2, "{what}: the blank line skipped");
        assert_eq!(table.rows[0].cells[3], "老客户, 年底回访", "{what}");
        assert_eq!(
            (table.rows[0].line, table.rows[1].line),
            (2, 4),
            "{what}: lines as in the file"
        );
    }
}

#[test]
fn semicolons_and_tabs_are_sniffed() {
    for sep in [";", "\t"] {
        let text = ROWS
            .replace(',', sep)
            .replace("\"老客户; 年底回访\"", "x")
            .replace("\"老客户\t 年底回访\"", "x");
        let table = read("x.csv", text.as_bytes()).unwrap();
        assert_eq!(table.headers.len(), 4, "{sep:?}");
    }
}

#[test]
fn an_empty_file_or_a_broken_xlsx_says_so() {
    assert_eq!(read("x.csv", b"\r\n\r\n"), Err(ReadError::Empty));
    let broken = read("x.xlsx", b"PK\x03\x04 not really").unwrap_err();
    assert!(matches!(broken, ReadError::Xlsx(_)), "{broken}");
}

fn table() -> Table {
    Table::of([
        (1, vec!["姓名".into(), "手机".into(), "备注".into()]),
        (
            2,
            vec![
                "周芳".into(),
                "13812345678".into(),
                "=HYPERLINK(\"http://x\")".into(),
            ],
        ),
        (
            3,
            vec!["Li Na".into(), "+14155550100".into(), String::new()],
        ),
    ])
}

#[test]
fn csv_out_has_a_bom_crlf_and_guarded_formulas_and_reads_back() {
    let bytes = write_csv(&table());
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.contains("\r\n"));
    assert!(text.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{text}");
    assert!(text.contains("'+14155550100"), "{text}");
    let back = read("x.csv", &write_csv(&table())).unwrap();
    assert_eq!(back.headers, table().headers);
    assert_eq!(back.rows[0].cells[1], "13812345678");
}

#[test]
fn xlsx_out_reads_back_with_every_cell_as_text() {
    let bytes = write_xlsx(&table()).unwrap();
    let back = read("客户.xlsx", &bytes).unwrap();
    assert_eq!(back.headers, table().headers);
    assert_eq!(back.rows.len(), 2);
    assert_eq!(back.rows[0].cells[1], "13812345678", "text, not a number");
    assert_eq!(
        back.rows[0].cells[2], "=HYPERLINK(\"http://x\")",
        "text, not a formula"
    );
    assert_eq!(back.rows[1].line, 3);
}

#[test]
fn numbers_in_an_xlsx_read_as_excel_shows_them() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(2, 0, "手机").unwrap();
    sheet.write_number(3, 0, 13812345678.0).unwrap();
    sheet.write_number(4, 0, 3.5).unwrap();
    let back = read("x.xlsx", &book.save_to_buffer().unwrap()).unwrap();
    assert_eq!(back.headers, ["手机"]);
    let cells: Vec<(u32, &str)> = back
        .rows
        .iter()
        .map(|r| (r.line, r.cells[0].as_str()))
        .collect();
    assert_eq!(cells, [(4, "13812345678"), (5, "3.5")]);
}
