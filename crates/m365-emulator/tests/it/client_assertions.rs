//! Certificate credentials: client assertions signed with the key of a certificate uploaded to the
//! app registration are accepted for the client credentials grant; each way one can be wrong gets
//! Entra's AADSTS code (signature, unknown certificate, audience, issuer/subject, time range,
//! malformed, expired certificate); certificates are uploaded, listed and removed by the admin API.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeDelta, Utc};
use common::*;
use m365_emulator::certificates::{
    AppCertificate, ORG_CERTIFICATE_PEM, OTHER_KEY_PEM, self_signed, sha1,
};
use m365_emulator::{Clock, DEMO_CLIENT_ID, DEMO_TENANT_ID, ORG_CLIENT_ID, Seed};
use reqwest::StatusCode;
use serde_json::{Value, json};

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

fn key_der(pem: &str) -> Vec<u8> {
    x509_parser::pem::Pem::iter_from_buffer(pem.as_bytes())
        .map(Result::unwrap)
        .find(|p| p.label == "PRIVATE KEY")
        .unwrap()
        .contents
}

fn cert_der(pem: &str) -> Vec<u8> {
    x509_parser::pem::Pem::iter_from_buffer(pem.as_bytes())
        .map(Result::unwrap)
        .find(|p| p.label == "CERTIFICATE")
        .unwrap()
        .contents
}

/// A signed JWT with `header` and `claims`, signed RS256 by the PKCS#8 key in `key_pem`.
fn sign(header: &Value, claims: &Value, key_pem: &str) -> String {
    let key = ring::signature::RsaKeyPair::from_pkcs8(&key_der(key_pem)).unwrap();
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut signature = vec![0; key.public().modulus_len()];
    key.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        input.as_bytes(),
        &mut signature,
    )
    .unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn x5t(cert_pem: &str) -> String {
    URL_SAFE_NO_PAD.encode(sha1(&cert_der(cert_pem)))
}

struct Assertion {
    header: Value,
    claims: Value,
    key: &'static str,
}

impl Assertion {
    /// A correct assertion for the organisation app with the demo certificate, at `now`.
    fn valid(h: &Harness, now: DateTime<Utc>) -> Assertion {
        Assertion {
            header: json!({"alg": "RS256", "typ": "JWT", "x5t": x5t(ORG_CERTIFICATE_PEM)}),
            claims: json!({
                "aud": h.url(&format!("/{DEMO_TENANT_ID}/oauth2/v2.0/token")),
                "iss": ORG_CLIENT_ID, "sub": ORG_CLIENT_ID,
                "jti": uuid::Uuid::new_v4().to_string(),
                "nbf": now.timestamp(), "iat": now.timestamp(),
                "exp": (now + TimeDelta::minutes(10)).timestamp(),
            }),
            key: ORG_CERTIFICATE_PEM,
        }
    }

    fn jwt(&self) -> String {
        sign(&self.header, &self.claims, self.key)
    }
}

async fn present(h: &Harness, client_id: &str, assertion: &str) -> (StatusCode, Value) {
    let response = h
        .token(
            DEMO_TENANT_ID,
            &[
                ("client_id", client_id),
                ("client_assertion_type", ASSERTION_TYPE),
                ("client_assertion", assertion),
                ("grant_type", "client_credentials"),
                ("scope", "https://graph.microsoft.com/.default"),
            ],
        )
        .await;
    (response.status(), response.json().await.unwrap())
}

fn aadsts(body: &Value) -> u64 {
    body["error_codes"][0].as_u64().unwrap_or_default()
}

