//! `quick3 account calendars`: which calendars of a mailbox are synced, and choosing them.
//! Needs the real Secret Service that script/test starts.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{Cli, megan_connected};
use serde_json::{Value, json};

const MEGAN: &str = "megan.bowen@contoso.example";

fn synced(list: &Value) -> Vec<String> {
    let mut names: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["selected"] == json!(true))
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_calendars_lists_and_chooses() {
    let (_tenant, cli, _) = megan_connected("demo", "down").await;

    let before = cli.ok(&["account", "calendars", MEGAN]);
    assert!(before.contains("No calendars"), "{before}");
    cli.ok(&["sync", "--account", MEGAN]);
    let all = cli.json(&["account", "calendars", MEGAN, "--json"]);
    assert_eq!(synced(&all), ["Calendar", "Projects", "Travel"]);
    let table = cli.ok(&["account", "calendars", MEGAN]);
    assert!(
        table.contains("SYNCED") && table.contains("default"),
        "{table}"
    );

    let count = |cli: &Cli| {
        cli.json(&["appointment", "list", "--resource", "Megan Bowen", "--json"])
            .as_array()
            .unwrap()
            .len()
    };
    let shown = count(&cli);
    let out = cli.ok(&["account", "calendars", MEGAN, "--sync", "Calendar,Travel"]);
    assert!(out.contains("left the Scheduler"), "{out}");
    let chosen = cli.json(&["account", "calendars", MEGAN, "--json"]);
    assert_eq!(synced(&chosen), ["Calendar", "Travel"]);
    assert!(count(&cli) < shown, "Projects' appointments left");

    let refused = cli
        .command(&["account", "calendars", MEGAN, "--sync", "Holidays"])
        .output()
        .unwrap();
    assert_eq!(
        refused.status.code(),
        Some(2),
        "a calendar the account does not have is a usage error, told in a sentence"
    );
    assert!(String::from_utf8_lossy(&refused.stderr).contains("Holidays"));

    cli.ok(&["account", "calendars", MEGAN, "--all"]);
    cli.ok(&["sync", "--account", MEGAN]);
    assert_eq!(count(&cli), shown, "all back, nothing twice");
}
