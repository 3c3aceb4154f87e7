//! A private RabbitMQ node for `verify against real brokers`: started on 127.0.0.1 on free
//! ports, with its own node name, data directory (under the cargo target directory) and Erlang
//! cookie, and stopped by its node name, or by its process group, when dropped, so it never
//! outlives the step whatever happened in between.
//!
//! Nothing of a system installation is read: the env file, config files and plugin list all
//! point into the private directory, so `/etc/rabbitmq` on the machine cannot change the node.

use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::run::root;
use crate::tools::{RABBITMQCTL, RABBITMQ_SERVER};

/// How long the node may take to accept AMQP connections (a cold start here takes ~6 s).
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long `rabbitmqctl stop` and the server's exit may take before the group is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(30);

pub struct Rabbit {
    pub node: String,
    pub port: u16,
    dir: PathBuf,
    child: Child,
}

/// The cargo target directory (`CARGO_TARGET_DIR` when set, as on shared machines).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// Where `qsim-verify --report` files go (next to the node's data, git-ignored).
pub fn reports_dir() -> PathBuf {
    target_dir().join("verify-reports")
}

/// Removes the directories of earlier runs whose process has gone (each run keeps its logs
/// until the next one; a run still going, from another checkout sharing the target
/// directory, keeps its own).
fn prune(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let pid = name
            .strip_prefix("qsim-verify-")
            .and_then(|n| n.strip_suffix("@localhost"));
        if let Some(pid) = pid {
            if !Path::new("/proc").join(pid).exists() {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
}

/// A port nothing listens on now (the kernel picks it; it is free again once dropped).
pub fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("cannot find a free port: {e}"))
}

