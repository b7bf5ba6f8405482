//! Organisation mode against the emulator: Test settings (success and each failure it explains),
//! links by Object ID and by e-mail, and one sync of many linked mailboxes in which one mailbox
//! fails and another is throttled without stopping the rest.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::org_support;
use crate::sync_support;

use std::time::Duration;

use chrono::{NaiveDate, Utc};
use m365_emulator::{ADELE_ID, ALEX_ID, DEMO_TENANT_ID, FABRIKAM_TENANT_ID, MEGAN_ID};
use org_support::{SyncJob, link_down};
use quick3_core::ErrorCode;
use quick3_core::api::SyncScope;
use quick3_core::api::organisation::{
    link_mailbox, org_settings, set_org_settings, test_org_settings,
};
use quick3_core::graph::RetryPolicy;
use quick3_core::identity::Secret;
use quick3_core::ids::ResourceId;
use quick3_core::model::{
    Account, Appointment, Direction, FailureNotice, Frequency, FrequencyUnit, JobKind, JobScope,
    JobSpec, NewOrgLink, NewResource, OrgMailbox, OrgSettings, ResourceKind,
};
use quick3_core::store::ResolvedMailbox;
use quick3_core::sync::{SyncOptions, SyncSummary};
use serde_json::json;
use sync_support::*;

fn settings(tenant: &str, expires: Option<NaiveDate>) -> OrgSettings {
    OrgSettings {
        tenant: tenant.into(),
        client_id: m365_emulator::ORG_CLIENT_ID.into(),
        credential: quick3_core::model::OrgCredential::Secret,
        secret_expires: expires,
        directions: vec![],
    }
}

async fn organisation(world: &mut World, tenant: &str, secret: &str) {
    set_org_settings(
        &mut world.store,
        &world.credentials,
        settings(tenant, None),
        Some(Secret::new(secret)),
        Utc::now().date_naive(),
    )
    .await
    .unwrap();
}

fn resource(world: &mut World, name: &str) -> ResourceId {
    world
        .store
        .add_resource(
            NewResource {
                name: name.into(),
                email: None,
                kind: ResourceKind::Room,
                colour: None,
                hours: None,
            },
            now(),
        )
        .unwrap()
        .id
}

