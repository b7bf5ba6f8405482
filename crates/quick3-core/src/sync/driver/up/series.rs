//! Up of series made in Quick3: the `recurrence` a master's POST or PATCH carries, and the
//! occurrences changed or deleted on their own, each sent to its instance in Outlook (found by
//! its original start through Graph's `instances`) after the batch that may create the series.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use reqwest::Method;
use serde_json::Value;

use super::super::summary::describe;
use super::super::{Run, Stop, urlencode};
use super::{Push, Recorded, answer_action};
use crate::graph::GraphError;
use crate::graph::client::{Answer, BatchPart};
use crate::graph::event::{self, RemoteEntry};
use crate::ids::AppointmentId;
use crate::model::{Appointment, Content, Origin, pattern_digest, pattern_of_hash};
use crate::store::sync_state::Link;
use crate::sync::crash::{self, Step};
use crate::sync::plan::{LocalItem, SyncOp};

/// Whether an appointment is an occurrence of a series made in Quick3 (changed or deleted on its
/// own).
pub(super) fn is_quick3_occurrence(appointment: &Appointment) -> bool {
    appointment.origin == Origin::Quick3 && appointment.series_id.is_some()
}

/// The `recurrence` each Quick3 series master of the batch sends: always when it is created,
/// and when its pattern changed since the link (a PATCH that repeats the pattern would send its
/// changed occurrences back to it in Outlook).
pub(super) fn series_recurrences(
    appointments: &HashMap<AppointmentId, Appointment>,
    links: &[Link],
) -> HashMap<AppointmentId, Value> {
    appointments
        .iter()
        .filter(|(_, a)| a.origin == Origin::Quick3)
        .filter_map(|(id, a)| {
            let recurrence = a.recurrence.as_ref()?;
            let linked = links.iter().find(|l| l.appointment == *id);
            let digest = pattern_digest(recurrence);
            let unchanged =
                linked.is_some_and(|l| pattern_of_hash(&l.local_hash) == Some(digest.as_str()));
            (!unchanged).then(|| (*id, event::graph_recurrence(recurrence)))
        })
        .collect()
}

/// What an occurrence changed (`live`) or deleted on its own asks of its `instance` (none: the
/// series has no such occurrence in Outlook): a PATCH making it an exception, a DELETE
/// cancelling it; without an instance, a DELETE of nothing (done) or a create that cannot be
/// (a failure: an exception needs its occurrence).
fn instance_op(appointment: AppointmentId, instance: Option<String>, live: bool) -> SyncOp {
    match (instance, live) {
        (Some(remote_id), true) => SyncOp::PushUpdate {
            appointment,
            remote_id,
            change_key: None,
        },
        (Some(remote_id), false) => SyncOp::PushDelete {
            appointment,
            remote_id,
        },
        (None, false) => SyncOp::PushDelete {
            appointment,
            remote_id: String::new(),
        },
        (None, true) => SyncOp::PushCreate {
            appointment,
            recreate: false,
        },
    }
}

/// An occurrence on its way up.
struct Ready<'a> {
    item: &'a LocalItem,
    occurrence: &'a Appointment,
    original_start: DateTime<Utc>,
    /// The outbox revision the upload was planned from.
    revision: i64,
    /// What it sends (none: a cancellation).
    content: Option<Content>,
    /// The series' remote id.
    master: String,
    /// Its instance's id: its link's, or found by its original start.
    instance: Option<String>,
    /// Its lookup failed (recorded): nothing is sent.
    failed: bool,
}

/// The `$batch` part that asks Graph's `instances` of the series `master` around
/// `original_start` (a day either side), its id the occurrence's index.
fn lookup_part(
    index: usize,
    mailbox: &str,
    master: &str,
    original_start: DateTime<Utc>,
) -> BatchPart {
    let at = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    BatchPart {
        id: index.to_string(),
        method: Method::GET,
        url: format!(
            "{mailbox}/events/{}/instances?startDateTime={}&endDateTime={}",
            urlencode(master),
            at(original_start - Duration::days(1)),
            at(original_start + Duration::days(1)),
        ),
        headers: vec![],
        body: None,
        depends_on: vec![],
    }
}

