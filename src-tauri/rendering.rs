//! How the window draws. WebKitGTK composites the page with OpenGL; on a machine without a GPU
//! (no DRM render node: a virtual machine, a remote desktop, CI under Xvfb) that OpenGL is Mesa's
//! software renderer, and every frame after the page changes costs 200–300 ms there, against
//! 15 ms drawn without compositing (docs/benchmarks.md, the Scheduler's timeline), and the web
//! process maps Mesa's llvmpipe (about 100 MB more). So without a render node the window draws
//! without compositing. WebKit's own switch, `WEBKIT_DISABLE_COMPOSITING_MODE`, when set (to
//! anything, `0` included), decides instead: `0` keeps compositing on such a machine.
//!
//! Without compositing the window draws every page; only WebKitWebDriver's screenshot of a page
//! that is not repainting never returns (WebKitGTK 2.50: it waits for a presentation update that a
//! still page does not produce), so the E2E harness captures the window from the X server instead
//! (`tests/e2e/app.mjs`, `screenshot`).

use std::path::Path;

/// The environment variable with which WebKitGTK itself turns compositing off (`0`: on).
pub const WEBKIT_SWITCH: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// Whether the window should draw without compositing: only where no GPU render node exists, and
/// never against WebKit's own switch.
pub fn without_compositing(render_node: bool, webkit_switch: Option<&str>) -> bool {
    webkit_switch.is_none() && !render_node
}

/// Whether `dri` (normally `/dev/dri`) has a render node (`renderD128`…): a GPU to draw with.
pub fn has_render_node(dri: &Path) -> bool {
    std::fs::read_dir(dri).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|entry| entry.file_name().to_string_lossy().starts_with("renderD"))
    })
}

/// Turns compositing off for a new window where [`without_compositing`] says so.
#[cfg(target_os = "linux")]
pub fn apply(window: &tauri::WebviewWindow) {
    let switch = std::env::var(WEBKIT_SWITCH).ok();
    if !without_compositing(has_render_node(Path::new("/dev/dri")), switch.as_deref()) {
        return;
    }
    let applied = window.with_webview(|webview| {
        use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
        if let Some(settings) = webview.inner().settings() {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
    });
    match applied {
        Ok(()) => tracing::info!("no GPU render node: the window draws without compositing"),
        Err(err) => tracing::warn!("could not switch compositing off: {err}"),
    }
}

#[cfg(not(target_os = "linux"))]
pub fn apply(_window: &tauri::WebviewWindow) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compositing_goes_off_only_without_a_render_node_and_without_webkits_switch() {
        assert!(without_compositing(false, None));
        assert!(!without_compositing(true, None));
        assert!(
            !without_compositing(false, Some("0")),
            "WEBKIT_DISABLE_COMPOSITING_MODE=0 keeps it on"
        );
        assert!(
            !without_compositing(false, Some("1")),
            "WebKit turns it off itself"
        );
    }

    #[test]
    fn a_render_node_is_a_renderd_entry_of_the_folder() {
        let dir = std::env::temp_dir().join(format!("quick3-dri-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(!has_render_node(&dir), "an empty folder has none");
        std::fs::write(dir.join("card0"), "").unwrap();
        assert!(
            !has_render_node(&dir),
            "a card node alone is not a render node"
        );
        std::fs::write(dir.join("renderD128"), "").unwrap();
        assert!(has_render_node(&dir));
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(!has_render_node(&dir), "a missing folder has none");
    }
}
