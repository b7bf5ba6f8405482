//! Sync test support: a store with a resource, accounts connected through the emulator's sign-in
//! pages (refresh tokens in the real keyring), Outlook-side edits and the request log.

#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;

use chrono::{DateTime, Utc};
use quick3_core::Store;
use quick3_core::api::{self, SyncScope};
use quick3_core::identity::{Credentials, DEEP_LINK_REDIRECT, Keyring};
use quick3_core::ids::ResourceId;
use quick3_core::model::{Account, Direction, NewAccount, NewResource, ResourceKind};
use quick3_core::sync::{SyncOptions, SyncProgress, SyncSummary};
use serde_json::{Value, json};

use crate::support::{self, Tenant};

pub mod series;

pub const MEGAN: &str = "megan.bowen@contoso.example";
pub const ADELE: &str = "adele.vance@contoso.example";
pub const ALEX: &str = "alex.wilber@contoso.example";
pub const PASSWORD: &str = "Demo-pass-1";

pub struct World {
    pub tenant: Tenant,
    pub store: Store,
    pub credentials: Credentials,
    pub resource: ResourceId,
    pub dir: tempfile::TempDir,
    /// The store's installation id: its keyring's service is `quick3-planner/{installation}`.
    pub installation: String,
}

pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// A tenant with empty calendars (the demo tenant, reseeded empty) and a store with one resource.
pub async fn world() -> World {
    world_with_seed(json!("empty")).await
}

pub async fn world_with_seed(seed: Value) -> World {
    let tenant = support::demo_tenant().await;
    let status = tenant
        .admin
        .post(format!("{}/seed", tenant.emulator.admin()))
        .json(&json!({ "seed": seed }))
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_success(), "reseed: {status}");
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("q.db")).unwrap();
    store.set_default_zone("Europe/Berlin").unwrap();
    let resource = store
        .add_resource(
            NewResource {
                name: "Megan".into(),
                email: None,
                kind: ResourceKind::Person,
                colour: None,
                hours: None,
            },
            now(),
        )
        .unwrap()
        .id;
    let installation = store.installation_id().unwrap();
    let credentials = Credentials::new(
        tenant.endpoints.clone(),
        Keyring::for_installation(&installation),
    )
    .unwrap();
    World {
        tenant,
        store,
        credentials,
        resource,
        dir,
        installation,
    }
}

impl World {
    /// Adds an account and signs it in through the emulator's pages.
    pub async fn connect(&mut self, email: &str, direction: Direction) -> Account {
        let account = self
            .store
            .add_account(
                NewAccount {
                    resource_id: self.resource,
                    email: email.into(),
                    direction,
                    scopes: vec![],
                },
                now(),
            )
            .unwrap();
        let url = self
            .credentials
            .start_sign_in(&account, DEEP_LINK_REDIRECT, now())
            .unwrap();
        let redirect = self
            .tenant
            .complete_in_browser(url.as_str(), email, PASSWORD, None)
            .await;
        let outcome = self.credentials.complete_sign_in(&redirect, now()).await;
        let result = api::record_sign_in(&mut self.store, &self.credentials, outcome).unwrap();
        assert!(result.connected, "{email} signs in: {result:?}");
        self.store.account(account.id).unwrap()
    }

    pub async fn sync_with(&mut self, scope: SyncScope, options: &SyncOptions) -> Vec<SyncSummary> {
        api::sync(
            &mut self.store,
            &self.credentials,
            scope,
            options,
            &now,
            &mut |_| {},
        )
        .await
        .unwrap()
    }

    /// Syncs `account` alone, asking for delta pages of `page_size` events; returns its summary.
    pub async fn sync_in_pages_of(&mut self, account: &Account, page_size: u32) -> SyncSummary {
        self.sync_reporting(account, page_size).await.0
    }

