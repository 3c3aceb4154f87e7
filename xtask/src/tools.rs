//! Installing the tools the build and tests need, each skipped when already present at the right
//! version, so a second run costs only a few version checks.

use std::path::Path;

use crate::run::{command, root};

pub const TRUNK_VERSION: &str = "0.21.14";
/// The course-book host of the end-to-end tests. Pinned: mdBook 0.5 rewrites a chapter's raw
/// HTML differently from 0.4, and the test checks what a course author's readers get.
pub const MDBOOK_VERSION: &str = "0.5.4";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// wasm32 target, Trunk, the wasm-bindgen CLI matching Cargo.lock, and the npm packages
/// (wasm-opt, playwright-core, axe-core).
pub fn ensure_build_tools() -> Result<(), String> {
    ensure_wasm_target()?;
    ensure_cargo_tool("trunk", "trunk", TRUNK_VERSION)?;
    let bindgen = wasm_bindgen_version()?;
    check_trunk_pin(&bindgen)?;
    ensure_cargo_tool("wasm-bindgen-cli", "wasm-bindgen", &bindgen)?;
    ensure_npm_packages()?;
    ensure_wasm_opt_link()
}

fn ensure_wasm_target() -> Result<(), String> {
    let installed = command("rustup", &["target", "list", "--installed"]).output();
    if installed.is_some_and(|list| list.lines().any(|l| l.trim() == "wasm32-unknown-unknown")) {
        return skip("wasm32-unknown-unknown target");
    }
    println!("==> installing the wasm32-unknown-unknown target");
    command("rustup", &["target", "add", "wasm32-unknown-unknown"]).status()
}

/// `binary --version` must print exactly `binary <version>` (or `binary v<version>`, as mdBook
/// does); otherwise install that version.
fn ensure_cargo_tool(krate: &str, binary: &str, version: &str) -> Result<(), String> {
    let found = command(binary, &["--version"]).output();
    let wanted = format!("{binary} {version}");
    let prefixed = format!("{binary} v{version}");
    if found
        .as_deref()
        .is_some_and(|v| v.starts_with(&wanted) || v.starts_with(&prefixed))
    {
        return skip(&wanted);
    }
    println!("==> installing {krate} {version} from crates.io (a few minutes, once)");
    let locked = command(
        "cargo",
        &["install", krate, "--version", version, "--locked"],
    )
    .status();
    if locked.is_ok() {
        return locked;
    }
    // A published lock file can name a dependency version the registry no longer serves (this
    // happened with wasm-bindgen-cli 0.2.130). The tool's own version stays exact either way.
    println!("    the locked install failed; retrying with freshly resolved dependencies");
    command("cargo", &["install", krate, "--version", version]).status()
}

/// The wasm-bindgen version in Cargo.lock: the CLI must be exactly this version, or the
/// generated JS glue and the wasm module disagree at load time.
pub fn wasm_bindgen_version() -> Result<String, String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    lock_version(&lock, "wasm-bindgen")
        .ok_or_else(|| "Cargo.lock has no wasm-bindgen package".to_owned())
}

fn lock_version(lock: &str, package: &str) -> Option<String> {
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == format!("name = \"{package}\"") {
            let version = lines.next()?.trim();
            return version
                .strip_prefix("version = \"")
                .and_then(|v| v.strip_suffix('"'))
                .map(str::to_owned);
        }
    }
    None
}

/// Trunk.toml names the wasm-bindgen version Trunk will look for; it must match Cargo.lock.
fn check_trunk_pin(bindgen: &str) -> Result<(), String> {
    let trunk = std::fs::read_to_string(root().join("Trunk.toml"))
        .map_err(|e| format!("cannot read Trunk.toml: {e}"))?;
    let pinned = trunk
        .lines()
        .find_map(|l| l.trim().strip_prefix("wasm_bindgen = \""))
        .and_then(|v| v.strip_suffix('"'));
    match pinned {
        Some(v) if v == bindgen => Ok(()),
        Some(v) => Err(format!(
            "Trunk.toml [tools] wasm_bindgen is \"{v}\" but Cargo.lock has wasm-bindgen {bindgen}; make them equal"
        )),
        None => Err("Trunk.toml has no [tools] wasm_bindgen pin".to_owned()),
    }
}

fn ensure_npm_packages() -> Result<(), String> {
    let modules = root().join("node_modules");
    let present = ["binaryen", "playwright-core", "axe-core", "terser"]
        .iter()
        .all(|p| modules.join(p).join("package.json").is_file());
    if present {
        return skip("npm packages (binaryen, playwright-core, axe-core, terser)");
    }
    println!("==> installing npm packages from package-lock.json");
    command("npm", &["ci", "--no-audit", "--no-fund"]).status()
}

