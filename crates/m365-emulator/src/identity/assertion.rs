//! Client assertions (certificate credentials): a JWT signed with the private key of a certificate
//! uploaded to the app registration, sent as `client_assertion` with `client_assertion_type =
//! urn:ietf:params:oauth:client-assertion-type:jwt-bearer` instead of a client secret.
//!
//! Checked as Microsoft documents it ("Microsoft identity platform application authentication
//! certificate credentials"): header `alg` RS256 or PS256 and `x5t` (base64url SHA-1 thumbprint)
//! or `x5t#S256`; claims `aud` = the tenant's token endpoint, `iss` = `sub` = the client id, `exp`,
//! `nbf`. The order of the checks and the AADSTS codes follow what Entra answers; where Microsoft's
//! exact wording is not published, the message is the emulator's own (README).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value;

use super::errors::AadError;
use crate::certificates::AppCertificate;
use crate::store::model::App;
use axum::http::StatusCode;

pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// How far the assertion's `nbf`/`exp` may be off the server's clock.
const CLOCK_SKEW_MINUTES: i64 = 5;
const DOCS: &str = "Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials";

fn invalid_client(code: u32, message: String, now: DateTime<Utc>) -> AadError {
    AadError::new("invalid_client", code, message, now).with_status(StatusCode::UNAUTHORIZED)
}

fn malformed(now: DateTime<Utc>) -> AadError {
    invalid_client(50027, "JWT token is invalid or malformed.".to_owned(), now)
}

fn decode_part(part: &str) -> Option<Value> {
    let bytes = URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Microsoft's way of writing an instant: seven decimals (ticks of 100 ns).
fn time_text(t: DateTime<Utc>) -> String {
    use chrono::Timelike;
    format!(
        "{}.{:07}Z",
        t.format("%Y-%m-%dT%H:%M:%S"),
        t.nanosecond() / 100
    )
}

/// Checks a client assertion for `app`; `audiences` are the token endpoint URLs the assertion may
/// name (the tenant as the request spelled it, its id and its domain).
pub fn verify(
    app: &App,
    assertion_type: Option<&str>,
    assertion: &str,
    audiences: &[String],
    now: DateTime<Utc>,
) -> Result<(), AadError> {
    check_assertion_type(assertion_type, now)?;
    let jwt = Jwt::read(assertion).ok_or_else(|| malformed(now))?;
    let algorithm = algorithm_of(&jwt.header, now)?;
    check_subject(&jwt.claims, app, now)?;
    check_audience(&jwt.claims, audiences, now)?;
    check_lifetime(&jwt.claims, now)?;
    let certificate = signing_certificate(&jwt.header, app, now)?;
    let (n, e) = certificate.rsa_key().ok_or_else(|| malformed(now))?;
    let key = ring::signature::RsaPublicKeyComponents { n, e };
    if key
        .verify(algorithm, jwt.signed.as_bytes(), &jwt.signature)
        .is_err()
    {
        return Err(invalid_client(
            7000274,
            format!(
                "Client assertion contains an invalid signature. [Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: '{}', Found key 'Start={}, End={}']",
                certificate.thumbprint,
                time_text(certificate.start),
                time_text(certificate.end)
            ),
            now,
        ));
    }
    Ok(())
}

/// A JWT's three parts, read (its signature not checked yet).
struct Jwt {
    header: Value,
    claims: Value,
    /// The text the signature is over: header and claims as sent.
    signed: String,
    signature: Vec<u8>,
}

impl Jwt {
    /// `None` for anything but three base64url parts, the first two JSON.
    fn read(assertion: &str) -> Option<Jwt> {
        let parts: Vec<&str> = assertion.split('.').collect();
        let [header_part, claims_part, signature_part] = parts[..] else {
            return None;
        };
        Some(Jwt {
            header: decode_part(header_part)?,
            claims: decode_part(claims_part)?,
            signed: format!("{header_part}.{claims_part}"),
            signature: URL_SAFE_NO_PAD
                .decode(signature_part.trim_end_matches('='))
                .ok()?,
        })
    }
}

fn check_assertion_type(assertion_type: Option<&str>, now: DateTime<Utc>) -> Result<(), AadError> {
    match assertion_type {
        Some(ASSERTION_TYPE) => Ok(()),
        Some(other) => Err(AadError::new(
            "invalid_request",
            50027,
            format!(
                "Invalid client_assertion_type '{other}': only '{ASSERTION_TYPE}' is supported."
            ),
            now,
        )),
        None => Err(AadError::new(
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'client_assertion_type'.",
            now,
        )),
    }
}

/// The signature algorithm the header names: RS256 or PS256.
fn algorithm_of(
    header: &Value,
    now: DateTime<Utc>,
) -> Result<&'static ring::signature::RsaParameters, AadError> {
    let alg = header["alg"].as_str().unwrap_or_default();
    match alg {
        "RS256" => Ok(&ring::signature::RSA_PKCS1_2048_8192_SHA256),
        "PS256" => Ok(&ring::signature::RSA_PSS_2048_8192_SHA256),
        _ => Err(invalid_client(
            50027,
            format!(
                "JWT token is invalid or malformed: the signing algorithm '{alg}' is not supported (RS256, PS256)."
            ),
            now,
        )),
    }
}

