//! Deterministic demo data: a bilingual sales team and its customers, with contacts, deals,
//! follow-ups, interactions, orders and notes. The same seed always yields the same documents
//! (ids, text, times), for the demo workspace and the benchmarks, at any scale.

use crate::contact::ContactKind;
use crate::custom_field::{CustomFieldDef, FieldKind, FieldOption};
use crate::customer::{
    Channel, CustomValue, CustomerDoc, Direction, HeadedRow, Lifecycle, MANUAL_ORIGIN, NewContact,
    NewCustomer, NewDeal, NewFollowUp, NewInteraction, NewOrder, OrderChannel, Source, SummaryRow,
};
use crate::document::{CrmDocument, Stamp};
use crate::error::ModelError;
use crate::id::Id;
use crate::pipeline::Pipeline;
use crate::replica::{Replica, WORKSPACE_DOC_ID};
use crate::rules::{Context, Language, RECYCLING_RULES, Rule, plan};
use crate::values::{DAY_MS, Millis, Money};
use crate::workspace::{Role, RuleBook, WorkspaceDoc};

const SURNAMES: [(&str, &str); 16] = [
    ("王", "Wang"),
    ("李", "Li"),
    ("张", "Zhang"),
    ("刘", "Liu"),
    ("陈", "Chen"),
    ("杨", "Yang"),
    ("黄", "Huang"),
    ("赵", "Zhao"),
    ("吴", "Wu"),
    ("周", "Zhou"),
    ("徐", "Xu"),
    ("孙", "Sun"),
    ("马", "Ma"),
    ("朱", "Zhu"),
    ("胡", "Hu"),
    ("郭", "Guo"),
];
const GIVEN: [(&str, &str); 16] = [
    ("伟", "Wei"),
    ("芳", "Fang"),
    ("娜", "Na"),
    ("敏", "Min"),
    ("静", "Jing"),
    ("丽", "Li"),
    ("强", "Qiang"),
    ("磊", "Lei"),
    ("洋", "Yang"),
    ("艳", "Yan"),
    ("勇", "Yong"),
    ("军", "Jun"),
    ("杰", "Jie"),
    ("涛", "Tao"),
    ("明", "Ming"),
    ("超", "Chao"),
];
const CITIES: [&str; 8] = [
    "上海", "杭州", "苏州", "深圳", "广州", "成都", "武汉", "南京",
];
const TRADES: [(&str, &str); 8] = [
    ("贸易", "trade"),
    ("科技", "tech"),
    ("食品", "food"),
    ("家居", "home"),
    ("服饰", "fashion"),
    ("医疗器械", "medical"),
    ("教育", "edu"),
    ("物流", "logistics"),
];
const TITLES: [&str; 6] = [
    "采购经理",
    "总经理",
    "运营总监",
    "店长",
    "行政主管",
    "创始人",
];
const SUMMARIES: [&str; 10] = [
    "电话沟通了报价，客户需要和老板确认",
    "微信发了新品目录，客户说下周看",
    "上门拜访，参观了仓库，对批量价格感兴趣",
    "Sent the proposal by email; waiting for feedback",
    "客户在抖音评论区询问促销活动",
    "企业微信群里答复了售后问题",
    "Follow-up call: budget approved for Q2",
    "小红书私信咨询样品寄送",
    "客户点击了促销链接但还没下单",
    "Visited the store, met the purchasing team",
];
const FOLLOW_UPS: [&str; 5] = [
    "寄送样品",
    "回访报价",
    "发送新品目录",
    "Send the contract draft",
    "售后回访",
];
const ITEMS: [&str; 5] = [
    "茶叶礼盒 x2",
    "办公椅 x10",
    "Sample kit",
    "定制T恤 x200",
    "保健品套装",
];
const TAGS: [&str; 6] = ["VIP", "批发", "老客户", "价格敏感", "Key account", "华东"];
const SOURCES: [Source; 8] = [
    Source::BaiduAds,
    Source::Douyin,
    Source::WeChat,
    Source::Xiaohongshu,
    Source::Referral,
    Source::TradeShow,
    Source::WebsiteForm,
    Source::ColdCall,
];
const CHANNELS: [Channel; 9] = [
    Channel::Call,
    Channel::Visit,
    Channel::Email,
    Channel::WeChatChat,
    Channel::WeChatGroup,
    Channel::WeCom,
    Channel::DouyinComment,
    Channel::Xiaohongshu,
    Channel::Website,
];

