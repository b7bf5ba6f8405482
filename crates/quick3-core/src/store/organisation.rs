//! Organisation mode in the store: the app registration's settings (never its secret) and
//! organisation links, which are accounts with a mailbox Object ID.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::settings::write_setting;
use super::{Store, utc_text};
use crate::error::{CoreError, Result};
use crate::ids::{AccountId, ResourceId};
use crate::model::{Account, AccountStatus, Direction, OrgCredential, OrgMailbox, OrgSettings};

const TENANT: &str = "org.tenant";
const CLIENT_ID: &str = "org.client_id";
const SECRET_EXPIRES: &str = "org.secret_expires";
const DIRECTIONS: &str = "org.directions";
const CREDENTIAL: &str = "org.credential";
/// The certificate's public PEM (its private key is in the OS keyring only).
const CERTIFICATE: &str = "org.certificate";

/// A mailbox resolved through Graph, ready to be linked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedMailbox {
    pub mailbox: OrgMailbox,
    /// The user principal name (or mail) Graph gave.
    pub email: String,
    /// (id, name, is default) of every calendar of the mailbox.
    pub calendars: Vec<(String, String, bool)>,
    /// Ids of the calendars to sync.
    pub selected: Vec<String>,
}

impl Store {
    /// The organisation's settings, if an administrator entered them.
    pub fn org_settings(&self) -> Result<Option<OrgSettings>> {
        let (Some(tenant), Some(client_id)) = (self.setting(TENANT)?, self.setting(CLIENT_ID)?)
        else {
            return Ok(None);
        };
        let secret_expires = match self.setting(SECRET_EXPIRES)? {
            Some(text) => Some(text.parse().map_err(|_| {
                CoreError::Corrupt(format!("the secret expiry date \"{text}\" is not a date"))
            })?),
            None => None,
        };
        let directions = self
            .setting(DIRECTIONS)?
            .unwrap_or_default()
            .split_whitespace()
            .map(Direction::parse)
            .collect::<Result<Vec<_>>>()?;
        let credential = match self.setting(CREDENTIAL)?.as_deref() {
            None | Some("secret") => OrgCredential::Secret,
            Some("certificate") => OrgCredential::Certificate,
            Some(other) => {
                return Err(CoreError::Corrupt(format!(
                    "the organisation's credential \"{other}\" is neither secret nor certificate"
                )));
            }
        };
        Ok(Some(OrgSettings {
            tenant,
            client_id,
            credential,
            secret_expires,
            directions,
        }))
    }

    /// The organisation certificate's public PEM, when one was imported.
    pub fn org_certificate_pem(&self) -> Result<Option<String>> {
        self.setting(CERTIFICATE)
    }

    /// Keeps (or, with `None`, forgets) the organisation certificate's public PEM.
    pub fn set_org_certificate_pem(&mut self, pem: Option<&str>) -> Result<()> {
        self.set_setting(CERTIFICATE, pem)
    }

    /// Stores the organisation's settings (validated; one transaction).
    pub fn set_org_settings(&mut self, settings: OrgSettings) -> Result<OrgSettings> {
        let settings = settings.validate()?;
        let directions: Vec<&str> = settings.directions.iter().map(|d| d.as_str()).collect();
        let expires = settings.secret_expires.map(|d| d.to_string());
        let tx = self.conn.transaction()?;
        for (key, value) in [
            (TENANT, Some(settings.tenant.clone())),
            (CLIENT_ID, Some(settings.client_id.clone())),
            (SECRET_EXPIRES, expires),
            (DIRECTIONS, Some(directions.join(" "))),
            (CREDENTIAL, Some(settings.credential.as_str().to_owned())),
        ] {
            write_setting(&tx, key, value.as_deref())?;
        }
        tx.commit()?;
        Ok(settings)
    }

    /// Every organisation link, by resource.
    pub fn org_links(&self) -> Result<Vec<Account>> {
        Ok(self
            .all_accounts()?
            .into_iter()
            .filter(Account::is_organisation_link)
            .collect())
    }

