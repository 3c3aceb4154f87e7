//! `cargo xtask`: the project's own commands, in Rust so that a Rust user needs nothing but cargo.
//!
//! Contract: every command first installs what it needs that is missing (and skips what is
//! present), so `serve` and `test` work on a fresh machine that has only rustup, Node/npm and
//! Debian's apt. Nothing is downloaded from outside the package registries: Trunk and the
//! wasm-bindgen CLI come from crates.io, wasm-opt from npm `binaryen`, Chromium from Debian.
//!
//! - `cargo xtask serve [trunk args]`: install the build tools, then `trunk serve`.
//! - `cargo xtask test`: install everything, then every check in order, ending with one summary line.
//! - `cargo xtask build`: the release build into `dist/` (size-optimised, wasm-opt applied).
//! - `cargo xtask size`: gzip size of each file in `dist/`, checked against the budget.
//! - `cargo xtask size --why`: what the wasm is made of, by crate and by function (twiggy).
//! - `cargo xtask bench`: engine speed natively and as wasm in Chromium, with the ratio.
//! - `cargo xtask verify`: only the `verify against real brokers` step (RabbitMQ, ActiveMQ and
//!   Redis from Debian, moto from PyPI, installed if missing).
//! - `cargo xtask setup [--browser]`: only the installs (`--browser`: also Chromium and mdBook,
//!   for the end-to-end tests).

mod activemq;
mod bench;
mod budget;
mod checked;
mod compress;
mod definitions;
mod moto;
mod names;
mod package;
mod rabbit;
mod redis;
mod run;
mod steps;
mod tools;
mod why;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (command, rest) = match args.split_first() {
        Some((c, rest)) => (c.as_str(), rest),
        None => ("help", &[][..]),
    };
    let result = match command {
        "serve" => serve(rest),
        "test" => steps::test_all(),
        "bench" => bench::run(rest.first().map(String::as_str)),
        "verify" => steps::verify_brokers(),
        "build" => tools::ensure_build_tools().and_then(|()| steps::release_build()),
        "size" if rest.iter().any(|a| a == "--why") => why::run(),
        "size" => budget::report(std::path::Path::new("dist")).map(|_| ()),
        "setup" => {
            let with_browser = rest.iter().any(|a| a == "--browser");
            tools::ensure_build_tools().and_then(|()| {
                if with_browser {
                    tools::ensure_browser().and_then(|()| tools::ensure_mdbook())
                } else {
                    Ok(())
                }
            })
        }
        "help" | "-h" | "--help" => {
            print_help();
            Ok(())
        }
        other => Err(format!("unknown command `{other}`; run `cargo xtask help`")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn serve(extra: &[String]) -> Result<(), String> {
    tools::ensure_build_tools()?;
    let port = extra
        .windows(2)
        .find(|w| w[0] == "--port")
        .map(|w| w[1].clone())
        .unwrap_or_else(|| "8080".to_owned());
    println!("\n==> Serving the playground at http://127.0.0.1:{port}/  (Ctrl-C to stop)\n");
    let mut args = vec!["serve".to_owned()];
    args.extend(extra.iter().cloned());
    run::command("trunk", &args).status()
}

fn print_help() {
    println!(
        "cargo xtask <command>\n\n\
         serve [trunk args]  install the build tools if missing, then `trunk serve` on http://127.0.0.1:8080/\n\
         test                install everything if missing (Chromium included), then run every check\n\
         build               release build into dist/ (opt-level z, LTO, wasm-opt)\n\
         size                gzip size of everything in dist/, against the budget\n\
         size --why          the wasm by crate and by function (installs twiggy)\n\
         bench [load|frames] engine speed native vs wasm, frame costs, page load (figures, never pass/fail)\n\
         verify              replay verify/scenarios/ on a private RabbitMQ, moto, ActiveMQ and Redis, and compare with the engine\n\
         setup [--browser]   only install the tools (--browser: also Chromium and mdBook, for the e2e tests)"
    );
}
