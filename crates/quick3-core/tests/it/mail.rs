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