/// Every request in the emulator's log, identity endpoints included.
async fn all_requests(world: &World) -> Vec<serde_json::Value> {
    let log: serde_json::Value = world
        .tenant
        .admin
        .get(format!("{}/requests", world.tenant.emulator.admin()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    log["value"].as_array().unwrap().clone()
}

async fn problem_of(world: &World) -> Option<ErrorCode> {
    let report = test_org_settings(&world.store, &world.credentials, None, now())
        .await
        .unwrap();
    assert_eq!(report.ok, report.problem.is_none(), "{report:?}");
    report.problem.map(|p| p.code)
}

#[tokio::test]
async fn test_settings_reads_a_user_and_a_calendar_with_the_right_secret() {
    let mut world = world().await;
    organisation(&mut world, DEMO_TENANT_ID, m365_emulator::ORG_CLIENT_SECRET).await;
    let report = test_org_settings(&world.store, &world.credentials, Some(MEGAN), now())
        .await
        .unwrap();
    assert!(report.ok && report.token, "{report:?}");
    assert_eq!(
        report.user.as_deref(),
        Some("Megan Bowen <megan.bowen@contoso.example>")
    );
    assert!(report.calendar.is_some(), "one calendar was read");
}

#[tokio::test]
async fn test_settings_says_when_the_app_reaches_mailboxes_no_resource_is_linked_to() {
    let mut world = world().await;
    organisation(&mut world, DEMO_TENANT_ID, m365_emulator::ORG_CLIENT_SECRET).await;
    let room = resource(&mut world, "Boardroom");
    let megan = link(&mut world, room, MEGAN, Direction::Down).await;
    let megan_id = megan.organisation.unwrap().object_id;

    // The app's permission reaches the whole organisation.
    let report = test_org_settings(&world.store, &world.credentials, None, now())
        .await
        .unwrap();
    assert!(report.ok, "{report:?}");
    let warning = report
        .scope_warning
        .expect("an unlinked mailbox was readable: the planner is told");
    assert!(
        warning.contains("no resource is linked to")
            && warning.contains("RBAC for Applications")
            && warning.contains("quick3 daemon"),
        "{warning}"
    );

    // Scoped to the linked mailbox, the same test is quiet.
    admin(
        &world,
        reqwest::Method::PUT,
        &format!(
            "/tenants/{DEMO_TENANT_ID}/apps/{}/access-policy",
            m365_emulator::ORG_CLIENT_ID
        ),
        json!({ "allow": [megan_id] }),
    )
    .await;
    let scoped = test_org_settings(&world.store, &world.credentials, None, now())
        .await
        .unwrap();
    assert!(scoped.ok, "{scoped:?}");
    assert_eq!(scoped.scope_warning, None, "{scoped:?}");
}

#[tokio::test]
async fn test_settings_names_each_missing_piece() {
    let mut world = world().await;
    assert_eq!(
        problem_of(&world).await,
        Some(ErrorCode::OrgNotConfigured),
        "nothing entered yet"
    );

    organisation(&mut world, DEMO_TENANT_ID, "not-the-secret").await;
    assert_eq!(problem_of(&world).await, Some(ErrorCode::OrgWrongSecret));

    // The app exists, but no administrator of Fabrikam granted it application permissions.
    organisation(
        &mut world,
        FABRIKAM_TENANT_ID,
        m365_emulator::ORG_CLIENT_SECRET,
    )
    .await;
    let report = test_org_settings(&world.store, &world.credentials, None, now())
        .await
        .unwrap();
    let problem = report.problem.unwrap();
    assert_eq!(problem.code, ErrorCode::OrgPermissionNotGranted);
    assert!(report.token, "a token without permissions is still issued");
    assert!(
        problem.message.contains("Grant admin consent"),
        "{}",
        problem.message
    );

    // Users can be read, but Exchange keeps the app out of the mailbox (application access policy).
    organisation(&mut world, DEMO_TENANT_ID, m365_emulator::ORG_CLIENT_SECRET).await;
    admin(
        &world,
        reqwest::Method::PUT,
        &format!(
            "/tenants/{DEMO_TENANT_ID}/apps/{}/access-policy",
            m365_emulator::ORG_CLIENT_ID
        ),
        json!({"allow": [MEGAN]}),
    )
    .await;
    let allowed = test_org_settings(&world.store, &world.credentials, Some(MEGAN), now())
        .await
        .unwrap();
    assert!(allowed.ok, "the mailbox the policy allows: {allowed:?}");
    let report = test_org_settings(&world.store, &world.credentials, Some(ADELE), now())
        .await
        .unwrap();
    assert!(report.user.is_some(), "the user was read: {report:?}");
    let problem = report.problem.unwrap();
    assert_eq!(problem.code, ErrorCode::OrgMailboxRestricted);
    assert!(problem.message.contains(ADELE), "{}", problem.message);
}

#[tokio::test]
async fn the_secret_expiry_is_warned_about_thirty_days_ahead() {
    let mut world = world().await;
    let expires: NaiveDate = "2027-03-31".parse().unwrap();
    set_org_settings(
        &mut world.store,
        &world.credentials,
        settings(DEMO_TENANT_ID, Some(expires)),
        Some(Secret::new(m365_emulator::ORG_CLIENT_SECRET)),
        "2027-01-01".parse().unwrap(),
    )
    .await
    .unwrap();
    let on = |day: &str| {
        org_settings(&world.store, &world.credentials, day.parse().unwrap())
            .unwrap()
            .unwrap()
    };
    assert_eq!(on("2027-02-28").expiry_warning, None, "31 days ahead");
    let record = on("2027-03-21");
    assert!(record.secret_stored);
    let warning = record.expiry_warning.unwrap();
    assert!(
        warning.contains("2027-03-31") && warning.contains("in 10 days"),
        "{warning}"
    );
    let late = "2027-04-02T08:00:00Z".parse().unwrap();
    let report = test_org_settings(&world.store, &world.credentials, None, late)
        .await
        .unwrap();
    assert!(
        report
            .expiry_warning
            .unwrap()
            .contains("expired on 2027-03-31"),
        "Test settings repeats the warning with the clock passed in"
    );
}

#[tokio::test]
async fn resources_link_by_object_id_and_by_e_mail_with_the_users_name() {
    let mut world = world().await;
    organisation(&mut world, DEMO_TENANT_ID, m365_emulator::ORG_CLIENT_SECRET).await;
    let room = resource(&mut world, "Room 1");
    let by_id = link_mailbox(
        &mut world.store,
        &world.credentials,
        NewOrgLink {
            resource_id: room,
            mailbox: MEGAN_ID.into(),
            direction: Direction::Down,
            calendars: vec![],
        },
        now(),
    )
    .await
    .unwrap();
    assert_eq!(by_id.email, MEGAN);
    assert_eq!(
        by_id.organisation,
        Some(OrgMailbox {
            object_id: MEGAN_ID.into(),
            display_name: "Megan Bowen".into()
        })
    );
    let by_mail = link_mailbox(
        &mut world.store,
        &world.credentials,
        NewOrgLink {
            resource_id: world.resource,
            mailbox: ADELE.into(),
            direction: Direction::UpAndDown,
            calendars: vec!["calendar".into()],
        },
        now(),
    )
    .await
    .unwrap();
    assert_eq!(by_mail.organisation.unwrap().object_id, ADELE_ID);

    let before = world.store.all_accounts().unwrap().len();
    for (mailbox, calendars, code) in [
        ("nobody@contoso.example", vec![], ErrorCode::OrgUserNotFound),
        (
            ALEX,
            vec!["Holidays".to_owned()],
            ErrorCode::OrgUnknownCalendar,
        ),
    ] {
        let err = link_mailbox(
            &mut world.store,
            &world.credentials,
            NewOrgLink {
                resource_id: room,
                mailbox: mailbox.into(),
                direction: Direction::Down,
                calendars,
            },
            now(),
        )
        .await
        .unwrap_err();
        assert_eq!(err.code(), code, "{err}");
    }
    assert_eq!(
        world.store.all_accounts().unwrap().len(),
        before,
        "refused links write nothing"
    );
}

#[tokio::test]
async fn one_sync_serves_many_mailboxes_and_one_failing_stops_none() {
    let mut world = world().await;
    organisation(&mut world, DEMO_TENANT_ID, m365_emulator::ORG_CLIENT_SECRET).await;
    let d = day(3);
    let mut linked = Vec::new();
    for (user, object_id) in [(MEGAN, MEGAN_ID), (ADELE, ADELE_ID), (ALEX, ALEX_ID)] {
        world
            .outlook_create(
                user,
                timed(
                    &format!("Meeting of {user}"),
                    &format!("{d}T09:00:00"),
                    &format!("{d}T10:00:00"),
                ),
            )
            .await;
        let room = resource(&mut world, user);
        let link = link_mailbox(
            &mut world.store,
            &world.credentials,
            NewOrgLink {
                resource_id: room,
                mailbox: object_id.into(),
                direction: Direction::Down,
                calendars: vec![],
            },
            now(),
        )
        .await
        .unwrap();
        linked.push(link);
    }
    // A user deleted after the link was made.
    let gone_room = resource(&mut world, "Former employee");
    let gone = world
        .store
        .add_org_link(
            gone_room,
            &ResolvedMailbox {
                mailbox: OrgMailbox {
                    object_id: "0f0f0f0f-0000-4000-8000-000000000000".into(),
                    display_name: "Former Employee".into(),
                },
                email: "former@contoso.example".into(),
                calendars: vec![("AAMkGone".into(), "Calendar".into(), true)],
                selected: vec!["AAMkGone".into()],
            },
            Direction::Down,
            now(),
        )
        .unwrap();
    // Adele's mailbox is throttled twice.
    world
        .add_fault(
            json!({"path": format!("/v1.0/users/{ADELE_ID}/calendars/*"), "count": 2,
            "kind": "status", "status": 429, "retryAfter": 1}),
        )
        .await;
    world.clear_requests().await;
    let options = SyncOptions {
        retry: RetryPolicy {
            max_delay: Duration::from_millis(20),
            ..RetryPolicy::default()
        },
        ..SyncOptions::default()
    };
    let summaries = world.sync_with(SyncScope::default(), &options).await;
    assert_eq!(summaries.len(), 4, "every link is synced");
    for link in &linked {
        let summary = summaries.iter().find(|s| s.account_id == link.id).unwrap();
        assert_eq!(summary.errors, Vec::<String>::new(), "{}", link.email);
        assert_eq!(summary.added, 1, "{} pulled its meeting", link.email);
    }
    let failed = summaries.iter().find(|s| s.account_id == gone.id).unwrap();
    assert!(
        failed
            .errors
            .iter()
            .any(|e| e.contains("Former Employee") && e.contains("no longer exists")),
        "the failure names the mailbox and why: {:?}",
        failed.errors
    );
    let log = all_requests(&world).await;
    let throttled = log
        .iter()
        .filter(|r| r["path"].as_str().unwrap().contains(ADELE_ID) && r["status"] == 429)
        .count();
    assert_eq!(throttled, 2, "Adele's mailbox was throttled and retried");
    let tokens = log
        .iter()
        .filter(|r| r["path"].as_str().unwrap().ends_with("/oauth2/v2.0/token"))
        .count();
    assert!(
        tokens <= 1,
        "one application token serves every mailbox ({tokens} asked)"
    );

    // Nothing changed: exactly one request per linked calendar.
    world.clear_requests().await;
    let again = world.sync_with(SyncScope::default(), &options).await;
    for link in &linked {
        let requests = world
            .graph_requests()
            .await
            .into_iter()
            .filter(|r| {
                r["path"].as_str().unwrap().starts_with(&format!(
                    "/v1.0/users/{}/",
                    link.organisation.as_ref().unwrap().object_id
                ))
            })
            .count();
        let calendars = world
            .store
            .sync_calendars(link.id)
            .unwrap()
            .into_iter()
            .filter(|c| c.selected)
            .count();
        assert_eq!(
            requests, calendars,
            "{}: one delta request per calendar",
            link.email
        );
        let summary = again.iter().find(|s| s.account_id == link.id).unwrap();
        assert_eq!((summary.added, summary.updated, summary.deleted), (0, 0, 0));
    }
    assert_eq!(
        world.store.account(gone.id).unwrap().status,
        quick3_core::model::AccountStatus::Error
    );

    // The scheduled job syncs every link and lists the failed resource with its reason.
    let job = quick3_core::api::add_job(
        &mut world.store,
        JobSpec {
            name: "Synchronize Office365 Calendars".into(),
            kind: JobKind::SynchronizeOffice365Calendars,
            frequency: Frequency {
                every: 15,
                unit: FrequencyUnit::Minutes,
            },
            enabled: true,
            active_hours: None,
            scope: JobScope::AllResources,
            notify: FailureNotice::default(),
        },
        now(),
    )
    .unwrap();
    let path = world.store.path().unwrap().to_path_buf();
    let outcome = quick3_core::jobs::work::run(&path, &world.credentials, &job, &now).await;
    assert!(!outcome.succeeded);
    assert_eq!(
        outcome.failures.len(),
        1,
        "only the deleted mailbox failed: {:?}",
        outcome.failures
    );
    assert!(
        outcome.failures[0].starts_with("Former employee: former@contoso.example: the mailbox"),
        "{}",
        outcome.failures[0]
    );
    assert_eq!(outcome.counts["accounts"], 4);
}

/// Sends an admin API request to the emulator and checks it was accepted.
async fn admin(world: &World, method: reqwest::Method, path: &str, body: serde_json::Value) {
    let response = world
        .tenant
        .admin
        .request(method, format!("{}{path}", world.tenant.emulator.admin()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
}

#[tokio::test]
async fn an_expired_secret_is_named_with_its_expiry_date() {
    let mut world = world().await;
    let expires: NaiveDate = "2026-10-31".parse().unwrap();
    set_org_settings(
        &mut world.store,
        &world.credentials,
        settings(DEMO_TENANT_ID, Some(expires)),
        Some(Secret::new(m365_emulator::ORG_CLIENT_SECRET)),
        "2026-10-01".parse().unwrap(),
    )
    .await
    .unwrap();
    // Microsoft Entra → Certificates & secrets: the secret's end date has passed.
    admin(
        &world,
        reqwest::Method::PUT,
        &format!("/apps/{}/secret", m365_emulator::ORG_CLIENT_ID),
        json!({"expiresAt": now() - chrono::Duration::minutes(1)}),
    )
    .await;
    let report = test_org_settings(&world.store, &world.credentials, None, now())
        .await
        .unwrap();
    assert!(!report.token);
    let problem = report.problem.unwrap();
    assert_eq!(problem.code, ErrorCode::OrgSecretExpired);
    assert!(
        problem.message.contains("2026-10-31") && problem.message.contains("AADSTS7000222"),
        "{}",
        problem.message
    );
}

#[tokio::test]
async fn revoked_application_permissions_are_named_at_the_next_test() {
    let mut world = world().await;
    organisation(&mut world, DEMO_TENANT_ID, m365_emulator::ORG_CLIENT_SECRET).await;
    assert_eq!(problem_of(&world).await, None, "works before");
    let revoke = format!(
        "/tenants/{DEMO_TENANT_ID}/apps/{}/revoke-roles",
        m365_emulator::ORG_CLIENT_ID
    );
    admin(
        &world,
        reqwest::Method::POST,
        &revoke,
        json!({"roles": ["Calendars.ReadWrite"]}),
    )
    .await;
    let report = test_org_settings(&world.store, &world.credentials, Some(MEGAN), now())
        .await
        .unwrap();
    assert!(
        report.user.is_some(),
        "users are still readable: {report:?}"
    );
    let problem = report.problem.unwrap();
    assert_eq!(problem.code, ErrorCode::OrgPermissionNotGranted);
    assert!(
        problem.message.contains("Calendars.ReadWrite")
            && problem.message.contains("Grant admin consent"),
        "{}",
        problem.message
    );

    admin(&world, reqwest::Method::POST, &revoke, json!({})).await;
    let problem = test_org_settings(&world.store, &world.credentials, Some(MEGAN), now())
        .await
        .unwrap()
        .problem
        .unwrap();
    assert_eq!(problem.code, ErrorCode::OrgPermissionNotGranted);
    assert!(
        problem.message.contains("User.Read.All"),
        "{}",
        problem.message
    );
}

#[tokio::test]
async fn the_application_token_is_renewed_once_and_only_near_its_expiry() {
    let mut world = world().await;
    organisation(&mut world, DEMO_TENANT_ID, m365_emulator::ORG_CLIENT_SECRET).await;
    let settings = world.store.org_settings().unwrap().unwrap();
    let start = now();
    world.clear_requests().await;
    let token_requests = |log: Vec<serde_json::Value>| {
        log.iter()
            .filter(|r| r["path"].as_str().unwrap().ends_with("/oauth2/v2.0/token"))
            .count()
    };
    let many = futures_util::future::join_all(
        (0..8).map(|_| world.credentials.app_token(&settings, start)),
    )
    .await;
    assert!(many.iter().all(Result::is_ok));
    assert_eq!(
        token_requests(all_requests(&world).await),
        1,
        "eight mailboxes asking at once share one token request"
    );
    let later = world
        .credentials
        .app_token(&settings, start + chrono::Duration::minutes(50))
        .await
        .unwrap();
    assert_eq!(
        later,
        many[0].clone().unwrap(),
        "50 minutes in, the token is kept"
    );
    assert_eq!(token_requests(all_requests(&world).await), 1);
    world
        .credentials
        .app_token(&settings, start + chrono::Duration::minutes(56))
        .await
        .unwrap();
    assert_eq!(
        token_requests(all_requests(&world).await),
        2,
        "less than five minutes left: renewed ahead of expiry"
    );
}

#[tokio::test]
async fn the_windows_doors_are_for_administrators_only() {
    use quick3_core::api::organisation::administrator;
    let mut world = world().await;
    let today = now().date_naive();
    let refused = administrator::save_settings(
        &mut world.store,
        &world.credentials,
        settings(DEMO_TENANT_ID, None),
        Some(m365_emulator::ORG_CLIENT_SECRET.into()),
        None,
        today,
    )
    .await
    .unwrap_err();
    assert_eq!(refused.code(), ErrorCode::OrgNotAdministrator);
    assert_eq!(
        world.store.org_settings().unwrap(),
        None,
        "a refused planner wrote nothing"
    );
    assert_eq!(
        administrator::settings(&world.store, &world.credentials, today)
            .unwrap_err()
            .code(),
        ErrorCode::OrgNotAdministrator
    );

    world.store.set_administrator(true).unwrap();
    administrator::save_settings(
        &mut world.store,
        &world.credentials,
        settings(DEMO_TENANT_ID, None),
        Some(m365_emulator::ORG_CLIENT_SECRET.into()),
        None,
        today,
    )
    .await
    .unwrap();
    let found = administrator::look_up(&world.store, &world.credentials, MEGAN, now())
        .await
        .unwrap();
    assert_eq!(
        (found.object_id.as_str(), found.display_name.as_str()),
        (MEGAN_ID, "Megan Bowen"),
        "found by e-mail, shown by name"
    );
    assert!(
        found
            .calendars
            .iter()
            .any(|c| c.is_default && c.name == "Calendar"),
        "{:?}",
        found.calendars
    );
    assert!(
        world.store.org_links().unwrap().is_empty(),
        "looking up links nothing"
    );

    // Removing a link through the account menu's Remove is an administrator's door too.
    let link = administrator::link(
        &mut world.store,
        &world.credentials,
        NewOrgLink {
            resource_id: world.resource,
            mailbox: MEGAN.into(),
            direction: Direction::Down,
            calendars: vec![],
        },
        now(),
    )
    .await
    .unwrap();
    world.store.set_administrator(false).unwrap();
    let refused = administrator::remove_account(
        &mut world.store,
        Some(&world.credentials),
        link.id,
        true,
        now(),
    )
    .unwrap_err();
    assert_eq!(refused.code(), ErrorCode::OrgNotAdministrator);
    assert_eq!(world.store.org_links().unwrap().len(), 1, "the link stays");
    world.store.set_administrator(true).unwrap();
    administrator::remove_account(
        &mut world.store,
        Some(&world.credentials),
        link.id,
        true,
        now(),
    )
    .unwrap();
    assert!(world.store.org_links().unwrap().is_empty());
}

/// A secret store that holds nothing: the test SMTP server needs no login.
#[derive(Debug)]
struct NoSecrets;

impl quick3_core::identity::SecretStore for NoSecrets {
    fn get(&self, _: &str) -> Result<Option<Secret>, quick3_core::identity::IdentityError> {
        Ok(None)
    }
    fn set(&self, _: &str, _: &Secret) -> Result<(), quick3_core::identity::IdentityError> {
        Ok(())
    }
    fn delete(&self, _: &str) -> Result<(), quick3_core::identity::IdentityError> {
        Ok(())
    }
}

#[tokio::test]
async fn the_sync_job_mails_the_secret_expiry_warning_once_a_day_through_a_real_smtp_server() {
    use quick3_core::mail::{self, SmtpSecurity, SmtpSettings};

    let address = std::env::var("QUICK3_TEST_SMTP")
        .expect("QUICK3_TEST_SMTP is not set: start tests/smtp/serve.sh first");
    let maildir = std::path::PathBuf::from(std::env::var("QUICK3_TEST_MAILDIR").unwrap());
    let (host, port) = address.rsplit_once(':').unwrap();
    let smtp = SmtpSettings {
        host: host.into(),
        port: port.parse().unwrap(),
        security: SmtpSecurity::None,
        username: String::new(),
        sender: "planner@contoso.example".into(),
    }
    .validate()
    .unwrap();

    let mut world = world().await;
    let start = now();
    let expires = start.date_naive() + chrono::Days::new(10);
    set_org_settings(
        &mut world.store,
        &world.credentials,
        settings(DEMO_TENANT_ID, Some(expires)),
        Some(Secret::new(m365_emulator::ORG_CLIENT_SECRET)),
        start.date_naive(),
    )
    .await
    .unwrap();
    let room = resource(&mut world, "Room 1");
    link_down(&mut world, room, MEGAN_ID, start).await;
    let name = format!("Linked calendars {}", uuid_like());
    let job = SyncJob::add(&mut world, &name, start);
    let run_at = |at| job.run_at(&world.credentials, at);

    let first = run_at(start).await;
    assert!(first.outcome.succeeded, "{:?}", first.outcome.failures);
    let reminder = first.mail.expect("the first run of the day reminds");
    assert!(
        reminder.subject.contains("client secret expires"),
        "{}",
        reminder.subject
    );
    mail::send(&smtp, &NoSecrets, &reminder).await.unwrap();
    let delivered = std::fs::read_dir(maildir.join("new"))
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.unwrap().path()).ok())
        .find(|text| text.contains(&name))
        .expect("the reminder is in the server's mailbox");
    assert!(
        delivered.contains(&format!("expires on {expires} (in 10 days)")),
        "{delivered}"
    );

    let later = run_at(start + chrono::Duration::minutes(15)).await;
    assert!(
        later.mail.is_none(),
        "a second run the same day mails nothing: {:?}",
        later.mail
    );

    // The secret has expired by the next day's first run, and the mailbox fails too: the failure
    // mail lists the failed resource and repeats the warning.
    world
        .add_fault(
            json!({"path": format!("/v1.0/users/{MEGAN_ID}/*"), "kind": "status", "status": 403}),
        )
        .await;
    let next_day = run_at(start + chrono::Duration::days(11)).await;
    assert!(!next_day.outcome.succeeded);
    let failure = next_day.mail.expect("a failure mail");
    assert!(failure.body.contains("Room 1: "), "{}", failure.body);
    assert!(
        failure.body.contains(&format!("expired on {expires}")),
        "{}",
        failure.body
    );
}

fn uuid_like() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        Utc::now().timestamp_nanos_opt().unwrap_or_default()
    )
}