/// The `$batch` part of an occurrence's op: a PATCH of its instance with the content, a DELETE;
/// none for an op without an instance (answered as Graph would, 404, without a request).
fn instance_part(
    id: &str,
    op: &SyncOp,
    content: Option<&Content>,
    mailbox: &str,
) -> Option<BatchPart> {
    let (method, remote_id, body) = match (op, content) {
        (SyncOp::PushUpdate { remote_id, .. }, Some(content)) => {
            (Method::PATCH, remote_id, Some(event::event_fields(content)))
        }
        (SyncOp::PushDelete { remote_id, .. }, None) if !remote_id.is_empty() => {
            (Method::DELETE, remote_id, None)
        }
        _ => return None,
    };
    Some(BatchPart {
        id: id.to_owned(),
        method,
        url: format!("{mailbox}/events/{}", urlencode(remote_id)),
        headers: vec![],
        body,
        depends_on: vec![],
    })
}

/// The id of the instance among Graph's `instances` whose original start is `original_start`.
pub(super) fn instance_at(items: &[Value], original_start: DateTime<Utc>) -> Option<String> {
    items.iter().find_map(|item| match event::read_entry(item) {
        Ok(RemoteEntry::Present(event))
            if event
                .series
                .as_ref()
                .is_some_and(|slot| slot.original_start == original_start) =>
        {
            Some(event.id.clone())
        }
        _ => None,
    })
}

impl Run<'_, '_> {
    /// Holds back the deletion of a Quick3 series made one appointment (Remove recurrence)
    /// while that appointment is not in Outlook yet: the series goes only once its single
    /// appointment is linked (a later pass, or the next sync), so a crash never leaves Outlook
    /// with neither. A dry run holds nothing back (it shows both). True when one waits.
    pub(super) fn defer_replaced(
        &self,
        ops: Vec<SyncOp>,
    ) -> crate::error::Result<(Vec<SyncOp>, bool)> {
        if self.options.dry_run {
            return Ok((ops, false));
        }
        let mut kept = Vec::with_capacity(ops.len());
        let mut deferred = false;
        for op in ops {
            if let SyncOp::PushDelete { appointment, .. } = &op
                && self
                    .store
                    .waits_for_replacement(self.account.id, *appointment)?
            {
                deferred = true;
                continue;
            }
            kept.push(op);
        }
        Ok((kept, deferred))
    }

    /// Uploads the occurrences of Quick3 series changed or deleted on their own: each to its
    /// instance in Outlook, a PATCH making it an exception, a DELETE cancelling it. Instances
    /// not linked yet are found by their original start through Graph's `instances`, the
    /// lookups in one `$batch`, the changes in another. An occurrence whose series is not in
    /// Outlook yet waits (true); one whose series was deleted is carried by that deletion.
    pub(super) async fn up_occurrences(
        &mut self,
        occurrences: &[LocalItem],
        appointments: &HashMap<AppointmentId, Appointment>,
        revisions: &HashMap<AppointmentId, (i64, u32)>,
        default_calendar: &Option<String>,
        now: DateTime<Utc>,
    ) -> std::result::Result<bool, Stop> {
        let mut waiting = false;
        let mut ready = Vec::new();
        for item in occurrences {
            match self.occurrence_ready(item, appointments, revisions)? {
                Some(Some(one)) => ready.push(one),
                Some(None) => waiting = true,
                None => {}
            }
        }
        if self.options.dry_run {
            self.preview_occurrences(&ready)?;
            return Ok(waiting);
        }
        self.find_instances(&mut ready).await?;
        let mailbox = self.client.in_mailbox("");
        let ops: Vec<(String, SyncOp)> = ready
            .iter()
            .enumerate()
            .filter(|(_, one)| !one.failed)
            .map(|(n, one)| {
                let op = instance_op(one.item.id, one.instance.clone(), one.content.is_some());
                ((n + 1).to_string(), op)
            })
            .collect();
        let parts: Vec<BatchPart> = ops
            .iter()
            .zip(ready.iter().filter(|one| !one.failed))
            .filter_map(|((id, op), one)| instance_part(id, op, one.content.as_ref(), &mailbox))
            .collect();
        let mut answers: HashMap<String, std::result::Result<Answer, GraphError>> = HashMap::new();
        if !parts.is_empty() {
            answers.extend(self.client.batch(parts).await);
            crash::point(Step::UpSent);
        }
        let mut stop = None;
        for ((id, op), one) in ops.iter().zip(ready.iter().filter(|one| !one.failed)) {
            let result = answers.remove(id).unwrap_or(Err(GraphError::NotFound));
            let name = describe(one.occurrence);
            let push = Push {
                op,
                content: one.content.as_ref(),
                appointment: one.item.id,
                revision: one.revision,
                name: &name,
                sent_before: None,
                default_calendar,
                local_hash: None,
                holdable: true,
                series: None,
            };
            let action = answer_action(op, one.content.as_ref(), result);
            if let Recorded::Stop(err) = self.record_answer(&push, action, now).await? {
                stop.get_or_insert(err);
            }
            if one.content.is_some() {
                // Outlook holds the pattern's values again: a plain occurrence once more.
                self.store.forget_plain_occurrence(one.item.id)?;
            }
        }
        match stop {
            Some(err) => Err(Stop::Graph(err)),
            None => Ok(waiting),
        }
    }

