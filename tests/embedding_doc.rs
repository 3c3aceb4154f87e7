//! EMBEDDING.md stays true: every control, region and lesson the code accepts is listed there,
//! and nothing is listed that the code would refuse.
// The lessons are read from the embedded files (not with `fetched-lessons`, the page's build).
#![cfg(not(any(target_arch = "wasm32", feature = "fetched-lessons")))]

use queue_playground::{embed, lessons};

fn doc() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/EMBEDDING.md")).unwrap()
}

/// The backticked names on the line after a bold label such as "**Control names**".
fn listed(doc: &str, label: &str) -> Vec<String> {
    let start = doc
        .find(label)
        .unwrap_or_else(|| panic!("{label} in EMBEDDING.md"));
    let para = &doc[start..doc[start..].find("\n\n").map_or(doc.len(), |e| start + e)];
    para.split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| s.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
        .fold(Vec::new(), |mut names: Vec<String>, s| {
            // Later mentions in the same paragraph (examples) are not new names.
            if !names.iter().any(|n| n == s) {
                names.push(s.to_owned());
            }
            names
        })
}

#[test]
fn every_control_region_and_lesson_is_documented() {
    let doc = doc();
    let mut controls = listed(&doc, "**Control names**");
    controls.retain(|c| c != "lock" && c != "hide");
    let expected: Vec<&str> = embed::CONTROLS.iter().map(|(n, _)| *n).collect();
    assert_eq!(controls, expected);
    let regions = listed(&doc, "**Region names**");
    let mut expected: Vec<&str> = embed::REGIONS.to_vec();
    expected.sort_unstable();
    let mut regions_sorted: Vec<&str> = regions
        .iter()
        .map(String::as_str)
        .filter(|r| *r != "hide" && *r != "show")
        .collect();
    regions_sorted.sort_unstable();
    assert_eq!(regions_sorted, expected);
    let ids = listed(&doc, "**Lesson ids**");
    let expected: Vec<&str> = lessons::all().iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids, expected);
}
