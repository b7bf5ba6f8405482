//! The boundary every front end calls (the desktop shell and the CLI): transport types in,
//! records out, so neither front end holds logic of its own.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use crate::error::{CoreError, ErrorCode, Result};
use crate::identity::{Credentials, IdentityError, SignInFailure, SignedIn};
use crate::ids::{AccountId, AppointmentId, ResourceId};
use crate::model::appointment::parse_time_zone;
use crate::model::{
    Account, AccountStatus, Appointment, AppointmentCard, AppointmentInput, AppointmentPatch,
    AppointmentRecord, Direction, NewAccount, scope_warning,
};
use crate::store::{AppointmentQuery, Store};

/// A sync of the accounts of a scope, as both front ends and the sync job start it.
pub use crate::sync::accounts::{SyncScope, sync};

/// Reads an instant given as RFC 3339 text (as the UI and scripts send it).
pub fn parse_instant(text: &str, field: &'static str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|instant| instant.with_timezone(&Utc))
        .map_err(|_| CoreError::InvalidInput {
            field,
            reason: format!("\"{}\" is not an RFC 3339 date and time", text.trim()),
        })
}

/// Reads an appointment id as typed.
pub fn parse_appointment_id(text: &str) -> Result<AppointmentId> {
    text.parse().map_err(|_| CoreError::UnknownAppointment {
        id: text.trim().to_owned(),
    })
}

/// Appointments overlapping `[from, to)`, optionally of one resource, each with where its upload
/// to Microsoft 365 stands.
pub fn appointments_between(
    store: &Store,
    from: Option<&str>,
    to: Option<&str>,
    resource: Option<ResourceId>,
) -> Result<Vec<AppointmentRecord>> {
    let query = AppointmentQuery {
        resource,
        from: from.map(|f| parse_instant(f, "range start")).transpose()?,
        to: to.map(|t| parse_instant(t, "range end")).transpose()?,
    };
    let mut uploads = store.upload_states()?;
    Ok(store
        .list_marked(query)?
        .iter()
        .map(|listed| {
            let a = &listed.appointment;
            // An occurrence of a Quick3 series shows its series' upload while it has none.
            let upload = uploads
                .remove(&a.id)
                .or_else(|| a.series_id.and_then(|s| uploads.get(&s).cloned()));
            AppointmentRecord {
                upload,
                exception: listed.exception,
                ..AppointmentRecord::from(a)
            }
        })
        .collect())
}

/// What the planner's Scheduler shows of `[from, to)`: every appointment, but another resource's
/// private and confidential ones only as "Private" with their time (see
/// [`AppointmentRecord::as_seen_by`]). The CLI, run by whoever holds the data folder, lists them
/// in full with [`appointments_between`].
///
/// Appointments of archived and deleted resources are history: kept, listed by the CLI, not in
/// the Scheduler.
pub fn planner_appointments(store: &Store, from: &str, to: &str) -> Result<Vec<AppointmentRecord>> {
    let mine = store.planner()?.my_resource_id;
    let shown: std::collections::HashSet<ResourceId> =
        store.list_resources()?.into_iter().map(|r| r.id).collect();
    Ok(appointments_between(store, Some(from), Some(to), None)?
        .into_iter()
        .filter(|record| shown.contains(&record.resource_id))
        .map(|record| record.as_seen_by(mine))
        .collect())
}

/// The Scheduler's cards of `[from, to)`: [`planner_appointments`] with only what a card shows.
pub fn planner_cards(store: &Store, from: &str, to: &str) -> Result<Vec<AppointmentCard>> {
    Ok(planner_appointments(store, from, to)?
        .into_iter()
        .map(AppointmentCard::from)
        .collect())
}

/// One appointment in full as the planner may see it (for the dialog that opens a card), with
/// where its upload stands.
pub fn planner_appointment(store: &Store, id: &str) -> Result<AppointmentRecord> {
    let mine = store.planner()?.my_resource_id;
    let appointment = store.appointment(parse_appointment_id(id)?)?;
    Ok(changed_record(store, &appointment)?.as_seen_by(mine))
}

/// The record of a just-changed appointment, with where its upload stands (and a series' count
/// of occurrences without those deleted on their own).
pub(crate) fn changed_record(
    store: &Store,
    appointment: &Appointment,
) -> Result<AppointmentRecord> {
    let mut record = AppointmentRecord {
        upload: store.upload_states()?.remove(&appointment.id),
        ..AppointmentRecord::from(appointment)
    };
    if let Some(count) = record.occurrence_count {
        let cancelled = store
            .series_rows(appointment.id)?
            .iter()
            .filter(|(_, live)| !live)
            .count();
        record.occurrence_count =
            Some(count.saturating_sub(u32::try_from(cancelled).unwrap_or(u32::MAX)));
    }
    Ok(record)
}

pub fn create_appointment(
    store: &mut Store,
    input: AppointmentInput,
    now: DateTime<Utc>,
) -> Result<AppointmentRecord> {
    let created = store.create_appointment(input, now)?;
    changed_record(store, &created)
}

