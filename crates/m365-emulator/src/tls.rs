//! The local certificate authority and the loopback server certificate it signs.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::error::EmulatorError;

/// The CA written to disk for clients to trust, and the TLS configuration of the listener.
#[derive(Debug)]
pub struct LocalCa {
    pub ca_cert_path: PathBuf,
    pub ca_cert_pem: String,
    pub server_config: Arc<ServerConfig>,
}

fn ca_params() -> Result<CertificateParams, EmulatorError> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, "M365 Emulator Local CA");
    name.push(DnType::OrganizationName, "Quick3 Planner (emulator)");
    params.distinguished_name = name;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    Ok(params)
}

fn write(path: &Path, content: &str) -> Result<(), EmulatorError> {
    crate::private::write(path, content.as_bytes())
}

/// Loads the CA kept in `dir` (`ca.pem` + `ca.key`) or creates it there, then issues a fresh
/// certificate for 127.0.0.1, localhost and ::1.
pub fn load_or_create(dir: &Path) -> Result<LocalCa, EmulatorError> {
    crate::private::folder(dir)?;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cert_path = dir.join("ca.pem");
    let key_path = dir.join("ca.key");
    let existing = match (
        std::fs::read_to_string(&cert_path),
        std::fs::read_to_string(&key_path),
    ) {
        (Ok(cert), Ok(key)) => KeyPair::from_pem(&key).ok().map(|key| (cert, key)),
        _ => None,
    };
    let (ca_pem, ca_key) = match existing {
        Some(found) => found,
        None => {
            let key = KeyPair::generate()?;
            let cert = ca_params()?.self_signed(&key)?;
            write(&key_path, &key.serialize_pem())?;
            write(&cert_path, &cert.pem())?;
            (cert.pem(), key)
        }
    };
    let issuer = Issuer::new(ca_params()?, ca_key);

    let mut leaf = CertificateParams::new(vec!["localhost".to_owned()])?;
    leaf.subject_alt_names
        .push(SanType::IpAddress(std::net::Ipv4Addr::LOCALHOST.into()));
    leaf.subject_alt_names
        .push(SanType::IpAddress(std::net::Ipv6Addr::LOCALHOST.into()));
    leaf.distinguished_name
        .push(DnType::CommonName, "127.0.0.1");
    leaf.use_authority_key_identifier_extension = true;
    leaf.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    // Short-lived leaf (a new one at every start): platforms reject server certificates valid
    // for more than about two years, even under a private CA.
    let today = chrono::Utc::now().date_naive();
    let ymd = |date: chrono::NaiveDate| {
        use chrono::Datelike;
        rcgen::date_time_ymd(date.year(), date.month() as u8, date.day() as u8)
    };
    leaf.not_before = ymd(today - chrono::Days::new(2));
    leaf.not_after = ymd(today + chrono::Days::new(365));
    let leaf_key = KeyPair::generate()?;
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer)?;

    let ca_der = rustls::pki_types::pem::PemObject::from_pem_slice(ca_pem.as_bytes())
        .map_err(|error| EmulatorError::Certificate(format!("{cert_path:?}: {error}")))?;
    let chain: Vec<CertificateDer<'static>> = vec![leaf_cert.der().clone(), ca_der];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let mut config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(LocalCa {
        ca_cert_path: cert_path,
        ca_cert_pem: ca_pem,
        server_config: Arc::new(config),
    })
}
