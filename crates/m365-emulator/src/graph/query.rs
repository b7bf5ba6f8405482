//! OData query options Graph's calendar endpoints accept: `$select`, `$top`, `$skip`, `$filter`,
//! `$expand`, and the `Prefer` header.

use chrono_tz::Tz;

use crate::timezone;

/// A `$filter` this emulator understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// `singleValueExtendedProperties/Any(ep: ep/id eq '…' and ep/value eq '…')`
    ExtendedProperty { id: String, value: Option<String> },
    /// `subject eq '…'`
    SubjectEquals(String),
}

/// What `$expand=singleValueExtendedProperties(...)` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpandProperties {
    All,
    Only(String),
}

/// The query options and preferences of one request.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub select: Option<Vec<String>>,
    pub top: Option<usize>,
    pub skip: usize,
    pub filter: Option<Filter>,
    pub expand: Option<ExpandProperties>,
    /// `Prefer: outlook.timezone`, as given and resolved.
    pub time_zone: Option<(String, Tz)>,
    /// `Prefer: odata.maxpagesize`.
    pub max_page_size: Option<usize>,
    /// `Prefer: IdType="ImmutableId"`.
    pub immutable_ids: bool,
    /// `Prefer: outlook.body-content-type`.
    pub body_content_type: Option<String>,
}

/// Single-quoted OData literals in order, with `''` unescaped.
fn literals(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\'' {
            continue;
        }
        let mut literal = String::new();
        while let Some(inner) = chars.next() {
            if inner == '\'' {
                if chars.peek() == Some(&'\'') {
                    chars.next();
                    literal.push('\'');
                } else {
                    break;
                }
            } else {
                literal.push(inner);
            }
        }
        found.push(literal);
    }
    found
}

/// Parses a `$filter`; `Err` carries Graph's message for unsupported clauses.
pub fn parse_filter(text: &str) -> Result<Filter, String> {
    let lower = text.to_ascii_lowercase();
    let compact: String = lower.split_whitespace().collect::<Vec<_>>().join(" ");
    if compact.starts_with("singlevalueextendedproperties/any(") {
        let values = literals(text);
        let id = values
            .first()
            .cloned()
            .ok_or("The extended property filter needs an id.")?;
        let value = if compact.contains("/value eq") {
            values.get(1).cloned()
        } else {
            None
        };
        return Ok(Filter::ExtendedProperty { id, value });
    }
    if compact.starts_with("subject eq ") {
        let values = literals(text);
        return values
            .first()
            .cloned()
            .map(Filter::SubjectEquals)
            .ok_or_else(|| "Invalid filter clause".to_owned());
    }
    Err(format!(
        "Invalid filter clause: the emulator supports singleValueExtendedProperties/Any(...) and subject eq '...'; got '{text}'."
    ))
}

/// Parses `$expand`; only extended properties can be expanded on events.
pub fn parse_expand(text: &str) -> Result<ExpandProperties, String> {
    let lower = text.trim().to_ascii_lowercase();
    if lower == "singlevalueextendedproperties" {
        return Ok(ExpandProperties::All);
    }
    if lower.starts_with("singlevalueextendedproperties(") {
        return literals(text)
            .into_iter()
            .next()
            .map(ExpandProperties::Only)
            .ok_or_else(|| "The expand filter needs an id.".to_owned());
    }
    Err(format!(
        "Parsing OData Select and Expand failed: Could not find a property named '{text}' on type 'microsoft.graph.event'."
    ))
}