pub fn edit_appointment(
    store: &mut Store,
    id: &str,
    patch: AppointmentPatch,
    now: DateTime<Utc>,
) -> Result<AppointmentRecord> {
    let edited = store.edit_appointment(parse_appointment_id(id)?, patch, now)?;
    changed_record(store, &edited)
}

/// Why the planner's window may not change the details of another resource's private appointment.
pub const PRIVATE_DETAILS_READ_ONLY: &str = "This is a private appointment of another resource: \
     it can be moved, but its details cannot be changed here, nor can it move to your own resource.";

/// An edit from the planner's window. Another resource's private or confidential appointment,
/// which the window shows only as "Private", may change its time and move to another resource
/// that is not the planner's own: its details, which the planner never saw, are never
/// overwritten, and it never lands where they would become visible. The answer is what the
/// planner may see.
pub fn planner_edit_appointment(
    store: &mut Store,
    id: &str,
    patch: AppointmentPatch,
    now: DateTime<Utc>,
) -> Result<AppointmentRecord> {
    let mine = store.planner()?.my_resource_id;
    let current = AppointmentRecord::from(&store.appointment(parse_appointment_id(id)?)?);
    let touches_details = patch.title.is_some()
        || patch.location.is_some()
        || patch.notes.is_some()
        || patch.categories.is_some()
        || patch.sensitivity.is_some();
    let to_mine = patch.resource_id.is_some() && patch.resource_id == mine;
    if current.is_hidden_from(mine) && (touches_details || to_mine) {
        return Err(CoreError::ReadOnly {
            reason: PRIVATE_DETAILS_READ_ONLY.into(),
        });
    }
    Ok(edit_appointment(store, id, patch, now)?.as_seen_by(mine))
}

pub fn delete_appointment(store: &mut Store, id: &str, now: DateTime<Utc>) -> Result<()> {
    store.delete_appointment(parse_appointment_id(id)?, now)
}

pub fn restore_appointment(
    store: &mut Store,
    id: &str,
    now: DateTime<Utc>,
) -> Result<AppointmentRecord> {
    let restored = store.restore_appointment(parse_appointment_id(id)?, now)?;
    changed_record(store, &restored)
}

pub fn accounts_of(store: &Store, resource: ResourceId) -> Result<Vec<Account>> {
    store.accounts_of(resource)
}

/// Reads a range bound as typed on the command line: RFC 3339, or a date meaning the start of
/// that day in `zone`.
pub fn parse_range_bound(text: &str, zone: &str, field: &'static str) -> Result<DateTime<Utc>> {
    if let Ok(instant) = parse_instant(text, field) {
        return Ok(instant);
    }
    let invalid = || CoreError::InvalidInput {
        field,
        reason: format!(
            "\"{}\" is not a date (2026-11-25) or an RFC 3339 date and time",
            text.trim()
        ),
    };
    let tz = parse_time_zone(zone)?;
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| invalid())?;
    // A midnight the clocks skip (America/Santiago, Asia/Beirut) is the day's first instant.
    Ok(crate::model::recurrence::local_instant(
        date.and_time(NaiveTime::MIN),
        tz,
    ))
}

/// A row of the Office 365 tab: the account, whether a sign-in is waiting right now, and a
/// warning when its scopes cannot serve its direction.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct AccountRow {
    #[serde(flatten)]
    pub account: Account,
    pub scope_warning: Option<String>,
    /// When the account's last error is "your organisation must approve Quick3 Planner": the
    /// link to pass on to IT.
    pub admin_consent_url: Option<String>,
}

/// The admin-consent link inside an error message, if it carries one.
pub fn admin_consent_link(message: &str) -> Option<String> {
    message
        .split_whitespace()
        .find(|word| word.starts_with("http") && word.contains("/adminconsent?"))
        .map(|word| word.trim_end_matches(['.', ',', ')']).to_owned())
}

/// What the + dialog shows for a direction and scopes: the scopes to ask for and, when they cannot
/// serve the direction, why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ScopeAdvice {
    pub scopes: Vec<String>,
    pub warning: Option<String>,
}

/// The scopes for `direction` (the defaults when `scopes` is empty) and the warning, if any.
pub fn scope_advice(direction: Direction, scopes: Vec<String>) -> ScopeAdvice {
    let scopes = crate::model::checked_scopes(direction, scopes);
    let warning = scope_warning(direction, &scopes);
    ScopeAdvice { scopes, warning }
}

