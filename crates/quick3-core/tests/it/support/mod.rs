//! Test support: an in-process emulator and a "browser" that completes its sign-in pages by
//! posting the forms as a person's browser would.

#![allow(dead_code)]

use std::collections::HashMap;

use m365_emulator::{EmulatorConfig, RunningEmulator, Seed};
use quick3_core::identity::{EndpointSettings, Endpoints};

pub struct Tenant {
    pub emulator: RunningEmulator,
    pub endpoints: Endpoints,
    pub browser: reqwest::Client,
    pub admin: reqwest::Client,
}

pub async fn demo_tenant() -> Tenant {
    let emulator = m365_emulator::start(EmulatorConfig {
        seed: Seed::Demo,
        ..Default::default()
    })
    .await
    .expect("the emulator starts");
    let endpoints = EndpointSettings {
        authority: Some(emulator.authority()),
        browser_authority: None,
        tenant: Some("organizations".into()),
        client_id: Some(m365_emulator::DEMO_CLIENT_ID.into()),
        graph: Some(emulator.graph()),
        ca_cert: Some(emulator.ca_cert_path().display().to_string()),
    }
    .resolve()
    .expect("valid endpoints");
    let ca = reqwest::Certificate::from_pem(emulator.ca_cert_pem().as_bytes()).expect("CA");
    let browser = reqwest::Client::builder()
        .add_root_certificate(ca.clone())
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("browser");
    let admin = reqwest::Client::builder()
        .add_root_certificate(ca)
        .build()
        .expect("admin client");
    Tenant {
        emulator,
        endpoints,
        browser,
        admin,
    }
}

fn form(html: &str) -> (String, HashMap<String, String>) {
    let action = html
        .split("action=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|action| action.replace("&amp;", "&"))
        .unwrap_or_else(|| panic!("the page has a form:\n{html}"));
    let mut fields = HashMap::new();
    for input in html.split("<input").skip(1) {
        let attr = |name: &str| {
            input
                .split(&format!("{name}=\""))
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .map(str::to_owned)
        };
        if attr("type").as_deref() == Some("hidden") {
            fields.insert(
                attr("name").unwrap_or_default(),
                attr("value").unwrap_or_default().replace("&amp;", "&"),
            );
        }
    }
    (action, fields)
}

fn page_kind(html: &str) -> String {
    html.split("name=\"emulator-page\" content=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned()
}

impl Tenant {
    fn absolute(&self, base: &str, action: &str) -> String {
        if action.starts_with("http") {
            action.to_owned()
        } else {
            let url = url::Url::parse(base).expect("base url");
            url.join(action).expect("joinable").to_string()
        }
    }

    /// Opens `url` and answers every page (device code, sign-in, consent) until the flow
    /// redirects away from the emulator; returns that redirect's Location (or the final page).
    pub async fn complete_in_browser(
        &self,
        url: &str,
        login: &str,
        password: &str,
        device_code: Option<&str>,
    ) -> String {
        let mut response = self.browser.get(url).send().await.expect("the page loads");
        let mut current = url.to_owned();
        for _ in 0..8 {
            if response.status().is_redirection() {
                let location = response.headers()["location"]
                    .to_str()
                    .expect("location")
                    .to_owned();
                let next = self.absolute(&current, &location);
                if !next.starts_with(&self.emulator.authority()) {
                    return next;
                }
                current = next.clone();
                response = self
                    .browser
                    .get(&next)
                    .send()
                    .await
                    .expect("redirect target loads");
                continue;
            }
            let page = response.text().await.expect("a page");
            let kind = page_kind(&page);
            if kind == "done" || kind == "device-done" || !page.contains("<form") {
                return page;
            }
            let (action, mut fields) = form(&page);
            match kind.as_str() {
                "sign-in" => {
                    fields.insert("login".into(), login.into());
                    fields.insert("passwd".into(), password.into());
                }
                "consent" => {
                    fields.insert("decision".into(), "accept".into());
                }
                "device-code" => {
                    fields.insert("otc".into(), device_code.expect("a device code").into());
                }
                _ => {}
            }
            let target = self.absolute(&current, &action);
            current = target.clone();
            response = self
                .browser
                .post(&target)
                .form(&fields)
                .send()
                .await
                .expect("form posts");
        }
        panic!("the sign-in did not finish within 8 pages");
    }

    pub async fn revoke_refresh_tokens(&self, user: &str) {
        let url = format!(
            "{}/users/{user}/revoke-refresh-tokens",
            self.emulator.admin()
        );
        let status = self
            .admin
            .post(url)
            .send()
            .await
            .expect("admin answers")
            .status();
        assert!(status.is_success(), "revoke: {status}");
    }
}

/// Every entry of an installation's keyring as the Secret Service holds it (through
/// `secret-tool`): (key, secret), sorted by key.
pub fn keyring_entries(installation: &str) -> Vec<(String, String)> {
    let out = std::process::Command::new("secret-tool")
        .args([
            "search",
            "--all",
            "--unlock",
            "service",
            &format!("quick3-planner/{installation}"),
        ])
        .output()
        .expect("secret-tool runs (package libsecret-tools)");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut entries = Vec::new();
    let mut secret = None;
    for line in text.lines() {
        if let Some(value) = line.strip_prefix("secret = ") {
            secret = Some(value.to_owned());
        } else if let Some(key) = line.strip_prefix("attribute.username = ") {
            entries.push((key.to_owned(), secret.take().unwrap_or_default()));
        }
    }
    entries.sort();
    entries
}
