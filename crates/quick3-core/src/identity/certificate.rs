//! The organisation's certificate credential: a PEM file with an X.509 certificate and its
//! unencrypted RSA private key (PKCS#8 or PKCS#1) is read and checked once, the key goes to the OS
//! keyring, and each client credentials grant carries a client assertion signed with it (RS256,
//! RFC 7523) instead of a client secret.
//!
//! The assertion is what Microsoft documents ("certificate credentials"): header `alg` RS256, `typ`
//! JWT, `x5t` (base64url SHA-1 thumbprint of the DER certificate) and `x5t#S256` (SHA-256); claims
//! `aud` = the token endpoint, `iss` = `sub` = the client id, a unique `jti`, `nbf` = `iat` = now,
//! `exp` ten minutes later. Signing uses `ring`, which rustls already brings.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use serde_json::json;
use x509_parser::pem::Pem;
use x509_parser::public_key::PublicKey;

use super::OrgError;
use super::Secret;
use crate::model::OrgCertificate;

/// The keyring key of the organisation's certificate and private key (one PEM text).
pub const ORG_CERTIFICATE_KEY: &str = "org/certificate";
/// `client_assertion_type` of a JWT client assertion.
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// How long a client assertion is valid.
const ASSERTION_LIFETIME_MINUTES: i64 = 10;

fn unusable(reason: impl Into<String>) -> OrgError {
    OrgError::CertificateUnusable {
        reason: reason.into(),
    }
}

/// A certificate with the private key that belongs to it, ready to sign client assertions.
pub struct SigningCertificate {
    der: Vec<u8>,
    key: RsaKeyPair,
    key_label: &'static str,
    key_der: Vec<u8>,
    pub info: OrgCertificate,
}

impl std::fmt::Debug for SigningCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningCertificate")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

impl SigningCertificate {
    /// Reads a PEM text holding a certificate and its private key, in either order; refuses
    /// plainly an encrypted key, a key of another certificate, or a key that is not RSA.
    pub fn from_pem(text: &str) -> Result<SigningCertificate, OrgError> {
        if text.contains("ENCRYPTED PRIVATE KEY") || text.contains("Proc-Type: 4,ENCRYPTED") {
            return Err(unusable(
                "the private key is protected by a password; Quick3 Planner keeps it in the OS \
                 keyring instead, so export it without one (openssl pkcs8 -topk8 -nocrypt -in \
                 key.pem)",
            ));
        }
        let blocks: Vec<Pem> = Pem::iter_from_buffer(text.as_bytes())
            .map_while(Result::ok)
            .collect();
        if blocks.is_empty() {
            return Err(unusable(
                "the file is not a PEM file (it has no -----BEGIN …----- block); export the \
                 certificate with its private key as PEM",
            ));
        }
        let certificates: Vec<&Pem> = blocks.iter().filter(|b| b.label == "CERTIFICATE").collect();
        if certificates.is_empty() {
            return Err(unusable(
                "the file holds no certificate (-----BEGIN CERTIFICATE-----)",
            ));
        }
        let (key_label, key) = match blocks
            .iter()
            .find(|b| b.label == "PRIVATE KEY" || b.label == "RSA PRIVATE KEY")
        {
            Some(block) if block.label == "PRIVATE KEY" => (
                "PRIVATE KEY",
                RsaKeyPair::from_pkcs8(&block.contents).map(|k| (k, block.contents.clone())),
            ),
            Some(block) => (
                "RSA PRIVATE KEY",
                RsaKeyPair::from_der(&block.contents).map(|k| (k, block.contents.clone())),
            ),
            None if blocks.iter().any(|b| b.label.ends_with("PRIVATE KEY")) => {
                return Err(unusable(
                    "the private key is not an RSA key; Microsoft Entra accepts RSA certificates \
                     (2048 bits or more) for client assertions",
                ));
            }
            None => {
                return Err(unusable(
                    "the file holds no private key (-----BEGIN PRIVATE KEY-----); put the \
                     certificate and its unencrypted private key in one PEM file",
                ));
            }
        };
        let (key, key_der) = key.map_err(|rejected| {
            let why = rejected.to_string();
            if why.contains("TooSmall") {
                unusable("the RSA key is shorter than 2048 bits, which Microsoft refuses")
            } else {
                unusable(format!(
                    "the private key could not be read as an RSA key ({why}); Microsoft Entra \
                     accepts RSA certificates for client assertions"
                ))
            }
        })?;
        let public = ring::rsa::PublicKeyComponents::<Vec<u8>>::from(key.public());
        let modulus = strip_zeros(&public.n).to_vec();
        let exponent = strip_zeros(&public.e).to_vec();
        let mut first_error = None;
        for block in &certificates {
            match describe(&block.contents) {
                Ok((info, Some((n, e)))) if n == modulus && e == exponent => {
                    return Ok(SigningCertificate {
                        der: block.contents.clone(),
                        key,
                        key_label,
                        key_der,
                        info,
                    });
                }
                Ok((info, _)) => {
                    first_error.get_or_insert(unusable(format!(
                        "the private key does not belong to the certificate \"{}\" (thumbprint {}); \
                         use the key that was made with this certificate",
                        info.subject, info.thumbprint
                    )));
                }
                Err(err) => {
                    first_error.get_or_insert(err);
                }
            }
        }
        Err(first_error.unwrap_or_else(|| unusable("no certificate could be read")))
    }

