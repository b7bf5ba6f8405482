//! Up: outbox → plan → batch → answers. The outbox's due entries are planned push-only and sent
//! as one `$batch` (`batch_for`, pure); what each answer means is decided by `answer_action`
//! (pure): it confirms a link (the base changes only then), records a failure, or leaves the
//! entry for a second pass (an event deleted in Outlook is created again); a PATCH refused for
//! its change key is sent again with Outlook's (`patched_action` reads that answer). A series
//! made in Quick3 goes in the batch as one event with its `recurrence`; its occurrences changed
//! or deleted on their own go to their instances after it (`series`).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use super::series_down::{master_conflict_fields, outlook_changed_master};
use super::summary::{SyncProgress, describe};
use super::{Run, Stop, base_item, urlencode};
use crate::error::Result;
use crate::graph::GraphError;
use crate::graph::client::{Answer, BatchPart, read_page};
use crate::graph::event::{self, RemoteEntry, RemoteEvent};
use crate::ids::{AccountId, AppointmentId, SyncRunId};
use crate::model::{Appointment, Content, JournalChange, Origin, local_hash};
use crate::store::Store;
use crate::store::conflicts::ConflictHold;
use crate::store::sync_state::{Link, OutboxEntry};
use crate::sync::crash::{self, Step};
use crate::sync::plan::{self, BaseItem, LocalItem, Rules, SyncOp};

mod series;

use series::{is_quick3_occurrence, series_recurrences};

/// A `$batch` of the outbox: its parts, and by part id the op each carries with the content it
/// sends (none for a DELETE).
#[derive(Debug, Default)]
struct Batch {
    parts: Vec<BatchPart>,
    pushed: HashMap<String, (SyncOp, Option<Content>)>,
}

/// Where the outbox goes: the mailbox's path (`/me`, `/users/{id}`), its account, and the
/// calendar new events are created in (none: the mailbox's default).
struct Target<'a> {
    mailbox: &'a str,
    account: AccountId,
    default_calendar: Option<&'a str>,
}

/// The `$batch` that carries the push ops of `ops`: a POST into the default calendar for each
/// create (with the transactionId of appointment, account and the entry's generation), a PATCH
/// for each update (If-Match with the change key known), a DELETE for each deletion. A series
/// made in Quick3 is one event: its POST, and a PATCH that changes its pattern, carry the
/// `recurrence` in `recurrences`. Parts are numbered from 1 in the order of the ops; an op
/// without content in `contents`, or not a push, sends nothing.
fn batch_for(
    ops: &[SyncOp],
    contents: &HashMap<AppointmentId, Content>,
    revisions: &HashMap<AppointmentId, (i64, u32)>,
    recurrences: &HashMap<AppointmentId, Value>,
    target: &Target<'_>,
) -> Batch {
    let mailbox = target.mailbox;
    let mut batch = Batch::default();
    for op in ops {
        let (method, url, headers, content) = match op {
            SyncOp::PushCreate { appointment, .. } => {
                let Some(content) = contents.get(appointment) else {
                    continue;
                };
                let url = match target.default_calendar {
                    Some(calendar) => format!("{mailbox}/calendars/{}/events", urlencode(calendar)),
                    None => format!("{mailbox}/events"),
                };
                (Method::POST, url, vec![], Some(content.clone()))
            }
            SyncOp::PushUpdate {
                appointment,
                remote_id,
                change_key,
            } => {
                let Some(content) = contents.get(appointment) else {
                    continue;
                };
                let mut headers = vec![];
                if let Some(key) = change_key {
                    headers.push(("If-Match".to_owned(), format!("W/\"{key}\"")));
                }
                let url = format!("{mailbox}/events/{}", urlencode(remote_id));
                (Method::PATCH, url, headers, Some(content.clone()))
            }
            SyncOp::PushDelete { remote_id, .. } => {
                let url = format!("{mailbox}/events/{}", urlencode(remote_id));
                (Method::DELETE, url, vec![], None)
            }
            _ => continue,
        };
        let mut body = match (op, &content) {
            (SyncOp::PushCreate { appointment, .. }, Some(content)) => {
                let (_, generation) = revisions[appointment];
                let transaction = event::transaction_id(*appointment, target.account.0, generation);
                Some(event::new_event(content, *appointment, &transaction))
            }
            (_, Some(content)) => Some(event::event_fields(content)),
            (_, None) => None,
        };
        if let (Some(body), Some(recurrence)) = (
            body.as_mut(),
            pushed_appointment(op).and_then(|a| recurrences.get(&a)),
        ) {
            body["recurrence"] = recurrence.clone();
        }
        let id = (batch.parts.len() + 1).to_string();
        batch.parts.push(BatchPart {
            id: id.clone(),
            method,
            url,
            headers,
            body,
            depends_on: vec![],
        });
        batch.pushed.insert(id, (op.clone(), content));
    }
    batch
}

