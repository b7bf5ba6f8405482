//! The sync decision, pure: from the local side, the base (what both sides agreed on at the last
//! confirmed sync) and the remote changes, the operations to run. No I/O, no clock.
//!
//! Policy: Quick3 owns the fields of appointments created in Quick3; Microsoft owns events created
//! in Outlook. A Quick3 appointment this account uploads that both sides changed since the last
//! sync, so that their versions now differ in a conflict field (time, subject, location, notes,
//! show-as: [`crate::model::ConflictField`]), is a conflict that overwrites neither side: it is
//! held (`SyncOp::Hold`) until the planner settles it, and while it is open nothing is pushed or
//! pulled for it. Both sides at the same content is no conflict; nor is a difference only in
//! categories or sensitivity (Quick3's are kept). A local deletion is never undone by a pull.

use std::collections::{HashMap, HashSet};

use crate::ids::AppointmentId;

/// Who owns an appointment's fields when both sides changed them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Quick3,
    Microsoft,
}

/// What a direction allows for this account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// Microsoft 365 → Quick3.
    pub pull: bool,
    /// Quick3 → Microsoft 365 (main account only).
    pub push: bool,
}

/// A local appointment involved in this sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalItem {
    pub id: AppointmentId,
    /// The content hash; `None` once deleted (a tombstone) or moved to another resource.
    pub hash: Option<String>,
    pub owner: Owner,
    /// Whether it lies in the synced window (a remote removal outside it is the window moving,
    /// not a deletion).
    pub in_window: bool,
    /// Of this account's resource (one moved away, or another resource's, is not).
    pub here: bool,
    /// An outbox entry waits for it.
    pub pending: bool,
    /// In an open conflict with this account's Outlook: held until the planner settles it.
    pub in_conflict: bool,
    /// The digest of its conflict fields ([`crate::model::Content::conflict_digest`]); `None`
    /// when `hash` is.
    pub conflict_digest: Option<String>,
}

/// A link: what both sides agreed on when they were last in step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseItem {
    pub appointment: AppointmentId,
    /// The remote identity: the event id, or `series:{master}:{original start}` for occurrences.
    pub key: String,
    pub remote_id: String,
    pub local_hash: String,
    pub remote_hash: String,
    pub change_key: Option<String>,
}

/// A remote change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteItem {
    Present {
        key: String,
        remote_id: String,
        hash: String,
        change_key: Option<String>,
        /// The Quick3 appointment it was pushed from, by tag or transactionId.
        quick3_id: Option<AppointmentId>,
        /// The local content hash of the same content, to tell "both changed to the same".
        as_local_hash: String,
        /// The digest of its conflict fields, to tell a conflict from a difference that is none.
        conflict_digest: String,
    },
    Removed {
        key: String,
        remote_id: String,
    },
}

impl RemoteItem {
    pub fn key(&self) -> &str {
        match self {
            RemoteItem::Present { key, .. } | RemoteItem::Removed { key, .. } => key,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Local,
    Remote,
}

/// One thing to do. The driver runs them; the stored base changes only once each is confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncOp {
    /// Import a remote event as a new local appointment.
    PullCreate { key: String },
    /// Overwrite the local appointment with the remote content.
    PullUpdate {
        appointment: AppointmentId,
        key: String,
    },
    /// Tombstone the local copy and forget the link.
    PullDelete { appointment: AppointmentId },
    /// Create the event (POST with a transactionId).
    PushCreate {
        appointment: AppointmentId,
        recreate: bool,
    },
    /// PATCH with If-Match.
    PushUpdate {
        appointment: AppointmentId,
        remote_id: String,
        change_key: Option<String>,
    },
    /// DELETE (404 counts as done).
    PushDelete {
        appointment: AppointmentId,
        remote_id: String,
    },
    /// Record that both sides hold this content now (no write on either side).
    Link {
        appointment: AppointmentId,
        key: String,
    },
    /// Both sides are gone: forget the link.
    Unlink { appointment: AppointmentId },
    /// The outbox entry needs no push (nothing changed, or it never reached Microsoft).
    DropOutbox { appointment: AppointmentId },
    /// Both sides changed in a conflict field: neither is overwritten. The conflict is recorded
    /// with Outlook's event `key` as it is now (renewed when Outlook changed it again), and the
    /// outbox entry waits until the planner settles it.
    Hold {
        appointment: AppointmentId,
        key: String,
    },
    /// Both sides changed where no conflict is kept apart (a deletion on one side);
    /// `winner`'s version is kept (the op that applies it follows).
    Conflict {
        appointment: AppointmentId,
        winner: Side,
    },
}

impl SyncOp {
    /// The appointment the op is about (none for a pull of a new event).
    pub fn appointment(&self) -> Option<AppointmentId> {
        match self {
            SyncOp::PullUpdate { appointment, .. }
            | SyncOp::PullDelete { appointment }
            | SyncOp::PushCreate { appointment, .. }
            | SyncOp::PushUpdate { appointment, .. }
            | SyncOp::PushDelete { appointment, .. }
            | SyncOp::Link { appointment, .. }
            | SyncOp::Unlink { appointment }
            | SyncOp::DropOutbox { appointment }
            | SyncOp::Hold { appointment, .. }
            | SyncOp::Conflict { appointment, .. } => Some(*appointment),
            SyncOp::PullCreate { .. } => None,
        }
    }

