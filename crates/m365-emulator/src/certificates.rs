//! Certificate credentials of app registrations (Certificates & secrets → Certificates): the X.509
//! certificates an administrator uploads, and self-signed certificates for tests and the demo.
//!
//! Only the public certificate is uploaded, as in Microsoft Entra; the token endpoint checks client
//! assertions signed with its key (`identity::assertion`).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The demo organisation app's certificate and its unencrypted PKCS#8 private key, in one PEM file
/// (self-signed, valid 2025-01-01 to 2045-12-31). Registered on the organisation app by the seed.
/// Public knowledge: never use it anywhere but against the emulator.
pub const ORG_CERTIFICATE_PEM: &str = include_str!("../fixtures/org-demo-certificate.pem");
/// Another RSA 2048 private key (PKCS#8), for tests: certificates of another key, a key that does
/// not belong to a certificate.
pub const OTHER_KEY_PEM: &str = include_str!("../fixtures/other-key.pem");
/// The same key as [`OTHER_KEY_PEM`] in the older PKCS#1 form (`BEGIN RSA PRIVATE KEY`).
pub const OTHER_KEY_PKCS1_PEM: &str = include_str!("../fixtures/other-key-pkcs1.pem");

/// A certificate uploaded to an app registration (a `keyCredential` of type AsymmetricX509Cert).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppCertificate {
    /// SHA-1 thumbprint in upper-case hex, as the Entra admin center shows it.
    pub thumbprint: String,
    /// SHA-256 thumbprint in upper-case hex.
    pub thumbprint_sha256: String,
    /// The certificate's subject (`CN=…`).
    pub subject: String,
    /// The key credential's start and end: the certificate's validity.
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The DER certificate, base64.
    pub der: String,
}

impl AppCertificate {
    /// Reads an uploaded certificate: PEM (`BEGIN CERTIFICATE`) or base64 DER (a `.cer` file's
    /// content). Only RSA keys sign client assertions.
    pub fn parse(text: &str) -> Result<AppCertificate, String> {
        let der = if text.contains("-----BEGIN CERTIFICATE-----") {
            x509_parser::pem::Pem::iter_from_buffer(text.as_bytes())
                .filter_map(Result::ok)
                .find(|pem| pem.label == "CERTIFICATE")
                .map(|pem| pem.contents)
                .ok_or_else(|| "no CERTIFICATE block could be read".to_owned())?
        } else {
            let compact: String = text.split_whitespace().collect();
            STANDARD
                .decode(compact)
                .map_err(|_| "neither PEM nor base64 DER".to_owned())?
        };
        Self::from_der(&der)
    }

    pub fn from_der(der: &[u8]) -> Result<AppCertificate, String> {
        let (_, cert) = x509_parser::parse_x509_certificate(der)
            .map_err(|err| format!("not an X.509 certificate: {err}"))?;
        match cert.public_key().parsed() {
            Ok(x509_parser::public_key::PublicKey::RSA(_)) => {}
            _ => return Err("the certificate's key is not an RSA key".to_owned()),
        }
        let time = |t: x509_parser::time::ASN1Time| {
            DateTime::<Utc>::from_timestamp(t.timestamp(), 0)
                .ok_or_else(|| "the certificate's validity is out of range".to_owned())
        };
        Ok(AppCertificate {
            thumbprint: hex(&sha1(der)),
            thumbprint_sha256: hex(&Sha256::digest(der)),
            subject: cert.subject().to_string(),
            start: time(cert.validity().not_before)?,
            end: time(cert.validity().not_after)?,
            der: STANDARD.encode(der),
        })
    }

    /// The RSA public key (modulus, exponent), big-endian without leading zeros.
    pub fn rsa_key(&self) -> Option<(Vec<u8>, Vec<u8>)> {
        let der = STANDARD.decode(&self.der).ok()?;
        let (_, cert) = x509_parser::parse_x509_certificate(&der).ok()?;
        match cert.public_key().parsed().ok()? {
            x509_parser::public_key::PublicKey::RSA(rsa) => {
                // DER integers may carry a leading zero; ring wants none.
                let strip = |bytes: &[u8]| {
                    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
                    bytes[first..].to_vec()
                };
                Some((strip(rsa.modulus), strip(rsa.exponent)))
            }
            _ => None,
        }
    }

    /// Whether a client assertion's `x5t` (base64url SHA-1) or `x5t#S256` names this certificate.
    pub fn named_by(&self, x5t: Option<&str>, x5t_s256: Option<&str>) -> bool {
        let decoded = |value: &str| URL_SAFE_NO_PAD.decode(value.trim_end_matches('=')).ok();
        x5t_s256
            .and_then(decoded)
            .is_some_and(|digest| hex(&digest) == self.thumbprint_sha256)
            || x5t
                .and_then(decoded)
                .is_some_and(|digest| hex(&digest) == self.thumbprint)
    }
}

/// The SHA-1 digest of a certificate (its thumbprint; not used for any security decision).
pub fn sha1(data: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, data)
        .as_ref()
        .to_vec()
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// A self-signed certificate (PEM) for the RSA key `key_pem` (PKCS#8), valid from `not_before`
/// to `not_after`: what an administrator makes with `New-SelfSignedCertificate` or openssl.
pub fn self_signed(
    key_pem: &str,
    common_name: &str,
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
) -> Result<String, String> {
    let key = rcgen::KeyPair::from_pem(key_pem).map_err(|err| err.to_string())?;
    let mut params = rcgen::CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, common_name);
    let time = |t: DateTime<Utc>| {
        rcgen::date_time_ymd(1970, 1, 1) + std::time::Duration::from_secs(t.timestamp() as u64)
    };
    params.not_before = time(not_before);
    params.not_after = time(not_after);
    let cert = params.self_signed(&key).map_err(|err| err.to_string())?;
    Ok(cert.pem())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_certificate_is_read_with_its_thumbprints() {
        let cert = AppCertificate::parse(ORG_CERTIFICATE_PEM).unwrap();
        assert_eq!(cert.thumbprint, "2BC2DF453EB4BE8F4D24C4CE790EBAF3BB6816B9");
        assert_eq!(cert.thumbprint_sha256.len(), 64);
        assert!(cert.subject.contains("Quick3 Planner organisation (demo)"));
        assert_eq!(cert.end.to_rfc3339(), "2045-12-31T23:59:59+00:00");
        let sha1 = URL_SAFE_NO_PAD.encode(super::sha1(&STANDARD.decode(&cert.der).unwrap()));
        assert!(cert.named_by(Some(&sha1), None));
        assert!(!cert.named_by(Some("AAAA"), None));
    }

    #[test]
    fn self_signed_certificates_carry_the_validity_asked_for() {
        let start = "2026-01-01T00:00:00Z".parse().unwrap();
        let end = "2026-02-01T00:00:00Z".parse().unwrap();
        let pem = self_signed(OTHER_KEY_PEM, "Test", start, end).unwrap();
        let cert = AppCertificate::parse(&pem).unwrap();
        assert_eq!((cert.start, cert.end), (start, end));
        assert!(cert.rsa_key().is_some());
    }
}