/// The appointment a push op is about (none for any other op).
fn pushed_appointment(op: &SyncOp) -> Option<AppointmentId> {
    match op {
        SyncOp::PushCreate { appointment, .. }
        | SyncOp::PushUpdate { appointment, .. }
        | SyncOp::PushDelete { appointment, .. } => Some(*appointment),
        _ => None,
    }
}

/// The fingerprints of what a batch's PATCHes send, by appointment.
fn patched_fingerprints(
    pushed: &HashMap<String, (SyncOp, Option<Content>)>,
) -> Vec<(AppointmentId, String)> {
    pushed
        .values()
        .filter_map(|(op, content)| match (op, content) {
            (SyncOp::PushUpdate { appointment, .. }, Some(content)) => {
                Some((*appointment, content.fingerprint()))
            }
            _ => None,
        })
        .collect()
}

/// What an answer to a push means for its outbox entry.
#[derive(Debug, PartialEq)]
enum AnswerAction {
    /// Microsoft holds what was sent: the entry is done at its revision, linked to the event
    /// with the local content's hash (no link for a deletion), and the push counted. Never a
    /// conflict: an Outlook edit that conflicts is held (`Hold`) and nothing is sent; one sent
    /// over after a 412 differs in no conflict field (Quick3 owns its appointment's categories
    /// and sensitivity) or is a series master's, which Down holds before Up.
    Confirm {
        link: Option<(Box<RemoteEvent>, String)>,
    },
    /// A POST replayed with its transactionId returned the event as first created, which is
    /// not what was sent: the base becomes what Microsoft holds and the entry stays, so the
    /// next pass PATCHes the difference.
    Rebase(Box<RemoteEvent>),
    /// A PATCH refused for its change key (412): ask Outlook and PATCH again.
    PatchAgain { remote_id: String },
    /// A PATCH of an event deleted in Outlook (404): a conflict, created again by the next pass.
    Recreate,
    /// Outlook changed the event since (a 412, then a look at it) so that it differs from
    /// Quick3's version in a conflict field: nothing is sent, the conflict is held and the
    /// entry waits for the planner's choice.
    Hold(Box<RemoteEvent>),
    /// The account cannot go on (sign-in, mailbox gone): Up ends after the batch's other
    /// answers are recorded.
    StopAccount(GraphError),
    /// This upload failed: named in the summary, tried again later.
    Fail(GraphError),
}

/// What the batch's answer to `op` (which sent `content`) means.
fn answer_action(
    op: &SyncOp,
    content: Option<&Content>,
    result: std::result::Result<Answer, GraphError>,
) -> AnswerAction {
    match (op, result) {
        (SyncOp::PushDelete { .. }, Ok(_) | Err(GraphError::NotFound)) => {
            AnswerAction::Confirm { link: None }
        }
        (_, Ok(answer)) => {
            let event = match event::read_entry(&answer.body) {
                Ok(RemoteEntry::Present(event)) => event,
                _ => {
                    return AnswerAction::Fail(GraphError::Malformed {
                        what: "the event Microsoft 365 returned".into(),
                    });
                }
            };
            match content {
                Some(content) if content.same_as(&event.content) => AnswerAction::Confirm {
                    link: Some((event, content.hash())),
                },
                _ => AnswerAction::Rebase(event),
            }
        }
        (SyncOp::PushUpdate { remote_id, .. }, Err(GraphError::PreconditionFailed { .. })) => {
            AnswerAction::PatchAgain {
                remote_id: remote_id.clone(),
            }
        }
        (SyncOp::PushUpdate { .. }, Err(GraphError::NotFound)) => AnswerAction::Recreate,
        (_, Err(err)) if err.stops_account() => AnswerAction::StopAccount(err),
        (_, Err(err)) => AnswerAction::Fail(err),
    }
}

