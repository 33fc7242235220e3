#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

const HEADER: &str = "id,name,criticality,department,downtime_procedure,depends_on,services,functions";

fn csv_of(rows: &[&str]) -> String {
    let mut text = format!("{HEADER}\n");
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    text
}

fn err(rows: &[&str]) -> String {
    parse_csv(&csv_of(rows)).unwrap_err().to_string()
}

fn sys(id: &str, depends_on: &[&str], services: &[&str]) -> SystemRecord {
    SystemRecord {
        id: id.to_string(),
        name: format!("System {id}"),
        criticality: Criticality::Medium,
        department: "IT".to_string(),
        downtime_procedure: "Paper".to_string(),
        depends_on: depends_on.iter().map(|s| s.to_string()).collect(),
        services: services.iter().map(|s| s.to_string()).collect(),
        functions: vec![],
    }
}

fn register(systems: Vec<SystemRecord>) -> Register {
    Register::from_systems(systems).unwrap()
}

fn via_of(impact: &Impact, id: &str) -> Vec<String> {
    impact.affected.iter().find(|a| a.id == id).unwrap().via.clone()
}

fn path(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[test]
fn parses_a_register_and_normalises_lists() {
    let text = csv_of(&[
        "pacs,PACS,High,Radiology,Read at modality,ad; network-core; ad,Radiology;;Emergency Department ; ,diagnostics",
        "network-core,Core network,life critical,IT Infrastructure,Downtime PCs,,,",
        "ad,Active Directory,HIGH,IT Infrastructure,Break-glass accounts,network-core,,",
    ]);
    let r = parse_csv(&text).unwrap();
    let ids: Vec<&str> = r.systems.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["ad", "network-core", "pacs"]);
    let pacs = r.get("pacs").unwrap();
    assert_eq!(pacs.depends_on, ["ad", "network-core"]);
    assert_eq!(pacs.services, ["Emergency Department", "Radiology"]);
    assert_eq!(pacs.functions, [ClinicalFunction::Diagnostics]);
    assert!(pacs.needs_clinical_signoff());
    assert_eq!(r.get("network-core").unwrap().criticality, Criticality::LifeCritical);
    assert!(!r.get("ad").unwrap().needs_clinical_signoff());
    assert!(r.get("nope").is_none());
    r.validate().unwrap();
}

#[test]
fn columns_may_come_in_any_order_and_blank_lines_are_skipped() {
    let text = "\n functions ,services,depends_on,downtime_procedure,department,criticality,name,id\n\n\
                medication-administration,Pharmacy,,Paper MAR,Pharmacy,high,Pharmacy system,pharmacy\n\
                ,,,,,,,\n   \n";
    let r = parse_csv(text).unwrap();
    assert_eq!(r.systems.len(), 1);
    assert_eq!(r.systems[0].functions, [ClinicalFunction::MedicationAdministration]);
    assert_eq!(r.systems[0].name, "Pharmacy system");
}

#[test]
fn header_errors_name_the_columns() {
    assert_eq!(parse_csv("").unwrap_err(), RegisterError::NoHeader);
    assert_eq!(parse_csv("\n\n").unwrap_err(), RegisterError::NoHeader);

    let e = parse_csv("system,name\npacs,PACS\n").unwrap_err();
    assert_eq!(e, RegisterError::UnknownColumn { line: 1, column: "system".to_string() });

    let e = parse_csv(&format!("{HEADER},owner\n")).unwrap_err();
    assert_eq!(e, RegisterError::UnknownColumn { line: 1, column: "owner".to_string() });
    assert!(e.to_string().starts_with("line 1: unknown column \"owner\""), "{e}");

    let e = parse_csv("id,name,criticality,department,downtime_procedure,services\n").unwrap_err();
    assert_eq!(
        e,
        RegisterError::MissingColumns {
            line: 1,
            columns: vec!["depends_on".to_string(), "functions".to_string()]
        }
    );
    assert_eq!(e.to_string(), "line 1: the header lacks column(s) depends_on, functions");

    let e = parse_csv(&format!("{HEADER},id\n")).unwrap_err();
    assert_eq!(e, RegisterError::DuplicateColumn { line: 1, column: "id".to_string() });
    assert_eq!(e.code(), "register.invalid");
}

