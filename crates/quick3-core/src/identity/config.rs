//! Where Microsoft is: the identity platform (authority, tenant, client id) and Graph, for the
//! public cloud, a national cloud, or the local emulator. Read from the store's settings (checked
//! before they are written) and the environment.

use std::path::PathBuf;

use url::Url;

use super::IdentityError;
use crate::error::{CoreError, Result};
use crate::store::Store;

/// Microsoft's public cloud sign-in host.
pub const MICROSOFT_AUTHORITY: &str = "https://login.microsoftonline.com";
/// Microsoft Graph v1.0 in the public cloud.
pub const MICROSOFT_GRAPH: &str = "https://graph.microsoft.com/v1.0";
/// Accounts of any Microsoft Entra organisation (work or school).
pub const DEFAULT_TENANT: &str = "organizations";

/// Environment variables that override the settings for one run.
pub const AUTHORITY_ENV: &str = "QUICK3_AUTHORITY";
pub const GRAPH_ENV: &str = "QUICK3_GRAPH";
pub const CLIENT_ID_ENV: &str = "QUICK3_CLIENT_ID";
pub const TENANT_ENV: &str = "QUICK3_TENANT";
pub const CA_CERT_ENV: &str = "QUICK3_CA_CERT";
/// Where the planner's browser is sent to sign in, when it differs from the authority (the
/// emulator's plain-http loopback page, so that no certificate warning appears).
pub const BROWSER_AUTHORITY_ENV: &str = "QUICK3_BROWSER_AUTHORITY";

/// The endpoints Quick3 talks to. Every host is configurable (national clouds, the emulator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// `https://login.microsoftonline.com` or another identity host, without a tenant.
    pub authority: Url,
    /// Where the browser goes for the sign-in page (usually the authority).
    pub browser_authority: Url,
    pub tenant: String,
    /// The application (client) id of Quick3 Planner's registration in Microsoft Entra.
    pub client_id: Option<String>,
    /// Graph's base, ending in the version (`…/v1.0`).
    pub graph: Url,
    /// An extra certificate authority to trust (PEM), such as the emulator's.
    pub extra_ca: Option<PathBuf>,
}

/// Settings as stored (each optional; unset means Microsoft's public cloud).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointSettings {
    pub authority: Option<String>,
    pub browser_authority: Option<String>,
    pub tenant: Option<String>,
    pub client_id: Option<String>,
    pub graph: Option<String>,
    pub ca_cert: Option<String>,
}

impl EndpointSettings {
    /// Settings for a local emulator (demo mode, tests): its HTTPS authority and Graph, its CA,
    /// and its plain-http page for the planner's browser.
    pub fn emulator(
        authority: String,
        browser_authority: Option<String>,
        graph: String,
        ca_cert: &std::path::Path,
        client_id: &str,
    ) -> Self {
        EndpointSettings {
            authority: Some(authority),
            browser_authority,
            tenant: Some(DEFAULT_TENANT.to_owned()),
            client_id: Some(client_id.to_owned()),
            graph: Some(graph),
            ca_cert: Some(ca_cert.display().to_string()),
        }
    }

    /// These settings with the `QUICK3_*` environment variables laid over them.
    pub fn with_env(mut self) -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        self.authority = var(AUTHORITY_ENV).or(self.authority);
        self.browser_authority = var(BROWSER_AUTHORITY_ENV).or(self.browser_authority);
        self.graph = var(GRAPH_ENV).or(self.graph);
        self.client_id = var(CLIENT_ID_ENV).or(self.client_id);
        self.tenant = var(TENANT_ENV).or(self.tenant);
        self.ca_cert = var(CA_CERT_ENV).or(self.ca_cert);
        self
    }

    pub fn resolve(&self) -> Result<Endpoints, IdentityError> {
        let url = |text: &str, what: &str| {
            endpoint_url(text, what).map_err(|reason| IdentityError::Misconfigured { reason })
        };
        let authority = url(
            self.authority.as_deref().unwrap_or(MICROSOFT_AUTHORITY),
            "authority",
        )?;
        let browser_authority = match &self.browser_authority {
            Some(text) => url(text, "browser authority")?,
            None => authority.clone(),
        };
        Ok(Endpoints {
            authority,
            browser_authority,
            tenant: self
                .tenant
                .clone()
                .unwrap_or_else(|| DEFAULT_TENANT.to_owned()),
            client_id: self.client_id.clone().filter(|c| !c.trim().is_empty()),
            graph: url(
                self.graph.as_deref().unwrap_or(MICROSOFT_GRAPH),
                "Graph URL",
            )?,
            extra_ca: self.ca_cert.as_ref().map(PathBuf::from),
        })
    }
}

/// An authority or Graph address: https, or plain http only to this computer (the emulator);
/// the reason is a plain clause.
fn endpoint_url(text: &str, what: &str) -> Result<Url, String> {
    let url = Url::parse(text.trim().trim_end_matches('/'))
        .map_err(|e| format!("the {what} \"{text}\" is not a URL ({e})"))?;
    let secure = url.scheme() == "https" || (url.scheme() == "http" && is_loopback(&url));
    if !secure || url.host().is_none() {
        return Err(format!(
            "the {what} must be an https address (plain http only to this computer, such as the emulator), not \"{text}\""
        ));
    }
    Ok(url)
}

