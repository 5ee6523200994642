//! Chinese and English: a typed message table (a missing translation does not compile), labels
//! of the model's enums, and money and dates formatted per locale by the browser's `Intl`.

use std::cell::RefCell;
use std::collections::HashMap;

use crm_core::contact::ContactKind;
use crm_core::customer::{Channel, Direction, Lifecycle, OrderChannel, Source};
use crm_core::search::RowSort;
use crm_core::values::{Millis, Money};
use crm_core::workspace::Role;
use leptos::prelude::*;
use wasm_bindgen::JsValue;

mod texts;

pub use texts::Texts;

/// Key of the chosen language in `localStorage`.
const STORAGE_KEY: &str = "qingke.lang";

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// The language chosen earlier on this device, else the browser's (Chinese unless it
    /// prefers another language).
    pub fn initial() -> Self {
        let window = web_sys::window();
        let stored = window
            .as_ref()
            .and_then(|w| w.local_storage().ok().flatten())
            .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
        let preferred = stored.or_else(|| window.and_then(|w| w.navigator().language()));
        match preferred.as_deref() {
            Some(tag) if !tag.starts_with("zh") => Self::En,
            _ => Self::Zh,
        }
    }

    /// Whether someone chose a language on this device (else the team's language applies).
    pub fn chosen_on_device() -> bool {
        web_sys::window()
            .and_then(|w| w.local_storage().ok().flatten())
            .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
            .is_some()
    }

    /// The interface language of a team language.
    pub fn of_team(language: crm_core::rules::Language) -> Self {
        match language {
            crm_core::rules::Language::Zh => Self::Zh,
            crm_core::rules::Language::En => Self::En,
        }
    }

    /// The team language that words rules and segments like this interface language.
    pub fn as_team(self) -> crm_core::rules::Language {
        match self {
            Self::Zh => crm_core::rules::Language::Zh,
            Self::En => crm_core::rules::Language::En,
        }
    }

    /// A rule's or segment's name in this language: a default one as the defaults word it
    /// here, the team's own as written.
    pub fn configured_name(self, id: &str, name: &str) -> String {
        crm_core::rules::default_name(id, name, self.as_team()).unwrap_or_else(|| name.to_owned())
    }

    /// Remembers this language as chosen on this device, and marks the document with it.
    pub fn remember(self) {
        if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
            let _ = storage.set_item(STORAGE_KEY, self.tag());
        }
        self.mark_document();
    }

    /// Marks the document with this language (`<html lang>`).
    pub fn mark_document(self) {
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("lang", self.tag());
        }
    }

    /// BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Zh => "zh-CN",
            Self::En => "en",
        }
    }

    /// The other language, for the switch.
    pub fn other(self) -> Self {
        match self {
            Self::Zh => Self::En,
            Self::En => Self::Zh,
        }
    }

    /// The message table.
    pub fn t(self) -> &'static Texts {
        match self {
            Self::Zh => &texts::ZH,
            Self::En => &texts::EN,
        }
    }

    /// Label of a customer source.
    pub fn source(self, s: Source) -> &'static str {
        let zh = self == Self::Zh;
        match s {
            Source::BaiduAds => pick(zh, "百度推广", "Baidu ads"),
            Source::Douyin => pick(zh, "抖音", "Douyin"),
            Source::WeChat => pick(zh, "微信", "WeChat"),
            Source::Xiaohongshu => pick(zh, "小红书", "Xiaohongshu"),
            Source::Referral => pick(zh, "转介绍", "Referral"),
            Source::TradeShow => pick(zh, "展会", "Trade show"),
            Source::WebsiteForm => pick(zh, "官网表单", "Website form"),
            Source::ColdCall => pick(zh, "电话开发", "Cold call"),
            Source::Other => pick(zh, "其他", "Other"),
        }
    }

    /// Label of a lifecycle stage.
    pub fn lifecycle(self, l: Lifecycle) -> &'static str {
        let zh = self == Self::Zh;
        match l {
            Lifecycle::Lead => pick(zh, "线索", "Lead"),
            Lifecycle::Prospect => pick(zh, "意向客户", "Prospect"),
            Lifecycle::Customer => pick(zh, "成交客户", "Customer"),
            Lifecycle::RepeatCustomer => pick(zh, "复购客户", "Repeat customer"),
            Lifecycle::Churned => pick(zh, "已流失", "Churned"),
        }
    }

    /// Label of an interaction channel.
    pub fn channel(self, c: Channel) -> &'static str {
        let zh = self == Self::Zh;
        match c {
            Channel::Call => pick(zh, "电话", "Call"),
            Channel::Visit => pick(zh, "拜访", "Visit"),
            Channel::Email => pick(zh, "邮件", "Email"),
            Channel::WeChatChat => pick(zh, "微信聊天", "WeChat chat"),
            Channel::WeChatGroup => pick(zh, "微信群", "WeChat group"),
            Channel::WeCom => pick(zh, "企业微信", "WeCom"),
            Channel::DouyinComment => pick(zh, "抖音评论", "Douyin comment"),
            Channel::Xiaohongshu => pick(zh, "小红书", "Xiaohongshu"),
            Channel::Website => pick(zh, "官网", "Website"),
            Channel::Other => pick(zh, "其他", "Other"),
        }
    }

    /// Label of a member's role.
    pub fn role(self, r: Role) -> &'static str {
        let t = self.t();
        match r {
            Role::Admin => t.role_admin,
            Role::Manager => t.role_manager,
            Role::Sales => t.role_sales,
        }
    }

    /// Label of an interaction direction.
    pub fn direction(self, d: Direction) -> &'static str {
        let zh = self == Self::Zh;
        match d {
            Direction::Inbound => pick(zh, "客户发起", "From the customer"),
            Direction::Outbound => pick(zh, "我方发起", "From us"),
        }
    }

    /// Label of an order channel.
    pub fn order_channel(self, c: OrderChannel) -> &'static str {
        let zh = self == Self::Zh;
        match c {
            OrderChannel::OnlineShop => pick(zh, "网店", "Online shop"),
            OrderChannel::Pos => pick(zh, "门店收银", "POS"),
            OrderChannel::Offline => pick(zh, "线下", "Offline"),
        }
    }

    /// Label of a contact point kind.
    pub fn contact_kind(self, k: ContactKind) -> &'static str {
        let zh = self == Self::Zh;
        match k {
            ContactKind::Phone => pick(zh, "电话", "Phone"),
            ContactKind::Email => pick(zh, "邮箱", "Email"),
            ContactKind::WeChat => pick(zh, "微信", "WeChat"),
            ContactKind::WeCom => pick(zh, "企业微信", "WeCom"),
            ContactKind::Douyin => pick(zh, "抖音", "Douyin"),
            ContactKind::Xiaohongshu => pick(zh, "小红书", "Xiaohongshu"),
            ContactKind::Address => pick(zh, "地址", "Address"),
            ContactKind::Other => pick(zh, "其他", "Other"),
        }
    }

    /// Label of a sort order of the customer list.
    pub fn sort(self, s: RowSort) -> &'static str {
        let zh = self == Self::Zh;
        match s {
            RowSort::RecentlyUpdated => pick(zh, "最近更新", "Recently updated"),
            RowSort::Name => pick(zh, "姓名", "Name"),
            RowSort::NextFollowUp => pick(zh, "下次跟进", "Next follow-up"),
            RowSort::LifetimeSpend => pick(zh, "累计消费", "Lifetime spend"),
        }
    }

    /// Amounts in several currencies in this locale, joined by " + " ("—" for none).
    pub fn monies(self, amounts: &[Money]) -> String {
        match amounts {
            [] => "—".to_owned(),
            all => (all.iter().map(|m| self.money(m)))
                .collect::<Vec<_>>()
                .join(" + "),
        }
    }

    /// `money` in this locale, e.g. `¥12,800.00` / `CN¥12,800.00`.
    pub fn money(self, money: &Money) -> String {
        let key = (self, money.currency.clone());
        let format = FORMATS.with(|cache| {
            cache
                .borrow_mut()
                .entry(Format::Money(key))
                .or_insert_with(|| {
                    let options = js_sys::Object::new();
                    set(&options, "style", "currency");
                    set(&options, "currency", &money.currency);
                    // "¥12,800.00", not "CN¥12,800.00".
                    set(&options, "currencyDisplay", "narrowSymbol");
                    js_sys::Intl::NumberFormat::new(&locales(self), &options).format()
                })
                .clone()
        });
        let value = JsValue::from_f64(money.minor as f64 / 100.0);
        call(&format, &value)
    }

    /// A day, e.g. `2026年11月27日` / `Nov 27, 2026`.
    pub fn date(self, at: Millis) -> String {
        self.date_format(at, false)
    }

    /// A day and time, e.g. `2026年11月27日 14:05` / `Nov 27, 2026, 2:05 PM`.
    pub fn date_time(self, at: Millis) -> String {
        self.date_format(at, true)
    }

    fn date_format(self, at: Millis, with_time: bool) -> String {
        let format = FORMATS.with(|cache| {
            cache
                .borrow_mut()
                .entry(Format::Date(self, with_time))
                .or_insert_with(|| {
                    let options = js_sys::Object::new();
                    set(&options, "dateStyle", "medium");
                    if with_time {
                        set(&options, "timeStyle", "short");
                    }
                    js_sys::Intl::DateTimeFormat::new(&locales(self), &options).format()
                })
                .clone()
        });
        call(&format, &js_sys::Date::new(&JsValue::from_f64(at as f64)))
    }
}

fn pick(zh: bool, chinese: &'static str, english: &'static str) -> &'static str {
    if zh { chinese } else { english }
}

#[derive(PartialEq, Eq, Hash)]
enum Format {
    Money((Lang, String)),
    Date(Lang, bool),
}

thread_local! {
    /// `Intl` formatters are costly to build; one per locale and style is kept.
    static FORMATS: RefCell<HashMap<Format, js_sys::Function>> = RefCell::new(HashMap::new());
}

fn locales(lang: Lang) -> js_sys::Array {
    js_sys::Array::of1(&JsValue::from_str(lang.tag()))
}

fn set(object: &js_sys::Object, key: &str, value: &str) {
    let _ = js_sys::Reflect::set(object, &key.into(), &value.into());
}

fn call(format: &js_sys::Function, value: &JsValue) -> String {
    format
        .call1(&JsValue::NULL, value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

/// The interface language, shared through the component tree.
pub fn use_lang() -> RwSignal<Lang> {
    expect_context::<RwSignal<Lang>>()
}
