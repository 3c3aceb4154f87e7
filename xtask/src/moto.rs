//! A private moto server (SQS emulation) for `verify against real brokers`: installed from PyPI
//! into its own virtual environment when missing, started on 127.0.0.1 on a free port, and
//! stopped by its process id (then its process group) when dropped, so it never outlives the
//! step whatever happened in between.
//!
//! The virtual environment lives in the user's cache (`~/.cache/queue-playground/`), not in
//! the target directory: `cargo clean` should not cost a 45 s reinstall, and the directory name
//! carries the pinned version, so a new pin installs beside the old one.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::rabbit::{free_port, tail, target_dir};
use crate::run::command;
use crate::tools::{apt_install, skip};

/// The moto release the verification results are recorded against.
pub const MOTO_VERSION: &str = "5.2.5";
/// A cold start here takes about 2 s (Python imports the AWS service models).
const START_TIMEOUT: Duration = Duration::from_secs(60);
const STOP_TIMEOUT: Duration = Duration::from_secs(10);
/// Written last by the install: a venv without it was interrupted and is built again.
const COMPLETE: &str = ".qsim-install-complete";

/// The virtual environment holding `moto[server]` at [`MOTO_VERSION`].
pub fn venv() -> PathBuf {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| target_dir().join("cache"));
    cache
        .join("queue-playground")
        .join(format!("moto-{MOTO_VERSION}"))
}

/// Creates the virtual environment and installs `moto[server]` from PyPI, unless a complete
/// install is there. Debian's `python3` needs `python3-venv` for `-m venv`; it is installed
/// with apt when the first attempt fails.
pub fn ensure_moto() -> Result<(), String> {
    let dir = venv();
    if dir.join(COMPLETE).is_file() && dir.join("bin/moto_server").is_file() {
        return skip(&format!("moto[server] {MOTO_VERSION} in {}", dir.display()));
    }
    println!(
        "==> installing moto[server] {MOTO_VERSION} from PyPI into {} (about 45 s, once)",
        dir.display()
    );
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.to_string_lossy().into_owned();
    if command("python3", &["-m", "venv", &path]).status().is_err() {
        println!("    `python3 -m venv` failed; installing python3-venv from Debian");
        let _ = std::fs::remove_dir_all(&dir);
        apt_install(&["python3", "python3-venv"])?;
        command("python3", &["-m", "venv", &path]).status()?;
    }
    let pip = dir.join("bin/pip").to_string_lossy().into_owned();
    let spec = format!("moto[server]=={MOTO_VERSION}");
    command(
        &pip,
        &["install", "--quiet", "--disable-pip-version-check", &spec],
    )
    .status()?;
    std::fs::write(dir.join(COMPLETE), format!("{spec}\n"))
        .map_err(|e| format!("cannot write {}: {e}", dir.join(COMPLETE).display()))
}

pub struct Moto {
    pub port: u16,
    log: PathBuf,
    child: Child,
}

impl Moto {
    /// Starts `moto_server` and waits until it accepts connections. A server that cannot start
    /// is stopped again and the error carries the tail of its log.
    pub fn start() -> Result<Moto, String> {
        let dir = target_dir().join("moto-verify");
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let log = dir.join(format!("moto-{}.log", std::process::id()));
        let out = std::fs::File::create(&log)
            .map_err(|e| format!("cannot write {}: {e}", log.display()))?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        let port = free_port()?;
        let bin = venv().join("bin/moto_server");
        println!(
            "    starting moto {MOTO_VERSION} on 127.0.0.1:{port} (log in {})",
            log.display()
        );
        let started = Instant::now();
        let child = Command::new(&bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            // Its own process group, so a stuck server can be killed with anything it started.
            .process_group(0)
            .spawn()
            .map_err(|e| format!("could not start {}: {e}", bin.display()))?;
        // From here on, dropping `moto` (on any error below too) stops the server.
        let mut moto = Moto { port, log, child };
        crate::rabbit::await_listening(
            &mut moto.child,
            port,
            started,
            START_TIMEOUT,
            "moto accepts connections",
        )
        .map_err(|e| format!("moto {e}:\n{}", tail(&moto.log, 20)))?;
        Ok(moto)
    }

    pub fn url(&self) -> String {
        format!("sqs+http://127.0.0.1:{}", self.port)
    }

    /// The names of the queues and SNS topics on the server, and a line per subscription
    /// (`<topic> subscription`), through the boto3 that moto itself depends on.
    pub fn queues(&self) -> Result<Vec<String>, String> {
        let python = venv().join("bin/python");
        let script = "import boto3, sys\n\
            c = boto3.client('sqs', endpoint_url=sys.argv[1], region_name='us-east-1',\n\
                aws_access_key_id='qsim', aws_secret_access_key='qsim')\n\
            for u in c.list_queues().get('QueueUrls', []): print(u.rsplit('/', 1)[1])\n\
            n = boto3.client('sns', endpoint_url=sys.argv[1], region_name='us-east-1',\n\
                aws_access_key_id='qsim', aws_secret_access_key='qsim')\n\
            for t in n.list_topics().get('Topics', []): print(t['TopicArn'].rsplit(':', 1)[1])\n\
            for s in n.list_subscriptions().get('Subscriptions', []): print(s['TopicArn'].rsplit(':', 1)[1] + ' subscription')\n";
        let out = Command::new(&python)
            .args(["-c", script, &format!("http://127.0.0.1:{}", self.port)])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .map_err(|e| format!("could not run {}: {e}", python.display()))?;
        if !out.status.success() {
            return Err(format!("listing moto's queues failed ({})", out.status));
        }
        Ok(String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect())
    }
}

/// SIGTERM to a server's process id, then, past the timeout, SIGKILL to its process group
/// (each server here is started in a group of its own).
pub fn stop(child: &mut Child, what: &str) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    let pid = child.id().to_string();
    let _ = Command::new("kill").args(["-TERM", &pid]).status();
    let deadline = Instant::now() + STOP_TIMEOUT;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            println!("    {what} (pid {pid}) stopped");
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    println!("    {what} (pid {pid}) did not stop; killing its process group");
    let group = format!("-{pid}");
    let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
    let _ = child.wait();
}

impl Drop for Moto {
    fn drop(&mut self) {
        stop(&mut self.child, "moto");
    }
}
