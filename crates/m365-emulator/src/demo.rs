//! The demo instance of a data folder: one emulator per folder, on ports kept in that folder so
//! that the links it hands out (deltaLinks) stay valid across restarts, and shared when the
//! desktop app and the CLI both run in demo mode.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::{EmulatorConfig, EmulatorError, RunningEmulator, Seed, start};

/// Where a demo instance answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoEndpoints {
    pub authority: String,
    pub http_authority: Option<String>,
    pub graph: String,
    pub ca_cert: PathBuf,
}

/// A demo emulator this process started (keep it alive), or one another process of the same
/// folder already runs.
#[derive(Debug)]
pub enum DemoInstance {
    Started(RunningEmulator),
    Joined(DemoEndpoints),
}

impl DemoInstance {
    pub fn endpoints(&self) -> DemoEndpoints {
        match self {
            DemoInstance::Started(running) => DemoEndpoints {
                authority: running.authority(),
                http_authority: running.http_authority(),
                graph: running.graph(),
                ca_cert: running.ca_cert_path().to_path_buf(),
            },
            DemoInstance::Joined(endpoints) => endpoints.clone(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Ports {
    https: u16,
    http: u16,
}

const PORTS_FILE: &str = "emulator-ports.json";

/// Joins the folder's running demo emulator, or starts it (with its state file and CA kept in
/// `dir`, on the ports it had before when they are free).
pub async fn start_or_join(dir: &Path) -> Result<DemoInstance, EmulatorError> {
    let cert_dir = dir.join("emulator-ca");
    let ports_file = dir.join(PORTS_FILE);
    let known: Option<Ports> = std::fs::read_to_string(&ports_file)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok());
    if let Some(ports) = &known
        && answering(ports.https, &cert_dir).await
    {
        return Ok(DemoInstance::Joined(DemoEndpoints {
            authority: format!("https://127.0.0.1:{}", ports.https),
            http_authority: Some(format!("http://127.0.0.1:{}", ports.http)),
            graph: format!("https://127.0.0.1:{}/v1.0", ports.https),
            ca_cert: cert_dir.join("ca.pem"),
        }));
    }
    let config = |https: u16, http: u16| EmulatorConfig {
        seed: Seed::Demo,
        state_file: Some(dir.join("emulator.db")),
        cert_dir: Some(cert_dir.clone()),
        https_port: https,
        http_port: Some(http),
        ..EmulatorConfig::default()
    };
    let running = match known {
        Some(ports) => match start(config(ports.https, ports.http)).await {
            Ok(running) => running,
            Err(EmulatorError::Listen { .. }) => start(config(0, 0)).await?,
            Err(other) => return Err(other),
        },
        None => start(config(0, 0)).await?,
    };
    let (https, http) = running.ports();
    let ports = Ports {
        https,
        http: http.unwrap_or_default(),
    };
    let text = serde_json::to_string(&ports)?;
    crate::private::write(&ports_file, text.as_bytes())?;
    Ok(DemoInstance::Started(running))
}

/// Whether an emulator with this folder's CA answers on `port`.
async fn answering(port: u16, cert_dir: &Path) -> bool {
    let Ok(pem) = std::fs::read(cert_dir.join("ca.pem")) else {
        return false;
    };
    let Ok(ca) = reqwest::Certificate::from_pem(&pem) else {
        return false;
    };
    let Ok(client) = reqwest::Client::builder()
        .add_root_certificate(ca)
        .timeout(Duration::from_secs(2))
        .build()
    else {
        return false;
    };
    client
        .get(format!("https://127.0.0.1:{port}/_emulator"))
        .send()
        .await
        .is_ok_and(|response| response.status().is_success())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_second_process_joins_and_a_restart_keeps_the_ports() {
        let dir = tempfile::tempdir().unwrap();
        let first = start_or_join(dir.path()).await.unwrap();
        let endpoints = first.endpoints();
        assert!(matches!(first, DemoInstance::Started(_)));
        let second = start_or_join(dir.path()).await.unwrap();
        assert!(
            matches!(second, DemoInstance::Joined(_)),
            "the running instance is shared"
        );
        assert_eq!(second.endpoints(), endpoints);
        if let DemoInstance::Started(running) = first {
            running.shutdown().await;
        }
        let again = start_or_join(dir.path()).await.unwrap();
        assert!(matches!(again, DemoInstance::Started(_)));
        assert_eq!(
            again.endpoints().authority,
            endpoints.authority,
            "the same port after a restart keeps deltaLinks valid"
        );
    }
}