/// The Office 365 tab's rows. An account still marked "waiting for sign-in" whose sign-in is no
/// longer waiting (the app was restarted, or it expired) shows as "sign-in needed".
pub fn account_rows(
    store: &Store,
    credentials: Option<&Credentials>,
    resource: ResourceId,
    now: DateTime<Utc>,
) -> Result<Vec<AccountRow>> {
    Ok(store
        .accounts_of(resource)?
        .into_iter()
        .map(|mut account| {
            if account.status == AccountStatus::WaitingForSignIn
                && !credentials.is_some_and(|c| c.is_waiting(account.id, now))
            {
                account.status = AccountStatus::SignInNeeded;
            }
            // An organisation link has no scopes of its own: the organisation's permissions count.
            let scope_warning = (!account.is_organisation_link())
                .then(|| scope_warning(account.direction, &account.scopes))
                .flatten();
            let admin_consent_url = account.last_error.as_deref().and_then(admin_consent_link);
            AccountRow {
                account,
                scope_warning,
                admin_consent_url,
            }
        })
        .collect())
}

/// Adds an account and starts its browser sign-in; returns the account and the URL to open.
pub fn add_account(
    store: &mut Store,
    credentials: &Credentials,
    new: NewAccount,
    redirect_uri: &str,
    now: DateTime<Utc>,
) -> Result<(Account, url::Url)> {
    // Check the configuration before anything is written.
    credentials.endpoints().client_id()?;
    // An earlier add of the same mailbox whose sign-in failed, timed out or was abandoned in the
    // browser (the window has no process to undo it, as the CLI does) is replaced, not refused.
    if let Some(unfinished) = store
        .accounts_of(new.resource_id)?
        .into_iter()
        .find(|a| a.email.eq_ignore_ascii_case(new.email.trim()))
        .filter(|a| never_signed_in(credentials, a))
    {
        discard_added_account(store, credentials, unfinished.id, now)?;
    }
    let account = store.add_account(new, now)?;
    let url = credentials.start_sign_in(&account, redirect_uri, now)?;
    Ok((account, url))
}

/// Whether a per-user account was added but never finished a sign-in: waiting for one or told
/// to sign in, never synced, nothing in the keyring.
fn never_signed_in(credentials: &Credentials, account: &Account) -> bool {
    account.organisation.is_none()
        && account.last_sync_at.is_none()
        && matches!(
            account.status,
            AccountStatus::WaitingForSignIn | AccountStatus::SignInNeeded
        )
        && matches!(credentials.has_sign_in(account), Ok(false))
}

/// Undoes an add whose first sign-in failed, timed out or was abandoned: the account's row goes
/// (the main-account mark passes back as before) and anything of it in the keyring, so that the
/// same add can be made again.
pub fn discard_added_account(
    store: &mut Store,
    credentials: &Credentials,
    account: AccountId,
    now: DateTime<Utc>,
) -> Result<()> {
    let account = store.account(account)?;
    if let Err(err) = credentials.forget(&account) {
        tracing::warn!("the failed sign-in's keyring entry could not be deleted: {err}");
    }
    store.remove_account(account.id, false, now)?;
    Ok(())
}

/// Starts a new browser sign-in for an existing account ("Sign in again").
pub fn sign_in_again(
    store: &mut Store,
    credentials: &Credentials,
    account: AccountId,
    redirect_uri: &str,
    now: DateTime<Utc>,
) -> Result<url::Url> {
    let account = store.account(account)?;
    let url = credentials.start_sign_in(&account, redirect_uri, now)?;
    store.set_account_status(account.id, AccountStatus::WaitingForSignIn, None)?;
    Ok(url)
}

/// Cancels a waiting sign-in.
pub fn cancel_sign_in(
    store: &mut Store,
    credentials: &Credentials,
    account: AccountId,
) -> Result<()> {
    credentials.cancel_sign_in(account);
    store.set_account_status(
        account,
        AccountStatus::SignInNeeded,
        Some("The sign-in was cancelled."),
    )
}

/// What became of a sign-in answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct SignInResult {
    pub account_id: Option<AccountId>,
    pub connected: bool,
    /// The error or warning in plain words, if any.
    pub message: Option<String>,
    /// A stable code for an error (`AdminConsentRequired`, …).
    pub code: Option<ErrorCode>,
    /// For `AdminConsentRequired`: the link to pass on to IT.
    pub admin_consent_url: Option<String>,
}

