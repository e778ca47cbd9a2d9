//! Running the hopaudit binary against a test server, with a deadline, and reading the
//! SQLite file it wrote.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// One test's working folder with its config file and database.
pub struct Workspace {
    pub dir: tempfile::TempDir,
}

/// What goes into an `[[accounts]]` entry.
pub struct AccountSpec {
    pub name: String,
    pub host: String,
    pub port: u16,
    pub security: &'static str,
    pub auth: &'static str,
    pub credential: String,
    pub ca_file: Option<PathBuf>,
    pub extra: String,
}

impl AccountSpec {
    /// An implicit-TLS account reading its password from HOPAUDIT_TEST_PASSWORD.
    pub fn tls(port: u16, ca_file: PathBuf) -> AccountSpec {
        AccountSpec {
            name: "compliance".to_string(),
            host: "127.0.0.1".to_string(),
            port,
            security: "tls",
            auth: "password",
            credential: "password_env = \"HOPAUDIT_TEST_PASSWORD\"".to_string(),
            ca_file: Some(ca_file),
            extra: String::new(),
        }
    }
}

impl Workspace {
    pub fn new() -> Workspace {
        Workspace {
            dir: tempfile::Builder::new()
                .prefix("hopaudit-test-")
                .tempdir()
                .expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn database(&self) -> PathBuf {
        self.path().join("audit.sqlite")
    }

    /// Writes `config.toml` with the organization, `[scan]` lines and accounts.
    pub fn write_config(&self, scan: &str, accounts: &[AccountSpec]) -> PathBuf {
        let mut text = String::from(
            "database = \"audit.sqlite\"\n[organization]\ndomains = [\"example-health.org\"]\n",
        );
        text.push_str(&format!("[scan]\n{scan}\n"));
        for a in accounts {
            text.push_str(&format!(
                "[[accounts]]\nname = \"{}\"\nhost = \"{}\"\nport = {}\nsecurity = \"{}\"\nauth = \"{}\"\nusername = \"auditor\"\n{}\n",
                a.name, a.host, a.port, a.security, a.auth, a.credential
            ));
            if let Some(ca) = &a.ca_file {
                text.push_str(&format!("ca_file = \"{}\"\n", ca.display()));
            }
            text.push_str(&a.extra);
            text.push('\n');
        }
        let path = self.path().join("config.toml");
        std::fs::write(&path, text).expect("write config");
        path
    }

    /// Starts `hopaudit ARGS --config config.toml` with the test password in the
    /// environment.
    pub fn spawn(&self, args: &[&str], password: &str, extra_env: &[(&str, &str)]) -> Child {
        let mut command = Command::new(env!("CARGO_BIN_EXE_hopaudit"));
        command
            .args(args)
            .arg("--config")
            .arg(self.path().join("config.toml"))
            .env("HOPAUDIT_TEST_PASSWORD", password)
            .env_remove("HOPAUDIT_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in extra_env {
            command.env(k, v);
        }
        command.spawn().expect("start hopaudit")
    }

    /// Runs hopaudit to the end (at most 5 minutes).
    pub fn run(&self, args: &[&str], password: &str, extra_env: &[(&str, &str)]) -> Output {
        let child = self.spawn(args, password, extra_env);
        wait_with_deadline(child, Duration::from_secs(300))
    }

    pub fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.database()).expect("open the test database")
    }

    /// Runs a query returning one integer.
    pub fn count(&self, sql: &str) -> i64 {
        self.db()
            .query_row(sql, [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }
}

/// Waits for `child`, killing it when `limit` passes. Its output is read while it runs,
/// so a chatty child (trace logs) cannot block on a full pipe.
pub fn wait_with_deadline(mut child: Child, limit: Duration) -> Output {
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
    );
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = stderr.join().unwrap_or_default();
            panic!(
                "hopaudit did not finish within {limit:?}; stderr:\n{}",
                String::from_utf8_lossy(&stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    }
}

/// Standard output and error as one text, for assertion messages.
pub fn describe(output: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Parses the single JSON object `scan --json` prints.
pub fn summary(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "scan --json printed no JSON object ({e}):\n{}",
            describe(output)
        )
    })
}

/// Rows of (folder, messages, hops) from the store, sorted by folder.
pub fn folder_counts(ws: &Workspace) -> Vec<(String, i64, i64)> {
    let db = ws.db();
    let mut statement = db
        .prepare(
            "SELECT f.name, count(m.id), coalesce(sum(m.hop_count), 0) FROM folders f
             LEFT JOIN messages m ON m.folder_id = f.id AND m.present = 1 GROUP BY f.name ORDER BY f.name",
        )
        .expect("prepare");
    statement
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect()
}
