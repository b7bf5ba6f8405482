//! Organisation mode: the organisation's app registration (application permissions, a client
//! secret in the keyring) and resources linked to mailboxes by Object ID, without a planner's sign-in.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Direction;
use crate::error::{CoreError, Result};
use crate::ids::ResourceId;

/// Warn this many days before the client secret or certificate expires.
pub const SECRET_EXPIRY_WARNING_DAYS: i64 = 30;

/// How the organisation's app proves who it is to Microsoft.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum OrgCredential {
    /// A client secret (in the OS keyring).
    #[default]
    Secret,
    /// A certificate: its private key in the OS keyring signs client assertions.
    Certificate,
}

impl OrgCredential {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgCredential::Secret => "secret",
            OrgCredential::Certificate => "certificate",
        }
    }
}

/// The organisation's certificate as imported (its public part; the private key is in the OS
/// keyring only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OrgCertificate {
    /// The certificate's subject (`CN=…`).
    pub subject: String,
    /// SHA-1 thumbprint in upper-case hex, as Microsoft Entra shows it under Certificates.
    pub thumbprint: String,
    pub not_before: DateTime<Utc>,
    /// When the certificate expires (Microsoft refuses it afterwards).
    pub not_after: DateTime<Utc>,
}

/// The organisation's app registration as the administrator entered it. The client secret or the
/// certificate's private key is not part of it: it lives in the OS keyring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OrgSettings {
    /// The directory (tenant) id or a verified domain.
    pub tenant: String,
    /// The application (client) id of the organisation's registration.
    pub client_id: String,
    /// A client secret or a certificate.
    #[serde(default)]
    pub credential: OrgCredential,
    /// When the client secret expires, as Microsoft Entra showed it.
    pub secret_expires: Option<NaiveDate>,
    /// The directions organisation links may use.
    pub directions: Vec<Direction>,
}

impl OrgSettings {
    /// Checks the ids and fills in the directions (all of them when none are given).
    pub fn validate(self) -> Result<OrgSettings> {
        let tenant = self.tenant.trim().to_owned();
        if tenant.is_empty() || tenant.contains(['/', ' ', '?', '#']) {
            return Err(CoreError::InvalidInput {
                field: "tenant",
                reason: format!(
                    "\"{tenant}\" is not a tenant id or domain (Microsoft Entra → Overview → Tenant ID)"
                ),
            });
        }
        let client_id = self.client_id.trim().to_owned();
        if uuid::Uuid::parse_str(&client_id).is_err() {
            return Err(CoreError::InvalidInput {
                field: "client id",
                reason: format!(
                    "\"{client_id}\" is not an application (client) id such as 7d1c4e9a-3f6b-4a2d-8e5c-b0f9a1c3d5e7"
                ),
            });
        }
        let mut directions = Vec::new();
        for direction in self.directions {
            if direction == Direction::None {
                return Err(CoreError::InvalidInput {
                    field: "directions",
                    reason: "the allowed directions are down, up and both".into(),
                });
            }
            if !directions.contains(&direction) {
                directions.push(direction);
            }
        }
        if directions.is_empty() {
            directions = vec![Direction::Down, Direction::Up, Direction::UpAndDown];
        }
        Ok(OrgSettings {
            tenant,
            client_id,
            credential: self.credential,
            secret_expires: self.secret_expires,
            directions,
        })
    }

    /// Whether links may use `direction` (a paused link always may).
    pub fn allows(&self, direction: Direction) -> bool {
        direction == Direction::None || self.directions.contains(&direction)
    }
}

/// What the Client settings screen and `quick3 org show` display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct OrgSettingsRecord {
    pub settings: OrgSettings,
    /// Whether a client secret is in the keyring.
    pub secret_stored: bool,
    /// The imported certificate (with the certificate credential).
    pub certificate: Option<OrgCertificate>,
    /// Whether the certificate's private key is in the keyring.
    pub certificate_key_stored: bool,
    /// A warning when the secret or certificate expires within 30 days or has expired.
    pub expiry_warning: Option<String>,
}

/// The expiry warning of the credential in use: the secret's (as entered) or the certificate's.
pub fn credential_expiry_warning(
    settings: &OrgSettings,
    certificate: Option<&OrgCertificate>,
    today: NaiveDate,
) -> Option<String> {
    match settings.credential {
        OrgCredential::Secret => secret_expiry_warning(settings.secret_expires, today),
        OrgCredential::Certificate => certificate_expiry_warning(certificate?, today),
    }
}

/// The warning for the organisation's certificate, seen on `today`: none until 30 days before.
pub fn certificate_expiry_warning(
    certificate: &OrgCertificate,
    today: NaiveDate,
) -> Option<String> {
    let expires = certificate.not_after.date_naive();
    let days = (expires - today).num_days();
    let what = format!(
        "The organisation's certificate \"{}\" (thumbprint {})",
        certificate.subject, certificate.thumbprint
    );
    if days < 0 {
        Some(format!(
            "{what} expired on {expires}: make a new certificate, upload it in Microsoft Entra (App \
             registrations → Certificates & secrets → Certificates) and import it here, or no \
             linked calendar will sync."
        ))
    } else if days <= SECRET_EXPIRY_WARNING_DAYS {
        Some(format!(
            "{what} expires on {expires} ({}): make a new certificate, upload it in Microsoft \
             Entra (App registrations → Certificates & secrets → Certificates) and import it here \
             before then.",
            in_days(days)
        ))
    } else {
        None
    }
}

fn in_days(days: i64) -> String {
    match days {
        0 => "today".to_owned(),
        1 => "tomorrow".to_owned(),
        n => format!("in {n} days"),
    }
}