/// Records what a sign-in answer (from `Credentials::complete_sign_in`) brought: the account is
/// connected, or shows why not. An answer nobody waited for changes nothing. The refresh token
/// goes to the keyring only once the store accepted the mailbox signed in (not one the resource
/// has already).
pub fn record_sign_in(
    store: &mut Store,
    credentials: &Credentials,
    outcome: std::result::Result<SignedIn, SignInFailure>,
) -> Result<SignInResult> {
    match outcome {
        Ok(signed_in) => {
            let mailbox = signed_in.user.as_ref().and_then(|u| u.username.as_deref());
            let warning = store.record_sign_in(signed_in.account_id, mailbox)?;
            let account = store.account(signed_in.account_id)?;
            if let Err(error) = credentials.keep(&account, signed_in.tokens) {
                return record_sign_in(
                    store,
                    credentials,
                    Err(SignInFailure {
                        account_id: Some(account.id),
                        error,
                    }),
                );
            }
            Ok(SignInResult {
                account_id: Some(signed_in.account_id),
                connected: true,
                message: warning,
                code: None,
                admin_consent_url: None,
            })
        }
        Err(SignInFailure {
            account_id: None,
            error,
        }) => {
            tracing::warn!(code = %error.code(), "a sign-in answer was ignored: {error}");
            Ok(SignInResult {
                account_id: None,
                connected: false,
                message: Some(error.to_string()),
                code: Some(error.code()),
                admin_consent_url: None,
            })
        }
        Err(SignInFailure {
            account_id: Some(account),
            error,
        }) => {
            let status = if matches!(error, IdentityError::AdminConsentRequired { .. }) {
                AccountStatus::Error
            } else {
                AccountStatus::SignInNeeded
            };
            store.set_account_status(account, status, Some(&error.to_string()))?;
            let admin_consent_url = match &error {
                IdentityError::AdminConsentRequired { admin_consent_url } => {
                    Some(admin_consent_url.clone())
                }
                _ => None,
            };
            Ok(SignInResult {
                account_id: Some(account),
                connected: false,
                message: Some(error.to_string()),
                code: Some(error.code()),
                admin_consent_url,
            })
        }
    }
}

/// Changes direction and scopes (None pauses).
pub fn edit_account(
    store: &mut Store,
    account: AccountId,
    direction: Direction,
    scopes: Vec<String>,
) -> Result<Account> {
    store.edit_account(account, direction, scopes)
}

pub fn set_main_account(store: &mut Store, account: AccountId) -> Result<Account> {
    store.set_main_account(account)
}

/// An account removed, and a warning when its sign-in could not be deleted from the keyring.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct RemovedAccount {
    pub account: Account,
    pub warning: Option<String>,
}

/// Removes an account and deletes its tokens from the keyring; its pulled appointments are kept
/// or deleted as the planner chose. An unreachable keyring does not keep the account: it is
/// removed and the warning says its sign-in is still stored.
pub fn remove_account(
    store: &mut Store,
    credentials: Option<&Credentials>,
    account: AccountId,
    keep_appointments: bool,
    now: DateTime<Utc>,
) -> Result<RemovedAccount> {
    let found = store.account(account)?;
    // Without Microsoft's settings there are no Credentials, but the keyring is still there.
    let forgotten = match credentials {
        Some(credentials) => credentials.forget(&found),
        None => crate::identity::secrets::forget_account(
            crate::identity::Keyring::for_installation(&store.installation_id()?).as_ref(),
            &found,
        ),
    };
    let warning = forgotten.err().map(|err| {
        format!(
            "The account was removed, but its Microsoft sign-in could not be deleted from the keyring: {err}"
        )
    });
    let account = store.remove_account(account, keep_appointments, now)?;
    Ok(RemovedAccount { account, warning })
}

pub mod calendars;
pub mod conflicts;
pub mod journal;
pub mod organisation;
pub mod resources;
pub mod series;
pub mod undo;

/// The account a change to this resource's appointments is pushed to right away: the resource's
/// main account when it sends (Up, or Up and Down). `None`: nothing is uploaded.
pub fn upload_account(store: &Store, resource: ResourceId) -> Result<Option<AccountId>> {
    Ok(store
        .accounts_of(resource)?
        .into_iter()
        .find(|a| a.is_main && matches!(a.direction, Direction::Up | Direction::UpAndDown))
        .map(|a| a.id))
}

/// The accounts to push to right away after a change on `resource`: its main account when it
/// sends, and every other sending main account with uploads waiting (an appointment moved away
/// from its resource must leave that resource's calendar at once, not at its next sync).
pub fn upload_accounts(store: &Store, resource: ResourceId) -> Result<Vec<AccountId>> {
    let mut accounts: Vec<AccountId> = upload_account(store, resource)?.into_iter().collect();
    for account in store.all_accounts()? {
        if account.is_main
            && matches!(account.direction, Direction::Up | Direction::UpAndDown)
            && !accounts.contains(&account.id)
            && store.outbox_len(account.id)? > 0
        {
            accounts.push(account.id);
        }
    }
    Ok(accounts)
}

fn job_zone(store: &Store) -> chrono_tz::Tz {
    store.default_zone().parse().unwrap_or(chrono_tz::UTC)
}

fn first_run(store: &Store, spec: &crate::model::JobSpec, now: DateTime<Utc>) -> DateTime<Utc> {
    let probe = crate::model::Job {
        id: crate::ids::JobId(0),
        spec: spec.clone(),
        next_run_at: None,
        last_run: None,
        consecutive_failures: 0,
        frequency_warning: None,
    };
    crate::jobs::schedule::next_run(
        now,
        spec.frequency,
        spec.active_hours,
        job_zone(store),
        crate::jobs::jitter(&probe),
    )
}

/// Adds a scheduled job; its first run is one interval from `now` (within its active hours).
pub fn add_job(
    store: &mut Store,
    spec: crate::model::JobSpec,
    now: DateTime<Utc>,
) -> Result<crate::model::Job> {
    let spec = spec.validate()?;
    let next = first_run(store, &spec, now);
    store.add_job(spec, next, now)
}