#[test]
fn bad_criticality_names_line_field_and_value() {
    let e = err(&["ad,AD,high,IT,Paper,,,", "", "pacs,PACS,urgent,Radiology,Paper,,,"]);
    assert_eq!(e, r#"line 4, field criticality: "urgent" is not one of life-critical, high, medium, low"#);
}

#[test]
fn bad_function_is_rejected() {
    let e = err(&["pacs,PACS,high,Radiology,Paper,,,diagnostics;surgery"]);
    assert_eq!(
        e,
        r#"line 2, field functions: "surgery" is not one of medication-administration, diagnostics"#
    );
}

#[test]
fn bad_ids_are_rejected() {
    for bad in ["PACS", "pacs system", "pacs_1", "pâcs", &"a".repeat(65)] {
        let text = csv_of(&[&format!("{bad},PACS,high,Radiology,Paper,,,")]);
        match parse_csv(&text).unwrap_err() {
            RegisterError::Field { line, field, value, reason } => {
                assert_eq!((line, field.as_str()), (2, "id"));
                assert!(reason.starts_with("is not a system id"), "{reason}");
                assert!(bad.starts_with(value.trim_end_matches("...")), "{value}");
            }
            other => panic!("{other:?}"),
        }
    }
    let e = err(&["pacs,PACS,high,Radiology,Paper,Network Core,,"]);
    assert!(e.starts_with(r#"line 2, field depends_on: "Network Core" is not a system id"#), "{e}");
    assert!(parse_csv(&csv_of(&[&format!("{},PACS,high,Radiology,Paper,,,", "a".repeat(64))])).is_ok());
}

#[test]
fn duplicate_id_names_both_lines() {
    let e = parse_csv(&csv_of(&[
        "pacs,PACS,high,Radiology,Paper,,,",
        "ris,RIS,high,Radiology,Paper,,,",
        "pacs,PACS 2,low,Radiology,Paper,,,",
    ]))
    .unwrap_err();
    assert_eq!(e, RegisterError::DuplicateId { id: "pacs".to_string(), first_line: 2, line: 4 });
    assert_eq!(e.to_string(), r#"line 4, field id: "pacs" is already the id of the system on line 2"#);
}

#[test]
fn unknown_dependency_names_line_and_value() {
    let e = err(&[
        "lis,LIS,high,Laboratory,Paper,,,",
        "ris,RIS,high,Radiology,Paper,,,",
        "pacs,PACS,high,Radiology,Paper,ris,,",
        "",
        "",
        "blood-bank,Blood bank,life-critical,Transfusion,O-neg,lis2; lis,,",
    ]);
    assert_eq!(e, r#"line 7, field depends_on: "lis2" names no system in the register"#);
}

#[test]
fn self_dependency_is_rejected_but_cycles_are_not() {
    let e = err(&["lis,LIS,high,Laboratory,Paper,lis,,"]);
    assert!(e.starts_with(r#"line 2, field depends_on: "lis" is the system itself"#), "{e}");
    let r = parse_csv(&csv_of(&["a,A,high,X,Paper,b,,", "b,B,high,X,Paper,a,,"])).unwrap();
    r.validate().unwrap();
}

#[test]
fn empty_required_fields_are_rejected() {
    let cases = [
        (",PACS,high,Radiology,Paper,,,", "id"),
        ("pacs,  ,high,Radiology,Paper,,,", "name"),
        ("pacs,PACS,,Radiology,Paper,,,", "criticality"),
        ("pacs,PACS,high,,Paper,,,", "department"),
        ("pacs,PACS,high,Radiology,,,,", "downtime_procedure"),
    ];
    for (row, field) in cases {
        match parse_csv(&csv_of(&[row])).unwrap_err() {
            RegisterError::Field { line: 2, field: f, .. } => assert_eq!(f, field, "{row}"),
            other => panic!("{row}: {other:?}"),
        }
    }
    assert_eq!(
        err(&["pacs,PACS,high,,Paper,,,"]),
        r#"line 2, field department: "" is empty, but department is required"#
    );
}

#[test]
fn length_limits_and_line_breaks_in_one_line_fields() {
    let long = "x".repeat(2001);
    let e = err(&[&format!("pacs,PACS,high,Radiology,{long},,,")]);
    assert!(e.starts_with("line 2, field downtime_procedure:"), "{e}");
    assert!(e.ends_with("is longer than 2000 characters"), "{e}");
    assert!(e.len() < 200, "the value is shortened: {e}");
    let e = err(&["pacs,\"PACS\nserver\",high,Radiology,Paper,,,"]);
    assert!(e.contains("field name") && e.contains("line break"), "{e}");
}

#[test]
fn row_with_wrong_number_of_cells_is_rejected() {
    let e = parse_csv(&csv_of(&["pacs,PACS,high,Radiology,Paper,,"])).unwrap_err();
    assert_eq!(e, RegisterError::CellCount { line: 2, expected: 8, found: 7 });
    let e = parse_csv(&csv_of(&["pacs,PACS,high,Radiology,Paper, with comma,,,"])).unwrap_err();
    assert_eq!(e, RegisterError::CellCount { line: 2, expected: 8, found: 9 });
}

#[test]
fn quoted_fields_hold_commas_quotes_and_newlines_and_lines_count_physically() {
    let text = csv_of(&[
        "ehr,EHR,life-critical,Clinical Informatics,\"Paper charts, downtime reports\nprinted every 2 h;\nask for \"\"BCA\"\" PCs\",,\"Emergency Department; Inpatient Wards\",",
        "pacs,PACS,urgent,Radiology,Paper,,,",
    ]);
    let r = parse_csv(&text[..text.find("pacs,").unwrap()]).unwrap();
    assert_eq!(
        r.systems[0].downtime_procedure,
        "Paper charts, downtime reports\nprinted every 2 h;\nask for \"BCA\" PCs"
    );
    assert_eq!(r.systems[0].services, ["Emergency Department", "Inpatient Wards"]);
    // The record after the three-line one starts on physical line 5.
    let e = parse_csv(&text).unwrap_err();
    assert!(e.to_string().starts_with("line 5, field criticality"), "{e}");
}

#[test]
fn line_numbers_count_blank_lines_and_any_line_ending() {
    for ending in ["\n", "\r\n", "\r"] {
        let text = [
            "",
            HEADER,
            "",
            "ad,AD,high,IT,\"Paper",
            "forms\",,,",
            "",
            "",
            "pacs,PACS,urgent,Radiology,Paper,,,",
        ]
        .join(ending);
        let e = parse_csv(&text).unwrap_err().to_string();
        assert!(e.starts_with("line 8, field criticality"), "{ending:?}: {e}");
        let e = parse_csv(&format!("\u{feff}{ending}{ending}x,y")).unwrap_err();
        assert_eq!(e, RegisterError::UnknownColumn { line: 3, column: "x".to_string() }, "{ending:?}");
    }
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let text = format!("\u{feff}{}", csv_of(&["pacs,PACS,high,Radiology,Paper,,,"]));
    let r = parse_csv(&text).unwrap();
    assert_eq!(r.systems[0].id, "pacs");
}

#[test]
fn round_trips_through_csv() {
    let mut ehr = sys("ehr", &["ad"], &["Emergency Department", "Inpatient Wards"]);
    ehr.name = "EHR, \"Epic\"".to_string();
    ehr.criticality = Criticality::LifeCritical;
    ehr.downtime_procedure = "Paper charts;\r\nBCA PCs, printed \"MAR\"\n\tevery 4 h".to_string();
    ehr.department = "Clinical Informatics; EHR team".to_string();
    let mut pumps = sys("infusion-pumps", &["ehr", "ad"], &["Intensive Care"]);
    pumps.functions = vec![ClinicalFunction::Diagnostics, ClinicalFunction::MedicationAdministration];
    pumps.criticality = Criticality::Low;
    let ad = sys("ad", &["infusion-pumps"], &[]);
    let r = register(vec![pumps, ehr, ad]);
    let text = to_csv(&r);
    assert!(text.starts_with(&format!("{HEADER}\n")), "{text}");
    assert_eq!(parse_csv(&text).unwrap(), r);
    assert_eq!(parse_csv(&to_csv(&Register { systems: vec![] })).unwrap(), Register { systems: vec![] });
}

fn arbitrary_register() -> impl proptest::strategy::Strategy<Value = Register> {
    use proptest::prelude::*;
    let one_line = "[A-Za-z]([A-Za-z0-9,\";'é=+@ -]{0,15}[A-Za-z])?";
    let lines = "[A-Za-z]([A-Za-z0-9,\";'é \n\r\t-]{0,30}[A-Za-z])?";
    let service = "[A-Za-z]([A-Za-z0-9,\"'é -]{0,10}[A-Za-z])?";
    let system = (
        "[a-z0-9-]{1,8}",
        one_line,
        0..4usize,
        one_line,
        lines,
        proptest::collection::vec(0..6usize, 0..4),
        proptest::collection::vec(service, 0..3),
        proptest::collection::vec(0..2usize, 0..3),
    );
    proptest::collection::vec(system, 0..6).prop_map(|raw| {
        let mut ids: Vec<String> = raw.iter().map(|r| r.0.clone()).collect();
        ids.sort();
        ids.dedup();
        let systems = ids
            .iter()
            .filter_map(|id| raw.iter().find(|r| &r.0 == id))
            .map(|(id, name, criticality, department, procedure, deps, services, functions)| SystemRecord {
                id: id.clone(),
                name: name.clone(),
                criticality: CRITICALITIES[*criticality],
                department: department.clone(),
                downtime_procedure: procedure.clone(),
                depends_on: deps.iter().filter_map(|&i| ids.get(i)).filter(|d| *d != id).cloned().collect(),
                services: services.clone(),
                functions: functions.iter().map(|&i| CLINICAL_FUNCTIONS[i]).collect(),
            })
            .collect();
        Register::from_systems(systems).unwrap()
    })
}

proptest::proptest! {
    #[test]
    fn any_valid_register_round_trips(r in arbitrary_register()) {
        proptest::prop_assert_eq!(parse_csv(&to_csv(&r)), Ok(r.clone()));
        for s in &r.systems {
            let i = impact(&r, &s.id).unwrap();
            proptest::prop_assert!(i.affected.iter().all(|a| a.via.first() == Some(&s.id) && a.id != s.id));
        }
    }
}

#[test]
fn validate_catches_what_the_csv_reader_would() {
    let good = register(vec![sys("a", &[], &[]), sys("b", &["a"], &[])]);
    good.validate().unwrap();

    let mut r = good.clone();
    r.systems.reverse();
    assert!(r.validate().unwrap_err().to_string().contains("out of order"));

    let mut r = good.clone();
    r.systems[1].depends_on = vec!["zz".to_string()];
    assert_eq!(
        r.validate().unwrap_err().to_string(),
        r#"system "b", field depends_on: "zz" names no system in the register"#
    );

    let mut r = good.clone();
    r.systems[1].id = "a".to_string();
    r.systems[1].depends_on = vec![];
    assert_eq!(r.validate().unwrap_err(), RegisterError::DuplicateSystem { id: "a".to_string() });

    let mut r = good.clone();
    r.systems[0].name = " padded".to_string();
    assert!(r.validate().unwrap_err().to_string().contains("whitespace"));

    let mut r = good.clone();
    r.systems[0].services = vec!["B".to_string(), "A".to_string()];
    assert!(r.validate().unwrap_err().to_string().contains("not sorted"));

    let mut r = good.clone();
    r.systems[0].services = vec!["A;B".to_string()];
    assert!(r.validate().unwrap_err().to_string().contains("';'"));

    let mut r = good;
    r.systems[0].depends_on = vec!["a".to_string()];
    assert!(r.validate().unwrap_err().to_string().contains("itself"));
}

#[test]
fn chain_gives_direct_and_indirect_with_paths() {
    let mut c = sys("c", &["b"], &["Wards"]);
    c.criticality = Criticality::LifeCritical;
    let r = register(vec![sys("a", &[], &[]), sys("b", &["a"], &[]), c]);
    let i = impact(&r, "a").unwrap();
    assert_eq!(i.system.id, "a");
    let got: Vec<(&str, bool, Vec<String>)> =
        i.affected.iter().map(|a| (a.id.as_str(), a.direct, a.via.clone())).collect();
    // c is life-critical, so it comes first.
    assert_eq!(got, [("c", false, path(&["a", "b", "c"])), ("b", true, path(&["a", "b"]))]);
    assert!(impact(&r, "c").unwrap().affected.is_empty());
    assert_eq!(impact(&r, "zz").unwrap_err(), RegisterError::UnknownSystem { id: "zz".to_string() });
}

#[test]
fn a_cycle_terminates() {
    let r = register(vec![sys("a", &["c"], &[]), sys("b", &["a"], &[]), sys("c", &["b"], &[])]);
    let i = impact(&r, "a").unwrap();
    assert_eq!(via_of(&i, "b"), path(&["a", "b"]));
    assert_eq!(via_of(&i, "c"), path(&["a", "b", "c"]));
    assert_eq!(i.affected.len(), 2, "the isolated system is not listed as affected");
}

#[test]
fn diamond_gives_the_shortest_then_smallest_path() {
    let r = register(vec![
        sys("s", &[], &[]),
        sys("z", &["s"], &[]),
        sys("m", &["s"], &[]),
        sys("c", &["z", "m"], &[]),
        // Shorter through z than through the alphabetically smaller a0-a1 chain.
        sys("a0", &["s"], &[]),
        sys("a1", &["a0"], &[]),
        sys("e", &["a1", "z"], &[]),
        // Ties compare whole chains: [s, m, c, r] beats [s, z, p, r] although its last hop c > p.
        sys("p", &["z"], &[]),
        sys("r", &["p", "c"], &[]),
        sys("d", &["c", "s"], &[]),
    ]);
    let i = impact(&r, "s").unwrap();
    assert_eq!(via_of(&i, "c"), path(&["s", "m", "c"]));
    assert_eq!(via_of(&i, "e"), path(&["s", "z", "e"]));
    assert_eq!(via_of(&i, "r"), path(&["s", "m", "c", "r"]));
    assert_eq!(via_of(&i, "d"), path(&["s", "d"]));
    assert!(i.affected.iter().find(|a| a.id == "d").unwrap().direct);
    // Deterministic whatever the input order.
    let mut systems = r.systems.clone();
    systems.reverse();
    assert_eq!(impact(&register(systems), "s").unwrap(), i);
    let ids: Vec<&str> = i.affected.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["a0", "a1", "c", "d", "e", "m", "p", "r", "z"]);
}

#[test]
fn services_are_the_union_with_their_systems() {
    let mut lis = sys("lis", &["hl7"], &["Laboratory", "Emergency Department"]);
    lis.functions = vec![ClinicalFunction::Diagnostics];
    let r = register(vec![
        sys("hl7", &[], &["Integration"]),
        lis,
        sys("bb", &["lis"], &["Emergency Department", "Transfusion"]),
        sys("other", &[], &["Laboratory"]),
    ]);
    let i = impact(&r, "hl7").unwrap();
    let got: Vec<(&str, Vec<String>)> =
        i.services.iter().map(|s| (s.service.as_str(), s.systems.clone())).collect();
    assert_eq!(
        got,
        [
            ("Emergency Department", path(&["bb", "lis"])),
            ("Integration", path(&["hl7"])),
            ("Laboratory", path(&["lis"])),
            ("Transfusion", path(&["bb"])),
        ]
    );
    assert!(i.needs_clinical_signoff, "hl7 handles no clinical function, but lis, which needs it, does");
    assert_eq!(i.signoff_because, ["lis"]);
    assert!(impact(&r, "lis").unwrap().needs_clinical_signoff);
}

#[test]
fn impact_serialises_without_floats_and_back() {
    let r = register(vec![sys("a", &[], &["X"]), sys("b", &["a"], &["Y"])]);
    let i = impact(&r, "a").unwrap();
    let json = serde_json::to_string(&i).unwrap();
    assert!(json.contains(r#""criticality":"medium""#), "{json}");
    assert_eq!(serde_json::from_str::<Impact>(&json).unwrap(), i);
    let json = serde_json::to_string(&r).unwrap();
    assert_eq!(serde_json::from_str::<Register>(&json).unwrap(), r);
    assert!(serde_json::from_str::<Register>(r#"{"systems":[],"extra":1}"#).is_err());
    assert_eq!(serde_json::to_string(&Criticality::LifeCritical).unwrap(), r#""life-critical""#);
    assert_eq!(
        serde_json::to_string(&ClinicalFunction::MedicationAdministration).unwrap(),
        r#""medication-administration""#
    );
}

#[test]
fn criticality_parses_leniently_and_ranks() {
    for input in ["life-critical", "Life Critical", "LIFE_CRITICAL", " life  critical "] {
        assert_eq!(Criticality::parse(input).unwrap(), Criticality::LifeCritical, "{input}");
    }
    for c in CRITICALITIES {
        assert_eq!(Criticality::parse(c.slug()).unwrap(), c);
        assert_eq!(Criticality::parse(c.label()).unwrap(), c);
    }
    assert!(CRITICALITIES.windows(2).all(|w| w[0] < w[1] && w[0].rank() < w[1].rank()));
    assert_eq!(Criticality::LifeCritical.to_string(), "Life-critical");
    assert_eq!(
        ClinicalFunction::parse("Medication Administration").unwrap(),
        ClinicalFunction::MedicationAdministration
    );
}

#[test]
fn demo_register_isolating_the_interface_engine() {
    let r = parse_csv(include_str!("../../../../assets/demo/systems.csv")).unwrap();
    r.validate().unwrap();
    assert_eq!(r.systems.len(), 14);
    assert_eq!(parse_csv(&to_csv(&r)).unwrap(), r);

    let i = impact(&r, "hl7-engine").unwrap();
    for id in ["lis", "pharmacy"] {
        let a = i.affected.iter().find(|a| a.id == id).unwrap();
        assert!(a.direct, "{id}");
        assert_eq!(a.via, path(&["hl7-engine", id]));
    }
    let bcma = i.affected.iter().find(|a| a.id == "bcma").unwrap();
    assert_eq!((bcma.direct, bcma.via.clone()), (false, path(&["hl7-engine", "pharmacy", "bcma"])));
    assert!(i.affected.iter().all(|a| a.id != "ehr" && a.id != "ad" && a.id != "network-core"));

    let supporting =
        |service: &str| i.services.iter().find(|s| s.service == service).map(|s| s.systems.clone());
    assert!(supporting("Laboratory").unwrap().contains(&"lis".to_string()));
    assert!(supporting("Pharmacy").unwrap().contains(&"pharmacy".to_string()));
    for id in ["lis", "pharmacy"] {
        for service in &r.get(id).unwrap().services {
            assert!(supporting(service).unwrap().contains(&id.to_string()), "{service}");
        }
    }
    // Most critical first.
    assert!(i.affected.windows(2).all(|w| w[0].criticality <= w[1].criticality));
    assert!(r.get("pharmacy").unwrap().needs_clinical_signoff());
    assert!(impact(&r, "pharmacy").unwrap().needs_clinical_signoff);
}
