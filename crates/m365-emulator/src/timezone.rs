//! Time-zone names as Graph accepts them (Windows and IANA) and local-time arithmetic.

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Windows time-zone names and the IANA zone Microsoft maps each one to (CLDR's "001" territory).
const WINDOWS_ZONES: &[(&str, &str)] = &[
    ("UTC", "UTC"),
    ("Coordinated Universal Time", "UTC"),
    ("GMT Standard Time", "Europe/London"),
    ("Greenwich Standard Time", "Atlantic/Reykjavik"),
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("Central Europe Standard Time", "Europe/Budapest"),
    ("Central European Standard Time", "Europe/Warsaw"),
    ("Romance Standard Time", "Europe/Paris"),
    ("E. Europe Standard Time", "Europe/Chisinau"),
    ("FLE Standard Time", "Europe/Kiev"),
    ("GTB Standard Time", "Europe/Bucharest"),
    ("Russian Standard Time", "Europe/Moscow"),
    ("Turkey Standard Time", "Europe/Istanbul"),
    ("Israel Standard Time", "Asia/Jerusalem"),
    ("South Africa Standard Time", "Africa/Johannesburg"),
    ("Arabian Standard Time", "Asia/Dubai"),
    ("India Standard Time", "Asia/Calcutta"),
    ("China Standard Time", "Asia/Shanghai"),
    ("Singapore Standard Time", "Asia/Singapore"),
    ("Tokyo Standard Time", "Asia/Tokyo"),
    ("Korea Standard Time", "Asia/Seoul"),
    ("AUS Eastern Standard Time", "Australia/Sydney"),
    ("E. Australia Standard Time", "Australia/Brisbane"),
    ("New Zealand Standard Time", "Pacific/Auckland"),
    ("Eastern Standard Time", "America/New_York"),
    ("Central Standard Time", "America/Chicago"),
    ("Mountain Standard Time", "America/Denver"),
    ("US Mountain Standard Time", "America/Phoenix"),
    ("Pacific Standard Time", "America/Los_Angeles"),
    ("Alaskan Standard Time", "America/Anchorage"),
    ("Hawaiian Standard Time", "Pacific/Honolulu"),
    ("Atlantic Standard Time", "America/Halifax"),
    ("Canada Central Standard Time", "America/Regina"),
    ("SA Pacific Standard Time", "America/Bogota"),
    ("E. South America Standard Time", "America/Sao_Paulo"),
    ("Argentina Standard Time", "America/Buenos_Aires"),
    ("Central Standard Time (Mexico)", "America/Mexico_City"),
];

/// Resolves a Graph `timeZone` value (Windows name, IANA name or "UTC") to a zone.
pub fn resolve(name: &str) -> Option<Tz> {
    let trimmed = name.trim().trim_matches('"');
    if trimmed.is_empty() {
        return Some(Tz::UTC);
    }
    if let Some((_, iana)) = WINDOWS_ZONES
        .iter()
        .find(|(windows, _)| windows.eq_ignore_ascii_case(trimmed))
    {
        return iana.parse().ok();
    }
    if trimmed.eq_ignore_ascii_case("tzone://Microsoft/Utc") || trimmed.eq_ignore_ascii_case("Z") {
        return Some(Tz::UTC);
    }
    trimmed.parse().ok()
}

/// Resolves a zone, falling back to UTC for names Graph would not know either.
pub fn resolve_or_utc(name: &str) -> Tz {
    resolve(name).unwrap_or(Tz::UTC)
}

/// The instant a local wall-clock time in `zone` denotes: ambiguous times (autumn) take the
/// earlier instant, times skipped by a spring-forward move one hour on, as Exchange does.
pub fn local_to_utc(local: NaiveDateTime, zone: Tz) -> DateTime<Utc> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(at) => at.with_timezone(&Utc),
        LocalResult::Ambiguous(earlier, _) => earlier.with_timezone(&Utc),
        LocalResult::None => {
            let shifted = local + chrono::TimeDelta::hours(1);
            match zone.from_local_datetime(&shifted) {
                LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => at.with_timezone(&Utc),
                LocalResult::None => Utc.from_utc_datetime(&local),
            }
        }
    }
}

/// The wall-clock time of `instant` in `zone`.
pub fn utc_to_local(instant: DateTime<Utc>, zone: Tz) -> NaiveDateTime {
    instant.with_timezone(&zone).naive_local()
}

/// Graph's `dateTime` text: seven fractional digits, no offset.
pub fn format_graph(local: NaiveDateTime) -> String {
    use chrono::Timelike;
    format!(
        "{}.{:07}",
        local.format("%Y-%m-%dT%H:%M:%S"),
        local.nanosecond() % 1_000_000_000 / 100
    )
}

/// Parses a Graph `dateTime` (with or without fraction; a trailing `Z` or offset is converted to
/// UTC wall-clock time).
pub fn parse_graph(text: &str) -> Option<NaiveDateTime> {
    use chrono::Timelike;
    // chrono reads "…:60" as a leap second, which Graph does not accept and which would be served
    // back a second early (found by fuzzing).
    parse_graph_text(text).filter(|time| time.nanosecond() < 1_000_000_000)
}

fn parse_graph_text(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    if let Ok(with_offset) = DateTime::parse_from_rfc3339(text) {
        return Some(with_offset.with_timezone(&Utc).naive_utc());
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M"))
        .ok()
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|date| date.and_hms_opt(0, 0, 0))
        })
}

/// Parses a query-string instant (`startDateTime`): values without an offset are UTC.
pub fn parse_query_instant(text: &str) -> Option<DateTime<Utc>> {
    parse_graph(text).map(|naive| Utc.from_utc_datetime(&naive))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_names_map_to_iana_zones() {
        for (windows, iana) in [
            ("W. Europe Standard Time", "Europe/Berlin"),
            ("Pacific Standard Time", "America/Los_Angeles"),
            ("Eastern Standard Time", "America/New_York"),
            ("GMT Standard Time", "Europe/London"),
            ("UTC", "UTC"),
            ("Europe/Paris", "Europe/Paris"),
        ] {
            assert_eq!(
                resolve(windows).map(|tz| tz.name().to_owned()),
                Some(iana.to_owned()),
                "{windows}"
            );
        }
        assert_eq!(
            resolve("Mars Standard Time"),
            None,
            "unknown names are not guessed"
        );
    }

    #[test]
    fn spring_forward_gap_moves_one_hour_on() {
        let berlin = resolve_or_utc("W. Europe Standard Time");
        let gap = parse_graph("2025-03-30T02:30:00").unwrap();
        assert_eq!(
            local_to_utc(gap, berlin).to_rfc3339(),
            "2025-03-30T01:30:00+00:00"
        );
    }

    #[test]
    fn graph_format_has_seven_fraction_digits() {
        let at = parse_graph("2019-03-15T12:00:00.0000000").unwrap();
        assert_eq!(format_graph(at), "2019-03-15T12:00:00.0000000");
    }
}