    /// The certificate and key as one PEM text, as kept in the keyring.
    pub fn to_pem(&self) -> Secret {
        Secret::new(format!(
            "{}{}",
            pem_block("CERTIFICATE", &self.der),
            pem_block(self.key_label, &self.key_der)
        ))
    }

    /// The certificate alone (public), as kept in the settings.
    pub fn certificate_pem(&self) -> String {
        pem_block("CERTIFICATE", &self.der)
    }

    /// A client assertion for `client_id` at the token endpoint `audience`, valid from `now` for
    /// ten minutes.
    pub fn client_assertion(
        &self,
        client_id: &str,
        audience: &str,
        now: DateTime<Utc>,
    ) -> Result<String, OrgError> {
        let header = json!({
            "alg": "RS256",
            "typ": "JWT",
            "x5t": URL_SAFE_NO_PAD.encode(sha1(&self.der)),
            "x5t#S256": URL_SAFE_NO_PAD.encode(ring::digest::digest(&ring::digest::SHA256, &self.der)),
        });
        let claims = json!({
            "aud": audience,
            "iss": client_id,
            "sub": client_id,
            "jti": uuid::Uuid::new_v4().to_string(),
            "nbf": now.timestamp(),
            "iat": now.timestamp(),
            "exp": (now + Duration::minutes(ASSERTION_LIFETIME_MINUTES)).timestamp(),
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0; self.key.public().modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &ring::rand::SystemRandom::new(),
                signing_input.as_bytes(),
                &mut signature,
            )
            .map_err(|_| unusable("the private key could not sign"))?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        ))
    }
}

/// What the Client settings screen shows of a certificate stored as PEM (public part only).
pub fn certificate_info(pem: &str) -> Option<OrgCertificate> {
    let block = Pem::iter_from_buffer(pem.as_bytes())
        .map_while(Result::ok)
        .find(|b| b.label == "CERTIFICATE")?;
    describe(&block.contents).ok().map(|(info, _)| info)
}

