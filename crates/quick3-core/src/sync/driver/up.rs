//! Up: outbox → plan → batch → answers. The outbox's due entries are planned push-only and sent
//! as one `$batch`; each answer confirms a link (the base changes only then), records a failure,
//! or leaves the entry for a second pass (an event deleted in Outlook is created again); a PATCH
//! refused for its change key is sent again with Outlook's.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use reqwest::Method;
use serde_json::json;

use super::summary::{SyncProgress, describe};
use super::{Run, Stop, base_item, urlencode};
use crate::error::Result;
use crate::graph::GraphError;
use crate::graph::client::{BatchPart, read_page};
use crate::graph::event::{self, RemoteEntry, RemoteEvent};
use crate::ids::AppointmentId;
use crate::store::sync_state::Link;
use crate::sync::content::Content;
use crate::sync::plan::{self, BaseItem, Rules, SyncOp};

impl Run<'_, '_> {
    /// Pushes the outbox.
    pub(super) async fn up(
        &mut self,
        progress: &mut dyn FnMut(&SyncProgress),
    ) -> std::result::Result<(), Stop> {
        let account = self.account.id;
        progress(&SyncProgress {
            account_id: account,
            email: self.account.email.clone(),
            calendar: 0,
            calendars: 0,
            calendar_name: String::new(),
            events: 0,
        });
        if !self.options.dry_run {
            let since = self.window().0;
            let now = (self.clock)();
            self.store
                .enqueue_unsent(account, self.account.resource_id, since, now)?;
        }
        let default_calendar = self
            .store
            .sync_calendars(account)?
            .into_iter()
            .find(|c| c.is_default)
            .map(|c| c.calendar_id);
        // A second pass creates again events that turned out deleted in Outlook.
        for _pass in 0..2 {
            let now = (self.clock)();
            let entries = self.store.outbox_due(account, now)?;
            if entries.is_empty() {
                return Ok(());
            }
            let revisions: HashMap<AppointmentId, (i64, u32)> = entries
                .iter()
                .map(|e| (e.appointment, (e.revision, e.generation)))
                .collect();
            let window = (DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC);
            let mut locals = Vec::new();
            let mut appointments = HashMap::new();
            for entry in &entries {
                match self.local_item(entry.appointment, window)? {
                    Some((mut item, appointment)) => {
                        item.pending = true;
                        locals.push(item);
                        appointments.insert(entry.appointment, appointment);
                    }
                    None => {
                        if !self.options.dry_run {
                            self.store
                                .drop_outbox(account, entry.appointment, entry.revision)?;
                        }
                    }
                }
            }
            let ids: Vec<AppointmentId> = entries.iter().map(|e| e.appointment).collect();
            let links = self.store.links_of(account, &ids)?;
            let base: Vec<BaseItem> = links.iter().map(base_item).collect();
            let ops = plan::plan(
                &locals,
                &base,
                &[],
                Rules {
                    pull: false,
                    push: true,
                },
            );
            let mut parts = Vec::new();
            let mut pushed: HashMap<String, (SyncOp, Option<Content>)> = HashMap::new();
            for op in ops {
                match &op {
                    SyncOp::DropOutbox { appointment } if !self.options.dry_run => {
                        let gone = locals
                            .iter()
                            .any(|l| l.id == *appointment && l.hash.is_none());
                        if gone && !links.iter().any(|l| l.appointment == *appointment) {
                            // Deleted (or moved away) before any push was confirmed: a push
                            // may still have reached Outlook, its answer lost to a crash.
                            self.delete_tagged(*appointment).await?;
                        }
                        let (revision, _) = revisions[appointment];
                        self.store.drop_outbox(account, *appointment, revision)?;
                    }
                    SyncOp::PushCreate { appointment, .. } => {
                        let Some(local) = appointments.get(appointment) else {
                            continue;
                        };
                        let content = Content::of(local);
                        let (_, generation) = revisions[appointment];
                        let transaction =
                            event::transaction_id(*appointment, account.0, generation);
                        let url = match &default_calendar {
                            Some(calendar) => self
                                .client
                                .in_mailbox(&format!("/calendars/{}/events", urlencode(calendar))),
                            None => self.client.in_mailbox("/events"),
                        };
                        parts.push(BatchPart {
                            id: (parts.len() + 1).to_string(),
                            method: Method::POST,
                            url,
                            headers: vec![],
                            body: Some(event::new_event(&content, *appointment, &transaction)),
                            depends_on: vec![],
                        });
                        pushed.insert(parts.len().to_string(), (op.clone(), Some(content)));
                    }
                    SyncOp::PushUpdate {
                        appointment,
                        remote_id,
                        change_key,
                    } => {
                        let Some(local) = appointments.get(appointment) else {
                            continue;
                        };
                        let content = Content::of(local);
                        let mut headers = vec![];
                        if let Some(key) = change_key {
                            headers.push(("If-Match".to_owned(), format!("W/\"{key}\"")));
                        }
                        parts.push(BatchPart {
                            id: (parts.len() + 1).to_string(),
                            method: Method::PATCH,
                            url: self
                                .client
                                .in_mailbox(&format!("/events/{}", urlencode(remote_id))),
                            headers,
                            body: Some(event::event_fields(&content)),
                            depends_on: vec![],
                        });
                        pushed.insert(parts.len().to_string(), (op.clone(), Some(content)));
                    }
                    SyncOp::PushDelete { remote_id, .. } => {
                        parts.push(BatchPart {
                            id: (parts.len() + 1).to_string(),
                            method: Method::DELETE,
                            url: self
                                .client
                                .in_mailbox(&format!("/events/{}", urlencode(remote_id))),
                            headers: vec![],
                            body: None,
                            depends_on: vec![],
                        });
                        pushed.insert(parts.len().to_string(), (op.clone(), None));
                    }
                    _ => {}
                }
            }
            if parts.is_empty() {
                return Ok(());
            }
            if self.options.dry_run {
                for (op, _) in pushed.values() {
                    self.count_push(op);
                }
                return Ok(());
            }
            // What the PATCHes send, noted before they go out; and what earlier PATCHes whose
            // answers were never recorded sent (a crash): Outlook holding that is no conflict.
            let sent: Vec<(AppointmentId, String)> = pushed
                .values()
                .filter_map(|(op, content)| match (op, content) {
                    (SyncOp::PushUpdate { appointment, .. }, Some(content)) => {
                        Some((*appointment, content.fingerprint()))
                    }
                    _ => None,
                })
                .collect();
            let sent_before = self.store.sent_content(account)?;
            self.store.record_sent(account, &sent)?;
            let answers = self.client.batch(parts).await;
            crate::sync::crash::point(crate::sync::crash::Step::UpSent);
            let mut again = false;
            // A failure of the whole account (sign-in, mailbox gone) ends Up, but only after the
            // answers of the same batch that did succeed are recorded.
            let mut stop = None;
            for (id, result) in answers {
                let Some((op, content)) = pushed.remove(&id) else {
                    continue;
                };
                let appointment = match &op {
                    SyncOp::PushCreate { appointment, .. }
                    | SyncOp::PushUpdate { appointment, .. }
                    | SyncOp::PushDelete { appointment, .. } => *appointment,
                    _ => continue,
                };
                let (revision, _) = revisions[&appointment];
                let name = appointments
                    .get(&appointment)
                    .map(describe)
                    .unwrap_or_else(|| appointment.to_string());
                match (&op, result) {
                    (SyncOp::PushDelete { .. }, Ok(_) | Err(GraphError::NotFound)) => {
                        self.store
                            .confirm_push(account, appointment, revision, None)?;
                        self.count_push(&op);
                    }
                    (_, Ok(answer)) => {
                        let event = match event::read_entry(&answer.body) {
                            Ok(RemoteEntry::Present(event)) => event,
                            _ => {
                                self.fail(
                                    appointment,
                                    &name,
                                    &GraphError::Malformed {
                                        what: "the event Microsoft 365 returned".into(),
                                    },
                                )?;
                                continue;
                            }
                        };
                        // A POST replayed with its transactionId returns the event as first
                        // created: if that is not what we sent, the base is what Microsoft holds
                        // and the entry stays, so the next pass PATCHes the difference.
                        let holds_ours =
                            content.as_ref().is_some_and(|c| c.same_as(&event.content));
                        let local_hash = match &content {
                            Some(c) if holds_ours => c.hash(),
                            _ => event.content.hash(),
                        };
                        let link = Link::confirmed(
                            appointment,
                            account,
                            default_calendar.clone(),
                            &event,
                            local_hash,
                            event.content.hash(),
                        );
                        let revision = if holds_ours { revision } else { -1 };
                        self.store
                            .confirm_push(account, appointment, revision, Some(&link))?;
                        if holds_ours {
                            self.count_push(&op);
                        } else {
                            again = true;
                        }
                    }
                    (
                        SyncOp::PushUpdate { remote_id, .. },
                        Err(GraphError::PreconditionFailed { .. }),
                    ) => {
                        // Changed in Outlook meanwhile: Quick3 owns its appointment's fields.
                        // Unless Outlook already holds exactly this content: our own PATCH whose
                        // answer was lost (a crash), repeated with the change key before it. Or
                        // Outlook holds what an earlier PATCH of ours sent, its answer lost, and
                        // the planner edited again since: sent again, but no conflict either.
                        let result = self.patch_again(remote_id, content.as_ref()).await;
                        let ours = |found: &String| {
                            sent_before
                                .get(&appointment)
                                .is_some_and(|sent| sent.contains(found))
                        };
                        if matches!(&result, Ok((_, Some(found))) if !ours(found)) {
                            self.summary.conflicts += 1;
                            self.summary.conflict_notes.push(format!(
                                "{name} was changed both in Quick3 Planner and in Outlook ({}); Quick3 Planner's version is kept.",
                                self.account.email
                            ));
                        }
                        match result {
                            Ok((event, _)) => {
                                let link = Link::confirmed(
                                    appointment,
                                    account,
                                    default_calendar.clone(),
                                    &event,
                                    content.as_ref().map(Content::hash).unwrap_or_default(),
                                    event.content.hash(),
                                );
                                self.store.confirm_push(
                                    account,
                                    appointment,
                                    revision,
                                    Some(&link),
                                )?;
                                self.count_push(&op);
                            }
                            Err(err) => self.fail(appointment, &name, &err)?,
                        }
                    }
                    (SyncOp::PushUpdate { .. }, Err(GraphError::NotFound)) => {
                        self.summary.conflicts += 1;
                        self.summary.conflict_notes.push(format!(
                            "{name} was deleted in Outlook ({}) but changed in Quick3 Planner; it is created again.",
                            self.account.email
                        ));
                        self.store
                            .recreate_on_next_push(account, appointment, now)?;
                        again = true;
                    }
                    (_, Err(err)) if err.stops_account() => {
                        stop.get_or_insert(err);
                    }
                    (_, Err(err)) => self.fail(appointment, &name, &err)?,
                }
            }
            if let Some(err) = stop {
                return Err(Stop::Graph(err));
            }
            if !again {
                return Ok(());
            }
        }
        Ok(())
    }

