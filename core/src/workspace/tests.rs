use super::*;
use crate::custom_field::FieldKind;
use crate::document::Stamp;
use crate::id::Id;
use crate::merge_orders::ORDERS_OF_THREE;
use crate::pipeline::{StageDef, StageKind};

fn stamp() -> Stamp {
    Stamp::new("admin", 1_767_225_600_000)
}

fn id(s: &str) -> Id {
    Id::parse(s).unwrap()
}

#[test]
fn a_new_workspace_has_the_standard_pipeline_and_round_trips() {
    let mut ws = WorkspaceDoc::new();
    ws.set_name("华东销售组").unwrap();
    let loaded = WorkspaceDoc::load(&ws.save()).unwrap();
    let w = loaded.workspace().unwrap();
    assert_eq!(w.name, "华东销售组");
    assert_eq!(w.pipeline, Pipeline::standard());
    assert!(w.members.is_empty() && w.directory.is_empty());
}

#[test]
fn members_and_roles() {
    let mut ws = WorkspaceDoc::new();
    ws.add_member(&id("li"), "李娜", Role::Admin, &stamp())
        .unwrap();
    ws.add_member(&id("wang"), "王强", Role::Sales, &stamp())
        .unwrap();
    assert_eq!(
        ws.add_member(&id("li"), "Li", Role::Sales, &stamp()),
        Err(ModelError::DuplicateId {
            kind: "member",
            id: "li".into()
        })
    );
    assert_eq!(
        ws.add_member(&id("x"), " ", Role::Sales, &stamp()),
        Err(ModelError::Empty {
            field: "member name"
        })
    );
    ws.set_member_role("wang", Role::Manager).unwrap();
    // The team never loses its last admin.
    assert_eq!(ws.deactivate_member("li"), Err(ModelError::LastAdmin));
    assert_eq!(
        ws.set_member_role("li", Role::Sales),
        Err(ModelError::LastAdmin)
    );
    ws.set_member_role("wang", Role::Admin).unwrap();
    ws.deactivate_member("li").unwrap();
    assert_eq!(ws.deactivate_member("wang"), Err(ModelError::LastAdmin));
    let w = ws.workspace().unwrap();
    assert_eq!(w.members["wang"].role, Role::Admin);
    assert!(!w.members["li"].active);
    assert_eq!(
        ws.set_member_role("nobody", Role::Admin),
        Err(ModelError::NotFound {
            kind: "member",
            id: "nobody".into()
        })
    );
}

#[test]
fn pipeline_stages_and_custom_fields() {
    let mut ws = WorkspaceDoc::new();
    let trial = StageDef {
        name_zh: "试用".into(),
        name_en: "Trial".into(),
        order: 35,
        kind: StageKind::Open,
    };
    ws.add_stage(&id("trial"), trial.clone()).unwrap();
    assert!(matches!(
        ws.add_stage(&id("trial"), trial),
        Err(ModelError::DuplicateId { .. })
    ));
    ws.rename_stage("trial", "免费试用", "Free trial").unwrap();
    ws.reorder_stage("trial", 25).unwrap();
    assert_eq!(
        ws.rename_stage("nope", "x", "x"),
        Err(ModelError::UnknownStage {
            stage: "nope".into()
        })
    );
    let pipeline = ws.workspace().unwrap().pipeline;
    let order: Vec<_> = pipeline.ordered().into_iter().map(|(id, _)| id).collect();
    assert_eq!(
        order,
        vec![
            "initial",
            "qualified",
            "trial",
            "proposal",
            "negotiation",
            "won",
            "lost"
        ]
    );

    let def = CustomFieldDef {
        label_zh: "行业".into(),
        label_en: "Industry".into(),
        kind: FieldKind::Text,
        options: BTreeMap::new(),
    };
    ws.add_custom_field(&id("industry"), def.clone()).unwrap();
    assert!(matches!(
        ws.add_custom_field(&id("industry"), def),
        Err(ModelError::DuplicateId { .. })
    ));
    ws.remove_custom_field("industry").unwrap();
    assert!(ws.workspace().unwrap().custom_fields.is_empty());
}

