//! Microsoft sign-in in the desktop app: where Microsoft is (the embedded emulator in demo mode),
//! the system browser that shows the sign-in page, and the answers that come back as
//! `quickplanner://auth/callback` deep links.

use std::path::Path;

use chrono::Utc;
use m365_emulator::demo::DemoInstance;
use quick3_core::identity::{Credentials, EndpointSettings, IdentityError, Keyring};
use quick3_core::{CoreError, ErrorPayload, Store, api};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_deep_link::DeepLinkExt;
use tauri_plugin_opener::OpenerExt;
use url::Url;

use crate::AppState;

/// The event the window receives with a `SignInResult` when a sign-in answer was used.
pub const SIGN_IN_EVENT: &str = "account-sign-in";

/// How the app reaches Microsoft: its credentials (or why there are none), and in demo mode the
/// emulator that plays Microsoft for as long as the app runs.
#[derive(Debug)]
pub struct Microsoft {
    pub credentials: Result<Credentials, ErrorPayload>,
    _emulator: Option<DemoInstance>,
}

impl Microsoft {
    /// Microsoft as configured (settings, then `QUICK3_*` variables), refresh tokens in the OS
    /// keyring. Nothing here touches the network or the keyring yet.
    pub fn configured(store: &mut Store) -> Microsoft {
        let credentials = (|| {
            let endpoints = store.endpoint_settings()?.with_env().resolve()?;
            credentials(endpoints, store)
        })();
        Microsoft {
            credentials: credentials.map_err(ErrorPayload::from),
            _emulator: None,
        }
    }

    /// Demo mode: the folder's M365 emulator (state, CA and ports kept in `dir`), started here or
    /// joined when the CLI already runs it for the same folder.
    pub fn demo(store: &mut Store, dir: &Path) -> Microsoft {
        let instance = match tauri::async_runtime::block_on(m365_emulator::demo::start_or_join(dir))
        {
            Ok(instance) => instance,
            Err(err) => {
                tracing::warn!(%err, "the demo Microsoft 365 emulator did not start");
                let reason = format!("the demo Microsoft 365 emulator did not start ({err})");
                return Microsoft {
                    credentials: Err(
                        CoreError::from(IdentityError::Misconfigured { reason }).into()
                    ),
                    _emulator: None,
                };
            }
        };
        let at = instance.endpoints();
        tracing::info!(authority = %at.authority, "demo Microsoft 365 emulator ready");
        let settings = EndpointSettings::emulator(
            at.authority,
            at.http_authority,
            at.graph,
            &at.ca_cert,
            m365_emulator::DEMO_CLIENT_ID,
        );
        let credentials = settings
            .resolve()
            .map_err(CoreError::from)
            .and_then(|endpoints| credentials(endpoints, store));
        Microsoft {
            credentials: credentials.map_err(ErrorPayload::from),
            _emulator: Some(instance),
        }
    }
}

fn credentials(
    endpoints: quick3_core::identity::Endpoints,
    store: &mut Store,
) -> quick3_core::Result<Credentials> {
    let secrets = Keyring::for_installation(&store.installation_id()?);
    Ok(Credentials::new(endpoints, secrets)?)
}

/// Opens Microsoft's sign-in page in the planner's own browser.
pub fn open_in_browser<R: Runtime>(app: &AppHandle<R>, url: &Url) -> Result<(), ErrorPayload> {
    app.opener()
        .open_url(url.as_str(), None::<&str>)
        .map_err(|err| ErrorPayload {
            code: "BrowserUnavailable".into(),
            message: format!(
                "Quick3 Planner could not open your web browser ({err}). Open this address in a \
                 browser to sign in: {url}"
            ),
        })
}

/// Listens for `quickplanner://` answers: the one the app was started with, and those a second
/// launch hands over (single-instance). Also registers the scheme, so that a development or test
/// build handles it too.
pub fn listen<R: Runtime>(app: &AppHandle<R>) {
    #[cfg(any(target_os = "linux", windows))]
    if let Err(err) = app.deep_link().register_all() {
        tracing::warn!(%err, "the quickplanner:// scheme could not be registered");
    }
    #[cfg(target_os = "linux")]
    if let Err(err) = unquote_handler_exec(app) {
        tracing::warn!(%err, "the quickplanner:// handler entry could not be adjusted");
    }
    let handle = app.clone();
    app.deep_link().on_open_url(move |event| {
        for url in event.urls() {
            answer(&handle, url);
        }
    });
    match app.deep_link().get_current() {
        Ok(Some(urls)) => urls.into_iter().for_each(|url| answer(app, url)),
        Ok(None) => {}
        Err(err) => tracing::warn!(%err, "the start-up deep link could not be read"),
    }
}

/// The plugin writes `Exec="/path/to/quick3-planner" %u` into its handler entry. xdg-utils 1.1.3
/// (Debian 12, Ubuntu 24.04) cannot resolve a quoted Exec, so plain `xdg-open quickplanner://…`
/// (what browsers call outside GNOME and KDE) would find no handler. A path without spaces or
/// reserved characters needs no quotes: drop them.
#[cfg(target_os = "linux")]
fn unquote_handler_exec<R: Runtime>(app: &AppHandle<R>) -> std::io::Result<()> {
    let exe = tauri::utils::platform::current_exe()?;
    let Some(name) = exe.file_name() else {
        return Ok(());
    };
    let entry = app
        .path()
        .data_dir()
        .map_err(std::io::Error::other)?
        .join("applications")
        .join(format!("{}-handler.desktop", name.to_string_lossy()));
    let text = std::fs::read_to_string(&entry)?;
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+".contains(c);
    let fixed: Vec<String> = text
        .lines()
        .map(|line| {
            match line
                .strip_prefix("Exec=\"")
                .and_then(|l| l.split_once("\" "))
            {
                Some((path, args)) if path.chars().all(plain) => format!("Exec={path} {args}"),
                _ => line.to_owned(),
            }
        })
        .collect();
    let fixed = fixed.join("\n") + "\n";
    if fixed != text {
        std::fs::write(&entry, fixed)?;
    }
    Ok(())
}

/// Uses one sign-in answer and tells the window what became of it. Answers that match no waiting
/// sign-in (unknown or stale `state`) are logged by the core and change nothing.
fn answer<R: Runtime>(app: &AppHandle<R>, url: Url) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let Ok(credentials) = &state.microsoft.credentials else {
            tracing::warn!("a sign-in answer arrived but Microsoft is not configured; ignored");
            return;
        };
        let outcome = credentials.complete_sign_in(url.as_str(), Utc::now()).await;
        let recorded = {
            let mut store = state.store();
            api::record_sign_in(&mut store, outcome)
        };
        match recorded {
            Ok(result) if result.account_id.is_some() => {
                if let Err(err) = app.emit(SIGN_IN_EVENT, &result) {
                    tracing::warn!(%err, "the window could not be told about a sign-in");
                }
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(code = err.code(), "a sign-in could not be recorded: {err}"),
        }
    });
}

/// Brings the window forward when a second launch hands its arguments over (or the tray's Open),
/// also when closing had hidden it.
pub fn show_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}
