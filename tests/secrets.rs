//! Passwords and tokens never reach the database: an import with a config holding an
//! inline password and a password_env, then a byte search of every file SQLite wrote.

use std::path::Path;
use std::process::Command;

use hopaudit::store::SqliteStore;

const INLINE_SECRET: &str = "inline-Secret-4b1d9e";
const ENV_SECRET: &str = "env-Secret-77c0a2";
const COMMAND_SECRET: &str = "command-Secret-e5f3";

fn config_text() -> String {
    format!(
        r#"
database = "audit.sqlite"

[organization]
domains = ["example.org"]

[[accounts]]
name = "inline"
host = "127.0.0.1"
security = "plain"
username = "auditor@example.org"
password = "{INLINE_SECRET}"

[[accounts]]
name = "from-env"
host = "127.0.0.1"
security = "plain"
username = "auditor2@example.org"
password_env = "HOPAUDIT_TEST_PASSWORD"

[[accounts]]
name = "from-command"
host = "127.0.0.1"
security = "plain"
username = "auditor3@example.org"
password_command = "echo {COMMAND_SECRET}"
"#
    )
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn secrets_never_reach_database() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hopaudit.toml");
    std::fs::write(&config, config_text()).unwrap();
    let mbox = dir.path().join("box.mbox");
    std::fs::write(
        &mbox,
        "From a@mail.example Thu Mar  7 09:15:02 2024\nReceived: from mail.example by mx.example.org with ESMTPS; Thu, 7 Mar 2024 09:15:02 +0000\nSubject: s\n\nbody\n",
    )
    .unwrap();
    let database = dir.path().join("audit.sqlite");
    drop(SqliteStore::open(&database).unwrap());
    // An open reader keeps SQLite from folding the WAL into the database and deleting it
    // when the import ends, so the WAL is searched too.
    let reader = rusqlite::Connection::open(&database).unwrap();
    reader
        .query_row("SELECT count(*) FROM scans", [], |row| row.get::<_, i64>(0))
        .unwrap();

    let output = Command::new(env!("CARGO_BIN_EXE_hopaudit"))
        .args(["--quiet", "import", "--config"])
        .arg(&config)
        .arg(&mbox)
        .env("HOPAUDIT_TEST_PASSWORD", ENV_SECRET)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let wal = dir.path().join("audit.sqlite-wal");
    assert!(
        std::fs::metadata(&wal).unwrap().len() > 0,
        "the WAL should hold the import"
    );
    let stored: i64 = reader
        .query_row("SELECT count(*) FROM messages", [], |row| row.get(0))
        .unwrap();
    assert_eq!(stored, 1);
    for suffix in ["", "-wal", "-shm", ".lock"] {
        let file = Path::new(&format!("{}{suffix}", database.display())).to_path_buf();
        let bytes = std::fs::read(&file).unwrap();
        for secret in [INLINE_SECRET, ENV_SECRET, COMMAND_SECRET] {
            assert!(
                !contains(&bytes, secret),
                "{} holds {secret}",
                file.display()
            );
        }
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    for secret in [INLINE_SECRET, ENV_SECRET, COMMAND_SECRET] {
        assert!(!stdout.contains(secret));
    }
}
