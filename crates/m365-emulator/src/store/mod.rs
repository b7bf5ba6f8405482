//! The emulated directory and mailboxes, and every change made to them.

pub mod fields;
pub mod instances;
pub mod model;
pub mod persist;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::ids::{self, EventRef};
use model::{App, Calendar, ConsentPolicy, Event, Exception, Tenant, User};

/// Why a change to the store was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("The specified object was not found in the store.")]
    NotFound,
    #[error("{0}")]
    InvalidRequest(String),
    #[error("{0}")]
    PropertyValidation(String),
    #[error(
        "A valid TimeZone value must be specified. The following TimeZone value is not supported: '{0}'."
    )]
    TimeZoneNotSupported(String),
    #[error(
        "The change key passed in the request does not match the current change key for the item."
    )]
    ChangeKeyMismatch,
    #[error(
        "An occurrence cannot be moved to or before the day of the previous occurrence, and it cannot be moved to or after the day of the following occurrence."
    )]
    OccurrenceCrossingBoundary,
}

/// Delegated permissions granted to a client: to one user, or to all users of a tenant
/// (admin consent) when `user_id` is `None`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DelegatedGrant {
    pub tenant_id: String,
    pub client_id: String,
    pub user_id: Option<String>,
    pub scopes: BTreeSet<String>,
}

/// Application permissions (app roles) granted to a client in a tenant.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRoleGrant {
    pub tenant_id: String,
    pub client_id: String,
    pub roles: BTreeSet<String>,
}

/// An Exchange application access policy (New-ApplicationAccessPolicy … -AccessRight
/// RestrictAccess): the client's application tokens reach only these mailboxes of the tenant.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessPolicy {
    pub tenant_id: String,
    pub client_id: String,
    /// User ids of the mailboxes the app may reach.
    pub allowed: BTreeSet<String>,
}

/// Everything the emulator knows besides tokens and sync state.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Store {
    pub tenants: BTreeMap<String, Tenant>,
    pub apps: BTreeMap<String, App>,
    pub users: BTreeMap<String, User>,
    pub calendars: BTreeMap<String, Calendar>,
    pub events: HashMap<String, Event>,
    pub delegated_grants: Vec<DelegatedGrant>,
    pub app_role_grants: Vec<AppRoleGrant>,
    #[serde(default)]
    pub access_policies: Vec<AccessPolicy>,
    /// Bumped on every change; persistence writes when it moved.
    #[serde(skip)]
    pub generation: u64,
}

/// Whether a user (or their tenant) already granted a client some scopes.
fn covers(granted: &BTreeSet<String>, wanted: &str) -> bool {
    granted
        .iter()
        .any(|scope| scope.eq_ignore_ascii_case(wanted))
}

impl Store {
    fn touch(&mut self) {
        self.generation += 1;
    }

    /// A tenant by id, domain, or (for `common`/`organizations`) none.
    pub fn tenant(&self, key: &str) -> Option<&Tenant> {
        self.tenants.get(key).or_else(|| {
            self.tenants.values().find(|tenant| {
                tenant.domain.eq_ignore_ascii_case(key) || tenant.id.eq_ignore_ascii_case(key)
            })
        })
    }

    pub fn tenant_mut(&mut self, key: &str) -> Option<&mut Tenant> {
        let id = self.tenant(key)?.id.clone();
        self.touch();
        self.tenants.get_mut(&id)
    }

    /// A user by object id or user principal name (e-mail).
    pub fn user(&self, key: &str) -> Option<&User> {
        self.users.get(key).or_else(|| {
            self.users.values().find(|user| {
                user.mail.eq_ignore_ascii_case(key) || user.id.eq_ignore_ascii_case(key)
            })
        })
    }

    pub fn user_mut(&mut self, key: &str) -> Option<&mut User> {
        let id = self.user(key)?.id.clone();
        self.touch();
        self.users.get_mut(&id)
    }

    pub fn calendars_of(&self, user_id: &str) -> Vec<&Calendar> {
        let mut found: Vec<&Calendar> = self
            .calendars
            .values()
            .filter(|calendar| calendar.user_id == user_id)
            .collect();
        found.sort_by_key(|calendar| (!calendar.is_default, calendar.name.clone()));
        found
    }