#[test]
fn replicas_started_offline_merge_without_losing_members_or_customers() {
    let mut a = WorkspaceDoc::new();
    let mut b = WorkspaceDoc::new();
    a.add_member(&id("li"), "李娜", Role::Admin, &stamp())
        .unwrap();
    b.add_member(&id("wang"), "王强", Role::Sales, &stamp())
        .unwrap();
    a.register_customer(&id("c1"), &stamp()).unwrap();
    b.register_customer(&id("c2"), &stamp()).unwrap();
    let (mut ab, mut ba) = (a.clone(), b.clone());
    assert!(ab.merge(&mut b.clone()).unwrap());
    assert!(ba.merge(&mut a.clone()).unwrap());
    let w = ab.workspace().unwrap();
    assert_eq!(w, ba.workspace().unwrap());
    assert_eq!(w.members.len(), 2);
    assert_eq!(w.directory.keys().collect::<Vec<_>>(), vec!["c1", "c2"]);
    assert_eq!(
        w.pipeline,
        Pipeline::standard(),
        "the genesis pipeline is shared, not duplicated"
    );
    assert!(
        !ab.merge(&mut ba).unwrap(),
        "merging known changes changes nothing"
    );
}

/// Three devices list customers at once — one of them an older build writing the map form —
/// and an admin removes one: merged in every order, every replica holds the same directory,
/// each entry naming its lister.
#[test]
fn directories_listed_at_once_merge_in_every_order_in_either_form() {
    let mut base = WorkspaceDoc::new();
    base.register_customer(&id("c0"), &stamp()).unwrap();
    let mut replicas: Vec<WorkspaceDoc> = (0..3).map(|_| base.fork()).collect();
    replicas[0]
        .register_customers(&[id("a1"), id("a2")], &Stamp::new("sales-a", 2))
        .unwrap();
    replicas[1].unregister_customer("c0").unwrap();
    replicas[1]
        .register_customer(&id("b1"), &Stamp::new("admin", 2))
        .unwrap();
    let older = &mut replicas[2].doc;
    let directory = older.get(ROOT, "directory").unwrap().unwrap().1;
    let entry = older
        .put_object(&directory, "o1", automerge::ObjType::Map)
        .unwrap();
    older.put(&entry, "created_at", 2).unwrap();
    older.put(&entry, "created_by", "sales-old").unwrap();
    for order in ORDERS_OF_THREE {
        let mut merged = base.fork();
        for i in order {
            merged.merge(&mut replicas[i].clone()).unwrap();
        }
        let listed: Vec<(String, String)> = (merged.workspace().unwrap().directory)
            .into_iter()
            .map(|(id, entry)| (id, entry.created_by))
            .collect();
        let expected = [
            ("a1", "sales-a"),
            ("a2", "sales-a"),
            ("b1", "admin"),
            ("o1", "sales-old"),
        ]
        .map(|(id, by)| (id.to_owned(), by.to_owned()));
        assert_eq!(listed, expected, "{order:?}");
        assert_eq!(
            merged.directory_ids(),
            ["a1", "a2", "b1", "o1"],
            "{order:?}"
        );
    }
    let directory = base.doc.get(ROOT, "directory").unwrap().unwrap().1;
    assert!(
        matches!(
            base.doc.get(&directory, "c0"),
            Ok(Some((automerge::Value::Scalar(_), _)))
        ),
        "an entry is written as one scalar"
    );
}

#[test]
fn directory_refuses_duplicates_and_unknown_removals() {
    let mut ws = WorkspaceDoc::new();
    ws.register_customer(&id("c1"), &stamp()).unwrap();
    assert!(matches!(
        ws.register_customer(&id("c1"), &stamp()),
        Err(ModelError::DuplicateId { .. })
    ));
    ws.unregister_customer("c1").unwrap();
    assert_eq!(
        ws.unregister_customer("c1"),
        Err(ModelError::NotFound {
            kind: "customer",
            id: "c1".into()
        })
    );
}

