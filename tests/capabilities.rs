//! The window may call exactly the commands the UI uses: the commands `src-tauri/build.rs`
//! declares, the `allow-…` permissions of the window's capability in `tauri.conf.json`, the
//! handlers `src-tauri/lib.rs` registers and the commands `ui/src/lib/api.ts` calls are one and the
//! same list (docs/security.md). Read from the sources, so a command added in one place only fails
//! here instead of being reachable without a use, or used without a grant.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::Path;

fn source(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every `"…"` string between `start` and the next `end`.
fn quoted_between(text: &str, start: &str, end: &str) -> BTreeSet<String> {
    let from = text.find(start).unwrap() + start.len();
    let to = from + text[from..].find(end).unwrap();
    text[from..to]
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_window_may_call_exactly_the_commands_the_ui_uses() {
    let declared = quoted_between(&source("src-tauri/build.rs"), "let commands = &[", "];");
    assert!(declared.len() > 10, "the commands were read: {declared:?}");

    let config: serde_json::Value = serde_json::from_str(&source("tauri.conf.json")).unwrap();
    let capabilities = config["app"]["security"]["capabilities"]
        .as_array()
        .unwrap();
    assert_eq!(capabilities.len(), 1, "one capability, for the main window");
    assert_eq!(capabilities[0]["windows"], serde_json::json!(["main"]));
    let mut granted = BTreeSet::new();
    for permission in capabilities[0]["permissions"].as_array().unwrap() {
        let permission = permission.as_str().unwrap();
        match permission.strip_prefix("allow-") {
            Some(command) => {
                granted.insert(command.replace('-', "_"));
            }
            None => assert_eq!(permission, "core:default", "no other plugin permission"),
        }
    }

    let lib = source("src-tauri/lib.rs");
    let handler = &lib[lib.find("generate_handler![").unwrap()..];
    let handler = &handler[..handler.find(']').unwrap()];
    let registered: BTreeSet<String> = handler
        .split("commands::")
        .skip(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect()
        })
        .collect();

    let api = source("ui/src/lib/api.ts");
    let called: BTreeSet<String> = api
        .split("call<")
        .skip(1)
        .filter_map(|rest| {
            // `call<T>('command', …)`; the function's own definition has no quoted name.
            let args = &rest[rest.find(">(")? + 2..];
            let name = args.strip_prefix('\'')?;
            Some(name[..name.find('\'')?].to_owned())
        })
        .collect();

    assert_eq!(granted, declared, "granted = declared in build.rs");
    assert_eq!(registered, declared, "registered in lib.rs = declared");
    assert_eq!(called, declared, "called by the UI = declared");
}
