//! Fault injection: the next N requests matching a method and path fail the way Graph can.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// How a matching request fails.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum FaultKind {
    /// An HTTP error with Graph's error body: 429 (with Retry-After), 500, 503, 504, …
    #[serde(rename_all = "camelCase")]
    Status {
        status: u16,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
    },
    /// 200 with a JSON body cut short.
    Malformed,
    /// The normal response, after a delay.
    #[serde(rename_all = "camelCase")]
    Slow { delay_ms: u64 },
    /// The connection is closed without a response.
    Drop,
    /// The normal answer with its `value` list cut to the first `keep` entries: a partial (or,
    /// with 0, empty) list such as a calendar list that lost calendars on its way.
    Truncated { keep: usize },
    /// This answer instead of the real one: a status (200 when absent) and a JSON body, as a
    /// broken or hostile server would send it (a page whose `@odata.nextLink` leads to another
    /// host, a device-code answer asking for an endless wait).
    #[serde(rename_all = "camelCase")]
    Answer {
        #[serde(default = "ok_status")]
        status: u16,
        body: serde_json::Value,
    },
    /// 200 with a JSON-looking body of `bytes` bytes: with a `Content-Length`, or streamed in
    /// chunks without one (`chunked`), as an answer no client should read whole.
    #[serde(rename_all = "camelCase")]
    Oversized {
        bytes: u64,
        #[serde(default)]
        chunked: bool,
    },
}

fn ok_status() -> u16 {
    200
}

/// A rule as the admin API receives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRule {
    #[serde(default)]
    pub id: u64,
    /// HTTP method to match; any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Path pattern (`*` matches any run of characters), without the query; any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// How many matching requests fail; unlimited when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// How many matching requests pass unharmed before the rule applies (e.g. 1: only from the
    /// second matching request on, as the second page of a delta round); 0 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip: Option<u32>,
    /// Probability (0–1) that a matching request fails; 1 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// The rule applies to the parts of `$batch` requests (matched by the part's method and path,
    /// `/v1.0` included), not to whole requests: one part fails while the batch answers 200.
    /// Only `status` and `slow` faults can hit a part.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub batch_part: bool,
    #[serde(flatten)]
    pub fault: FaultKind,
}

/// Whether `pattern` (with `*` wildcards) matches all of `text`, ignoring ASCII case.
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let pattern = pattern.to_ascii_lowercase();
    let text = text.to_ascii_lowercase();
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text.as_str();
    for (index, part) in parts.iter().enumerate() {
        if index == 0 {
            let Some(stripped) = rest.strip_prefix(part) else {
                return false;
            };
            rest = stripped;
        } else if index == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            let Some(found) = rest.find(part) else {
                return false;
            };
            rest = &rest[found + part.len()..];
        }
    }
    true
}

/// Active fault rules, first match wins.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Vec<FaultRule>,
    next_id: u64,
}

impl Faults {
    pub fn add(&mut self, mut rule: FaultRule) -> FaultRule {
        self.next_id += 1;
        rule.id = self.next_id;
        self.rules.push(rule.clone());
        rule
    }

    pub fn rules(&self) -> &[FaultRule] {
        &self.rules
    }

    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// The fault a request suffers, consuming one use of the rule; `roll` is a uniform 0–1 draw.
    pub fn take(&mut self, method: &str, path: &str, roll: f64) -> Option<FaultKind> {
        self.take_where(false, method, path, roll)
    }

    /// The fault a part of a `$batch` suffers (rules with `batch_part`), as [`Faults::take`].
    pub fn take_part(&mut self, method: &str, path: &str, roll: f64) -> Option<FaultKind> {
        self.take_where(true, method, path, roll)
    }

    fn take_where(
        &mut self,
        batch_part: bool,
        method: &str,
        path: &str,
        roll: f64,
    ) -> Option<FaultKind> {
        let index = self.rules.iter().position(|rule| {
            rule.batch_part == batch_part
                && rule
                    .method
                    .as_deref()
                    .is_none_or(|wanted| wanted.eq_ignore_ascii_case(method))
                && rule
                    .path
                    .as_deref()
                    .is_none_or(|pattern| glob_matches(pattern, path))
        })?;
        let rule = &mut self.rules[index];
        if let Some(skip) = rule.skip.as_mut().filter(|skip| **skip > 0) {
            *skip -= 1;
            return None;
        }
        if rule.rate.is_some_and(|rate| roll >= rate) {
            return None;
        }
        let fault = rule.fault.clone();
        if let Some(count) = rule.count.as_mut() {
            *count = count.saturating_sub(1);
            if *count == 0 {
                self.rules.remove(index);
            }
        }
        Some(fault)
    }
}

/// Asks the Graph handler to wait this long while holding its throttling slot.
#[derive(Debug, Clone, Copy)]
pub struct Delay(pub Duration);

/// Marks a response whose connection must be dropped instead of answered.
#[derive(Debug, Clone, Copy)]
pub struct DropConnection;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_matches("/v1.0/me/*", "/v1.0/me/calendarView/delta"));
        assert!(glob_matches("*/delta", "/v1.0/me/calendarView/delta"));
        assert!(glob_matches("/v1.0/*/events*", "/v1.0/me/events/AAMkA"));
        assert!(
            !glob_matches("/v1.0/me", "/v1.0/me/events"),
            "no wildcard means the whole path"
        );
    }

    #[test]
    fn counted_rule_expires() {
        let mut faults = Faults::default();
        faults.add(FaultRule {
            id: 0,
            method: Some("GET".into()),
            path: Some("/v1.0/me*".into()),
            count: Some(2),
            skip: None,
            rate: None,
            batch_part: false,
            fault: FaultKind::Status {
                status: 503,
                retry_after: Some(2),
            },
        });
        assert!(
            faults.take("POST", "/v1.0/me/events", 0.0).is_none(),
            "method must match"
        );
        assert!(faults.take("GET", "/v1.0/me/events", 0.0).is_some());
        assert!(faults.take("get", "/v1.0/me", 0.0).is_some());
        assert!(
            faults.take("GET", "/v1.0/me", 0.0).is_none(),
            "only the next two requests fail"
        );
    }

    #[test]
    fn skipped_requests_pass_before_the_rule_applies() {
        let mut faults = Faults::default();
        faults.add(FaultRule {
            id: 0,
            method: None,
            path: Some("*/delta".into()),
            count: Some(1),
            skip: Some(1),
            rate: None,
            batch_part: false,
            fault: FaultKind::Status {
                status: 410,
                retry_after: None,
            },
        });
        assert!(
            faults.take("GET", "/v1.0/me/events", 0.0).is_none(),
            "a request the rule does not match is not counted"
        );
        assert!(
            faults
                .take("GET", "/v1.0/me/calendarView/delta", 0.0)
                .is_none(),
            "the first matching request passes"
        );
        assert_eq!(
            faults.take("GET", "/v1.0/me/calendarView/delta", 0.0),
            Some(FaultKind::Status {
                status: 410,
                retry_after: None
            })
        );
        assert!(
            faults
                .take("GET", "/v1.0/me/calendarView/delta", 0.0)
                .is_none(),
            "the rule is used up"
        );
        assert!(faults.rules().is_empty());
    }
}
