//! `quick3 daemon` runs the "Synchronize Office365 Calendars" job against the emulator:
//! appointments arrive; when the account's sign-in is revoked the run fails and the failure mail
//! arrives at a real SMTP server on loopback (started by script/test). Needs the real Secret
//! Service and SMTP server that script/test provides.

use crate::common;

use common::{Cli, support};
use serde_json::Value;

fn smtp() -> (String, String, std::path::PathBuf) {
    let address = std::env::var("QUICK3_TEST_SMTP")
        .expect("QUICK3_TEST_SMTP is not set: run the tests through script/test, which starts an SMTP server");
    let maildir = std::env::var("QUICK3_TEST_MAILDIR").expect("QUICK3_TEST_MAILDIR is not set");
    let (host, port) = address.rsplit_once(':').expect("host:port");
    (host.to_owned(), port.to_owned(), maildir.into())
}

fn mail_with(maildir: &std::path::Path, needle: &str) -> Option<String> {
    std::fs::read_dir(maildir.join("new"))
        .ok()?
        .filter_map(Result::ok)
        .find_map(|entry| {
            let text = std::fs::read_to_string(entry.path()).ok()?;
            text.contains(needle).then_some(text)
        })
}

/// `quick3 mail test` sends what Settings → E-mail sends (the core's `api::send_test_mail`): it
/// arrives at the saved server, the address is printed as the store writes it, a bad address is the
/// command line's fault (2), a server that does not answer a failure (1).
#[test]
fn mail_test_sends_through_the_saved_server() {
    let (host, port, maildir) = smtp();
    let cli = Cli {
        dir: tempfile::tempdir().expect("a data folder"),
        env: Vec::new(),
    };
    let set = |port: &str| {
        cli.ok(&[
            "mail",
            "set",
            "--host",
            &host,
            "--port",
            port,
            "--security",
            "none",
            "--sender",
            "planner@contoso.example",
        ])
    };
    set(&port);
    let to = format!("mail-test-{}@Contoso.Example", std::process::id());
    let printed = cli.ok(&["mail", "test", &format!(" {to} ")]);
    let written = format!("mail-test-{}@contoso.example", std::process::id());
    assert_eq!(
        printed.trim(),
        format!("A test e-mail went to {written}."),
        "the address is printed as it was sent: trimmed, its domain in lower case"
    );
    let mail = mail_with(&maildir, &written).expect("the test mail arrived at the SMTP server");
    assert!(mail.contains("From: planner@contoso.example"), "{mail}");

    let bad = cli
        .command(&["mail", "test", "it at contoso"])
        .output()
        .unwrap();
    assert_eq!(
        bad.status.code(),
        Some(2),
        "a mistyped address is the command line's fault: {}",
        String::from_utf8_lossy(&bad.stderr)
    );
    assert!(String::from_utf8_lossy(&bad.stderr).contains("is not a valid e-mail address"));

    set("9"); // discard: nothing listens
    let failed = cli
        .command(&["mail", "test", "it@contoso.example"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert_eq!(failed.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("The e-mail could not be sent:"),
        "the server's failure is said plainly: {stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daemon_syncs_on_schedule_and_mails_a_failure() {
    let (host, port, maildir) = smtp();
    let tenant = support::demo_tenant().await;
    let cli = Cli::for_tenant(&tenant);
    cli.ok(&["demo", "seed"]);
    cli.add_account(
        &tenant,
        "Adele Vance",
        "adele.vance@contoso.example",
        "down",
    )
    .await;
    let job_name = format!("Nightly sync {}", std::process::id());
    cli.ok(&[
        "job",
        "add",
        "--name",
        &job_name,
        "--every",
        "30m",
        "--notify",
        "it@contoso.example",
    ]);
    cli.ok(&[
        "mail",
        "set",
        "--host",
        &host,
        "--port",
        &port,
        "--security",
        "none",
        "--sender",
        "planner@contoso.example",
    ]);

    // Not due yet: the daemon does nothing.
    cli.ok(&["daemon", "--once"]);
    let history = cli.json(&["job", "history", &job_name, "--json"]);
    assert_eq!(
        history,
        Value::Array(vec![]),
        "a job runs only when it is due"
    );

    cli.ok(&["job", "run-now", &job_name]);
    let run = cli.command(&["daemon", "--once"]).output().unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let history = cli.json(&["job", "history", &job_name, "--json"]);
    assert_eq!(history[0]["result"], "succeeded", "{history}");

    // After a sign-in and a refresh (the daemon is a new process: it refreshed), no token the
    // emulator issued is in Quick3's files or in anything the CLI printed.
    let issued: Value = tenant
        .admin
        .get(format!("{}/tokens", tenant.emulator.admin()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tokens: Vec<&str> = issued
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["token"].as_str())
        .collect();
    assert!(
        issued
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["kind"] == "refresh")
            .count()
            >= 2,
        "the sign-in and the daemon's refresh each issued a refresh token: {issued}"
    );
    let mut seen =
        String::from_utf8_lossy(&run.stdout).to_string() + &String::from_utf8_lossy(&run.stderr);
    for entry in std::fs::read_dir(cli.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            seen.push_str(&String::from_utf8_lossy(&std::fs::read(&path).unwrap()));
        }
    }
    for token in tokens {
        assert!(
            !seen.contains(token),
            "an issued token is in the data folder or the output"
        );
    }
    assert!(
        history[0]["counts"]["added"].as_i64().unwrap_or(0) > 0,
        "{history}"
    );
    let pulled = cli.json(&[
        "appointment",
        "list",
        "--resource",
        "adele.vance@contoso.example",
        "--json",
    ]);
    assert!(
        pulled
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["origin"]["kind"] == "microsoft365"),
        "Adele's Outlook appointments arrived"
    );
    let jobs = cli.json(&["job", "list", "--json"]);
    let next: chrono::DateTime<chrono::Utc> =
        jobs[0]["next_run_at"].as_str().unwrap().parse().unwrap();
    assert!(
        next > chrono::Utc::now() + chrono::Duration::minutes(25),
        "the next run is an interval away: {next}"
    );

    // The sign-in is revoked (password changed): the next run fails and mails IT.
    tenant
        .revoke_refresh_tokens("adele.vance@contoso.example")
        .await;
    cli.ok(&["job", "run-now", &job_name]);
    cli.ok(&["daemon", "--once"]);
    let history = cli.json(&["job", "history", &job_name, "--json"]);
    assert_eq!(history[0]["result"], "failed", "{history}");
    let accounts = cli.json(&["account", "list", "--json"]);
    assert_eq!(accounts[0]["status"], "sign_in_needed");
    let mail = mail_with(&maildir, &job_name).expect("the failure mail arrived at the SMTP server");
    assert!(mail.contains("To: it@contoso.example"), "{mail}");
    assert!(
        mail.contains("adele.vance@contoso.example"),
        "the mail names the account: {mail}"
    );
    assert!(
        mail.contains("sign in again"),
        "the mail says what to do: {mail}"
    );
}

/// A job `name` every 30 minutes that mails it@contoso.example after each failure, and the SMTP
/// server of the tests set; Adele Vance's mailbox connected (Down).
async fn a_job_that_mails(tenant: &support::Tenant, name: &str) -> Cli {
    let (host, port, _) = smtp();
    let cli = Cli::for_tenant(tenant);
    cli.ok(&["demo", "seed"]);
    cli.add_account(tenant, "Adele Vance", "adele.vance@contoso.example", "down")
        .await;
    cli.ok(&[
        "job",
        "add",
        "--name",
        name,
        "--every",
        "30m",
        "--notify",
        "it@contoso.example",
    ]);
    cli.ok(&[
        "mail",
        "set",
        "--host",
        &host,
        "--port",
        &port,
        "--security",
        "none",
        "--sender",
        "planner@contoso.example",
    ]);
    cli
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_daemon_killed_mid_run_leaves_a_failed_run_and_the_next_daemon_runs_the_job() {
    let (_, _, maildir) = smtp();
    let tenant = support::demo_tenant().await;
    let job_name = format!("Killed sync {}", std::process::id());
    let cli = a_job_that_mails(&tenant, &job_name).await;
    cli.ok(&["job", "run-now", &job_name]);

    // The daemon dies mid-run, as with `kill -9`: after the first page arrived.
    let killed = cli
        .command(&["daemon", "--once"])
        .env("QUICK3_CRASH_AT", "down-page-fetched")
        .output()
        .unwrap();
    assert!(
        !killed.status.success(),
        "the daemon was stopped mid-run: {}",
        String::from_utf8_lossy(&killed.stderr)
    );
    let history = cli.json(&["job", "history", &job_name, "--json"]);
    assert_eq!(
        history[0]["result"], "running",
        "the dead run is left marked running: {history}"
    );

    // A new daemon at once: the dead owner's run is closed as failed and the job runs.
    let run = cli.command(&["daemon", "--once"]).output().unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let history = cli.json(&["job", "history", &job_name, "--json"]);
    assert_eq!(
        history.as_array().map(Vec::len),
        Some(2),
        "the dead run and the new one: {history}; the daemon said: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        history[0]["result"], "succeeded",
        "the new daemon ran the due job: {history}"
    );
    assert_eq!(
        history[1]["result"], "failed",
        "the dead run shows as failed: {history}"
    );
    assert!(
        history[1]["error"]
            .as_str()
            .is_some_and(|e| e.contains("interrupted")),
        "{history}"
    );
    let mail = mail_with(&maildir, &job_name)
        .expect("the interrupted run's failure mail arrived at the SMTP server");
    assert!(
        mail.contains("interrupted"),
        "the mail says what happened: {mail}"
    );
}

/// A process stopped when the test ends, even when it fails.
struct Stopped(std::process::Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_daemon_outlives_a_locked_database_and_runs_the_job_once_it_is_free() {
    let (_, _, maildir) = smtp();
    let tenant = support::demo_tenant().await;
    let job_name = format!("Locked sync {}", std::process::id());
    let cli = a_job_that_mails(&tenant, &job_name).await;
    let job = common::open(&cli).find_job(&job_name).unwrap().id;
    let due_at = chrono::Utc::now() + chrono::Duration::seconds(3);
    common::open(&cli).set_job_next_run(job, due_at).unwrap();

    let mut daemon = Stopped(
        cli.command(&["daemon"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut said = std::io::BufReader::new(daemon.0.stderr.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut said, &mut line).unwrap();
    assert!(line.contains("quick3 daemon started"), "{line}");
    let printed = std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = std::io::Read::read_to_string(&mut said, &mut rest);
        rest
    });

    // Another program holds the database's write lock across the job's time and beyond the
    // store's busy timeout: the daemon cannot record the run's start.
    let holder = rusqlite::Connection::open(cli.dir.path().join("quick3.db")).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE;").unwrap();
    tokio::time::sleep(quick3_core::store::BUSY_TIMEOUT + std::time::Duration::from_secs(7)).await;
    assert!(
        daemon.0.try_wait().unwrap().is_none(),
        "the daemon is still running while the database is locked"
    );
    holder.execute_batch("ROLLBACK;").unwrap();
    drop(holder);

    let mut history = serde_json::Value::Null;
    for _ in 0..120 {
        history = cli.json(&["job", "history", &job_name, "--json"]);
        if history[0]["result"] == "succeeded" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    // The outage mail goes out once the database answers again, beside the job's run: wait for it
    // (a loaded machine may take seconds) before the daemon is stopped.
    let mut outage_mail = None;
    for _ in 0..120 {
        outage_mail = mail_with(&maildir, "could not use the database");
        if outage_mail.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    let running = daemon.0.try_wait().unwrap().is_none();
    drop(daemon);
    let printed = printed.join().unwrap();
    assert!(running, "the daemon kept going: {printed}");
    assert_eq!(
        history[0]["result"], "succeeded",
        "once the database was free the due job ran: {history}; the daemon said: {printed}"
    );
    assert!(
        printed.contains("database is locked") && printed.contains("Trying again in"),
        "the daemon said what failed and that it tries again: {printed}"
    );
    let mail = outage_mail
        .filter(|mail| mail.contains("database is locked"))
        .expect("the outage was mailed once the database answered again");
    assert!(mail.contains("To: it@contoso.example"), "{mail}");
}