#[tokio::test]
async fn every_request_to_a_linked_mailbox_counts_against_its_budget() {
    let mut world = world().await;
    organisation(&mut world, DEMO_TENANT_ID, m365_emulator::ORG_CLIENT_SECRET).await;
    let room = resource(&mut world, "Room 1");
    link_mailbox(
        &mut world.store,
        &world.credentials,
        NewOrgLink {
            resource_id: room,
            mailbox: MEGAN_ID.into(),
            direction: Direction::Down,
            calendars: vec![],
        },
        now(),
    )
    .await
    .unwrap();
    let key = format!("app {}:/users/{MEGAN_ID}", m365_emulator::ORG_CLIENT_ID);
    let before = world.credentials.budget().used(&key);
    world.clear_requests().await;
    world
        .sync_with(SyncScope::default(), &SyncOptions::default())
        .await;
    let sent = world
        .graph_requests()
        .await
        .into_iter()
        .filter(|r| {
            r["path"]
                .as_str()
                .unwrap()
                .starts_with(&format!("/v1.0/users/{MEGAN_ID}/"))
        })
        .count();
    assert!(sent > 0);
    assert_eq!(
        world.credentials.budget().used(&key) - before,
        sent,
        "the budget counted each request Microsoft saw"
    );
}

#[tokio::test]
async fn an_organisation_link_whose_user_lost_the_licence_is_named_and_goes_on_once_it_is_back() {
    let mut world = world().await;
    let (scene, pushed) = linked_megan_and_adele(&mut world).await;
    let before = uploads_waiting(&mut world, &scene, &pushed);
    let (megan, megan_room) = (&scene.megan, scene.megan_room);
    let licence = format!("/users/{MEGAN_ID}/mailbox-licence");
    world
        .admin_call(reqwest::Method::DELETE, &licence, None)
        .await;
    let summaries = adele_meeting_then_sync(&mut world).await;
    assert_link_gone(
        &world,
        &scene,
        &summaries,
        &[
            "has no Exchange Online licence",
            "once the licence is given back",
        ],
        &before,
    );

    world.admin_call(reqwest::Method::PUT, &licence, None).await;
    let summaries = world
        .sync_with(SyncScope::default(), &SyncOptions::default())
        .await;
    let back = summaries.iter().find(|s| s.account_id == megan.id).unwrap();
    assert!(back.errors.is_empty(), "{back:?}");
    assert_eq!(
        (back.added, back.updated, back.conflicts),
        (1, 1, 0),
        "{back:?}"
    );
    assert_eq!(
        world.store.account(megan.id).unwrap().status,
        quick3_core::model::AccountStatus::Connected
    );
    assert_eq!(world.store.outbox_len(megan.id).unwrap(), 0);
    assert_eq!(world.outlook_titled(MEGAN, "Edited locally").await.len(), 1);
    assert_eq!(world.outlook_titled(MEGAN, "New locally").await.len(), 1);
    assert!(world.outlook_titled(MEGAN, "Pushed").await.is_empty());
    assert_eq!(titles_of(&world, megan_room), before, "no duplicates");
    let quiet = world
        .sync_with(SyncScope::default(), &SyncOptions::default())
        .await;
    assert_nothing_changed(&quiet);
}

