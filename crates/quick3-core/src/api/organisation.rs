//! Organisation mode at the boundary: the Client settings (with the secret to the keyring), Test
//! settings, and linking resources to mailboxes by Object ID or e-mail.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use crate::error::{ErrorPayload, Result};
use crate::graph::client::{AppTokens, GraphClient, RetryPolicy, read_page, user_mailbox};
use crate::graph::{GraphError, calendars};
use crate::identity::organisation::{org_expiry_warning, stored_certificate, token_roles};
use crate::identity::{Credentials, OrgError, Secret, SigningCertificate};
use crate::ids::AccountId;
use crate::model::{
    Account, Direction, NewOrgLink, OrgCredential, OrgMailbox, OrgSettings, OrgSettingsRecord,
    OrgTestReport, credential_expiry_warning,
};
use crate::store::{ResolvedMailbox, Store};

/// The organisation's settings as the Client settings screen shows them, with the expiry warning
/// as of `today`; `None` until an administrator entered them.
pub fn org_settings(
    store: &Store,
    credentials: &Credentials,
    today: NaiveDate,
) -> Result<Option<OrgSettingsRecord>> {
    let Some(settings) = store.org_settings()? else {
        return Ok(None);
    };
    let certificate = match settings.credential {
        OrgCredential::Certificate => stored_certificate(store),
        OrgCredential::Secret => None,
    };
    Ok(Some(OrgSettingsRecord {
        expiry_warning: credential_expiry_warning(&settings, certificate.as_ref(), today),
        secret_stored: credentials.has_org_secret().unwrap_or(false),
        certificate_key_stored: certificate.is_some()
            && credentials.has_org_certificate().unwrap_or(false),
        certificate,
        settings,
    }))
}

/// Saves the organisation's settings; a new client secret goes to the keyring first (so that a
/// keyring failure leaves the settings as they were). Without a secret, the stored credential of
/// the kind chosen must be there already (a certificate is imported with
/// [`import_org_certificate`]).
pub async fn set_org_settings(
    store: &mut Store,
    credentials: &Credentials,
    settings: OrgSettings,
    secret: Option<Secret>,
    today: NaiveDate,
) -> Result<OrgSettingsRecord> {
    let settings = settings.validate()?;
    let secret = secret.filter(|s| !s.expose().trim().is_empty());
    match (settings.credential, secret) {
        (OrgCredential::Secret, Some(secret)) => {
            credentials
                .set_org_secret(&Secret::new(secret.expose().trim()))
                .await?;
            store.set_org_certificate_pem(None)?;
        }
        (OrgCredential::Secret, None) if credentials.has_org_secret()? => {}
        (OrgCredential::Secret, None) => return Err(OrgError::SecretMissing.into()),
        (OrgCredential::Certificate, Some(_)) => {
            return Err(crate::CoreError::InvalidInput {
                field: "client secret",
                reason: "a client secret was given while the certificate credential is chosen; \
                         choose Client secret, or import a certificate file instead"
                    .into(),
            });
        }
        (OrgCredential::Certificate, None)
            if credentials.has_org_certificate()? && store.org_certificate_pem()?.is_some() => {}
        (OrgCredential::Certificate, None) => return Err(OrgError::CertificateMissing.into()),
    }
    store.set_org_settings(settings)?;
    Ok(org_settings(store, credentials, today)?.expect("settings were just stored"))
}

/// Saves the organisation's settings with a certificate credential imported from `pem` (the
/// certificate and its unencrypted private key): the key goes to the keyring (the client secret
/// is deleted there), the certificate's public part to the settings. Nothing is written when the
/// file is not usable.
pub async fn import_org_certificate(
    store: &mut Store,
    credentials: &Credentials,
    settings: OrgSettings,
    pem: &str,
    today: NaiveDate,
) -> Result<OrgSettingsRecord> {
    let settings = OrgSettings {
        credential: OrgCredential::Certificate,
        ..settings
    }
    .validate()?;
    let certificate = SigningCertificate::from_pem(pem)?;
    credentials.set_org_certificate(&certificate).await?;
    store.set_org_certificate_pem(Some(&certificate.certificate_pem()))?;
    store.set_org_settings(settings)?;
    Ok(org_settings(store, credentials, today)?.expect("settings were just stored"))
}