#[test]
fn hostile_and_foreign_bytes_are_errors() {
    let mut ws = WorkspaceDoc::new();
    let bytes = ws.save();
    assert!(matches!(
        WorkspaceDoc::load(b"garbage"),
        Err(ModelError::Corrupt { .. })
    ));
    assert!(WorkspaceDoc::load(&bytes[..bytes.len() / 2]).is_err());
    assert!(matches!(
        WorkspaceDoc::load(b""),
        Err(ModelError::Layout { .. })
    ));
    let mut flat = WorkspaceDoc::new();
    flat.doc.put(ROOT, "directory", "c1").unwrap();
    assert!(matches!(
        WorkspaceDoc::load(&flat.save()),
        Err(ModelError::Layout { .. })
    ));
    let mut newer = WorkspaceDoc::new();
    newer
        .doc
        .put(ROOT, "schema_version", SCHEMA_VERSION + 1)
        .unwrap();
    assert_eq!(
        WorkspaceDoc::load(&newer.save()).unwrap_err(),
        ModelError::NewerSchema {
            found: SCHEMA_VERSION + 1,
            supported: SCHEMA_VERSION
        }
    );
}

#[test]
fn settings_are_the_workspace_without_its_directory() {
    let ws = crate::demo::saved_workspace(20, 1_780_000_000_000)
        .into_iter()
        .next()
        .map(|saved| WorkspaceDoc::load(&saved.bytes).unwrap())
        .unwrap();
    let whole = ws.workspace().unwrap();
    assert_eq!(whole.directory.len(), 20);
    assert_eq!(
        ws.settings().unwrap(),
        WorkspaceSettings {
            directory: BTreeMap::new(),
            ..whole.clone()
        }
    );
    let ids: Vec<String> = whole.directory.into_keys().collect();
    assert_eq!(ws.directory_ids(), ids);
}

fn select_field() -> CustomFieldDef {
    let option = |zh: &str, en: &str| crate::custom_field::FieldOption {
        label_zh: zh.into(),
        label_en: en.into(),
    };
    CustomFieldDef {
        label_zh: "渠道".into(),
        label_en: "Channel".into(),
        kind: FieldKind::MultiSelect,
        options: [("shop".to_owned(), option("门店", "Shop"))].into(),
    }
}

#[test]
fn custom_field_labels_and_options_are_edited_and_kinds_never_change() {
    let mut ws = WorkspaceDoc::new();
    ws.add_custom_field(&id("channel"), select_field()).unwrap();
    ws.edit_custom_field(
        "channel",
        FieldDefEdit::Labels {
            zh: "购买渠道".into(),
            en: "Bought via".into(),
        },
    )
    .unwrap();
    let option = |o: &str, zh: &str| FieldDefEdit::Option {
        id: id(o),
        zh: zh.into(),
        en: String::new(),
    };
    ws.edit_custom_field("channel", option("online", "网店"))
        .unwrap();
    ws.edit_custom_field("channel", option("shop", "线下门店"))
        .unwrap();
    let def = &ws.workspace().unwrap().custom_fields["channel"];
    assert_eq!(
        (def.label_zh.as_str(), def.label_en.as_str()),
        ("购买渠道", "Bought via")
    );
    assert_eq!(def.options.keys().collect::<Vec<_>>(), ["online", "shop"]);
    assert_eq!(def.options["shop"].label_zh, "线下门店");
    assert_eq!(def.kind, FieldKind::MultiSelect);

    let text = CustomFieldDef {
        kind: FieldKind::Text,
        options: BTreeMap::new(),
        ..select_field()
    };
    ws.add_custom_field(&id("note"), text).unwrap();
    assert!(matches!(
        ws.edit_custom_field("note", option("x", "x")),
        Err(ModelError::InvalidFieldValue { .. })
    ));
    assert!(matches!(
        ws.edit_custom_field(
            "channel",
            FieldDefEdit::Labels {
                zh: " ".into(),
                en: "x".into()
            }
        ),
        Err(ModelError::Empty { .. })
    ));
    assert!(matches!(
        ws.edit_custom_field("nope", option("x", "x")),
        Err(ModelError::NotFound { .. })
    ));
}

