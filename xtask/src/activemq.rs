//! A private ActiveMQ Classic broker for `verify against real brokers`: Debian's `activemq`
//! (5.17.2) installed when missing, and started straight from its jar as this user, with its
//! own `activemq.xml`, log configuration and data directory (under the cargo target
//! directory), a STOMP connector and a JMX connector on free loopback ports, and no persistent
//! store. It is stopped by its process id (then its process group) when dropped, so it never
//! outlives the step whatever happened in between.
//!
//! Nothing of the system installation's configuration is read: Debian's `/etc/activemq`
//! instances and its init script (which runs brokers as the `activemq` user with its own data
//! in `/var/lib/activemq`) are left alone; only the jars under `/usr/share/activemq` are used.
//! The broker-side policies the ActiveMQ runs need (the `redeliveryPlugin` entries and the
//! queue clean-up) come from `qsim-verify --activemq-policies`, so the tool and the broker
//! cannot disagree about them.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::rabbit::{free_port, tail, target_dir};
use crate::tools::{apt_install, skip};

/// Debian's layout: the launcher jar and the broker's libraries.
pub const ACTIVEMQ_HOME: &str = "/usr/share/activemq";
const LAUNCHER: &str = "/usr/share/activemq/bin/activemq.jar";
/// A cold start here takes about 2 s (the JVM and Spring's XML configuration).
const START_TIMEOUT: Duration = Duration::from_secs(60);
const STOP_TIMEOUT: Duration = Duration::from_secs(20);
/// How long the broker's clean-up policy may take to remove the runs' empty queues.
const GC_WAIT: Duration = Duration::from_secs(15);

/// Debian's ActiveMQ Classic and the Java runtime it pulls in.
pub fn ensure_activemq() -> Result<(), String> {
    if Path::new(LAUNCHER).exists() && which_java().is_some() {
        return skip("activemq");
    }
    println!("==> installing activemq from Debian (apt-get; pulls a Java runtime)");
    apt_install(&["activemq"])?;
    // The package enables no instance (`/etc/activemq/instances-enabled` is empty), so no
    // service holds the default ports; the step's broker uses its own anyway.
    Ok(())
}

fn which_java() -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join("java"))
            .find(|j| j.is_file())
    })
}

/// The broker's `activemq.xml`: STOMP only, no store, the scheduler the redelivery plugin
/// needs, a purge period short enough for the clean-up policy, and `policies` (from
/// `qsim-verify --activemq-policies`) inside `<broker>`.
pub fn config(stomp: u16, jmx: u16, rmi: u16, data: &Path, policies: &str) -> String {
    format!(
        r#"<beans xmlns="http://www.springframework.org/schema/beans"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.springframework.org/schema/beans http://www.springframework.org/schema/beans/spring-beans-2.0.xsd
  http://activemq.apache.org/schema/core http://activemq.apache.org/schema/core/activemq-core.xsd">
  <broker xmlns="http://activemq.apache.org/schema/core" brokerName="qsim-verify"
          persistent="false" schedulerSupport="true" useJmx="true"
          schedulePeriodForDestinationPurge="1000" dataDirectory="{data}">
    <managementContext>
      <managementContext createConnector="true" connectorHost="127.0.0.1"
                         connectorPort="{jmx}" rmiServerPort="{rmi}"/>
    </managementContext>
    {policies}
    <transportConnectors>
      <transportConnector name="stomp" uri="stomp://127.0.0.1:{stomp}"/>
    </transportConnectors>
  </broker>
</beans>
"#,
        data = data.display(),
        policies = policies.trim()
    )
}

/// The log4j 1.2 configuration (Debian's jars log through slf4j-log4j12): one file.
fn log_config(log: &Path) -> String {
    format!(
        "log4j.rootLogger=INFO, file\n\
         log4j.appender.file=org.apache.log4j.FileAppender\n\
         log4j.appender.file.File={}\n\
         log4j.appender.file.layout=org.apache.log4j.PatternLayout\n\
         log4j.appender.file.layout.ConversionPattern=%d %-5p %c{{1}} - %m%n\n",
        log.display()
    )
}

