//! Stamps the build with the crate version and git revision so that a screenshot or a bug report
//! always says exactly which build it came from.
use std::process::Command;

fn main() {
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