/// The warning for a secret that expires on `expires`, seen on `today`: none until 30 days before.
pub fn secret_expiry_warning(expires: Option<NaiveDate>, today: NaiveDate) -> Option<String> {
    let expires = expires?;
    let days = (expires - today).num_days();
    if days < 0 {
        Some(format!(
            "The organisation's client secret expired on {expires}: create a new secret in Microsoft \
             Entra (App registrations → Certificates & secrets) and enter it, or no linked calendar \
             will sync."
        ))
    } else if days <= SECRET_EXPIRY_WARNING_DAYS {
        let when = in_days(days);
        Some(format!(
            "The organisation's client secret expires on {expires} ({when}): create a new secret in \
             Microsoft Entra (App registrations → Certificates & secrets) and enter it before then."
        ))
    } else {
        None
    }
}

/// The mailbox an organisation link reaches with the organisation's token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OrgMailbox {
    /// The user's Object ID in Microsoft Entra.
    pub object_id: String,
    /// The user's name, as Microsoft Entra showed it when the link was made.
    pub display_name: String,
}

/// A new organisation link as typed on a resource's Office 365 tab or the command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewOrgLink {
    pub resource_id: ResourceId,
    /// The user's Object ID or e-mail (user principal name).
    pub mailbox: String,
    pub direction: Direction,
    /// Names of the calendars to sync; empty: every calendar of the mailbox.
    #[serde(default)]
    pub calendars: Vec<String>,
}

/// A mailbox found by Object ID or e-mail, as the link dialog shows it before anything is linked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct MailboxLookup {
    pub object_id: String,
    /// The user's name in Microsoft Entra.
    pub display_name: String,
    pub email: String,
    /// The mailbox's calendars, as Graph lists them.
    pub calendars: Vec<MailboxCalendar>,
}

/// One calendar of a mailbox found for linking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct MailboxCalendar {
    pub name: String,
    pub is_default: bool,
}

/// The outcome of Test settings: what worked and, in plain words, what is missing.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct OrgTestReport {
    /// Everything needed worked.
    pub ok: bool,
    /// A token was issued for the organisation's app.
    pub token: bool,
    /// The user that was read (display name and e-mail).
    pub user: Option<String>,
    /// The calendar that was read.
    pub calendar: Option<String>,
    /// The problem found, with a stable code.
    pub problem: Option<crate::error::ErrorPayload>,
    /// The secret-expiry warning, if any.
    pub expiry_warning: Option<String>,
    /// Set when the app could read a mailbox that no resource is linked to: its permission
    /// reaches the whole organisation, and the sentence says how to scope it.
    pub scope_warning: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn the_expiry_warning_starts_thirty_days_before() {
        let expires = Some(date("2026-12-31"));
        assert_eq!(
            secret_expiry_warning(expires, date("2026-11-30")),
            None,
            "31 days before: no warning yet"
        );
        let warning = secret_expiry_warning(expires, date("2026-12-01")).unwrap();
        assert!(
            warning.contains("2026-12-31") && warning.contains("in 30 days"),
            "{warning}"
        );
        let expired = secret_expiry_warning(expires, date("2027-01-01")).unwrap();
        assert!(expired.contains("expired on 2026-12-31"), "{expired}");
        assert_eq!(secret_expiry_warning(None, date("2027-01-01")), None);
    }

    #[test]
    fn the_certificate_warning_names_it_and_starts_thirty_days_before() {
        let certificate = OrgCertificate {
            subject: "CN=Quick3".into(),
            thumbprint: "2BC2DF45".into(),
            not_before: "2026-01-01T00:00:00Z".parse().unwrap(),
            not_after: "2026-12-31T12:00:00Z".parse().unwrap(),
        };
        assert_eq!(
            certificate_expiry_warning(&certificate, date("2026-11-30")),
            None
        );
        let warning = certificate_expiry_warning(&certificate, date("2026-12-30")).unwrap();
        assert!(
            warning.contains("2BC2DF45") && warning.contains("2026-12-31 (tomorrow)"),
            "{warning}"
        );
        let settings = OrgSettings {
            tenant: "contoso.example".into(),
            client_id: "7d1c4e9a-3f6b-4a2d-8e5c-b0f9a1c3d5e7".into(),
            credential: OrgCredential::Certificate,
            secret_expires: Some(date("2026-12-01")),
            directions: vec![],
        };
        let expired =
            credential_expiry_warning(&settings, Some(&certificate), date("2027-01-02")).unwrap();
        assert!(expired.contains("certificate") && expired.contains("expired on 2026-12-31"));
        assert_eq!(
            credential_expiry_warning(&settings, None, date("2027-01-02")),
            None,
            "the secret's date does not count with a certificate"
        );
    }

    #[test]
    fn settings_are_checked_and_all_directions_are_the_default() {
        let settings = OrgSettings {
            tenant: " contoso.example ".into(),
            client_id: "7d1c4e9a-3f6b-4a2d-8e5c-b0f9a1c3d5e7".into(),
            credential: OrgCredential::Secret,
            secret_expires: None,
            directions: vec![],
        }
        .validate()
        .unwrap();
        assert_eq!(settings.tenant, "contoso.example");
        assert!(settings.allows(Direction::UpAndDown));
        let wrong = OrgSettings {
            client_id: "not-a-guid".into(),
            ..settings.clone()
        };
        assert_eq!(
            wrong.validate().unwrap_err().code(),
            ErrorCode::InvalidInput
        );
        let down_only = OrgSettings {
            directions: vec![Direction::Down],
            ..settings
        }
        .validate()
        .unwrap();
        assert!(!down_only.allows(Direction::Up));
    }
}
