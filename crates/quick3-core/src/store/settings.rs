//! Installation settings in the store: named values (which `identity::config` and `mail` keep
//! their settings in), this installation's id, the zone the Scheduler shows times in and the
//! format the window writes dates and times in.

use rusqlite::{Connection, OptionalExtension, params};

use super::Store;
use crate::error::{CoreError, Result};
use crate::model::appointment::parse_time_zone;
use crate::model::{DateFormat, HourCycle, is_language_tag};

const INSTALLATION: &str = "installation.id";
const DISPLAY_ZONE: &str = "scheduler.display_time_zone";
const LOCALE: &str = "display.locale";
const HOUR_CYCLE: &str = "display.hour_cycle";

/// Keeps `value` under `key` (on `conn`, or a transaction's), or forgets the key with `None`.
pub(super) fn write_setting(conn: &Connection, key: &str, value: Option<&str>) -> Result<()> {
    match value {
        Some(value) => conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?,
        None => conn.execute("DELETE FROM settings WHERE key = ?1", [key])?,
    };
    Ok(())
}

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
        write_setting(&self.conn, key, value)
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

    /// How the window writes dates and times: the planner's language and region and hour cycle,
    /// each `None` (the system's) unless chosen, or when a stored value no longer reads.
    pub fn date_format(&self) -> Result<DateFormat> {
        Ok(DateFormat {
            locale: self.setting(LOCALE)?.filter(|tag| is_language_tag(tag)),
            hour_cycle: self
                .setting(HOUR_CYCLE)?
                .and_then(|cycle| HourCycle::parse(&cycle)),
        })
    }

    /// Chooses how the window writes dates and times (a blank language: the system's) and
    /// answers the format now in force. A language tag of the wrong shape is refused and changes
    /// nothing.
    pub fn set_date_format(&mut self, format: DateFormat) -> Result<DateFormat> {
        let locale = format
            .locale
            .as_deref()
            .map(str::trim)
            .filter(|tag| !tag.is_empty());
        if let Some(tag) = locale.filter(|tag| !is_language_tag(tag)) {
            return Err(CoreError::InvalidInput {
                field: "language and region",
                reason: format!("\"{tag}\" is not a language tag such as en-GB or nb-NO"),
            });
        }
        let tx = self.conn.transaction()?;
        for (key, value) in [
            (LOCALE, locale),
            (HOUR_CYCLE, format.hour_cycle.map(HourCycle::key)),
        ] {
            write_setting(&tx, key, value)?;
        }
        tx.commit()?;
        self.date_format()
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
    fn the_date_format_is_the_systems_until_chosen_and_a_malformed_language_is_refused() {
        let mut store = Store::open_in_memory().unwrap();
        assert_eq!(
            store.date_format().unwrap(),
            DateFormat::default(),
            "the system's language and clock until the planner chooses"
        );
        let chosen = DateFormat {
            locale: Some(" nb-NO ".into()),
            hour_cycle: Some(HourCycle::H12),
        };
        let stored = store.set_date_format(chosen).unwrap();
        assert_eq!(stored.locale.as_deref(), Some("nb-NO"), "kept trimmed");
        assert_eq!(stored.hour_cycle, Some(HourCycle::H12));
        assert_eq!(
            store.overview(false).unwrap().date_format,
            stored,
            "the window reads it at start"
        );
        for bad in ["english", "en_GB", "e", "en-GB-toolongsubtag", "en--GB"] {
            let refused = store
                .set_date_format(DateFormat {
                    locale: Some(bad.into()),
                    hour_cycle: None,
                })
                .unwrap_err();
            assert_eq!(refused.code(), ErrorCode::InvalidInput, "{bad} is refused");
        }
        assert_eq!(
            store.date_format().unwrap(),
            stored,
            "a refused choice changes nothing, the hour cycle included"
        );
        for tag in ["en-GB", "de-DE", "zh-Hant-TW", "es-419"] {
            assert!(is_language_tag(tag), "{tag} has a language tag's shape");
        }
        assert_eq!(
            store
                .set_date_format(DateFormat {
                    locale: Some(String::new()),
                    hour_cycle: None,
                })
                .unwrap(),
            DateFormat::default(),
            "blank goes back to the system's"
        );
        store.set_setting(LOCALE, Some("not a tag")).unwrap();
        store.set_setting(HOUR_CYCLE, Some("h13")).unwrap();
        assert_eq!(
            store.date_format().unwrap(),
            DateFormat::default(),
            "stored values that no longer read fall back to the system's"
        );
    }
}