    /// Like [`Self::sync_in_pages_of`], also returning the progress reported along the way.
    pub async fn sync_reporting(
        &mut self,
        account: &Account,
        page_size: u32,
    ) -> (SyncSummary, Vec<SyncProgress>) {
        let scope = SyncScope {
            account: Some(account.id),
            resource: None,
        };
        let options = SyncOptions {
            page_size,
            ..SyncOptions::default()
        };
        let mut reported = Vec::new();
        let mut summaries = api::sync(
            &mut self.store,
            &self.credentials,
            scope,
            &options,
            &now,
            &mut |progress| reported.push(progress.clone()),
        )
        .await
        .unwrap();
        (summaries.pop().unwrap(), reported)
    }

    /// Syncs every account with the default options; returns the one summary of `account`.
    pub async fn sync(&mut self, account: &Account) -> SyncSummary {
        let scope = SyncScope {
            account: Some(account.id),
            resource: None,
        };
        self.sync_with(scope, &SyncOptions::default())
            .await
            .pop()
            .unwrap()
    }

    fn admin(&self, path: &str) -> String {
        format!("{}{path}", self.tenant.emulator.admin())
    }

    /// Graph requests in the log since the last clear (identity and admin calls excluded).
    pub async fn graph_requests(&self) -> Vec<Value> {
        self.logged_requests("/v1.0/*").await
    }

    /// Requests in the log since the last clear whose path matches `glob`.
    pub async fn logged_requests(&self, glob: &str) -> Vec<Value> {
        let log: Value = self
            .tenant
            .admin
            .get(self.admin("/requests"))
            .query(&[("path", glob)])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        log["value"].as_array().unwrap().clone()
    }

    /// Sends a request to the emulator's admin API and checks it was accepted.
    pub async fn admin_call(&self, method: reqwest::Method, path: &str, body: Option<Value>) {
        let mut request = self.tenant.admin.request(method, self.admin(path));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let status = request.send().await.unwrap().status();
        assert!(status.is_success(), "admin {path}: {status}");
    }

    pub async fn clear_requests(&self) {
        self.tenant
            .admin
            .delete(self.admin("/requests"))
            .send()
            .await
            .unwrap();
    }