fn description(body: &Value) -> &str {
    body["error_description"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn a_signed_assertion_gets_an_application_token() {
    let h = start(Seed::Empty).await;
    let now = h.clock.now();
    let (status, body) = present(&h, ORG_CLIENT_ID, &Assertion::valid(&h, now).jwt()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = body["access_token"].as_str().unwrap();
    let users = h.get(token, "/users?$top=1").await;
    assert_eq!(users.status(), StatusCode::OK, "the token works for Graph");

    // Only the SHA-256 thumbprint, as Microsoft now also accepts; the tenant by its domain.
    let mut s256 = Assertion::valid(&h, now);
    s256.header = json!({"alg": "RS256", "typ": "JWT",
        "x5t#S256": URL_SAFE_NO_PAD.encode(ring::digest::digest(&ring::digest::SHA256, &cert_der(ORG_CERTIFICATE_PEM)))});
    s256.claims["aud"] = json!(h.url("/contoso.example/oauth2/v2.0/token"));
    let (status, body) = present(&h, ORG_CLIENT_ID, &s256.jwt()).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // NumericDates with a fraction, as MSAL for Python sends them (`time.time()`).
    let mut fractional = Assertion::valid(&h, now);
    fractional.claims["iat"] = json!(now.timestamp() as f64 + 0.25);
    fractional.claims["exp"] = json!(now.timestamp() as f64 + 600.75);
    let (status, body) = present(&h, ORG_CLIENT_ID, &fractional.jwt()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn each_fault_of_an_assertion_has_its_aadsts_code() {
    let h = start(Seed::Empty).await;
    let now = h.clock.now();

    // The demo certificate's thumbprint, signed with another key.
    let mut wrong_key = Assertion::valid(&h, now);
    wrong_key.key = OTHER_KEY_PEM;
    let (status, body) = present(&h, ORG_CLIENT_ID, &wrong_key.jwt()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "invalid_client");
    assert_eq!(aadsts(&body), 7000274, "{body}");
    assert!(description(&body).contains("invalid signature"), "{body}");

    // A certificate never uploaded.
    let other = self_signed(
        OTHER_KEY_PEM,
        "Other",
        now - TimeDelta::days(1),
        now + TimeDelta::days(30),
    )
    .unwrap();
    let mut unknown = Assertion::valid(&h, now);
    unknown.header["x5t"] = json!(x5t(&other));
    unknown.key = OTHER_KEY_PEM;
    let (_, body) = present(&h, ORG_CLIENT_ID, &unknown.jwt()).await;
    assert_eq!(aadsts(&body), 700027, "{body}");
    let thumbprint = AppCertificate::parse(&other).unwrap().thumbprint;
    assert!(
        description(&body).contains("The key was not found")
            && description(&body).contains(&thumbprint),
        "{body}"
    );

    let mut audience = Assertion::valid(&h, now);
    audience.claims["aud"] = json!("https://login.microsoftonline.com/common/oauth2/v2.0/token");
    assert_eq!(
        aadsts(&present(&h, ORG_CLIENT_ID, &audience.jwt()).await.1),
        700023
    );

    let mut issuer = Assertion::valid(&h, now);
    issuer.claims["iss"] = json!(DEMO_CLIENT_ID);
    issuer.claims["sub"] = json!(DEMO_CLIENT_ID);
    assert_eq!(
        aadsts(&present(&h, ORG_CLIENT_ID, &issuer.jwt()).await.1),
        700021
    );
    let mut subject = Assertion::valid(&h, now);
    subject.claims["sub"] = json!(DEMO_CLIENT_ID);
    assert_eq!(
        aadsts(&present(&h, ORG_CLIENT_ID, &subject.jwt()).await.1),
        50048
    );

    // Signed twenty minutes ago: expired ten minutes ago (beyond the five minutes' skew).
    let late = Assertion::valid(&h, now - TimeDelta::minutes(20));
    let (_, body) = present(&h, ORG_CLIENT_ID, &late.jwt()).await;
    assert_eq!(aadsts(&body), 700024, "{body}");
    assert!(
        description(&body)
            .contains("Client assertion is not within its valid time range. Current time:"),
        "{body}"
    );
    let early = Assertion::valid(&h, now + TimeDelta::minutes(20));
    assert_eq!(
        aadsts(&present(&h, ORG_CLIENT_ID, &early.jwt()).await.1),
        700024
    );

    let (_, body) = present(&h, ORG_CLIENT_ID, "not.a-jwt").await;
    assert_eq!(aadsts(&body), 50027, "{body}");
    let mut tampered = Assertion::valid(&h, now).jwt();
    tampered.push('A');
    let (_, body) = present(&h, ORG_CLIENT_ID, &tampered).await;
    assert!([50027, 7000274].contains(&aadsts(&body)), "{body}");

    // A public client presents no credentials at all.
    let (_, body) = present(&h, DEMO_CLIENT_ID, &Assertion::valid(&h, now).jwt()).await;
    assert_eq!(aadsts(&body), 700025, "{body}");

    // The right assertion still works after all of that.
    assert_eq!(
        present(&h, ORG_CLIENT_ID, &Assertion::valid(&h, now).jwt())
            .await
            .0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn certificates_are_uploaded_listed_removed_and_expire() {
    let h = start(Seed::Empty).await;
    let now = h.clock.now();
    let pem = self_signed(
        OTHER_KEY_PEM,
        "Quick3 rotation",
        now - TimeDelta::hours(1),
        now + TimeDelta::days(2),
    )
    .unwrap();
    let upload = h
        .admin_post(
            &format!("/apps/{ORG_CLIENT_ID}/certificates"),
            json!({ "certificate": pem }),
        )
        .await;
    assert_eq!(upload.status(), StatusCode::CREATED);
    let uploaded: Value = upload.json().await.unwrap();
    let thumbprint = uploaded["thumbprint"].as_str().unwrap().to_owned();
    let listed: Value = h
        .admin_get_json(&format!("/apps/{ORG_CLIENT_ID}/certificates"))
        .await;
    assert_eq!(
        listed["value"].as_array().unwrap().len(),
        2,
        "demo + uploaded: {listed}"
    );

    let assertion = |at: DateTime<Utc>| {
        let mut a = Assertion::valid(&h, at);
        a.header["x5t"] = json!(x5t(&pem));
        a.key = OTHER_KEY_PEM;
        a.jwt()
    };
    assert_eq!(
        present(&h, ORG_CLIENT_ID, &assertion(now)).await.0,
        StatusCode::OK
    );

    // Three days later the certificate's validity has ended.
    h.clock.advance(TimeDelta::days(3));
    let (status, body) = present(&h, ORG_CLIENT_ID, &assertion(h.clock.now())).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(aadsts(&body), 1000502, "{body}");
    assert!(description(&body).contains(&thumbprint), "{body}");

    let removed = h
        .admin_delete(&format!("/apps/{ORG_CLIENT_ID}/certificates/{thumbprint}"))
        .await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    let (_, body) = present(&h, ORG_CLIENT_ID, &assertion(h.clock.now())).await;
    assert_eq!(aadsts(&body), 700027, "removed: {body}");

    let refused = h
        .admin_post(
            &format!("/apps/{ORG_CLIENT_ID}/certificates"),
            json!({ "certificate": "not a certificate" }),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
}
