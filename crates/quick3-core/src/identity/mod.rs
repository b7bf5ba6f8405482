//! Microsoft sign-in (identity platform v2.0): where Microsoft is, the OAuth flows, the loopback
//! redirect, tokens, the keyring that holds refresh tokens (and deep-link sign-ins that wait), and the request budget per mailbox
//! that the tokens' app draws on.

pub mod budget;
pub mod certificate;
pub mod config;
pub mod credentials;
pub mod error;
pub mod flow;
pub mod loopback;
pub mod organisation;
pub mod secrets;
pub mod tokens;
pub mod waiting;

pub use crate::error::{IdentityError, OrgError};
pub use certificate::{ORG_CERTIFICATE_KEY, SigningCertificate};
pub use config::{ENDPOINT_SETTING_NAMES, EndpointSettings, Endpoints};
pub use credentials::{Credentials, SignInFailure, SignedIn};
pub use flow::{Callback, DEEP_LINK_REDIRECT, PendingSignIn, PendingSignIns};
pub use organisation::ORG_SECRET_KEY;
pub use secrets::{Keyring, SecretStore};
pub use tokens::{Secret, SignedInUser, TokenSet};
