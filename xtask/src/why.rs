//! `cargo xtask size --why`: what the wasm is made of, by crate and by function.
//!
//! Contract: builds the page's wasm exactly as the release build does (same cargo profile, same
//! wasm-bindgen, wasm-opt `-Oz`) but keeps the function names (`-g`), runs twiggy over it and
//! prints the bytes per crate and the largest items. The figures are raw bytes of the names-kept
//! module without its name section, so shares match the shipped wasm closely; gzip is not
//! attributed per function (compression works across functions). Installs twiggy when missing.
//!
//! Attribution follows the symbol: `<T as Trait>::f` belongs to `T`'s crate, or to the trait's
//! when `T` is a standard-library wrapper such as `PhantomData`. twiggy credits inlined code to
//! its caller, so Yew's `CompStateInner::view` rows hold the app's own `html!` trees.

use std::collections::BTreeMap;

use crate::run::{command, root};

const TWIGGY_VERSION: &str = "0.8.0";
const OUT: &str = "target/size-why";

pub fn run() -> Result<(), String> {
    crate::tools::ensure_build_tools()?;
    ensure_twiggy()?;
    let named = build_named()?;
    let json = command(
        "twiggy",
        &["top", "-n", "1000000", "--format", "json", named.as_str()],
    )
    .output()
    .ok_or("twiggy top failed")?;
    let items = parse(&json)?;
    print!("{}", report(&items, 30));
    Ok(())
}

fn ensure_twiggy() -> Result<(), String> {
    // The binary calls itself `twiggy-opt` in `--version`, so match the number only.
    let found = command("twiggy", &["--version"]).output();
    if found.is_some_and(|v| v.trim_end().ends_with(TWIGGY_VERSION)) {
        println!("    twiggy {TWIGGY_VERSION}: present");
        return Ok(());
    }
    println!("==> installing twiggy {TWIGGY_VERSION} from crates.io (about 3 minutes, once)");
    command(
        "cargo",
        &["install", "twiggy", "--version", TWIGGY_VERSION, "--locked"],
    )
    .status()
}

/// The release wasm through wasm-bindgen and wasm-opt `-Oz -g`: the shipped code, with names.
fn build_named() -> Result<String, String> {
    command(
        "cargo",
        &[
            "build",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            "--bin",
            "queue-playground",
            "--features",
            "fetched-lessons",
        ],
    )
    // The same flags as the page's build, or this would measure other bytes.
    .env("RUSTFLAGS", &crate::run::page_rustflags())
    .status()?;
    let out = root().join(OUT);
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {OUT}: {e}"))?;
    let input = "target/wasm32-unknown-unknown/release/queue-playground.wasm";
    command(
        "wasm-bindgen",
        &[
            "--target",
            "web",
            "--no-typescript",
            "--out-dir",
            OUT,
            input,
        ],
    )
    .status()?;
    let bound = format!("{OUT}/queue-playground_bg.wasm");
    let named = format!("{OUT}/named.wasm");
    let flags = [
        "--low-memory-unused",
        "-Oz",
        "-g",
        "--strip-producers",
        "--strip-target-features",
    ];
    let mut args: Vec<&str> = flags.to_vec();
    args.extend([bound.as_str(), "-o", named.as_str()]);
    command("wasm-opt", &args).status()?;
    Ok(root().join(named).display().to_string())
}

#[derive(Debug, PartialEq)]
pub struct Item {
    pub name: String,
    pub bytes: u64,
}

fn parse(json: &str) -> Result<Vec<Item>, String> {
    let rows: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("twiggy printed no JSON: {e}"))?;
    let rows = rows.as_array().ok_or("twiggy's JSON is not a list")?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            Some(Item {
                name: r.get("name")?.as_str()?.to_owned(),
                bytes: r.get("shallow_size")?.as_u64()?,
            })
        })
        // Only in this names-kept build: the shipped wasm has no name section.
        .filter(|i| i.name != "\"function names\" subsection")
        .collect())
}

/// The crate an item's bytes belong to (see the module doc for the rule).
pub fn crate_of(name: &str) -> String {
    if name.starts_with("data segment") {
        return "(data: strings, tables, embedded files)".into();
    }
    let head = match name.strip_prefix('<') {
        Some(inner) => {
            let (self_ty, rest) = split_as(inner);
            let ty = self_ty.trim_start_matches(['&', '*', '[', '(']);
            let ty = ty.strip_prefix("mut ").unwrap_or(ty);
            let ty = ty.strip_prefix("const ").unwrap_or(ty);
            let wrapper = ["core::", "alloc::", "std::"]
                .iter()
                .any(|p| path_root(ty) == p.trim_end_matches(':'));
            match rest {
                Some(trait_path) if wrapper || !ty.contains("::") => trait_path.to_owned(),
                _ => ty.to_owned(),
            }
        }
        None => name.to_owned(),
    };
    if !head.contains("::") {
        return "(other: glue, tables, unnamed)".into();
    }
    path_root(&head).to_owned()
}

