//! `cargo xtask test`: every check in a fixed order, with progress, timings and one summary line.
//!
//! A failed step does not stop the run (a person wants to see everything that is wrong at once),
//! but a step whose input failed is skipped and counted as failed: the end-to-end tests and the
//! size budget need the release build.

use std::time::Instant;

use crate::run::command;
use crate::{budget, tools};

struct Step {
    name: &'static str,
    needs: Option<&'static str>,
    run: fn() -> Result<(), String>,
}

const STEPS: &[Step] = &[
    Step {
        name: "install tools",
        needs: None,
        run: install,
    },
    Step {
        name: "cargo fmt --check",
        needs: None,
        run: fmt,
    },
    Step {
        name: "cargo clippy -D warnings",
        needs: None,
        run: clippy,
    },
    Step {
        name: "engine has no web crates",
        needs: None,
        run: engine_is_web_free,
    },
    Step {
        name: "native tests",
        needs: None,
        run: native_tests,
    },
    Step {
        name: "wasm tests in headless Chromium",
        needs: Some("install tools"),
        run: wasm_tests,
    },
    Step {
        name: "release build",
        needs: Some("install tools"),
        run: release_build,
    },
    Step {
        name: "end-to-end tests (Playwright)",
        needs: Some("release build"),
        run: e2e_tests,
    },
    Step {
        name: "gzip size budget",
        needs: Some("release build"),
        run: size_budget,
    },
];

pub fn test_all() -> Result<(), String> {
    let started = Instant::now();
    let mut failed: Vec<&str> = Vec::new();
    let mut passed = 0usize;
    for (i, step) in STEPS.iter().enumerate() {
        println!("\n==> [{}/{}] {}", i + 1, STEPS.len(), step.name);
        let t = Instant::now();
        let outcome = match step.needs {
            Some(dep) if failed.contains(&dep) => Err(format!("skipped: `{dep}` failed")),
            _ => (step.run)(),
        };
        let secs = t.elapsed().as_secs_f64();
        match outcome {
            Ok(()) => {
                passed += 1;
                println!("<== PASS {} ({secs:.1} s)", step.name);
            }
            Err(why) => {
                failed.push(step.name);
                println!("<== FAIL {} ({secs:.1} s): {why}", step.name);
            }
        }
    }
    println!(
        "\nxtask test finished in {:.0} s{}",
        started.elapsed().as_secs_f64(),
        if failed.is_empty() {
            String::new()
        } else {
            format!("; failed: {}", failed.join(", "))
        }
    );
    println!("steps: {passed} passed, {} failed", failed.len());
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("{} of {} steps failed", failed.len(), STEPS.len()))
    }
}

fn install() -> Result<(), String> {
    tools::ensure_build_tools()?;
    tools::ensure_browser()
}

fn fmt() -> Result<(), String> {
    command("cargo", &["fmt", "--all", "--", "--check"]).status()
}

fn clippy() -> Result<(), String> {
    command(
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    )
    .status()?;
    // The app's browser-only code (and its browser tests) only compiles for wasm, so lint it there too.
    command(
        "cargo",
        &[
            "clippy",
            "--package",
            "queue-playground",
            "--all-targets",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ],
    )
    .status()
}

/// The engine must stay sans-IO and portable: no crate that only makes sense in a browser.
const WEB_CRATES: &[&str] = &["yew", "web-sys", "js-sys", "gloo", "wasm-bindgen"];

fn engine_is_web_free() -> Result<(), String> {
    let tree = command(
        "cargo",
        &[
            "tree",
            "--package",
            "queue-engine",
            "--edges",
            "normal",
            "--prefix",
            "none",
        ],
    )
    .output()
    .ok_or("`cargo tree` failed")?;
    let offending: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| {
            WEB_CRATES
                .iter()
                .any(|w| name == w || name.starts_with(&format!("{w}-")))
        })
        .collect();
    println!(
        "    {} crates in the engine's normal dependency tree",
        tree.lines().count()
    );
    if offending.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the engine depends on web crates: {}",
            offending.join(", ")
        ))
    }
}

fn native_tests() -> Result<(), String> {
    command("cargo", &["test", "--workspace"]).status()
}

fn wasm_tests() -> Result<(), String> {
    command(
        "cargo",
        &[
            "test",
            "--package",
            "queue-playground",
            "--target",
            "wasm32-unknown-unknown",
        ],
    )
    .env("CHROMEDRIVER", tools::CHROMEDRIVER)
    .status()
}

pub fn release_build() -> Result<(), String> {
    command("trunk", &["build", "--release"]).status()?;
    crate::package::after_trunk(std::path::Path::new("dist"))
}

fn e2e_tests() -> Result<(), String> {
    command("node", &["--test", "--test-concurrency=1", "tests/e2e/"])
        .env("CHROMIUM", tools::CHROMIUM)
        .status()
}

fn size_budget() -> Result<(), String> {
    budget::report(std::path::Path::new("dist")).map(|_| ())
}