    /// The user's calendars as the admin API shows them: (id, name).
    pub async fn calendars(&self, user: &str) -> Vec<(String, String)> {
        let value: Value = self
            .tenant
            .admin
            .get(self.admin(&format!("/users/{user}/calendars")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        value["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["id"].as_str().unwrap().to_owned(),
                    c["name"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    /// Creates an event as Outlook would; returns it.
    pub async fn outlook_create(&self, user: &str, event: Value) -> Value {
        let response = self
            .tenant
            .admin
            .post(self.admin(&format!("/users/{user}/events")))
            .json(&event)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 201, "Outlook creates {event}");
        response.json().await.unwrap()
    }

    pub async fn outlook_update(&self, user: &str, id: &str, patch: Value) -> Value {
        let response = self
            .tenant
            .admin
            .patch(self.admin(&format!("/users/{user}/events/{id}")))
            .json(&patch)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "Outlook updates {id}");
        response.json().await.unwrap()
    }

    pub async fn outlook_delete(&self, user: &str, id: &str) {
        let response = self
            .tenant
            .admin
            .delete(self.admin(&format!("/users/{user}/events/{id}")))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "Outlook deletes {id}");
    }

    /// Every event of the user as the admin API lists them (single instances and masters).
    pub async fn outlook_events(&self, user: &str) -> Vec<Value> {
        let value: Value = self
            .tenant
            .admin
            .get(self.admin(&format!("/users/{user}/events")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        value["value"].as_array().cloned().unwrap_or_default()
    }

    /// Megan removes a calendar in Outlook (through Graph, as an account that writes may).
    pub async fn remove_calendar(&self, account: &Account, id: &str) {
        let token = self.credentials.access_token(account, now()).await.unwrap();
        let status = self
            .credentials
            .http()
            .delete(format!(
                "{}/me/calendars/{id}",
                self.tenant.emulator.graph()
            ))
            .bearer_auth(token.expose())
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status.as_u16(), 204, "the calendar is removed");
    }

    pub async fn add_fault(&self, rule: Value) {
        let response = self
            .tenant
            .admin
            .post(self.admin("/faults"))
            .json(&rule)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "fault {rule} is accepted");
    }

    pub async fn expire_delta_tokens(&self) {
        self.tenant
            .admin
            .post(self.admin("/delta/expire"))
            .send()
            .await
            .unwrap();
    }

    /// Live appointments of the resource.
    pub fn appointments(&self) -> Vec<quick3_core::model::Appointment> {
        self.store
            .list_appointments(quick3_core::store::AppointmentQuery {
                resource: Some(self.resource),
                ..Default::default()
            })
            .unwrap()
    }

    pub fn titled(&self, title: &str) -> Vec<quick3_core::model::Appointment> {
        self.appointments()
            .into_iter()
            .filter(|a| a.title == title)
            .collect()
    }
}

/// A timed event body in UTC.
pub fn timed(subject: &str, start: &str, end: &str) -> Value {
    json!({"subject": subject, "start": {"dateTime": start, "timeZone": "UTC"}, "end": {"dateTime": end, "timeZone": "UTC"}})
}

/// `YYYY-MM-DD` of a day `days` from now.
/// A sync that has nothing to do: no summary adds, updates, deletes or sees a conflict.
pub fn assert_nothing_changed(summaries: &[SyncSummary]) {
    for summary in summaries {
        assert_eq!(
            (
                summary.added,
                summary.updated,
                summary.deleted,
                summary.conflicts
            ),
            (0, 0, 0, 0),
            "{summary:?}"
        );
    }
}

pub fn day(days: i64) -> String {
    (Utc::now() + chrono::Duration::days(days))
        .date_naive()
        .to_string()
}

/// `n` events "Event 0" … in Megan's Outlook, one a day from tomorrow, 09:00–10:00; their ids.
pub async fn with_events(world: &World, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let d = day(1 + i as i64);
        let event = world
            .outlook_create(
                MEGAN,
                timed(
                    &format!("Event {i}"),
                    &format!("{d}T09:00:00"),
                    &format!("{d}T10:00:00"),
                ),
            )
            .await;
        ids.push(event["id"].as_str().unwrap().to_owned());
    }
    ids
}

pub fn arc<T>(value: T) -> Arc<T> {
    Arc::new(value)
}

impl World {
    /// A Graph GET as the account (for checks the admin API does not offer).
    pub async fn graph_get(&self, account: &Account, path: &str) -> Value {
        let token = self.credentials.access_token(account, now()).await.unwrap();
        let response = self
            .credentials
            .http()
            .get(format!("{}{path}", self.tenant.emulator.graph()))
            .bearer_auth(token.expose())
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "GET {path}: {}",
            response.status()
        );
        response.json().await.unwrap()
    }

    pub async fn graph_post(&self, account: &Account, path: &str, body: &Value) -> Value {
        let token = self.credentials.access_token(account, now()).await.unwrap();
        let response = self
            .credentials
            .http()
            .post(format!("{}{path}", self.tenant.emulator.graph()))
            .bearer_auth(token.expose())
            .json(body)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "POST {path}: {}",
            response.status()
        );
        response.json().await.unwrap()
    }

    /// Events of the user's mailbox with this subject (single instances and masters).
    pub async fn outlook_titled(&self, user: &str, subject: &str) -> Vec<Value> {
        self.outlook_events(user)
            .await
            .into_iter()
            .filter(|e| e["subject"] == subject)
            .collect()
    }

    /// Creates a Quick3 appointment on the resource (a local time in Europe/Berlin).
    pub fn create_local(
        &mut self,
        title: &str,
        start: &str,
        end: &str,
    ) -> quick3_core::model::Appointment {
        self.store
            .create_appointment(
                quick3_core::model::AppointmentInput {
                    resource_id: self.resource,
                    title: title.into(),
                    all_day: false,
                    start: start.into(),
                    end: Some(end.into()),
                    time_zone: None,
                    location: None,
                    notes: None,
                    categories: vec![],
                    show_as: None,
                    sensitivity: None,
                },
                now(),
            )
            .unwrap()
    }

    pub fn rename_local(&mut self, id: quick3_core::ids::AppointmentId, title: &str) {
        self.store
            .edit_appointment(
                id,
                quick3_core::model::AppointmentPatch {
                    title: Some(title.into()),
                    ..Default::default()
                },
                now(),
            )
            .unwrap();
    }
}
