//! Loading configuration files: the shipped example, the minimal form, and mistakes.

use std::path::{Path, PathBuf};

use hopaudit::config::{self, Security};

const SECOND: std::time::Duration = std::time::Duration::from_secs(1);

fn write(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("hopaudit.toml");
    std::fs::write(&path, text).unwrap();
    path
}

const MINIMAL: &str = r#"
database = "audit.sqlite"            # relative paths are relative to the config file

[organization]
domains = ["example-health.org"]

[[accounts]]
name = "compliance"
host = "127.0.0.1"
port = 993
security = "tls"
username = "auditor"
password_env = "HOPAUDIT_PASSWORD"
ca_file = "ca.pem"
"#;

#[test]
fn example_config_loads() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
    let config = config::load(&path).unwrap();
    assert_eq!(config.accounts.len(), 1);
    assert_eq!(config.organization.domains, vec!["example-health.org"]);
    assert_eq!(config.scan.window, 2000);
    assert_eq!(
        config.accounts[0].exclude_folders,
        vec!["\\Trash", "\\Junk"]
    );
}

#[test]
fn minimal_config_resolves_paths() {
    let dir = tempfile::tempdir().unwrap();
    let config = config::load(&write(dir.path(), MINIMAL)).unwrap();
    assert_eq!(config.database, dir.path().join("audit.sqlite"));
    let account = &config.accounts[0];
    assert_eq!(account.security, Security::Tls);
    assert_eq!(account.port(), 993);
    assert_eq!(
        account.ca_file.as_deref(),
        Some(dir.path().join("ca.pem").as_path())
    );
    assert_eq!(account.folders, vec!["*"]);
    assert_eq!(config.report.out_dir, dir.path().join("reports"));
}

#[test]
fn database_defaults_beside_config() {
    let dir = tempfile::tempdir().unwrap();
    let config = config::load(&write(dir.path(), "[organization]\ndomains = []\n")).unwrap();
    assert_eq!(config.database, dir.path().join("hopaudit.sqlite"));
}

#[test]
fn unknown_key_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let text = MINIMAL.replace(
        "security = \"tls\"",
        "security = \"tls\"\nfolder = [\"INBOX\"]",
    );
    let error = config::load(&write(dir.path(), &text))
        .unwrap_err()
        .to_string();
    assert!(error.contains("unknown field `folder`"), "{error}");
    assert!(error.contains("hopaudit.toml"), "{error}");
    assert!(
        error.contains("(line 12, column 1: `folder = [\"INBOX\"]`)"),
        "{error}"
    );
}

#[test]
fn plain_refused_off_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let text = MINIMAL
        .replace("security = \"tls\"", "security = \"plain\"")
        .replace("127.0.0.1", "imap.example-health.org");
    let error = config::load(&write(dir.path(), &text))
        .unwrap_err()
        .to_string();
    assert!(error.contains("loopback"), "{error}");
    assert!(error.contains("imap.example-health.org"), "{error}");
}

#[test]
fn plain_allowed_on_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let text = MINIMAL.replace("security = \"tls\"", "security = \"plain\"");
    assert!(config::load(&write(dir.path(), &text)).is_ok());
}

#[test]
fn credential_required() {
    let dir = tempfile::tempdir().unwrap();
    let text = MINIMAL.replace("password_env = \"HOPAUDIT_PASSWORD\"\n", "");
    let error = config::load(&write(dir.path(), &text))
        .unwrap_err()
        .to_string();
    assert!(error.contains("no credential"), "{error}");
}

#[test]
fn two_credentials_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let text = MINIMAL.replace(
        "password_env = \"HOPAUDIT_PASSWORD\"",
        "password_env = \"HOPAUDIT_PASSWORD\"\npassword_command = \"echo x\"",
    );
    let error = config::load(&write(dir.path(), &text))
        .unwrap_err()
        .to_string();
    assert!(error.contains("more than one"), "{error}");
}

#[test]
fn duplicate_account_names_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let account = &MINIMAL[MINIMAL.find("[[accounts]]").unwrap()..];
    let text = format!("{MINIMAL}\n{account}");
    let error = config::load(&write(dir.path(), &text))
        .unwrap_err()
        .to_string();
    assert!(error.contains("used twice"), "{error}");
}