/// Reads a certificate file for [`import_org_certificate`], saying plainly what is wrong.
pub fn read_certificate_file(path: &std::path::Path) -> Result<String> {
    use std::io::Read;
    /// A certificate with its key is a few kilobytes; anything far larger is another file.
    const LIMIT: u64 = 1024 * 1024;
    let unreadable = |err: std::io::Error| OrgError::CertificateUnusable {
        reason: format!("the file {} could not be read ({err})", path.display()),
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(unreadable)?
        .take(LIMIT + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > LIMIT {
        return Err(OrgError::CertificateUnusable {
            reason: format!(
                "{} is larger than a certificate file (over 1 MB); choose the PEM file with the \
                 certificate and its key",
                path.display()
            ),
        }
        .into());
    }
    String::from_utf8(bytes).map_err(|_| {
        OrgError::CertificateUnusable {
            reason: format!(
                "{} is not a PEM text file (a .pfx/.p12 file must first be converted: openssl \
                 pkcs12 -in file.pfx -nodes -out file.pem)",
                path.display()
            ),
        }
        .into()
    })
}

fn configured(store: &Store) -> Result<OrgSettings, OrgError> {
    store
        .org_settings()
        .ok()
        .flatten()
        .ok_or(OrgError::NotConfigured)
}

fn organisation_error(err: GraphError) -> OrgError {
    match err {
        GraphError::Organisation(err) => *err,
        GraphError::Identity(err) => OrgError::Identity(err),
        other => OrgError::Graph(other),
    }
}

/// A Graph client with the organisation's application token.
fn app_client<'a>(credentials: &'a Credentials, tokens: &'a AppTokens<'a>) -> GraphClient<'a> {
    GraphClient::new(
        credentials.http().clone(),
        credentials.endpoints().graph.as_str(),
        tokens,
        RetryPolicy::default(),
    )
}

fn calendar_permission(settings: &OrgSettings) -> String {
    if settings.allows(Direction::Up) || settings.allows(Direction::UpAndDown) {
        "Calendars.ReadWrite".into()
    } else {
        "Calendars.Read".into()
    }
}

/// Reads a user by Object ID or e-mail: (object id, display name, e-mail).
async fn read_user(
    client: &GraphClient<'_>,
    reference: &str,
) -> Result<(String, String, String), OrgError> {
    let user = client
        .get(
            &format!(
                "{}?$select=id,displayName,userPrincipalName,mail",
                user_mailbox(reference)
            ),
            &[],
        )
        .await
        .map_err(|err| match err {
            GraphError::NotFound | GraphError::MailboxGone { .. } => OrgError::UserNotFound {
                reference: reference.to_owned(),
            },
            GraphError::Forbidden { .. } => OrgError::PermissionNotGranted {
                permission: "User.Read.All".into(),
            },
            other => organisation_error(other),
        })?;
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let id = text(&user["id"]);
    let email = match user["mail"].as_str() {
        Some(mail) if !mail.is_empty() => mail.to_owned(),
        _ => text(&user["userPrincipalName"]),
    };
    let name = match user["displayName"].as_str() {
        Some(name) if !name.is_empty() => name.to_owned(),
        _ => email.clone(),
    };
    Ok((id, name, email))
}

/// Why a mailbox's calendars could not be read with a 403: the app lacks the permission, or an
/// application access policy keeps it out of this mailbox (the token has the permission, or
/// Exchange says so).
fn calendar_refusal(
    err: GraphError,
    token: Option<&Secret>,
    settings: &OrgSettings,
    mailbox: &str,
) -> OrgError {
    match err {
        GraphError::Forbidden { message } => {
            let roles = token.and_then(token_roles);
            let has_calendars = roles
                .as_ref()
                .is_some_and(|r| r.iter().any(|r| r.starts_with("Calendars.")));
            let policy = message.contains("AccessPolicy") || message.contains("RAOP");
            if has_calendars || policy {
                OrgError::MailboxRestricted {
                    mailbox: mailbox.to_owned(),
                }
            } else {
                OrgError::PermissionNotGranted {
                    permission: calendar_permission(settings),
                }
            }
        }
        GraphError::NotFound | GraphError::MailboxGone { .. } => OrgError::UserNotFound {
            reference: mailbox.to_owned(),
        },
        other => organisation_error(other),
    }
}