/// Changes a job. When its schedule changed (frequency, active hours, switched on), the next run
/// is counted again from `now`; otherwise it stays.
pub fn edit_job(
    store: &mut Store,
    id: crate::ids::JobId,
    spec: crate::model::JobSpec,
    now: DateTime<Utc>,
) -> Result<crate::model::Job> {
    let current = store.job(id)?.spec;
    let spec = spec.validate()?;
    let changed = spec.frequency != current.frequency
        || spec.active_hours != current.active_hours
        || (spec.enabled && !current.enabled);
    let next = changed.then(|| first_run(store, &spec, now));
    store.edit_job(id, spec, next)
}

/// Settings → E-mail: checks and saves the SMTP settings; a password given goes to the OS
/// keyring (never the database), `None` keeps the one there.
pub fn save_smtp_settings(
    store: &mut Store,
    secrets: &dyn crate::identity::SecretStore,
    settings: crate::mail::SmtpSettings,
    password: Option<String>,
) -> Result<crate::mail::SmtpSettings> {
    let settings = settings.validate()?;
    if let Some(password) = password {
        secrets.set(
            crate::mail::SMTP_PASSWORD_KEY,
            &crate::identity::Secret::new(password),
        )?;
    }
    store.set_smtp_settings(settings)
}

/// Send test e-mail (the app's Settings → E-mail, `quick3 mail test`): to `to`, through the SMTP
/// settings saved (`saved`, read from the store before, so that it is not held while the server
/// answers). Answers the address it went to, as the store writes addresses.
pub async fn send_test_mail(
    saved: Option<crate::mail::SmtpSettings>,
    secrets: &dyn crate::identity::SecretStore,
    to: &str,
) -> Result<String> {
    let settings = saved.ok_or(CoreError::NoSmtpServer)?;
    let to = crate::validate::email(to)?;
    crate::mail::send(&settings, secrets, &crate::mail::test_mail(&to)).await?;
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_admin_consent_link_is_found_in_the_message() {
        let err = IdentityError::AdminConsentRequired {
            admin_consent_url: "https://login.microsoftonline.com/organizations/v2.0/adminconsent?client_id=abc&scope=x".into(),
        };
        assert_eq!(
            admin_consent_link(&err.to_string()).as_deref(),
            Some(
                "https://login.microsoftonline.com/organizations/v2.0/adminconsent?client_id=abc&scope=x"
            )
        );
        assert_eq!(admin_consent_link("The sign-in was cancelled."), None);
    }

    #[test]
    fn a_date_whose_midnight_the_clocks_skip_starts_at_its_first_instant() {
        // Santiago has no 00:00 on 6 September 2026 (the clocks go to 01:00 -03).
        let start = parse_range_bound("2026-09-06", "America/Santiago", "from").unwrap();
        assert_eq!(start.to_rfc3339(), "2026-09-06T04:00:00+00:00");
        let start = parse_range_bound("2026-09-07", "America/Santiago", "from").unwrap();
        assert_eq!(start.to_rfc3339(), "2026-09-07T03:00:00+00:00");
    }

    #[test]
    fn scope_advice_follows_the_direction_and_warns() {
        let down = scope_advice(Direction::Down, vec![]);
        assert!(down.scopes.contains(&"Calendars.Read".to_owned()) && down.warning.is_none());
        let up_read_only = scope_advice(Direction::Up, vec!["Calendars.Read".into()]);
        assert!(
            up_read_only
                .warning
                .unwrap()
                .contains("Calendars.ReadWrite")
        );
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn person(store: &mut Store, name: &str) -> ResourceId {
        store
            .add_resource(
                crate::model::NewResource {
                    name: name.into(),
                    email: None,
                    kind: crate::model::ResourceKind::Person,
                    colour: None,
                    hours: None,
                },
                at("2026-11-24T08:00:00Z"),
            )
            .unwrap()
            .id
    }

    fn booking(
        resource: ResourceId,
        title: &str,
        sensitivity: crate::model::Sensitivity,
    ) -> AppointmentInput {
        AppointmentInput {
            resource_id: resource,
            title: title.into(),
            all_day: false,
            start: "2026-11-25T09:00".into(),
            end: Some("2026-11-25T10:00".into()),
            time_zone: Some("Europe/Berlin".into()),
            location: Some("Room 4".into()),
            notes: Some("Bring the results".into()),
            categories: vec!["Health".into()],
            show_as: None,
            sensitivity: Some(sensitivity),
        }
    }

    #[test]
    fn another_resources_private_appointments_reach_the_planner_as_private_with_their_time_only() {
        use crate::model::Sensitivity;
        let mut store = Store::open_in_memory().unwrap();
        let now = at("2026-11-24T08:00:00Z");
        let megan = person(&mut store, "Megan");
        let adele = person(&mut store, "Adele");
        store.set_my_resource(megan).unwrap();
        for (resource, title, sensitivity) in [
            (adele, "Doctor", Sensitivity::Private),
            (adele, "Takeover talks", Sensitivity::Confidential),
            (adele, "Lunch with Ben", Sensitivity::Personal),
            (adele, "Team meeting", Sensitivity::Normal),
            (megan, "Dentist", Sensitivity::Private),
        ] {
            create_appointment(&mut store, booking(resource, title, sensitivity), now).unwrap();
        }
        let (from, to) = ("2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z");
        let seen = planner_appointments(&store, from, to).unwrap();
        let full = appointments_between(&store, Some(from), Some(to), None).unwrap();
        assert_eq!(seen.len(), 5, "hidden appointments still take their time");
        let titles = |records: &[AppointmentRecord], of: ResourceId| {
            let mut t: Vec<String> = records
                .iter()
                .filter(|r| r.resource_id == of)
                .map(|r| r.title.clone())
                .collect();
            t.sort();
            t
        };
        assert_eq!(
            titles(&seen, adele),
            ["Lunch with Ben", "Private", "Private", "Team meeting"],
            "Adele's private and confidential subjects do not reach Megan"
        );
        assert_eq!(
            titles(&seen, megan),
            ["Dentist"],
            "the planner's own stay in full"
        );
        for (hidden, original) in seen.iter().zip(&full).filter(|(r, _)| r.title == "Private") {
            assert_eq!(hidden.id, original.id);
            assert_eq!(
                (&hidden.location, &hidden.notes, hidden.categories.len()),
                (&String::new(), &String::new(), 0),
                "no location, notes or categories of a hidden appointment"
            );
            assert_eq!(
                (
                    &hidden.start,
                    &hidden.end,
                    hidden.show_as,
                    hidden.sensitivity
                ),
                (
                    &original.start,
                    &original.end,
                    original.show_as,
                    original.sensitivity
                ),
                "its time and show-as stay, so the Scheduler can still show the resource busy"
            );
        }
        assert!(
            titles(&full, adele).contains(&"Doctor".to_owned()),
            "the CLI's listing (whoever holds the data folder) is not filtered"
        );
    }

    #[test]
    fn the_schedulers_cards_carry_what_a_card_shows_and_the_dialog_gets_the_whole_appointment() {
        use crate::model::Sensitivity;
        let mut store = Store::open_in_memory().unwrap();
        let now = at("2026-11-24T08:00:00Z");
        let megan = person(&mut store, "Megan");
        let adele = person(&mut store, "Adele");
        store.set_my_resource(megan).unwrap();
        let own = create_appointment(
            &mut store,
            booking(megan, "Team meeting", Sensitivity::Normal),
            now,
        )
        .unwrap();
        let secret = create_appointment(
            &mut store,
            booking(adele, "Doctor", Sensitivity::Private),
            now,
        )
        .unwrap();
        let (from, to) = ("2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z");

        let cards = planner_cards(&store, from, to).unwrap();
        let seen: Vec<AppointmentCard> = planner_appointments(&store, from, to)
            .unwrap()
            .into_iter()
            .map(AppointmentCard::from)
            .collect();
        assert_eq!(
            cards, seen,
            "the cards are the planner's records, Private hidden as before"
        );
        let mut titles: Vec<&str> = cards.iter().map(|c| c.title.as_str()).collect();
        titles.sort();
        assert_eq!(titles, ["Private", "Team meeting"]);
        let json = serde_json::to_value(cards.iter().find(|c| c.id == own.id).unwrap()).unwrap();
        for field in [
            "location",
            "notes",
            "categories",
            "recurrence",
            "series_id",
            "original_start",
            "created_at",
            "updated_at",
        ] {
            assert!(json.get(field).is_none(), "a card carries no {field}");
        }

        let opened = planner_appointment(&store, &own.id.to_string()).unwrap();
        let listed = planner_appointments(&store, from, to).unwrap();
        assert_eq!(
            Some(&opened),
            listed.iter().find(|r| r.id == own.id),
            "the dialog gets the whole record, as the week's listing has it"
        );
        assert_eq!(
            (opened.location.as_str(), opened.notes.as_str()),
            ("Room 4", "Bring the results")
        );
        let hidden = planner_appointment(&store, &secret.id.to_string()).unwrap();
        assert_eq!(
            (
                hidden.title.as_str(),
                hidden.location.as_str(),
                hidden.notes.as_str()
            ),
            ("Private", "", ""),
            "another resource's private appointment opens as Private"
        );
        delete_appointment(&mut store, &own.id.to_string(), now).unwrap();
        let gone = planner_appointment(&store, &own.id.to_string()).unwrap_err();
        assert_eq!(
            gone.code(),
            ErrorCode::UnknownAppointment,
            "a deleted one is gone"
        );
    }

    #[test]
    fn the_window_may_move_another_resources_private_appointment_but_never_change_its_details() {
        use crate::model::Sensitivity;
        let mut store = Store::open_in_memory().unwrap();
        let now = at("2026-11-24T08:00:00Z");
        let megan = person(&mut store, "Megan");
        let adele = person(&mut store, "Adele");
        let room = person(&mut store, "Boardroom");
        store.set_my_resource(megan).unwrap();
        let secret = create_appointment(
            &mut store,
            booking(adele, "Doctor", Sensitivity::Private),
            now,
        )
        .unwrap();
        let id = secret.id.to_string();
        let later = AppointmentPatch {
            start: Some("2026-11-25T11:00".into()),
            end: Some("2026-11-25T12:00".into()),
            ..Default::default()
        };
        let moved = planner_edit_appointment(&mut store, &id, later, now).unwrap();
        assert_eq!(moved.title, "Private", "the answer hides the details too");
        let stored = AppointmentRecord::from(&store.appointment(secret.id).unwrap());
        assert_eq!(
            (stored.title.as_str(), stored.location.as_str()),
            ("Doctor", "Room 4"),
            "a move keeps the details the planner never saw"
        );
        assert_ne!(stored.start, secret.start, "the move itself is made");

        for (what, patch) in [
            (
                "a new subject",
                AppointmentPatch {
                    title: Some("Private".into()),
                    ..Default::default()
                },
            ),
            (
                "empty notes",
                AppointmentPatch {
                    notes: Some(String::new()),
                    ..Default::default()
                },
            ),
            (
                "a move to the planner's own resource, where it would show in full",
                AppointmentPatch {
                    resource_id: Some(megan),
                    ..Default::default()
                },
            ),
        ] {
            let refused = planner_edit_appointment(&mut store, &id, patch, now).unwrap_err();
            assert_eq!(refused.code(), ErrorCode::ReadOnly, "{what} is refused");
        }
        assert_eq!(
            AppointmentRecord::from(&store.appointment(secret.id).unwrap()).title,
            "Doctor",
            "nothing refused was written"
        );
        let to_room = AppointmentPatch {
            resource_id: Some(room),
            ..Default::default()
        };
        assert_eq!(
            planner_edit_appointment(&mut store, &id, to_room, now)
                .unwrap()
                .resource_id,
            room,
            "another resource that is not the planner's own is fine"
        );

        let own = create_appointment(
            &mut store,
            booking(megan, "Dentist", Sensitivity::Private),
            now,
        )
        .unwrap();
        let renamed = AppointmentPatch {
            title: Some("Dentist (moved)".into()),
            ..Default::default()
        };
        assert_eq!(
            planner_edit_appointment(&mut store, &own.id.to_string(), renamed, now)
                .unwrap()
                .title,
            "Dentist (moved)",
            "the planner's own private appointments are theirs to change"
        );
    }

    #[test]
    fn records_say_whether_their_upload_waits_or_failed() {
        use crate::model::{Sensitivity, UploadState};
        let mut store = Store::open_in_memory().unwrap();
        let now = at("2026-11-24T08:00:00Z");
        let megan = person(&mut store, "Megan");
        let local = person(&mut store, "Boardroom");
        let account = store
            .add_account(
                NewAccount {
                    resource_id: megan,
                    email: "megan.bowen@contoso.example".into(),
                    direction: Direction::UpAndDown,
                    scopes: vec![],
                },
                now,
            )
            .unwrap();
        let created = create_appointment(
            &mut store,
            booking(megan, "Review", Sensitivity::Normal),
            now,
        )
        .unwrap();
        let pending = UploadState::Pending {
            account: "megan.bowen@contoso.example".into(),
        };
        assert_eq!(
            created.upload.as_ref(),
            Some(&pending),
            "a new appointment waits for its upload"
        );
        let no_account = create_appointment(
            &mut store,
            booking(local, "Cleaning", Sensitivity::Normal),
            now,
        )
        .unwrap();
        assert_eq!(
            no_account.upload, None,
            "nothing waits where nothing uploads"
        );

        let upload_of = |store: &Store| {
            appointments_between(store, None, None, None)
                .unwrap()
                .into_iter()
                .find(|r| r.id == created.id)
                .unwrap()
                .upload
        };
        assert_eq!(upload_of(&store), Some(pending));
        store
            .record_push_failure(
                account.id,
                created.id,
                "Microsoft 365 is unavailable (503).",
                None,
            )
            .unwrap();
        assert_eq!(
            upload_of(&store),
            Some(UploadState::Failed {
                account: "megan.bowen@contoso.example".into(),
                reason: "Microsoft 365 is unavailable (503).".into(),
                attempts: 1,
            }),
            "a failed upload says why"
        );
        let entry = store.outbox_due(account.id, now).unwrap().remove(0);
        store
            .confirm_push(
                account.id,
                created.id,
                entry.revision,
                (None, None),
                (|| {}, now),
            )
            .unwrap();
        assert_eq!(
            upload_of(&store),
            None,
            "once Microsoft confirmed, nothing is marked"
        );
    }

    #[test]
    fn uploads_go_to_the_main_account_only_when_it_sends() {
        let mut store = Store::open_in_memory().unwrap();
        let now = at("2026-11-24T08:00:00Z");
        let resource = store
            .add_resource(
                crate::model::NewResource {
                    name: "Megan".into(),
                    email: None,
                    kind: crate::model::ResourceKind::Person,
                    colour: None,
                    hours: None,
                },
                now,
            )
            .unwrap()
            .id;
        let account = store
            .add_account(
                NewAccount {
                    resource_id: resource,
                    email: "megan.bowen@contoso.example".into(),
                    direction: Direction::Down,
                    scopes: vec![],
                },
                now,
            )
            .unwrap();
        assert!(account.is_main, "the first account is the main one");
        assert_eq!(
            upload_account(&store, resource).unwrap(),
            None,
            "a Down account receives no uploads"
        );
        store
            .edit_account(account.id, Direction::UpAndDown, vec![])
            .unwrap();
        assert_eq!(upload_account(&store, resource).unwrap(), Some(account.id));
    }

    #[test]
    fn a_move_to_another_resource_pushes_to_both_main_accounts_at_once() {
        use crate::model::{NewResource, ResourceKind};
        let mut store = Store::open_in_memory().unwrap();
        let now = at("2026-11-24T08:00:00Z");
        let mut sending = |name: &str, email: &str| {
            let resource = store
                .add_resource(
                    NewResource {
                        name: name.into(),
                        email: None,
                        kind: ResourceKind::Person,
                        colour: None,
                        hours: None,
                    },
                    now,
                )
                .unwrap()
                .id;
            let account = store
                .add_account(
                    NewAccount {
                        resource_id: resource,
                        email: email.into(),
                        direction: Direction::Up,
                        scopes: vec![],
                    },
                    now,
                )
                .unwrap();
            (resource, account.id)
        };
        let (megan, megans) = sending("Megan", "megan.bowen@contoso.example");
        let (adele, adeles) = sending("Adele", "adele.vance@contoso.example");
        let created = store
            .create_appointment(
                crate::model::AppointmentInput {
                    resource_id: megan,
                    title: "Site visit".into(),
                    all_day: false,
                    start: "2026-11-25T09:00".into(),
                    end: Some("2026-11-25T10:00".into()),
                    time_zone: Some("Europe/Berlin".into()),
                    location: None,
                    notes: None,
                    categories: vec![],
                    show_as: None,
                    sensitivity: None,
                },
                now,
            )
            .unwrap();
        assert_eq!(upload_accounts(&store, megan).unwrap(), [megans]);
        // As if Megan's account had received it: nothing waits anywhere.
        store.drop_outbox(megans, created.id, 1).unwrap();
        assert_eq!(upload_accounts(&store, adele).unwrap(), [adeles]);
        store
            .edit_appointment(
                created.id,
                crate::model::AppointmentPatch {
                    resource_id: Some(adele),
                    ..Default::default()
                },
                now,
            )
            .unwrap();
        assert_eq!(
            upload_accounts(&store, adele).unwrap(),
            [adeles, megans],
            "Adele's account receives it, Megan's deletes her copy"
        );
    }

    #[test]
    fn a_new_job_runs_one_interval_from_now_and_an_edit_of_its_schedule_counts_again() {
        use crate::model::{Frequency, FrequencyUnit, JobKind, JobSpec};
        let mut store = Store::open_in_memory().unwrap();
        let now = at("2026-11-24T08:00:00Z");
        let spec = JobSpec {
            name: "Sync".into(),
            kind: JobKind::SynchronizeOffice365Calendars,
            frequency: Frequency {
                every: 60,
                unit: FrequencyUnit::Minutes,
            },
            enabled: true,
            active_hours: None,
            scope: Default::default(),
            notify: Default::default(),
        };
        let job = add_job(&mut store, spec.clone(), now).unwrap();
        let next = job.next_run_at.unwrap();
        assert!(
            next >= at("2026-11-24T09:00:00Z") && next <= at("2026-11-24T09:01:00Z"),
            "one hour from now, plus at most a minute of jitter: {next}"
        );
        let renamed = edit_job(
            &mut store,
            job.id,
            JobSpec {
                name: "Renamed".into(),
                ..spec.clone()
            },
            at("2026-11-24T08:30:00Z"),
        )
        .unwrap();
        assert_eq!(renamed.next_run_at, Some(next), "a new name keeps the time");
        let faster = edit_job(
            &mut store,
            job.id,
            JobSpec {
                frequency: Frequency {
                    every: 15,
                    unit: FrequencyUnit::Minutes,
                },
                ..spec
            },
            at("2026-11-24T08:30:00Z"),
        )
        .unwrap();
        let next = faster.next_run_at.unwrap();
        assert!(next >= at("2026-11-24T08:45:00Z") && next <= at("2026-11-24T08:46:00Z"));
        assert!(faster.frequency_warning.unwrap().contains("30 minutes"));
    }
}
