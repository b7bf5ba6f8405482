//! `quick3 account` against the emulator: sign-in through the loopback answer, list, pause,
//! main account, removal (which deletes the keyring entry); and no token ever reaches the
//! database, stdout or stderr; a failed first sign-in adds nothing. Needs the real Secret Service
//! that script/test starts.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{Cli, support};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_add_signs_in_through_the_loopback_and_keeps_no_token_outside_the_keyring() {
    let tenant = support::demo_tenant().await;
    let cli = Cli::for_tenant(&tenant);
    cli.ok(&["demo", "seed"]);
    let (stdout, printed) = cli
        .add_account(
            &tenant,
            "Megan Bowen",
            "megan.bowen@contoso.example",
            "both",
        )
        .await;
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
        let account = store
            .account(quick3_core::ids::AccountId(
                accounts[0]["id"].as_i64().unwrap(),
            ))
            .unwrap();
        keyring
            .get(&quick3_core::identity::secrets::refresh_token_key(&account))
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
    assert_eq!(
        out.status.code(),
        Some(2),
        "a bad value on the command line"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("\"megan-at-contoso\" is not a valid e-mail address.")
    );
}

/// Starts `quick3 account add … --flow loopback --no-browser` and reads its sign-in URL from
/// stderr; the child is left waiting for the answer.
fn start_add(cli: &Cli, email: &str, timeout: &str) -> (std::process::Child, url::Url) {
    use std::io::BufRead;
    let mut child = cli
        .command(&[
            "account",
            "add",
            "--resource",
            "Megan Bowen",
            "--email",
            email,
            "--direction",
            "down",
            "--flow",
            "loopback",
            "--no-browser",
            "--timeout",
            timeout,
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("quick3 starts");
    let mut stderr = std::io::BufReader::new(child.stderr.take().expect("stderr"));
    let url = loop {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "no sign-in URL");
        if line.starts_with("https://") {
            break url::Url::parse(line.trim()).expect("a URL");
        }
    };
    child.stderr = None;
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    (child, url)
}

fn emails_and_main(cli: &Cli) -> Vec<(String, bool)> {
    let accounts: Value = serde_json::from_str(&cli.ok(&["account", "list", "--json"])).unwrap();
    accounts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["email"].as_str().unwrap().to_owned(),
                a["is_main"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_or_timed_out_sign_in_leaves_no_account_and_the_same_add_then_succeeds() {
    const ADELE: &str = "adele.vance@contoso.example";
    let tenant = support::demo_tenant().await;
    let cli = Cli::for_tenant(&tenant);
    cli.ok(&["demo", "seed"]);
    cli.add_account(
        &tenant,
        "Megan Bowen",
        "megan.bowen@contoso.example",
        "both",
    )
    .await;
    let only_megan = vec![("megan.bowen@contoso.example".to_owned(), true)];

    // Microsoft refuses: the browser comes back with access_denied.
    let (child, url) = start_add(&cli, ADELE, "60");
    let query: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    let answer = format!(
        "{}?error=access_denied&error_description=AADSTS65004%3A+User+declined+to+consent.&state={}",
        query["redirect_uri"], query["state"]
    );
    tenant
        .browser
        .get(&answer)
        .send()
        .await
        .expect("the loopback answers");
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert!(!out.status.success(), "a refused sign-in fails the add");
    assert_eq!(
        emails_and_main(&cli),
        only_megan,
        "a refused sign-in leaves no account and Megan's stays the main one"
    );

    // Nobody answers: the sign-in times out.
    let (child, _) = start_add(&cli, ADELE, "1");
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert!(!out.status.success(), "a timed-out sign-in fails the add");
    assert_eq!(
        emails_and_main(&cli),
        only_megan,
        "a timed-out sign-in leaves no account"
    );

    // The same add then succeeds, and the main account stays the main one.
    let (stdout, _) = cli.add_account(&tenant, "Megan Bowen", ADELE, "down").await;
    assert!(stdout.contains(&format!("Connected {ADELE}")), "{stdout}");
    assert_eq!(
        emails_and_main(&cli),
        vec![
            ("megan.bowen@contoso.example".to_owned(), true),
            (ADELE.to_owned(), false)
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mailbox_that_receives_uploads_for_one_resource_cannot_receive_them_for_another() {
    let tenant = support::demo_tenant().await;
    let cli = Cli::for_tenant(&tenant);
    cli.ok(&["demo", "seed"]);
    cli.add_account(
        &tenant,
        "Megan Bowen",
        "megan.bowen@contoso.example",
        "both",
    )
    .await;
    let out = cli
        .command(&[
            "account",
            "add",
            "--resource",
            "Boardroom",
            "--email",
            "megan.bowen@contoso.example",
            "--direction",
            "up",
            "--flow",
            "loopback",
            "--no-browser",
            "--timeout",
            "5",
        ])
        .output()
        .expect("quick3 runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a second uploader is refused");
    assert!(
        stderr.contains(
            "megan.bowen@contoso.example already receives the uploads of Megan Bowen: \
             add it to Boardroom as Down only, or change that account first"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("https://"), "refused before any sign-in");
    assert_eq!(
        emails_and_main(&cli),
        vec![("megan.bowen@contoso.example".to_owned(), true)]
    );

    // Down only is fine; turning it to Up afterwards is refused the same way.
    cli.add_account(&tenant, "Boardroom", "megan.bowen@contoso.example", "down")
        .await;
    let out = cli
        .command(&[
            "account",
            "edit",
            "megan.bowen@contoso.example",
            "--resource",
            "Boardroom",
            "--direction",
            "both",
        ])
        .output()
        .expect("quick3 runs");
    assert!(!out.status.success(), "an edit to Up is refused too");
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("already receives the uploads of Megan Bowen"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Megan Bowen's pulled appointments (live ones): (id, remote id, title).
fn pulled_of_megan(cli: &Cli) -> Vec<(String, String, String)> {
    let list = cli.json(&[
        "appointment",
        "list",
        "--resource",
        "Megan Bowen",
        "--from",
        "2000-01-01",
        "--to",
        "2100-01-01",
        "--json",
    ]);
    let mut pulled: Vec<(String, String, String)> = list
        .as_array()
        .expect("a list")
        .iter()
        .filter(|a| a["origin"]["kind"] == "microsoft365")
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_owned(),
                a["origin"]["remote_id"].as_str().unwrap().to_owned(),
                a["title"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    pulled.sort_by(|a, b| a.1.cmp(&b.1));
    pulled
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kept_appointments_can_be_edited_and_deleted_and_a_re_added_account_takes_them_back() {
    let (tenant, cli, _) = common::megan_connected("demo", "down").await;
    cli.ok(&["sync"]);
    let pulled = pulled_of_megan(&cli);
    assert!(pulled.len() > 10, "the demo mailbox has events: {pulled:?}");

    cli.ok(&["account", "remove", "megan.bowen@contoso.example"]);
    assert_eq!(
        pulled_of_megan(&cli),
        pulled,
        "removing the account keeps its appointments"
    );
    // The kept copies are the planner's now: an edit and a deletion are allowed.
    cli.ok(&[
        "appointment",
        "edit",
        &pulled[0].0,
        "--title",
        "Kept and renamed",
    ]);
    cli.ok(&["appointment", "delete", &pulled[1].0]);
    assert_eq!(pulled_of_megan(&cli).len(), pulled.len() - 1);

    // The same mailbox added again: its events find their rows again, none is duplicated.
    cli.add_account(
        &tenant,
        "Megan Bowen",
        "megan.bowen@contoso.example",
        "down",
    )
    .await;
    cli.ok(&["sync"]);
    cli.ok(&["sync"]);
    let again = pulled_of_megan(&cli);
    let ids = |list: &[(String, String, String)]| {
        list.iter()
            .map(|(id, remote, _)| (id.clone(), remote.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        again.len(),
        pulled.len(),
        "the same count after the re-add, no duplicates"
    );
    assert_eq!(
        ids(&again),
        ids(&pulled),
        "each event is back in the row it had"
    );
}
