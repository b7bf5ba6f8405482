//! A certificate PEM file as an administrator gives it: the signing certificate (certificate and
//! unencrypted RSA key) and the subject, thumbprint and expiry shown for it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quick3_core::identity::SigningCertificate;
use quick3_core::identity::certificate::certificate_info;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(certificate) = SigningCertificate::from_pem(text) {
        let _ = certificate.certificate_pem();
    }
    let _ = certificate_info(text);
});
