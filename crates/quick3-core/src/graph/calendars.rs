//! A mailbox's calendars as Microsoft lists them (`/calendars`, every page).

use serde_json::Value;

use super::GraphError;
use super::client::{GraphClient, read_page};

/// A calendar of a mailbox: its id, its name and whether it is the mailbox's default.
pub type CalendarEntry = (String, String, bool);

/// Every calendar of the mailbox at `mailbox` (`/me` or `/users/{id}`), in Microsoft's order.
pub async fn list(
    client: &GraphClient<'_>,
    mailbox: &str,
) -> Result<Vec<CalendarEntry>, GraphError> {
    let mut found = Vec::new();
    let mut url = format!("{mailbox}/calendars?$top=100");
    loop {
        let page = read_page(client.get(&url, &[]).await?)?;
        found.extend(page.items.iter().filter_map(entry));
        match page.next_link {
            Some(next) => url = next,
            None => return Ok(found),
        }
    }
}

/// One calendar of a page; none without an id (a name is "Calendar" when missing).
fn entry(calendar: &Value) -> Option<CalendarEntry> {
    let id = calendar["id"].as_str().filter(|id| !id.is_empty())?;
    Some((
        id.to_owned(),
        calendar["name"].as_str().unwrap_or("Calendar").to_owned(),
        calendar["isDefaultCalendar"].as_bool().unwrap_or(false),
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_calendar_is_read_with_defaults_and_one_without_an_id_is_passed_over() {
        let page = [
            json!({"id": "AAMk-1", "name": "Calendar", "isDefaultCalendar": true}),
            json!({"id": "AAMk-2"}),
            json!({"id": "", "name": "Broken"}),
            json!({"name": "No id"}),
        ];
        let read: Vec<CalendarEntry> = page.iter().filter_map(entry).collect();
        assert_eq!(
            read,
            [
                ("AAMk-1".to_owned(), "Calendar".to_owned(), true),
                ("AAMk-2".to_owned(), "Calendar".to_owned(), false),
            ],
            "a calendar needs an id to be synced or chosen; a missing name or flag has a default"
        );
    }
}
