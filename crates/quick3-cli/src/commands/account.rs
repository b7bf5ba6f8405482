//! `quick3 account add|list|edit|remove|set-main|sign-in`: Microsoft 365 accounts of resources,
//! signed in through the browser with a loopback answer, or with a device code.

use std::io::Write;
use std::time::Duration;

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use quick3_core::api;
use quick3_core::api::calendars;
use quick3_core::identity::flow;
use quick3_core::identity::loopback::LoopbackListener;
use quick3_core::identity::{Credentials, IdentityError, SignInFailure, SignedIn};
use quick3_core::model::{Account, Direction, NewAccount};

use super::{Session, resource_name};
use crate::args::{AccountCommand, Flow, SignInOptions};
use crate::output;

pub fn run(session: &mut Session, command: AccountCommand) -> anyhow::Result<()> {
    let now = Utc::now();
    match command {
        AccountCommand::Add {
            resource,
            email,
            direction,
            scopes,
            sign_in,
        } => add(session, &resource, email, &direction, scopes, &sign_in, now),
        AccountCommand::SignIn {
            account,
            resource,
            sign_in,
        } => sign_in_again(session, &account, resource.as_deref(), &sign_in),
        AccountCommand::List { resource, json } => list(session, resource.as_deref(), json),
        AccountCommand::Edit {
            account,
            resource,
            direction,
            scopes,
        } => edit(session, &account, resource.as_deref(), direction, scopes),
        AccountCommand::Remove {
            account,
            resource,
            delete_appointments,
        } => remove(
            session,
            &account,
            resource.as_deref(),
            delete_appointments,
            now,
        ),
        AccountCommand::Calendars {
            account,
            resource,
            sync,
            all,
            json,
        } => list_calendars(session, &account, resource.as_deref(), sync, all, json, now),
        AccountCommand::SetMain { account, resource } => {
            set_main(session, &account, resource.as_deref())
        }
    }
}

fn add(
    session: &mut Session,
    resource: &str,
    email: String,
    direction: &str,
    scopes: Option<String>,
    sign_in: &SignInOptions,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let resource = session.store.find_resource(resource)?;
    let new = NewAccount {
        resource_id: resource.id,
        email,
        direction: Direction::parse(direction)?,
        scopes: scopes.into_iter().collect(),
    };
    let credentials = session.credentials()?;
    credentials.endpoints().client_id()?;
    // Check the keyring before anything is written: the sign-in must have somewhere to go.
    credentials.check_keyring()?;
    let account = session.store.add_account(new, now)?;
    if let Some(warning) = quick3_core::model::scope_warning(account.direction, &account.scopes) {
        eprintln!("Warning: {}", crate::output::plain(&warning.to_string()));
    }
    out!(
        "Added account {} ({}) to {}.",
        account.id,
        account.email,
        resource.name
    );
    let signed_in = sign_in_account(session, &credentials, &account, sign_in);
    if signed_in.is_err() {
        // A failed first sign-in adds nothing: the same add can be made again.
        api::discard_added_account(&mut session.store, &credentials, account.id, now)?;
    }
    signed_in
}

fn sign_in_again(
    session: &mut Session,
    account: &str,
    resource: Option<&str>,
    sign_in: &SignInOptions,
) -> anyhow::Result<()> {
    let account = find(session, account, resource)?;
    let credentials = session.credentials()?;
    sign_in_account(session, &credentials, &account, sign_in)
}