/// Test settings: gets a token, reads one user (`mailbox`, else the first linked one, else the
/// first in the directory) and one of their calendars, and says in plain words what is missing.
pub async fn test_org_settings(
    store: &Store,
    credentials: &Credentials,
    mailbox: Option<&str>,
    now: DateTime<Utc>,
) -> Result<OrgTestReport> {
    let mut report = OrgTestReport {
        ok: false,
        token: false,
        user: None,
        calendar: None,
        problem: None,
        expiry_warning: None,
        scope_warning: None,
    };
    let settings = match configured(store) {
        Ok(settings) => settings,
        Err(err) => {
            report.problem = Some(problem(&err));
            return Ok(report);
        }
    };
    report.expiry_warning = org_expiry_warning(store, now.date_naive());
    if let Err(err) = probe(store, credentials, &settings, mailbox, now, &mut report).await {
        report.problem = Some(problem(&err));
    } else {
        report.ok = true;
    }
    Ok(report)
}

fn problem(err: &OrgError) -> ErrorPayload {
    ErrorPayload {
        code: err.code(),
        message: err.to_string(),
    }
}

async fn probe(
    store: &Store,
    credentials: &Credentials,
    settings: &OrgSettings,
    mailbox: Option<&str>,
    now: DateTime<Utc>,
    report: &mut OrgTestReport,
) -> Result<(), OrgError> {
    // A token of its own: one cached from before may still carry permissions revoked since.
    credentials.forget_app_token().await;
    let token = credentials.app_token(settings, now).await?;
    report.token = true;
    let clock = move || now;
    let tokens = AppTokens {
        credentials,
        settings: settings.clone(),
        clock: &clock,
    };
    let client = app_client(credentials, &tokens);
    let linked = store
        .org_links()
        .ok()
        .and_then(|links| links.into_iter().find_map(|a| a.organisation))
        .map(|m| m.object_id);
    let reference = match mailbox.map(str::to_owned).or(linked) {
        Some(reference) => reference,
        None => {
            let page =
                client
                    .get("/users?$top=1&$select=id", &[])
                    .await
                    .map_err(|err| match err {
                        GraphError::Forbidden { .. } => OrgError::PermissionNotGranted {
                            permission: "User.Read.All".into(),
                        },
                        other => organisation_error(other),
                    })?;
            let page = read_page(page).map_err(OrgError::Graph)?;
            let first = page.items.first().and_then(|u| u["id"].as_str());
            first
                .ok_or_else(|| OrgError::UserNotFound {
                    reference: "(the directory has no users)".into(),
                })?
                .to_owned()
        }
    };
    let (object_id, name, email) = read_user(&client, &reference).await?;
    report.user = Some(format!("{name} <{email}>"));
    let calendar = client
        .get(
            &format!("{}/calendars?$top=1", user_mailbox(&object_id)),
            &[],
        )
        .await
        .and_then(read_page)
        .map_err(|err| calendar_refusal(err, Some(&token), settings, &email))?;
    report.calendar = calendar
        .items
        .first()
        .map(|c| c["name"].as_str().unwrap_or("Calendar").to_owned());
    let writes = settings.allows(Direction::Up) || settings.allows(Direction::UpAndDown);
    if writes
        && let Some(roles) = token_roles(&token)
        && !roles.iter().any(|r| r == "Calendars.ReadWrite")
    {
        return Err(OrgError::PermissionNotGranted {
            permission: "Calendars.ReadWrite".into(),
        });
    }
    report.scope_warning = reaches_unlinked(store, &client)
        .await
        .map(|name| scope_warning(&name));
    Ok(())
}

/// The first mailbox of the directory that no resource is linked to, named, when the app can
/// read its calendars: then the app's permission reaches every mailbox of the organisation,
/// and a leaked credential reads them all. `None` when it is refused (the app is scoped) or
/// every listed mailbox is linked.
async fn reaches_unlinked(store: &Store, client: &GraphClient<'_>) -> Option<String> {
    let linked: std::collections::HashSet<String> = store
        .org_links()
        .ok()?
        .into_iter()
        .filter_map(|account| account.organisation.map(|m| m.object_id))
        .collect();
    let page = client
        .get(
            "/users?$top=25&$select=id,displayName,mail,userPrincipalName",
            &[],
        )
        .await
        .and_then(read_page)
        .ok()?;
    let user = page
        .items
        .iter()
        .find(|u| u["id"].as_str().is_some_and(|id| !linked.contains(id)))?;
    let id = user["id"].as_str()?;
    client
        .get(&format!("{}/calendars?$top=1", user_mailbox(id)), &[])
        .await
        .ok()?;
    let name = ["displayName", "mail", "userPrincipalName", "id"]
        .iter()
        .find_map(|field| user[*field].as_str().filter(|v| !v.is_empty()))
        .unwrap_or(id);
    Some(name.to_owned())
}

