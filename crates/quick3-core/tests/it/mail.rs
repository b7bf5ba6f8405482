//! Failure mail through a real SMTP server on loopback (aiosmtpd, started by script/test, which
//! sets QUICK3_TEST_SMTP and QUICK3_TEST_MAILDIR).

use std::path::PathBuf;

use quick3_core::ErrorCode;
use quick3_core::api;
use quick3_core::identity::{Secret, SecretStore};
use quick3_core::mail::{self, FailureMail, SmtpSecurity, SmtpSettings};

/// A secret store that holds nothing: these settings log in to no one.
#[derive(Debug)]
struct NoSecrets;

impl SecretStore for NoSecrets {
    fn get(&self, _: &str) -> Result<Option<Secret>, quick3_core::identity::IdentityError> {
        Ok(None)
    }
    fn set(&self, _: &str, _: &Secret) -> Result<(), quick3_core::identity::IdentityError> {
        Ok(())
    }
    fn delete(&self, _: &str) -> Result<(), quick3_core::identity::IdentityError> {
        Ok(())
    }
}

fn server() -> (String, u16, PathBuf) {
    let address = std::env::var("QUICK3_TEST_SMTP")
        .expect("QUICK3_TEST_SMTP is not set: run the tests through script/test, which starts an SMTP server");
    let maildir = std::env::var("QUICK3_TEST_MAILDIR").expect("QUICK3_TEST_MAILDIR is not set");
    let (host, port) = address.rsplit_once(':').expect("host:port");
    (
        host.to_owned(),
        port.parse().expect("a port"),
        PathBuf::from(maildir),
    )
}

fn delivered(maildir: &std::path::Path, subject: &str) -> Option<String> {
    let new = maildir.join("new");
    std::fs::read_dir(new)
        .ok()?
        .filter_map(|e| e.ok())
        .find_map(|entry| {
            let text = std::fs::read_to_string(entry.path()).ok()?;
            text.contains(subject).then_some(text)
        })
}

#[tokio::test]
async fn a_failure_mail_arrives_with_its_subject_and_body() {
    let (host, port, maildir) = server();
    let settings = SmtpSettings {
        host,
        port,
        security: SmtpSecurity::None,
        username: String::new(),
        sender: "planner@contoso.example".into(),
    }
    .validate()
    .unwrap();
    let subject = format!("Quick3 Planner: \"Sync {}\" failed", uuid_like());
    let mail = FailureMail {
        to: vec!["it@contoso.example".into(), "lead@contoso.example".into()],
        subject: subject.clone(),
        body: "The scheduled job \"Sync\" failed.\n\nWhat failed:\n  - megan.bowen@contoso.example: Microsoft could not be reached.\n".into(),
    };
    mail::send(&settings, &NoSecrets, &mail)
        .await
        .expect("the server accepts the mail");
    let message = delivered(&maildir, &subject).expect("the mail is in the server's mailbox");
    assert!(message.contains("From: planner@contoso.example"));
    assert!(message.contains("it@contoso.example") && message.contains("lead@contoso.example"));
    assert!(message.contains("megan.bowen@contoso.example: Microsoft could not be reached."));
}

#[tokio::test]
async fn an_unreachable_server_is_a_plain_error() {
    let settings = SmtpSettings {
        host: "127.0.0.1".into(),
        port: 9, // discard: nothing listens
        security: SmtpSecurity::None,
        username: String::new(),
        sender: "planner@contoso.example".into(),
    };
    let err = mail::send(
        &settings,
        &NoSecrets,
        &mail::test_mail("it@contoso.example"),
    )
    .await
    .unwrap_err();
    assert!(
        err.to_string().starts_with("The e-mail could not be sent:"),
        "{err}"
    );
    assert!(err.to_string().contains("127.0.0.1:9"));
}

#[tokio::test]
async fn a_test_mail_needs_a_saved_server_and_an_address() {
    let err = api::send_test_mail(None, &NoSecrets, "it@contoso.example")
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NoSmtpServer, "{err}");
    let nobody_listens = SmtpSettings {
        host: "127.0.0.1".into(),
        port: 9, // discard: nothing listens
        security: SmtpSecurity::None,
        username: String::new(),
        sender: "planner@contoso.example".into(),
    };
    let err = api::send_test_mail(Some(nobody_listens.clone()), &NoSecrets, "it at contoso")
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        ErrorCode::InvalidEmail,
        "the address is checked before the server is asked"
    );
    let err = api::send_test_mail(Some(nobody_listens), &NoSecrets, "it@contoso.example")
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::MailFailed, "{err}");
    assert!(
        err.to_string().starts_with("The e-mail could not be sent:"),
        "{err}"
    );
}

fn uuid_like() -> String {
    format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("the clock is after 1970")
            .as_nanos()
    )
}