/// Checks a value for one setting as a person types it (`quick3 config set NAME VALUE`): URLs as
/// [`EndpointSettings::resolve`] takes them, a client id that is a GUID, a tenant that is a name
/// or id, a CA file that holds a PEM certificate. The reason is a plain clause.
pub fn check_setting(name: &str, value: &str) -> Result<(), String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(format!(
            "{name} needs a value; to go back to the default, unset it (quick3 config unset {name})"
        ));
    }
    match name {
        "authority" => endpoint_url(value, "authority").map(drop),
        "browser-authority" => endpoint_url(value, "browser authority").map(drop),
        "graph" => endpoint_url(value, "Graph URL").map(drop),
        "client-id" => match uuid::Uuid::try_parse(value) {
            Ok(_) if value.len() == 36 => Ok(()),
            _ => Err(format!(
                "the client id is the Application (client) ID from Microsoft Entra, a GUID such as 3b9e2f7c-5a1d-4e8b-b6c4-0d2a7f9e1c35, not \"{value}\""
            )),
        },
        "tenant"
            if value.len() <= 253
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-') =>
        {
            Ok(())
        }
        "tenant" => Err(format!(
            "the tenant is organizations, common, a tenant id or a domain such as contoso.onmicrosoft.com, not \"{value}\""
        )),
        "ca-cert" => {
            let pem = std::fs::read(value)
                .map_err(|e| format!("the certificate file {value} cannot be read ({e})"))?;
            let looks_pem = String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----");
            if looks_pem && reqwest::Certificate::from_pem(&pem).is_ok() {
                Ok(())
            } else {
                Err(format!("{value} does not hold a PEM certificate"))
            }
        }
        _ => Ok(()),
    }
}

/// Whether `url`'s host is this computer (`127.0.0.1` and the rest of 127/8, `::1`, `localhost`):
/// the only hosts plain http may reach, as nothing crosses a network there.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

impl Endpoints {
    fn at(base: &Url, path: &str) -> Url {
        let mut url = base.clone();
        let joined = format!("{}/{}", base.path().trim_end_matches('/'), path);
        url.set_path(&joined);
        url
    }

    /// The client id, or a plain explanation of how to register the app.
    pub fn client_id(&self) -> Result<&str, IdentityError> {
        self.client_id.as_deref().ok_or_else(|| IdentityError::Misconfigured {
            reason: "no application (client) id is configured. Register Quick3 Planner in Microsoft \
                     Entra (see the README) and set it with `quick3 config set client-id <id>`, or \
                     use demo mode."
                .into(),
        })
    }

    pub fn authorize_url(&self) -> Url {
        Self::at(
            &self.browser_authority,
            &format!("{}/oauth2/v2.0/authorize", self.tenant),
        )
    }

    pub fn token_url(&self) -> Url {
        Self::at(
            &self.authority,
            &format!("{}/oauth2/v2.0/token", self.tenant),
        )
    }

    pub fn device_code_url(&self) -> Url {
        Self::at(
            &self.authority,
            &format!("{}/oauth2/v2.0/devicecode", self.tenant),
        )
    }

    /// The link an IT administrator opens to approve Quick3 Planner for the organisation.
    pub fn admin_consent_url(&self, scopes: &[String], redirect_uri: &str) -> String {
        let tenant = if self.tenant == "common" || self.tenant == "consumers" {
            DEFAULT_TENANT
        } else {
            &self.tenant
        };
        let mut url = Self::at(
            &self.browser_authority,
            &format!("{tenant}/v2.0/adminconsent"),
        );
        let graph_scopes: Vec<String> = scopes
            .iter()
            .filter(|s| !matches!(s.as_str(), "openid" | "profile" | "offline_access"))
            .map(|s| {
                if s.contains("://") {
                    s.clone()
                } else {
                    format!("https://graph.microsoft.com/{s}")
                }
            })
            .collect();
        url.query_pairs_mut()
            .append_pair("client_id", self.client_id.as_deref().unwrap_or_default())
            .append_pair("scope", &graph_scopes.join(" "))
            .append_pair("redirect_uri", redirect_uri);
        url.to_string()
    }

    /// An HTTP client for the identity platform and Graph: TLS with the system roots (and the
    /// extra CA, if any), no redirects followed, bounded time.
    pub fn http_client(&self) -> Result<reqwest::Client, IdentityError> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(std::time::Duration::from_secs(15))
            .timeout(std::time::Duration::from_secs(60))
            .user_agent(concat!("Quick3Planner/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = &self.extra_ca {
            let pem = std::fs::read(path).map_err(|e| IdentityError::Misconfigured {
                reason: format!("the certificate {} cannot be read ({e})", path.display()),
            })?;
            let certificate =
                reqwest::Certificate::from_pem(&pem).map_err(|e| IdentityError::Misconfigured {
                    reason: format!("{} is not a PEM certificate ({e})", path.display()),
                })?;
            builder = builder.add_root_certificate(certificate);
        }
        builder.build().map_err(|e| IdentityError::Misconfigured {
            reason: e.to_string(),
        })
    }
}