/// Members of the demo team: (id, name, role).
pub const MEMBERS: [(&str, &str, Role); 5] = [
    ("admin", "李娜 Li Na", Role::Admin),
    ("manager", "王强 Wang Qiang", Role::Manager),
    ("sales-zhang", "张伟 Zhang Wei", Role::Sales),
    ("sales-chen", "陈静 Chen Jing", Role::Sales),
    ("sales-zhou", "周敏 Zhou Min", Role::Sales),
];

/// SplitMix64: a tiny, fast, well-distributed generator; enough for demo data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    fn id(&mut self) -> Id {
        Id::from_bits((u128::from(self.next()) << 64) | u128::from(self.next()))
    }
}

/// Seed of the demo workspace that `cargo xtask dev` serves.
pub const DEMO_SEED: u64 = 2026;

/// A saved document, ready to store.
#[derive(Debug, Clone)]
pub struct SavedDoc {
    /// Document id (`workspace` or a customer id).
    pub id: String,
    /// The whole document, saved.
    pub bytes: Vec<u8>,
    /// Its heads.
    pub heads: Vec<automerge::ChangeHash>,
    /// A customer's summary row.
    pub row: Option<HeadedRow>,
    /// When the rules must look at the customer again.
    pub rules_due: Option<Millis>,
}

impl SavedDoc {
    fn of(
        id: String,
        doc: &mut impl CrmDocument,
        row: Option<SummaryRow>,
        rules_due: Option<Millis>,
    ) -> Self {
        let heads = doc.heads();
        Self {
            id,
            row: row.map(|row| HeadedRow::new(row, &heads)),
            heads,
            bytes: doc.save(),
            rules_due,
        }
    }
}

impl SavedDoc {
    /// A document read back from its saved bytes (a fixture's, see [`fixture_entries`]): its
    /// heads and, for a customer, its row and when the `rules` must look at it next (`now`
    /// when they have something to write already).
    pub fn read(
        id: &str,
        bytes: Vec<u8>,
        rules: &[Rule],
        pipeline: &Pipeline,
        now: Millis,
    ) -> Result<Self, ModelError> {
        let mut replica = Replica::load(id, &bytes)?;
        let rules_due = match &replica {
            Replica::Customer(doc) => {
                let plan = plan(rules, &doc.customer()?, &Context { now, pipeline });
                if plan.is_empty() {
                    plan.next_change
                } else {
                    Some(now)
                }
            }
            Replica::Workspace(_) => None,
        };
        Ok(Self {
            id: id.to_owned(),
            heads: replica.heads(),
            row: replica.summary(),
            bytes,
            rules_due,
        })
    }
}

/// Appends one document to a fixture: `u32 LE id length, id, u32 LE byte length, bytes`.
pub fn write_fixture_entry(out: &mut Vec<u8>, id: &str, bytes: &[u8]) {
    for part in [id.as_bytes(), bytes] {
        out.extend_from_slice(&(part.len() as u32).to_le_bytes());
        out.extend_from_slice(part);
    }
}

/// The documents of a fixture (entries as [`write_fixture_entry`] writes them) as (id, bytes),
/// or an error naming the offset where it stops making sense.
pub fn fixture_entries(data: &[u8]) -> Result<Vec<(&str, &[u8])>, String> {
    /// The next length-prefixed part of `rest`, which starts at byte `at` of the fixture.
    fn part<'a>(rest: &mut &'a [u8], at: usize) -> Result<&'a [u8], String> {
        let len = rest
            .get(..4)
            .map(|n| u32::from_le_bytes(n.try_into().expect("four bytes")) as usize)
            .filter(|len| rest.len() >= 4 + len)
            .ok_or_else(|| format!("fixture cut short at byte {at}"))?;
        let (head, tail) = rest[4..].split_at(len);
        *rest = tail;
        Ok(head)
    }
    let mut rest = data;
    let mut entries = Vec::new();
    while !rest.is_empty() {
        let at = data.len() - rest.len();
        let id = std::str::from_utf8(part(&mut rest, at)?)
            .map_err(|_| format!("a document id at byte {at} is not UTF-8"))?;
        let at = data.len() - rest.len();
        let bytes = part(&mut rest, at)?;
        entries.push((id, bytes));
    }
    Ok(entries)
}