/// The last `n` lines of a file, for a failure message.
pub fn tail(path: &Path, n: usize) -> String {
    let mut text = String::new();
    if std::fs::File::open(path)
        .and_then(|mut f| f.read_to_string(&mut text))
        .is_err()
    {
        return format!("    ({} is missing)", path.display());
    }
    let lines: Vec<&str> = text.lines().collect();
    let from = lines.len().saturating_sub(n);
    lines[from..]
        .iter()
        .map(|l| format!("    | {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What the server and `rabbitmqctl` both need: the node, its port, and every path private.
fn node_env(cmd: &mut Command, node: &str, port: u16, dir: &Path) {
    let d = |p: &str| dir.join(p).to_string_lossy().into_owned();
    cmd.env("HOME", d("home"))
        .env("RABBITMQ_NODENAME", node)
        .env("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1")
        .env("RABBITMQ_NODE_PORT", port.to_string())
        .env("RABBITMQ_MNESIA_BASE", d("mnesia"))
        .env("RABBITMQ_LOG_BASE", d("log"))
        .env("RABBITMQ_CONF_ENV_FILE", d("rabbitmq-env.conf"))
        .env("RABBITMQ_CONFIG_FILE", d("rabbitmq"))
        .env("RABBITMQ_ADVANCED_CONFIG_FILE", d("advanced.config"))
        .env("RABBITMQ_ENABLED_PLUGINS_FILE", d("enabled_plugins"))
        .current_dir(dir);
}

impl Rabbit {
    /// Starts a node and waits until it accepts connections. A node that cannot start is
    /// stopped again and the error carries the tail of its logs.
    pub fn start() -> Result<Rabbit, String> {
        let node = format!("qsim-verify-{}@localhost", std::process::id());
        let base = target_dir().join("rabbitmq-verify");
        prune(&base);
        let dir = base.join(&node);
        // A leftover from a killed run would hold an old cluster identity: start clean.
        let _ = std::fs::remove_dir_all(&dir);
        for sub in ["home", "log", "mnesia"] {
            std::fs::create_dir_all(dir.join(sub))
                .map_err(|e| format!("cannot create {}: {e}", dir.join(sub).display()))?;
        }
        let port = free_port()?;
        let dist_port = free_port()?;
        let out = std::fs::File::create(dir.join("stdout.log"))
            .map_err(|e| format!("cannot write {}: {e}", dir.display()))?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        let mut cmd = Command::new(RABBITMQ_SERVER);
        cmd.env("RABBITMQ_DIST_PORT", dist_port.to_string())
            // Erlang distribution and epmd on loopback only: this node talks to nobody else.
            .env(
                "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS",
                "-kernel inet_dist_use_interface {127,0,0,1}",
            )
            .env("ERL_EPMD_ADDRESS", "127.0.0.1")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            // Its own process group, so a stuck node can be killed with everything it started.
            .process_group(0);
        println!(
            "    starting RabbitMQ node {node} on 127.0.0.1:{port} (data in {})",
            dir.display()
        );
        node_env(&mut cmd, &node, port, &dir);
        let started = Instant::now();
        let child = cmd
            .spawn()
            .map_err(|e| format!("could not start {RABBITMQ_SERVER}: {e}"))?;
        // From here on, dropping `rabbit` (on any error below too) stops the node.
        let mut rabbit = Rabbit {
            node,
            port,
            dir,
            child,
        };
        crate::rabbit::await_listening(
            &mut rabbit.child,
            port,
            started,
            START_TIMEOUT,
            "RabbitMQ accepts connections",
        )
        .map_err(|e| format!("RabbitMQ {e}:\n{}", rabbit.logs()))?;
        Ok(rabbit)
    }

    pub fn url(&self) -> String {
        format!("amqp://127.0.0.1:{}", self.port)
    }

    /// Runs `rabbitmqctl` against this node and returns what it printed.
    pub fn ctl(&self, args: &[&str]) -> Result<String, String> {
        let mut ctl = Command::new(RABBITMQCTL);
        ctl.args(["-n", &self.node, "-q"])
            .args(args)
            .stdin(Stdio::null());
        node_env(&mut ctl, &self.node, self.port, &self.dir);
        let out = ctl
            .output()
            .map_err(|e| format!("could not run {RABBITMQCTL}: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "`rabbitmqctl {}` failed ({}): {}",
                args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// The names of the queues on the node (`rabbitmqctl list_queues`).
    pub fn queues(&self) -> Result<Vec<String>, String> {
        Ok(self
            .ctl(&["list_queues", "name"])?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && *l != "name")
            .map(str::to_owned)
            .collect())
    }

    /// The tail of the node's own log and of its console output.
    fn logs(&self) -> String {
        let log = self.dir.join("log").join(format!("{}.log", self.node));
        format!(
            "  {}:\n{}\n  {}:\n{}",
            log.display(),
            tail(&log, 30),
            self.dir.join("stdout.log").display(),
            tail(&self.dir.join("stdout.log"), 15)
        )
    }

    /// `rabbitmqctl stop` by node name, then the server's exit; past the timeout, the whole
    /// process group is killed.
    fn stop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let mut ctl = Command::new(RABBITMQCTL);
        ctl.args(["-n", &self.node, "stop"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        node_env(&mut ctl, &self.node, self.port, &self.dir);
        let t = Instant::now();
        let asked = ctl.status().is_ok_and(|s| s.success());
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                println!(
                    "    RabbitMQ node {} stopped in {:.1} s",
                    self.node,
                    t.elapsed().as_secs_f64()
                );
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        println!(
            "    RabbitMQ node {} did not stop ({}); killing its process group",
            self.node,
            if asked {
                "`rabbitmqctl stop` was accepted"
            } else {
                "`rabbitmqctl stop` failed"
            }
        );
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

impl Drop for Rabbit {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Waits until something listens on `port` of 127.0.0.1, then prints `ready` with the time it
/// took. The error says what happened (the process exited, or the time ran out); each broker
/// adds its own log tail.
pub fn await_listening(
    child: &mut Child,
    port: u16,
    started: Instant,
    timeout: Duration,
    ready: &str,
) -> Result<(), String> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("exited during start-up ({status})"));
        }
        if TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok() {
            println!("    {ready} after {:.1} s", started.elapsed().as_secs_f64());
            return Ok(());
        }
        if started.elapsed() > timeout {
            return Err(format!(
                "did not accept connections on {addr} within {} s",
                timeout.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}
