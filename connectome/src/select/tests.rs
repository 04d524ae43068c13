//! Parser, precedence, round-trip and error tests on a small hand-made table.

use super::*;
use crate::transmitter::Transmitter;

/// ids 10..=15 with type, side and transmitter annotations.
fn table() -> NeuronTable {
    let rows = [
        (10, "DNa01", "left", Transmitter::Acetylcholine),
        (11, "DNa02", "right", Transmitter::Gaba),
        (12, "LC4", "left", Transmitter::Acetylcholine),
        (13, "JO-C", "right", Transmitter::Glutamate),
        (14, "a b", "", Transmitter::Unknown),
        (15, "", "left", Transmitter::Gaba),
    ];
    let mut t = NeuronTable::new();
    for (id, ty, side, nt) in rows {
        let (i, _) = t.insert(id);
        t.set_annotation(i, "type", ty);
        t.set_annotation(i, "side", side);
        t.set_transmitter(i, nt);
    }
    t
}

fn sel(s: &str) -> Vec<NeuronIndex> {
    Selector::parse(s)
        .unwrap_or_else(|e| panic!("{s}: {e}"))
        .select(&table())
        .unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn parse_err(s: &str) -> (usize, String) {
    match Selector::parse(s) {
        Err(SelectError::Parse {
            position, expected, ..
        }) => (position, expected),
        other => panic!("{s}: expected a parse error, got {other:?}"),
    }
}

#[test]
fn equality_lists_and_negation() {
    assert_eq!(sel("type=LC4"), [2]);
    assert_eq!(sel("type=DNa01,DNa02"), [0, 1]);
    assert_eq!(sel("type = DNa01 , DNa02"), [0, 1]);
    assert_eq!(sel("type!=DNa01,DNa02"), [2, 3, 4, 5]);
    assert_eq!(sel("type=JO-C"), [3]);
    assert_eq!(sel("type=\"a b\""), [4]);
    assert_eq!(sel("type='a b'"), [4]);
    assert_eq!(sel("type=\"\""), [5]);
    assert_eq!(sel("all"), [0, 1, 2, 3, 4, 5]);
}

#[test]
fn regex_is_anchored_to_the_whole_value() {
    assert_eq!(sel("type~DN"), Vec::<NeuronIndex>::new());
    assert_eq!(sel("type~DN.*"), [0, 1]);
    assert_eq!(sel("type~\"DNa0(1|2)\""), [0, 1]);
    assert_eq!(sel("type~LC\\d+,JO-.*"), [2, 3]);
    assert_eq!(sel("type!~DN.*"), [2, 3, 4, 5]);
}

#[test]
fn transmitters_accept_flywire_and_plain_spellings() {
    assert_eq!(sel("nt=GABA"), [1, 5]);
    assert_eq!(sel("transmitter=gaba,GLUT"), [1, 3, 5]);
    assert_eq!(sel("nt=ACH"), [0, 2]);
    assert_eq!(sel("nt=unknown"), [4]);
    assert_eq!(sel("nt!=gaba"), [0, 2, 3, 4]);
    let (pos, expected) = parse_err("nt=gaba,dopamin");
    assert_eq!(pos, 9);
    assert!(expected.contains("transmitter"), "{expected}");
}

#[test]
fn ids_and_id_files() {
    assert_eq!(sel("id=12,10"), [0, 2]);
    assert_eq!(sel("id!=12"), [0, 1, 3, 4, 5]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ids.txt"),
        "# giant fibre\n13\n\n11  # right\n",
    )
    .unwrap();
    let s = Selector::parse("id@ids.txt & side=right").unwrap();
    assert_eq!(s.select_in(&table(), Some(dir.path())).unwrap(), [1, 3]);
    let abs = format!("id@\"{}\"", dir.path().join("ids.txt").display());
    assert_eq!(sel(&abs), [1, 3]);

    std::fs::write(dir.path().join("bad.txt"), "13\nDNp01\n").unwrap();
    let err = Selector::parse("id@bad.txt")
        .unwrap()
        .select_in(&table(), Some(dir.path()))
        .unwrap_err();
    assert!(
        matches!(&err, SelectError::BadIdLine { location, found } if location.line == Some(2) && found == "DNp01"),
        "{err}"
    );
    assert!(err.to_string().contains("bad.txt, line 2"), "{err}");

    std::fs::write(dir.path().join("absent.txt"), "13\n99\n").unwrap();
    let err = Selector::parse("id@absent.txt")
        .unwrap()
        .select_in(&table(), Some(dir.path()))
        .unwrap_err();
    assert!(
        matches!(&err, SelectError::UnknownId { id: 99, at: Some(l), .. } if l.line == Some(2)),
        "{err}"
    );

    let err = Selector::parse("id@missing.txt")
        .unwrap()
        .select_in(&table(), Some(dir.path()))
        .unwrap_err();
    assert!(
        matches!(&err, SelectError::Io { path, .. } if path.ends_with("missing.txt")),
        "{err}"
    );
}

#[test]
fn unknown_ids_and_columns_are_errors_that_say_what_exists() {
    let err = Selector::parse("id=10,77")
        .unwrap()
        .select(&table())
        .unwrap_err();
    assert!(
        matches!(
            err,
            SelectError::UnknownId {
                id: 77,
                at: None,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("77"));
    let err = Selector::parse("side=left & hemibrain_type=LC4")
        .unwrap()
        .select(&table())
        .unwrap_err();
    match &err {
        SelectError::UnknownColumn {
            selector,
            column,
            available,
        } => {
            assert_eq!(selector, "side=left & hemibrain_type=LC4");
            assert_eq!(column, "hemibrain_type");
            assert_eq!(available, "type, side, id, nt");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn precedence_not_and_or() {
    // & binds tighter than |, ! tighter than &.
    assert_eq!(sel("type=LC4 | side=left & nt=gaba"), [2, 5]);
    assert_eq!(sel("(type=LC4 | side=left) & nt=gaba"), [5]);
    assert_eq!(sel("!side=left & nt=gaba"), [1]);
    assert_eq!(sel("!(side=left & nt=gaba)"), [0, 1, 2, 3, 4]);
    assert_eq!(sel("!!type=LC4"), [2]);
    assert_eq!(sel("side=right|type=LC4&nt=ach"), [1, 2, 3]);
    assert_eq!(
        Selector::parse("(a=1 & b=2) & c=3").unwrap(),
        Selector::parse("a=1 & (b=2 & c=3)").unwrap()
    );
}

#[test]
fn display_round_trips() {
    for s in [
        "type=LC4",
        "type=DNa01,DNa02 | side=left & !nt=gaba",
        "(type=LC4 | type=LPLC2) & side=left",
        "!(type=a | type=b)",
        "type=\"a b\",\"x,y\",\"q\\\"uote\",\"\"",
        "type~\"LC(4|6)\" & class!~sens.*",
        "id=720575940632499757,720575940622838154 | id@\"my ids.txt\"",
        "\"nt\"=x & \"all\"!=y & \"id\"~z",
        "all & !all",
        "sub_class=sugar/water & hemibrain_type=JO-C",
    ] {
        let a = Selector::parse(s).unwrap();
        let text = a.to_string();
        let b = Selector::parse(&text).unwrap_or_else(|e| panic!("{s} -> {text}: {e}"));
        assert_eq!(a, b, "{s} -> {text}");
        assert_eq!(text, b.to_string());
    }
    assert_eq!(
        Selector::parse("  type =LC4&side= left  ")
            .unwrap()
            .to_string(),
        "type=LC4 & side=left"
    );
    assert_eq!(
        Selector::parse("transmitter=GLUT").unwrap().to_string(),
        "nt=glutamate"
    );
    assert_eq!(Selector::parse("((type=a))").unwrap().to_string(), "type=a");
}

#[test]
fn quoted_column_is_an_annotation_not_a_pseudo_column() {
    let mut t = table();
    t.set_annotation(0, "nt", "weird");
    let s = Selector::parse("\"nt\"=weird").unwrap();
    assert_eq!(s.select(&t).unwrap(), [0]);
}

#[test]
fn parse_errors_name_position_and_expectation() {
    let cases: [(&str, usize, &str); 14] = [
        ("", 1, "a selector"),
        ("type", 5, "an operator"),
        ("type=", 6, "a value"),
        ("type=LC4 &", 11, "a column name"),
        ("type=LC4 side=left", 10, "`&`, `|`"),
        ("(type=LC4", 10, "`)`"),
        ("type=LC4)", 9, "`&`, `|`"),
        ("type=\"LC4", 10, "closing"),
        ("type~\"LC(4\"", 6, "regular expression"),
        ("id=12,x", 7, "neuron id"),
        ("id~1", 3, "`=`, `!=` or `@`"),
        ("nt~gaba", 3, "`=` or `!=`"),
        ("type@f", 5, "`@FILE` is for `id@FILE`"),
        ("= LC4", 1, "a column name"),
    ];
    for (input, pos, expected) in cases {
        let (p, e) = parse_err(input);
        assert_eq!(p, pos, "{input}: {e}");
        assert!(
            e.contains(expected),
            "{input}: expected {expected:?} in {e:?}"
        );
    }
    let msg = Selector::parse("type=LC4 &").unwrap_err().to_string();
    assert_eq!(
        msg,
        "selector `type=LC4 &`: at position 11: expected a column name, `id`, `nt`, `all`, `!` or `(`, found end of input"
    );
}

#[test]
fn serde_uses_the_string_form() {
    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Readout {
        neurons: Selector,
    }
    let r: Readout = serde_json::from_str(r#"{"neurons": "type=DNa01 | type=DNa02"}"#).unwrap();
    assert_eq!(r.neurons.select(&table()).unwrap(), [0, 1]);
    assert_eq!(
        serde_json::to_string(&r).unwrap(),
        r#"{"neurons":"type=DNa01 | type=DNa02"}"#
    );
    let err = serde_json::from_str::<Readout>(r#"{"neurons": "type="}"#).unwrap_err();
    assert!(err.to_string().contains("expected a value"), "{err}");
}

#[test]
fn id_files_with_a_byte_order_mark_and_crlf() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ids.txt"), "\u{feff}13\r\n11\r\n").unwrap();
    let s = Selector::parse("id@ids.txt").unwrap();
    assert_eq!(s.select_in(&table(), Some(dir.path())).unwrap(), [1, 3]);
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    // 256 levels parse (an odd number of `!` selects nothing); far deeper input (which used to overflow the stack) is refused at
    // the first level past the bound.
    let ok = format!("{}all{}", "(".repeat(128), ")".repeat(128));
    assert_eq!(sel(&format!("{}{ok}", "!".repeat(127))).len(), 0);
    assert_eq!(sel(&format!("{}{ok}", "!".repeat(128))).len(), 6);
    for deep in [
        format!("{}all{}", "(".repeat(100_000), ")".repeat(100_000)),
        format!("{}all", "!".repeat(100_000)),
    ] {
        let (p, e) = parse_err(&deep);
        assert_eq!(p, 257, "{e}");
        assert!(e.contains("at most 256 nested"), "{e}");
    }
}