fn list(session: &Session, resource: Option<&str>, json: bool) -> anyhow::Result<()> {
    let accounts = match resource {
        Some(r) => {
            let id = session.store.find_resource(r)?.id;
            session.store.accounts_of(id)?
        }
        None => session.store.all_accounts()?,
    };
    if json {
        return output::json(&accounts);
    }
    let names = session.store.list_resources()?;
    let rows: Vec<Vec<String>> = accounts
        .iter()
        .map(|a| {
            vec![
                a.id.to_string(),
                resource_name(&names, a.resource_id),
                a.email.clone(),
                a.direction.as_str().to_owned(),
                a.status.as_str().to_owned(),
                if a.is_main {
                    "main".into()
                } else {
                    String::new()
                },
                a.last_sync_at
                    .map(|t| t.to_rfc3339())
                    .unwrap_or_else(|| "never".into()),
                match &a.organisation {
                    Some(link) => format!("organisation link ({})", link.display_name),
                    None => "sign-in".into(),
                },
            ]
        })
        .collect();
    output::table(
        &[
            "ID",
            "RESOURCE",
            "E-MAIL",
            "DIRECTION",
            "STATUS",
            "MAIN",
            "LAST SYNC",
            "CONNECTED BY",
        ],
        &rows,
    );
    Ok(())
}

fn edit(
    session: &mut Session,
    account: &str,
    resource: Option<&str>,
    direction: Option<String>,
    scopes: Option<String>,
) -> anyhow::Result<()> {
    let current = find(session, account, resource)?;
    let direction = direction
        .map(|d| Direction::parse(&d))
        .transpose()?
        .unwrap_or(current.direction);
    let scopes = match scopes {
        Some(scopes) => vec![scopes],
        None if direction != current.direction => Vec::new(),
        None => current.scopes.clone(),
    };
    let edited = api::edit_account(&mut session.store, current.id, direction, scopes)?;
    out!(
        "Account {} is now {} ({}).",
        edited.email,
        edited.direction.as_str(),
        edited.scopes.join(" ")
    );
    if let Some(warning) = quick3_core::model::scope_warning(edited.direction, &edited.scopes) {
        eprintln!("Warning: {}", crate::output::plain(&warning.to_string()));
    }
    Ok(())
}

fn remove(
    session: &mut Session,
    account: &str,
    resource: Option<&str>,
    delete_appointments: bool,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let account = find(session, account, resource)?;
    let credentials = session.credentials().ok();
    let removed = api::remove_account(
        &mut session.store,
        credentials.as_ref(),
        account.id,
        !delete_appointments,
        now,
    )?;
    if let Some(warning) = &removed.warning {
        eprintln!("Warning: {}", crate::output::plain(&warning.to_string()));
    }
    out!(
        "Removed account {}{}.",
        removed.account.email,
        if delete_appointments {
            " and its appointments"
        } else {
            ""
        }
    );
    Ok(())
}

/// `account calendars`: chooses the calendars to sync when told to, then lists them.
fn list_calendars(
    session: &mut Session,
    account: &str,
    resource: Option<&str>,
    sync: Option<Vec<String>>,
    all: bool,
    json: bool,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let account = find(session, account, resource)?;
    let wanted = match (sync, all) {
        (Some(wanted), _) => Some(
            wanted
                .iter()
                .map(|w| w.trim().to_owned())
                .filter(|w| !w.is_empty())
                .collect(),
        ),
        (None, true) => Some(
            calendars::account_calendars(&session.store, account.id)?
                .into_iter()
                .map(|c| c.calendar_id)
                .collect::<Vec<String>>(),
        ),
        (None, false) => None,
    };
    let chosen = wanted
        .map(|wanted| calendars::choose_calendars(&mut session.store, account.id, &wanted, now))
        .transpose()?;
    let list = match &chosen {
        Some(chosen) => chosen.calendars.clone(),
        None => calendars::account_calendars(&session.store, account.id)?,
    };
    if json {
        return output::json(&list);
    }
    print_calendars(&account, &list, chosen.as_ref());
    Ok(())
}

fn print_calendars(
    account: &Account,
    list: &[calendars::CalendarChoice],
    chosen: Option<&calendars::CalendarsChosen>,
) {
    if list.is_empty() {
        out!(
            "No calendars of {} are known yet: `quick3 sync --account {}` lists them (and syncs them all).",
            account.email,
            account.email
        );
        return;
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|c| {
            vec![
                if c.selected { "yes" } else { "no" }.to_owned(),
                c.name.clone(),
                if c.is_default { "default" } else { "" }.to_owned(),
                c.calendar_id.clone(),
            ]
        })
        .collect();
    output::table(&["SYNCED", "CALENDAR", "", "ID"], &rows);
    if let Some(chosen) = chosen.filter(|c| c.removed > 0) {
        out!(
            "{} appointments of the calendars no longer synced left the Scheduler.",
            chosen.removed
        );
    }
}