const AUTHORITY: &str = "identity.authority";
const BROWSER_AUTHORITY: &str = "identity.browser_authority";
const TENANT: &str = "identity.tenant";
const CLIENT_ID: &str = "identity.client_id";
const GRAPH: &str = "graph.url";
const CA_CERT: &str = "identity.ca_cert";

/// The settings a person may change with `quick3 config set NAME VALUE`.
pub const ENDPOINT_SETTING_NAMES: &[&str] =
    &["authority", "tenant", "client-id", "graph", "ca-cert"];

/// Endpoint settings are kept in the store's settings, each checked before it is written.
impl Store {
    /// The stored endpoint settings (unset: Microsoft's public cloud).
    pub fn endpoint_settings(&self) -> Result<EndpointSettings> {
        Ok(EndpointSettings {
            authority: self.setting(AUTHORITY)?,
            browser_authority: self.setting(BROWSER_AUTHORITY)?,
            tenant: self.setting(TENANT)?,
            client_id: self.setting(CLIENT_ID)?,
            graph: self.setting(GRAPH)?,
            ca_cert: self.setting(CA_CERT)?,
        })
    }

    /// Sets one endpoint setting by its public name (`client-id`, `tenant`, …); `None` unsets it.
    pub fn set_endpoint_setting(&mut self, name: &str, value: Option<&str>) -> Result<()> {
        let key = match name {
            "authority" => AUTHORITY,
            "browser-authority" => BROWSER_AUTHORITY,
            "tenant" => TENANT,
            "client-id" => CLIENT_ID,
            "graph" => GRAPH,
            "ca-cert" => CA_CERT,
            other => {
                return Err(CoreError::InvalidInput {
                    field: "setting",
                    reason: format!(
                        "\"{other}\" is not one of {}",
                        ENDPOINT_SETTING_NAMES.join(", ")
                    ),
                });
            }
        };
        let value = value.map(str::trim);
        if let Some(value) = value {
            check_setting(name, value).map_err(|reason| CoreError::InvalidInput {
                field: "setting",
                reason,
            })?;
            let mut check = self.endpoint_settings()?;
            match name {
                "authority" => check.authority = Some(value.into()),
                "browser-authority" => check.browser_authority = Some(value.into()),
                "graph" => check.graph = Some(value.into()),
                _ => {}
            }
            check.resolve().map_err(|e| CoreError::InvalidInput {
                field: "setting",
                reason: e.to_string(),
            })?;
        }
        self.set_setting(key, value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn defaults_are_microsofts_public_cloud() {
        let endpoints = EndpointSettings::default().resolve().unwrap();
        assert_eq!(
            endpoints.authorize_url().as_str(),
            "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize"
        );
        assert_eq!(endpoints.graph.as_str(), "https://graph.microsoft.com/v1.0");
        assert_eq!(
            endpoints.client_id().unwrap_err().code(),
            ErrorCode::IdentityMisconfigured
        );
    }

    #[test]
    fn every_host_is_configurable() {
        let settings = EndpointSettings {
            authority: Some("https://127.0.0.1:8443/".into()),
            browser_authority: Some("http://127.0.0.1:8080".into()),
            tenant: Some("contoso.example".into()),
            client_id: Some("abc".into()),
            graph: Some("https://127.0.0.1:8443/v1.0".into()),
            ca_cert: None,
        };
        let e = settings.resolve().unwrap();
        assert_eq!(
            e.token_url().as_str(),
            "https://127.0.0.1:8443/contoso.example/oauth2/v2.0/token"
        );
        assert_eq!(
            e.authorize_url().as_str(),
            "http://127.0.0.1:8080/contoso.example/oauth2/v2.0/authorize"
        );
        let consent = e.admin_consent_url(
            &["openid".into(), "Calendars.Read".into()],
            "quickplanner://auth/callback",
        );
        assert!(
            consent.starts_with(
                "http://127.0.0.1:8080/contoso.example/v2.0/adminconsent?client_id=abc"
            )
        );
        assert!(consent.contains("Calendars.Read") && !consent.contains("openid"));
    }

    #[test]
    fn endpoint_settings_are_checked_and_stored() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .set_endpoint_setting("client-id", Some("3b9e2f7c-5a1d-4e8b-b6c4-0d2a7f9e1c35"))
            .unwrap();
        store
            .set_endpoint_setting("tenant", Some("contoso.example"))
            .unwrap();
        assert!(
            store
                .set_endpoint_setting("authority", Some("not a url"))
                .is_err()
        );
        assert!(store.set_endpoint_setting("colour", Some("x")).is_err());
        let settings = store.endpoint_settings().unwrap();
        assert_eq!(
            settings.client_id.as_deref(),
            Some("3b9e2f7c-5a1d-4e8b-b6c4-0d2a7f9e1c35")
        );
        assert_eq!(settings.authority, None, "a refused value is not stored");
        store.set_endpoint_setting("client-id", None).unwrap();
        assert_eq!(store.endpoint_settings().unwrap().client_id, None);
    }
}
