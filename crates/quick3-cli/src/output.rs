//! Printing for people (aligned tables) and for scripts (`--json`, stable fields). Text from
//! outside (titles, names, Outlook's and Microsoft's words) is shown with its control characters
//! escaped ([`plain`]), so that it can neither change the terminal nor start a line of its own.

use std::borrow::Cow;
use std::io::Write as _;

use serde::Serialize;

/// `text` with every control character (and the bidirectional overrides that reorder what a
/// terminal shows) written as an escape: ESC as `\u{1b}`, CR as `\r`, LF as `\n`, tab as `\t`.
pub fn plain(text: &str) -> Cow<'_, str> {
    let hidden =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\r' => shown.push_str("\\r"),
            '\n' => shown.push_str("\\n"),
            '\t' => shown.push_str("\\t"),
            c if hidden(c) => shown.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => shown.push(c),
        }
    }
    Cow::Owned(shown)
}

/// Prints one line on stdout, its control characters escaped (what `out!` prints).
pub fn line(text: &str) {
    write_stdout(&plain(text));
}

/// Writes `text` and a newline to stdout as it is; ends the program quietly when stdout is
/// closed early (`quick3 … | head`).
fn write_stdout(text: &str) {
    if let Err(err) = writeln!(std::io::stdout().lock(), "{text}") {
        if err.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("quick3: output failed: {err}");
        std::process::exit(1);
    }
}

/// Prints `value` as pretty JSON on stdout (serde escapes the control characters in strings).
pub fn json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    write_stdout(&serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Prints rows as a table with a header, columns padded to their widest cell.
pub fn table(header: &[&str], rows: &[Vec<String>]) {
    let rows: Vec<Vec<Cow<'_, str>>> = rows
        .iter()
        .map(|row| row.iter().map(|cell| plain(cell)).collect())
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let print_row = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        line(padded.join("  ").trim_end());
    };
    print_row(header.to_vec());
    for row in &rows {
        print_row(row.iter().map(|cell| cell.as_ref()).collect());
    }
}

#[cfg(test)]
mod tests {
    use super::plain;

    #[test]
    fn control_characters_are_shown_as_escapes() {
        assert_eq!(
            plain("Evil\x1b[31m\r\nFAKE LOG\t\u{7f}\u{202e}"),
            "Evil\\u{1b}[31m\\r\\nFAKE LOG\\t\\u{7f}\\u{202e}"
        );
        assert_eq!(plain("Café 09:00 – 10:00"), "Café 09:00 – 10:00");
    }
}