    /// PATCHes again with Outlook's current change key, returning the event and the fingerprint
    /// of the content Outlook held before; `None` when Outlook already held this content
    /// (nothing sent: the earlier PATCH did land).
    async fn patch_again(
        &self,
        remote_id: &str,
        content: Option<&Content>,
    ) -> std::result::Result<(Box<RemoteEvent>, Option<String>), GraphError> {
        let path = self
            .client
            .in_mailbox(&format!("/events/{}", urlencode(remote_id)));
        let current = self.client.get(&path, &[]).await?;
        let held = match event::read_entry(&current) {
            Ok(RemoteEntry::Present(event)) => {
                if content.is_some_and(|content| content.same_as(&event.content)) {
                    return Ok((event, None));
                }
                event.content.fingerprint()
            }
            _ => String::new(),
        };
        let key = current["changeKey"].as_str().unwrap_or_default().to_owned();
        let body = content
            .map(event::event_fields)
            .unwrap_or_else(|| json!({}));
        let answer = self
            .client
            .send(
                Method::PATCH,
                &path,
                &[("If-Match", format!("W/\"{key}\""))],
                Some(&body),
            )
            .await?;
        match event::read_entry(&answer.body)? {
            RemoteEntry::Present(event) => Ok((event, Some(held))),
            RemoteEntry::Removed { .. } => Err(GraphError::NotFound),
        }
    }