/// Plain `trunk build --release` and `trunk serve` look for wasm-opt on PATH only (offline, Trunk
/// never looks in its download cache), and npm's `node_modules/.bin` is not on a shell's PATH.
/// Cargo's bin folder is, for anyone who has Trunk: link binaryen's wasm-opt there. A link
/// that still works (from another checkout, same pinned binaryen) and any real file are left alone.
fn ensure_wasm_opt_link() -> Result<(), String> {
    let target = root().join("node_modules/binaryen/bin/wasm-opt");
    let Some(bin) = cargo_bin() else {
        return skip("wasm-opt link (no cargo bin folder found)");
    };
    let link = bin.join("wasm-opt");
    match std::fs::read_link(&link) {
        // `exists` follows the link: false for one left by a deleted checkout.
        Ok(_) if link.exists() => return skip("wasm-opt on PATH"),
        Ok(_) => std::fs::remove_file(&link)
            .map_err(|e| format!("cannot replace {}: {e}", link.display()))?,
        Err(_) if link.exists() => return skip("wasm-opt on PATH (not ours, left as it is)"),
        Err(_) => {}
    }
    println!("==> linking {} -> {}", link.display(), target.display());
    #[cfg(unix)]
    return std::os::unix::fs::symlink(&target, &link)
        .map_err(|e| format!("cannot link {}: {e}", link.display()));
    #[cfg(not(unix))]
    skip("wasm-opt link (put node_modules/.bin on PATH for plain trunk)")
}

fn cargo_bin() -> Option<std::path::PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))?;
    Some(home.join("bin")).filter(|b| b.is_dir())
}

/// mdBook, for the end-to-end test that embeds the playground in a real course book.
pub fn ensure_mdbook() -> Result<(), String> {
    ensure_cargo_tool("mdbook", "mdbook", MDBOOK_VERSION)
}

/// Debian's Chromium and ChromeDriver: the only browser this machine can install, because a test
/// tool's own browser download (e.g. `playwright install`) is blocked.
pub fn ensure_browser() -> Result<(), String> {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return skip("Chromium and ChromeDriver");
    }
    println!("==> installing Chromium and ChromeDriver from Debian (apt-get)");
    apt_install(&["chromium", "chromium-driver"])
}

/// The broker scripts, called directly rather than through Debian's `/usr/sbin` wrappers:
/// those switch to the `rabbitmq` user and its cookie, while `cargo xtask` runs a private node
/// with its own data directory and cookie, as whichever user runs the tests.
pub const RABBITMQ_SERVER: &str = "/usr/lib/rabbitmq/bin/rabbitmq-server";
pub const RABBITMQCTL: &str = "/usr/lib/rabbitmq/bin/rabbitmqctl";

/// Debian's RabbitMQ (3.10.8 on Debian 12), for `verify against real brokers`. The package may
/// start its own service on install in some images; that one keeps the default port and node
/// name, so it never meets the private node the step starts.
pub fn ensure_rabbitmq() -> Result<(), String> {
    if Path::new(RABBITMQ_SERVER).exists() && Path::new(RABBITMQCTL).exists() {
        return skip("rabbitmq-server");
    }
    println!("==> installing rabbitmq-server from Debian (apt-get)");
    apt_install(&["rabbitmq-server"])?;
    let default_port = std::net::SocketAddr::from(([127, 0, 0, 1], 5672));
    if std::net::TcpStream::connect_timeout(&default_port, std::time::Duration::from_secs(1))
        .is_ok()
    {
        println!(
            "    note: Debian started its own rabbitmq-server service on port 5672; \
             the step leaves it alone and runs a private node"
        );
    }
    Ok(())
}

/// `apt-get update` then `apt-get install -y` (through sudo unless root), non-interactive.
pub fn apt_install(packages: &[&str]) -> Result<(), String> {
    let root_user = command("id", &["-u"]).output().as_deref() == Some("0");
    let apt = |args: &[&str]| {
        if root_user {
            command("apt-get", args)
        } else {
            let mut with_sudo = vec!["apt-get"];
            with_sudo.extend_from_slice(args);
            command("sudo", &with_sudo)
        }
        .env("DEBIAN_FRONTEND", "noninteractive")
    };
    apt(&["update", "-q"]).status()?;
    // Wait for another apt or dpkg run (an unattended upgrade on a fresh machine) to finish.
    let mut install = vec!["-o", "DPkg::Lock::Timeout=300", "install", "-y", "-q"];
    install.extend_from_slice(packages);
    apt(&install).status()
}

pub fn skip(what: &str) -> Result<(), String> {
    println!("    ok  {what} (already installed)");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_package_version_from_a_lock_file() {
        let lock = "[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n\n[[package]]\nname = \"wasm-bindgen-macro\"\nversion = \"0.2.130\"\n";
        assert_eq!(
            lock_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(lock_version(lock, "yew"), None);
    }

    #[test]
    fn trunk_pin_matches_the_lock_file() {
        let bindgen = wasm_bindgen_version().expect("Cargo.lock names wasm-bindgen");
        check_trunk_pin(&bindgen).expect("Trunk.toml pins the same wasm-bindgen as Cargo.lock");
    }
}
