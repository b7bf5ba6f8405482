//! `quick3 org set|show|test|link|unlink|links`: organisation mode — the organisation's app
//! registration (client secret or certificate key to the keyring), Test settings, and resources
//! linked to mailboxes.

use std::path::PathBuf;

use anyhow::bail;
use chrono::{DateTime, NaiveDate, Utc};
use quick3_core::api::organisation as org;
use quick3_core::identity::Secret;
use quick3_core::model::{
    Account, Direction, NewOrgLink, OrgCredential, OrgSettings, OrgSettingsRecord,
};

use super::{Session, resource_name};
use crate::args::OrgCommand;
use crate::output;

/// Where `quick3 org set` reads the client secret from when no terminal is attached.
pub const SECRET_ENV: &str = "QUICK3_ORG_SECRET";

pub fn run(session: &mut Session, command: OrgCommand) -> anyhow::Result<()> {
    let now = Utc::now();
    let today = now.date_naive();
    match command {
        OrgCommand::Set {
            tenant,
            client_id,
            secret_expires,
            certificate,
            directions,
        } => set(
            session,
            tenant,
            client_id,
            secret_expires,
            certificate,
            &directions,
            today,
        ),
        OrgCommand::Show { json } => show(session, json, today),
        OrgCommand::Test { mailbox, json } => test(session, mailbox.as_deref(), json, now),
        OrgCommand::Link {
            resource,
            object_id,
            email,
            direction,
            calendars,
        } => link(
            session,
            &resource,
            object_id.or(email),
            &direction,
            calendars,
            now,
        ),
        OrgCommand::Unlink {
            link,
            resource,
            delete_appointments,
        } => unlink(
            session,
            &link,
            resource.as_deref(),
            delete_appointments,
            now,
        ),
        OrgCommand::Links { json } => links(session, json),
    }
}

/// `org set`: the app registration, with a client secret (kept unless a new one is given) or a
/// certificate file.
fn set(
    session: &mut Session,
    tenant: String,
    client_id: String,
    secret_expires: Option<NaiveDate>,
    certificate: Option<PathBuf>,
    directions: &[String],
    today: NaiveDate,
) -> anyhow::Result<()> {
    let directions = directions
        .iter()
        .filter(|d| !d.trim().is_empty())
        .map(|d| Direction::parse(d))
        .collect::<Result<Vec<_>, _>>()?;
    let stored = session.store.org_settings()?;
    let mut settings = OrgSettings {
        tenant,
        client_id,
        credential: OrgCredential::Secret,
        secret_expires,
        directions,
    }
    .validate()?;
    let credentials = session.credentials()?;
    let record = match certificate {
        Some(path) => {
            let pem = org::read_certificate_file(&path)?;
            session.runtime.block_on(org::import_org_certificate(
                &mut session.store,
                &credentials,
                settings,
                &pem,
                today,
            ))?
        }
        None => {
            let secret = read_secret()?;
            // Without a new secret, the credential in use stays (a certificate too).
            if secret.is_none()
                && let Some(stored) = stored
            {
                settings.credential = stored.credential;
            }
            session.runtime.block_on(org::set_org_settings(
                &mut session.store,
                &credentials,
                settings,
                secret,
                today,
            ))?
        }
    };
    print_set(&record);
    Ok(())
}

/// What `org set` saved: the app, the credential and, when near, its expiry.
fn print_set(record: &OrgSettingsRecord) {
    match &record.certificate {
        Some(certificate) => out!(
            "Organisation mode uses the app {} in the tenant {} with the certificate \"{}\" (thumbprint {}, valid until {}); its private key is in the OS keyring.",
            record.settings.client_id,
            record.settings.tenant,
            certificate.subject,
            certificate.thumbprint,
            certificate.not_after.date_naive()
        ),
        None => out!(
            "Organisation mode uses the app {} in the tenant {}; its client secret is in the OS keyring.",
            record.settings.client_id,
            record.settings.tenant
        ),
    }
    if let Some(warning) = &record.expiry_warning {
        eprintln!("Warning: {}", crate::output::plain(&warning.to_string()));
    }
}

fn show(session: &mut Session, json: bool, today: NaiveDate) -> anyhow::Result<()> {
    let credentials = session.credentials()?;
    let record = org::org_settings(&session.store, &credentials, today)?;
    if json {
        return output::json(&record);
    }
    let Some(record) = record else {
        out!("Organisation mode is not set up (quick3 org set).");
        return Ok(());
    };
    let directions: Vec<&str> = record
        .settings
        .directions
        .iter()
        .map(|d| d.as_str())
        .collect();
    out!("Tenant:          {}", record.settings.tenant);
    out!("Client id:       {}", record.settings.client_id);
    print_credential(&record);
    out!("Directions:      {}", directions.join(", "));
    if let Some(warning) = record.expiry_warning {
        eprintln!("Warning: {}", crate::output::plain(&warning.to_string()));
    }
    Ok(())
}