/// What a look at an event whose PATCH was refused for its change key found, and did.
#[derive(Debug)]
enum Refetched {
    /// Outlook holds this content already (our earlier PATCH landed): nothing sent.
    Holds(Box<RemoteEvent>),
    /// An edit made in Outlook that differs from Quick3's version in a conflict field: nothing
    /// sent.
    Conflict(Box<RemoteEvent>),
    /// Sent again with Outlook's change key; the event as patched.
    Patched(Box<RemoteEvent>),
}

type Patched = std::result::Result<Refetched, GraphError>;

/// Whether Outlook's `found` content, where a PATCH of `content` was refused for its change
/// key, is an edit made there that conflicts with Quick3's: it differs in a conflict field and
/// is none that an earlier PATCH of ours sent (`sent_before`: its answer lost to a crash, the
/// planner editing again since). Only a single appointment or occurrence is weighed so
/// (`holdable`); a Quick3 series' master is weighed against its base ([`master_refused`]).
fn conflicts_with(
    content: &Content,
    found: &Content,
    sent_before: Option<&Vec<String>>,
    holdable: bool,
) -> bool {
    let ours = sent_before.is_some_and(|sent| sent.contains(&found.fingerprint()));
    holdable && !ours && !content.conflicting_fields(found).is_empty()
}

/// Whether Outlook's `found` master, where a PATCH of the Quick3 series `master` was refused for
/// its change key, is an edit of the master made there that conflicts with Quick3's: changed
/// since the link's base (an occurrence changed on its own changes the master's change key but
/// not the master), in a conflict field or the pattern, and none that an earlier PATCH of ours
/// sent.
fn master_refused(
    (master, base): (&Appointment, &Link),
    found: &RemoteEvent,
    sent_before: Option<&Vec<String>>,
) -> bool {
    let ours = sent_before.is_some_and(|sent| sent.contains(&found.content.fingerprint()));
    !ours
        && outlook_changed_master(master, base, found)
        && !master_conflict_fields(master, found).is_empty()
}

/// What a PATCH sent again after a 412 means ([`Run::patch_again`]'s `result`): linked when
/// Outlook holds Quick3's version now, held when Outlook's edit conflicts with it.
fn patched_action(content: Option<&Content>, result: Patched) -> AnswerAction {
    match result {
        Ok(Refetched::Holds(event) | Refetched::Patched(event)) => AnswerAction::Confirm {
            link: Some((event, content.map(Content::hash).unwrap_or_default())),
        },
        Ok(Refetched::Conflict(event)) => AnswerAction::Hold(event),
        Err(err) => AnswerAction::Fail(err),
    }
}

/// A push whose answer is recorded, with what the pass knows about it.
struct Push<'a> {
    op: &'a SyncOp,
    content: Option<&'a Content>,
    appointment: AppointmentId,
    /// The outbox revision the push was planned from.
    revision: i64,
    /// The appointment as messages name it.
    name: &'a str,
    /// What earlier PATCHes whose answers were never recorded sent.
    sent_before: Option<&'a Vec<String>>,
    default_calendar: &'a Option<String>,
    /// The hash the link keeps for the local side once confirmed (a series master's covers its
    /// pattern too); none: the content's sent.
    local_hash: Option<String>,
    /// Whether a conflict with Outlook may be held for it by its content (a single appointment
    /// or an occurrence).
    holdable: bool,
    /// A Quick3 series' master with its link (the base), weighed by [`master_refused`].
    series: Option<(&'a Appointment, &'a Link)>,
}