/// Megan's room linked Up and Down and Adele's room Down through the organisation, twelve
/// events pulled from Megan's calendar and one local appointment pushed to it (returned).
struct LinkedScene {
    megan: Account,
    adele: Account,
    megan_room: ResourceId,
    adele_room: ResourceId,
}

async fn linked_megan_and_adele(world: &mut World) -> (LinkedScene, Appointment) {
    organisation(world, DEMO_TENANT_ID, m365_emulator::ORG_CLIENT_SECRET).await;
    for n in 0..12 {
        let d = day(1 + n);
        world
            .outlook_create(
                MEGAN,
                timed(
                    &format!("Pulled {n}"),
                    &format!("{d}T09:00:00"),
                    &format!("{d}T10:00:00"),
                ),
            )
            .await;
    }
    let megan_room = resource(world, "Megan's room");
    let adele_room = resource(world, "Adele's room");
    let megan = link(world, megan_room, MEGAN_ID, Direction::UpAndDown).await;
    let adele = link(world, adele_room, ADELE_ID, Direction::Down).await;
    world.resource = megan_room;
    let d = day(3);
    let pushed = world.create_local("Pushed", &format!("{d}T08:00"), &format!("{d}T09:00"));
    world
        .sync_with(SyncScope::default(), &SyncOptions::default())
        .await;
    let scene = LinkedScene {
        megan,
        adele,
        megan_room,
        adele_room,
    };
    (scene, pushed)
}

