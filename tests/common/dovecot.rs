//! A private Dovecot per test, started through `scripts/local-dovecot.sh` in its own
//! temporary folder on free ports, and stopped when the value is dropped.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A running test server.
pub struct Dovecot {
    pub rundir: tempfile::TempDir,
    pub env: HashMap<String, String>,
}

impl Dovecot {
    /// Starts Dovecot with the sample mailbox.
    pub fn with_sample() -> Dovecot {
        Dovecot::start(Some(&repo().join("tests/fixtures/mailbox")), &[])
    }

    /// Starts Dovecot with `seed` (a folder tree of .eml files) and extra environment.
    pub fn start(seed: Option<&Path>, extra_env: &[(&str, &str)]) -> Dovecot {
        let rundir = tempfile::Builder::new()
            .prefix("hopaudit-dovecot-")
            .tempdir()
            .expect("temp dir");
        let mut command = Command::new("timeout");
        command
            .arg("120")
            .arg(repo().join("scripts/local-dovecot.sh"))
            .arg("start")
            .arg(rundir.path());
        if let Some(seed) = seed {
            command.arg(seed);
        }
        for (key, value) in extra_env {
            command.env(key, value);
        }
        let output = command.output().expect("run scripts/local-dovecot.sh");
        let stdout = String::from_utf8_lossy(&output.stdout);
        if output.status.code() == Some(3) || !dovecot_installed() {
            panic!(
                "Dovecot is not installed; install it with: apt-get install dovecot-imapd (it must not run as a system service for these tests)"
            );
        }
        assert!(
            output.status.success(),
            "local-dovecot.sh failed: {}\n{}",
            stdout,
            String::from_utf8_lossy(&output.stderr)
        );
        let env = stdout
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Dovecot { rundir, env }
    }

    pub fn get(&self, key: &str) -> &str {
        self.env
            .get(key)
            .unwrap_or_else(|| panic!("local-dovecot.sh printed no {key}"))
    }

    pub fn imaps_port(&self) -> u16 {
        self.get("imaps_port").parse().expect("port")
    }

    pub fn imap_port(&self) -> u16 {
        self.get("imap_port").parse().expect("port")
    }

    pub fn password(&self) -> &str {
        self.get("password")
    }

    pub fn ca_file(&self) -> PathBuf {
        PathBuf::from(self.get("ca_file"))
    }

    /// The on-disk folder of an IMAP folder (Maildir++ layout).
    pub fn maildir_folder(&self, folder: &str) -> PathBuf {
        let root = PathBuf::from(self.get("maildir"));
        if folder == "INBOX" {
            root
        } else {
            root.join(format!(".{}", folder.replace('/', ".")))
        }
    }

    /// Delivers a message into `folder` (which must exist) as a new Maildir file.
    pub fn deliver(&self, folder: &str, name: &str, text: &str) {
        let dir = self.maildir_folder(folder).join("new");
        let path = dir.join(format!("{name}.test"));
        std::fs::write(&path, text).expect("write message");
        chown_like(&path, &dir);
    }

    /// Every message file name (they carry the Maildir flags) in every folder, sorted.
    pub fn flag_snapshot(&self) -> Vec<String> {
        let mut names = Vec::new();
        collect_names(Path::new(self.get("maildir")), &mut names);
        names.sort();
        names
    }

    /// Path of the Dovecot log.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.get("log")).unwrap_or_default()
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = Command::new("timeout")
            .arg("30")
            .arg(repo().join("scripts/local-dovecot.sh"))
            .arg("stop")
            .arg(self.rundir.path())
            .status();
    }
}

fn collect_names(dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            collect_names(&path, out);
        } else if matches!(
            dir.file_name().and_then(|n| n.to_str()),
            Some("cur" | "new")
        ) {
            let folder = dir
                .parent()
                .and_then(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            out.push(format!("{folder}/{name}"));
        }
    }
}

/// Gives `path` the owner of `dir`, so Dovecot (running mail as nobody under root) can
/// read it.
fn chown_like(path: &Path, dir: &Path) {
    use std::os::unix::fs::MetadataExt;
    if let Ok(meta) = std::fs::metadata(dir) {
        let _ = std::os::unix::fs::chown(path, Some(meta.uid()), Some(meta.gid()));
    }
}

fn dovecot_installed() -> bool {
    Path::new("/usr/sbin/dovecot").exists()
        || Command::new("sh")
            .arg("-c")
            .arg("command -v dovecot")
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}