/// A whole demo workspace, saved and ready to store: the workspace document (its directory
/// listing every customer) first, then `count` customers, the default rules already run on
/// them at `now`.
pub fn saved_workspace(count: usize, now: Millis) -> Vec<SavedDoc> {
    let mut ws = workspace(now);
    let stamp = Stamp::new("admin", now);
    let rules = ws.rule_book().rules;
    let pipeline = Pipeline::standard();
    let customers: Vec<SavedDoc> = customers(DEMO_SEED, now)
        .take(count)
        .map(|mut customer| {
            let id = customer.id().expect("a demo customer has an id");
            ws.register_customer(&Id::parse(&id).expect("demo ids are valid"), &stamp)
                .expect("demo ids are unique");
            let run = customer
                .run_rules(&rules, &pipeline, now)
                .expect("the default rules apply to demo customers");
            let row = customer.summary().expect("a demo customer has a row");
            SavedDoc::of(id, &mut customer, Some(row), run.next_change)
        })
        .collect();
    std::iter::once(SavedDoc::of(
        WORKSPACE_DOC_ID.to_owned(),
        &mut ws,
        None,
        None,
    ))
    .chain(customers)
    .collect()
}

/// The demo workspace document: team, standard pipeline, a custom field, the default rules
/// (in Chinese).
pub fn workspace(now: Millis) -> WorkspaceDoc {
    let mut ws = WorkspaceDoc::new();
    ws.set_name("演示团队 Demo team").expect("valid name");
    let stamp = Stamp::new("admin", now - 400 * DAY_MS);
    for (id, name, role) in MEMBERS {
        ws.add_member(&Id::parse(id).expect("valid id"), name, role, &stamp)
            .expect("fresh member");
    }
    let option = |zh: &str, en: &str| FieldOption {
        label_zh: zh.into(),
        label_en: en.into(),
    };
    let industry = CustomFieldDef {
        label_zh: "行业".into(),
        label_en: "Industry".into(),
        kind: FieldKind::SingleSelect,
        options: TRADES
            .iter()
            .map(|(zh, en)| (en.to_string(), option(zh, en)))
            .collect(),
    };
    ws.add_custom_field(&Id::parse("industry").expect("valid id"), industry)
        .expect("fresh field");
    // The sample history is years deep: recycling stays off until someone turns it on, or
    // most sample customers would be in the pool on the first start.
    let mut book = RuleBook::defaults(Language::Zh);
    for rule in &mut book.rules {
        rule.enabled &= !RECYCLING_RULES.contains(&rule.id.as_str());
    }
    ws.install(&book).expect("the default rules are valid");
    ws
}

/// An endless, deterministic stream of demo customers; `now` anchors their times.
pub fn customers(seed: u64, now: Millis) -> impl Iterator<Item = CustomerDoc> {
    let mut rng = Rng::new(seed);
    let pipeline = Pipeline::standard();
    let industry = workspace_industry();
    std::iter::repeat_with(move || customer(&mut rng, now, &pipeline, &industry))
}

fn workspace_industry() -> CustomFieldDef {
    let ws = workspace(0).workspace().expect("demo workspace hydrates");
    ws.custom_fields["industry"].clone()
}