#[test]
fn missing_file_names_path() {
    let error = config::load(Path::new("/nonexistent/hopaudit.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("/nonexistent/hopaudit.toml: cannot read"),
        "{error}"
    );
}

#[test]
fn password_command_first_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = MINIMAL.replace(
        "password_env = \"HOPAUDIT_PASSWORD\"",
        "password_command = \"printf 'test-secret-1\\\\nsecond line\\\\n'\"",
    );
    let config = config::load(&write(dir.path(), &text)).unwrap();
    match config.accounts[0].credential(SECOND).unwrap() {
        config::Credential::Password(secret) => assert_eq!(secret.expose(), "test-secret-1"),
        other => panic!("expected a password, got {other:?}"),
    }
}

fn credential_error(command: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let line = format!("password_command = {command:?}");
    let text = MINIMAL.replace("password_env = \"HOPAUDIT_PASSWORD\"", &line);
    let config = config::load(&write(dir.path(), &text)).unwrap();
    config.accounts[0]
        .credential(SECOND)
        .unwrap_err()
        .to_string()
}

#[test]
fn failing_password_command_gives_status() {
    let error = credential_error("exit 3");
    assert!(error.starts_with("password_command exited"), "{error}");
    assert!(error.contains("exit status: 3"), "{error}");
}

#[test]
fn hanging_password_command_is_stopped() {
    let started = std::time::Instant::now();
    let error = credential_error("sleep 30");
    assert!(error.contains("did not finish within 1 s"), "{error}");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

#[test]
fn empty_password_env_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), MINIMAL);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_hopaudit"))
        .args(["check", "--config", path.to_str().unwrap()])
        .env("HOPAUDIT_PASSWORD", "")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("HOPAUDIT_PASSWORD is empty"), "{stderr}");
    assert!(stderr.contains("\"compliance\""), "{stderr}");
}

/// Runs `hopaudit classify --config PATH` on an empty header block and returns its log.
fn warnings_for(path: &Path) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_hopaudit"))
        .args(["classify", "--config", path.to_str().unwrap(), "/dev/null"])
        .env_remove("HOPAUDIT_LOG")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn inline_password_warnings() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let text = MINIMAL.replace(
        "password_env = \"HOPAUDIT_PASSWORD\"",
        "password = \"inline-test-secret\"",
    );
    let path = write(dir.path(), &text);

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let open = warnings_for(&path);
    assert!(open.contains("inline password"), "{open}");
    assert!(open.contains("readable by group or others"), "{open}");
    assert!(
        open.contains(&format!("chmod 600 {}", path.display())),
        "{open}"
    );
    assert!(!open.contains("inline-test-secret"), "{open}");

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let private = warnings_for(&path);
    assert!(private.contains("inline password"), "{private}");
    assert!(
        !private.contains("readable by group or others"),
        "{private}"
    );
}

#[test]
fn password_env_gives_no_warning() {
    let dir = tempfile::tempdir().unwrap();
    let log = warnings_for(&write(dir.path(), MINIMAL));
    assert!(!log.contains("WARN"), "{log}");
}

#[test]
fn unknown_special_use_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let text = MINIMAL.replace(
        "security = \"tls\"",
        "security = \"tls\"\nfolders = [\"\\\\Sentt\"]",
    );
    let error = config::load(&write(dir.path(), &text))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("\"\\\\Sentt\" is not a special-use attribute"),
        "{error}"
    );
    assert!(error.contains("\\Sent"), "{error}");
}

#[test]
fn wrong_type_shows_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = MINIMAL.replace("port = 993", "port = \"993\"");
    let error = config::load(&write(dir.path(), &text))
        .unwrap_err()
        .to_string();
    assert!(error.contains("`port = \"993\"`"), "{error}");
}

#[test]
fn zero_settings_name_the_key() {
    for key in [
        "window",
        "max_connections",
        "timeout_seconds",
        "max_header_bytes",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let text = format!("{MINIMAL}\n[scan]\n{key} = 0\n");
        let error = config::load(&write(dir.path(), &text))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains(&format!("scan.{key} = 0 is invalid")),
            "{error}"
        );
    }
}

#[test]
fn missing_file_error_printed_once() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_hopaudit"))
        .args(["verify", "--config", "/nonexistent/hopaudit.toml"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stderr.matches("No such file").count(), 1, "{stderr}");
}
