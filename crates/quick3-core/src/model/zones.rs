//! Time-zone names as Graph speaks them (Windows names, sometimes IANA) ↔ IANA zones, from the
//! CLDR-maintained table of the `windows-timezones` crate.

use chrono_tz::Tz;
use windows_timezones::WindowsTimezone;

/// The IANA zone for a name Graph sent: a Windows name ("W. Europe Standard Time") through CLDR's
/// table, or an IANA name as it is. `None` for custom or unknown zones.
pub fn to_iana(name: &str) -> Option<Tz> {
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    if let Ok(iana) = name.parse::<Tz>() {
        return Some(iana);
    }
    name.parse::<WindowsTimezone>().ok().map(Into::into)
}

/// The name to send Graph for an IANA zone: its Windows name when CLDR has one (every Outlook
/// version understands those), else the IANA name.
pub fn to_graph(zone: Tz) -> String {
    match WindowsTimezone::try_from(zone) {
        Ok(windows) => windows.name().to_owned(),
        Err(_) => zone.name().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_names_map_to_their_cldr_zone_and_iana_passes_through() {
        assert_eq!(to_iana("W. Europe Standard Time"), Some(Tz::Europe__Berlin));
        assert_eq!(
            to_iana("Pacific Standard Time"),
            Some(Tz::America__Los_Angeles)
        );
        assert_eq!(
            to_iana("Eastern Standard Time"),
            Some(Tz::America__New_York)
        );
        assert_eq!(
            to_iana("UTC"),
            Some(Tz::UTC),
            "UTC is both a Windows and an IANA name"
        );
        assert_eq!(to_iana("Asia/Tokyo"), Some(Tz::Asia__Tokyo));
        assert_eq!(to_iana("tzone://Microsoft/Custom"), None);
        assert_eq!(to_iana(""), None);
    }

    #[test]
    fn iana_zones_go_out_as_windows_names_and_come_back_to_an_equal_clock() {
        assert_eq!(to_graph(Tz::Europe__Berlin), "W. Europe Standard Time");
        let back = to_iana(&to_graph(Tz::Europe__Amsterdam)).unwrap();
        assert_eq!(
            back,
            Tz::Europe__Berlin,
            "CLDR's territory-001 zone for W. Europe"
        );
    }
}
