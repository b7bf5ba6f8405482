//! Checks for values people type: e-mail addresses and colours.

use crate::error::{CoreError, Result};

/// Returns the address trimmed and with a lower-case domain, or why it is not an address.
/// Deliberately practical (what Microsoft 365 accepts as a user name), not the full RFC 5322.
pub fn email(text: &str) -> Result<String> {
    let text = text.trim();
    let invalid = || CoreError::InvalidEmail {
        email: text.to_owned(),
    };
    if text.len() > 254 || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid());
    }
    let (local, domain) = text.rsplit_once('@').ok_or_else(invalid)?;
    if local.is_empty()
        || local.len() > 64
        || local.contains('@')
        || local.starts_with('.')
        || local.ends_with('.')
        || local.contains("..")
        || local.chars().any(|c| "()<>,;:\\\"[]".contains(c))
    {
        return Err(invalid());
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |label: &&str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    if labels.len() < 2 || !labels.iter().all(label_ok) {
        return Err(invalid());
    }
    Ok(format!("{local}@{}", domain.to_lowercase()))
}

/// Accepts `#rgb` or `#rrggbb`, returns `#rrggbb` in lower case.
pub fn colour(text: &str) -> Result<String> {
    let text = text.trim();
    let hex = text.strip_prefix('#').unwrap_or(text);
    let invalid = || CoreError::InvalidInput {
        field: "colour",
        reason: format!("\"{text}\" is not a colour like #3366cc"),
    };
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(invalid());
    }
    match hex.len() {
        6 => Ok(format!("#{}", hex.to_ascii_lowercase())),
        3 => Ok(format!(
            "#{}",
            hex.chars()
                .flat_map(|c| [c, c])
                .collect::<String>()
                .to_ascii_lowercase()
        )),
        _ => Err(invalid()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn accepts_ordinary_addresses() {
        for ok in [
            "ada@example.com",
            "first.last+tag@Sub.Example.ORG",
            "o'brien@contoso.example",
        ] {
            assert!(email(ok).is_ok(), "{ok} is a valid address");
        }
        assert_eq!(
            email(" Ada@Example.COM ").unwrap(),
            "Ada@example.com",
            "the domain is case-insensitive"
        );
    }

    #[test]
    fn refuses_what_is_not_an_address() {
        for bad in [
            "not-an-email",
            "a@b",
            "@example.com",
            "a b@example.com",
            "a@@example.com",
            "a@-x.com",
            "a..b@example.com",
            "",
        ] {
            let err = email(bad).unwrap_err();
            assert_eq!(
                err.code(),
                ErrorCode::InvalidEmail,
                "{bad:?} must be refused"
            );
        }
    }

    #[test]
    fn colours_are_normalised() {
        assert_eq!(colour("#ABC").unwrap(), "#aabbcc");
        assert_eq!(colour("3366CC").unwrap(), "#3366cc");
        assert!(colour("red").is_err());
    }
}