    /// What an occurrence's entry needs: nothing (`None`: done, or carried by its series'
    /// deletion, the entry dropped), to wait for its series to reach Outlook (`Some(None)`), or
    /// to go up.
    fn occurrence_ready<'a>(
        &mut self,
        item: &'a LocalItem,
        appointments: &'a HashMap<AppointmentId, Appointment>,
        revisions: &HashMap<AppointmentId, (i64, u32)>,
    ) -> crate::error::Result<Option<Option<Ready<'a>>>> {
        let account = self.account.id;
        let (Some(occurrence), (revision, _)) = (appointments.get(&item.id), revisions[&item.id])
        else {
            return Ok(None);
        };
        let (Some(series), Some(original_start)) =
            (occurrence.series_id, occurrence.original_start)
        else {
            return Ok(None);
        };
        if item.in_conflict && item.hash.is_some() {
            // Held in a conflict with Outlook until the planner settles it: its entry waits.
            return Ok(None);
        }
        let master_live = matches!(
            self.store.appointment_with_tombstone(series)?,
            Some((_, false))
        );
        let own = self.store.links_of(account, &[item.id])?.into_iter().next();
        // Outlook holds this version already (a crash after the answer was recorded).
        let done = own
            .as_ref()
            .is_some_and(|link| item.hash.as_ref() == Some(&link.local_hash));
        if !master_live || done {
            if !self.options.dry_run {
                self.store.drop_outbox(account, item.id, revision)?;
                self.store.forget_plain_occurrence(item.id)?;
            }
            return Ok(None);
        }
        let master = self.store.links_of(account, &[series])?.into_iter().next();
        // A dry run shows it with its series' upload, which this run would make first.
        let series_waits =
            master.is_none() || self.store.outbox_revision(account, series)?.is_some();
        if series_waits && !self.options.dry_run {
            // The series is not in Outlook yet, or its own change is not (its PATCH failed or
            // waits): an instance found now would be one of the pattern Outlook still has,
            // and an occurrence restored by an undo would miss its own.
            return Ok(Some(None));
        }
        Ok(Some(Some(Ready {
            item,
            occurrence,
            original_start,
            revision,
            content: item.hash.as_ref().map(|_| Content::of(occurrence)),
            master: master.map(|link| link.remote_id).unwrap_or_default(),
            instance: own.map(|link| link.remote_id),
            failed: false,
        })))
    }

    /// A dry run's preview of the occurrences that would go up: each changed on its own as an
    /// update of its instance, each cancelled as its deletion (no instance is looked up).
    fn preview_occurrences(&mut self, ready: &[Ready<'_>]) -> crate::error::Result<()> {
        for one in ready {
            let remote_id = one.instance.clone().unwrap_or_default();
            let op = match one.content {
                Some(_) => SyncOp::PushUpdate {
                    appointment: one.item.id,
                    remote_id,
                    change_key: None,
                },
                None => SyncOp::PushDelete {
                    appointment: one.item.id,
                    remote_id,
                },
            };
            self.count_push(&op);
            if let Some(change) = self.journal_pushed(&op, one.item.id, None)? {
                self.preview(&change);
            }
        }
        Ok(())
    }

    /// Finds the instances of the occurrences not linked yet, by their original start: one
    /// `$batch` of `instances` lookups. A lookup that fails fails that upload only.
    async fn find_instances(&mut self, ready: &mut [Ready<'_>]) -> std::result::Result<(), Stop> {
        let mailbox = self.client.in_mailbox("");
        let parts: Vec<BatchPart> = ready
            .iter()
            .enumerate()
            .filter(|(_, one)| one.instance.is_none())
            .map(|(n, one)| lookup_part(n, &mailbox, &one.master, one.original_start))
            .collect();
        if parts.is_empty() {
            return Ok(());
        }
        for (id, result) in self.client.batch(parts).await {
            let Some(one) = id.parse::<usize>().ok().and_then(|n| ready.get_mut(n)) else {
                continue;
            };
            match result {
                Ok(answer) => {
                    let items = answer.body["value"].as_array().cloned().unwrap_or_default();
                    one.instance = instance_at(&items, one.original_start);
                }
                Err(err) if err.stops_account() => return Err(Stop::Graph(err)),
                Err(err) => {
                    one.failed = true;
                    let name = describe(one.occurrence);
                    self.fail(one.item.id, &name, &err)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::AccountId;
    use crate::model::local_hash;
    use crate::sync::driver::up::AnswerAction;
    use crate::sync::driver::up::tests::{create, id, sent};
    use crate::sync::driver::up::{Target, batch_for};
    use serde_json::json;

    fn series_master(pattern_type: &str) -> Appointment {
        use crate::model::{Recurrence, RecurrencePattern, RecurrenceRange, When};
        let start = "2027-03-01T08:00:00Z".parse().unwrap();
        Appointment {
            id: id(1),
            resource_id: crate::ids::ResourceId(1),
            title: "Service".into(),
            when: When::Timed {
                start,
                end: start + Duration::hours(1),
                time_zone: chrono_tz::Europe::Oslo,
            },
            location: String::new(),
            notes: String::new(),
            categories: vec![],
            show_as: crate::model::ShowAs::Busy,
            sensitivity: crate::model::Sensitivity::Normal,
            origin: Origin::Quick3,
            recurrence: Some(Recurrence {
                pattern: RecurrencePattern {
                    kind: pattern_type.into(),
                    interval: 1,
                    days_of_week: vec!["monday".into()],
                    first_day_of_week: None,
                    day_of_month: None,
                    month: None,
                    index: None,
                },
                range: RecurrenceRange {
                    kind: "noEnd".into(),
                    start_date: "2027-03-01".parse().unwrap(),
                    end_date: None,
                    number_of_occurrences: None,
                    recurrence_time_zone: Some("Europe/Oslo".into()),
                },
            }),
            series_id: None,
            original_start: None,
            created_at: start,
            updated_at: start,
        }
    }

    fn link_with(local_hash: String) -> Link {
        Link {
            appointment: id(1),
            account: AccountId(7),
            calendar_id: None,
            remote_key: "m1".into(),
            remote_id: "m1".into(),
            change_key: None,
            local_hash,
            remote_hash: String::new(),
        }
    }

    #[test]
    fn a_series_sends_its_pattern_when_created_or_changed_only() {
        let master = series_master("weekly");
        let appointments = HashMap::from([(id(1), master.clone())]);
        let sent = |links: &[Link]| series_recurrences(&appointments, links).contains_key(&id(1));
        let other_pattern = local_hash(&series_master("daily"));
        #[rustfmt::skip]
        let cases: Vec<(&str, Vec<Link>, bool)> = vec![
            ("a series not in Outlook yet is created with its pattern", vec![], true),
            ("a PATCH of the same pattern leaves it out: Outlook would reset the exceptions",
                vec![link_with(local_hash(&master))], false),
            ("a changed pattern is sent", vec![link_with(other_pattern)], true),
            ("a link from before (no pattern in its hash) sends it",
                vec![link_with(Content::of(&master).hash())], true),
        ];
        for (why, links, expected) in cases {
            assert_eq!(sent(&links), expected, "{why}");
        }
        let recurrence = &series_recurrences(&appointments, &[])[&id(1)];
        assert_eq!(
            recurrence["range"]["recurrenceTimeZone"], "W. Europe Standard Time",
            "the zone goes as its Windows name"
        );
        assert_eq!(recurrence["pattern"]["daysOfWeek"], json!(["monday"]));
        let single = Appointment {
            recurrence: None,
            ..master
        };
        assert!(
            series_recurrences(&HashMap::from([(id(1), single)]), &[]).is_empty(),
            "a single appointment sends no recurrence"
        );
    }

    #[test]
    fn a_series_post_carries_its_recurrence_and_a_plain_patch_none() {
        let contents = HashMap::from([(id(1), sent(true)), (id(2), sent(true))]);
        let revisions = HashMap::from([(id(1), (1, 0)), (id(2), (1, 0))]);
        let recurrences = HashMap::from([(id(1), json!({"pattern": {"type": "weekly"}}))]);
        let ops = vec![
            create(),
            SyncOp::PushUpdate {
                appointment: id(2),
                remote_id: "e2".into(),
                change_key: None,
            },
        ];
        let target = Target {
            mailbox: "/me",
            account: AccountId(7),
            default_calendar: None,
        };
        let batch = batch_for(&ops, &contents, &revisions, &recurrences, &target);
        let body = |n: usize| batch.parts[n].body.clone().unwrap();
        assert_eq!(
            body(0)["recurrence"],
            json!({"pattern": {"type": "weekly"}}),
            "the series is one POST with its recurrence"
        );
        assert!(
            body(0)["transactionId"].is_string(),
            "idempotent like every POST"
        );
        assert!(
            body(1).get("recurrence").is_none(),
            "nothing asks for a recurrence on a PATCH without one"
        );
    }

    #[test]
    fn an_instance_is_found_by_its_original_start() {
        let instance = |id: &str, original: &str| {
            json!({
                "id": id, "type": "occurrence", "seriesMasterId": "m1",
                "originalStart": original,
                "start": {"dateTime": "2027-03-08T08:00:00.0000000", "timeZone": "UTC"},
                "end": {"dateTime": "2027-03-08T09:00:00.0000000", "timeZone": "UTC"},
                "isAllDay": false
            })
        };
        let items = vec![
            instance("i1", "2027-03-01T08:00:00Z"),
            instance("i2", "2027-03-08T08:00:00Z"),
        ];
        let at = |text: &str| text.parse::<DateTime<Utc>>().unwrap();
        assert_eq!(
            instance_at(&items, at("2027-03-08T08:00:00Z")),
            Some("i2".into()),
            "the instance whose originalStart matches, wherever it starts now"
        );
        assert_eq!(
            instance_at(&items, at("2027-03-15T08:00:00Z")),
            None,
            "no such occurrence (cancelled already)"
        );
    }
    #[test]
    fn an_occurrence_asks_one_thing_of_its_instance() {
        let gone = Err(GraphError::NotFound);
        #[rustfmt::skip]
        let cases: Vec<(&str, Option<&str>, bool, AnswerAction)> = vec![
            ("a cancelled occurrence whose instance is gone already is done",
                None, false, AnswerAction::Confirm { link: None }),
            ("a changed occurrence Outlook does not have fails, named in the summary",
                None, true, AnswerAction::Fail(GraphError::NotFound)),
            ("a cancellation of an instance deleted meanwhile is done too",
                Some("i1"), false, AnswerAction::Confirm { link: None }),
        ];
        for (why, instance, live, expected) in cases {
            let op = instance_op(id(1), instance.map(str::to_owned), live);
            assert_eq!(answer_action(&op, None, gone.clone()), expected, "{why}");
        }
        assert!(
            matches!(instance_op(id(1), Some("i1".into()), true), SyncOp::PushUpdate { remote_id, change_key: None, .. } if remote_id == "i1"),
            "a changed occurrence PATCHes its instance, which becomes an exception"
        );
    }

    #[test]
    fn occurrences_go_up_as_batch_parts_for_their_instances() {
        let at: DateTime<Utc> = "2027-03-08T08:00:00Z".parse().unwrap();
        let lookup = lookup_part(3, "/me", "m/1", at);
        assert_eq!(
            (
                lookup.id.as_str(),
                lookup.method.as_str(),
                lookup.url.as_str()
            ),
            (
                "3",
                "GET",
                "/me/events/m%2F1/instances?startDateTime=2027-03-07T08:00:00Z&endDateTime=2027-03-09T08:00:00Z"
            ),
            "the series' instances a day either side of the original start"
        );
        let content = sent(true);
        let patch = instance_op(id(1), Some("i1".into()), true);
        let part = instance_part("1", &patch, Some(&content), "/me").unwrap();
        assert_eq!(
            (part.method.as_str(), part.url.as_str()),
            ("PATCH", "/me/events/i1")
        );
        assert_eq!(
            part.body,
            Some(event::event_fields(&content)),
            "the occurrence's fields, which make the instance an exception"
        );
        let delete = instance_op(id(1), Some("i1".into()), false);
        let part = instance_part("2", &delete, None, "/me").unwrap();
        assert_eq!(
            (part.method.as_str(), part.url.as_str(), part.body),
            ("DELETE", "/me/events/i1", None),
            "a cancellation deletes the instance"
        );
        for (why, op, content) in [
            (
                "no instance to cancel",
                instance_op(id(1), None, false),
                None,
            ),
            (
                "no instance to change",
                instance_op(id(1), None, true),
                Some(&content),
            ),
        ] {
            assert!(
                instance_part("3", &op, content, "/me").is_none(),
                "{why}: no request"
            );
        }
    }

    #[test]
    fn a_refused_master_is_held_only_for_outlooks_own_conflicting_edit_of_it() {
        use crate::graph::event::RemoteEvent;
        use crate::sync::driver::up::master_refused;
        let base = series_master("weekly");
        let link = Link {
            change_key: Some("k1".into()),
            remote_hash: Content::of(&base).hash(),
            ..link_with(local_hash(&base))
        };
        let renamed_here = Appointment {
            title: "Service (Quick3)".into(),
            ..base.clone()
        };
        let found = |appointment: &Appointment, change_key: &str| RemoteEvent {
            id: "m1".into(),
            change_key: Some(change_key.into()),
            content: Content::of(appointment),
            kind: "seriesMaster".into(),
            series: None,
            recurrence: appointment.recurrence.clone(),
            is_cancelled: false,
            quick3_id: None,
        };
        let renamed_there = Appointment {
            title: "Service (Outlook)".into(),
            ..base.clone()
        };
        let daily_there = series_master("daily");
        let outlook_rename = found(&renamed_there, "k2");
        let ours = vec![outlook_rename.content.fingerprint()];
        #[rustfmt::skip]
        let cases: Vec<(&str, RemoteEvent, Option<&Vec<String>>, bool)> = vec![
            ("the master as the base, its change key moved by an occurrence's edit",
                found(&base, "k2"), None, false),
            ("Outlook renamed the master too", outlook_rename.clone(), None, true),
            ("Outlook changed the pattern", found(&daily_there, "k2"), None, true),
            ("what an earlier PATCH of ours sent", outlook_rename, Some(&ours), false),
            ("Outlook holds Quick3's version already", found(&renamed_here, "k2"), None, false),
        ];
        for (why, event, sent_before, expected) in cases {
            assert_eq!(
                master_refused((&renamed_here, &link), &event, sent_before),
                expected,
                "{why}"
            );
        }
    }
}