/// Subject, thumbprints and validity of a DER certificate, and its RSA key (modulus, exponent).
#[allow(clippy::type_complexity)]
fn describe(der: &[u8]) -> Result<(OrgCertificate, Option<(Vec<u8>, Vec<u8>)>), OrgError> {
    let (_, cert) = x509_parser::parse_x509_certificate(der)
        .map_err(|err| unusable(format!("the certificate could not be read ({err})")))?;
    let time = |t: x509_parser::time::ASN1Time| {
        DateTime::<Utc>::from_timestamp(t.timestamp(), 0)
            .ok_or_else(|| unusable("the certificate's validity dates are out of range"))
    };
    let rsa = match cert.public_key().parsed() {
        Ok(PublicKey::RSA(rsa)) => Some((
            strip_zeros(rsa.modulus).to_vec(),
            strip_zeros(rsa.exponent).to_vec(),
        )),
        _ => None,
    };
    let info = OrgCertificate {
        subject: cert.subject().to_string(),
        thumbprint: hex(&sha1(der)),
        not_before: time(cert.validity().not_before)?,
        not_after: time(cert.validity().not_after)?,
    };
    Ok((info, rsa))
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

/// SHA-1 of a certificate: its thumbprint as Microsoft Entra shows it (an identifier, not a
/// security decision).
fn sha1(data: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, data)
        .as_ref()
        .to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn pem_block(label: &str, der: &[u8]) -> String {
    let encoded = STANDARD.encode(der);
    let mut text = format!("-----BEGIN {label}-----\n");
    for line in encoded.as_bytes().chunks(64) {
        text.push_str(std::str::from_utf8(line).unwrap_or_default());
        text.push('\n');
    }
    text.push_str(&format!("-----END {label}-----\n"));
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;
    use m365_emulator::certificates::{
        AppCertificate, ORG_CERTIFICATE_PEM, OTHER_KEY_PEM, OTHER_KEY_PKCS1_PEM, self_signed,
    };

    fn certificate_only(pem: &str) -> String {
        let end = "-----END CERTIFICATE-----";
        let at = pem.find(end).unwrap() + end.len();
        format!("{}\n", &pem[..at])
    }

    #[test]
    fn the_demo_certificate_is_imported_with_its_thumbprint() {
        let cert = SigningCertificate::from_pem(ORG_CERTIFICATE_PEM).unwrap();
        let expected = AppCertificate::parse(ORG_CERTIFICATE_PEM).unwrap();
        assert_eq!(cert.info.thumbprint, expected.thumbprint);
        assert!(
            cert.info
                .subject
                .contains("Quick3 Planner organisation (demo)")
        );
        assert_eq!(cert.info.not_after, expected.end);
        // Kept and read back the same.
        let again = SigningCertificate::from_pem(cert.to_pem().expose()).unwrap();
        assert_eq!(again.info, cert.info);
        assert_eq!(certificate_info(&cert.certificate_pem()), Some(cert.info));
    }

    #[test]
    fn a_pkcs1_key_is_accepted_and_the_key_may_come_first() {
        let now = Utc::now();
        let pem = self_signed(OTHER_KEY_PEM, "Other", now, now + Duration::days(30)).unwrap();
        let text = format!("{OTHER_KEY_PKCS1_PEM}{pem}");
        let cert = SigningCertificate::from_pem(&text).unwrap();
        assert_eq!(cert.info.subject, "CN=Other");
        assert!(cert.to_pem().expose().contains("BEGIN RSA PRIVATE KEY"));
    }

    #[test]
    fn a_key_of_another_certificate_is_refused_plainly() {
        let text = format!("{}{OTHER_KEY_PEM}", certificate_only(ORG_CERTIFICATE_PEM));
        let err = SigningCertificate::from_pem(&text).unwrap_err();
        assert_eq!(err.code(), ErrorCode::OrgCertificateUnusable);
        assert!(
            err.to_string()
                .contains("does not belong to the certificate"),
            "{err}"
        );
        let no_key =
            SigningCertificate::from_pem(&certificate_only(ORG_CERTIFICATE_PEM)).unwrap_err();
        assert!(no_key.to_string().contains("no private key"), "{no_key}");
        let encrypted = format!(
            "{}-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n",
            certificate_only(ORG_CERTIFICATE_PEM)
        );
        let err = SigningCertificate::from_pem(&encrypted).unwrap_err();
        assert!(err.to_string().contains("password"), "{err}");
        let err = SigningCertificate::from_pem("not a certificate").unwrap_err();
        assert!(err.to_string().contains("not a PEM file"), "{err}");
    }

    #[test]
    fn the_assertion_carries_the_documented_header_and_claims() {
        let cert = SigningCertificate::from_pem(ORG_CERTIFICATE_PEM).unwrap();
        let now: DateTime<Utc> = "2026-12-06T10:00:00Z".parse().unwrap();
        let jwt = cert
            .client_assertion("client", "https://login.example/t/oauth2/v2.0/token", now)
            .unwrap();
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let part = |i: usize| -> serde_json::Value {
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[i]).unwrap()).unwrap()
        };
        let (header, claims) = (part(0), part(1));
        assert_eq!(header["alg"], "RS256");
        assert_eq!(header["typ"], "JWT");
        let expected = AppCertificate::parse(ORG_CERTIFICATE_PEM).unwrap();
        assert!(expected.named_by(header["x5t"].as_str(), None));
        assert!(expected.named_by(None, header["x5t#S256"].as_str()));
        assert_eq!(claims["iss"], "client");
        assert_eq!(claims["sub"], "client");
        assert_eq!(claims["aud"], "https://login.example/t/oauth2/v2.0/token");
        assert_eq!(claims["nbf"], now.timestamp());
        assert_eq!(claims["exp"], now.timestamp() + 600);
        let other = cert.client_assertion("client", "aud", now).unwrap();
        assert_ne!(
            part(1)["jti"],
            serde_json::from_slice::<serde_json::Value>(
                &URL_SAFE_NO_PAD
                    .decode(other.split('.').nth(1).unwrap())
                    .unwrap()
            )
            .unwrap()["jti"],
            "every assertion has its own jti"
        );
        // The signature verifies with the certificate's public key.
        let (n, e) = expected.rsa_key().unwrap();
        let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        ring::signature::RsaPublicKeyComponents { n, e }
            .verify(
                &ring::signature::RSA_PKCS1_2048_8192_SHA256,
                format!("{}.{}", parts[0], parts[1]).as_bytes(),
                &signature,
            )
            .unwrap();
    }
}
