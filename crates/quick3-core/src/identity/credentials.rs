//! An installation's Microsoft credentials: sign-ins waiting for their answer (deep-link ones in
//! the keyring too, for the next window process), refresh tokens in the keyring, and access tokens in memory, refreshed ahead of expiry, one refresh at a time per
//! account.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use url::Url;

use super::budget::MailboxBudget;
use super::certificate::{ORG_CERTIFICATE_KEY, SigningCertificate};
use super::flow::{self, DEEP_LINK_REDIRECT, PendingSignIns, parse_callback};
use super::organisation::{self, AppCredential, ORG_SECRET_KEY};
use super::secrets::{SecretStore, forget_account, legacy_refresh_token_key, refresh_token_key};
use super::waiting;
use super::{Endpoints, IdentityError, OrgError, Secret, SignedInUser, TokenSet};
use crate::ids::AccountId;
use crate::model::{Account, OrgCredential, OrgSettings};

/// Access tokens are refreshed when less than this is left.
const REFRESH_MARGIN_MINUTES: i64 = 5;

/// A finished sign-in. Its tokens are kept (the refresh token in the keyring) only once the store
/// accepted the mailbox signed in: `api::record_sign_in`.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub account_id: AccountId,
    pub user: Option<SignedInUser>,
    pub tokens: TokenSet,
}

/// A sign-in answer that could not be used; `account_id` is known when the answer matched a
/// sign-in that was waiting.
#[derive(Debug, Clone)]
pub struct SignInFailure {
    pub account_id: Option<AccountId>,
    pub error: IdentityError,
}

type AccessSlot = Arc<tokio::sync::Mutex<Option<TokenSet>>>;

#[derive(Debug)]
pub struct Credentials {
    endpoints: Endpoints,
    http: reqwest::Client,
    secrets: Arc<dyn SecretStore>,
    pending: Mutex<PendingSignIns>,
    access: Mutex<HashMap<AccountId, AccessSlot>>,
    /// The organisation's application token, with the (tenant, client id) it was issued for.
    app: tokio::sync::Mutex<Option<(String, String, TokenSet)>>,
    /// Requests per mailbox in the last ten minutes, for every sync of this process.
    budget: MailboxBudget,
}

impl Credentials {
    pub fn new(endpoints: Endpoints, secrets: Arc<dyn SecretStore>) -> Result<Self, IdentityError> {
        let http = endpoints.http_client()?;
        Ok(Credentials {
            endpoints,
            http,
            secrets,
            pending: Mutex::default(),
            access: Mutex::default(),
            app: tokio::sync::Mutex::default(),
            budget: MailboxBudget::default(),
        })
    }

