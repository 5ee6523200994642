//! What a spreadsheet's column holds, recognised from its header in Chinese or English
//! (姓名, 手机, 公司 …; Name, Phone, Company …).

use crate::contact::ContactKind;
use crate::string_enum::string_enum;

string_enum! {
    /// A customer field a column can fill.
    pub enum Column fallback Ignore {
        Name => "name",
        NameLatin => "name_latin",
        Company => "company",
        Title => "title",
        Phone => "phone",
        Email => "email",
        WeChat => "wechat",
        WeCom => "wecom",
        Douyin => "douyin",
        Xiaohongshu => "xiaohongshu",
        Address => "address",
        Source => "source",
        Owner => "owner",
        Tags => "tags",
        Notes => "notes",
        Lifecycle => "lifecycle",
        /// Not imported.
        Ignore => "ignore",
    }
}

/// Headers each column is known by, lower-case, without spaces.
const HEADERS: &[(Column, &[&str])] = &[
    (
        Column::Name,
        &[
            "姓名",
            "名字",
            "客户",
            "客户名",
            "客户名称",
            "客户姓名",
            "联系人",
            "name",
            "fullname",
            "customer",
            "customername",
            "contact",
            "contactname",
        ],
    ),
    (
        Column::NameLatin,
        &["拼音", "英文名", "pinyin", "latinname", "englishname"],
    ),
    (
        Column::Company,
        &[
            "公司",
            "公司名称",
            "单位",
            "企业",
            "企业名称",
            "company",
            "companyname",
            "organization",
            "organisation",
            "account",
        ],
    ),
    (
        Column::Title,
        &["职位", "职务", "头衔", "title", "jobtitle", "position"],
    ),
    (
        Column::Phone,
        &[
            "手机",
            "手机号",
            "手机号码",
            "电话",
            "联系电话",
            "电话号码",
            "联系方式",
            "phone",
            "mobile",
            "tel",
            "telephone",
            "cell",
            "phonenumber",
            "mobilephone",
        ],
    ),
    (
        Column::Email,
        &[
            "邮箱",
            "电子邮箱",
            "邮件",
            "电子邮件",
            "email",
            "e-mail",
            "mail",
        ],
    ),
    (
        Column::WeChat,
        &["微信", "微信号", "wechat", "weixin", "wechatid"],
    ),
    (Column::WeCom, &["企业微信", "wecom"]),
    (Column::Douyin, &["抖音", "抖音号", "douyin", "tiktok"]),
    (Column::Xiaohongshu, &["小红书", "小红书号", "xiaohongshu"]),
    (Column::Address, &["地址", "联系地址", "address"]),
    (
        Column::Source,
        &[
            "来源",
            "客户来源",
            "渠道",
            "source",
            "leadsource",
            "channel",
        ],
    ),
    (
        Column::Owner,
        &[
            "负责人",
            "销售",
            "所属销售",
            "跟进人",
            "归属人",
            "owner",
            "salesrep",
            "assignedto",
        ],
    ),
    (Column::Tags, &["标签", "tags", "tag", "labels"]),
    (
        Column::Notes,
        &[
            "备注", "说明", "notes", "note", "remark", "remarks", "comment", "comments",
        ],
    ),
    (
        Column::Lifecycle,
        &[
            "阶段",
            "客户阶段",
            "状态",
            "客户状态",
            "生命周期",
            "stage",
            "status",
            "lifecycle",
        ],
    ),
];

impl Column {
    /// The column a header names, if it is one of the known ones (`手机号码`, `E-mail`,
    /// `Phone Number *`).
    pub fn recognise(header: &str) -> Option<Self> {
        let key: String = (header.chars())
            .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '_' | ':' | '：'))
            .flat_map(char::to_lowercase)
            .collect();
        (HEADERS.iter())
            .find(|(_, names)| names.contains(&key.as_str()))
            .map(|(column, _)| *column)
    }

    /// The contact kind a column holds, if it holds contact points.
    pub fn contact_kind(self) -> Option<ContactKind> {
        Some(match self {
            Self::Phone => ContactKind::Phone,
            Self::Email => ContactKind::Email,
            Self::WeChat => ContactKind::WeChat,
            Self::WeCom => ContactKind::WeCom,
            Self::Douyin => ContactKind::Douyin,
            Self::Xiaohongshu => ContactKind::Xiaohongshu,
            Self::Address => ContactKind::Address,
            _ => return None,
        })
    }
}

/// The column each header names, in order; a header named twice fills its column once (the
/// first), the later ones are ignored.
pub fn recognise_all(headers: &[String]) -> Vec<Column> {
    let mut seen = Vec::new();
    (headers.iter())
        .map(|h| match Column::recognise(h) {
            Some(c) if c.contact_kind().is_some() || !seen.contains(&c) => {
                seen.push(c);
                c
            }
            _ => Column::Ignore,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_chinese_and_english_headers_are_recognised() {
        for (header, column) in [
            ("姓名", Column::Name),
            ("客户名称", Column::Name),
            ("手机号码", Column::Phone),
            ("电话", Column::Phone),
            ("公司", Column::Company),
            ("职位", Column::Title),
            ("微信", Column::WeChat),
            ("邮箱", Column::Email),
            ("地址", Column::Address),
            ("来源", Column::Source),
            ("负责人", Column::Owner),
            ("标签", Column::Tags),
            ("备注", Column::Notes),
            ("阶段", Column::Lifecycle),
            ("Name", Column::Name),
            ("Phone Number *", Column::Phone),
            ("E-mail", Column::Email),
            ("Job Title", Column::Title),
            ("Lead Source", Column::Source),
            (" 手机： ", Column::Phone),
        ] {
            assert_eq!(Column::recognise(header), Some(column), "{header}");
        }
        assert_eq!(Column::recognise("生日"), None);
    }

    #[test]
    fn a_field_named_twice_is_filled_once_but_contact_columns_stack() {
        let headers = ["姓名", "Name", "手机", "电话"].map(String::from);
        assert_eq!(
            recognise_all(&headers),
            [Column::Name, Column::Ignore, Column::Phone, Column::Phone]
        );
    }
}