/// `pushed` edited and one new appointment: two uploads wait for Megan. Returns the titles of
/// Megan's room.
fn uploads_waiting(world: &mut World, scene: &LinkedScene, pushed: &Appointment) -> Vec<String> {
    let d = day(3);
    world.rename_local(pushed.id, "Edited locally");
    world.create_local("New locally", &format!("{d}T12:00"), &format!("{d}T13:00"));
    assert_eq!(world.store.outbox_len(scene.megan.id).unwrap(), 2);
    let before = titles_of(world, scene.megan_room);
    assert_eq!(before.len(), 14, "{before:?}");
    before
}

/// A new meeting in Adele's calendar, then one sync of every link.
async fn adele_meeting_then_sync(world: &mut World) -> Vec<SyncSummary> {
    let d = day(3);
    world
        .outlook_create(
            ADELE,
            timed(
                "Adele's meeting",
                &format!("{d}T09:00:00"),
                &format!("{d}T10:00:00"),
            ),
        )
        .await;

    world
        .sync_with(SyncScope::default(), &SyncOptions::default())
        .await
}

/// What the sync shows while Megan's mailbox is gone: one error naming her mailbox and why
/// (each of `phrases`), nothing done for her, her link marked Error, her room's titles still
/// `before`, both uploads waiting, and Adele's mailbox syncing on.
fn assert_link_gone(
    world: &World,
    scene: &LinkedScene,
    summaries: &[SyncSummary],
    phrases: &[&str],
    before: &[String],
) {
    let megan = &scene.megan;
    let failed = summaries.iter().find(|s| s.account_id == megan.id).unwrap();
    assert_eq!(failed.errors.len(), 1, "{failed:?}");
    assert!(
        failed.errors[0].contains("Megan Bowen")
            && failed.errors[0].contains(MEGAN_ID)
            && phrases
                .iter()
                .all(|phrase| failed.errors[0].contains(phrase)),
        "names the mailbox and why: {:?}",
        failed.errors
    );
    assert_eq!((failed.added, failed.updated, failed.deleted), (0, 0, 0));
    assert_eq!(
        world.store.account(megan.id).unwrap().status,
        quick3_core::model::AccountStatus::Error
    );
    assert_eq!(
        titles_of(world, scene.megan_room),
        before,
        "nothing local deleted"
    );
    assert_eq!(
        world.store.outbox_len(megan.id).unwrap(),
        2,
        "the uploads wait"
    );
    let other = summaries
        .iter()
        .find(|s| s.account_id == scene.adele.id)
        .unwrap();
    assert!(other.errors.is_empty(), "{other:?}");
    assert_eq!(other.added, 1, "the other mailbox keeps syncing");
}

