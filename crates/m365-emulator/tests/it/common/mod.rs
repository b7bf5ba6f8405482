//! Shared test harness: an in-process emulator on port 0 and HTTPS clients trusting its CA.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::Arc;

use m365_emulator::{EmulatorConfig, ManualClock, RunningEmulator, Seed};
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};

pub const MEGAN: &str = "megan.bowen@contoso.example";
pub const LEE: &str = "lee.gu@fabrikam.example";
pub const ADMIN: &str = "admin@contoso.example";
pub const REDIRECT: &str = "http://localhost:53100";

/// A started emulator with a manual clock and clients that trust its CA.
#[derive(Debug)]
pub struct Harness {
    pub emulator: RunningEmulator,
    pub clock: Arc<ManualClock>,
    /// Follows no redirects (so tests see the authorize redirects) and keeps cookies.
    pub browser: Client,
    pub http: Client,
}

pub async fn start(seed: Seed) -> Harness {
    start_with(EmulatorConfig {
        seed,
        ..EmulatorConfig::default()
    })
    .await
}

pub async fn start_with(mut config: EmulatorConfig) -> Harness {
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    config.clock = clock.clone();
    let emulator = m365_emulator::start(config)
        .await
        .expect("emulator starts on a free port");
    let ca =
        reqwest::Certificate::from_pem(emulator.ca_cert_pem().as_bytes()).expect("CA PEM parses");
    let browser = Client::builder()
        .add_root_certificate(ca.clone())
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("browser client");
    let http = Client::builder()
        .add_root_certificate(ca)
        .build()
        .expect("http client");
    Harness {
        emulator,
        clock,
        browser,
        http,
    }
}

/// Pulls `name="…" value="…"` hidden inputs and the form action out of a page.
pub fn form(html: &str) -> (String, HashMap<String, String>) {
    let action = html
        .split("action=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|action| action.replace("&amp;", "&"))
        .expect("the page has a form");
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
                attr("value").unwrap_or_default(),
            );
        }
    }
    (action, fields)
}

