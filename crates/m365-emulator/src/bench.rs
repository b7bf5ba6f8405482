//! The `bench` command: a full calendarView delta enumeration over loopback HTTPS, timed, and the
//! memory the seeded store takes.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::{
    EmulatorConfig, EmulatorError, MEGAN_ID, ORG_CLIENT_ID, ORG_CLIENT_SECRET, Seed, ThrottleConfig,
};

/// What the benchmark measured.
#[derive(Debug, Clone)]
pub struct BenchReport {
    pub events: usize,
    pub page_size: usize,
    pub pages: usize,
    pub items: usize,
    pub enumeration: Duration,
    pub startup: Duration,
    /// Resident memory growth from before the start to after the seed (Linux only).
    pub store_rss_bytes: Option<u64>,
}

impl BenchReport {
    pub fn to_json(&self) -> Value {
        json!({
            "events": self.events,
            "page_size": self.page_size,
            "pages": self.pages,
            "items": self.items,
            "enumeration_ms": self.enumeration.as_millis() as u64,
            "startup_ms": self.startup.as_millis() as u64,
            "store_rss_mb": self.store_rss_bytes.map(|bytes| bytes as f64 / (1024.0 * 1024.0)),
        })
    }
}

fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kilobytes: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kilobytes * 1024)
}

fn failed(what: &str, error: impl std::fmt::Display) -> EmulatorError {
    EmulatorError::Bench(format!("{what}: {error}"))
}

/// Seeds `events` events in one calendar and enumerates `calendarView/delta` at `page_size`.
pub async fn run(events: usize, page_size: usize) -> Result<BenchReport, EmulatorError> {
    let before = resident_bytes();
    let started = Instant::now();
    let config = EmulatorConfig {
        seed: Seed::Scale {
            events,
            calendars: 1,
        },
        throttle: ThrottleConfig {
            enabled: false,
            ..ThrottleConfig::default()
        },
        ..EmulatorConfig::default()
    };
    let running = crate::start(config).await?;
    let startup = started.elapsed();
    let store_rss_bytes = match (before, resident_bytes()) {
        (Some(before), Some(after)) => Some(after.saturating_sub(before)),
        _ => None,
    };
    let ca = reqwest::Certificate::from_pem(running.ca_cert_pem().as_bytes())
        .map_err(|error| failed("CA", error))?;
    let client = reqwest::Client::builder()
        .add_root_certificate(ca)
        .build()
        .map_err(|error| failed("client", error))?;
    let token: Value = client
        .post(format!(
            "{}/{}/oauth2/v2.0/token",
            running.authority(),
            crate::DEMO_TENANT_ID
        ))
        .form(&[
            ("client_id", ORG_CLIENT_ID),
            ("client_secret", ORG_CLIENT_SECRET),
            ("grant_type", "client_credentials"),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .map_err(|error| failed("token", error))?
        .json()
        .await
        .map_err(|error| failed("token", error))?;
    let token = token["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let now = chrono::Utc::now();
    let mut url = format!(
        "{}/users/{MEGAN_ID}/calendarView/delta?startDateTime={}&endDateTime={}",
        running.graph(),
        (now - chrono::TimeDelta::days(120)).format("%Y-%m-%dT00:00:00Z"),
        (now + chrono::TimeDelta::days(120)).format("%Y-%m-%dT00:00:00Z"),
    );
    let (mut pages, mut items) = (0, 0);
    let enumeration_started = Instant::now();
    loop {
        let page: Value = client
            .get(&url)
            .bearer_auth(&token)
            .header("Prefer", format!("odata.maxpagesize={page_size}"))
            .send()
            .await
            .map_err(|error| failed("delta page", error))?
            .json()
            .await
            .map_err(|error| failed("delta page", error))?;
        pages += 1;
        items += page["value"].as_array().map_or(0, Vec::len);
        match page["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_owned(),
            None if page["@odata.deltaLink"].is_string() => break,
            None => return Err(failed("delta page", page)),
        }
    }
    let enumeration = enumeration_started.elapsed();
    running.shutdown().await;
    Ok(BenchReport {
        events,
        page_size,
        pages,
        items,
        enumeration,
        startup,
        store_rss_bytes,
    })
}