/// Reads `Prefer` headers (possibly several, comma separated).
pub fn apply_prefer(options: &mut Options, prefer_values: &[String]) -> Result<(), String> {
    for value in prefer_values {
        for part in split_prefer(value) {
            let (name, argument) = match part.split_once('=') {
                Some((name, argument)) => (
                    name.trim().to_ascii_lowercase(),
                    argument.trim().trim_matches('"').to_owned(),
                ),
                None => (part.trim().to_ascii_lowercase(), String::new()),
            };
            match name.as_str() {
                "outlook.timezone" => {
                    let zone = timezone::resolve(&argument).ok_or_else(|| {
                        format!("A valid TimeZone value must be specified. The following TimeZone value is not supported: '{argument}'.")
                    })?;
                    options.time_zone = Some((argument, zone));
                }
                "odata.maxpagesize" => {
                    options.max_page_size = argument.parse().ok().filter(|size: &usize| *size > 0)
                }
                "idtype" => options.immutable_ids = argument.eq_ignore_ascii_case("ImmutableId"),
                "outlook.body-content-type" => {
                    options.body_content_type = Some(argument.to_ascii_lowercase())
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Splits a Prefer header on commas outside quotes.
fn split_prefer(value: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in value.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ',' if !quoted => parts.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    if !current.trim().is_empty() {
        parts.push(current);
    }
    parts
}

/// The `Preference-Applied` value for what was honoured.
pub fn preference_applied(options: &Options) -> Option<String> {
    let mut applied = Vec::new();
    if let Some((name, _)) = &options.time_zone {
        applied.push(format!("outlook.timezone=\"{name}\""));
    }
    if let Some(size) = options.max_page_size {
        applied.push(format!("odata.maxpagesize={size}"));
    }
    if options.immutable_ids {
        applied.push("IdType=\"ImmutableId\"".to_owned());
    }
    if let Some(kind) = &options.body_content_type {
        applied.push(format!("outlook.body-content-type=\"{kind}\""));
    }
    (!applied.is_empty()).then(|| applied.join(", "))
}

/// Reads the OData options from decoded query pairs.
pub fn parse_options(
    query: &[(String, String)],
    prefer_values: &[String],
) -> Result<Options, String> {
    let mut options = Options::default();
    for (name, value) in query {
        match name.trim_start_matches('$').to_ascii_lowercase().as_str() {
            "select" => {
                options.select = Some(
                    value
                        .split(',')
                        .map(|field| field.trim().to_owned())
                        .filter(|field| !field.is_empty())
                        .collect(),
                );
            }
            "top" => {
                let top: usize = value
                    .parse()
                    .map_err(|_| format!("Invalid $top value '{value}'."))?;
                options.top = Some(top.clamp(1, 1000));
            }
            "skip" => {
                options.skip = value
                    .parse()
                    .map_err(|_| format!("Invalid $skip value '{value}'."))?
            }
            "filter" => options.filter = Some(parse_filter(value)?),
            "expand" => options.expand = Some(parse_expand(value)?),
            _ => {}
        }
    }
    apply_prefer(&mut options, prefer_values)?;
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extended_property_filter_and_expand() {
        let filter = parse_filter("singleValueExtendedProperties/Any(ep: ep/id eq 'String {66f5a359-4659-4830-9070-00047ec6ac6e} Name Quick3Id' and ep/value eq 'it''s 42')").unwrap();
        assert_eq!(
            filter,
            Filter::ExtendedProperty {
                id: "String {66f5a359-4659-4830-9070-00047ec6ac6e} Name Quick3Id".into(),
                value: Some("it's 42".into())
            }
        );
        assert_eq!(
            parse_expand("singleValueExtendedProperties($filter=id eq 'String {x} Name Y')")
                .unwrap(),
            ExpandProperties::Only("String {x} Name Y".into())
        );
        assert!(
            parse_filter("start/dateTime ge '2020'").is_err(),
            "unsupported filters are refused, not ignored"
        );
    }

    #[test]
    fn prefer_headers() {
        let mut options = Options::default();
        apply_prefer(
            &mut options,
            &[
                "outlook.timezone=\"Pacific Standard Time\", odata.maxpagesize=50".into(),
                "IdType=\"ImmutableId\"".into(),
            ],
        )
        .unwrap();
        assert_eq!(
            options.time_zone.as_ref().map(|zone| zone.1.name()),
            Some("America/Los_Angeles")
        );
        assert_eq!(options.max_page_size, Some(50));
        assert!(options.immutable_ids);
        assert_eq!(
            preference_applied(&options).as_deref(),
            Some(
                "outlook.timezone=\"Pacific Standard Time\", odata.maxpagesize=50, IdType=\"ImmutableId\""
            )
        );
    }
}
