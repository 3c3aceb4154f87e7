//! A private Redis server for `verify against real brokers`: Debian's `redis-server`
//! (installed with apt when missing), started on 127.0.0.1 on a free port with no
//! persistence, in a data directory under the cargo target directory, and stopped when
//! dropped, so it never outlives the step. The system's own Redis service, if any, is left
//! alone.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::rabbit::{free_port, tail, target_dir};
use crate::tools::{apt_install, skip};

const SERVER: &str = "/usr/bin/redis-server";
const CLI: &str = "/usr/bin/redis-cli";
/// A cold start takes a few milliseconds; the margin is for a loaded CI machine.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// Installs Debian's `redis-server` (7.0 on Debian 12; streams, consumer groups and
/// `XAUTOCLAIM` are all there) unless it is on the PATH.
pub fn ensure_redis() -> Result<(), String> {
    if std::path::Path::new(SERVER).exists() && std::path::Path::new(CLI).exists() {
        return skip("redis-server");
    }
    println!("==> installing redis-server from Debian (apt-get)");
    apt_install(&["redis-server"])
}

pub struct Redis {
    pub port: u16,
    log: PathBuf,
    child: Child,
}

impl Redis {
    /// Starts the server and waits until it accepts connections; one that cannot start is
    /// stopped again and the error carries the tail of its log.
    pub fn start() -> Result<Redis, String> {
        let dir = target_dir().join("redis-verify");
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let log = dir.join(format!("redis-{}.log", std::process::id()));
        let port = free_port()?;
        println!(
            "    starting redis-server on 127.0.0.1:{port} (log in {})",
            log.display()
        );
        let started = Instant::now();
        let child = Command::new(SERVER)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            // Nothing to keep: every run deletes its keys, and the server dies with the step.
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .args(["--dir", &dir.to_string_lossy()])
            .args(["--logfile", &log.to_string_lossy()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|e| format!("could not start {SERVER}: {e}"))?;
        let mut redis = Redis { port, log, child };
        crate::rabbit::await_listening(
            &mut redis.child,
            port,
            started,
            START_TIMEOUT,
            "redis-server accepts connections",
        )
        .map_err(|e| format!("redis-server {e}:\n{}", tail(&redis.log, 20)))?;
        Ok(redis)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// The keys left on the server whose names start with `qsim-` (each run's prefix).
    pub fn keys_left(&self) -> Result<Vec<String>, String> {
        let out = Command::new(CLI)
            .args([
                "-p",
                &self.port.to_string(),
                "--scan",
                "--pattern",
                "qsim-*",
            ])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("could not run redis-cli: {e}"))?;
        if !out.status.success() {
            return Err(format!("listing Redis keys failed ({})", out.status));
        }
        Ok(String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect())
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        crate::moto::stop(&mut self.child, "redis-server");
    }
}
