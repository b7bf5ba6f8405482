//! E-mail on job failure, through an SMTP server (lettre). The SMTP password lives in the OS
//! keyring; plain, unencrypted SMTP is allowed only to this machine (loopback).

use std::net::IpAddr;

use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials as SmtpLogin;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use crate::error::MailError;
use crate::error::{CoreError, Result};
use crate::identity::{Secret, SecretStore};
use crate::store::Store;

/// The keyring key of the SMTP password.
pub const SMTP_PASSWORD_KEY: &str = "smtp/password";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only to a server on this machine.
    None,
}

/// Settings → E-mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// Empty: no login.
    pub username: String,
    /// The From address.
    pub sender: String,
}

const SETTINGS_KEY: &str = "mail.smtp";

impl SmtpSettings {
    pub fn validate(self) -> Result<SmtpSettings> {
        let host = self.host.trim().to_owned();
        if host.is_empty() {
            return Err(CoreError::InvalidInput {
                field: "SMTP host",
                reason: "it must not be empty".into(),
            });
        }
        if self.port == 0 {
            return Err(CoreError::InvalidInput {
                field: "SMTP port",
                reason: "it must be a port number".into(),
            });
        }
        if self.security == SmtpSecurity::None && !is_loopback(&host) {
            return Err(CoreError::InvalidInput {
                field: "SMTP security",
                reason: "unencrypted SMTP is allowed only to a server on this machine (localhost); choose STARTTLS or TLS".into(),
            });
        }
        let sender = crate::validate::email(&self.sender)?;
        Ok(SmtpSettings {
            host,
            sender,
            username: self.username.trim().to_owned(),
            ..self
        })
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl Store {
    pub fn smtp_settings(&self) -> Result<Option<SmtpSettings>> {
        self.setting(SETTINGS_KEY)?
            .map(|text| serde_json::from_str(&text).map_err(|e| CoreError::Corrupt(e.to_string())))
            .transpose()
    }

    pub fn set_smtp_settings(&mut self, settings: SmtpSettings) -> Result<SmtpSettings> {
        let settings = settings.validate()?;
        let text =
            serde_json::to_string(&settings).map_err(|e| CoreError::Corrupt(e.to_string()))?;
        self.set_setting(SETTINGS_KEY, Some(&text))?;
        Ok(settings)
    }
}

/// A mail to send: a job's failure notice (the scheduler decides which), or the test e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureMail {
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
}

/// Sends `mail` through the configured server (password from the keyring, if a user is set).
pub async fn send(
    settings: &SmtpSettings,
    secrets: &dyn SecretStore,
    mail: &FailureMail,
) -> std::result::Result<(), MailError> {
    let from: Mailbox = settings
        .sender
        .parse()
        .map_err(|e| MailError(format!("the sender is not an address ({e})")))?;
    let mut builder = Message::builder()
        .from(from)
        .subject(&mail.subject)
        .header(ContentType::TEXT_PLAIN);
    for to in &mail.to {
        builder = builder.to(to
            .parse()
            .map_err(|e| MailError(format!("{to} is not an address ({e})")))?);
    }
    let message = builder
        .body(mail.body.clone())
        .map_err(|e| MailError(e.to_string()))?;
    let tls = || TlsParameters::new(settings.host.clone()).map_err(|e| MailError(e.to_string()));
    let mut transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
        .port(settings.port)
        .timeout(Some(std::time::Duration::from_secs(30)));
    transport = match settings.security {
        SmtpSecurity::StartTls => transport.tls(Tls::Required(tls()?)),
        SmtpSecurity::Tls => transport.tls(Tls::Wrapper(tls()?)),
        SmtpSecurity::None => transport.tls(Tls::None),
    };
    if !settings.username.is_empty() {
        let password = secrets
            .get(SMTP_PASSWORD_KEY)
            .map_err(|e| MailError(e.to_string()))?
            .unwrap_or_else(|| Secret::new(""));
        transport = transport.credentials(SmtpLogin::new(
            settings.username.clone(),
            password.expose().to_owned(),
        ));
    }
    transport
        .build()
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| {
            MailError(format!(
                "{} (server {}:{})",
                e, settings.host, settings.port
            ))
        })
}

/// The "Send test e-mail" message.
pub fn test_mail(to: &str) -> FailureMail {
    FailureMail {
        to: vec![to.to_owned()],
        subject: "Quick3 Planner: test e-mail".into(),
        body: "This is a test from Quick3 Planner. Failure notices of scheduled jobs will arrive like this one.\n".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(host: &str, security: SmtpSecurity) -> SmtpSettings {
        SmtpSettings {
            host: host.into(),
            port: 25,
            security,
            username: String::new(),
            sender: "planner@contoso.example".into(),
        }
    }

    #[test]
    fn unencrypted_smtp_is_only_for_this_machine() {
        assert!(settings("127.0.0.1", SmtpSecurity::None).validate().is_ok());
        assert!(settings("localhost", SmtpSecurity::None).validate().is_ok());
        let err = settings("smtp.contoso.example", SmtpSecurity::None)
            .validate()
            .unwrap_err();
        assert!(err.to_string().contains("only to a server on this machine"));
        assert!(
            settings("smtp.contoso.example", SmtpSecurity::StartTls)
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn settings_round_trip_in_the_store() {
        let mut store = Store::open_in_memory().unwrap();
        assert_eq!(store.smtp_settings().unwrap(), None);
        let saved = store
            .set_smtp_settings(settings("127.0.0.1", SmtpSecurity::None))
            .unwrap();
        assert_eq!(store.smtp_settings().unwrap(), Some(saved));
    }
}