/// `Self as Trait>::rest` split at the top-level ` as `, angle brackets balanced.
fn split_as(inner: &str) -> (&str, Option<&str>) {
    let mut depth = 0i32;
    let bytes = inner.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'<' => depth += 1,
            b'>' if depth == 0 => return (&inner[..i], None),
            b'>' => depth -= 1,
            b' ' if depth == 0 && inner[i..].starts_with(" as ") => {
                return (&inner[..i], Some(&inner[i + 4..]));
            }
            _ => {}
        }
    }
    (inner, None)
}

/// The first path segment, without a `[hash]` disambiguator.
fn path_root(path: &str) -> &str {
    let end = path.find(['<', ':', '[']).unwrap_or(path.len());
    &path[..end]
}

pub fn report(items: &[Item], top: usize) -> String {
    let total: u64 = items.iter().map(|i| i.bytes).sum();
    let mut by_crate: BTreeMap<String, u64> = BTreeMap::new();
    for i in items {
        *by_crate.entry(crate_of(&i.name)).or_default() += i.bytes;
    }
    let mut crates: Vec<_> = by_crate.into_iter().collect();
    crates.sort_by_key(|(name, bytes)| (std::cmp::Reverse(*bytes), name.clone()));
    let pct = |b: u64| b as f64 * 100.0 / total.max(1) as f64;
    let mut out =
        format!("\nwasm by crate ({total} B raw, names kept, name section not counted)\n");
    for (name, bytes) in &crates {
        out += &format!("    {bytes:>9} {:>5.1}%  {name}\n", pct(*bytes));
    }
    let mut largest: Vec<&Item> = items.iter().collect();
    largest.sort_by_key(|i| std::cmp::Reverse(i.bytes));
    out += &format!("\nlargest {top} items\n");
    for i in largest.into_iter().take(top) {
        out += &format!(
            "    {:>9} {:>5.1}%  {}\n",
            i.bytes,
            pct(i.bytes),
            short(&i.name)
        );
    }
    out += &format!(
        "\nnames-kept module: {OUT}/named.wasm (try `twiggy paths` or `twiggy monos` on it)\n"
    );
    out
}

/// Symbol hashes say nothing to a reader.
fn short(name: &str) -> &str {
    match name.rfind("::h") {
        Some(at) if name[at + 3..].chars().all(|c| c.is_ascii_hexdigit()) => &name[..at],
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_belong_to_the_crate_that_defines_them() {
        let cases = [
            ("queue_engine::sim::Sim::step::h89cded7c48c415b9", "queue_engine"),
            (
                "<core::marker::PhantomData<T> as serde_core::de::DeserializeSeed>::deserialize::hde9",
                "serde_core",
            ),
            (
                "<yew::html::component::lifecycle::CompStateInner<COMP> as yew::html::component::lifecycle::Stateful>::view::h67",
                "yew",
            ),
            ("<f64 as core[c5930c85a12de822]::fmt::Display>::fmt", "core"),
            (
                "<queue_playground::app::App as yew::functional::FunctionProvider>::run::h1",
                "queue_playground",
            ),
            ("<&T as core::fmt::Debug>::fmt::h2", "core"),
            ("alloc[1a2b]::raw_vec::finish_grow", "alloc"),
        ];
        for (name, want) in cases {
            assert_eq!(crate_of(name), want, "{name}");
        }
        assert!(crate_of("data segment \".rodata.144\"").starts_with("(data"));
        assert!(crate_of("elem[0]").starts_with("(other"));
    }

    #[test]
    fn the_report_sums_by_crate_and_lists_the_largest_first() {
        let items = parse(
            r#"[{"name":"\"function names\" subsection","shallow_size":999999},
                {"name":"queue_engine::a::h1","shallow_size":30},
                {"name":"queue_engine::b::h2","shallow_size":20},
                {"name":"yew::c::h3","shallow_size":50}]"#,
        )
        .unwrap();
        assert_eq!(items.len(), 3, "the name section is left out");
        let text = report(&items, 2);
        assert!(text.contains("(100 B raw"), "{text}");
        let engine = text.find("50  50.0%  queue_engine").expect(&text);
        assert!(text.contains("50  50.0%  yew"), "{text}");
        let largest = text.find("largest 2 items").unwrap();
        assert!(engine < largest);
        assert!(text[largest..].contains("yew::c"), "{text}");
        assert!(text[largest..].contains("queue_engine::a"), "{text}");
        assert!(!text[largest..].contains("queue_engine::b"), "{text}");
        assert!(!text.contains("::h1"), "hashes are cut: {text}");
    }
}