fn customer(
    rng: &mut Rng,
    now: Millis,
    pipeline: &Pipeline,
    industry: &CustomFieldDef,
) -> CustomerDoc {
    let (surname, surname_latin) = *rng.pick(&SURNAMES);
    let (given, given_latin) = *rng.pick(&GIVEN);
    let (trade, trade_en) = *rng.pick(&TRADES);
    let city = *rng.pick(&CITIES);
    let owner = MEMBERS[2 + rng.below(3) as usize].0;
    let created = now - (1 + rng.below(365) as i64) * DAY_MS;
    let stamp = |day: i64| Stamp::new(owner, (created + day * DAY_MS).min(now));
    let new = NewCustomer {
        name: format!("{surname}{given}"),
        name_latin: format!("{given_latin} {surname_latin}"),
        company: format!(
            "{city}{}{trade}有限公司",
            rng.pick(&["华", "金", "恒", "新", "鑫", "瑞"])
        ),
        title: rng.pick(&TITLES).to_string(),
        owner: owner.into(),
        source: *rng.pick(&SOURCES),
        lifecycle: *rng.pick(Lifecycle::ALL),
    };
    let id = rng.id();
    let mut doc = CustomerDoc::create(&id, new, &stamp(0)).expect("demo customer is valid");
    let ok = "demo operations are valid";

    let prefix = rng.pick(&[135, 136, 137, 138, 139, 150, 151, 158, 159, 186, 187, 188]);
    let mobile = format!("{prefix}{:08}", rng.below(100_000_000));
    let contact = |kind, value: String, label: &str| NewContact {
        kind,
        // A demo mobile is 11 digits of a Chinese mobile range.
        e164: (kind == ContactKind::Phone).then(|| format!("+86{value}")),
        value,
        label: label.into(),
        primary: true,
    };
    doc.add_contact(
        &rng.id(),
        contact(ContactKind::Phone, mobile, "手机"),
        &stamp(0),
    )
    .expect(ok);
    if rng.below(2) == 0 {
        let email = format!(
            "{}.{}@{}.example.cn",
            given_latin.to_lowercase(),
            surname_latin.to_lowercase(),
            trade_en
        );
        doc.add_contact(
            &rng.id(),
            contact(ContactKind::Email, email, "work"),
            &stamp(0),
        )
        .expect(ok);
    }
    if rng.below(3) > 0 {
        let wechat = format!(
            "wxid_{}{}",
            surname_latin.to_lowercase(),
            rng.below(100_000)
        );
        doc.add_contact(
            &rng.id(),
            contact(ContactKind::WeChat, wechat, "微信"),
            &stamp(0),
        )
        .expect(ok);
    }
    for _ in 0..rng.below(3) {
        let tag = *rng.pick(&TAGS);
        doc.add_tag(tag, &stamp(1)).expect(ok);
    }
    let industry_value = CustomValue::Text(trade_en.into());
    doc.set_custom_field("industry", industry, Some(industry_value), &stamp(0))
        .expect(ok);

    let mut deal_ids = Vec::new();
    for _ in 0..rng.below(3) {
        let deal = rng.id();
        let new = NewDeal {
            title: format!("{trade}采购项目"),
            amount: Money::cny((1 + rng.below(500) as i64) * 100_000),
            stage: None,
            expected_close: None,
        };
        doc.add_deal(&deal, new, pipeline, &stamp(2)).expect(ok);
        let stages = ["qualified", "proposal", "negotiation", "won", "lost"];
        for (step, stage) in stages.iter().take(rng.below(5) as usize).enumerate() {
            let reason = (*stage == "lost").then_some("价格太高");
            doc.move_deal_stage(
                deal.as_str(),
                stage,
                reason,
                pipeline,
                &stamp(3 + step as i64 * 5),
            )
            .expect(ok);
        }
        deal_ids.push(deal);
    }
    for _ in 0..rng.below(31) {
        let at = created + rng.below(((now - created) / DAY_MS).max(1) as u64) as i64 * DAY_MS;
        let deal_id =
            (!deal_ids.is_empty() && rng.below(3) == 0).then(|| rng.pick(&deal_ids).to_string());
        let new = NewInteraction {
            channel: *rng.pick(&CHANNELS),
            direction: if rng.below(2) == 0 {
                Direction::Inbound
            } else {
                Direction::Outbound
            },
            at,
            summary: rng.pick(&SUMMARIES).to_string(),
            deal_id,
        };
        doc.add_interaction(&rng.id(), new, &Stamp::new(owner, at))
            .expect(ok);
    }
    for _ in 0..rng.below(6) {
        let new = NewOrder {
            at: created + rng.below(300) as i64 * DAY_MS,
            amount: Money::cny((10 + rng.below(5_000) as i64) * 100),
            items: rng.pick(&ITEMS).to_string(),
            channel: *rng.pick(&[
                OrderChannel::OnlineShop,
                OrderChannel::Pos,
                OrderChannel::Offline,
            ]),
        };
        doc.add_order(&rng.id(), new, &stamp(10)).expect(ok);
    }
    for _ in 0..rng.below(4) {
        let new = NewFollowUp {
            title: rng.pick(&FOLLOW_UPS).to_string(),
            due_at: now + (rng.below(21) as i64 - 7) * DAY_MS,
            assignee: owner.into(),
            origin: MANUAL_ORIGIN.into(),
        };
        let follow_up = rng.id();
        doc.add_follow_up(&follow_up, new, &stamp(5)).expect(ok);
        if rng.below(3) == 0 {
            doc.complete_follow_up(follow_up.as_str(), &stamp(6))
                .expect(ok);
        }
    }
    if rng.below(2) == 0 {
        doc.set_notes(
            &format!("{surname}{given}：{}。", rng.pick(&SUMMARIES)),
            &stamp(1),
        )
        .expect(ok);
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customer::SummaryRow;

    const NOW: Millis = 1_767_225_600_000;

    #[test]
    fn the_same_seed_yields_the_same_customers() {
        let a: Vec<_> = customers(7, NOW)
            .take(20)
            .map(|d| d.customer().unwrap())
            .collect();
        let b: Vec<_> = customers(7, NOW)
            .take(20)
            .map(|d| d.customer().unwrap())
            .collect();
        assert_eq!(a, b);
        let c: Vec<_> = customers(8, NOW)
            .take(20)
            .map(|d| d.customer().unwrap())
            .collect();
        assert_ne!(a, c);
    }

    #[test]
    fn demo_customers_are_rich_valid_and_load_back() {
        let mut interactions = 0;
        for mut doc in customers(1, NOW).take(100) {
            let loaded = CustomerDoc::load(&doc.save()).unwrap();
            let c = loaded.customer().unwrap();
            assert_eq!(loaded.summary().unwrap(), SummaryRow::of(&c));
            assert!(!c.profile.name.is_empty() && !c.contacts.is_empty());
            assert!(c.interactions.values().all(|i| i.at <= NOW));
            interactions += c.interactions.len();
        }
        assert!(
            (1_000..2_000).contains(&interactions),
            "about 15 interactions each, got {interactions}"
        );
    }

    #[test]
    fn a_saved_demo_workspace_lists_its_customers_and_loads_back() {
        let docs = saved_workspace(30, NOW);
        assert_eq!(docs.len(), 31);
        let ws = WorkspaceDoc::load(&docs[0].bytes)
            .unwrap()
            .workspace()
            .unwrap();
        assert_eq!(docs[0].id, WORKSPACE_DOC_ID);
        assert_eq!(ws.directory.len(), 30);
        for doc in &docs[1..] {
            assert!(ws.directory.contains_key(&doc.id));
            let mut loaded = CustomerDoc::load(&doc.bytes).unwrap();
            assert_eq!(loaded.id().unwrap(), doc.id);
            assert_eq!(loaded.heads(), doc.heads);
        }
    }

    #[test]
    fn a_fixture_reads_back_as_the_workspace_it_saved() {
        let docs = saved_workspace(20, NOW);
        let mut fixture = Vec::new();
        for doc in &docs {
            write_fixture_entry(&mut fixture, &doc.id, &doc.bytes);
        }
        let entries = fixture_entries(&fixture).unwrap();
        assert_eq!(entries.len(), docs.len());
        let ws = workspace(NOW);
        let (rules, pipeline) = (ws.rule_book().rules, Pipeline::standard());
        for (doc, (id, bytes)) in docs.iter().zip(entries) {
            let read = SavedDoc::read(id, bytes.to_vec(), &rules, &pipeline, NOW).unwrap();
            assert_eq!(read.id, doc.id);
            assert_eq!(read.bytes, doc.bytes);
            assert_eq!(read.heads, doc.heads);
            assert_eq!(read.row, doc.row);
            assert_eq!(read.rules_due, doc.rules_due, "{id}");
        }
        let cut = &fixture[..fixture.len() - 1];
        assert!(fixture_entries(cut).unwrap_err().contains("cut short"));
    }

    #[test]
    fn summary_rows_survive_a_json_round_trip() {
        for doc in customers(3, NOW).take(30) {
            let row = doc.summary().unwrap();
            let json = serde_json::to_string(&row).unwrap();
            assert_eq!(serde_json::from_str::<SummaryRow>(&json).unwrap(), row);
        }
    }

    #[test]
    fn the_demo_workspace_has_its_team_and_fields() {
        let ws = workspace(NOW).workspace().unwrap();
        assert_eq!(ws.members.len(), MEMBERS.len());
        assert_eq!(ws.custom_fields["industry"].options.len(), TRADES.len());
    }
}
