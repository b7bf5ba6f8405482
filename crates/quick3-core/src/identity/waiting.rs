//! Deep-link sign-ins that wait for their answer, kept in the OS keyring as well as in memory, so
//! that a `quickplanner://` answer that arrives after the window process that started the sign-in
//! ended (the planner closed the window) still finishes it in the next window process. One keyring
//! entry holds them all; each is used once and none outlives `PENDING_LIFETIME_MINUTES`: expired
//! ones are dropped at every read, and the entry goes when none is left.

use chrono::{DateTime, Utc};

use super::flow::PendingSignIn;
use super::secrets::SecretStore;
use super::{IdentityError, Secret};
use crate::ids::AccountId;

/// The keyring key (under the installation's service) of the waiting deep-link sign-ins.
pub const WAITING_SIGN_INS_KEY: &str = "waiting-sign-ins";

/// Keeps `pending` (a copy of the one in memory); an older one of the same account goes, as in
/// memory.
pub fn keep(
    secrets: &dyn SecretStore,
    pending: &PendingSignIn,
    now: DateTime<Utc>,
) -> Result<(), IdentityError> {
    change(secrets, now, |waiting| {
        waiting.retain(|p| p.account_id != pending.account_id);
        waiting.push(pending.copy());
        true
    })
}

/// Takes the sign-in `state` belongs to, if one waits: it is gone from the keyring afterwards.
pub fn take(
    secrets: &dyn SecretStore,
    state: &str,
    now: DateTime<Utc>,
) -> Result<Option<PendingSignIn>, IdentityError> {
    let mut taken = None;
    change(secrets, now, |waiting| {
        let at = waiting.iter().position(|p| p.state == state);
        taken = at.map(|at| waiting.remove(at));
        taken.is_some()
    })?;
    Ok(taken)
}

/// Drops the waiting sign-in of `account` (Cancel, the account removed).
pub fn forget(
    secrets: &dyn SecretStore,
    account: AccountId,
    now: DateTime<Utc>,
) -> Result<(), IdentityError> {
    change(secrets, now, |waiting| {
        let before = waiting.len();
        waiting.retain(|p| p.account_id != account);
        waiting.len() != before
    })
}

/// Reads the waiting sign-ins (an unreadable entry counts as none), drops the expired ones, lets
/// `edit` change them (it answers whether it did) and writes them back when anything changed.
fn change(
    secrets: &dyn SecretStore,
    now: DateTime<Utc>,
    edit: impl FnOnce(&mut Vec<PendingSignIn>) -> bool,
) -> Result<(), IdentityError> {
    let Some(kept) = secrets.get(WAITING_SIGN_INS_KEY)? else {
        let mut waiting = Vec::new();
        return if edit(&mut waiting) {
            write(secrets, &waiting)
        } else {
            Ok(())
        };
    };
    let mut waiting: Vec<PendingSignIn> = serde_json::from_str(kept.expose())
        .inspect_err(|err| tracing::warn!(%err, "the waiting sign-ins were unreadable: dropped"))
        .unwrap_or_default();
    let before = waiting.len();
    waiting.retain(|p| !p.expired_at(now));
    let expired = waiting.len() != before;
    if edit(&mut waiting) || expired {
        write(secrets, &waiting)?;
    }
    Ok(())
}

fn write(secrets: &dyn SecretStore, waiting: &[PendingSignIn]) -> Result<(), IdentityError> {
    if waiting.is_empty() {
        return secrets.delete(WAITING_SIGN_INS_KEY);
    }
    let text = serde_json::to_string(waiting).map_err(|err| IdentityError::Misconfigured {
        reason: format!("a waiting sign-in could not be written: {err}"),
    })?;
    secrets.set(WAITING_SIGN_INS_KEY, &Secret::new(text))
}