    pub fn default_calendar(&self, user_id: &str) -> Option<&Calendar> {
        self.calendars_of(user_id)
            .into_iter()
            .find(|calendar| calendar.is_default)
    }

    /// A calendar of `user_id`.
    pub fn calendar(&self, user_id: &str, calendar_id: &str) -> Option<&Calendar> {
        self.calendars
            .get(calendar_id)
            .filter(|calendar| calendar.user_id == user_id)
    }

    /// Adds a calendar to a mailbox.
    pub fn add_calendar(
        &mut self,
        user_id: &str,
        name: &str,
        color: &str,
        hex_color: &str,
    ) -> Calendar {
        let is_default = self.default_calendar(user_id).is_none();
        let calendar = Calendar {
            id: ids::new_calendar_id(),
            user_id: user_id.to_owned(),
            name: name.to_owned(),
            color: color.to_owned(),
            hex_color: hex_color.to_owned(),
            is_default,
            change_key: ids::new_change_key(),
        };
        self.calendars.insert(calendar.id.clone(), calendar.clone());
        self.touch();
        calendar
    }

    /// Stored items (single instances and series masters) of a user, optionally one calendar.
    pub fn items<'a>(
        &'a self,
        user_id: &'a str,
        calendar_id: Option<&'a str>,
    ) -> impl Iterator<Item = &'a Event> + 'a {
        self.events.values().filter(move |event| {
            event.user_id == user_id && calendar_id.is_none_or(|id| event.calendar_id == id)
        })
    }

    /// The stored item of a user by id.
    pub fn item(&self, user_id: &str, event_id: &str) -> Option<&Event> {
        self.events
            .get(event_id)
            .filter(|event| event.user_id == user_id)
    }

    /// An existing event with this transaction id in the user's mailbox.
    pub fn by_transaction_id(&self, user_id: &str, transaction_id: &str) -> Option<&Event> {
        self.events.values().find(|event| {
            event.user_id == user_id && event.transaction_id.as_deref() == Some(transaction_id)
        })
    }

    /// Creates an event in a calendar from a Graph POST body; a body whose `transactionId` is
    /// already used in the mailbox returns the existing event instead (`false` = not created).
    pub fn create_event(
        &mut self,
        user_id: &str,
        calendar_id: &str,
        body: &Map<String, Value>,
        now: DateTime<Utc>,
    ) -> Result<(Event, bool), StoreError> {
        if self.calendar(user_id, calendar_id).is_none() {
            return Err(StoreError::NotFound);
        }
        if let Some(transaction_id) = body.get("transactionId").and_then(Value::as_str)
            && let Some(existing) = self.by_transaction_id(user_id, transaction_id)
        {
            return Ok((existing.clone(), false));
        }
        let midnight = now.date_naive().and_time(chrono::NaiveTime::MIN);
        let mut event = Event {
            id: ids::new_event_id(),
            calendar_id: calendar_id.to_owned(),
            user_id: user_id.to_owned(),
            created: now,
            last_modified: now,
            change_key: ids::new_change_key(),
            ical_uid: format!(
                "040000008200E00074C5B7101A82E008{}",
                uuid::Uuid::new_v4().simple()
            )
            .to_uppercase(),
            transaction_id: None,
            subject: String::new(),
            body_content_type: "html".to_owned(),
            body: String::new(),
            start: model::ZonedTime {
                date_time: midnight,
                time_zone: "UTC".to_owned(),
            },
            end: model::ZonedTime {
                date_time: midnight,
                time_zone: "UTC".to_owned(),
            },
            is_all_day: false,
            show_as: "busy".to_owned(),
            sensitivity: "normal".to_owned(),
            importance: "normal".to_owned(),
            categories: Vec::new(),
            location: String::new(),
            is_cancelled: false,
            recurrence: None,
            extended_properties: Vec::new(),
            extra: Map::new(),
            exceptions: BTreeMap::new(),
            cancelled_occurrences: Default::default(),
        };
        if !body.contains_key("start") || !body.contains_key("end") {
            return Err(StoreError::InvalidRequest(
                "An event needs both 'start' and 'end'.".to_owned(),
            ));
        }
        if body.get("isAllDay").and_then(Value::as_bool) == Some(true)
            && !body.contains_key("showAs")
        {
            event.show_as = "free".to_owned();
        }
        fields::apply(&mut event, body, true)?;
        fields::validate(&mut event)?;
        self.events.insert(event.id.clone(), event.clone());
        self.touch();
        Ok((event, true))
    }

    /// Checks `If-Match` (`W/"changeKey"`, or `*`) against a current change key.
    pub fn check_if_match(if_match: Option<&str>, change_key: &str) -> Result<(), StoreError> {
        let Some(expected) = if_match else {
            return Ok(());
        };
        let matches = expected
            .split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || tag.trim_start_matches("W/").trim_matches('"') == change_key);
        if matches {
            Ok(())
        } else {
            Err(StoreError::ChangeKeyMismatch)
        }
    }

    /// Applies a PATCH to an item or an occurrence (which becomes an exception).
    pub fn update_event(
        &mut self,
        user_id: &str,
        event_id: &str,
        body: &Map<String, Value>,
        if_match: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        match ids::parse_event_id(event_id).ok_or(StoreError::NotFound)? {
            EventRef::Item(id) => {
                let event = self
                    .events
                    .get(&id)
                    .filter(|event| event.user_id == user_id)
                    .ok_or(StoreError::NotFound)?;
                Self::check_if_match(if_match, &event.change_key)?;
                let mut updated = event.clone();
                fields::apply(&mut updated, body, false)?;
                fields::validate(&mut updated)?;
                if updated.recurrence != event.recurrence
                    || updated.start != event.start
                    || updated.end != event.end
                {
                    // Outlook drops a series' exceptions when its pattern or times change.
                    updated.exceptions.clear();
                    updated.cancelled_occurrences.clear();
                }
                updated.last_modified = now;
                updated.change_key = ids::new_change_key();
                self.events.insert(id.clone(), updated);
                self.touch();
                Ok(id)
            }
            EventRef::Occurrence {
                master_id,
                original_start,
            } => {
                self.update_occurrence(user_id, &master_id, original_start, body, if_match, now)?;
                Ok(event_id.to_owned())
            }
        }
    }

    fn update_occurrence(
        &mut self,
        user_id: &str,
        master_id: &str,
        original_start: NaiveDateTime,
        body: &Map<String, Value>,
        if_match: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let master = self
            .events
            .get(master_id)
            .filter(|event| event.user_id == user_id)
            .ok_or(StoreError::NotFound)?;
        let current = instances::occurrence(master, original_start).ok_or(StoreError::NotFound)?;
        Self::check_if_match(if_match, current.change_key())?;
        let mut overrides = current
            .exception
            .map(|exception| exception.overrides.clone())
            .unwrap_or_default();
        let mut start = current.start.clone();
        let mut end = current.end.clone();
        for (name, value) in body {
            match name.as_str() {
                "start" => start = fields::zoned_time(name, value)?,
                "end" => end = fields::zoned_time(name, value)?,
                "recurrence" | "transactionId" | "id" | "type" | "seriesMasterId" | "changeKey" => {
                }
                _ if name.starts_with("@odata") => {}
                _ => {
                    // Validate through the same rules as for items, on a scratch copy.
                    let mut scratch = master.clone();
                    let mut one = Map::new();
                    one.insert(name.clone(), value.clone());
                    fields::apply(&mut scratch, &one, false)?;
                    overrides.insert(name.clone(), value.clone());
                }
            }
        }
        // An occurrence moved to a time the clocks skip is kept as it takes place (as an item).
        let (start, end) = instances::resolved_span(&start, &end);
        let start_utc = instances::zoned_utc(&start);
        if instances::zoned_utc(&end) < start_utc {
            return Err(StoreError::InvalidRequest(
                "The end time of the event must be after its start time.".to_owned(),
            ));
        }
        // An exception may not move to or past the day of a neighbouring occurrence.
        let zone = crate::timezone::resolve_or_utc(&instances::series_zone(master));
        let new_day = crate::timezone::utc_to_local(start_utc, zone).date();
        if let Some(recurrence) = master.recurrence.as_ref() {
            let dates = crate::recurrence::occurrence_dates(
                recurrence,
                original_start.date() + chrono::Days::new(400),
            );
            if let Some(position) = dates.iter().position(|date| *date == original_start.date()) {
                let before = position.checked_sub(1).and_then(|index| dates.get(index));
                let after = dates.get(position + 1);
                if before.is_some_and(|day| new_day <= *day)
                    || after.is_some_and(|day| new_day >= *day)
                {
                    return Err(StoreError::OccurrenceCrossingBoundary);
                }
            }
        }
        let exception = Exception {
            start,
            end,
            overrides,
            change_key: ids::new_change_key(),
            last_modified: now,
        };
        let master = self.events.get_mut(master_id).ok_or(StoreError::NotFound)?;
        master.exceptions.insert(original_start, exception);
        self.touch();
        Ok(())
    }

    /// The organiser cancelled the meeting: Outlook keeps it in an attendee's calendar with
    /// `isCancelled: true` (a new change key, so delta reports it) until they remove it. Items
    /// only (a whole series for a master); an occurrence is cancelled with `delete_event`.
    pub fn cancel_event(
        &mut self,
        user_id: &str,
        event_id: &str,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let EventRef::Item(id) = ids::parse_event_id(event_id).ok_or(StoreError::NotFound)? else {
            return Err(StoreError::InvalidRequest(
                "An occurrence is cancelled by deleting it; cancel the series or a single event."
                    .to_owned(),
            ));
        };
        let event = self
            .events
            .get_mut(&id)
            .filter(|event| event.user_id == user_id)
            .ok_or(StoreError::NotFound)?;
        event.is_cancelled = true;
        event.last_modified = now;
        event.change_key = ids::new_change_key();
        self.touch();
        Ok(id)
    }

    /// Deletes an item (a whole series for a master) or cancels one occurrence.
    pub fn delete_event(
        &mut self,
        user_id: &str,
        event_id: &str,
        if_match: Option<&str>,
    ) -> Result<(), StoreError> {
        match ids::parse_event_id(event_id).ok_or(StoreError::NotFound)? {
            EventRef::Item(id) => {
                let event = self
                    .events
                    .get(&id)
                    .filter(|event| event.user_id == user_id)
                    .ok_or(StoreError::NotFound)?;
                Self::check_if_match(if_match, &event.change_key)?;
                self.events.remove(&id);
            }
            EventRef::Occurrence {
                master_id,
                original_start,
            } => {
                let master = self
                    .events
                    .get(&master_id)
                    .filter(|event| event.user_id == user_id)
                    .ok_or(StoreError::NotFound)?;
                let current =
                    instances::occurrence(master, original_start).ok_or(StoreError::NotFound)?;
                Self::check_if_match(if_match, current.change_key())?;
                let master = self
                    .events
                    .get_mut(&master_id)
                    .ok_or(StoreError::NotFound)?;
                master.exceptions.remove(&original_start);
                master.cancelled_occurrences.insert(original_start);
            }
        }
        self.touch();
        Ok(())
    }

    /// Delegated scopes this user has already granted the client (own or tenant-wide grants).
    pub fn granted_scopes(
        &self,
        tenant_id: &str,
        client_id: &str,
        user_id: &str,
    ) -> BTreeSet<String> {
        self.delegated_grants
            .iter()
            .filter(|grant| {
                grant.tenant_id == tenant_id
                    && grant.client_id == client_id
                    && grant.user_id.as_deref().is_none_or(|id| id == user_id)
            })
            .flat_map(|grant| grant.scopes.iter().cloned())
            .collect()
    }

    /// The scopes of `wanted` not yet granted.
    pub fn missing_consent(
        &self,
        tenant_id: &str,
        client_id: &str,
        user_id: &str,
        wanted: &[String],
    ) -> Vec<String> {
        let granted = self.granted_scopes(tenant_id, client_id, user_id);
        wanted
            .iter()
            .filter(|scope| !covers(&granted, scope))
            .cloned()
            .collect()
    }

    /// Records a user's (or, with `user_id` = `None`, an admin's tenant-wide) consent.
    pub fn grant(
        &mut self,
        tenant_id: &str,
        client_id: &str,
        user_id: Option<&str>,
        scopes: &[String],
    ) {
        let existing = self.delegated_grants.iter_mut().find(|grant| {
            grant.tenant_id == tenant_id
                && grant.client_id == client_id
                && grant.user_id.as_deref() == user_id
        });
        match existing {
            Some(grant) => grant.scopes.extend(scopes.iter().cloned()),
            None => self.delegated_grants.push(DelegatedGrant {
                tenant_id: tenant_id.to_owned(),
                client_id: client_id.to_owned(),
                user_id: user_id.map(str::to_owned),
                scopes: scopes.iter().cloned().collect(),
            }),
        }
        self.touch();
    }

    /// Application permissions granted to a client in a tenant.
    pub fn app_roles(&self, tenant_id: &str, client_id: &str) -> BTreeSet<String> {
        self.app_role_grants
            .iter()
            .filter(|grant| grant.tenant_id == tenant_id && grant.client_id == client_id)
            .flat_map(|grant| grant.roles.iter().cloned())
            .collect()
    }

    pub fn grant_app_roles(&mut self, tenant_id: &str, client_id: &str, roles: &[String]) {
        match self
            .app_role_grants
            .iter_mut()
            .find(|grant| grant.tenant_id == tenant_id && grant.client_id == client_id)
        {
            Some(grant) => grant.roles.extend(roles.iter().cloned()),
            None => self.app_role_grants.push(AppRoleGrant {
                tenant_id: tenant_id.to_owned(),
                client_id: client_id.to_owned(),
                roles: roles.iter().cloned().collect(),
            }),
        }
        self.touch();
    }

    /// Withdraws application permissions (all of them when `roles` is `None`). Tokens already
    /// issued keep the roles they carry until they expire, as Microsoft's do.
    pub fn revoke_app_roles(&mut self, tenant_id: &str, client_id: &str, roles: Option<&[String]>) {
        for grant in self
            .app_role_grants
            .iter_mut()
            .filter(|grant| grant.tenant_id == tenant_id && grant.client_id == client_id)
        {
            match roles {
                Some(roles) => grant
                    .roles
                    .retain(|held| !roles.iter().any(|r| r.eq_ignore_ascii_case(held))),
                None => grant.roles.clear(),
            }
        }
        self.touch();
    }

    /// Whether an application access policy keeps `client_id` out of `user_id`'s mailbox.
    pub fn mailbox_blocked(&self, tenant_id: &str, client_id: &str, user_id: &str) -> bool {
        self.access_policies.iter().any(|policy| {
            policy.tenant_id == tenant_id
                && policy.client_id == client_id
                && !policy.allowed.contains(user_id)
        })
    }

    /// Sets (or with `None` removes) the application access policy of a client in a tenant.
    pub fn set_access_policy(
        &mut self,
        tenant_id: &str,
        client_id: &str,
        allowed: Option<BTreeSet<String>>,
    ) {
        self.access_policies
            .retain(|policy| !(policy.tenant_id == tenant_id && policy.client_id == client_id));
        if let Some(allowed) = allowed {
            self.access_policies.push(AccessPolicy {
                tenant_id: tenant_id.to_owned(),
                client_id: client_id.to_owned(),
                allowed,
            });
        }
        self.touch();
    }

    pub fn consent_policy(&self, tenant_id: &str) -> ConsentPolicy {
        self.tenants
            .get(tenant_id)
            .map_or(ConsentPolicy::UsersMayConsent, |tenant| {
                tenant.consent_policy
            })
    }

    pub fn app(&self, client_id: &str) -> Option<&App> {
        self.apps.get(client_id).or_else(|| {
            self.apps
                .values()
                .find(|app| app.client_id.eq_ignore_ascii_case(client_id))
        })
    }

    /// Marks the store changed (for callers that edited a field directly).
    pub fn mark_changed(&mut self) {
        self.touch();
    }
}
