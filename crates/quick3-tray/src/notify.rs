//! A desktop notification: `org.freedesktop.Notifications.Notify` on the session bus (the zbus
//! that ksni brings), so the tray process needs no GTK or libnotify; and whether the bus is
//! still there.

use std::collections::HashMap;

use zbus::zvariant::Value;

/// Shows `summary` with `body` for the desktop's default time.
pub async fn show(summary: &str, body: &str) -> zbus::Result<()> {
    let bus = zbus::Connection::session().await?;
    let hints: HashMap<&str, Value<'_>> = HashMap::new();
    bus.call_method(
        Some("org.freedesktop.Notifications"),
        "/org/freedesktop/Notifications",
        Some("org.freedesktop.Notifications"),
        "Notify",
        &(
            "Quick3 Planner",
            0u32,
            "x-office-calendar",
            summary,
            body,
            Vec::<&str>::new(),
            hints,
            -1i32,
        ),
    )
    .await?;
    Ok(())
}

/// Whether the session's bus still answers (`org.freedesktop.DBus.Peer.Ping`).
pub async fn bus_answers(bus: &zbus::Connection) -> bool {
    bus.call_method(
        Some("org.freedesktop.DBus"),
        "/org/freedesktop/DBus",
        Some("org.freedesktop.DBus.Peer"),
        "Ping",
        &(),
    )
    .await
    .is_ok()
}