fn scope_warning(name: &str) -> String {
    format!(
        "The organisation's app could read the calendar of {name}, a mailbox no resource is \
         linked to: its permission reaches every mailbox of the organisation. Limit it to the \
         linked mailboxes with RBAC for Applications in Exchange Online (application access \
         policies are being retired), and run organisation mode under a service account with \
         `quick3 daemon` rather than on planners' desktops (docs/security.md)."
    )
}

/// Resolves a mailbox by Object ID or e-mail and reads its calendars; `calendars` (names) must
/// all exist.
pub async fn resolve_mailbox(
    store: &Store,
    credentials: &Credentials,
    reference: &str,
    calendars: &[String],
    now: DateTime<Utc>,
) -> Result<ResolvedMailbox> {
    let settings = configured(store)?;
    let clock = move || now;
    let tokens = AppTokens {
        credentials,
        settings: settings.clone(),
        clock: &clock,
    };
    let client = app_client(credentials, &tokens);
    let reference = reference.trim();
    if reference.is_empty() {
        return Err(crate::CoreError::InvalidInput {
            field: "mailbox",
            reason: "give the user's Object ID or e-mail".into(),
        });
    }
    let (object_id, display_name, email) = read_user(&client, reference).await?;
    let token = credentials.app_token(&settings, now).await.ok();
    let found = calendars::list(&client, &user_mailbox(&object_id))
        .await
        .map_err(|err| calendar_refusal(err, token.as_ref(), &settings, &email))?;
    let mut selected = Vec::new();
    for wanted in calendars {
        let calendar = found
            .iter()
            .find(|(_, name, _)| name.eq_ignore_ascii_case(wanted.trim()))
            .ok_or_else(|| OrgError::UnknownCalendar {
                mailbox: email.clone(),
                calendar: wanted.trim().to_owned(),
            })?;
        selected.push(calendar.0.clone());
    }
    if calendars.is_empty() {
        selected = found.iter().map(|(id, _, _)| id.clone()).collect();
    }
    Ok(ResolvedMailbox {
        mailbox: OrgMailbox {
            object_id,
            display_name,
        },
        email,
        calendars: found,
        selected,
    })
}

/// Links a resource to a mailbox (Object ID or e-mail, resolved through Graph) with a direction
/// the organisation allows; no planner signs in. Nothing is written when anything is wrong.
pub async fn link_mailbox(
    store: &mut Store,
    credentials: &Credentials,
    link: NewOrgLink,
    now: DateTime<Utc>,
) -> Result<Account> {
    let settings = configured(store)?;
    store.resource(link.resource_id)?;
    if link.direction == Direction::None || !settings.allows(link.direction) {
        let allowed: Vec<&str> = settings.directions.iter().map(|d| d.as_str()).collect();
        return Err(crate::CoreError::InvalidInput {
            field: "direction",
            reason: format!(
                "the organisation allows only {} for linked mailboxes",
                allowed.join(", ")
            ),
        });
    }
    let resolved = resolve_mailbox(store, credentials, &link.mailbox, &link.calendars, now).await?;
    store.add_org_link(link.resource_id, &resolved, link.direction, now)
}

/// Removes an organisation link (its pulled appointments kept or deleted).
pub fn unlink_mailbox(
    store: &mut Store,
    account: AccountId,
    keep_appointments: bool,
    now: DateTime<Utc>,
) -> Result<Account> {
    let found = store.account(account)?;
    if !found.is_organisation_link() {
        return Err(crate::CoreError::InvalidInput {
            field: "link",
            reason: format!(
                "{} is a planner's own sign-in, not an organisation link; remove it with the account commands",
                found.email
            ),
        });
    }
    store.remove_account(account, keep_appointments, now)
}