/// Removes the directories of earlier runs whose process has gone.
fn prune(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(pid) = name.strip_prefix("qsim-verify-") {
            if !Path::new("/proc").join(pid).exists() {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
}

pub struct ActiveMq {
    pub port: u16,
    jmx: u16,
    dir: PathBuf,
    child: Child,
}

impl ActiveMq {
    /// Starts a broker and waits until it accepts STOMP connections. A broker that cannot
    /// start is stopped again and the error carries the tail of its logs.
    pub fn start(policies: &str) -> Result<ActiveMq, String> {
        let base = target_dir().join("activemq-verify");
        prune(&base);
        let dir = base.join(format!("qsim-verify-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for sub in ["conf", "data"] {
            std::fs::create_dir_all(dir.join(sub))
                .map_err(|e| format!("cannot create {}: {e}", dir.join(sub).display()))?;
        }
        let (port, jmx, rmi) = (free_port()?, free_port()?, free_port()?);
        let write = |name: &str, text: String| {
            std::fs::write(dir.join("conf").join(name), text)
                .map_err(|e| format!("cannot write {}: {e}", dir.display()))
        };
        write(
            "activemq.xml",
            config(port, jmx, rmi, &dir.join("data"), policies),
        )?;
        write("log4j.properties", log_config(&dir.join("activemq.log")))?;
        let out = std::fs::File::create(dir.join("stdout.log"))
            .map_err(|e| format!("cannot write {}: {e}", dir.display()))?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        println!(
            "    starting ActiveMQ on 127.0.0.1:{port} (STOMP; data and logs in {})",
            dir.display()
        );
        let started = Instant::now();
        let d = |p: &str| dir.join(p).to_string_lossy().into_owned();
        let child = Command::new("java")
            .args([
                "-Xms64m",
                "-Xmx256m",
                &format!("-Dactivemq.home={ACTIVEMQ_HOME}"),
                &format!("-Dactivemq.base={}", dir.display()),
                &format!("-Dactivemq.conf={}", d("conf")),
                &format!("-Dactivemq.data={}", d("data")),
                &format!("-Dlog4j.configuration=file:{}", d("conf/log4j.properties")),
                "-jar",
                LAUNCHER,
                "start",
                &format!("xbean:file:{}", d("conf/activemq.xml")),
            ])
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            // Its own process group, so a stuck broker can be killed with anything it started.
            .process_group(0)
            .spawn()
            .map_err(|e| format!("could not start java (ActiveMQ): {e}"))?;
        // From here on, dropping `broker` (on any error below too) stops it.
        let mut broker = ActiveMq {
            port,
            jmx,
            dir,
            child,
        };
        crate::rabbit::await_listening(
            &mut broker.child,
            port,
            started,
            START_TIMEOUT,
            "ActiveMQ accepts STOMP connections",
        )
        .map_err(|e| format!("ActiveMQ {e}:\n{}", broker.logs()))?;
        Ok(broker)
    }

    pub fn url(&self) -> String {
        format!("stomp://127.0.0.1:{}", self.port)
    }

    /// The queues named `qsim.…` on the broker, over JMX with ActiveMQ's own `query` command.
    fn queues(&self) -> Result<Vec<String>, String> {
        let url = format!(
            "service:jmx:rmi:///jndi/rmi://127.0.0.1:{}/jmxrmi",
            self.jmx
        );
        let out = Command::new("java")
            .args([
                &format!("-Dactivemq.home={ACTIVEMQ_HOME}"),
                &format!("-Dactivemq.base={}", self.dir.display()),
                "-jar",
                LAUNCHER,
                "query",
                "--jmxurl",
                &url,
                "-QQueue=qsim.*",
                "--view",
                "Name",
            ])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .map_err(|e| format!("could not run ActiveMQ's query command: {e}"))?;
        let text = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() || text.contains("Broker not available") {
            return Err(format!(
                "listing ActiveMQ's queues over JMX failed ({})",
                out.status
            ));
        }
        Ok(parse_query(&text))
    }

    /// Waits for the broker's clean-up policy to remove every `qsim.…` queue; what is still
    /// there after [`GC_WAIT`] was left behind.
    pub fn queues_left(&self) -> Result<Vec<String>, String> {
        let deadline = Instant::now() + GC_WAIT;
        loop {
            let left = self.queues()?;
            if left.is_empty() || Instant::now() > deadline {
                return Ok(left);
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    fn logs(&self) -> String {
        format!(
            "  {}:\n{}\n  {}:\n{}",
            self.dir.join("activemq.log").display(),
            tail(&self.dir.join("activemq.log"), 30),
            self.dir.join("stdout.log").display(),
            tail(&self.dir.join("stdout.log"), 15)
        )
    }

    /// SIGTERM to the JVM's process id (its shutdown hook stops the broker), then, past the
    /// timeout, SIGKILL to its group.
    fn stop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let pid = self.child.id().to_string();
        let t = Instant::now();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                println!(
                    "    ActiveMQ (pid {pid}) stopped in {:.1} s",
                    t.elapsed().as_secs_f64()
                );
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        println!("    ActiveMQ (pid {pid}) did not stop; killing its process group");
        let group = format!("-{pid}");
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

impl Drop for ActiveMq {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The queue names in the output of `activemq query … --view Name` (`Name = …` lines).
pub fn parse_query(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("Name = "))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_output_is_read_for_queue_names_only() {
        let out = "ACTIVEMQ_HOME: /usr/share/activemq\nConnecting to JMX URL: x\n\
                   Name = qsim.r6.1-0-orders\n\nName = qsim.r2.1-1-orders\n";
        assert_eq!(
            parse_query(out),
            ["qsim.r6.1-0-orders", "qsim.r2.1-1-orders"]
        );
        assert!(parse_query("INFO: nothing\n").is_empty());
    }

    #[test]
    fn the_config_is_private_and_carries_the_policies() {
        let xml = config(
            61001,
            61002,
            61003,
            Path::new("/t/data"),
            "    <plugins/>\n",
        );
        assert!(xml.contains(r#"uri="stomp://127.0.0.1:61001""#), "{xml}");
        assert!(xml.contains(r#"connectorPort="61002" rmiServerPort="61003""#));
        assert!(xml.contains(r#"persistent="false" schedulerSupport="true""#));
        assert!(xml.contains(r#"dataDirectory="/t/data""#));
        assert!(
            xml.contains("    <plugins/>\n    <transportConnectors>"),
            "{xml}"
        );
        // Only STOMP: no OpenWire port for anything else to meet.
        assert!(!xml.contains("tcp://"), "{xml}");
    }
}
