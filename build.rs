//! Stamps the build with the crate version and git revision so that a screenshot or a bug report
//! always says exactly which build it came from.
//!
//! Also writes the lesson and scenario files without their indentation into OUT_DIR, which is
//! what the wasm embeds: the files stay readable, and the download is ~200 B of gzip smaller.
use std::process::Command;

/// JSON without the whitespace between tokens (strings are copied as they are).
fn minify(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

fn minify_dir(dir: &str) {
    let out = std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join(dir);
    std::fs::create_dir_all(&out).expect("create OUT_DIR folder");
    for entry in std::fs::read_dir(dir).expect("read the folder") {
        let path = entry.expect("folder entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).expect("read a JSON file");
            std::fs::write(out.join(path.file_name().unwrap()), minify(&text))
                .expect("write the minified copy");
        }
    }
    println!("cargo:rerun-if-changed={dir}");
}

fn main() {
    minify_dir("lessons");
    minify_dir("scenarios");
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let rev = Command::new("git")
        .args(["rev-parse", "--short=8", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    let build = match rev {
        Some(rev) => format!("v{version} ({rev})"),
        None => format!("v{version}"),
    };
    println!("cargo:rustc-env=QP_BUILD_VERSION={build}");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
}
