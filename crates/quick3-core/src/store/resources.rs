//! Resources in the store.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::Store;
use super::utc_text;
use crate::error::{CoreError, Result};
use crate::ids::ResourceId;
use crate::model::{NewResource, Resource, ResourceKind};

/// Colours given to new resources in turn (readable with white text, distinct from each other).
const PALETTE: &[&str] = &[
    "#1f6fb2", "#b5452b", "#2e7d4f", "#7b4fa6", "#a86a00", "#00798c", "#c2185b", "#546e7a",
];

impl Store {
    /// Adds a resource. Refuses an invalid or already used e-mail and writes nothing then.
    pub fn add_resource(&mut self, new: NewResource, now: DateTime<Utc>) -> Result<Resource> {
        let new = new.validate()?;
        let tx = self.conn.transaction()?;
        if let Some(email) = &new.email {
            let taken: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM resources WHERE lower(email) = lower(?1))",
                [email],
                |row| row.get(0),
            )?;
            if taken {
                return Err(CoreError::DuplicateResourceEmail {
                    email: email.clone(),
                });
            }
        }
        let count: i64 = tx.query_row("SELECT count(*) FROM resources", [], |row| row.get(0))?;
        let colour = new
            .colour
            .clone()
            .unwrap_or_else(|| PALETTE[count as usize % PALETTE.len()].to_owned());
        tx.execute(
            "INSERT INTO resources (name, email, kind, colour, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![new.name, new.email, new.kind.as_str(), colour, utc_text(now)],
        )?;
        let id = ResourceId(tx.last_insert_rowid());
        tx.commit()?;
        Ok(Resource {
            id,
            name: new.name,
            email: new.email,
            kind: new.kind,
            colour,
        })
    }

    /// Every resource, by name.
    pub fn list_resources(&self) -> Result<Vec<Resource>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, name, email, kind, colour FROM resources ORDER BY name COLLATE NOCASE, id",
        )?;
        let rows = stmt.query_map([], resource_from_row)?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .collect()
    }

    pub fn resource(&self, id: ResourceId) -> Result<Resource> {
        self.conn
            .query_row(
                "SELECT id, name, email, kind, colour FROM resources WHERE id = ?1",
                [id],
                resource_from_row,
            )
            .optional()?
            .ok_or_else(|| CoreError::UnknownResource {
                reference: id.to_string(),
            })?
    }

    /// Finds a resource by id, e-mail or name (as typed on the command line).
    pub fn find_resource(&self, reference: &str) -> Result<Resource> {
        let reference = reference.trim();
        if let Ok(id) = reference.parse::<i64>()
            && let Ok(resource) = self.resource(ResourceId(id))
        {
            return Ok(resource);
        }
        let matches: Vec<Resource> = self
            .list_resources()?
            .into_iter()
            .filter(|r| {
                r.email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(reference))
                    || r.name.eq_ignore_ascii_case(reference)
            })
            .collect();
        match matches.len() {
            1 => Ok(matches.into_iter().next().expect("one match")),
            0 => Err(CoreError::UnknownResource {
                reference: reference.to_owned(),
            }),
            n => Err(CoreError::InvalidInput {
                field: "resource",
                reason: format!("{n} resources are called \"{reference}\"; use the id or e-mail"),
            }),
        }
    }
}

fn resource_from_row(row: &Row<'_>) -> rusqlite::Result<Result<Resource>> {
    let id: ResourceId = row.get(0)?;
    let name: String = row.get(1)?;
    let email: Option<String> = row.get(2)?;
    let kind: String = row.get(3)?;
    let colour: String = row.get(4)?;
    Ok(ResourceKind::parse(&kind).map(|kind| Resource {
        id,
        name,
        email,
        kind,
        colour,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn person(name: &str, email: Option<&str>) -> NewResource {
        NewResource {
            name: name.into(),
            email: email.map(String::from),
            kind: ResourceKind::Person,
            colour: None,
        }
    }

    #[test]
    fn invalid_or_duplicate_email_is_refused_and_nothing_is_written() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .add_resource(person("Ada", Some("ada@example.com")), Utc::now())
            .unwrap();
        let err = store
            .add_resource(person("Bob", Some("not-an-email")), Utc::now())
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"not-an-email\" is not a valid e-mail address."
        );
        let err = store
            .add_resource(person("Ada 2", Some("ADA@example.com")), Utc::now())
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::DuplicateResourceEmail);
        assert_eq!(store.list_resources().unwrap().len(), 1);
    }

    #[test]
    fn resources_are_found_by_id_email_or_name() {
        let mut store = Store::open_in_memory().unwrap();
        let ada = store
            .add_resource(person("Ada", Some("ada@example.com")), Utc::now())
            .unwrap();
        assert_eq!(store.find_resource(&ada.id.to_string()).unwrap(), ada);
        assert_eq!(store.find_resource("ADA@example.com").unwrap(), ada);
        assert_eq!(store.find_resource("ada").unwrap(), ada);
        assert_eq!(
            store.find_resource("Bob").unwrap_err().code(),
            ErrorCode::UnknownResource
        );
        assert!(store.accounts_of(ada.id).unwrap().is_empty());
    }
}
