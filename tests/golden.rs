//! Golden files: the JSON of `hopaudit classify` for whole header blocks, compared byte for
//! byte. On a mismatch the actual output is written beside the fixture as
//! `NAME.actual.json`; review it and rename it to `NAME.json` to accept it.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

const ORG_DOMAINS: [&str; 3] = ["example-health.org", "luxsci.com", "ppe-hosted.com"];

#[test]
fn golden_outputs() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut ran = 0;
    let mut failures = Vec::new();
    let mut inputs: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    inputs.sort();
    for input in inputs
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
    {
        let mut command = Command::new(env!("CARGO_BIN_EXE_hopaudit"));
        command.args(["classify", "--json"]);
        for domain in ORG_DOMAINS {
            command.args(["--org-domain", domain]);
        }
        let output = command.arg(input).output().expect("run hopaudit");
        assert!(
            output.status.success(),
            "{}: {}",
            input.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        let expected_path = input.with_extension("json");
        let actual_path = input.with_extension("actual.json");
        ran += 1;
        match fs::read(&expected_path) {
            Ok(expected) if expected == output.stdout => {
                let _ = fs::remove_file(&actual_path);
            }
            _ => {
                fs::write(&actual_path, &output.stdout).unwrap();
                failures.push(format!(
                    "{} differs; see {}",
                    expected_path.display(),
                    actual_path.display()
                ));
            }
        }
    }
    assert!(ran >= 3, "only {ran} golden files ran");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
