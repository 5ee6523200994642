//! The customer list as a sheet: chosen columns of the rows on this device, headed in the
//! team's language with names the importer recognises, so an export imported again finds
//! every customer it holds. Rows arrive as the edge sent them — a customer this member may not
//! see whole is masked already (docs/permissions.md).

use super::columns::Column;
use super::table::{SheetRow, Table};
use crate::customer::SummaryRow;
use crate::rules::Language;

/// How the team names members, stages and sources, for the cells.
pub trait Names {
    /// A member's display name.
    fn member(&self, id: &str) -> String;
    /// A stage's label.
    fn lifecycle(&self, lifecycle: crate::customer::Lifecycle) -> String;
    /// A source's label.
    fn source(&self, source: crate::customer::Source) -> String;
}

/// Columns a list export offers (what the rows hold), in order.
pub const EXPORTED: [Column; 14] = [
    Column::Name,
    Column::NameLatin,
    Column::Company,
    Column::Phone,
    Column::Email,
    Column::WeChat,
    Column::WeCom,
    Column::Douyin,
    Column::Xiaohongshu,
    Column::Address,
    Column::Source,
    Column::Owner,
    Column::Lifecycle,
    Column::Tags,
];

impl Column {
    /// The header a sheet gives this column in `lang` (one [`Column::recognise`] knows).
    pub fn header(self, lang: Language) -> &'static str {
        let (zh, en) = match self {
            Self::Name => ("姓名", "Name"),
            Self::NameLatin => ("拼音", "Pinyin"),
            Self::Company => ("公司", "Company"),
            Self::Title => ("职位", "Title"),
            Self::Phone => ("手机", "Phone"),
            Self::Email => ("邮箱", "Email"),
            Self::WeChat => ("微信", "WeChat"),
            Self::WeCom => ("企业微信", "WeCom"),
            Self::Douyin => ("抖音", "Douyin"),
            Self::Xiaohongshu => ("小红书", "Xiaohongshu"),
            Self::Address => ("地址", "Address"),
            Self::Source => ("来源", "Source"),
            Self::Owner => ("负责人", "Owner"),
            Self::Tags => ("标签", "Tags"),
            Self::Notes => ("备注", "Notes"),
            Self::Lifecycle => ("阶段", "Stage"),
            Self::Ignore => ("", ""),
        };
        match lang {
            Language::Zh => zh,
            Language::En => en,
        }
    }
}

/// `rows` as a sheet of `columns`, headed in `lang`.
pub fn table<'a>(
    rows: impl IntoIterator<Item = &'a SummaryRow>,
    columns: &[Column],
    lang: Language,
    names: &dyn Names,
) -> Table {
    let headers = columns.iter().map(|c| c.header(lang).to_owned()).collect();
    let rows = (rows.into_iter().zip(2..))
        .map(|(row, line)| SheetRow {
            line,
            cells: columns.iter().map(|c| cell(row, *c, names)).collect(),
        })
        .collect();
    Table { headers, rows }
}

fn cell(row: &SummaryRow, column: Column, names: &dyn Names) -> String {
    if let Some(kind) = column.contact_kind() {
        let values: Vec<&str> = (row.contact_keys.iter())
            .filter(|(k, _)| *k == kind)
            .map(|(_, v)| v.strip_prefix("+86").unwrap_or(v))
            .collect();
        return values.join("; ");
    }
    match column {
        Column::Name => row.name.clone(),
        Column::NameLatin => row.name_latin.clone(),
        Column::Company => row.company.clone(),
        Column::Source => names.source(row.source),
        Column::Owner if row.owner.is_empty() => String::new(),
        Column::Owner => names.member(&row.owner),
        Column::Lifecycle => names.lifecycle(row.lifecycle),
        Column::Tags => row.tags.join(", "),
        _ => String::new(),
    }
}

/// `cell` made safe for a CSV file a spreadsheet opens: one starting with `=`, `+`, `-` or
/// `@` (a formula to Excel) gets a leading `'`, which the importer takes off again.
pub fn guarded(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.starts_with(['=', '+', '-', '@']) {
        true => format!("'{cell}").into(),
        false => cell.into(),
    }
}