/// The window's doors to organisation mode: each refuses a planner who is not an administrator
/// before anything else happens. (The CLI is local management's own tool on the data folder and
/// calls the functions above directly.)
pub mod administrator {
    use super::*;
    use crate::model::{MailboxCalendar, MailboxLookup};

    fn check(store: &Store) -> Result<()> {
        if store.is_administrator()? {
            Ok(())
        } else {
            Err(OrgError::NotAdministrator.into())
        }
    }

    /// Client settings → Office 365 as stored.
    pub fn settings(
        store: &Store,
        credentials: &Credentials,
        today: NaiveDate,
    ) -> Result<Option<OrgSettingsRecord>> {
        check(store)?;
        org_settings(store, credentials, today)
    }

    /// Saves Client settings → Office 365; an empty or absent secret keeps the stored one. With
    /// the certificate credential, a certificate file path imports that file (certificate and
    /// private key); without one, the certificate imported before is kept.
    pub async fn save_settings(
        store: &mut Store,
        credentials: &Credentials,
        settings: OrgSettings,
        secret: Option<String>,
        certificate_file: Option<String>,
        today: NaiveDate,
    ) -> Result<OrgSettingsRecord> {
        check(store)?;
        let file = certificate_file.filter(|path| !path.trim().is_empty());
        match (settings.credential, file) {
            (OrgCredential::Certificate, Some(path)) => {
                let pem = read_certificate_file(std::path::Path::new(path.trim()))?;
                import_org_certificate(store, credentials, settings, &pem, today).await
            }
            _ => {
                set_org_settings(store, credentials, settings, secret.map(Secret::new), today).await
            }
        }
    }

    /// Test settings (hamburger menu).
    pub async fn test_settings(
        store: &Store,
        credentials: &Credentials,
        now: DateTime<Utc>,
    ) -> Result<OrgTestReport> {
        check(store)?;
        test_org_settings(store, credentials, None, now).await
    }

    /// Finds a mailbox by Object ID or e-mail for the link dialog (nothing is written).
    pub async fn look_up(
        store: &Store,
        credentials: &Credentials,
        reference: &str,
        now: DateTime<Utc>,
    ) -> Result<MailboxLookup> {
        check(store)?;
        let found = resolve_mailbox(store, credentials, reference, &[], now).await?;
        Ok(MailboxLookup {
            object_id: found.mailbox.object_id,
            display_name: found.mailbox.display_name,
            email: found.email,
            calendars: found
                .calendars
                .into_iter()
                .map(|(_, name, is_default)| MailboxCalendar { name, is_default })
                .collect(),
        })
    }

    /// Links a resource to a mailbox.
    pub async fn link(
        store: &mut Store,
        credentials: &Credentials,
        link: NewOrgLink,
        now: DateTime<Utc>,
    ) -> Result<Account> {
        check(store)?;
        link_mailbox(store, credentials, link, now).await
    }

    /// Remove on an account's menu in the window: a planner's own sign-in goes as
    /// `api::remove_account` has it; an organisation link only for an administrator.
    pub fn remove_account(
        store: &mut Store,
        credentials: Option<&Credentials>,
        account: AccountId,
        keep_appointments: bool,
        now: DateTime<Utc>,
    ) -> Result<crate::api::RemovedAccount> {
        if store.account(account)?.is_organisation_link() {
            check(store)?;
        }
        crate::api::remove_account(store, credentials, account, keep_appointments, now)
    }

    /// Delete on a resource in the window: a resource with an organisation link only for an
    /// administrator (the link goes with it), else as `api::resources::delete_resource` has it.
    pub fn delete_resource(
        store: &mut Store,
        credentials: Option<&Credentials>,
        resource: crate::ids::ResourceId,
        appointments: crate::api::resources::AppointmentsOnDelete,
        now: DateTime<Utc>,
    ) -> Result<crate::api::resources::RemovedResource> {
        if store
            .accounts_of(resource)?
            .iter()
            .any(Account::is_organisation_link)
        {
            check(store)?;
        }
        crate::api::resources::delete_resource(store, credentials, resource, appointments, now)
    }

    /// Removes an organisation link.
    pub fn unlink(
        store: &mut Store,
        account: AccountId,
        keep_appointments: bool,
        now: DateTime<Utc>,
    ) -> Result<Account> {
        check(store)?;
        unlink_mailbox(store, account, keep_appointments, now)
    }
}
