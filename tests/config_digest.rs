//! The configuration digest in the scan trail: stable, sensitive to audit settings, and
//! blind to every secret and secret source.

use std::path::Path;

use hopaudit::config;

fn load(dir: &Path, name: &str, text: &str) -> config::Config {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    config::load(&path).unwrap()
}

fn account(credential: &str) -> String {
    format!(
        r#"
database = "audit.sqlite"

[organization]
domains = ["example.org"]

[[accounts]]
name = "main"
host = "imap.example.org"
security = "tls"
username = "auditor@example.org"
{credential}
"#
    )
}

#[test]
fn digest_is_stable_hex() {
    let dir = tempfile::tempdir().unwrap();
    let a = load(dir.path(), "a.toml", &account("password_env = \"PW\""));
    let b = load(dir.path(), "b.toml", &account("password_env = \"PW\""));
    let digest = config::digest(&a);
    assert_eq!(digest.len(), 64);
    assert!(
        digest
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    assert_eq!(digest, config::digest(&b));
}

#[test]
fn secret_text_does_not_change_digest() {
    let dir = tempfile::tempdir().unwrap();
    let pairs = [
        (
            "password = \"hunter2-test\"",
            "password = \"other-test-pw\"",
        ),
        ("password_env = \"PW_ONE\"", "password_env = \"PW_TWO\""),
        (
            "password_command = \"echo s3cret-test\"",
            "password_command = \"pass show x\"",
        ),
    ];
    for (one, two) in pairs {
        let a = load(dir.path(), "a.toml", &account(one));
        let b = load(dir.path(), "b.toml", &account(two));
        assert_eq!(config::digest(&a), config::digest(&b), "{one} vs {two}");
        let rendering = config::canonical(&a);
        for secret in ["hunter2-test", "PW_ONE", "s3cret-test", "echo"] {
            assert!(!rendering.contains(secret), "{secret} in {rendering}");
        }
    }
}

#[test]
fn audit_settings_change_digest() {
    let dir = tempfile::tempdir().unwrap();
    let base = account("password_env = \"PW\"");
    let reference = config::digest(&load(dir.path(), "a.toml", &base));
    let changed = [
        base.replace("example.org\"]", "example.net\"]"),
        base.replace("imap.example.org", "imap2.example.org"),
        base.replace("password_env = \"PW\"", "password_command = \"x\""),
        base.clone() + "\n[scan]\nmax_header_bytes = 10\n",
    ];
    for text in changed {
        let other = config::digest(&load(dir.path(), "b.toml", &text));
        assert_ne!(reference, other, "{text}");
    }
    // Where the database lives does not change what the audit finds.
    let moved = base.replace("audit.sqlite", "elsewhere.sqlite");
    assert_eq!(
        reference,
        config::digest(&load(dir.path(), "c.toml", &moved))
    );
}
