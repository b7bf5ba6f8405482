//! Organisation mode with a certificate instead of a client secret, against the emulator over
//! HTTPS: the import (private key to the keyring only, a key of another certificate refused), Test
//! settings passing with a signed client assertion, and each failure named plainly — a certificate
//! Microsoft does not know, an expired certificate, a wrong clock — and the expiry warning.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::org_support;
use crate::sync_support;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use m365_emulator::certificates::{ORG_CERTIFICATE_PEM, OTHER_KEY_PEM, self_signed};
use m365_emulator::{DEMO_TENANT_ID, ORG_CLIENT_ID, ORG_CLIENT_SECRET};
use org_support::{SyncJob, link_down};
use quick3_core::ErrorCode;
use quick3_core::Result;
use quick3_core::api::organisation::{
    administrator, import_org_certificate, org_settings, set_org_settings, test_org_settings,
};
use quick3_core::identity::Secret;
use quick3_core::identity::organisation::org_expiry_warning;
use quick3_core::model::{OrgCredential, OrgSettings, OrgSettingsRecord, OrgTestReport};
use serde_json::json;
use sync_support::*;

const MEGAN: &str = "megan.bowen@contoso.example";

fn settings(credential: OrgCredential) -> OrgSettings {
    OrgSettings {
        tenant: DEMO_TENANT_ID.into(),
        client_id: ORG_CLIENT_ID.into(),
        credential,
        secret_expires: None,
        directions: vec![],
    }
}

/// A certificate of the other test key, valid from an hour ago for `days`, with that key.
fn other_certificate(days: i64) -> String {
    let now = Utc::now();
    let cert = self_signed(
        OTHER_KEY_PEM,
        "Quick3 test",
        now - Duration::hours(1),
        now + Duration::days(days),
    )
    .unwrap();
    format!("{cert}{OTHER_KEY_PEM}")
}