#[test]
fn two_admins_adding_options_at_once_keep_both() {
    let mut a = WorkspaceDoc::new();
    a.add_custom_field(&id("channel"), select_field()).unwrap();
    let mut b = a.fork();
    let mut c = a.fork();
    let option = |o: &str, zh: &str| FieldDefEdit::Option {
        id: id(o),
        zh: zh.into(),
        en: String::new(),
    };
    a.edit_custom_field("channel", option("online", "网店"))
        .unwrap();
    b.edit_custom_field("channel", option("wechat", "微信小店"))
        .unwrap();
    c.edit_custom_field(
        "channel",
        FieldDefEdit::Labels {
            zh: "来源渠道".into(),
            en: String::new(),
        },
    )
    .unwrap();
    let orders: [[&WorkspaceDoc; 3]; 2] = [[&a, &b, &c], [&c, &b, &a]];
    let merged: Vec<CustomFieldDef> = orders
        .iter()
        .map(|order| {
            let mut acc = order[0].clone();
            acc.merge(&mut order[1].clone()).unwrap();
            acc.merge(&mut order[2].clone()).unwrap();
            acc.workspace().unwrap().custom_fields["channel"].clone()
        })
        .collect();
    assert_eq!(merged[0], merged[1]);
    assert_eq!(
        merged[0].options.keys().collect::<Vec<_>>(),
        ["online", "shop", "wechat"]
    );
    assert_eq!(merged[0].label_zh, "来源渠道");
}

#[test]
fn the_genesis_never_changes_and_the_language_is_set_after_it() {
    let mut ws = WorkspaceDoc::new();
    assert_eq!(
        format!("{:?}", ws.heads()),
        r#"[ChangeHash("86fb0fcb6ba94bb64d693f8bc50fc60b7122662015dfe0494e3e08e236c45ee6")]"#,
        "every replica, every release, starts from the same genesis change"
    );
    assert_eq!(ws.settings().unwrap().language, None);
    ws.set_language(crate::rules::Language::En).unwrap();
    let loaded = WorkspaceDoc::load(&ws.save()).unwrap();
    assert_eq!(
        loaded.settings().unwrap().language,
        Some(crate::rules::Language::En)
    );
    assert_eq!(
        loaded.workspace().unwrap().language,
        Some(crate::rules::Language::En)
    );
}

#[test]
fn a_stage_is_removed_unless_it_is_the_last_of_its_kind_or_a_rule_names_it() {
    let mut ws = WorkspaceDoc::new();
    ws.remove_stage("qualified").unwrap();
    assert!(
        !ws.settings()
            .unwrap()
            .pipeline
            .stages
            .contains_key("qualified")
    );
    assert!(matches!(
        ws.remove_stage("qualified"),
        Err(ModelError::UnknownStage { .. })
    ));
    assert!(matches!(
        ws.remove_stage("won"),
        Err(ModelError::StageInUse { .. })
    ));

    let rule: crate::rules::Rule = serde_json::from_value(serde_json::json!({
        "id": "stuck", "name": "卡在报价",
        "when": {"not": {"deal": {"stage": ["proposal"], "days_in_stage": {"at_least": 7}}}},
        "then": [{"add_tag": "卡单"}]
    }))
    .unwrap();
    ws.put_rule(&rule).unwrap();
    let refused = ws.remove_stage("proposal");
    assert!(
        matches!(&refused, Err(ModelError::StageInUse { reason, .. }) if reason.contains("卡在报价")),
        "{refused:?}"
    );
    ws.remove_rule("stuck").unwrap();
    ws.remove_stage("proposal").unwrap();
}

#[test]
fn a_removal_and_a_concurrent_rename_of_the_stage_merge_to_removed_in_both_orders() {
    let mut a = WorkspaceDoc::new();
    let mut b = a.fork();
    let mut c = a.fork();
    a.remove_stage("negotiation").unwrap();
    b.rename_stage("negotiation", "议价", "Bargaining").unwrap();
    c.rename_stage("qualified", "已确认", "Qualified").unwrap();
    for order in [[&a, &b, &c], [&c, &b, &a], [&b, &a, &c]] {
        let mut merged = order[0].clone();
        merged.merge(&mut order[1].clone()).unwrap();
        merged.merge(&mut order[2].clone()).unwrap();
        let stages = merged.settings().unwrap().pipeline.stages;
        assert!(!stages.contains_key("negotiation"), "the removal wins");
        assert_eq!(
            stages["qualified"].name_zh, "已确认",
            "the other rename stays"
        );
    }
}

