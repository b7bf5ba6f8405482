//! Microsoft sign-in in the desktop app: where Microsoft is (the embedded emulator in demo mode),
//! the system browser that shows the sign-in page, and the answers that come back as
//! `quickplanner://auth/callback` deep links.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::Utc;
use m365_emulator::demo::DemoInstance;
use quick3_core::identity::flow::PENDING_LIFETIME_MINUTES;
use quick3_core::identity::loopback::LoopbackListener;
use quick3_core::identity::{
    Credentials, DEEP_LINK_REDIRECT, EndpointSettings, IdentityError, Keyring,
};
use quick3_core::{CoreError, ErrorCode, ErrorPayload, Store, api};
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
    /// Whether `quickplanner://` answers reach this app (the scheme is registered to it); when
    /// not, sign-ins come back to a loopback listener instead.
    deep_link: AtomicBool,
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
            deep_link: AtomicBool::new(false),
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
                    deep_link: AtomicBool::new(false),
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
            deep_link: AtomicBool::new(false),
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
            code: ErrorCode::BrowserUnavailable,
            message: format!(
                "Quick3 Planner could not open your web browser ({err}). Open this address in a \
                 browser to sign in: {url}"
            ),
        })
}

/// Listens for `quickplanner://` answers: the one the app was started with, and those a second
/// launch hands over (single-instance). Also registers the scheme, so that a development or test
/// build handles it too, for this data folder (`folder_env`: a process the desktop starts for an
/// answer, once this one ended, opens the same folder and finishes the sign-in): beside the
/// window's start, as registering runs the desktop's tools
/// (`update-desktop-database`, `xdg-mime`: 100–300 ms that would otherwise hold up the window's
/// first page on the main thread). Until it is done, sign-ins come back through the loopback
/// listener.
pub fn listen(app: &AppHandle, folder_env: Vec<(&'static str, String)>) {
    match std::env::var(SIGN_IN_RETURN_VAR).as_deref() {
        Ok("loopback") => use_deep_link(app, false),
        Ok("deep-link") => use_deep_link(app, true),
        _ => {
            let handle = app.clone();
            let registering = std::thread::Builder::new()
                .name("register-scheme".into())
                .spawn(move || {
                    use_deep_link(&handle, register_scheme(&handle, &folder_env));
                    crate::launch::mark("quickplanner:// registered");
                });
            if let Err(err) = registering {
                tracing::warn!(%err, "the quickplanner:// scheme could not be registered");
                use_deep_link(app, false);
            }
        }
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

/// Whether sign-in answers come back as `quickplanner://` deep links (else to a loopback listener).
fn use_deep_link<R: Runtime>(app: &AppHandle<R>, ready: bool) {
    if !ready {
        tracing::info!("sign-ins come back through a loopback listener on 127.0.0.1");
    }
    app.state::<AppState>()
        .microsoft
        .deep_link
        .store(ready, Ordering::Relaxed);
}

/// Chooses how sign-in answers come back: `loopback` or `deep-link` (default: the deep link when
/// the `quickplanner://` scheme is registered to this app, else loopback).
pub const SIGN_IN_RETURN_VAR: &str = "QUICK3_SIGN_IN_RETURN";

/// Registers `quickplanner://` to this binary (Linux, Windows; a macOS bundle declares it) and
/// answers whether the desktop will hand such links to it.
fn register_scheme<R: Runtime>(app: &AppHandle<R>, folder_env: &[(&str, String)]) -> bool {
    #[cfg(any(target_os = "linux", windows))]
    {
        if let Err(err) = app.deep_link().register_all() {
            tracing::warn!(%err, "the quickplanner:// scheme could not be registered");
            return false;
        }
        #[cfg(target_os = "linux")]
        if let Err(err) = adjust_handler_exec(app, folder_env) {
            tracing::warn!(%err, "the quickplanner:// handler entry could not be adjusted");
        }
        match app.deep_link().is_registered("quickplanner") {
            Ok(registered) => registered,
            Err(err) => {
                tracing::warn!(%err, "whether quickplanner:// reaches this app is unknown");
                false
            }
        }
    }
    #[cfg(not(any(target_os = "linux", windows)))]
    {
        let _ = (app, folder_env);
        true
    }
}

/// Starts a sign-in: `begin` records it in `store` for the redirect URI this app receives
/// answers on and returns Microsoft's sign-in page, which opens in the system browser. With the
/// deep link, the answer arrives through `listen`; otherwise a loopback listener on 127.0.0.1
/// takes the one answer (or gives up when the attempt expires). Nothing is recorded when the
/// keyring, which must keep the sign-in, cannot be reached. Call from a blocking thread.
pub fn start_sign_in<T>(
    app: &AppHandle,
    store: &mut Store,
    begin: impl FnOnce(&mut Store, &Credentials, &str) -> quick3_core::Result<(T, Url)>,
) -> Result<T, ErrorPayload> {
    let state = app.state::<AppState>();
    let credentials = state.microsoft.credentials.as_ref().map_err(Clone::clone)?;
    credentials.check_keyring().map_err(CoreError::from)?;
    let listener = if state.microsoft.deep_link.load(Ordering::Relaxed) {
        None
    } else {
        Some(tauri::async_runtime::block_on(LoopbackListener::bind()).map_err(CoreError::from)?)
    };
    let redirect = listener.as_ref().map_or_else(
        || DEEP_LINK_REDIRECT.to_owned(),
        LoopbackListener::redirect_uri,
    );
    let (value, url) = begin(store, credentials, &redirect)?;
    if let Some(listener) = listener {
        let handle = app.clone();
        let lifetime = Duration::from_secs(PENDING_LIFETIME_MINUTES.unsigned_abs() * 60);
        let waiting = listener.wait(&url, lifetime);
        tauri::async_runtime::spawn(async move {
            match waiting.await.map(|url| Url::parse(&url)) {
                Ok(Ok(url)) => answer(&handle, url),
                Ok(Err(err)) => tracing::warn!(%err, "a loopback sign-in answer was unreadable"),
                Err(err) => tracing::info!(%err, "no sign-in answer came back to the loopback"),
            }
        });
    }
    open_in_browser(app, &url).map(|()| value)
}

/// Rewrites the plugin's handler entry (`Exec="/path/to/quick3-planner" %u`) with
/// [`handler_exec`].
#[cfg(target_os = "linux")]
fn adjust_handler_exec<R: Runtime>(
    app: &AppHandle<R>,
    folder_env: &[(&str, String)],
) -> std::io::Result<()> {
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
    let fixed: Vec<String> = text
        .lines()
        .map(|line| handler_exec(line, folder_env).unwrap_or_else(|| line.to_owned()))
        .collect();
    let fixed = fixed.join("\n") + "\n";
    if fixed != text {
        std::fs::write(&entry, fixed)?;
    }
    Ok(())
}

/// The handler entry's `Exec` line for the plugin's `Exec="/path" args` (`None`: another line).
/// xdg-utils 1.1.3 (Debian 12, Ubuntu 24.04) cannot resolve a quoted Exec, so plain
/// `xdg-open quickplanner://…` (what browsers call outside GNOME and KDE) would find no handler:
/// a path without spaces or reserved characters loses its quotes. A data folder other than the
/// default (or demo mode) goes before it as `env NAME=value …`: the process the desktop starts
/// for an answer still gets the URL as its only argument, as the deep-link plugin requires.
#[cfg(any(target_os = "linux", test))]
fn handler_exec(line: &str, folder_env: &[(&str, String)]) -> Option<String> {
    let (path, args) = line.strip_prefix("Exec=\"")?.split_once("\" ")?;
    let plain = |text: &str| {
        !text.is_empty()
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@".contains(c))
    };
    // Desktop Entry quoting: in double quotes, `"`, `` ` ``, `$` and `\` escaped with a backslash,
    // whose own backslash the string escaping of the file doubles.
    let quoted = |text: &str| {
        if plain(text) {
            return text.to_owned();
        }
        let mut out = String::from("\"");
        for c in text.chars() {
            if "\"`$\\".contains(c) {
                out.push_str("\\\\");
            }
            out.push(c);
        }
        out.push('"');
        out
    };
    let mut exec = String::from("Exec=");
    if !folder_env.is_empty() {
        exec.push_str("env ");
        for (name, value) in folder_env {
            exec.push_str(&quoted(&format!("{name}={value}")));
            exec.push(' ');
        }
    }
    exec.push_str(&quoted(path));
    exec.push(' ');
    exec.push_str(args);
    Some(exec)
}

/// Uses one sign-in answer and tells the window what became of it, opening the window when it was
/// closed meanwhile (it then reads the new account as it starts). Answers that match no waiting
/// sign-in (unknown or stale `state`) are logged by the core and change nothing.
fn answer(app: &AppHandle, url: Url) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let Ok(credentials) = &state.microsoft.credentials else {
            tracing::warn!("a sign-in answer arrived but Microsoft is not configured; ignored");
            return;
        };
        let outcome = credentials.complete_sign_in(url.as_str(), Utc::now()).await;
        let handle = app.clone();
        // Recorded on a blocking thread: the write may wait for a sync's (the busy timeout).
        let recorded = crate::sync::off_the_window(move || {
            let state = handle.state::<AppState>();
            let credentials = state.microsoft.credentials.as_ref().map_err(Clone::clone)?;
            state
                .connections
                .with(|store| api::record_sign_in(store, credentials, outcome))
                .and_then(|recorded| recorded)
                .map_err(ErrorPayload::from)
        })
        .await
        .and_then(|recorded| recorded);
        match recorded {
            Ok(result) if result.account_id.is_some() => {
                if let Err(err) = app.emit(SIGN_IN_EVENT, &result) {
                    tracing::warn!(%err, "the window could not be told about a sign-in");
                }
                crate::window::open(&app);
            }
            Ok(_) => {}
            Err(err) => {
                tracing::warn!(code = %err.code, "a sign-in could not be recorded: {}", err.message)
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::handler_exec;

    #[test]
    fn the_handler_runs_the_binary_unquoted_on_this_data_folder() {
        let written = r#"Exec="/opt/quick3/quick3-planner" %u"#;
        assert_eq!(
            handler_exec(written, &[]).as_deref(),
            Some("Exec=/opt/quick3/quick3-planner %u"),
            "the default folder: the plain path, which xdg-utils 1.1.3 can run"
        );
        let demo = [
            ("QUICK3_DATA_DIR", "/tmp/quick3-e2e-x1".to_owned()),
            ("QUICK3_DEMO", "1".to_owned()),
        ];
        assert_eq!(
            handler_exec(written, &demo).as_deref(),
            Some(
                "Exec=env QUICK3_DATA_DIR=/tmp/quick3-e2e-x1 QUICK3_DEMO=1 /opt/quick3/quick3-planner %u"
            ),
            "another folder: named in the environment, the URL still the only argument"
        );
        let spaced = [("QUICK3_DATA_DIR", "/home/pat/My \"Q3\" $data".to_owned())];
        assert_eq!(
            handler_exec(r#"Exec="/home/pat/my apps/quick3-planner" %u"#, &spaced).as_deref(),
            Some(
                r#"Exec=env "QUICK3_DATA_DIR=/home/pat/My \\"Q3\\" \\$data" "/home/pat/my apps/quick3-planner" %u"#
            ),
            "spaces quoted, quotes and dollars escaped as the Desktop Entry spec says"
        );
        assert_eq!(
            handler_exec("Name=Quick3 Planner", &demo),
            None,
            "other lines stay"
        );
    }
}