/// Uploads a certificate (its public part) to the organisation app, as in Entra.
async fn upload(world: &World, pem: &str) {
    let response = world
        .tenant
        .admin
        .post(format!(
            "{}/apps/{ORG_CLIENT_ID}/certificates",
            world.tenant.emulator.admin()
        ))
        .json(&json!({ "certificate": pem }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
}

/// The certificate of a PEM bundle, without its private key.
fn certificate_part(pem: &str) -> &str {
    pem.split("-----BEGIN PRIVATE KEY-----").next().unwrap()
}

/// Imports the bundle `pem` as the organisation's certificate.
async fn import(world: &mut World, pem: &str, today: NaiveDate) -> Result<OrgSettingsRecord> {
    import_org_certificate(
        &mut world.store,
        &world.credentials,
        settings(OrgCredential::Certificate),
        pem,
        today,
    )
    .await
}

/// Saves the settings through the window's door, with a secret or a certificate file.
async fn save(
    world: &mut World,
    credential: OrgCredential,
    secret: Option<String>,
    certificate_file: Option<String>,
    today: NaiveDate,
) -> Result<OrgSettingsRecord> {
    administrator::save_settings(
        &mut world.store,
        &world.credentials,
        settings(credential),
        secret,
        certificate_file,
        today,
    )
    .await
}

/// Moves the emulator's clock on by `by` (Microsoft's side of "later").
async fn advance_emulator_clock(world: &World, by: Duration) {
    let advanced = world
        .tenant
        .admin
        .post(format!("{}/clock/advance", world.tenant.emulator.admin()))
        .json(&json!({"seconds": by.num_seconds()}))
        .send()
        .await
        .unwrap();
    assert!(advanced.status().is_success());
}

async fn test_at(world: &World, at: DateTime<Utc>) -> OrgTestReport {
    let report = test_org_settings(&world.store, &world.credentials, Some(MEGAN), at)
        .await
        .unwrap();
    assert_eq!(report.ok, report.problem.is_none(), "{report:?}");
    report
}

#[tokio::test]
async fn a_certificate_replaces_the_secret_and_its_key_stays_in_the_keyring() {
    let mut world = world().await;
    let record = import(&mut world, ORG_CERTIFICATE_PEM, now().date_naive())
        .await
        .unwrap();
    let certificate = record.certificate.clone().unwrap();
    assert_eq!(record.settings.credential, OrgCredential::Certificate);
    assert_eq!(
        certificate.thumbprint,
        "2BC2DF453EB4BE8F4D24C4CE790EBAF3BB6816B9"
    );
    assert!(
        certificate
            .subject
            .contains("Quick3 Planner organisation (demo)")
    );
    assert!(record.certificate_key_stored && !record.secret_stored);
    assert_eq!(record.expiry_warning, None, "valid until 2045");

    let report = test_at(&world, now()).await;
    assert!(report.ok && report.token, "{report:?}");
    assert_eq!(
        report.user.as_deref(),
        Some("Megan Bowen <megan.bowen@contoso.example>")
    );

    // The private key is in the keyring, never in the database Quick3 writes.
    drop(world.store);
    let database = std::fs::read(world.dir.path().join("q.db")).unwrap();
    let text = String::from_utf8_lossy(&database);
    assert!(
        text.contains("BEGIN CERTIFICATE"),
        "the public part is kept"
    );
    assert!(
        !text.contains("PRIVATE KEY"),
        "no private key in the database"
    );
    // A line from the end of the key: its private primes (the first lines hold the public modulus).
    let key_lines: Vec<&str> = ORG_CERTIFICATE_PEM
        .split("-----BEGIN PRIVATE KEY-----")
        .nth(1)
        .unwrap()
        .lines()
        .collect();
    let key_line = key_lines[key_lines.len() - 3];
    assert!(
        !text.contains(key_line),
        "no part of the key in the database"
    );
}

#[tokio::test]
async fn a_key_of_another_certificate_is_refused_and_nothing_is_written() {
    let mut world = world().await;
    set_org_settings(
        &mut world.store,
        &world.credentials,
        settings(OrgCredential::Secret),
        Some(Secret::new(ORG_CLIENT_SECRET)),
        now().date_naive(),
    )
    .await
    .unwrap();
    let certificate_only = certificate_part(ORG_CERTIFICATE_PEM);
    let err = import(
        &mut world,
        &format!("{certificate_only}{OTHER_KEY_PEM}"),
        now().date_naive(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::OrgCertificateUnusable);
    assert!(
        err.to_string()
            .contains("the private key does not belong to the certificate"),
        "{err}"
    );
    let record = org_settings(&world.store, &world.credentials, now().date_naive())
        .unwrap()
        .unwrap();
    assert_eq!(record.settings.credential, OrgCredential::Secret);
    assert!(record.secret_stored, "the secret in use was kept");
    assert!(test_at(&world, now()).await.ok, "and still works");
}

#[tokio::test]
async fn a_certificate_microsoft_does_not_know_is_named_by_its_thumbprint() {
    let mut world = world().await;
    let pem = other_certificate(365);
    let record = import(&mut world, &pem, now().date_naive()).await.unwrap();
    let thumbprint = record.certificate.unwrap().thumbprint;
    let report = test_at(&world, now()).await;
    assert!(!report.token);
    let problem = report.problem.unwrap();
    assert_eq!(problem.code, ErrorCode::OrgCertificateNotRegistered);
    assert!(
        problem.message.contains(&thumbprint)
            && problem.message.contains("AADSTS700027")
            && problem.message.contains("Certificates & secrets"),
        "{}",
        problem.message
    );

    // The administrator uploads it in Entra: the same settings now work.
    let certificate_only = certificate_part(&pem);
    upload(&world, certificate_only).await;
    assert!(test_at(&world, now()).await.ok);
}

#[tokio::test]
async fn an_expired_certificate_is_warned_about_then_named_with_its_date() {
    let mut world = world().await;
    let pem = other_certificate(10);
    upload(&world, certificate_part(&pem)).await;
    let record = import(&mut world, &pem, now().date_naive()).await.unwrap();
    let certificate = record.certificate.unwrap();
    let expires = certificate.not_after.date_naive();
    let warning = record.expiry_warning.unwrap();
    assert!(
        warning.contains(&certificate.thumbprint)
            && warning.contains(&format!("expires on {expires}"))
            && warning.contains("in 10 days"),
        "10 days ahead is within the 30-day warning: {warning}"
    );
    let report = test_at(&world, now()).await;
    assert!(report.ok, "still valid: {report:?}");
    assert_eq!(report.expiry_warning.as_deref(), Some(warning.as_str()));
    assert_eq!(
        org_expiry_warning(&world.store, now().date_naive()).as_deref(),
        Some(warning.as_str()),
        "the sync job's failure mail carries the same warning"
    );

    // Twelve days later, on both sides.
    let later = now() + Duration::days(12);
    advance_emulator_clock(&world, Duration::days(12)).await;
    let report = test_at(&world, later).await;
    assert!(!report.token);
    let problem = report.problem.unwrap();
    assert_eq!(problem.code, ErrorCode::OrgCertificateExpired);
    assert!(
        problem.message.contains(&format!("valid until {expires}"))
            && problem.message.contains("AADSTS1000502"),
        "{}",
        problem.message
    );
    assert!(
        report.expiry_warning.unwrap().contains("expired on"),
        "the warning says it has expired"
    );
}

#[tokio::test]
async fn a_wrong_clock_is_named_rather_than_the_certificate() {
    let mut world = world().await;
    import(&mut world, ORG_CERTIFICATE_PEM, now().date_naive())
        .await
        .unwrap();
    // This computer's clock is half an hour slow: the assertion expired before it was sent.
    let report = test_at(&world, now() - Duration::minutes(30)).await;
    assert!(!report.token);
    let problem = report.problem.unwrap();
    assert_eq!(problem.code, ErrorCode::OrgClockWrong);
    assert!(
        problem.message.contains("AADSTS700024") && problem.message.contains("clock"),
        "{}",
        problem.message
    );
}

#[tokio::test]
async fn the_window_imports_a_certificate_file_and_switching_back_deletes_its_key() {
    let mut world = world().await;
    world.store.set_administrator(true).unwrap();
    let today = now().date_naive();
    let missing = save(&mut world, OrgCredential::Certificate, None, None, today)
        .await
        .unwrap_err();
    assert_eq!(missing.code(), ErrorCode::OrgCertificateMissing);

    let not_there = world.dir.path().join("nowhere.pem");
    let unreadable = save(
        &mut world,
        OrgCredential::Certificate,
        None,
        Some(not_there.display().to_string()),
        today,
    )
    .await
    .unwrap_err();
    assert_eq!(unreadable.code(), ErrorCode::OrgCertificateUnusable);
    assert!(
        unreadable.to_string().contains("nowhere.pem"),
        "{unreadable}"
    );

    let large = world.dir.path().join("backup.tar");
    std::fs::write(&large, vec![b'x'; 2 * 1024 * 1024]).unwrap();
    let too_large = save(
        &mut world,
        OrgCredential::Certificate,
        None,
        Some(large.display().to_string()),
        today,
    )
    .await
    .unwrap_err();
    assert!(
        too_large
            .to_string()
            .contains("larger than a certificate file"),
        "{too_large}"
    );

    let file = world.dir.path().join("organisation.pem");
    std::fs::write(&file, ORG_CERTIFICATE_PEM).unwrap();
    let record = save(
        &mut world,
        OrgCredential::Certificate,
        None,
        Some(file.display().to_string()),
        today,
    )
    .await
    .unwrap();
    assert!(record.certificate_key_stored);
    // Saved again without a file: the certificate imported before is kept.
    let kept = save(&mut world, OrgCredential::Certificate, None, None, today)
        .await
        .unwrap();
    assert_eq!(kept.certificate, record.certificate);
    assert!(test_at(&world, now()).await.ok);

    // Back to a client secret: the certificate's key leaves the keyring.
    let record = save(
        &mut world,
        OrgCredential::Secret,
        Some(ORG_CLIENT_SECRET.into()),
        None,
        today,
    )
    .await
    .unwrap();
    assert!(record.secret_stored);
    assert_eq!(record.certificate, None);
    assert!(!world.credentials.has_org_certificate().unwrap());
    assert_eq!(world.store.org_certificate_pem().unwrap(), None);
    assert!(test_at(&world, now()).await.ok);
}

#[tokio::test]
async fn the_sync_job_reminds_of_the_certificate_and_repeats_it_when_it_fails() {
    let mut world = world().await;
    let start = now();
    let pem = other_certificate(10);
    upload(&world, certificate_part(&pem)).await;
    let record = import(&mut world, &pem, start.date_naive()).await.unwrap();
    let expires = record.certificate.unwrap().not_after.date_naive();
    let room = world.resource;
    link_down(&mut world, room, m365_emulator::MEGAN_ID, start).await;
    let job = SyncJob::add(&mut world, "Linked calendars", start);
    let run_at = |at| job.run_at(&world.credentials, at);

    let first = run_at(start).await;
    assert!(first.outcome.succeeded, "{:?}", first.outcome.failures);
    let reminder = first.mail.expect("the first run of the day reminds");
    assert!(
        reminder
            .subject
            .contains("the organisation's certificate expires"),
        "{}",
        reminder.subject
    );
    assert!(
        reminder
            .body
            .contains(&format!("expires on {expires} (in 10 days)")),
        "{}",
        reminder.body
    );

    // Twelve days later (on both sides) the certificate has expired: the sync fails for the
    // linked mailbox with the reason, and the failure mail repeats the warning.
    advance_emulator_clock(&world, Duration::days(12)).await;
    let later = run_at(start + Duration::days(12)).await;
    assert!(!later.outcome.succeeded);
    let failure = later.mail.expect("a failure mail");
    assert!(
        failure.body.contains("AADSTS1000502")
            && failure.body.contains(&format!("expired on {expires}")),
        "{}",
        failure.body
    );
}
