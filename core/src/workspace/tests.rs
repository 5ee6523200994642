use super::*;

fn names(doc: &WorkspaceDoc) -> Vec<String> {
    doc.customers().into_iter().map(|(_, c)| c.name).collect()
}

#[test]
fn add_customer_then_save_and_load_round_trips() {
    let mut doc = WorkspaceDoc::new();
    doc.add_customer("c1", "  张伟 Zhang Wei ", 10).unwrap();
    let loaded = WorkspaceDoc::load(&doc.save()).unwrap();
    assert_eq!(
        loaded.customers(),
        vec![(
            "c1".to_owned(),
            CustomerEntry {
                name: "张伟 Zhang Wei".to_owned(),
                created_at: 10
            }
        )]
    );
}

#[test]
fn invalid_names_and_duplicate_ids_are_refused_without_change() {
    let mut doc = WorkspaceDoc::new();
    doc.add_customer("c1", "Li Na", 1).unwrap();
    let before = doc.save();
    assert_eq!(
        doc.add_customer("c2", "   ", 2),
        Err(WorkspaceError::EmptyName)
    );
    let long = "客".repeat(MAX_NAME_CHARS + 1);
    assert_eq!(
        doc.add_customer("c2", &long, 2),
        Err(WorkspaceError::NameTooLong {
            chars: MAX_NAME_CHARS + 1
        })
    );
    assert_eq!(
        doc.add_customer("c1", "Wang Fang", 3),
        Err(WorkspaceError::DuplicateId { id: "c1".into() })
    );
    assert_eq!(doc.save(), before);
}

#[test]
fn two_fresh_replicas_merge_both_ways_without_losing_customers() {
    let mut a = WorkspaceDoc::new();
    let mut b = WorkspaceDoc::new();
    a.add_customer("a1", "陈静", 1).unwrap();
    b.add_customer("b1", "Zhou Min", 2).unwrap();

    let mut ab = a.clone();
    assert!(ab.merge_bytes(&b.save()).unwrap());
    let mut ba = b.clone();
    assert!(ba.merge_bytes(&a.save()).unwrap());

    assert_eq!(names(&ab), vec!["陈静", "Zhou Min"]);
    assert_eq!(ab.customers(), ba.customers());
}

#[test]
fn merging_known_state_reports_no_change() {
    let mut a = WorkspaceDoc::new();
    a.add_customer("a1", "Liu Yang", 1).unwrap();
    let bytes = a.save();
    assert!(!a.merge_bytes(&bytes).unwrap());
}

#[test]
fn hostile_bytes_are_an_error_and_leave_the_document_intact() {
    let mut a = WorkspaceDoc::new();
    a.add_customer("a1", "Sun Li", 1).unwrap();
    let before = a.save();
    for bad in [&b"garbage"[..], &before[..before.len() / 2]] {
        assert!(matches!(
            a.merge_bytes(bad),
            Err(WorkspaceError::Corrupt(_))
        ));
    }
    // Zero bytes load as an empty Automerge document, which lacks the workspace layout.
    assert!(matches!(a.merge_bytes(b""), Err(WorkspaceError::Layout(_))));
    assert_eq!(a.save(), before);
}

#[test]
fn an_automerge_document_of_another_shape_is_a_layout_error() {
    let mut other = AutoCommit::new();
    reconcile(&mut other, BTreeMap::from([("title", "notes")])).unwrap();
    assert!(matches!(
        WorkspaceDoc::load(&other.save()),
        Err(WorkspaceError::Layout(_))
    ));
}

#[test]
fn a_newer_schema_version_is_refused_clearly() {
    let mut newer = AutoCommit::new();
    let layout = Layout {
        schema_version: SCHEMA_VERSION + 1,
        customers: BTreeMap::new(),
    };
    reconcile(&mut newer, &layout).unwrap();
    assert_eq!(
        WorkspaceDoc::load(&newer.save()).unwrap_err(),
        WorkspaceError::NewerSchema {
            found: SCHEMA_VERSION + 1,
            supported: SCHEMA_VERSION
        }
    );
}
