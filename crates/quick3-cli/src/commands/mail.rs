//! `quick3 mail set|show|test`: the SMTP server that failure notices go through.

use anyhow::bail;
use quick3_core::identity::Secret;
use quick3_core::mail::{SMTP_PASSWORD_KEY, SmtpSecurity, SmtpSettings};
use quick3_core::{CoreError, api};

use super::Session;
use crate::args::MailCommand;

pub fn run(session: &mut Session, command: MailCommand) -> anyhow::Result<()> {
    match command {
        MailCommand::Set {
            host,
            port,
            security,
            username,
            sender,
        } => set(session, host, port, &security, username, sender),
        MailCommand::Show => show(session),
        MailCommand::Test { to } => test(session, &to),
    }
}

fn set(
    session: &mut Session,
    host: String,
    port: u16,
    security: &str,
    username: String,
    sender: String,
) -> anyhow::Result<()> {
    let security = match security.to_ascii_lowercase().as_str() {
        "starttls" => SmtpSecurity::StartTls,
        "tls" => SmtpSecurity::Tls,
        "none" => SmtpSecurity::None,
        other => usage!("\"{other}\" is not one of starttls, tls, none."),
    };
    let settings = SmtpSettings {
        host,
        port,
        security,
        username,
        sender,
    }
    .validate()?;
    if !settings.username.is_empty() {
        let password = read_password(&settings.username)?;
        session
            .secrets()?
            .set(SMTP_PASSWORD_KEY, &Secret::new(password))?;
    }
    let saved = session.store.set_smtp_settings(settings)?;
    out!(
        "Failure notices go through {}:{} from {}.",
        saved.host,
        saved.port,
        saved.sender
    );
    Ok(())
}

/// The SMTP password from QUICK3_SMTP_PASSWORD, the terminal or standard input.
fn read_password(username: &str) -> anyhow::Result<String> {
    match std::env::var("QUICK3_SMTP_PASSWORD") {
        Ok(password) => Ok(password),
        Err(_) => match crate::secret_input::read_secret(&format!("Password for {username}: "))? {
            Some(password) => Ok(password),
            None => bail!(
                "Give the SMTP password in QUICK3_SMTP_PASSWORD, on the terminal or on standard input (it is kept in the OS keyring)."
            ),
        },
    }
}

fn show(session: &Session) -> anyhow::Result<()> {
    match session.store.smtp_settings()? {
        Some(s) => {
            out!("host: {}", s.host);
            out!("port: {}", s.port);
            out!("security: {:?}", s.security);
            out!(
                "user: {}",
                if s.username.is_empty() {
                    "(none)"
                } else {
                    &s.username
                }
            );
            out!("sender: {}", s.sender);
        }
        None => out!("No SMTP server is set: quick3 mail set --host … --port … --sender …"),
    }
    Ok(())
}

/// Sends the test e-mail the app's Settings → E-mail sends (`api::send_test_mail`).
fn test(session: &mut Session, to: &str) -> anyhow::Result<()> {
    let saved = session.store.smtp_settings()?;
    let secrets = session.secrets()?;
    match session
        .runtime
        .block_on(api::send_test_mail(saved, secrets.as_ref(), to))
    {
        Ok(to) => {
            out!("A test e-mail went to {to}.");
            Ok(())
        }
        Err(CoreError::NoSmtpServer) => {
            bail!("No SMTP server is set: quick3 mail set --host … --port … --sender …")
        }
        Err(err) => Err(err.into()),
    }
}
