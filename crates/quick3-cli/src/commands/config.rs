//! `quick3 config show|set|unset`: where Microsoft is for this installation.

use quick3_core::identity::ENDPOINT_SETTING_NAMES;

use quick3_core::CoreError;

use super::{Session, UsageError};
use crate::args::ConfigCommand;

pub fn run(session: &mut Session, command: ConfigCommand) -> anyhow::Result<()> {
    match command {
        ConfigCommand::Show => show(session),
        ConfigCommand::Set { name, value } => set(session, &name, &value),
        ConfigCommand::Unset { name } => unset(session, &name),
    }
}

fn show(session: &Session) -> anyhow::Result<()> {
    let endpoints = session.endpoint_settings.resolve()?;
    out!("authority: {}", endpoints.authority);
    out!("tenant:    {}", endpoints.tenant);
    out!(
        "client-id: {}",
        endpoints
            .client_id
            .as_deref()
            .unwrap_or("(not set: register Quick3 Planner in Microsoft Entra)")
    );
    out!("graph:     {}", endpoints.graph);
    out!(
        "ca-cert:   {}",
        endpoints
            .extra_ca
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "(system roots only)".into())
    );
    Ok(())
}

fn set(session: &mut Session, name: &str, value: &str) -> anyhow::Result<()> {
    // A value that is not one a setting can take is a usage error (exit 2), unchanged.
    session
        .store
        .set_endpoint_setting(name, Some(value))
        .map_err(|err| match err {
            CoreError::InvalidInput { .. } => UsageError(err.to_string()).into(),
            other => anyhow::Error::from(other),
        })?;
    out!("{name} is set.");
    Ok(())
}

fn unset(session: &mut Session, name: &str) -> anyhow::Result<()> {
    if !ENDPOINT_SETTING_NAMES.contains(&name) {
        return Err(UsageError(format!(
            "\"{name}\" is not one of {}.",
            ENDPOINT_SETTING_NAMES.join(", ")
        ))
        .into());
    }
    session.store.set_endpoint_setting(name, None)?;
    out!("{name} is back to its default.");
    Ok(())
}
