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
    remapped(
        &std::env::var("RUSTFLAGS").unwrap_or_default(),
        cargo_home().as_deref(),
    )
}

/// `flags` with a remap of each folder in `home`'s `registry/src` (a path with a space
/// cannot go through RUSTFLAGS, which splits on spaces: it keeps its name).
fn remapped(flags: &str, home: Option<&std::path::Path>) -> String {
    let mut flags = flags.to_owned();
    let registries = home.and_then(|h| std::fs::read_dir(h.join("registry").join("src")).ok());
    let mut dirs: Vec<PathBuf> = registries
        .into_iter()
        .flatten()
        .flatten()
        .map(|d| d.path())
        .collect();
    dirs.sort();
    for dir in dirs {
        if let Some(path) = dir.to_str().filter(|p| !p.contains(' ')) {
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

#[cfg(test)]
mod tests {
    use super::remapped;

    /// Every registry's source folder is remapped, after the caller's own flags; with no
    /// registry yet the caller's flags pass through unchanged.
    #[test]
    fn each_registry_folder_is_remapped_after_the_callers_flags() {
        let home = std::env::temp_dir().join(format!("xtask-remap-{}", std::process::id()));
        let src = home.join("registry").join("src");
        for name in ["index.crates.io-1949cf8c6b5b557f", "mirror-0123"] {
            std::fs::create_dir_all(src.join(name)).unwrap();
        }
        let flags = remapped("-C debuginfo=0", Some(&home));
        let s = src.to_str().unwrap();
        assert_eq!(
            flags,
            format!(
                "-C debuginfo=0 --remap-path-prefix={s}/index.crates.io-1949cf8c6b5b557f=c \
                 --remap-path-prefix={s}/mirror-0123=c"
            )
        );
        std::fs::remove_dir_all(&home).unwrap();
        assert_eq!(remapped("-C debuginfo=0", Some(&home)), "-C debuginfo=0");
        assert_eq!(remapped("", None), "");
    }
}