pub fn page_kind(html: &str) -> String {
    html.split("name=\"emulator-page\" content=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned()
}

pub fn pkce() -> (String, String) {
    use base64::Engine;
    use sha2::Digest;
    let verifier = format!(
        "verifier-{}-0123456789-abcdefghijklmnopqrstuvwxyz",
        uuid::Uuid::new_v4()
    );
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

impl Harness {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emulator.authority())
    }

    pub fn graph(&self, path: &str) -> String {
        format!("{}{path}", self.emulator.graph())
    }

    pub fn admin(&self, path: &str) -> String {
        format!("{}{path}", self.emulator.admin())
    }

    /// Opens the authorize URL and returns the page.
    pub async fn authorize_page(
        &self,
        tenant: &str,
        scope: &str,
        challenge: &str,
        extra: &[(&str, &str)],
    ) -> Response {
        let mut params = vec![
            ("client_id", m365_emulator::DEMO_CLIENT_ID),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("scope", scope),
            ("state", "state-42"),
            ("nonce", "nonce-7"),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
        ];
        params.extend_from_slice(extra);
        let url = reqwest::Url::parse_with_params(
            &self.url(&format!("/{tenant}/oauth2/v2.0/authorize")),
            &params,
        )
        .expect("authorize URL");
        self.browser
            .get(url)
            .send()
            .await
            .expect("authorize answers")
    }

    /// Posts the sign-in form of `page` and returns the next response.
    pub async fn submit_sign_in(&self, page: &str, login: &str, password: &str) -> Response {
        let (action, mut fields) = form(page);
        fields.insert("login".into(), login.into());
        fields.insert("passwd".into(), password.into());
        self.browser
            .post(self.url(&action))
            .form(&fields)
            .send()
            .await
            .expect("sign-in answers")
    }

    pub async fn submit_consent(&self, page: &str, decision: &str) -> Response {
        let (action, mut fields) = form(page);
        fields.insert("decision".into(), decision.into());
        self.browser
            .post(self.url(&action))
            .form(&fields)
            .send()
            .await
            .expect("consent answers")
    }

    /// Runs the browser part of auth code + PKCE for a user and returns the redirect's query.
    pub async fn browser_sign_in(
        &self,
        tenant: &str,
        login: &str,
        password: &str,
        scope: &str,
        challenge: &str,
    ) -> HashMap<String, String> {
        let opened = self.authorize_page(tenant, scope, challenge, &[]).await;
        if opened.status() == StatusCode::FOUND {
            // Single sign-on: the session cookie of an earlier sign-in was enough.
            return redirect_query(&opened);
        }
        let page = opened.text().await.unwrap();
        assert_eq!(
            page_kind(&page),
            "sign-in",
            "authorize shows the sign-in page first"
        );
        let mut response = self.submit_sign_in(&page, login, password).await;
        if response.status() == StatusCode::OK {
            let page = response.text().await.unwrap();
            assert_eq!(
                page_kind(&page),
                "consent",
                "a first sign-in asks for consent"
            );
            response = self.submit_consent(&page, "accept").await;
        }
        assert_eq!(
            response.status(),
            StatusCode::FOUND,
            "the flow ends in a redirect to the app"
        );
        redirect_query(&response)
    }

    pub async fn token(&self, tenant: &str, form: &[(&str, &str)]) -> Response {
        self.http
            .post(self.url(&format!("/{tenant}/oauth2/v2.0/token")))
            .form(form)
            .send()
            .await
            .expect("token endpoint answers")
    }

    /// A delegated token set for `login` with read-write calendars.
    pub async fn user_tokens(&self, login: &str, password: &str) -> Value {
        self.user_tokens_with_scope(
            login,
            password,
            "openid profile offline_access User.Read Calendars.ReadWrite",
        )
        .await
    }

    pub async fn user_tokens_with_scope(&self, login: &str, password: &str, scope: &str) -> Value {
        let (verifier, challenge) = pkce();
        let tenant = login.split('@').nth(1).unwrap_or("common");
        let query = self
            .browser_sign_in(tenant, login, password, scope, &challenge)
            .await;
        let code = query
            .get("code")
            .expect("the redirect carries a code")
            .clone();
        let response = self
            .token(
                tenant,
                &[
                    ("client_id", m365_emulator::DEMO_CLIENT_ID),
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", REDIRECT),
                    ("code_verifier", &verifier),
                    ("scope", scope),
                ],
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "code redemption succeeds"
        );
        response.json().await.unwrap()
    }

    /// An access token for Megan (browser-free path through the same flow).
    pub async fn megan(&self) -> String {
        self.user_tokens(MEGAN, m365_emulator::DEMO_PASSWORD).await["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// An application token of the organisation app in Contoso.
    pub async fn app_token(&self) -> String {
        let response = self
            .token(
                "contoso.example",
                &[
                    ("client_id", m365_emulator::ORG_CLIENT_ID),
                    ("client_secret", m365_emulator::ORG_CLIENT_SECRET),
                    ("grant_type", "client_credentials"),
                    ("scope", "https://graph.microsoft.com/.default"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json::<Value>().await.unwrap()["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn get(&self, token: &str, path: &str) -> Response {
        self.http
            .get(self.graph(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn get_json(&self, token: &str, path: &str) -> Value {
        let response = self.get(token, path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.unwrap()
    }

    pub async fn post_json(&self, token: &str, path: &str, body: Value) -> Response {
        self.http
            .post(self.graph(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn patch_json(&self, token: &str, path: &str, body: Value) -> Response {
        self.http
            .patch(self.graph(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn delete(&self, token: &str, path: &str) -> Response {
        self.http
            .delete(self.graph(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn admin_post(&self, path: &str, body: Value) -> Response {
        self.http
            .post(self.admin(path))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn admin_get(&self, path: &str) -> Response {
        self.http.get(self.admin(path)).send().await.unwrap()
    }

    /// The JSON answer of a GET of the admin API.
    pub async fn admin_get_json(&self, path: &str) -> Value {
        self.admin_get(path).await.json().await.unwrap()
    }

    pub async fn admin_put(&self, path: &str) -> Response {
        self.http.put(self.admin(path)).send().await.unwrap()
    }

    pub async fn admin_put_json(&self, path: &str, body: Value) -> Response {
        self.http
            .put(self.admin(path))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn admin_delete(&self, path: &str) -> Response {
        self.http.delete(self.admin(path)).send().await.unwrap()
    }

    /// Creates an event in Megan's default calendar through Graph.
    pub async fn create(&self, token: &str, subject: &str, start: &str, end: &str) -> Value {
        let response = self
            .post_json(
                token,
                "/me/events",
                json!({"subject": subject, "start": {"dateTime": start, "timeZone": "UTC"}, "end": {"dateTime": end, "timeZone": "UTC"}}),
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "POST /me/events creates"
        );
        response.json().await.unwrap()
    }

    pub async fn request_count(&self, path_pattern: &str) -> usize {
        let log: Value = self
            .http
            .get(self.admin("/requests"))
            .query(&[("path", path_pattern)])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        log["count"].as_u64().unwrap() as usize
    }
}

pub fn redirect_query(response: &Response) -> HashMap<String, String> {
    let location = response
        .headers()
        .get("location")
        .expect("a redirect has a Location")
        .to_str()
        .unwrap();
    let url = reqwest::Url::parse(location).expect("Location is a URL");
    url.query_pairs().into_owned().collect()
}
