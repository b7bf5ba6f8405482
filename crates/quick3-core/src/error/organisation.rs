//! What can keep organisation mode from working, each in words an administrator can act on, with
//! its code.

use chrono::NaiveDate;

use super::{ErrorCode, GraphError, IdentityError};

/// What can keep organisation mode from working, each in words an administrator can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgError {
    #[error(
        "Only an administrator may change the organisation's Office 365 connection: ask your \
         local management to make you one (quick3 admin allow-admin)."
    )]
    NotAdministrator,
    #[error(
        "Organisation mode is not set up: enter the tenant id, client id and client secret of the \
         organisation's app registration first."
    )]
    NotConfigured,
    #[error("No client secret is stored for the organisation's app: enter it again.")]
    SecretMissing,
    #[error(
        "No certificate with its private key is stored in this computer's keyring for the \
         organisation's app: import the certificate file (PEM with the private key) again."
    )]
    CertificateMissing,
    #[error("The certificate cannot be used: {reason}.")]
    CertificateUnusable { reason: String },
    #[error(
        "Microsoft does not know the certificate {thumbprint} for this app (AADSTS700027): upload \
         the certificate (its public part, a .cer or .pem file without the key) in Microsoft Entra \
         → App registrations → Certificates & secrets → Certificates."
    )]
    CertificateNotRegistered { thumbprint: String },
    #[error(
        "Microsoft could not verify the signature made with the certificate {thumbprint} \
         (AADSTS{code}): the private key in this computer's keyring does not belong to the \
         certificate uploaded in Microsoft Entra. Import the certificate together with its own \
         private key again."
    )]
    CertificateWrongKey { thumbprint: String, code: u32 },
    #[error(
        "The certificate {thumbprint} has expired{} (AADSTS{code}): make a new certificate, upload \
         it in Microsoft Entra → App registrations → Certificates & secrets → Certificates and \
         import it here.",
        expires.map(|d| format!(" (it was valid until {d})")).unwrap_or_default()
    )]
    CertificateExpired {
        thumbprint: String,
        expires: Option<NaiveDate>,
        code: u32,
    },
    #[error(
        "Microsoft refused the signed sign-in of the organisation's app as outside its valid time \
         (AADSTS700024): this computer's clock is wrong. Set the date and time right (automatic \
         time) and try again."
    )]
    ClockWrong,
    #[error(
        "Microsoft refused the signed sign-in of the organisation's app (AADSTS{code}): {reason}"
    )]
    AssertionRefused { code: u32, reason: String },
    #[error(
        "Microsoft refused the client secret (AADSTS7000215): it is wrong. Copy the secret's Value \
         (not its Secret ID) from Microsoft Entra → App registrations → Certificates & secrets."
    )]
    WrongSecret,
    #[error(
        "The client secret has expired{} (AADSTS7000222): create a new secret in Microsoft Entra → \
         App registrations → Certificates & secrets and enter it here.",
        expires.map(|d| format!(" (it was valid until {d})")).unwrap_or_default()
    )]
    SecretExpired { expires: Option<NaiveDate> },
    #[error(
        "Microsoft does not know the application (client) id {client_id} in this tenant \
         (AADSTS700016): check the client id and the tenant id."
    )]
    UnknownApplication { client_id: String },
    #[error("Microsoft does not know the tenant {tenant}: check the tenant id.")]
    UnknownTenant { tenant: String },
    #[error(
        "The application permission {permission} has not been granted by an administrator: in \
         Microsoft Entra → App registrations → API permissions, add {permission} as an application \
         permission and choose \"Grant admin consent\"."
    )]
    PermissionNotGranted { permission: String },
    #[error(
        "An application access policy keeps Quick3 Planner out of the mailbox {mailbox}: ask the \
         Exchange administrator to add it to the group the policy allows \
         (New-ApplicationAccessPolicy, Test-ApplicationAccessPolicy)."
    )]
    MailboxRestricted { mailbox: String },
    #[error("Microsoft Entra has no user {reference} (deleted, or a typing error).")]
    UserNotFound { reference: String },
    #[error("The mailbox {mailbox} has no calendar named \"{calendar}\".")]
    UnknownCalendar { mailbox: String, calendar: String },
    #[error("{0}")]
    Identity(IdentityError),
    #[error("{0}")]
    Graph(GraphError),
}

impl OrgError {
    /// A stable identifier for the UI.
    pub fn code(&self) -> ErrorCode {
        match self {
            OrgError::NotAdministrator => ErrorCode::OrgNotAdministrator,
            OrgError::NotConfigured => ErrorCode::OrgNotConfigured,
            OrgError::SecretMissing => ErrorCode::OrgSecretMissing,
            OrgError::CertificateMissing => ErrorCode::OrgCertificateMissing,
            OrgError::CertificateUnusable { .. } => ErrorCode::OrgCertificateUnusable,
            OrgError::CertificateNotRegistered { .. } => ErrorCode::OrgCertificateNotRegistered,
            OrgError::CertificateWrongKey { .. } => ErrorCode::OrgCertificateWrongKey,
            OrgError::CertificateExpired { .. } => ErrorCode::OrgCertificateExpired,
            OrgError::ClockWrong => ErrorCode::OrgClockWrong,
            OrgError::AssertionRefused { .. } => ErrorCode::OrgAssertionRefused,
            OrgError::WrongSecret => ErrorCode::OrgWrongSecret,
            OrgError::SecretExpired { .. } => ErrorCode::OrgSecretExpired,
            OrgError::UnknownApplication { .. } => ErrorCode::OrgUnknownApplication,
            OrgError::UnknownTenant { .. } => ErrorCode::OrgUnknownTenant,
            OrgError::PermissionNotGranted { .. } => ErrorCode::OrgPermissionNotGranted,
            OrgError::MailboxRestricted { .. } => ErrorCode::OrgMailboxRestricted,
            OrgError::UserNotFound { .. } => ErrorCode::OrgUserNotFound,
            OrgError::UnknownCalendar { .. } => ErrorCode::OrgUnknownCalendar,
            OrgError::Identity(err) => err.code(),
            OrgError::Graph(err) => err.code(),
        }
    }

    /// Whether trying again later may succeed without an administrator doing anything.
    pub fn is_transient(&self) -> bool {
        match self {
            OrgError::Identity(err) => err.is_transient(),
            OrgError::Graph(err) => err.is_transient(),
            _ => false,
        }
    }

    /// Whether the input was at fault (nothing is written then).
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            OrgError::UserNotFound { .. }
                | OrgError::UnknownCalendar { .. }
                | OrgError::CertificateUnusable { .. }
        )
    }
}

impl From<IdentityError> for OrgError {
    fn from(err: IdentityError) -> Self {
        OrgError::Identity(err)
    }
}