    pub fn is_push(&self) -> bool {
        matches!(
            self,
            SyncOp::PushCreate { .. } | SyncOp::PushUpdate { .. } | SyncOp::PushDelete { .. }
        )
    }
}

/// Plans one sync of one account: `local` are the appointments involved (outbox entries and the
/// local side of every remote change), `base` the links, `remote` the changes Microsoft reported.
pub fn plan(
    local: &[LocalItem],
    base: &[BaseItem],
    remote: &[RemoteItem],
    rules: Rules,
) -> Vec<SyncOp> {
    let local_by_id: HashMap<AppointmentId, &LocalItem> = local.iter().map(|l| (l.id, l)).collect();
    let base_by_key: HashMap<&str, &BaseItem> = base.iter().map(|b| (b.key.as_str(), b)).collect();
    let base_by_appointment: HashMap<AppointmentId, &BaseItem> =
        base.iter().map(|b| (b.appointment, b)).collect();
    let mut ops = Vec::new();
    let mut handled: HashSet<AppointmentId> = HashSet::new();

    for item in remote {
        let linked = base_by_key.get(item.key()).copied().or_else(|| match item {
            RemoteItem::Removed { remote_id, .. } => {
                base.iter().find(|b| &b.remote_id == remote_id)
            }
            RemoteItem::Present { .. } => None,
        });
        match linked {
            Some(link) => {
                if !handled.insert(link.appointment) {
                    continue;
                }
                let local = local_by_id.get(&link.appointment).copied();
                linked_change(local, link, Some(item), rules, &mut ops);
            }
            None => {
                let RemoteItem::Present {
                    key,
                    quick3_id,
                    as_local_hash,
                    ..
                } = item
                else {
                    continue; // removed and never known here: nothing to do
                };
                let ours = quick3_id.and_then(|id| local_by_id.get(&id).copied());
                match ours {
                    Some(local) if !local.here && !local.pending => {
                        // Quick3's, uploaded for another resource by another account of the same
                        // mailbox: not this account's to link, change or delete, nor to import.
                        handled.insert(local.id);
                    }
                    Some(local) if base_by_appointment.contains_key(&local.id) => {
                        // Ours, but linked to another event (an older copy): keep the link we have,
                        // import nothing.
                        handled.insert(local.id);
                    }
                    Some(local) => {
                        handled.insert(local.id);
                        recognised(local, key, as_local_hash, rules, &mut ops);
                    }
                    None if rules.pull => ops.push(SyncOp::PullCreate { key: key.clone() }),
                    None => {}
                }
            }
        }
    }

    for local in local {
        if handled.contains(&local.id) {
            continue;
        }
        match base_by_appointment.get(&local.id) {
            Some(link) => linked_change(Some(local), link, None, rules, &mut ops),
            None => {
                let wants_push = rules.push && local.owner == Owner::Quick3;
                if local.hash.is_some() && wants_push {
                    ops.push(SyncOp::PushCreate {
                        appointment: local.id,
                        recreate: false,
                    });
                } else if local.pending {
                    ops.push(SyncOp::DropOutbox {
                        appointment: local.id,
                    });
                }
            }
        }
    }
    ops
}

/// A Quick3 appointment found in Microsoft 365 without a link (a push whose answer was lost).
fn recognised(
    local: &LocalItem,
    key: &str,
    as_local_hash: &str,
    rules: Rules,
    ops: &mut Vec<SyncOp>,
) {
    let link = SyncOp::Link {
        appointment: local.id,
        key: key.to_owned(),
    };
    match &local.hash {
        None if rules.push => {
            ops.push(link);
            ops.push(SyncOp::PushDelete {
                appointment: local.id,
                remote_id: String::new(),
            });
        }
        Some(hash) if hash != as_local_hash && rules.push => {
            ops.push(link);
            ops.push(SyncOp::PushUpdate {
                appointment: local.id,
                remote_id: String::new(),
                change_key: None,
            });
        }
        _ => {
            ops.push(link);
            if local.pending {
                ops.push(SyncOp::DropOutbox {
                    appointment: local.id,
                });
            }
        }
    }
}

/// A linked appointment's local side measured against its base.
struct LinkedLocal {
    appointment: AppointmentId,
    owner: Owner,
    /// Deleted in Quick3.
    deleted: bool,
    /// Changed (or deleted) in Quick3 since the base.
    changed: bool,
    in_window: bool,
    /// This account uploads it: it pushes, and Quick3 owns the appointment.
    may_push: bool,
}

impl LinkedLocal {
    fn of(local: Option<&LocalItem>, link: &BaseItem, rules: Rules) -> LinkedLocal {
        let owner = local.map_or(Owner::Microsoft, |l| l.owner);
        LinkedLocal {
            appointment: link.appointment,
            owner,
            deleted: local.is_some_and(|l| l.hash.is_none()),
            changed: local.is_some_and(|l| l.hash.as_deref() != Some(link.local_hash.as_str())),
            in_window: local.is_none_or(|l| l.in_window),
            may_push: rules.push && owner == Owner::Quick3,
        }
    }
}

fn linked_change(
    local: Option<&LocalItem>,
    link: &BaseItem,
    remote: Option<&RemoteItem>,
    rules: Rules,
    ops: &mut Vec<SyncOp>,
) {
    let linked = LinkedLocal::of(local, link, rules);
    let appointment = link.appointment;
    if let Some(local) = local.filter(|l| l.in_conflict && l.hash.is_some())
        && held_conflict(local, link, remote, rules, ops)
    {
        return;
    }
    // The local change as a push: a deletion, or an update of the event as Outlook has it now.
    let push = || {
        if linked.deleted {
            SyncOp::PushDelete {
                appointment,
                remote_id: remote_id_of(link, remote),
            }
        } else {
            SyncOp::PushUpdate {
                appointment,
                remote_id: remote_id_of(link, remote),
                change_key: match remote {
                    Some(RemoteItem::Present { change_key, .. }) => change_key.clone(),
                    _ => link.change_key.clone(),
                },
            }
        }
    };
    let pushed = match remote {
        Some(RemoteItem::Removed { .. }) if !rules.pull => false,
        Some(RemoteItem::Removed { .. }) => removed_in_outlook(&linked, rules, ops),
        Some(RemoteItem::Present {
            key,
            hash,
            as_local_hash,
            conflict_digest,
            ..
        }) if *hash != link.remote_hash && rules.pull => {
            let same = local.and_then(|l| l.hash.as_deref()) == Some(as_local_hash.as_str());
            let differ =
                local.and_then(|l| l.conflict_digest.as_deref()) != Some(conflict_digest.as_str());
            changed_in_outlook(&linked, key, (same, differ), push, ops)
        }
        _ => {
            if linked.changed && linked.may_push {
                ops.push(push());
            }
            linked.changed && linked.may_push
        }
    };
    if local.is_some_and(|l| l.pending) && !pushed {
        ops.push(SyncOp::DropOutbox { appointment });
    }
}

/// An appointment in an open conflict (still there locally). Outlook's change renews the
/// conflict's version of it; nothing is pushed, pulled or dropped. False when the question went
/// away and the change is planned as any other (the driver then settles the conflict): Outlook
/// now holds Quick3's content, went back to the version both last agreed on (only Quick3's
/// change is left), or removed the event.
fn held_conflict(
    local: &LocalItem,
    link: &BaseItem,
    remote: Option<&RemoteItem>,
    rules: Rules,
    ops: &mut Vec<SyncOp>,
) -> bool {
    match remote {
        Some(RemoteItem::Present {
            key,
            hash,
            as_local_hash,
            ..
        }) if rules.pull => {
            if local.hash.as_deref() == Some(as_local_hash.as_str()) || *hash == link.remote_hash {
                return false;
            }
            ops.push(SyncOp::Hold {
                appointment: local.id,
                key: key.clone(),
            });
            true
        }
        Some(RemoteItem::Removed { .. }) if rules.pull => false,
        _ => true,
    }
}

/// A linked event removed in Outlook (the account pulls); whether the plan pushes it back.
fn removed_in_outlook(linked: &LinkedLocal, rules: Rules, ops: &mut Vec<SyncOp>) -> bool {
    let appointment = linked.appointment;
    if linked.deleted {
        ops.push(SyncOp::Unlink { appointment });
    } else if !linked.in_window {
        // The event left the window as the window slid on (or ours was moved out of
        // it): it still exists; keep the appointment and its link as history.
    } else if linked.owner == Owner::Quick3 && !rules.push {
        // Quick3 owns it and this account does not upload it: a removal seen here
        // removes pulled copies only, never Quick3's appointment.
        ops.push(SyncOp::Unlink { appointment });
    } else if linked.changed && linked.may_push {
        ops.push(SyncOp::Conflict {
            appointment,
            winner: Side::Local,
        });
        ops.push(SyncOp::PushCreate {
            appointment,
            recreate: true,
        });
        return true;
    } else {
        if linked.changed {
            ops.push(SyncOp::Conflict {
                appointment,
                winner: Side::Remote,
            });
        }
        ops.push(SyncOp::PullDelete { appointment });
    }
    false
}

/// A linked event changed in Outlook (the account pulls), now `key`; `same`: the local side
/// holds that content already; `differ`: the two versions differ in a conflict field. Whether
/// the plan keeps the outbox entry (a push, or a conflict held).
fn changed_in_outlook(
    linked: &LinkedLocal,
    key: &str,
    (same, differ): (bool, bool),
    push: impl FnOnce() -> SyncOp,
    ops: &mut Vec<SyncOp>,
) -> bool {
    let appointment = linked.appointment;
    let key = key.to_owned();
    if !linked.changed || same {
        if linked.deleted {
            // A local deletion stays; only the base moves on.
        } else if same {
            ops.push(SyncOp::Link { appointment, key });
        } else {
            ops.push(SyncOp::PullUpdate { appointment, key });
        }
    } else if linked.may_push && !linked.deleted && differ {
        ops.push(SyncOp::Hold { appointment, key });
        return true;
    } else if linked.may_push && !linked.deleted {
        // Different in categories or sensitivity only: Quick3's are kept, no conflict.
        ops.push(push());
        return true;
    } else if linked.may_push {
        ops.push(SyncOp::Conflict {
            appointment,
            winner: Side::Local,
        });
        ops.push(push());
        return true;
    } else if linked.deleted {
        ops.push(SyncOp::Conflict {
            appointment,
            winner: Side::Local,
        });
    } else {
        ops.push(SyncOp::Conflict {
            appointment,
            winner: Side::Remote,
        });
        ops.push(SyncOp::PullUpdate { appointment, key });
    }
    false
}

fn remote_id_of(link: &BaseItem, remote: Option<&RemoteItem>) -> String {
    match remote {
        Some(RemoteItem::Present { remote_id, .. }) => remote_id.clone(),
        _ => link.remote_id.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> AppointmentId {
        AppointmentId(uuid::Uuid::from_u128(n))
    }

    fn local(n: u128, hash: Option<&str>, owner: Owner) -> LocalItem {
        LocalItem {
            id: id(n),
            hash: hash.map(str::to_owned),
            owner,
            in_window: true,
            here: true,
            pending: owner == Owner::Quick3,
            in_conflict: false,
            conflict_digest: hash.map(|h| format!("D{h}")),
        }
    }

    /// Quick3's appointment `n` in an open conflict, its content now `hash`.
    fn held(n: u128, hash: Option<&str>) -> LocalItem {
        LocalItem {
            in_conflict: true,
            ..local(n, hash, Owner::Quick3)
        }
    }

    fn link(n: u128, key: &str, local_hash: &str, remote_hash: &str) -> BaseItem {
        BaseItem {
            appointment: id(n),
            key: key.into(),
            remote_id: key.into(),
            local_hash: local_hash.into(),
            remote_hash: remote_hash.into(),
            change_key: Some("ck".into()),
        }
    }

    fn present(key: &str, hash: &str) -> RemoteItem {
        RemoteItem::Present {
            key: key.into(),
            remote_id: key.into(),
            hash: hash.into(),
            change_key: Some("ck2".into()),
            quick3_id: None,
            as_local_hash: format!("L{hash}"),
            conflict_digest: format!("DL{hash}"),
        }
    }

    /// An event whose content differs from the local `L{local}` in categories or sensitivity
    /// only: another hash, the same conflict digest.
    fn present_differing_only_in_categories(key: &str, hash: &str, local: &str) -> RemoteItem {
        RemoteItem::Present {
            key: key.into(),
            remote_id: key.into(),
            hash: hash.into(),
            change_key: Some("ck2".into()),
            quick3_id: None,
            as_local_hash: format!("L{hash}"),
            conflict_digest: format!("DL{local}"),
        }
    }

    fn removed(key: &str) -> RemoteItem {
        RemoteItem::Removed {
            key: key.into(),
            remote_id: key.into(),
        }
    }

    const BOTH: Rules = Rules {
        pull: true,
        push: true,
    };
    const DOWN: Rules = Rules {
        pull: true,
        push: false,
    };
    const UP: Rules = Rules {
        pull: false,
        push: true,
    };

    /// (name, local, base, remote, rules, expected ops)
    #[allow(clippy::type_complexity)]
    fn cases() -> Vec<(
        &'static str,
        Vec<LocalItem>,
        Vec<BaseItem>,
        Vec<RemoteItem>,
        Rules,
        Vec<SyncOp>,
    )> {
        vec![
            (
                "new remote event is pulled",
                vec![],
                vec![],
                vec![present("r1", "a")],
                DOWN,
                vec![SyncOp::PullCreate { key: "r1".into() }],
            ),
            (
                "Up ignores remote events",
                vec![],
                vec![],
                vec![present("r1", "a")],
                UP,
                vec![],
            ),
            (
                "unknown removal does nothing",
                vec![],
                vec![],
                vec![removed("r9")],
                BOTH,
                vec![],
            ),
            (
                "remote edit of a pulled copy is pulled",
                vec![local(1, Some("La"), Owner::Microsoft)],
                vec![link(1, "r1", "La", "a")],
                vec![present("r1", "b")],
                DOWN,
                vec![SyncOp::PullUpdate {
                    appointment: id(1),
                    key: "r1".into(),
                }],
            ),
            (
                "an echo of what we know changes nothing",
                vec![],
                vec![link(1, "r1", "La", "a")],
                vec![present("r1", "a")],
                BOTH,
                vec![],
            ),
            (
                "remote removal tombstones the pulled copy",
                vec![local(1, Some("La"), Owner::Microsoft)],
                vec![link(1, "r1", "La", "a")],
                vec![removed("r1")],
                DOWN,
                vec![SyncOp::PullDelete { appointment: id(1) }],
            ),
            (
                "a local deletion of a pulled copy is never undone by a pull (the clash is reported)",
                vec![local(1, None, Owner::Microsoft)],
                vec![link(1, "r1", "La", "a")],
                vec![present("r1", "b")],
                DOWN,
                vec![SyncOp::Conflict {
                    appointment: id(1),
                    winner: Side::Local,
                }],
            ),
            (
                "new Quick3 appointment is pushed",
                vec![local(1, Some("La"), Owner::Quick3)],
                vec![],
                vec![],
                UP,
                vec![SyncOp::PushCreate {
                    appointment: id(1),
                    recreate: false,
                }],
            ),
            (
                "local edit is patched with the known change key",
                vec![local(1, Some("Lb"), Owner::Quick3)],
                vec![link(1, "r1", "La", "a")],
                vec![],
                UP,
                vec![SyncOp::PushUpdate {
                    appointment: id(1),
                    remote_id: "r1".into(),
                    change_key: Some("ck".into()),
                }],
            ),
            (
                "an edit undone before the sync pushes nothing",
                vec![local(1, Some("La"), Owner::Quick3)],
                vec![link(1, "r1", "La", "a")],
                vec![],
                UP,
                vec![SyncOp::DropOutbox { appointment: id(1) }],
            ),
            (
                "local deletion is pushed",
                vec![local(1, None, Owner::Quick3)],
                vec![link(1, "r1", "La", "a")],
                vec![],
                UP,
                vec![SyncOp::PushDelete {
                    appointment: id(1),
                    remote_id: "r1".into(),
                }],
            ),
            (
                "created and deleted before any push: nothing to send",
                vec![local(1, None, Owner::Quick3)],
                vec![],
                vec![],
                UP,
                vec![SyncOp::DropOutbox { appointment: id(1) }],
            ),
            (
                "Down-only accounts never push",
                vec![local(1, Some("Lb"), Owner::Quick3)],
                vec![link(1, "r1", "La", "a")],
                vec![],
                DOWN,
                vec![SyncOp::DropOutbox { appointment: id(1) }],
            ),
            (
                "both changed, Quick3's appointment: held, neither side overwritten, the entry kept",
                vec![local(1, Some("Lb"), Owner::Quick3)],
                vec![link(1, "r1", "La", "a")],
                vec![present("r1", "c")],
                BOTH,
                vec![SyncOp::Hold {
                    appointment: id(1),
                    key: "r1".into(),
                }],
            ),
            (
                "both changed but only in categories or sensitivity: no conflict, Quick3's kept",
                vec![local(1, Some("Lb"), Owner::Quick3)],
                vec![link(1, "r1", "La", "a")],
                vec![present_differing_only_in_categories("r1", "c", "b")],
                BOTH,
                vec![SyncOp::PushUpdate {
                    appointment: id(1),
                    remote_id: "r1".into(),
                    change_key: Some("ck2".into()),
                }],
            ),
            (
                "held: Up sends nothing and keeps the entry",
                vec![held(1, Some("Lb"))],
                vec![link(1, "r1", "La", "a")],
                vec![],
                UP,
                vec![],
            ),
            (
                "held: Outlook changed it again, the conflict's version is renewed",
                vec![held(1, Some("Lb"))],
                vec![link(1, "r1", "La", "a")],
                vec![present("r1", "d")],
                BOTH,
                vec![SyncOp::Hold {
                    appointment: id(1),
                    key: "r1".into(),
                }],
            ),
            (
                "held: Outlook now holds Quick3's version, the question is gone",
                vec![held(1, Some("Lb"))],
                vec![link(1, "r1", "La", "a")],
                vec![present("r1", "b")],
                BOTH,
                vec![
                    SyncOp::Link {
                        appointment: id(1),
                        key: "r1".into(),
                    },
                    SyncOp::DropOutbox { appointment: id(1) },
                ],
            ),
            (
                "held: Outlook went back to the version both agreed on, Quick3's change goes up",
                vec![held(1, Some("Lb"))],
                vec![link(1, "r1", "La", "a")],
                vec![present("r1", "a")],
                BOTH,
                vec![SyncOp::PushUpdate {
                    appointment: id(1),
                    remote_id: "r1".into(),
                    change_key: Some("ck2".into()),
                }],
            ),
            (
                "held: deleted in Quick3, the deletion goes up",
                vec![held(1, None)],
                vec![link(1, "r1", "La", "a")],
                vec![],
                UP,
                vec![SyncOp::PushDelete {
                    appointment: id(1),
                    remote_id: "r1".into(),
                }],
            ),
            (
                "held: removed in Outlook, Quick3's version is created again as before",
                vec![held(1, Some("Lb"))],
                vec![link(1, "r1", "La", "a")],
                vec![removed("r1")],
                BOTH,
                vec![
                    SyncOp::Conflict {
                        appointment: id(1),
                        winner: Side::Local,
                    },
                    SyncOp::PushCreate {
                        appointment: id(1),
                        recreate: true,
                    },
                ],
            ),
            (
                "both changed, Outlook's event: Microsoft wins and it is reported",
                vec![local(1, Some("Lb"), Owner::Microsoft)],
                vec![link(1, "r1", "La", "a")],
                vec![present("r1", "c")],
                BOTH,
                vec![
                    SyncOp::Conflict {
                        appointment: id(1),
                        winner: Side::Remote,
                    },
                    SyncOp::PullUpdate {
                        appointment: id(1),
                        key: "r1".into(),
                    },
                ],
            ),
            (
                "both changed to the same content is no conflict",
                vec![local(1, Some("Lc"), Owner::Quick3)],
                vec![link(1, "r1", "La", "a")],
                vec![present("r1", "c")],
                BOTH,
                vec![
                    SyncOp::Link {
                        appointment: id(1),
                        key: "r1".into(),
                    },
                    SyncOp::DropOutbox { appointment: id(1) },
                ],
            ),
            (
                "deleted in Outlook while edited in Quick3: Quick3's appointment is created again",
                vec![local(1, Some("Lb"), Owner::Quick3)],
                vec![link(1, "r1", "La", "a")],
                vec![removed("r1")],
                BOTH,
                vec![
                    SyncOp::Conflict {
                        appointment: id(1),
                        winner: Side::Local,
                    },
                    SyncOp::PushCreate {
                        appointment: id(1),
                        recreate: true,
                    },
                ],
            ),
            (
                "removed in Outlook, seen by an account that does not upload it: Quick3's \
                 appointment stays, only the link goes",
                vec![LocalItem {
                    pending: false,
                    ..local(1, Some("La"), Owner::Quick3)
                }],
                vec![link(1, "r1", "La", "a")],
                vec![removed("r1")],
                DOWN,
                vec![SyncOp::Unlink { appointment: id(1) }],
            ),
            (
                "another resource's upload to the same mailbox, nothing waiting here: neither \
                 linked, deleted nor imported",
                vec![LocalItem {
                    here: false,
                    pending: false,
                    ..local(1, None, Owner::Quick3)
                }],
                vec![],
                vec![RemoteItem::Present {
                    key: "r1".into(),
                    remote_id: "r1".into(),
                    hash: "a".into(),
                    change_key: None,
                    quick3_id: Some(id(1)),
                    as_local_hash: "La".into(),
                    conflict_digest: "DLa".into(),
                }],
                BOTH,
                vec![],
            ),
            (
                "deleted on both sides: the link is forgotten",
                vec![local(1, None, Owner::Quick3)],
                vec![link(1, "r1", "La", "a")],
                vec![removed("r1")],
                BOTH,
                vec![
                    SyncOp::Unlink { appointment: id(1) },
                    SyncOp::DropOutbox { appointment: id(1) },
                ],
            ),
            (
                "our event leaving the window is not a deletion",
                vec![LocalItem {
                    in_window: false,
                    pending: false,
                    ..local(1, Some("La"), Owner::Quick3)
                }],
                vec![link(1, "r1", "La", "a")],
                vec![removed("r1")],
                BOTH,
                vec![],
            ),
            (
                "an Outlook event the sliding window left behind stays as history",
                vec![LocalItem {
                    in_window: false,
                    pending: false,
                    ..local(1, Some("La"), Owner::Microsoft)
                }],
                vec![link(1, "r1", "La", "a")],
                vec![removed("r1")],
                DOWN,
                vec![],
            ),
            (
                "a pushed event whose answer was lost is recognised by its tag, not imported",
                vec![local(1, Some("La"), Owner::Quick3)],
                vec![],
                vec![RemoteItem::Present {
                    key: "r1".into(),
                    remote_id: "r1".into(),
                    hash: "a".into(),
                    change_key: None,
                    quick3_id: Some(id(1)),
                    as_local_hash: "La".into(),
                    conflict_digest: "DLa".into(),
                }],
                BOTH,
                vec![
                    SyncOp::Link {
                        appointment: id(1),
                        key: "r1".into(),
                    },
                    SyncOp::DropOutbox { appointment: id(1) },
                ],
            ),
        ]
    }

    #[test]
    fn plan_table() {
        for (name, local, base, remote, rules, expected) in cases() {
            assert_eq!(plan(&local, &base, &remote, rules), expected, "{name}");
        }
    }

    #[test]
    fn nothing_changed_plans_nothing() {
        let base = vec![link(1, "r1", "La", "a"), link(2, "r2", "Lb", "b")];
        assert_eq!(
            plan(&[], &base, &[], BOTH),
            [],
            "a second sync with nothing changed plans nothing"
        );
    }

    mod convergence {
        //! Random local and remote edits, then syncs: both sides converge, nothing is duplicated,
        //! no local deletion comes back, and a second sync plans nothing.
        use super::super::*;
        use proptest::prelude::*;
        use std::collections::{BTreeMap, BTreeSet};

        #[derive(Debug, Clone)]
        #[allow(clippy::enum_variant_names)]
        enum Edit {
            LocalCreate(u8),
            LocalEdit(usize, u8),
            LocalDelete(usize),
            RemoteCreate(u8),
            RemoteEdit(usize, u8),
            RemoteDelete(usize),
            Sync,
        }

        fn edit() -> impl Strategy<Value = Edit> {
            prop_oneof![
                any::<u8>().prop_map(Edit::LocalCreate),
                (any::<usize>(), any::<u8>()).prop_map(|(i, c)| Edit::LocalEdit(i, c)),
                any::<usize>().prop_map(Edit::LocalDelete),
                any::<u8>().prop_map(Edit::RemoteCreate),
                (any::<usize>(), any::<u8>()).prop_map(|(i, c)| Edit::RemoteEdit(i, c)),
                any::<usize>().prop_map(Edit::RemoteDelete),
                Just(Edit::Sync),
            ]
        }

        #[derive(Debug, Clone)]
        struct Appointment {
            content: u8,
            deleted: bool,
            owner: Owner,
        }

        #[derive(Debug, Clone)]
        struct Event {
            content: u8,
            tag: Option<AppointmentId>,
        }

        #[derive(Debug, Default)]
        struct World {
            local: BTreeMap<AppointmentId, Appointment>,
            remote: BTreeMap<String, Event>,
            links: BTreeMap<AppointmentId, BaseItem>,
            outbox: BTreeSet<AppointmentId>,
            changed_remote: BTreeSet<String>,
            /// Open conflicts, with Outlook's content as the conflict last saw it.
            conflicts: BTreeMap<AppointmentId, u8>,
            next: u128,
        }

        fn h(content: u8) -> String {
            format!("{content}")
        }

        impl World {
            fn apply(&mut self, edit: Edit) {
                let live: Vec<AppointmentId> = self
                    .local
                    .iter()
                    .filter(|(_, a)| !a.deleted)
                    .map(|(id, _)| *id)
                    .collect();
                let events: Vec<String> = self.remote.keys().cloned().collect();
                match edit {
                    Edit::LocalCreate(c) => {
                        self.next += 1;
                        let id = AppointmentId(uuid::Uuid::from_u128(self.next));
                        self.local.insert(
                            id,
                            Appointment {
                                content: c,
                                deleted: false,
                                owner: Owner::Quick3,
                            },
                        );
                        self.outbox.insert(id);
                    }
                    Edit::LocalEdit(i, c) if !live.is_empty() => {
                        let id = live[i % live.len()];
                        let a = self.local.get_mut(&id).expect("live");
                        // Only Quick3's own appointments are edited locally (pulled copies are
                        // Microsoft's, and local edits of them are not pushed by design).
                        if a.owner == Owner::Quick3 {
                            a.content = c;
                            self.outbox.insert(id);
                        }
                    }
                    Edit::LocalDelete(i) if !live.is_empty() => {
                        let id = live[i % live.len()];
                        let a = self.local.get_mut(&id).expect("live");
                        a.deleted = true;
                        if a.owner == Owner::Quick3 {
                            self.outbox.insert(id);
                        }
                    }
                    Edit::RemoteCreate(c) => {
                        self.next += 1;
                        let rid = format!("r{}", self.next);
                        self.remote.insert(
                            rid.clone(),
                            Event {
                                content: c,
                                tag: None,
                            },
                        );
                        self.changed_remote.insert(rid);
                    }
                    Edit::RemoteEdit(i, c) if !events.is_empty() => {
                        let rid = events[i % events.len()].clone();
                        self.remote.get_mut(&rid).expect("event").content = c;
                        self.changed_remote.insert(rid);
                    }
                    Edit::RemoteDelete(i) if !events.is_empty() => {
                        let rid = events[i % events.len()].clone();
                        self.remote.remove(&rid);
                        self.changed_remote.insert(rid);
                    }
                    Edit::Sync => {
                        self.sync();
                    }
                    _ => {}
                }
            }

            fn local_item(&self, id: AppointmentId) -> LocalItem {
                let a = &self.local[&id];
                LocalItem {
                    id,
                    hash: (!a.deleted).then(|| h(a.content)),
                    owner: a.owner,
                    in_window: true,
                    here: true,
                    pending: self.outbox.contains(&id),
                    in_conflict: self.conflicts.contains_key(&id),
                    conflict_digest: (!a.deleted).then(|| h(a.content)),
                }
            }

            /// Down then Up, as the driver runs them. Returns the ops planned.
            fn sync(&mut self) -> Vec<SyncOp> {
                let rules = Rules {
                    pull: true,
                    push: true,
                };
                let mut all = Vec::new();
                // Down: the delta of changed remote events.
                let remote: Vec<RemoteItem> = std::mem::take(&mut self.changed_remote)
                    .into_iter()
                    .map(|rid| match self.remote.get(&rid) {
                        Some(event) => RemoteItem::Present {
                            key: rid.clone(),
                            remote_id: rid.clone(),
                            hash: h(event.content),
                            change_key: None,
                            quick3_id: event.tag,
                            as_local_hash: h(event.content),
                            conflict_digest: h(event.content),
                        },
                        None => RemoteItem::Removed {
                            key: rid.clone(),
                            remote_id: rid,
                        },
                    })
                    .collect();
                let mut involved: BTreeSet<AppointmentId> = self.outbox.clone();
                for item in &remote {
                    if let Some(link) = self.links.values().find(|l| l.key == item.key()) {
                        involved.insert(link.appointment);
                    }
                    if let RemoteItem::Present {
                        quick3_id: Some(id),
                        ..
                    } = item
                        && self.local.contains_key(id)
                    {
                        involved.insert(*id);
                    }
                }
                let local: Vec<LocalItem> =
                    involved.iter().map(|id| self.local_item(*id)).collect();
                let base: Vec<BaseItem> = self.links.values().cloned().collect();
                let ops = plan(&local, &base, &remote, rules);
                // The driver settles a conflict any op but a hold touches.
                for op in &ops {
                    if let Some(id) = op_appointment(op)
                        && !matches!(op, SyncOp::Hold { .. })
                    {
                        self.conflicts.remove(&id);
                    }
                }
                for op in &ops {
                    match op {
                        SyncOp::Hold { appointment, key } => {
                            self.conflicts
                                .insert(*appointment, self.remote[key].content);
                        }
                        SyncOp::PullCreate { key } => {
                            self.next += 1;
                            let id = AppointmentId(uuid::Uuid::from_u128(self.next));
                            let content = self.remote[key].content;
                            self.local.insert(
                                id,
                                Appointment {
                                    content,
                                    deleted: false,
                                    owner: Owner::Microsoft,
                                },
                            );
                            self.links.insert(
                                id,
                                BaseItem {
                                    appointment: id,
                                    key: key.clone(),
                                    remote_id: key.clone(),
                                    local_hash: h(content),
                                    remote_hash: h(content),
                                    change_key: None,
                                },
                            );
                        }
                        SyncOp::PullUpdate { appointment, key } => {
                            let content = self.remote[key].content;
                            self.local.get_mut(appointment).expect("local").content = content;
                            self.links.insert(
                                *appointment,
                                BaseItem {
                                    appointment: *appointment,
                                    key: key.clone(),
                                    remote_id: key.clone(),
                                    local_hash: h(content),
                                    remote_hash: h(content),
                                    change_key: None,
                                },
                            );
                        }
                        SyncOp::PullDelete { appointment } => {
                            self.local.get_mut(appointment).expect("local").deleted = true;
                            self.links.remove(appointment);
                        }
                        SyncOp::Link { appointment, key } => {
                            let content = self.remote[key].content;
                            let local_hash = self
                                .local_item(*appointment)
                                .hash
                                .unwrap_or_else(|| h(content));
                            self.links.insert(
                                *appointment,
                                BaseItem {
                                    appointment: *appointment,
                                    key: key.clone(),
                                    remote_id: key.clone(),
                                    local_hash,
                                    remote_hash: h(content),
                                    change_key: None,
                                },
                            );
                        }
                        SyncOp::Unlink { appointment } => {
                            self.links.remove(appointment);
                        }
                        SyncOp::DropOutbox { appointment } => {
                            self.outbox.remove(appointment);
                        }
                        push if push.is_push() => {
                            let appointment = match push {
                                SyncOp::PushCreate { appointment, .. }
                                | SyncOp::PushUpdate { appointment, .. }
                                | SyncOp::PushDelete { appointment, .. } => *appointment,
                                _ => unreachable!(),
                            };
                            self.outbox.insert(appointment);
                        }
                        _ => {}
                    }
                }
                // Linked events whose content did not become a pull: the base follows the remote
                // (a held one keeps the base both last agreed on).
                for item in &remote {
                    if let RemoteItem::Present { key, hash, .. } = item
                        && let Some(link) = self.links.values_mut().find(|l| &l.key == key)
                        && !self.conflicts.contains_key(&link.appointment)
                    {
                        link.remote_hash = hash.clone();
                    }
                }
                all.extend(ops);
                // Up: the outbox.
                let local: Vec<LocalItem> =
                    self.outbox.iter().map(|id| self.local_item(*id)).collect();
                let base: Vec<BaseItem> = self.links.values().cloned().collect();
                let ops = plan(&local, &base, &[], rules);
                for op in &ops {
                    match op {
                        SyncOp::PushCreate { appointment, .. } => {
                            self.next += 1;
                            let rid = format!("r{}", self.next);
                            let content = self.local[appointment].content;
                            self.remote.insert(
                                rid.clone(),
                                Event {
                                    content,
                                    tag: Some(*appointment),
                                },
                            );
                            self.changed_remote.insert(rid.clone());
                            self.links.insert(
                                *appointment,
                                BaseItem {
                                    appointment: *appointment,
                                    key: rid.clone(),
                                    remote_id: rid,
                                    local_hash: h(content),
                                    remote_hash: h(content),
                                    change_key: None,
                                },
                            );
                            self.outbox.remove(appointment);
                        }
                        SyncOp::PushUpdate { appointment, .. } => {
                            let content = self.local[appointment].content;
                            let key = self.links[appointment].key.clone();
                            if let Some(event) = self.remote.get_mut(&key) {
                                event.content = content;
                                self.changed_remote.insert(key);
                            }
                            let link = self.links.get_mut(appointment).expect("link");
                            link.local_hash = h(content);
                            link.remote_hash = h(content);
                            self.outbox.remove(appointment);
                        }
                        SyncOp::PushDelete { appointment, .. } => {
                            let key = self.links[appointment].key.clone();
                            if self.remote.remove(&key).is_some() {
                                self.changed_remote.insert(key);
                            }
                            self.links.remove(appointment);
                            self.outbox.remove(appointment);
                            self.conflicts.remove(appointment);
                        }
                        SyncOp::DropOutbox { appointment } => {
                            self.outbox.remove(appointment);
                        }
                        _ => {}
                    }
                }
                all.extend(ops);
                all
            }

            /// Settles every open conflict as the store does: Keep Quick3's for even ids (the
            /// base becomes Outlook's version, the entry waits), Keep Outlook's for odd ones (the
            /// appointment takes it, nothing waits).
            fn resolve_all(&mut self) {
                for (id, outlook) in std::mem::take(&mut self.conflicts) {
                    let link = self
                        .links
                        .get_mut(&id)
                        .expect("a held appointment is linked");
                    link.local_hash = h(outlook);
                    link.remote_hash = h(outlook);
                    if id.0.as_u128() % 2 == 0 {
                        self.outbox.insert(id);
                    } else {
                        self.local.get_mut(&id).expect("held").content = outlook;
                        self.outbox.remove(&id);
                    }
                }
            }
        }

        fn op_appointment(op: &SyncOp) -> Option<AppointmentId> {
            op.appointment()
        }

        #[test]
        fn a_change_on_both_sides_is_held_through_syncs_then_settled() {
            let mut world = World::default();
            for edit in [
                Edit::LocalCreate(1),
                Edit::Sync,
                Edit::Sync,
                Edit::LocalEdit(0, 2),
                Edit::RemoteEdit(0, 3),
            ] {
                world.apply(edit);
            }
            let held = world.sync();
            assert!(
                held.iter().any(|op| matches!(op, SyncOp::Hold { .. })),
                "held: {held:?}"
            );
            assert_eq!(world.sync(), [], "a held conflict plans nothing more");
            let (id, event) = (
                *world.local.keys().next().expect("one"),
                world.remote.keys().next().expect("one").clone(),
            );
            assert_eq!(
                (world.local[&id].content, world.remote[&event].content),
                (2, 3),
                "each side keeps its own version"
            );
            world.resolve_all(); // id 1 is odd: Keep Outlook's
            world.sync();
            assert_eq!(world.sync(), [], "settled");
            assert_eq!(world.local[&id].content, 3, "Quick3 took Outlook's version");
            assert!(world.outbox.is_empty());
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(300))]
            #[test]
            fn random_edits_then_syncs_converge(edits in proptest::collection::vec(edit(), 1..40)) {
                let mut world = World::default();
                for e in edits {
                    world.apply(e);
                }
                let deleted_before: BTreeSet<AppointmentId> = world.local.iter().filter(|(_, a)| a.deleted).map(|(id, _)| *id).collect();
                world.sync();
                // While conflicts are open, later syncs overwrite neither side of them.
                let held: Vec<(AppointmentId, u8, String, u8)> = world.conflicts.keys().map(|id| {
                    let key = world.links[id].key.clone();
                    (*id, world.local[id].content, key.clone(), world.remote[&key].content)
                }).collect();
                world.sync();
                let quiet = world.sync();
                prop_assert!(quiet.is_empty(), "nothing to do while conflicts wait: {quiet:?}");
                for (id, local, key, remote) in &held {
                    prop_assert!(world.conflicts.contains_key(id), "{:?} stays held", id);
                    prop_assert_eq!(world.local[id].content, *local, "Quick3's version kept");
                    prop_assert_eq!(world.remote[key].content, *remote, "Outlook's version kept");
                    prop_assert!(world.outbox.contains(id), "its upload waits");
                }
                // Settled, they converge like everything else.
                world.resolve_all();
                world.sync();
                world.sync();
                let third = world.sync();
                prop_assert!(third.is_empty(), "a sync with nothing changed plans nothing: {third:?}");
                // Every remote event is known locally exactly once.
                for (rid, event) in &world.remote {
                    let copies = world.links.values().filter(|l| &l.key == rid).count();
                    prop_assert_eq!(copies, 1, "event {} has exactly one local copy", rid);
                    let link = world.links.values().find(|l| &l.key == rid).expect("linked");
                    let local = &world.local[&link.appointment];
                    if !local.deleted {
                        prop_assert_eq!(local.content, event.content, "both sides hold the same content");
                    }
                }
                // Every live Quick3 appointment reached Microsoft 365.
                for (id, a) in &world.local {
                    if !a.deleted && a.owner == Owner::Quick3 {
                        prop_assert!(world.links.contains_key(id), "{:?} was pushed", id);
                    }
                }
                // No deletion came back.
                for id in deleted_before {
                    prop_assert!(world.local[&id].deleted, "a deletion is never undone");
                }
                prop_assert!(world.outbox.is_empty(), "the outbox drains");
            }
        }
    }
}
