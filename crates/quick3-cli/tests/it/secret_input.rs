//! Secrets typed for `quick3 mail set` and `quick3 org set`: read without echo on a terminal (a
//! pty through `script`), and one line from a pipe for scripts; kept in the OS keyring. Needs the
//! real Secret Service that script/test starts.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::io::{Read, Write};
use std::process::Stdio;

use common::Cli;

fn cli() -> Cli {
    let cli = Cli {
        dir: tempfile::tempdir().unwrap(),
        env: vec![],
    };
    cli.ok(&["demo", "seed"]);
    cli
}

/// The secret the installation's keyring holds under `key`.
fn kept(cli: &Cli, key: &str) -> Option<String> {
    let mut store = common::open(cli);
    let keyring =
        quick3_core::identity::Keyring::for_installation(&store.installation_id().unwrap());
    keyring.get(key).unwrap().map(|s| s.expose().to_owned())
}

const MAIL_SET: [&str; 10] = [
    "mail",
    "set",
    "--host",
    "smtp.contoso.example",
    "--port",
    "587",
    "--username",
    "notices@contoso.example",
    "--sender",
    "notices@contoso.example",
];

#[test]
fn a_secret_piped_in_is_read_and_kept() {
    let cli = cli();
    let mut child = cli
        .command(&MAIL_SET)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"smtp-pass-from-a-pipe\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        kept(&cli, quick3_core::mail::SMTP_PASSWORD_KEY).as_deref(),
        Some("smtp-pass-from-a-pipe")
    );
}

#[test]
fn a_secret_typed_at_a_terminal_is_not_echoed() {
    let cli = cli();
    let binary = env!("CARGO_BIN_EXE_quick3");
    let command = std::iter::once(binary)
        .chain(MAIL_SET)
        .map(|a| format!("'{a}'"))
        .collect::<Vec<_>>()
        .join(" ");
    // `script` runs quick3 on a pty of its own: the terminal's echo shows in its output.
    let mut child = std::process::Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .env("QUICK3_DATA_DIR", cli.dir.path())
        .env_remove("QUICK3_DEMO")
        .env_remove("QUICK3_SMTP_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script (util-linux) runs");
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut buffer = [0u8; 256];
    while !String::from_utf8_lossy(&seen).contains("Password for") {
        let n = stdout.read(&mut buffer).unwrap();
        assert!(n > 0, "no prompt: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buffer[..n]);
    }
    // Typed only once the prompt is there (echo happens as the keys arrive).
    std::thread::sleep(std::time::Duration::from_millis(200));
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"typed-smtp-secret\r").unwrap();
    stdin.flush().unwrap();
    stdout.read_to_end(&mut seen).unwrap();
    drop(stdin);
    let status = child.wait().unwrap();
    let terminal = String::from_utf8_lossy(&seen);
    assert!(status.success(), "{terminal}");
    assert!(
        !terminal.contains("typed-smtp-secret"),
        "the secret was echoed: {terminal}"
    );
    assert_eq!(
        kept(&cli, quick3_core::mail::SMTP_PASSWORD_KEY).as_deref(),
        Some("typed-smtp-secret"),
        "the secret typed was kept"
    );
}