/// `iss` and `sub` are both the app's client id.
fn check_subject(claims: &Value, app: &App, now: DateTime<Utc>) -> Result<(), AadError> {
    let text = |name: &str| claims[name].as_str().unwrap_or_default().to_owned();
    let (iss, sub) = (text("iss"), text("sub"));
    if iss != sub {
        return Err(invalid_client(
            50048,
            "Subject mismatches Issuer claim in the client assertion.".to_owned(),
            now,
        ));
    }
    if sub != app.client_id {
        return Err(invalid_client(
            700021,
            format!(
                "Client assertion application identifier doesn't match 'client_id' parameter. {DOCS}"
            ),
            now,
        ));
    }
    Ok(())
}

/// `aud` (a string or a list) names one of `audiences`.
fn check_audience(
    claims: &Value,
    audiences: &[String],
    now: DateTime<Utc>,
) -> Result<(), AadError> {
    let aud_matches = match &claims["aud"] {
        Value::String(aud) => audiences.iter().any(|a| a.eq_ignore_ascii_case(aud)),
        Value::Array(list) => list
            .iter()
            .filter_map(Value::as_str)
            .any(|aud| audiences.iter().any(|a| a.eq_ignore_ascii_case(aud))),
        _ => false,
    };
    if !aud_matches {
        return Err(invalid_client(
            700023,
            format!("Client assertion audience claim does not match Realm issuer. {DOCS}"),
            now,
        ));
    }
    Ok(())
}

/// `now` is within `nbf` (else `iat`) and `exp`, give or take the clock skew.
fn check_lifetime(claims: &Value, now: DateTime<Utc>) -> Result<(), AadError> {
    // NumericDate: seconds, possibly with a fraction (MSAL for Python sends `time.time()` floats).
    let instant = |name: &str| {
        claims[name]
            .as_f64()
            .filter(|seconds| seconds.is_finite())
            .and_then(|seconds| DateTime::<Utc>::from_timestamp(seconds.floor() as i64, 0))
    };
    let Some(exp) = instant("exp") else {
        return Err(malformed(now));
    };
    let nbf = instant("nbf").or_else(|| instant("iat")).unwrap_or(exp);
    let skew = TimeDelta::minutes(CLOCK_SKEW_MINUTES);
    if now >= exp + skew || now + skew < nbf {
        return Err(invalid_client(
            700024,
            format!(
                "Client assertion is not within its valid time range. Current time: {}, assertion valid from {}, expiry time of assertion {}. {DOCS}",
                time_text(now),
                time_text(nbf),
                time_text(exp)
            ),
            now,
        ));
    }
    Ok(())
}

/// The app's certificate the header's `x5t` / `x5t#S256` names, within its validity.
fn signing_certificate<'a>(
    header: &Value,
    app: &'a App,
    now: DateTime<Utc>,
) -> Result<&'a AppCertificate, AadError> {
    let (x5t, x5t_s256) = (header["x5t"].as_str(), header["x5t#S256"].as_str());
    let presented = x5t_s256
        .or(x5t)
        .and_then(|v| URL_SAFE_NO_PAD.decode(v.trim_end_matches('=')).ok())
        .map(|digest| crate::certificates::hex(&digest))
        .unwrap_or_default();
    let Some(certificate) = app.certificates.iter().find(|c| c.named_by(x5t, x5t_s256)) else {
        return Err(invalid_client(
            700027,
            format!(
                "The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '{presented}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{}'.]",
                app.client_id
            ),
            now,
        ));
    };
    if now < certificate.start || now > certificate.end {
        return Err(invalid_client(
            1000502,
            format!(
                "The certificate with thumbprint '{}' used to sign the client assertion is outside its validity window (valid from {} to {}). Upload a new certificate for app Id '{}'.",
                certificate.thumbprint,
                time_text(certificate.start),
                time_text(certificate.end),
                app.client_id
            ),
            now,
        ));
    }
    Ok(certificate)
}