    /// Links a resource to a mailbox: the account (connected, no sign-in needed) and its
    /// calendars, in one transaction.
    pub fn add_org_link(
        &mut self,
        resource: ResourceId,
        resolved: &ResolvedMailbox,
        direction: Direction,
        now: DateTime<Utc>,
    ) -> Result<Account> {
        if direction == Direction::None {
            return Err(CoreError::InvalidInput {
                field: "direction",
                reason: "a new link must be down, up or both".into(),
            });
        }
        self.resource(resource)?;
        let tx = self.conn.transaction()?;
        let taken: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM m365_accounts WHERE resource_id = ?1
                AND (lower(email) = lower(?2) OR mailbox_id = ?3))",
            params![resource, resolved.email, resolved.mailbox.object_id],
            |row| row.get(0),
        )?;
        if taken {
            return Err(CoreError::DuplicateAccount {
                email: resolved.email.clone(),
            });
        }
        super::accounts::refuse_second_uploader(&tx, &resolved.email, direction, None, resource)?;
        let (count, next_position): (i64, i64) = tx.query_row(
            "SELECT count(*), coalesce(max(position), 0) + 1 FROM m365_accounts WHERE resource_id = ?1",
            [resource],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        tx.execute(
            "INSERT INTO m365_accounts (resource_id, email, direction, scopes, is_main, position,
                 status, created_at, mailbox_id, display_name, keyring_id)
             VALUES (?1, ?2, ?3, '', ?4, ?5, ?6, ?7, ?8, ?9, lower(hex(randomblob(16))))",
            params![
                resource,
                resolved.email,
                direction.as_str(),
                count == 0,
                next_position,
                AccountStatus::Connected.as_str(),
                utc_text(now),
                resolved.mailbox.object_id,
                resolved.mailbox.display_name,
            ],
        )?;
        let id = AccountId(tx.last_insert_rowid());
        super::accounts::take_back_kept(&tx, id)?;
        for (calendar, name, is_default) in &resolved.calendars {
            tx.execute(
                "INSERT INTO sync_calendars (account_id, calendar_id, name, is_default, selected)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    id,
                    calendar,
                    name,
                    is_default,
                    resolved.selected.contains(calendar)
                ],
            )?;
        }
        tx.commit()?;
        self.account(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;
    use crate::model::{NewResource, ResourceKind};

    #[test]
    fn a_link_is_an_account_with_its_mailbox_and_chosen_calendars() {
        let mut store = Store::open_in_memory().unwrap();
        let room = store
            .add_resource(
                NewResource {
                    name: "Room 1".into(),
                    email: None,
                    kind: ResourceKind::Room,
                    colour: None,
                    hours: None,
                },
                Utc::now(),
            )
            .unwrap();
        let resolved = ResolvedMailbox {
            mailbox: OrgMailbox {
                object_id: "48d31887-5fad-4d73-a9f5-3c356e68a038".into(),
                display_name: "Megan Bowen".into(),
            },
            email: "megan.bowen@contoso.example".into(),
            calendars: vec![
                ("c1".into(), "Calendar".into(), true),
                ("c2".into(), "Projects".into(), false),
            ],
            selected: vec!["c2".into()],
        };
        let link = store
            .add_org_link(room.id, &resolved, Direction::Down, Utc::now())
            .unwrap();
        assert_eq!(link.organisation, Some(resolved.mailbox.clone()));
        assert_eq!(
            link.status,
            AccountStatus::Connected,
            "no sign-in is needed"
        );
        let selected: Vec<String> = store
            .sync_calendars(link.id)
            .unwrap()
            .into_iter()
            .filter(|c| c.selected)
            .map(|c| c.name)
            .collect();
        assert_eq!(selected, ["Projects"]);
        let again = store.add_org_link(room.id, &resolved, Direction::Down, Utc::now());
        assert_eq!(again.unwrap_err().code(), ErrorCode::DuplicateAccount);
        assert_eq!(
            store.org_links().unwrap().len(),
            1,
            "the refused link wrote nothing"
        );
    }
}
