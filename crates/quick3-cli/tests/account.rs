//! `quick3 account` against the emulator: sign-in through the loopback answer, list, pause,
//! main account, removal (which deletes the keyring entry); and no token ever reaches the
//! database, stdout or stderr. Needs the real Secret Service that script/test starts.

#[path = "../../quick3-core/tests/support/mod.rs"]
mod support;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use serde_json::Value;

struct Cli {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Cli {
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_quick3"));
        command.args(args).env("QUICK3_DATA_DIR", self.dir.path());
        for (k, v) in &self.env {
            command.env(k, v);
        }
        command
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.command(args).output().expect("quick3 runs");
        assert!(
            out.status.success(),
            "quick3 {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_add_signs_in_through_the_loopback_and_keeps_no_token_outside_the_keyring() {
    let tenant = support::demo_tenant().await;
    let cli = Cli {
        dir: tempfile::tempdir().unwrap(),
        env: vec![
            ("QUICK3_AUTHORITY".into(), tenant.emulator.authority()),
            ("QUICK3_GRAPH".into(), tenant.emulator.graph()),
            ("QUICK3_CLIENT_ID".into(), m365_emulator_client_id()),
            (
                "QUICK3_CA_CERT".into(),
                tenant.emulator.ca_cert_path().display().to_string(),
            ),
        ],
    };
    cli.ok(&["demo", "seed"]);

    let mut child = cli
        .command(&[
            "account",
            "add",
            "--resource",
            "Megan Bowen",
            "--email",
            "megan.bowen@contoso.example",
            "--direction",
            "both",
            "--flow",
            "loopback",
            "--no-browser",
            "--timeout",
            "60",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut printed = String::new();
    let url = loop {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "quick3 printed no sign-in URL: {printed}"
        );
        printed.push_str(&line);
        if line.starts_with("https://") {
            break line.trim().to_owned();
        }
    };
    let redirect = tenant
        .complete_in_browser(&url, "megan.bowen@contoso.example", "Demo-pass-1", None)
        .await;
    assert!(
        redirect.starts_with("http://127.0.0.1:"),
        "the answer goes to the CLI's loopback port"
    );
    let page = tenant.browser.get(&redirect).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let status = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    printed.push_str(&rest);
    let stdout = String::from_utf8_lossy(&status.stdout).to_string();
    assert!(status.status.success(), "{printed}");
    assert!(
        stdout.contains("Connected megan.bowen@contoso.example"),
        "{stdout}"
    );

    let accounts: Value = serde_json::from_str(&cli.ok(&["account", "list", "--json"])).unwrap();
    assert_eq!(accounts[0]["status"], "connected");
    assert_eq!(
        accounts[0]["is_main"], true,
        "the first account is the main account"
    );
    assert_eq!(accounts[0]["direction"], "up_and_down");

    // No token anywhere but the keyring: the database files and everything printed.
    let refresh_token = {
        let store = quick3_core::Store::open(&cli.dir.path().join("quick3.db")).unwrap();
        let mut store = store;
        let keyring =
            quick3_core::identity::Keyring::for_installation(&store.installation_id().unwrap());
        let account = quick3_core::ids::AccountId(accounts[0]["id"].as_i64().unwrap());
        keyring
            .get(&quick3_core::identity::secrets::refresh_token_key(account))
            .unwrap()
            .expect("the refresh token is in the keyring")
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(cli.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            files.extend(std::fs::read(&path).unwrap());
        }
    }
    let files = String::from_utf8_lossy(&files).to_string();
    let secret = refresh_token.expose();
    assert!(secret.len() > 20);
    assert!(
        !files.contains(secret),
        "the refresh token is in the data folder"
    );
    assert!(
        !printed.contains(secret) && !stdout.contains(secret),
        "the refresh token was printed"
    );
    for marker in ["refresh_token", "access_token", "Bearer "] {
        assert!(
            !printed.contains(marker) && !stdout.contains(marker),
            "{marker} was printed: {printed}"
        );
    }

    // Pause, then remove: the keyring entry goes too.
    cli.ok(&[
        "account",
        "edit",
        "megan.bowen@contoso.example",
        "--direction",
        "none",
    ]);
    let accounts: Value = serde_json::from_str(&cli.ok(&["account", "list", "--json"])).unwrap();
    assert_eq!(accounts[0]["status"], "paused");
    cli.ok(&["account", "remove", "megan.bowen@contoso.example"]);
    let accounts: Value = serde_json::from_str(&cli.ok(&["account", "list", "--json"])).unwrap();
    assert_eq!(accounts, Value::Array(vec![]));
}

#[test]
fn adding_an_account_without_a_client_id_says_how_to_register() {
    let cli = Cli {
        dir: tempfile::tempdir().unwrap(),
        env: vec![("QUICK3_CLIENT_ID".into(), String::new())],
    };
    cli.ok(&["demo", "seed"]);
    let out = cli
        .command(&[
            "account",
            "add",
            "--resource",
            "Megan Bowen",
            "--email",
            "megan.bowen@contoso.example",
            "--direction",
            "down",
            "--no-browser",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Register Quick3 Planner in Microsoft Entra"),
        "{stderr}"
    );
    let accounts: Value = serde_json::from_str(&cli.ok(&["account", "list", "--json"])).unwrap();
    assert_eq!(
        accounts,
        Value::Array(vec![]),
        "nothing is written when sign-in cannot start"
    );
}

#[test]
fn invalid_email_is_refused_before_any_sign_in() {
    let cli = Cli {
        dir: tempfile::tempdir().unwrap(),
        env: vec![("QUICK3_CLIENT_ID".into(), "x".into())],
    };
    cli.ok(&["demo", "seed"]);
    let out = cli
        .command(&[
            "account",
            "add",
            "--resource",
            "Megan Bowen",
            "--email",
            "megan-at-contoso",
            "--direction",
            "down",
            "--no-browser",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("\"megan-at-contoso\" is not a valid e-mail address.")
    );
}

fn m365_emulator_client_id() -> String {
    m365_emulator::DEMO_CLIENT_ID.into()
}
