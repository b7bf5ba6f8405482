//! Refresh tokens and passwords in the OS keyring (Secret Service, Keychain, Credential Manager):
//! never in the database, files or logs.

use std::sync::Arc;

use super::IdentityError;
use super::tokens::Secret;

/// Where secrets are kept. The keyring in the product; tests use the same real keyring.
pub trait SecretStore: Send + Sync + std::fmt::Debug {
    fn get(&self, key: &str) -> Result<Option<Secret>, IdentityError>;
    fn set(&self, key: &str, secret: &Secret) -> Result<(), IdentityError>;
    fn delete(&self, key: &str) -> Result<(), IdentityError>;
}

/// The OS keyring, under one service name per installation (so that two data folders never share
/// or overwrite each other's sign-ins).
#[derive(Debug, Clone)]
pub struct Keyring {
    service: String,
}

impl Keyring {
    /// `installation` is the store's installation id.
    pub fn for_installation(installation: &str) -> Arc<dyn SecretStore> {
        Arc::new(Keyring {
            service: format!("quick3-planner/{installation}"),
        })
    }

    fn entry(&self, key: &str) -> Result<keyring::Entry, IdentityError> {
        keyring::Entry::new(&self.service, key).map_err(unavailable)
    }
}

fn unavailable(err: keyring::Error) -> IdentityError {
    let reason = match &err {
        keyring::Error::PlatformFailure(_) => "no Secret Service answered".to_owned(),
        keyring::Error::NoStorageAccess(_) => "the keyring is locked or refused access".to_owned(),
        other => other.to_string(),
    };
    IdentityError::KeyringUnavailable { reason }
}

impl SecretStore for Keyring {
    fn get(&self, key: &str) -> Result<Option<Secret>, IdentityError> {
        match self.entry(key)?.get_password() {
            Ok(secret) => Ok(Some(Secret::new(secret))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(unavailable(err)),
        }
    }

    fn set(&self, key: &str, secret: &Secret) -> Result<(), IdentityError> {
        self.entry(key)?
            .set_password(secret.expose())
            .map_err(unavailable)
    }

    fn delete(&self, key: &str) -> Result<(), IdentityError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(unavailable(err)),
        }
    }
}

/// Fails with a plain explanation (`KeyringUnavailable`) when the keyring cannot be reached, so
/// that nothing needing it is started; reads one key that is never written.
pub fn check_keyring(secrets: &dyn SecretStore) -> Result<(), IdentityError> {
    secrets.get("availability-check").map(|_| ())
}

/// The keyring key of an account's refresh token, by the account's keyring id (never its row id,
/// which SQLite hands to the next account once it is removed).
pub fn refresh_token_key(account: &crate::model::Account) -> String {
    format!("m365-account-{}/refresh-token", account.keyring_id)
}

/// The key an account from before keyring ids (migration 0008) kept its refresh token under: by
/// its row id, named in its keyring id `legacy-{id}-…`. `None` for every account added since.
pub fn legacy_refresh_token_key(account: &crate::model::Account) -> Option<String> {
    let id = account
        .keyring_id
        .strip_prefix("legacy-")?
        .split('-')
        .next()?;
    (id == account.id.to_string()).then(|| format!("m365-account-{id}/refresh-token"))
}

/// Deletes every keyring entry of an account (as when it is removed).
pub fn forget_account(
    secrets: &dyn SecretStore,
    account: &crate::model::Account,
) -> Result<(), IdentityError> {
    secrets.delete(&refresh_token_key(account))?;
    if let Some(legacy) = legacy_refresh_token_key(account) {
        secrets.delete(&legacy)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs against the real Secret Service that `script/test` starts (gnome-keyring on a private
    /// D-Bus). Without one, this fails and says how to run it.
    #[test]
    fn refresh_tokens_round_trip_through_the_real_keyring() {
        let store = Keyring::for_installation(&format!("test-{}", uuid::Uuid::new_v4()));
        let key = format!("m365-account-{}/refresh-token", uuid::Uuid::new_v4());
        let secret = Secret::new("0.AAA-refresh-token-for-test");
        if let Err(err) = store.set(&key, &secret) {
            panic!(
                "{err} Run the tests through script/test (it starts gnome-keyring on a private D-Bus)."
            );
        }
        assert_eq!(store.get(&key).unwrap(), Some(secret));
        store.delete(&key).unwrap();
        assert_eq!(store.get(&key).unwrap(), None, "deleted secrets are gone");
        store.delete(&key).unwrap();
    }
}