    /// The request budget per mailbox that every Graph client of this process draws on.
    pub fn budget(&self) -> &MailboxBudget {
        &self.budget
    }

    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    /// The HTTP client for Microsoft (trusting the configured extra CA).
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, PendingSignIns> {
        self.pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Starts a browser sign-in for `account`; the answer is expected on `redirect_uri`. A
    /// deep-link sign-in is kept in the keyring too (fails when it cannot be): its answer may come
    /// to the next window process, once the planner closed the window that started it.
    pub fn start_sign_in(
        &self,
        account: &Account,
        redirect_uri: &str,
        now: DateTime<Utc>,
    ) -> Result<Url, IdentityError> {
        let (url, pending) = flow::begin_sign_in(
            &self.endpoints,
            account.id,
            &account.email,
            &account.scopes,
            redirect_uri,
            now,
        )?;
        if redirect_uri == DEEP_LINK_REDIRECT {
            waiting::keep(self.secrets.as_ref(), &pending, now)?;
        }
        self.pending().insert(pending);
        Ok(url)
    }

    pub fn is_waiting(&self, account: AccountId, now: DateTime<Utc>) -> bool {
        self.pending().is_waiting(account, now)
    }

    /// Cancel: an answer that still arrives for it is ignored (here or in a later process).
    pub fn cancel_sign_in(&self, account: AccountId) -> bool {
        if let Err(err) = waiting::forget(self.secrets.as_ref(), account, Utc::now()) {
            tracing::warn!(%err, "a cancelled sign-in stays in the keyring until it expires");
        }
        self.pending().cancel(account)
    }

    /// Uses a sign-in answer (deep link or loopback URL): its `state` must match a waiting
    /// sign-in, of this process or a deep-link one kept in the keyring by an earlier process;
    /// either way it is used once. The code is redeemed. The tokens are not kept yet:
    /// `api::record_sign_in` keeps them once the mailbox is accepted.
    pub async fn complete_sign_in(
        &self,
        answer: &str,
        now: DateTime<Utc>,
    ) -> Result<SignedIn, SignInFailure> {
        let unknown = |error| SignInFailure {
            account_id: None,
            error,
        };
        let callback = parse_callback(answer).map_err(unknown)?;
        let pending = self.take_waiting(&callback, now).map_err(unknown)?;
        let account_id = pending.account_id;
        let failed = |error| SignInFailure {
            account_id: Some(account_id),
            error,
        };
        let tokens = flow::finish_sign_in(&self.endpoints, &self.http, pending, callback, now)
            .await
            .map_err(failed)?;
        let user = tokens.user.clone();
        Ok(SignedIn {
            account_id,
            user,
            tokens,
        })
    }

    /// The waiting sign-in an answer belongs to, taken from memory and the keyring alike.
    fn take_waiting(
        &self,
        callback: &flow::Callback,
        now: DateTime<Utc>,
    ) -> Result<flow::PendingSignIn, IdentityError> {
        let in_memory = self.pending().take(callback, now);
        let Some(state) = callback.state() else {
            return in_memory;
        };
        match in_memory {
            Ok(pending) if pending.redirect_uri != DEEP_LINK_REDIRECT => Ok(pending),
            Ok(pending) => {
                // The keyring's copy must not be used a second time.
                if let Err(err) = waiting::take(self.secrets.as_ref(), state, now) {
                    tracing::warn!(%err, "a used sign-in stays in the keyring until it expires");
                }
                Ok(pending)
            }
            Err(unknown) => waiting::take(self.secrets.as_ref(), state, now)?.ok_or(unknown),
        }
    }

    /// Keeps a new token set: the refresh token in the keyring, the access token in memory.
    pub fn keep(&self, account: &Account, tokens: TokenSet) -> Result<(), IdentityError> {
        if let Some(refresh) = &tokens.refresh_token {
            self.secrets.set(&refresh_token_key(account), refresh)?;
            if let Some(legacy) = legacy_refresh_token_key(account) {
                self.secrets.delete(&legacy)?;
            }
        }
        let slot = self.slot(account.id);
        if let Ok(mut cached) = slot.try_lock() {
            *cached = Some(tokens);
        }
        Ok(())
    }

    fn slot(&self, account: AccountId) -> AccessSlot {
        let mut access = self
            .access
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        access.entry(account).or_default().clone()
    }

    /// A valid access token for the account: the cached one, or a refresh (storing the rotated
    /// refresh token) when it is about to expire. Concurrent callers wait for the one refresh.
    pub async fn access_token(
        &self,
        account: &Account,
        now: DateTime<Utc>,
    ) -> Result<Secret, IdentityError> {
        let slot = self.slot(account.id);
        let mut cached = slot.lock().await;
        if let Some(tokens) = cached.as_ref()
            && tokens.fresh_at(now, Duration::minutes(REFRESH_MARGIN_MINUTES))
        {
            return Ok(tokens.access_token.clone());
        }
        let key = refresh_token_key(account);
        let refresh_token = self
            .stored_refresh_token(account)?
            .ok_or(IdentityError::NotSignedIn)?;
        let tokens = flow::refresh(
            &self.endpoints,
            &self.http,
            &refresh_token,
            &account.scopes,
            now,
        )
        .await?;
        if let Some(rotated) = &tokens.refresh_token {
            self.secrets.set(&key, rotated)?;
        }
        let access = tokens.access_token.clone();
        *cached = Some(tokens);
        Ok(access)
    }

    /// Forgets the account's access token if it is still `rejected` (Graph answered 401 to it),
    /// so that the next [`Credentials::access_token`] refreshes it through the keyring's refresh
    /// token. Requests that were refused the same token at the same time lead to one refresh.
    pub async fn reject_access_token(&self, account: AccountId, rejected: &Secret) {
        let slot = self.slot(account);
        let mut cached = slot.lock().await;
        if cached
            .as_ref()
            .is_some_and(|tokens| tokens.access_token.expose() == rejected.expose())
        {
            *cached = None;
        }
    }

    /// Forgets the organisation's application token if it is still `rejected` (Graph answered
    /// 401 to it); the next [`Credentials::app_token`] asks for a new one, once for all mailboxes.
    pub async fn reject_app_token(&self, rejected: &Secret) {
        let mut cached = self.app.lock().await;
        if cached
            .as_ref()
            .is_some_and(|(_, _, tokens)| tokens.access_token.expose() == rejected.expose())
        {
            *cached = None;
        }
    }

    /// A valid application token of the organisation: the cached one, or a new one from the client
    /// credentials grant when less than five minutes are left. Concurrent callers (many mailboxes)
    /// wait for the one renewal.
    pub async fn app_token(
        &self,
        settings: &OrgSettings,
        now: DateTime<Utc>,
    ) -> Result<Secret, OrgError> {
        let mut cached = self.app.lock().await;
        if let Some((tenant, client_id, tokens)) = cached.as_ref()
            && *tenant == settings.tenant
            && *client_id == settings.client_id
            && tokens.fresh_at(now, Duration::minutes(REFRESH_MARGIN_MINUTES))
        {
            return Ok(tokens.access_token.clone());
        }
        let credential = self.app_credential(settings)?;
        let tokens = organisation::client_credentials(
            &self.endpoints,
            &self.http,
            settings,
            &credential,
            now,
        )
        .await?;
        let access = tokens.access_token.clone();
        *cached = Some((settings.tenant.clone(), settings.client_id.clone(), tokens));
        Ok(access)
    }

    /// The client secret or the certificate with its key, from the keyring.
    fn app_credential(&self, settings: &OrgSettings) -> Result<AppCredential, OrgError> {
        match settings.credential {
            OrgCredential::Secret => Ok(AppCredential::Secret(
                self.secrets
                    .get(ORG_SECRET_KEY)?
                    .ok_or(OrgError::SecretMissing)?,
            )),
            OrgCredential::Certificate => {
                let pem = self
                    .secrets
                    .get(ORG_CERTIFICATE_KEY)?
                    .ok_or(OrgError::CertificateMissing)?;
                Ok(AppCredential::Certificate(Box::new(
                    SigningCertificate::from_pem(pem.expose())?,
                )))
            }
        }
    }

    /// Stores the organisation's client secret in the keyring (and drops the cached token); a
    /// certificate's key stored before is deleted: one credential at a time.
    pub async fn set_org_secret(&self, secret: &Secret) -> Result<(), IdentityError> {
        self.secrets.set(ORG_SECRET_KEY, secret)?;
        self.secrets.delete(ORG_CERTIFICATE_KEY)?;
        *self.app.lock().await = None;
        Ok(())
    }

    /// Stores the organisation's certificate with its private key in the keyring (and drops the
    /// cached token); a client secret stored before is deleted.
    pub async fn set_org_certificate(
        &self,
        certificate: &SigningCertificate,
    ) -> Result<(), IdentityError> {
        self.secrets
            .set(ORG_CERTIFICATE_KEY, &certificate.to_pem())?;
        self.secrets.delete(ORG_SECRET_KEY)?;
        *self.app.lock().await = None;
        Ok(())
    }

    /// Whether the organisation's certificate and key are in the keyring.
    pub fn has_org_certificate(&self) -> Result<bool, IdentityError> {
        Ok(self.secrets.get(ORG_CERTIFICATE_KEY)?.is_some())
    }

    /// Drops the cached application token, so that the next use asks Microsoft again (Test
    /// settings: permissions revoked since the token was issued show at once).
    pub async fn forget_app_token(&self) {
        *self.app.lock().await = None;
    }

    /// Whether the organisation's client secret is in the keyring.
    pub fn has_org_secret(&self) -> Result<bool, IdentityError> {
        Ok(self.secrets.get(ORG_SECRET_KEY)?.is_some())
    }

    /// The account's refresh token from the keyring. An account from before keyring ids finds it
    /// under its old key once: it is moved to the new key and the old entry deleted.
    fn stored_refresh_token(&self, account: &Account) -> Result<Option<Secret>, IdentityError> {
        let key = refresh_token_key(account);
        if let Some(token) = self.secrets.get(&key)? {
            return Ok(Some(token));
        }
        let Some(legacy) = legacy_refresh_token_key(account) else {
            return Ok(None);
        };
        let Some(token) = self.secrets.get(&legacy)? else {
            return Ok(None);
        };
        self.secrets.set(&key, &token)?;
        self.secrets.delete(&legacy)?;
        Ok(Some(token))
    }

    /// Forgets an account's tokens (keyring and memory), as when it is removed.
    pub fn forget(&self, account: &Account) -> Result<(), IdentityError> {
        self.cancel_sign_in(account.id);
        self.access
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(&account.id);
        forget_account(self.secrets.as_ref(), account)
    }

    /// Fails with a plain explanation when the keyring cannot be reached (before anything that
    /// would need it is written).
    pub fn check_keyring(&self) -> Result<(), IdentityError> {
        super::secrets::check_keyring(self.secrets.as_ref())
    }

    /// Whether a refresh token is stored for the account.
    pub fn has_sign_in(&self, account: &Account) -> Result<bool, IdentityError> {
        Ok(self.stored_refresh_token(account)?.is_some())
    }
}
