//! `quick3 backup list|restore`: the database's daily backups, and going back to one.

use std::path::Path;

use quick3_core::store::backup;

use crate::args::BackupCommand;

pub fn run(database: &Path, command: &BackupCommand) -> anyhow::Result<()> {
    match command {
        BackupCommand::List => {
            let all = backup::backups(database)?;
            if all.is_empty() {
                out!(
                    "No backups yet: the first command of each day (and Quick3 Planner at start) keeps one in {}.",
                    database
                        .parent()
                        .unwrap_or(Path::new("."))
                        .join(backup::BACKUP_FOLDER)
                        .display()
                );
            }
            for b in all {
                out!("{}  {:>10} bytes  {}", b.date, b.bytes, b.path.display());
            }
            Ok(())
        }
        BackupCommand::Restore { date } => {
            let (used, aside) = backup::restore(database, date, chrono::Utc::now())?;
            out!(
                "The database {} is now the backup of {}.",
                database.display(),
                used.date
            );
            if let Some(aside) = aside {
                out!("The database it replaced is kept as {}.", aside.display());
            }
            Ok(())
        }
    }
}
