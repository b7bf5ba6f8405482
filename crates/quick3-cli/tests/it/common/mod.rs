//! Shared by the CLI's integration tests: running `quick3` on a data folder of its own, pointed at
//! an in-process emulator, and signing an account in through the loopback answer.

#![allow(dead_code)]

#[path = "../../../../quick3-core/tests/it/support/mod.rs"]
pub mod support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

pub struct Cli {
    pub dir: tempfile::TempDir,
    pub env: Vec<(String, String)>,
}

impl Cli {
    /// A CLI on a fresh data folder pointed at the tenant's emulator.
    pub fn for_tenant(tenant: &support::Tenant) -> Cli {
        Cli {
            dir: tempfile::tempdir().expect("a data folder"),
            env: vec![
                ("QUICK3_AUTHORITY".into(), tenant.emulator.authority()),
                ("QUICK3_GRAPH".into(), tenant.emulator.graph()),
                (
                    "QUICK3_CLIENT_ID".into(),
                    m365_emulator::DEMO_CLIENT_ID.into(),
                ),
                (
                    "QUICK3_CA_CERT".into(),
                    tenant.emulator.ca_cert_path().display().to_string(),
                ),
            ],
        }
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_quick3"));
        command
            .args(args)
            .env("QUICK3_DATA_DIR", self.dir.path())
            .env_remove("QUICK3_DEMO");
        for (k, v) in &self.env {
            command.env(k, v);
        }
        command
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.command(args).output().expect("quick3 runs");
        assert!(
            out.status.success(),
            "quick3 {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).expect("--json prints JSON")
    }

    /// `quick3 account add … --flow loopback --no-browser`, completed in the "browser"; returns
    /// (stdout, everything printed on stderr).
    pub async fn add_account(
        &self,
        tenant: &support::Tenant,
        resource: &str,
        email: &str,
        direction: &str,
    ) -> (String, String) {
        let mut child = self
            .command(&[
                "account",
                "add",
                "--resource",
                resource,
                "--email",
                email,
                "--direction",
                direction,
                "--flow",
                "loopback",
                "--no-browser",
                "--timeout",
                "60",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("quick3 starts");
        let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
        let mut printed = String::new();
        let url = loop {
            let mut line = String::new();
            assert!(
                stderr.read_line(&mut line).expect("stderr reads") > 0,
                "quick3 printed no sign-in URL: {printed}"
            );
            printed.push_str(&line);
            if line.starts_with("https://") {
                break line.trim().to_owned();
            }
        };
        let redirect = tenant
            .complete_in_browser(&url, email, "Demo-pass-1", None)
            .await;
        assert!(
            redirect.starts_with("http://127.0.0.1:"),
            "the answer goes to the CLI's loopback port"
        );
        let page = tenant
            .browser
            .get(&redirect)
            .send()
            .await
            .expect("the loopback answers");
        assert_eq!(page.status(), 200);
        let output = tokio::task::spawn_blocking(move || child.wait_with_output())
            .await
            .expect("joins")
            .expect("quick3 ends");
        let mut rest = String::new();
        stderr.read_to_string(&mut rest).expect("stderr reads");
        printed.push_str(&rest);
        assert!(output.status.success(), "{printed}");
        (String::from_utf8_lossy(&output.stdout).to_string(), printed)
    }
}

/// A call to the emulator's admin API (seed, faults, Outlook-side edits); its JSON answer.
pub async fn admin(
    tenant: &support::Tenant,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> serde_json::Value {
    let mut request = tenant
        .admin
        .request(method, format!("{}{path}", tenant.emulator.admin()));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("the admin API answers");
    assert!(
        response.status().is_success(),
        "admin {path}: {}",
        response.status()
    );
    response.json().await.unwrap_or(serde_json::Value::Null)
}

/// The user's events as the admin API lists them (single instances and series masters).
pub async fn outlook_events(tenant: &support::Tenant, user: &str) -> Vec<serde_json::Value> {
    let events = admin(
        tenant,
        reqwest::Method::GET,
        &format!("/users/{user}/events"),
        None,
    )
    .await;
    events["value"]
        .as_array()
        .expect("the admin API lists events")
        .clone()
}

/// The Graph id of the user's first event titled `subject`.
pub async fn outlook_event_id(tenant: &support::Tenant, user: &str, subject: &str) -> String {
    outlook_events(tenant, user)
        .await
        .iter()
        .find(|e| e["subject"] == subject)
        .unwrap_or_else(|| panic!("{user} has an event titled {subject:?}"))["id"]
        .as_str()
        .expect("an event has an id")
        .to_owned()
}

/// Subjects in the user's mailbox starting with `prefix`, with how often each occurs.
pub async fn outlook_subjects(
    tenant: &support::Tenant,
    user: &str,
    prefix: &str,
) -> BTreeMap<String, usize> {
    let mut subjects = BTreeMap::new();
    for event in outlook_events(tenant, user).await {
        let subject = event["subject"].as_str().expect("an event has a subject");
        if subject.starts_with(prefix) {
            *subjects.entry(subject.to_owned()).or_default() += 1;
        }
    }
    subjects
}

/// What a `quick3 sync --json` summary says its first account changed: (added, updated,
/// deleted), as the JSON has them.
pub fn summary_changes(
    summary: &serde_json::Value,
) -> (&serde_json::Value, &serde_json::Value, &serde_json::Value) {
    (
        &summary[0]["added"],
        &summary[0]["updated"],
        &summary[0]["deleted"],
    )
}

/// The CLI's store, opened beside it (as the app would).
pub fn open(cli: &Cli) -> quick3_core::Store {
    let mut store =
        quick3_core::Store::open(&cli.dir.path().join("quick3.db")).expect("the store opens");
    store
        .set_default_zone("Europe/Berlin")
        .expect("a known zone");
    store
}

/// A one-hour Quick3 appointment at 15:00 (Europe/Berlin) `days` from today.
pub fn appointment_input(
    resource: quick3_core::ids::ResourceId,
    title: &str,
    days: i64,
) -> quick3_core::model::AppointmentInput {
    let d = (chrono::Utc::now() + chrono::Duration::days(days)).date_naive();
    quick3_core::model::AppointmentInput {
        resource_id: resource,
        title: title.into(),
        all_day: false,
        start: format!("{d}T15:00"),
        end: Some(format!("{d}T16:00")),
        time_zone: None,
        location: None,
        notes: None,
        categories: vec![],
        show_as: None,
        sensitivity: None,
    }
}

/// The emulator reseeded with `seed` ("empty", "demo"), a CLI on the demo data, and Megan Bowen's
/// mailbox connected to her resource in `direction`; answers her resource too.
pub async fn megan_connected(
    seed: &str,
    direction: &str,
) -> (support::Tenant, Cli, quick3_core::ids::ResourceId) {
    let tenant = support::demo_tenant().await;
    admin(
        &tenant,
        reqwest::Method::POST,
        "/seed",
        Some(serde_json::json!({ "seed": seed })),
    )
    .await;
    let cli = Cli::for_tenant(&tenant);
    cli.ok(&["demo", "seed"]);
    cli.add_account(
        &tenant,
        "Megan Bowen",
        "megan.bowen@contoso.example",
        direction,
    )
    .await;
    let resource = open(&cli)
        .find_resource("Megan Bowen")
        .expect("the demo has Megan Bowen")
        .id;
    (tenant, cli, resource)
}

/// xorshift dice for the crash tests, seeded from the clock and printed, so a failing run says
/// which rolls it had.
pub struct Dice(u64);

impl Dice {
    pub fn from_clock(name: &str) -> Dice {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_nanos() as u64
            | 1;
        eprintln!("{name} seed: {seed}");
        Dice(seed)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// A fresh data folder for the `quick3` binary, its commands run in `zone`; its planner may edit
/// Resource settings (local management allowed it).
pub struct Quick3 {
    pub dir: tempfile::TempDir,
    zone: &'static str,
}

impl Default for Quick3 {
    fn default() -> Self {
        Self::new()
    }
}

impl Quick3 {
    /// In Europe/Berlin.
    pub fn new() -> Self {
        Self::in_zone("Europe/Berlin")
    }

    pub fn in_zone(zone: &'static str) -> Self {
        let q = Quick3 {
            dir: tempfile::tempdir().expect("a temporary data dir"),
            zone,
        };
        q.ok(&["admin", "allow-edit"]);
        q
    }

    pub fn run(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_quick3"))
            .args(args)
            .env("QUICK3_DATA_DIR", self.dir.path())
            .env("QUICK3_TZ", self.zone)
            .output()
            .expect("quick3 runs")
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "quick3 {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).expect("--json prints JSON")
    }
}