async fn link(
    world: &mut World,
    room: ResourceId,
    object_id: &str,
    direction: Direction,
) -> quick3_core::model::Account {
    link_mailbox(
        &mut world.store,
        &world.credentials,
        NewOrgLink {
            resource_id: room,
            mailbox: object_id.into(),
            direction,
            calendars: vec![],
        },
        now(),
    )
    .await
    .unwrap()
}

fn titles_of(world: &World, room: ResourceId) -> Vec<String> {
    let mut titles: Vec<String> = world
        .store
        .list_appointments(quick3_core::store::AppointmentQuery {
            resource: Some(room),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|a| a.title)
        .collect();
    titles.sort();
    titles
}

#[tokio::test]
async fn a_401_renews_the_application_token_once_for_every_mailbox() {
    let mut world = world().await;
    organisation(&mut world, DEMO_TENANT_ID, m365_emulator::ORG_CLIENT_SECRET).await;
    let megan_room = resource(&mut world, "Megan's room");
    let adele_room = resource(&mut world, "Adele's room");
    let megan = link(&mut world, megan_room, MEGAN_ID, Direction::Down).await;
    let adele = link(&mut world, adele_room, ADELE_ID, Direction::Down).await;
    world
        .sync_with(SyncScope::default(), &SyncOptions::default())
        .await;
    let d = day(2);
    for user in [MEGAN, ADELE] {
        world
            .outlook_create(
                user,
                timed(
                    "After the 401",
                    &format!("{d}T09:00:00"),
                    &format!("{d}T10:00:00"),
                ),
            )
            .await;
    }
    world
        .admin_call(
            reqwest::Method::POST,
            "/tokens/forget-access",
            Some(json!({"clientId": m365_emulator::ORG_CLIENT_ID})),
        )
        .await;
    world.clear_requests().await;
    let summaries = world
        .sync_with(SyncScope::default(), &SyncOptions::default())
        .await;
    for account in [&megan, &adele] {
        let summary = summaries
            .iter()
            .find(|s| s.account_id == account.id)
            .unwrap();
        assert!(summary.errors.is_empty(), "{summary:?}");
        assert_eq!(summary.added, 1, "{summary:?}");
    }
    let log = all_requests(&world).await;
    let tokens = log
        .iter()
        .filter(|r| r["path"].as_str().unwrap().ends_with("/oauth2/v2.0/token"))
        .count();
    assert_eq!(
        tokens, 1,
        "one new application token for both mailboxes: {log:?}"
    );
    for object_id in [MEGAN_ID, ADELE_ID] {
        let of_mailbox: Vec<&serde_json::Value> = log
            .iter()
            .filter(|r| r["path"].as_str().unwrap().contains(object_id))
            .collect();
        assert_eq!(
            of_mailbox.len(),
            2,
            "refused once, asked again once: {of_mailbox:?}"
        );
        assert_eq!(of_mailbox[0]["status"], 401);
        assert_eq!(of_mailbox[1]["status"], 200);
        assert_eq!(of_mailbox[0]["path"], of_mailbox[1]["path"]);
    }
}

#[tokio::test]
async fn a_deleted_mailbox_of_an_organisation_link_is_named_and_deletes_nothing() {
    let mut world = world().await;
    let (scene, pushed) = linked_megan_and_adele(&mut world).await;
    assert_eq!(world.outlook_titled(MEGAN, "Pushed").await.len(), 1);

    let before = uploads_waiting(&mut world, &scene, &pushed);
    world
        .admin_call(reqwest::Method::DELETE, &format!("/users/{MEGAN_ID}"), None)
        .await;
    let summaries = adele_meeting_then_sync(&mut world).await;
    assert_link_gone(
        &world,
        &scene,
        &summaries,
        &["no longer exists in Microsoft 365"],
        &before,
    );
    let adele_room = scene.adele_room;
    assert_eq!(
        titles_of(&world, adele_room),
        vec!["Adele's meeting".to_owned()]
    );
}
