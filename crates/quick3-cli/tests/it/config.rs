//! `quick3 config`: a value a setting cannot take is a usage error (exit 2, one plain sentence)
//! and changes nothing; `config unset` is the one way back to the default.

use std::process::{Command, Output};

struct Quick3 {
    dir: tempfile::TempDir,
}

impl Quick3 {
    fn run(&self, args: &[&str]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_quick3"));
        for name in [
            "QUICK3_AUTHORITY",
            "QUICK3_GRAPH",
            "QUICK3_CLIENT_ID",
            "QUICK3_TENANT",
            "QUICK3_CA_CERT",
            "QUICK3_BROWSER_AUTHORITY",
        ] {
            command.env_remove(name);
        }
        command
            .args(args)
            .env("QUICK3_DATA_DIR", self.dir.path())
            .output()
            .expect("quick3 runs")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "quick3 {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }
}

#[test]
fn a_value_a_setting_cannot_take_is_a_usage_error_and_changes_nothing() {
    let q = Quick3 {
        dir: tempfile::tempdir().expect("a temporary data dir"),
    };
    let not_pem = q.dir.path().join("not-a-certificate.pem");
    std::fs::write(&not_pem, "hello").unwrap();
    let not_pem = not_pem.display().to_string();
    q.ok(&["config", "set", "graph", "https://127.0.0.1:8443/v1.0"]);
    q.ok(&["config", "set", "authority", "https://127.0.0.1:8443"]);
    q.ok(&[
        "config",
        "set",
        "client-id",
        "3b9e2f7c-5a1d-4e8b-b6c4-0d2a7f9e1c35",
    ]);
    q.ok(&["config", "set", "tenant", "contoso.onmicrosoft.com"]);
    let before = q.ok(&["config", "show"]);

    for (name, value, says) in [
        (
            "graph",
            "http://graph.example.com/v1.0",
            "must be an https address",
        ),
        (
            "authority",
            "http://login.example.com",
            "must be an https address",
        ),
        (
            "authority",
            "file:///etc/passwd",
            "must be an https address",
        ),
        ("graph", "javascript:alert(1)", "must be an https address"),
        ("graph", "not a url", "is not a URL"),
        ("client-id", "not-a-guid", "a GUID"),
        ("tenant", "../../evil?x=", "the tenant is"),
        ("ca-cert", "/nonexistent/ca.pem", "cannot be read"),
        (
            "ca-cert",
            not_pem.as_str(),
            "does not hold a PEM certificate",
        ),
        (
            "graph",
            "",
            "needs a value; to go back to the default, unset it",
        ),
        ("client-id", "   ", "needs a value"),
        ("colour", "blue", "is not one of"),
    ] {
        let out = q.run(&["config", "set", name, value]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name} {value:?}: {stderr}");
        assert!(
            stderr.contains(says) && stderr.lines().count() == 1,
            "{name} {value:?}: one plain sentence saying {says:?}: {stderr}"
        );
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("is set"),
            "{name} {value:?}: not claimed set"
        );
        assert_eq!(
            q.ok(&["config", "show"]),
            before,
            "{name} {value:?}: the settings are unchanged"
        );
    }

    q.ok(&["config", "set", "graph", "http://127.0.0.1:8080/v1.0"]);
    q.ok(&["config", "set", "graph", "http://localhost:8080/v1.0"]);
    assert!(
        q.ok(&["config", "show"])
            .contains("http://localhost:8080/v1.0"),
        "plain http to this computer (the emulator) is allowed"
    );
    let unset = q.ok(&["config", "unset", "graph"]);
    assert!(unset.contains("graph is back to its default"), "{unset}");
    assert!(
        q.ok(&["config", "show"])
            .contains("https://graph.microsoft.com/v1.0"),
        "unset is the way back to the default"
    );
    let out = q.run(&["config", "unset", "colour"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown name is a usage error"
    );
}