/// The text of a delivered message's body, whatever transfer encoding the client chose for it
/// (quoted-printable or base64 once it holds more than ASCII).
fn body_text(message: &str) -> String {
    let message = message.replace("\r\n", "\n");
    let (head, body) = message.split_once("\n\n").expect("a head and a body");
    let encoding = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Transfer-Encoding: "))
        .unwrap_or("7bit")
        .trim()
        .to_ascii_lowercase();
    match encoding.as_str() {
        "base64" => {
            use base64::Engine;
            let joined: String = body.split_whitespace().collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(joined)
                .expect("base64");
            String::from_utf8(bytes).expect("UTF-8")
        }
        "quoted-printable" => {
            let unfolded = body.replace("=\n", "");
            let mut bytes = Vec::new();
            let mut rest = unfolded.as_bytes();
            while let Some((&b, tail)) = rest.split_first() {
                if b == b'=' && tail.len() >= 2 {
                    let hex = std::str::from_utf8(&tail[..2]).expect("hex");
                    bytes.push(u8::from_str_radix(hex, 16).expect("an escaped byte"));
                    rest = &tail[2..];
                } else {
                    bytes.push(b);
                    rest = tail;
                }
            }
            String::from_utf8(bytes).expect("UTF-8")
        }
        _ => body.to_owned(),
    }
}

/// A scheduled sync that fails after it changed things: its failure mail, through the real
/// SMTP server, lists what the run had already changed (from the journal: kind, side, subject,
/// times in the planner's date format and display zone), and another resource's private
/// appointment only as "A private appointment" with its time.
#[tokio::test]
async fn a_failed_sync_jobs_mail_lists_what_the_run_had_changed() {
    use crate::sync_support::{MEGAN, day, now, timed, world};
    use quick3_core::jobs;
    use quick3_core::model::{
        DateFormat, Direction, FailureNotice, Frequency, FrequencyUnit, JobKind, JobScope, JobSpec,
    };
    use serde_json::json;

    let (host, port, maildir) = server();
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    world.sync(&account).await;
    let d = day(3);
    world
        .outlook_create(
            MEGAN,
            timed(
                "Dentist",
                &format!("{d}T09:00:00"),
                &format!("{d}T10:00:00"),
            ),
        )
        .await;
    let mut private = timed(
        "Salary talk",
        &format!("{d}T12:00:00"),
        &format!("{d}T13:00:00"),
    );
    private["sensitivity"] = json!("private");
    world.outlook_create(MEGAN, private).await;
    // Down takes both; Up's upload of Quick3's own appointment is refused: the run fails.
    world.create_local("Visit", &format!("{d}T14:00"), &format!("{d}T15:00"));
    world
        .add_fault(
            json!({"kind": "status", "status": 400, "method": "POST", "path": "/v1.0/$batch"}),
        )
        .await;
    world
        .store
        .set_date_format(DateFormat {
            locale: Some("en-GB".into()),
            hour_cycle: None,
        })
        .unwrap();
    world
        .store
        .set_display_time_zone(Some("Europe/Oslo"))
        .unwrap();
    let job = quick3_core::api::add_job(
        &mut world.store,
        JobSpec {
            name: format!("Sync {}", uuid_like()),
            kind: JobKind::SynchronizeOffice365Calendars,
            frequency: Frequency {
                every: 15,
                unit: FrequencyUnit::Minutes,
            },
            enabled: true,
            active_hours: None,
            scope: JobScope::AllResources,
            notify: FailureNotice {
                emails: vec!["it@contoso.example".into()],
                after_failures: 1,
                when_sign_in_needed: true,
            },
        },
        now(),
    )
    .unwrap();
    let path = world.store.path().unwrap().to_path_buf();
    let store = std::sync::Mutex::new(quick3_core::store::Store::open(&path).unwrap());
    let credentials = &world.credentials;
    let work_path = path.clone();
    let report = jobs::run_job(&store, job.id, now, chrono_tz::UTC, |job| async move {
        jobs::work::run(&work_path, credentials, &job, &now).await
    })
    .await
    .unwrap()
    .expect("the job ran");
    assert!(
        !report.outcome.succeeded,
        "the refused upload fails the run: {:?}",
        report.outcome
    );
    let mail = report.mail.expect("a failure mail, after one failure");
    let settings = SmtpSettings {
        host,
        port,
        security: SmtpSecurity::None,
        username: String::new(),
        sender: "planner@contoso.example".into(),
    }
    .validate()
    .unwrap();
    mail::send(&settings, &NoSecrets, &mail)
        .await
        .expect("the server accepts the mail");
    let message = delivered(&maildir, &mail.subject).expect("the mail is in the server's mailbox");
    let body = body_text(&message);
    let date = chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d")
        .unwrap()
        .format("%d/%m/%Y")
        .to_string();
    assert!(
        body.contains("What the run had changed before it failed (times in Europe/Oslo):"),
        "{body}"
    );
    assert!(
        body.contains(&format!(
            "  - Created in Quick3 Planner: “Dentist”, {date} 10:00–11:00 ({MEGAN})"
        )),
        "the pulled event, with its subject and its time in Oslo, written the British way: {body}"
    );
    assert!(
        body.contains(&format!(
            "  - Created in Quick3 Planner: A private appointment, {date} 13:00–14:00 ({MEGAN})"
        )),
        "another resource's private appointment with its time only: {body}"
    );
    assert!(
        !body.contains("Salary talk"),
        "a private subject never leaves in a mail: {body}"
    );
    assert!(
        !body.contains("in Outlook: “Visit”"),
        "the upload that failed changed nothing, so it is not listed as changed: {body}"
    );
    assert!(
        body.contains("What failed:"),
        "the failure still comes first: {body}"
    );
}
