//! Running child processes with the project's tool paths, so that every caller gets the same PATH.

use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The workspace root (the parent of this crate), whatever directory cargo was started from.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// PATH with the tool folders first: cargo-installed tools and npm's `node_modules/.bin`
/// (where `wasm-opt` from `binaryen` lives, which Trunk looks up on PATH).
pub fn tool_path() -> std::ffi::OsString {
    let mut dirs = vec![root().join("node_modules").join(".bin")];
    if let Some(home) = cargo_home() {
        dirs.push(home.join("bin"));
    }
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).unwrap_or_default()
}

/// The cargo home: `CARGO_HOME`, else `~/.cargo`.
fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
}

/// RUSTFLAGS for the page's release wasm: each registry's source folder written as `c`. A
/// panic inside a dependency carries its file's path in the wasm; remapped, the page holds
/// `c/yew-0.23.0/src/…` instead of this machine's home folder and the registry's hashed
/// folder name (31 copies of a 60-byte prefix: -0.1 kB of gzip), and it is the same on every
/// machine. Whatever RUSTFLAGS the caller set come first.
pub fn page_rustflags() -> String {
    let mut flags = std::env::var("RUSTFLAGS").unwrap_or_default();
    let registries =
        cargo_home().and_then(|h| std::fs::read_dir(h.join("registry").join("src")).ok());
    for dir in registries.into_iter().flatten().flatten() {
        let path = dir.path();
        if let Some(path) = path.to_str().filter(|p| !p.contains(' ')) {
            flags.push_str(&format!(" --remap-path-prefix={path}=c"));
        }
    }
    flags.trim_start().to_owned()
}

pub struct Cmd {
    inner: Command,
    shown: String,
}

pub fn command<S: AsRef<str>>(program: &str, args: &[S]) -> Cmd {
    let mut inner = Command::new(program);
    inner.args(args.iter().map(|a| a.as_ref()));
    inner.current_dir(root());
    inner.env("PATH", tool_path());
    let shown = std::iter::once(program)
        .chain(args.iter().map(|a| a.as_ref()))
        .collect::<Vec<_>>()
        .join(" ");
    Cmd { inner, shown }
}

impl Cmd {
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.inner.env(key, value);
        self
    }

    /// Runs with inherited output; an error names the command and its exit status.
    pub fn status(mut self) -> Result<(), String> {
        println!("    $ {}", self.shown);
        let status = self
            .inner
            .status()
            .map_err(|e| format!("could not start `{}`: {e}", self.shown))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`{}` failed ({status})", self.shown))
        }
    }

    /// Runs with inherited output and returns its exit code (`None`: ended by a signal), for
    /// commands whose codes mean different things (`qsim-verify`: 0 agree, 1 differ, 2 error).
    pub fn code(mut self) -> Result<Option<i32>, String> {
        println!("    $ {}", self.shown);
        self.inner
            .status()
            .map(|s| s.code())
            .map_err(|e| format!("could not start `{}`: {e}", self.shown))
    }

    /// Runs quietly and returns trimmed stdout, or None if it could not run or failed.
    pub fn output(mut self) -> Option<String> {
        let out = self
            .inner
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }
}