#[test]
fn a_role_change_a_deactivation_and_a_welcome_merge_in_every_order() {
    let mut a = WorkspaceDoc::new();
    a.add_member(&id("li"), "李娜", Role::Admin, &stamp())
        .unwrap();
    a.add_member(&id("wang"), "王强", Role::Sales, &stamp())
        .unwrap();
    a.add_member(&id("zhou"), "周敏", Role::Sales, &stamp())
        .unwrap();
    let mut b = a.fork();
    let mut c = a.fork();
    a.set_member_role("wang", Role::Manager).unwrap();
    b.deactivate_member("wang").unwrap();
    c.add_member(&id("wu"), "吴磊", Role::Sales, &stamp())
        .unwrap();
    c.set_member_role("zhou", Role::Manager).unwrap();
    for order in [
        [&a, &b, &c],
        [&a, &c, &b],
        [&b, &a, &c],
        [&b, &c, &a],
        [&c, &a, &b],
        [&c, &b, &a],
    ] {
        let mut merged = order[0].clone();
        merged.merge(&mut order[1].clone()).unwrap();
        merged.merge(&mut order[2].clone()).unwrap();
        let members = merged.settings().unwrap().members;
        assert_eq!(
            Standing::of(&members, "wang"),
            Standing::Inactive,
            "the deactivation stands"
        );
        assert_eq!(members["wang"].role, Role::Manager, "so does the role");
        assert_eq!(Standing::of(&members, "wu"), Standing::Active(Role::Sales));
        assert_eq!(
            Standing::of(&members, "zhou"),
            Standing::Active(Role::Manager)
        );
        assert_eq!(Standing::of(&members, "nobody"), Standing::Unlisted);
    }
}

#[test]
fn the_pool_cap_is_set_and_cleared() {
    let mut ws = WorkspaceDoc::new();
    assert_eq!(ws.settings().unwrap().pool_cap, None);
    ws.set_pool_cap(Some(50)).unwrap();
    assert_eq!(ws.settings().unwrap().pool_cap, Some(50));
    ws.set_pool_cap(None).unwrap();
    let loaded = WorkspaceDoc::load(&ws.save()).unwrap();
    assert_eq!(loaded.settings().unwrap().pool_cap, None);
}

#[test]
fn dismissed_duplicates_merge_from_three_managers_in_every_order() {
    let mut base = WorkspaceDoc::new();
    base.dismiss_duplicate(&id("c0"), &id("c9"), &stamp())
        .unwrap();
    let pairs = [("c1", "c2"), ("c3", "c4"), ("c6", "c5")];
    let replicas: Vec<WorkspaceDoc> = (pairs.iter())
        .map(|(a, b)| {
            let mut r = base.fork();
            r.dismiss_duplicate(&id(a), &id(b), &stamp()).unwrap();
            r
        })
        .collect();
    for order in ORDERS_OF_THREE {
        let mut merged = base.fork();
        for i in order {
            merged.merge(&mut replicas[i].clone()).unwrap();
        }
        let kept: Vec<String> = (merged.settings().unwrap().not_duplicates)
            .unwrap_or_default()
            .into_keys()
            .collect();
        assert_eq!(kept, ["c0|c9", "c1|c2", "c3|c4", "c5|c6"], "{order:?}");
    }
    // Two first dismissals made at once: one map wins; nothing else is lost.
    let (mut a, mut b) = (WorkspaceDoc::new(), WorkspaceDoc::new());
    a.dismiss_duplicate(&id("c1"), &id("c2"), &stamp()).unwrap();
    b.dismiss_duplicate(&id("c3"), &id("c4"), &stamp()).unwrap();
    a.merge(&mut b).unwrap();
    let kept = a.settings().unwrap().not_duplicates.unwrap_or_default();
    assert_eq!(kept.len(), 1, "{kept:?}");
}