/// What recording an answer leaves to do.
enum Recorded {
    Done,
    /// The entry waits for the next pass.
    Again,
    Stop(GraphError),
}

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
            if !self.up_pass(&default_calendar).await? {
                return Ok(());
            }
        }
        Ok(())
    }

    /// One pass over the outbox's due entries: plan, drop what is done, send the batch and
    /// record its answers. True when an entry waits for another pass.
    async fn up_pass(
        &mut self,
        default_calendar: &Option<String>,
    ) -> std::result::Result<bool, Stop> {
        let account = self.account.id;
        let now = (self.clock)();
        let entries = self.store.outbox_due(account, now)?;
        if entries.is_empty() {
            return Ok(false);
        }
        let revisions: HashMap<AppointmentId, (i64, u32)> = entries
            .iter()
            .map(|e| (e.appointment, (e.revision, e.generation)))
            .collect();
        let (locals, appointments) = self.outbox_locals(&entries)?;
        // An occurrence of a Quick3 series changed or deleted on its own goes to its instance
        // in Outlook, after the batch (which may create the series first).
        let (occurrences, locals): (Vec<LocalItem>, Vec<LocalItem>) = locals
            .into_iter()
            .partition(|item| appointments.get(&item.id).is_some_and(is_quick3_occurrence));
        let ids: Vec<AppointmentId> = locals.iter().map(|l| l.id).collect();
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
        let (ops, deferred) = self.defer_replaced(ops)?;
        if !self.options.dry_run {
            self.drop_done(&ops, &locals, &links, &revisions).await?;
        }
        let contents: HashMap<AppointmentId, Content> = appointments
            .iter()
            .map(|(id, appointment)| (*id, Content::of(appointment)))
            .collect();
        let mailbox = self.client.in_mailbox("");
        let target = Target {
            mailbox: &mailbox,
            account,
            default_calendar: default_calendar.as_deref(),
        };
        let recurrences = series_recurrences(&appointments, &links);
        let batch = batch_for(&ops, &contents, &revisions, &recurrences, &target);
        let again = self
            .send_batch(
                batch,
                (&appointments, links.as_slice()),
                &revisions,
                default_calendar,
                now,
            )
            .await?;
        let waiting = self
            .up_occurrences(
                &occurrences,
                &appointments,
                &revisions,
                default_calendar,
                now,
            )
            .await?;
        Ok(again || waiting || deferred)
    }

    /// Sends a batch of the outbox and records its answers. True when an entry waits for
    /// another pass.
    async fn send_batch(
        &mut self,
        Batch { parts, mut pushed }: Batch,
        (appointments, links): (&HashMap<AppointmentId, Appointment>, &[Link]),
        revisions: &HashMap<AppointmentId, (i64, u32)>,
        default_calendar: &Option<String>,
        now: DateTime<Utc>,
    ) -> std::result::Result<bool, Stop> {
        let account = self.account.id;
        if parts.is_empty() {
            return Ok(false);
        }
        if self.options.dry_run {
            let mut ops: Vec<&SyncOp> = pushed.values().map(|(op, _)| op).collect();
            ops.sort_by_key(|op| pushed_appointment(op));
            for op in ops {
                self.count_push(op);
                if let Some(appointment) = pushed_appointment(op)
                    && let Some(change) = self.journal_pushed(op, appointment, None)?
                {
                    self.preview(&change);
                }
            }
            return Ok(false);
        }
        // What the PATCHes send, noted before they go out; and what earlier PATCHes whose
        // answers were never recorded sent (a crash): Outlook holding that is no conflict.
        let sent = patched_fingerprints(&pushed);
        let sent_before = self.store.sent_content(account)?;
        self.store.record_sent(account, &sent)?;
        let answers = self.client.batch(parts).await;
        crash::point(Step::UpSent);
        let mut again = false;
        // A failure of the whole account (sign-in, mailbox gone) ends Up, but only after the
        // answers of the same batch that did succeed are recorded.
        let mut stop = None;
        for (id, result) in answers {
            let Some((op, content)) = pushed.remove(&id) else {
                continue;
            };
            let Some(appointment) = pushed_appointment(&op) else {
                continue;
            };
            let name = appointments
                .get(&appointment)
                .map(describe)
                .unwrap_or_else(|| appointment.to_string());
            let push = Push {
                op: &op,
                content: content.as_ref(),
                appointment,
                revision: revisions[&appointment].0,
                name: &name,
                sent_before: sent_before.get(&appointment),
                default_calendar,
                local_hash: appointments.get(&appointment).map(local_hash),
                holdable: appointments
                    .get(&appointment)
                    .is_some_and(|a| a.recurrence.is_none()),
                series: appointments
                    .get(&appointment)
                    .filter(|a| a.origin == Origin::Quick3 && a.recurrence.is_some())
                    .zip(links.iter().find(|l| l.appointment == appointment)),
            };
            let action = answer_action(&op, content.as_ref(), result);
            match self.record_answer(&push, action, now).await? {
                Recorded::Done => {}
                Recorded::Again => again = true,
                Recorded::Stop(err) => {
                    stop.get_or_insert(err);
                }
            }
        }
        if let Some(err) = stop {
            return Err(Stop::Graph(err));
        }
        Ok(again)
    }

    /// The local side of the outbox's entries for the plan, with their appointments; an entry
    /// whose appointment is gone is dropped.
    fn outbox_locals(
        &mut self,
        entries: &[OutboxEntry],
    ) -> Result<(Vec<LocalItem>, HashMap<AppointmentId, Appointment>)> {
        let account = self.account.id;
        let window = (DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC);
        let mut locals = Vec::new();
        let mut appointments = HashMap::new();
        for entry in entries {
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
        Ok((locals, appointments))
    }

    /// Drops the entries the plan found nothing to push for.
    async fn drop_done(
        &mut self,
        ops: &[SyncOp],
        locals: &[LocalItem],
        links: &[Link],
        revisions: &HashMap<AppointmentId, (i64, u32)>,
    ) -> std::result::Result<(), Stop> {
        let account = self.account.id;
        for op in ops {
            let SyncOp::DropOutbox { appointment } = op else {
                continue;
            };
            let gone = locals
                .iter()
                .any(|l| l.id == *appointment && l.hash.is_none());
            if gone && !links.iter().any(|l| l.appointment == *appointment) {
                // Deleted (or moved away) before any push was confirmed: a push may still
                // have reached Outlook, its answer lost to a crash.
                self.delete_tagged(*appointment).await?;
            }
            let (revision, _) = revisions[appointment];
            self.store.drop_outbox(account, *appointment, revision)?;
        }
        Ok(())
    }

    /// Records what an answer means (see [`AnswerAction`]); a 412 is followed by a PATCH sent
    /// again, whose answer is recorded instead.
    async fn record_answer(
        &mut self,
        push: &Push<'_>,
        mut action: AnswerAction,
        now: DateTime<Utc>,
    ) -> std::result::Result<Recorded, Stop> {
        let (account, appointment) = (self.account.id, push.appointment);
        let link_to = |event: &RemoteEvent, local_hash: String| {
            let remote_hash = event.content.hash();
            let calendar = push.default_calendar.clone();
            Link::confirmed(
                appointment,
                account,
                calendar,
                event,
                local_hash,
                remote_hash,
            )
        };
        loop {
            match action {
                AnswerAction::PatchAgain { remote_id } => {
                    let patched = self.patch_again(&remote_id, push).await;
                    action = patched_action(push.content, patched);
                }
                AnswerAction::Hold(event) => {
                    self.hold_push(push, &event, now)?;
                    return Ok(Recorded::Done);
                }
                AnswerAction::Confirm { link } => {
                    let line = self.journal_pushed(
                        push.op,
                        appointment,
                        link.as_ref().map(|(event, _)| &**event),
                    )?;
                    let link = link.map(|(event, sent_hash)| {
                        link_to(&event, push.local_hash.clone().unwrap_or(sent_hash))
                    });
                    let journal = self.journal.zip(line.as_ref());
                    confirm_push(
                        self.store,
                        account,
                        appointment,
                        push.revision,
                        (link.as_ref(), journal),
                        now,
                    )?;
                    self.count_push(push.op);
                    return Ok(Recorded::Done);
                }
                AnswerAction::Rebase(event) => {
                    let link = link_to(&event, event.content.hash());
                    confirm_push(
                        self.store,
                        account,
                        appointment,
                        -1,
                        (Some(&link), None),
                        now,
                    )?;
                    return Ok(Recorded::Again);
                }
                AnswerAction::Recreate => {
                    self.summary.conflicts += 1;
                    self.summary.conflict_notes.push(format!(
                        "{} was deleted in Outlook ({}) but changed in Quick3 Planner; it is created again.",
                        push.name, self.account.email
                    ));
                    self.store
                        .recreate_on_next_push(account, appointment, now)?;
                    return Ok(Recorded::Again);
                }
                AnswerAction::StopAccount(err) => return Ok(Recorded::Stop(err)),
                AnswerAction::Fail(err) => {
                    self.fail(appointment, push.name, &err)?;
                    return Ok(Recorded::Done);
                }
            }
        }
    }

    /// Holds a conflict over the pushed appointment with Outlook's `event`, found changed
    /// there too; a conflict new to this sync is counted and noted.
    fn hold_push(
        &mut self,
        push: &Push<'_>,
        event: &RemoteEvent,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let hold = ConflictHold {
            appointment: push.appointment,
            account: self.account.id,
            remote_key: super::key_of(event),
            remote_id: event.id.clone(),
            change_key: event.change_key.clone(),
            remote_hash: event.content.hash(),
            outlook: event.content.clone(),
            recurrence: push.series.and_then(|_| event.recurrence.clone()),
        };
        if self.store.hold_conflict(&hold, now)? {
            self.summary.conflicts += 1;
            let note = super::page::held_note(push.name, &self.account.email);
            self.summary.conflict_notes.push(note);
        }
        Ok(())
    }

    /// Looks at the event whose PATCH was refused for its change key: Outlook holds this
    /// content already, or an edit that conflicts with it (nothing sent either time), or else
    /// it is PATCHed again with Outlook's current change key.
    async fn patch_again(&self, remote_id: &str, push: &Push<'_>) -> Patched {
        let content = push.content;
        let path = self
            .client
            .in_mailbox(&format!("/events/{}", urlencode(remote_id)));
        let current = self.client.get(&path, &[]).await?;
        if let Ok(RemoteEntry::Present(event)) = event::read_entry(&current) {
            match content {
                Some(content) if content.same_as(&event.content) => {
                    return Ok(Refetched::Holds(event));
                }
                Some(content)
                    if match push.series {
                        Some(series) => master_refused(series, &event, push.sent_before),
                        None => {
                            conflicts_with(content, &event.content, push.sent_before, push.holdable)
                        }
                    } =>
                {
                    return Ok(Refetched::Conflict(event));
                }
                _ => {}
            }
        }
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
            RemoteEntry::Present(event) => Ok(Refetched::Patched(event)),
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

/// Records Microsoft's confirmation of a push, with the crash points inside its transaction (the
/// link written, the outbox entry not yet gone) and after it.
fn confirm_push(
    store: &mut Store,
    account: AccountId,
    appointment: AppointmentId,
    revision: i64,
    written: (Option<&Link>, Option<(SyncRunId, &JournalChange)>),
    now: DateTime<Utc>,
) -> Result<()> {
    store.confirm_push(
        account,
        appointment,
        revision,
        written,
        (|| crash::point(Step::UpLinkWritten), now),
    )?;
    crash::point(Step::UpConfirmed);
    Ok(())
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use serde_json::{Value, json};

    pub(super) fn id(n: u128) -> AppointmentId {
        AppointmentId(uuid::Uuid::from_u128(n))
    }

    /// The event Outlook answers with (id `e1`, change key `ck2`).
    fn answered() -> Value {
        json!({
            "id": "e1", "changeKey": "ck2", "subject": "Review", "type": "singleInstance",
            "start": {"dateTime": "2026-03-30T07:00:00.0000000", "timeZone": "UTC"},
            "end": {"dateTime": "2026-03-30T08:00:00.0000000", "timeZone": "UTC"},
            "isAllDay": false
        })
    }

    fn event() -> Box<RemoteEvent> {
        match event::read_entry(&answered()) {
            Ok(RemoteEntry::Present(event)) => event,
            other => panic!("the sample is an event: {other:?}"),
        }
    }

    /// What Quick3 sent when Outlook holds it (`ours`), or something else.
    pub(super) fn sent(ours: bool) -> Content {
        let mut content = event().content;
        if !ours {
            content.title = "Review (moved)".into();
        }
        content
    }

    /// A part's answer in the batch.
    type Sent = std::result::Result<Answer, GraphError>;

    fn ok(body: Value) -> Sent {
        Ok(Answer { status: 200, body })
    }

    pub(super) fn create() -> SyncOp {
        SyncOp::PushCreate {
            appointment: id(1),
            recreate: false,
        }
    }

    fn update() -> SyncOp {
        SyncOp::PushUpdate {
            appointment: id(1),
            remote_id: "e1".into(),
            change_key: Some("ck1".into()),
        }
    }

    fn delete() -> SyncOp {
        SyncOp::PushDelete {
            appointment: id(1),
            remote_id: "e1".into(),
        }
    }

    fn confirmed(content: Option<&Content>) -> AnswerAction {
        AnswerAction::Confirm {
            link: content.map(|c| (event(), c.hash())),
        }
    }

    #[test]
    fn each_answer_to_a_push_means_one_thing() {
        let gone_mailbox = GraphError::MailboxGone {
            code: "ErrorInvalidUser".into(),
            message: "gone".into(),
        };
        let busy = GraphError::Throttled { retry_after: None };
        let ours = sent(true);
        let other = sent(false);
        #[rustfmt::skip]
        let cases: Vec<(&str, SyncOp, Option<&Content>, Sent, AnswerAction)> = vec![
            ("a DELETE answered is done", delete(), None,
                Ok(Answer { status: 204, body: Value::Null }), confirmed(None)),
            ("a DELETE of an event already gone is done too", delete(), None,
                Err(GraphError::NotFound), confirmed(None)),
            ("a POST answered with what was sent is linked to it", create(), Some(&ours),
                ok(answered()), confirmed(Some(&ours))),
            ("a PATCH answered with what was sent is linked to it", update(), Some(&ours),
                ok(answered()), confirmed(Some(&ours))),
            ("a replayed POST holding other content: the base follows Outlook, the entry stays",
                create(), Some(&other), ok(answered()), AnswerAction::Rebase(event())),
            ("an answer that is no event fails the upload", create(), Some(&ours),
                ok(json!([1, 2])),
                AnswerAction::Fail(GraphError::Malformed {
                    what: "the event Microsoft 365 returned".into(),
                })),
            ("a PATCH refused for its change key is sent again", update(), Some(&ours),
                Err(GraphError::PreconditionFailed { status: 412 }),
                AnswerAction::PatchAgain { remote_id: "e1".into() }),
            ("a PATCH of an event deleted in Outlook creates it again", update(), Some(&ours),
                Err(GraphError::NotFound), AnswerAction::Recreate),
            ("a POST refused with 404 is a failure of that upload", create(), Some(&ours),
                Err(GraphError::NotFound), AnswerAction::Fail(GraphError::NotFound)),
            ("a mailbox gone stops the account", update(), Some(&ours),
                Err(gone_mailbox.clone()), AnswerAction::StopAccount(gone_mailbox.clone())),
            ("a sign-in needed stops the account", delete(), None,
                Err(GraphError::Unauthorized), AnswerAction::StopAccount(GraphError::Unauthorized)),
            ("anything else fails that upload only", create(), Some(&ours),
                Err(busy.clone()), AnswerAction::Fail(busy.clone())),
        ];
        for (why, op, content, result, expected) in cases {
            assert_eq!(answer_action(&op, content, result), expected, "{why}");
        }
    }

    #[test]
    fn a_patch_refused_is_held_only_when_outlook_holds_a_conflicting_edit_of_someone_else() {
        let ours = sent(true);
        let colleague = sent(false); // another subject
        let only_categories = Content {
            categories: vec!["Outlook's".into()],
            ..sent(true)
        };
        let sent_earlier = vec![colleague.fingerprint()];
        /// (why, what Outlook holds, what earlier PATCHes sent, holdable, a conflict)
        type Case<'a> = (&'a str, &'a Content, Option<&'a Vec<String>>, bool, bool);
        #[rustfmt::skip]
        let cases: Vec<Case<'_>> = vec![
            ("a colleague's edit of the subject is a conflict", &colleague, None, true, true),
            ("what an earlier PATCH of ours sent is no conflict", &colleague,
                Some(&sent_earlier), true, false),
            ("a difference in categories only is no conflict", &only_categories, None, true,
                false),
            ("a series master keeps Quick3's version", &colleague, None, false, false),
            ("the same content is no conflict", &ours, None, true, false),
        ];
        for (why, found, sent_before, holdable, expected) in cases {
            assert_eq!(
                conflicts_with(&ours, found, sent_before, holdable),
                expected,
                "{why}"
            );
        }
        let confirmed = |event| AnswerAction::Confirm {
            link: Some((event, ours.hash())),
        };
        #[rustfmt::skip]
        let answers: Vec<(&str, Patched, AnswerAction)> = vec![
            ("Outlook held this content already: linked", Ok(Refetched::Holds(event())),
                confirmed(event())),
            ("sent again: linked", Ok(Refetched::Patched(event())), confirmed(event())),
            ("a conflicting edit: held, nothing overwritten", Ok(Refetched::Conflict(event())),
                AnswerAction::Hold(event())),
            ("a failure of the PATCH sent again fails that upload, even one of the account",
                Err(GraphError::Unauthorized), AnswerAction::Fail(GraphError::Unauthorized)),
        ];
        for (why, result, expected) in answers {
            assert_eq!(patched_action(Some(&ours), result), expected, "{why}");
        }
    }

    #[test]
    fn the_batch_carries_one_part_per_push_in_plan_order() {
        let contents = HashMap::from([(id(1), sent(true)), (id(2), sent(false))]);
        let revisions = HashMap::from([(id(1), (5, 2)), (id(2), (7, 0)), (id(3), (1, 0))]);
        let ops = vec![
            SyncOp::PushCreate {
                appointment: id(1),
                recreate: false,
            },
            SyncOp::DropOutbox { appointment: id(4) },
            SyncOp::PushUpdate {
                appointment: id(2),
                remote_id: "e/2".into(),
                change_key: Some("ck".into()),
            },
            SyncOp::PushUpdate {
                appointment: id(9),
                remote_id: "e9".into(),
                change_key: None,
            },
            SyncOp::PushDelete {
                appointment: id(3),
                remote_id: "e3".into(),
            },
        ];
        let target = |default_calendar| Target {
            mailbox: "/users/u1",
            account: AccountId(7),
            default_calendar,
        };
        let batch = batch_for(
            &ops,
            &contents,
            &revisions,
            &HashMap::new(),
            &target(Some("cal/1")),
        );
        let parts: Vec<(&str, &str, &str)> = batch
            .parts
            .iter()
            .map(|p| (p.id.as_str(), p.method.as_str(), p.url.as_str()))
            .collect();
        assert_eq!(
            parts,
            [
                ("1", "POST", "/users/u1/calendars/cal%2F1/events"),
                ("2", "PATCH", "/users/u1/events/e%2F2"),
                ("3", "DELETE", "/users/u1/events/e3"),
            ],
            "pushes only, numbered in order; an update without content and a drop send nothing"
        );
        let post = batch.parts[0].body.as_ref().expect("a POST has a body");
        assert_eq!(
            post["transactionId"],
            json!(event::transaction_id(id(1), 7, 2)),
            "a POST carries the transactionId of appointment, account and generation"
        );
        assert_eq!(
            batch.parts[1].headers,
            [("If-Match".to_owned(), "W/\"ck\"".to_owned())],
            "a PATCH is conditional on the change key known"
        );
        assert_eq!(
            batch.parts[1].body,
            Some(event::event_fields(&sent(false))),
            "a PATCH sends the fields, no transactionId"
        );
        assert_eq!(batch.parts[2].body, None, "a DELETE sends nothing");
        assert_eq!(
            batch.pushed.get("2"),
            Some(&(ops[2].clone(), Some(sent(false)))),
            "each part is known by its id with the op and the content it sent"
        );
        assert_eq!(batch.pushed.get("3"), Some(&(ops[4].clone(), None)));
        assert_eq!(
            batch_for(
                &ops[..1],
                &contents,
                &revisions,
                &HashMap::new(),
                &target(None)
            )
            .parts[0]
                .url,
            "/users/u1/events",
            "without a default calendar known, new events go to the mailbox's"
        );
    }
}
