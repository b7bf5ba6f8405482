//! Secrets typed for the keyring (the SMTP password, the organisation's client secret): read
//! without echo on a terminal, or one line from a pipe for scripts.

use std::io::{BufRead, IsTerminal, Write};

/// One line of secret from standard input: asked with `prompt` and read with the terminal's echo
/// off when it is a terminal, read as it comes from a pipe otherwise. `None` when the line is
/// empty (or there is no input at all).
pub fn read_secret(prompt: &str) -> std::io::Result<Option<String>> {
    let stdin = std::io::stdin();
    let line = if stdin.is_terminal() {
        eprint!("{prompt}");
        std::io::stderr().flush()?;
        let line = read_without_echo(&stdin);
        // The Enter typed was not echoed either.
        eprintln!();
        line?
    } else {
        let mut line = String::new();
        stdin.lock().read_line(&mut line)?;
        line
    };
    let line = line.trim_end_matches(['\r', '\n']);
    Ok((!line.is_empty()).then(|| line.to_owned()))
}

/// A line typed at the terminal with its echo turned off, and turned back on afterwards.
#[cfg(unix)]
fn read_without_echo(stdin: &std::io::Stdin) -> std::io::Result<String> {
    use rustix::termios::{LocalModes, OptionalActions, tcgetattr, tcsetattr};
    let saved = tcgetattr(stdin)?;
    let mut quiet = saved.clone();
    quiet.local_modes.remove(LocalModes::ECHO);
    tcsetattr(stdin, OptionalActions::Now, &quiet)?;
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    tcsetattr(stdin, OptionalActions::Now, &saved)?;
    read.map(|_| line)
}

/// Elsewhere the line is read as typed (no termios).
#[cfg(not(unix))]
fn read_without_echo(stdin: &std::io::Stdin) -> std::io::Result<String> {
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    Ok(line)
}
