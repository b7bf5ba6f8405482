#!/usr/bin/python3
"""A StatusNotifier watcher and host on the session bus: the part of a desktop panel (KDE Plasma,
GNOME's AppIndicator extension, XFCE's panel) that tray icons register with and whose menus it
shows. The E2E tests use it as the tray the app finds, through the same D-Bus protocols: the item
registers with org.kde.StatusNotifierWatcher; its menu is read and clicked through
com.canonical.dbusmenu, as a panel does when a person opens the icon's menu.

Speaks JSON lines: prints {"ready": true}, then {"item": {...}} when an item registers; reads
commands on stdin: {"menu": true} → {"menu": [{id, label, enabled, toggle_state}]};
{"click": "<label>"} → {"clicked": id}; errors → {"error": "..."}.
Uses Debian's python3-dbus and python3-gi (script/bootstrap installs them)."""

import json
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

WATCHER = "org.kde.StatusNotifierWatcher"
ITEM = "org.kde.StatusNotifierItem"
PROPERTIES = "org.freedesktop.DBus.Properties"


def say(message):
    print(json.dumps(message), flush=True)


def plain(value):
    """dbus-python values → JSON-able ones."""
    if isinstance(value, (dbus.Boolean,)):
        return bool(value)
    if isinstance(value, (dbus.Int16, dbus.Int32, dbus.Int64, dbus.UInt16, dbus.UInt32, dbus.UInt64, dbus.Byte)):
        return int(value)
    if isinstance(value, (dbus.String, dbus.ObjectPath)):
        return str(value)
    if isinstance(value, (dbus.Array, list, dbus.Struct, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (dbus.Dictionary, dict)):
        return {str(k): plain(v) for k, v in value.items()}
    return value


class Watcher(dbus.service.Object):
    def __init__(self, bus):
        super().__init__(bus, "/StatusNotifierWatcher")
        self.bus = bus
        self.items = []

    @dbus.service.method(WATCHER, in_signature="s", out_signature="", sender_keyword="sender")
    def RegisterStatusNotifierItem(self, service, sender=None):
        # libappindicator passes its object path; others pass a bus name (path then fixed).
        if service.startswith("/"):
            name, path = sender, service
        else:
            name, path = service, "/StatusNotifierItem"
        self.items.append((name, path))
        self.StatusNotifierItemRegistered(f"{name}{path}")
        GLib.idle_add(self.announce, name, path)

    def announce(self, name, path):
        try:
            props = self.bus.get_object(name, path).GetAll(ITEM, dbus_interface=PROPERTIES)
            say({"item": {"service": name, "path": path, **{k: plain(v) for k, v in props.items()
                                                          if k in ("Id", "Title", "Status", "Menu", "ToolTip")}}})
        except dbus.DBusException as err:
            say({"error": f"the item's properties could not be read: {err}"})
        return False

    @dbus.service.method(WATCHER, in_signature="s", out_signature="")
    def RegisterStatusNotifierHost(self, service):
        pass

    @dbus.service.signal(WATCHER, signature="s")
    def StatusNotifierItemRegistered(self, service):
        pass

    @dbus.service.signal(WATCHER, signature="")
    def StatusNotifierHostRegistered(self):
        pass

    def properties(self):
        return {
            "RegisteredStatusNotifierItems": dbus.Array([f"{n}{p}" for n, p in self.items], signature="s"),
            "IsStatusNotifierHostRegistered": dbus.Boolean(True),
            "ProtocolVersion": dbus.Int32(0),
        }

    @dbus.service.method(PROPERTIES, in_signature="ss", out_signature="v")
    def Get(self, interface, name):
        return self.properties()[name]

    @dbus.service.method(PROPERTIES, in_signature="s", out_signature="a{sv}")
    def GetAll(self, interface):
        return self.properties()


def flatten(node, out):
    item_id, props, children = node
    props = plain(props)
    if item_id != 0 and props.get("type") != "separator":
        out.append({
            "id": int(item_id),
            "label": props.get("label", ""),
            "enabled": props.get("enabled", True),
            "visible": props.get("visible", True),
            "toggle_state": props.get("toggle-state"),
        })
    for child in children:
        flatten(child, out)
    return out


def menu_of(bus, watcher):
    name, path = watcher.items[-1]
    menu_path = bus.get_object(name, path).Get(ITEM, "Menu", dbus_interface=PROPERTIES)
    menu = dbus.Interface(bus.get_object(name, menu_path), "com.canonical.dbusmenu")
    menu.AboutToShow(dbus.Int32(0))
    _revision, layout = menu.GetLayout(dbus.Int32(0), dbus.Int32(-1), dbus.Array([], signature="s"))
    return menu, flatten(layout, [])


def icon_of(bus, watcher):
    """What the panel draws: the theme icon's name (empty: none) and the pixmaps' sizes, and
    whether every pixel of them is grey (ARGB32, network byte order: A, R, G, B)."""
    name, path = watcher.items[-1]
    item = bus.get_object(name, path)
    icon_name = str(item.Get(ITEM, "IconName", dbus_interface=PROPERTIES))
    pixmaps = item.Get(ITEM, "IconPixmap", dbus_interface=PROPERTIES)
    sizes, grey = [], True
    for width, height, data in pixmaps:
        sizes.append([int(width), int(height)])
        data = bytes(data)
        grey = grey and all(data[i + 1] == data[i + 2] == data[i + 3] for i in range(0, len(data), 4))
    return {"name": icon_name, "sizes": sizes, "grey": grey and bool(sizes)}


def main():
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    watcher = Watcher(bus)
    # Own the name only once the object answers, as a panel does.
    name = dbus.service.BusName(WATCHER, bus, do_not_queue=True)
    watcher.StatusNotifierHostRegistered()
    loop = GLib.MainLoop()

    def command(source, _condition):
        line = source.readline()
        if not line:
            loop.quit()
            return False
        try:
            request = json.loads(line)
            if not watcher.items:
                raise RuntimeError("no tray item has registered")
            if "icon" in request:
                say({"icon": icon_of(bus, watcher)})
                return True
            menu, items = menu_of(bus, watcher)
            if "menu" in request:
                say({"menu": items})
            elif "click" in request:
                wanted = request["click"]
                match = next((i for i in items if i["label"].replace("_", "") == wanted), None)
                if match is None:
                    raise RuntimeError(f"no menu item {wanted!r} in {[i['label'] for i in items]}")
                menu.Event(dbus.Int32(match["id"]), "clicked", dbus.String("", variant_level=1), dbus.UInt32(0))
                say({"clicked": match["id"]})
        except Exception as err:  # noqa: BLE001 — every failure goes back to the test as text
            say({"error": str(err)})
        return True

    GLib.io_add_watch(sys.stdin, GLib.IO_IN | GLib.IO_HUP, command)
    say({"ready": True, "name": str(name.get_name())})
    loop.run()


if __name__ == "__main__":
    main()
