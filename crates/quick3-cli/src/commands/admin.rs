//! `quick3 admin …`: what Support (modules) and local management (rights, the window's date
//! format) do.

use chrono::{DateTime, Utc};
use quick3_core::Store;
use quick3_core::model::{DateFormat, HourCycle, Module};

use crate::args::AdminCommand;

pub fn run(store: &mut Store, command: AdminCommand, now: DateTime<Utc>) -> anyhow::Result<()> {
    match command {
        AdminCommand::Module { action, module } => module_action(store, &action, &module, now),
        AdminCommand::AllowEdit { resource } => allow_edit(store, resource.as_deref()),
        AdminCommand::DenyEdit => {
            store.set_may_edit_resource_settings(false)?;
            out!("The planner may no longer edit Resource settings.");
            Ok(())
        }
        AdminCommand::AllowAdmin => {
            store.set_administrator(true)?;
            out!(
                "The planner is now an administrator of the organisation's Office 365 connection."
            );
            Ok(())
        }
        AdminCommand::DenyAdmin => {
            store.set_administrator(false)?;
            out!("The planner is no longer an administrator.");
            Ok(())
        }
        AdminCommand::DateFormat { locale, clock } => date_format(store, locale, clock),
    }
}

/// `admin date-format [--locale TAG] [--clock 24|12]`: sets what is given ("system" goes back to
/// the system's), then says the setting in force.
fn date_format(
    store: &mut Store,
    locale: Option<String>,
    clock: Option<String>,
) -> anyhow::Result<()> {
    let mut format = store.date_format()?;
    if let Some(locale) = locale {
        format.locale = (locale.trim() != "system").then_some(locale);
    }
    if let Some(clock) = clock {
        format.hour_cycle = match clock.trim() {
            "system" => None,
            other => match HourCycle::parse(other) {
                Some(cycle) => Some(cycle),
                None => usage!("\"{other}\" is not a clock; use 24, 12 or system."),
            },
        };
    }
    let format = store.set_date_format(format).map_err(|err| match err {
        quick3_core::CoreError::InvalidInput { .. } => super::UsageError(err.to_string()).into(),
        other => anyhow::Error::from(other),
    })?;
    out!("{}", describe_date_format(&format));
    Ok(())
}

fn describe_date_format(format: &DateFormat) -> String {
    let locale = format
        .locale
        .as_deref()
        .unwrap_or("the system's language and region");
    let clock = match format.hour_cycle {
        Some(HourCycle::H24) => "a 24-hour clock",
        Some(HourCycle::H12) => "a 12-hour clock",
        None => "its own clock",
    };
    format!("Dates and times are written in {locale}, with {clock}.")
}

/// `admin module ACTION MODULE`: Support activates, deactivates or asks about a module.
fn module_action(
    store: &mut Store,
    action: &str,
    module: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let Some(module) = Module::parse(module) else {
        usage!("\"{module}\" is not a module; the modules are: office365.");
    };
    match action {
        "enable" | "activate" => {
            store.set_module_active(module, true, now)?;
            out!("The {} module is activated.", module.key());
        }
        "disable" | "deactivate" => {
            store.set_module_active(module, false, now)?;
            out!("The {} module is deactivated.", module.key());
        }
        "status" => {
            let state = if store.module_active(module)? {
                "activated"
            } else {
                "not activated"
            };
            out!("The {} module is {state}.", module.key());
        }
        other => usage!("\"{other}\" is not an action; use enable, disable or status."),
    }
    Ok(())
}

/// `admin allow-edit [RESOURCE]`: without a resource (a new installation has none, and adding
/// one needs the right), only the right is granted.
fn allow_edit(store: &mut Store, resource: Option<&str>) -> anyhow::Result<()> {
    let Some(resource) = resource else {
        store.set_may_edit_resource_settings(true)?;
        out!("The planner may now edit Resource settings: add, change and remove resources.");
        return Ok(());
    };
    let resource = store.find_resource(resource)?;
    store.set_my_resource(resource.id)?;
    store.set_may_edit_resource_settings(true)?;
    out!(
        "The planner may now edit the Resource settings of {}.",
        resource.name
    );
    Ok(())
}
