//! Installation settings in the store: where Microsoft is (endpoints), this installation's id and
//! the zone the Scheduler shows times in.

use rusqlite::{OptionalExtension, params};

use super::Store;
use crate::error::Result;
use crate::identity::EndpointSettings;
use crate::model::appointment::parse_time_zone;

const AUTHORITY: &str = "identity.authority";
const BROWSER_AUTHORITY: &str = "identity.browser_authority";
const TENANT: &str = "identity.tenant";
const CLIENT_ID: &str = "identity.client_id";
const GRAPH: &str = "graph.url";
const CA_CERT: &str = "identity.ca_cert";
const INSTALLATION: &str = "installation.id";
const DISPLAY_ZONE: &str = "scheduler.display_time_zone";

/// The settings a person may change with `quick3 config set NAME VALUE`.
pub const ENDPOINT_SETTING_NAMES: &[&str] =
    &["authority", "tenant", "client-id", "graph", "ca-cert"];

impl Store {
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()?)
    }

    pub fn set_setting(&mut self, key: &str, value: Option<&str>) -> Result<()> {
        match value {
            Some(value) => self.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )?,
            None => self
                .conn
                .execute("DELETE FROM settings WHERE key = ?1", [key])?,
        };
        Ok(())
    }

    /// The IANA zone the Scheduler shows times in: the planner's choice, else the machine's zone
    /// (also when a stored choice is no longer a known zone).
    pub fn display_time_zone(&self) -> Result<String> {
        Ok(self
            .setting(DISPLAY_ZONE)?
            .filter(|zone| parse_time_zone(zone).is_ok())
            .unwrap_or_else(|| self.default_zone().to_owned()))
    }

    /// Chooses the zone the Scheduler shows times in (`None` or blank: the machine's zone) and
    /// answers the zone now in force. An unknown zone is refused and changes nothing.
    pub fn set_display_time_zone(&mut self, zone: Option<&str>) -> Result<String> {
        let zone = zone.map(str::trim).filter(|z| !z.is_empty());
        let checked = zone.map(parse_time_zone).transpose()?;
        self.set_setting(DISPLAY_ZONE, checked.as_ref().map(|tz| tz.name()))?;
        self.display_time_zone()
    }

    /// This installation's id (made on first use): keeps its keyring entries apart from others'.
    pub fn installation_id(&mut self) -> Result<String> {
        if let Some(id) = self.setting(INSTALLATION)? {
            return Ok(id);
        }
        let id = uuid::Uuid::new_v4().to_string();
        self.set_setting(INSTALLATION, Some(&id))?;
        Ok(id)
    }

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
                return Err(crate::CoreError::InvalidInput {
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
            crate::identity::config::check_setting(name, value).map_err(|reason| {
                crate::CoreError::InvalidInput {
                    field: "setting",
                    reason,
                }
            })?;
            let mut check = self.endpoint_settings()?;
            match name {
                "authority" => check.authority = Some(value.into()),
                "browser-authority" => check.browser_authority = Some(value.into()),
                "graph" => check.graph = Some(value.into()),
                _ => {}
            }
            check
                .resolve()
                .map_err(|e| crate::CoreError::InvalidInput {
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
    fn installation_id_is_made_once() {
        let mut store = Store::open_in_memory().unwrap();
        let id = store.installation_id().unwrap();
        assert_eq!(store.installation_id().unwrap(), id);
    }

    #[test]
    fn the_display_zone_is_the_machines_until_chosen_and_an_unknown_zone_is_refused() {
        let mut store = Store::open_in_memory().unwrap();
        store.set_default_zone("Europe/Berlin").unwrap();
        assert_eq!(
            store.display_time_zone().unwrap(),
            "Europe/Berlin",
            "the machine's zone by default"
        );
        assert_eq!(
            store
                .set_display_time_zone(Some(" America/New_York "))
                .unwrap(),
            "America/New_York"
        );
        let refused = store
            .set_display_time_zone(Some("Mars/Olympus"))
            .unwrap_err();
        assert_eq!(refused.code(), ErrorCode::UnknownTimeZone);
        assert_eq!(
            store.display_time_zone().unwrap(),
            "America/New_York",
            "a refused zone changes nothing"
        );
        assert_eq!(
            store.overview(false).unwrap().display_time_zone,
            "America/New_York"
        );
        assert_eq!(
            store.set_display_time_zone(Some("")).unwrap(),
            "Europe/Berlin",
            "a blank choice goes back to the machine's zone"
        );
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
