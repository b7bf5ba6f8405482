//! The planner, their rights, and the organisation's activated modules in the store.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Store, utc_text};
use crate::error::Result;
use crate::ids::ResourceId;
use crate::model::{Module, Overview, Planner};

/// The settings key of the planner's administrator right (organisation mode).
const ADMINISTRATOR: &str = "planner.administrator";

impl Store {
    pub fn planner(&self) -> Result<Planner> {
        Ok(self.conn.query_row(
            "SELECT name, my_resource_id, may_edit_resource_settings FROM planner WHERE id = 1",
            [],
            |row| {
                Ok(Planner {
                    name: row.get(0)?,
                    my_resource_id: row.get(1)?,
                    may_edit_resource_settings: row.get(2)?,
                })
            },
        )?)
    }

    pub fn set_planner_name(&mut self, name: &str) -> Result<()> {
        self.conn
            .execute("UPDATE planner SET name = ?1 WHERE id = 1", [name.trim()])?;
        Ok(())
    }

    /// Makes `resource` the planner's "My Resource".
    pub fn set_my_resource(&mut self, resource: ResourceId) -> Result<()> {
        self.resource(resource)?;
        self.conn.execute(
            "UPDATE planner SET my_resource_id = ?1 WHERE id = 1",
            [resource],
        )?;
        Ok(())
    }

    /// Local management's grant (or withdrawal) of the right to edit Resource settings.
    pub fn set_may_edit_resource_settings(&mut self, allowed: bool) -> Result<()> {
        self.conn.execute(
            "UPDATE planner SET may_edit_resource_settings = ?1 WHERE id = 1",
            [allowed],
        )?;
        Ok(())
    }

    /// Whether the planner is an administrator: Client settings → Office 365, Test settings and
    /// organisation links are theirs only.
    pub fn is_administrator(&self) -> Result<bool> {
        Ok(self.setting(ADMINISTRATOR)?.as_deref() == Some("1"))
    }

    /// Local management's grant (or withdrawal) of the administrator right.
    pub fn set_administrator(&mut self, administrator: bool) -> Result<()> {
        self.set_setting(ADMINISTRATOR, administrator.then_some("1"))
    }

    pub fn module_active(&self, module: Module) -> Result<bool> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM modules WHERE key = ?1",
                [module.key()],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Support's activation (or deactivation) of an integration module.
    pub fn set_module_active(
        &mut self,
        module: Module,
        active: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if active {
            self.conn.execute(
                "INSERT INTO modules (key, activated_at) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
                params![module.key(), utc_text(now)],
            )?;
        } else {
            self.conn
                .execute("DELETE FROM modules WHERE key = ?1", [module.key()])?;
        }
        Ok(())
    }

    /// What the window needs at start.
    pub fn overview(&self, demo_mode: bool) -> Result<Overview> {
        let planner = self.planner()?;
        let my_resource = match planner.my_resource_id {
            Some(id) => Some(self.resource(id)?),
            None => None,
        };
        Ok(Overview {
            planner,
            my_resource,
            office365_module_active: self.module_active(Module::Office365)?,
            administrator: self.is_administrator()?,
            demo_mode,
            time_zone: self.default_zone.clone(),
            display_time_zone: self.display_time_zone()?,
            date_format: self.date_format()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_activation_is_remembered_and_reversible() {
        let mut store = Store::open_in_memory().unwrap();
        assert!(
            !store.module_active(Module::Office365).unwrap(),
            "modules start inactive"
        );
        store
            .set_module_active(Module::Office365, true, Utc::now())
            .unwrap();
        store
            .set_module_active(Module::Office365, true, Utc::now())
            .unwrap();
        assert!(store.module_active(Module::Office365).unwrap());
        store
            .set_module_active(Module::Office365, false, Utc::now())
            .unwrap();
        assert!(!store.module_active(Module::Office365).unwrap());
    }

    #[test]
    fn the_administrator_right_is_granted_and_withdrawn() {
        let mut store = Store::open_in_memory().unwrap();
        assert!(
            !store.overview(false).unwrap().administrator,
            "nobody is one by default"
        );
        store.set_administrator(true).unwrap();
        assert!(store.overview(false).unwrap().administrator);
        store.set_administrator(false).unwrap();
        assert!(!store.is_administrator().unwrap());
    }
}