    /// Deletes the events that carry the appointment's Quick3Id tag (one GET; a DELETE each).
    async fn delete_tagged(&mut self, appointment: AppointmentId) -> std::result::Result<(), Stop> {
        let path = self.client.in_mailbox(&format!(
            "/events?$filter=singleValueExtendedProperties/Any(ep: ep/id eq '{}' and ep/value eq '{appointment}')",
            event::QUICK3_ID_PROPERTY
        ));
        let page = read_page(self.client.get(&path, &[]).await?)?;
        for item in &page.items {
            let Some(id) = item["id"].as_str() else {
                continue;
            };
            let path = self
                .client
                .in_mailbox(&format!("/events/{}", urlencode(id)));
            match self.client.send(Method::DELETE, &path, &[], None).await {
                Ok(_) | Err(GraphError::NotFound) => self.summary.deleted += 1,
                Err(err) => return Err(err.into()),
            }
        }
        Ok(())
    }

    fn count_push(&mut self, op: &SyncOp) {
        match op {
            SyncOp::PushCreate { .. } => self.summary.added += 1,
            SyncOp::PushUpdate { .. } => self.summary.updated += 1,
            SyncOp::PushDelete { .. } => self.summary.deleted += 1,
            _ => {}
        }
    }

    fn fail(&mut self, appointment: AppointmentId, name: &str, err: &GraphError) -> Result<()> {
        self.summary.errors.push(format!(
            "{name} could not be uploaded to {}: {err}",
            self.account.email
        ));
        let now = (self.clock)();
        let not_before = err
            .retry_after()
            .and_then(|d| Duration::from_std(d).ok())
            .map(|d| now + d);
        self.store
            .record_push_failure(self.account.id, appointment, &err.to_string(), not_before)
    }
}