/// `org show`'s lines on the credential: the client secret or the certificate, and whether the
/// keyring holds it.
fn print_credential(record: &OrgSettingsRecord) {
    match record.settings.credential {
        OrgCredential::Secret => {
            out!(
                "Credential:      client secret, {}",
                if record.secret_stored {
                    "in the OS keyring"
                } else {
                    "missing"
                }
            );
            out!(
                "Secret expires:  {}",
                record
                    .settings
                    .secret_expires
                    .map_or_else(|| "not entered".to_owned(), |d| d.to_string())
            );
        }
        OrgCredential::Certificate => match &record.certificate {
            Some(certificate) => {
                out!(
                    "Credential:      certificate, private key {}",
                    if record.certificate_key_stored {
                        "in the OS keyring"
                    } else {
                        "missing (import the certificate file again)"
                    }
                );
                out!("Subject:         {}", certificate.subject);
                out!("Thumbprint:      {}", certificate.thumbprint);
                out!(
                    "Expires:         {}",
                    certificate.not_after.format("%Y-%m-%d %H:%M UTC")
                );
            }
            None => out!(
                "Credential:      certificate, missing (quick3 org set --certificate FILE.pem)"
            ),
        },
    }
}

fn test(
    session: &mut Session,
    mailbox: Option<&str>,
    json: bool,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let credentials = session.credentials()?;
    let report = session.runtime.block_on(org::test_org_settings(
        &session.store,
        &credentials,
        mailbox,
        now,
    ))?;
    if json {
        output::json(&report)?;
    } else {
        out!(
            "Token:     {}",
            if report.token { "issued" } else { "not issued" }
        );
        out!(
            "User:      {}",
            report.user.as_deref().unwrap_or("not read")
        );
        out!(
            "Calendar:  {}",
            report.calendar.as_deref().unwrap_or("not read")
        );
    }
    if let Some(warning) = &report.expiry_warning {
        eprintln!("Warning: {}", crate::output::plain(&warning.to_string()));
    }
    if let Some(warning) = &report.scope_warning {
        eprintln!("Warning: {warning}");
    }
    if let Some(problem) = report.problem {
        bail!("{}", problem.message);
    }
    if !json {
        out!("The organisation's settings work.");
    }
    Ok(())
}

/// `org link`: links a resource to a mailbox given by Object ID or e-mail.
fn link(
    session: &mut Session,
    resource: &str,
    mailbox: Option<String>,
    direction: &str,
    calendars: Vec<String>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let resource = session.store.find_resource(resource)?;
    let Some(mailbox) = mailbox else {
        usage!("Give the mailbox with --object-id or --email.");
    };
    let credentials = session.credentials()?;
    let link = session.runtime.block_on(org::link_mailbox(
        &mut session.store,
        &credentials,
        NewOrgLink {
            resource_id: resource.id,
            mailbox,
            direction: Direction::parse(direction)?,
            calendars,
        },
        now,
    ))?;
    let (name, object_id) = link
        .organisation
        .as_ref()
        .map(|m| (m.display_name.clone(), m.object_id.clone()))
        .unwrap_or_default();
    out!(
        "Linked {} to the mailbox of {name} <{}> (Object ID {object_id}), {}: link {}.",
        resource.name,
        link.email,
        link.direction.as_str(),
        link.id
    );
    Ok(())
}

fn unlink(
    session: &mut Session,
    link: &str,
    resource: Option<&str>,
    delete_appointments: bool,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let resource = match resource {
        Some(r) => Some(session.store.find_resource(r)?.id),
        None => None,
    };
    let account = session.store.find_account(link, resource)?;
    let removed = org::unlink_mailbox(&mut session.store, account.id, !delete_appointments, now)?;
    out!("Removed the organisation link to {}.", removed.email);
    Ok(())
}

fn links(session: &Session, json: bool) -> anyhow::Result<()> {
    let links = session.store.org_links()?;
    if json {
        return output::json(&links);
    }
    print_links(session, &links)
}

/// The secret from QUICK3_ORG_SECRET or the terminal; `None` keeps the stored one.
fn read_secret() -> anyhow::Result<Option<Secret>> {
    if let Ok(secret) = std::env::var(SECRET_ENV) {
        return Ok((!secret.trim().is_empty()).then(|| Secret::new(secret)));
    }
    Ok(
        crate::secret_input::read_secret("Client secret (Enter keeps the stored one): ")?
            .map(Secret::new),
    )
}

fn print_links(session: &Session, links: &[Account]) -> anyhow::Result<()> {
    let names = session.store.list_resources()?;
    let rows: Vec<Vec<String>> = links
        .iter()
        .map(|a| {
            let mailbox =
                a.organisation
                    .clone()
                    .unwrap_or_else(|| quick3_core::model::OrgMailbox {
                        object_id: String::new(),
                        display_name: String::new(),
                    });
            vec![
                a.id.to_string(),
                resource_name(&names, a.resource_id),
                mailbox.display_name,
                a.email.clone(),
                mailbox.object_id,
                a.direction.as_str().to_owned(),
                a.status.as_str().to_owned(),
                a.last_error.clone().unwrap_or_default(),
            ]
        })
        .collect();
    output::table(
        &[
            "ID",
            "RESOURCE",
            "USER",
            "E-MAIL",
            "OBJECT ID",
            "DIRECTION",
            "STATUS",
            "LAST ERROR",
        ],
        &rows,
    );
    Ok(())
}
