//! Entry points for the fuzz targets (`fuzz/`) and property tests: what the emulator does with an
//! event a client creates, down to the instances of its series as Graph would serve them.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::graph::query::Options;
use crate::graph::render;
use crate::seed::{self, MEGAN_ID};
use crate::store::instances;

/// One instance as served: Graph's JSON and the UTC instants the emulator computed for it.
#[derive(Debug, Clone)]
pub struct Served {
    pub json: Map<String, Value>,
    pub start_utc: DateTime<Utc>,
    pub end_utc: DateTime<Utc>,
}

/// Creates the event `body` (a Graph POST body: start, end, recurrence, …) in Megan Bowen's empty
/// calendar at `now`, then expands it over `[from, to)` as `calendarView` would. `Err` carries
/// Graph's message for a body Graph refuses.
pub fn create_and_expand(
    body: &Value,
    now: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Served>, String> {
    let Value::Object(body) = body else {
        return Err("the body is not a JSON object".into());
    };
    let mut store = seed::directory(now);
    let calendar = store
        .default_calendar(MEGAN_ID)
        .map(|calendar| calendar.id.clone())
        .ok_or("no default calendar")?;
    let (event, _) = store
        .create_event(MEGAN_ID, &calendar, body, now)
        .map_err(|err| err.to_string())?;
    let owner = store.user(MEGAN_ID).ok_or("no user")?;
    let options = Options::default();
    Ok(instances::in_window(&event, from, to)
        .iter()
        .map(|instance| Served {
            json: render::event(instance, owner, &options),
            start_utc: instance.start_utc,
            end_utc: instance.end_utc,
        })
        .collect())
}
