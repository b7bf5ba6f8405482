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
use crate::graph::client::{Answer, read_page};
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
    /// Uploads the occurrences of Quick3 series changed or deleted on their own: each to its
    /// instance in Outlook (found by its original start the first time, by its link after),
    /// a PATCH making it an exception, a DELETE cancelling it. One request at a time. An
    /// occurrence whose series is not in Outlook yet waits (true); one whose series was deleted
    /// is carried by that deletion.
    pub(super) async fn up_occurrences(
        &mut self,
        occurrences: &[LocalItem],
        appointments: &HashMap<AppointmentId, Appointment>,
        revisions: &HashMap<AppointmentId, (i64, u32)>,
        default_calendar: &Option<String>,
        now: DateTime<Utc>,
    ) -> std::result::Result<bool, Stop> {
        let account = self.account.id;
        let mut waiting = false;
        for item in occurrences {
            let (Some(occurrence), (revision, _)) =
                (appointments.get(&item.id), revisions[&item.id])
            else {
                continue;
            };
            let (Some(series), Some(original_start)) =
                (occurrence.series_id, occurrence.original_start)
            else {
                continue;
            };
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
                }
                continue;
            }
            let Some(master) = self.store.links_of(account, &[series])?.into_iter().next() else {
                waiting = true;
                continue;
            };
            let content = item.hash.as_ref().map(|_| Content::of(occurrence));
            if self.options.dry_run {
                self.summary.updated += 1;
                continue;
            }
            let instance = match own {
                Some(link) => Some(link.remote_id),
                None => self.instance_id(&master.remote_id, original_start).await?,
            };
            let op = instance_op(item.id, instance, content.is_some());
            let result = self.send_to_instance(&op, content.as_ref()).await;
            let name = describe(occurrence);
            let push = Push {
                op: &op,
                content: content.as_ref(),
                appointment: item.id,
                revision,
                name: &name,
                sent_before: None,
                default_calendar,
                local_hash: None,
            };
            let action = answer_action(&op, content.as_ref(), result);
            match self.record_answer(&push, action, now).await? {
                Recorded::Done | Recorded::Again => {}
                Recorded::Stop(err) => return Err(Stop::Graph(err)),
            }
        }
        Ok(waiting)
    }

    /// Sends an occurrence's op to its instance: a PATCH of the content, a DELETE; an op
    /// without an instance is answered as Graph would (404) without a request.
    async fn send_to_instance(
        &self,
        op: &SyncOp,
        content: Option<&Content>,
    ) -> std::result::Result<Answer, GraphError> {
        let (method, remote_id, body) = match (op, content) {
            (SyncOp::PushUpdate { remote_id, .. }, Some(content)) => {
                (Method::PATCH, remote_id, Some(event::event_fields(content)))
            }
            (SyncOp::PushDelete { remote_id, .. }, None) if !remote_id.is_empty() => {
                (Method::DELETE, remote_id, None)
            }
            _ => return Err(GraphError::NotFound),
        };
        let path = self
            .client
            .in_mailbox(&format!("/events/{}", urlencode(remote_id)));
        let result = self.client.send(method, &path, &[], body.as_ref()).await;
        crash::point(Step::UpSent);
        result
    }

    /// The id of the instance of the series `master` (a remote id) that originally starts at
    /// `original_start`, asked of Graph's `instances` around it; none when the series has no
    /// such occurrence (cancelled already).
    async fn instance_id(
        &self,
        master: &str,
        original_start: DateTime<Utc>,
    ) -> std::result::Result<Option<String>, Stop> {
        let at = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let path = self.client.in_mailbox(&format!(
            "/events/{}/instances?startDateTime={}&endDateTime={}",
            urlencode(master),
            at(original_start - Duration::days(1)),
            at(original_start + Duration::days(1)),
        ));
        let page = read_page(self.client.get(&path, &[]).await?)?;
        Ok(instance_at(&page.items, original_start))
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
                None, false, AnswerAction::Confirm { link: None, conflict: false }),
            ("a changed occurrence Outlook does not have fails, named in the summary",
                None, true, AnswerAction::Fail(GraphError::NotFound)),
            ("a cancellation of an instance deleted meanwhile is done too",
                Some("i1"), false, AnswerAction::Confirm { link: None, conflict: false }),
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
}