fn set_main(session: &mut Session, account: &str, resource: Option<&str>) -> anyhow::Result<()> {
    let account = find(session, account, resource)?;
    let main = api::set_main_account(&mut session.store, account.id)?;
    out!("{} is now the main account: uploads go there.", main.email);
    Ok(())
}

fn find(session: &Session, account: &str, resource: Option<&str>) -> anyhow::Result<Account> {
    let resource = resource
        .map(|r| session.store.find_resource(r).map(|r| r.id))
        .transpose()?;
    Ok(session.store.find_account(account, resource)?)
}

fn sign_in_account(
    session: &mut Session,
    credentials: &Credentials,
    account: &Account,
    options: &SignInOptions,
) -> anyhow::Result<()> {
    let timeout = Duration::from_secs(options.timeout);
    let outcome = match options.flow {
        Flow::Device => session
            .runtime
            .block_on(device_sign_in(credentials, account, options, timeout))
            .map_err(|error| SignInFailure {
                account_id: Some(account.id),
                error,
            }),
        Flow::Browser | Flow::Loopback => {
            session
                .runtime
                .block_on(browser_sign_in(credentials, account, options, timeout))
        }
    };
    let result = api::record_sign_in(&mut session.store, credentials, outcome)
        .context("the sign-in could not be recorded")?;
    if result.connected {
        if let Some(warning) = &result.message {
            eprintln!("Warning: {}", crate::output::plain(&warning.to_string()));
        }
        let account = session.store.account(account.id)?;
        out!(
            "Connected {} ({}).",
            account.email,
            account.direction.as_str()
        );
        Ok(())
    } else {
        bail!(
            "{}",
            result
                .message
                .unwrap_or_else(|| "The sign-in did not complete.".into())
        )
    }
}

/// The device code flow: the code to enter goes to stderr, the tokens come once it is entered.
async fn device_sign_in(
    credentials: &Credentials,
    account: &Account,
    options: &SignInOptions,
    timeout: Duration,
) -> Result<SignedIn, IdentityError> {
    let device =
        flow::begin_device_sign_in(credentials.endpoints(), credentials.http(), &account.scopes)
            .await?;
    eprintln!("{}", crate::output::plain(&device.message));
    if !options.no_browser {
        let _ = open::that_detached(&device.verification_uri);
    }
    let tokens = tokio::time::timeout(
        timeout,
        flow::finish_device_sign_in(
            credentials.endpoints(),
            credentials.http(),
            device,
            tokio::time::sleep,
            Utc::now,
        ),
    )
    .await
    .map_err(|_| IdentityError::Expired)??;
    let user = tokens.user.clone();
    Ok(SignedIn {
        account_id: account.id,
        user,
        tokens,
    })
}

/// The browser flow: the sign-in address opened (or shown), its answer read on a loopback port.
async fn browser_sign_in(
    credentials: &Credentials,
    account: &Account,
    options: &SignInOptions,
    timeout: Duration,
) -> Result<SignedIn, SignInFailure> {
    let failure = |error| SignInFailure {
        account_id: Some(account.id),
        error,
    };
    let listener = LoopbackListener::bind().await.map_err(failure)?;
    let url = credentials
        .start_sign_in(account, &listener.redirect_uri(), Utc::now())
        .map_err(failure)?;
    let opened = options.flow == Flow::Browser
        && !options.no_browser
        && open::that_detached(url.as_str()).is_ok();
    if opened {
        eprintln!(
            "Sign in with Microsoft in the browser window that opened. If none did, open:\n{url}"
        );
    } else {
        eprintln!("Open this address in a browser on this machine to sign in:\n{url}");
    }
    let _ = std::io::stderr().flush();
    let answer = listener.wait(&url, timeout).await.map_err(failure)?;
    credentials.complete_sign_in(&answer, Utc::now()).await
}
