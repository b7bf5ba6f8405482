#!/usr/bin/python3
"""Reads and answers a program's message dialog as a screen reader does: through the
accessibility bus (AT-SPI), which GTK serves for every window it shows. For dialogs the app shows
without a web view (WebDriver sees only web views), such as the app's "cannot start" dialog.

Usage:
  dialog.py read PID [TIMEOUT]   waits for a shown dialog of process PID (an alert or dialog) and
                                 prints {"role", "texts": [labels in order], "buttons": [names],
                                 "windows": [{role, name, showing}] (the process's top-level
                                 windows)}
  dialog.py press PID LABEL      presses the dialog's button named LABEL; prints {"pressed": LABEL}
Errors go to stderr with exit status 1. Uses Debian's python3-gi and gir1.2-atspi-2.0 (the
accessibility bus itself is at-spi2-core's, started by D-Bus on demand; script/bootstrap
installs all three)."""

import json
import sys
import time

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402

DIALOG_ROLES = (Atspi.Role.ALERT, Atspi.Role.DIALOG)


def application_of(pid):
    desktop = Atspi.get_desktop(0)
    for index in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(index)
        if app is not None and app.get_process_id() == pid:
            return app
    return None


def showing(node):
    states = node.get_state_set()
    return states.contains(Atspi.StateType.SHOWING) and states.contains(Atspi.StateType.VISIBLE)


def descendants(node):
    for index in range(node.get_child_count()):
        child = node.get_child_at_index(index)
        if child is None:
            continue
        yield child
        yield from descendants(child)


def find_dialog(pid, timeout):
    """The first shown dialog of process `pid`, waiting up to `timeout` seconds for it."""
    until = time.monotonic() + timeout
    while True:
        app = application_of(pid)
        if app is not None:
            for index in range(app.get_child_count()):
                window = app.get_child_at_index(index)
                if window is not None and window.get_role() in DIALOG_ROLES and showing(window):
                    return app, window
        if time.monotonic() > until:
            seen = "not on the accessibility bus" if app is None else "no dialog shown"
            sys.exit(f"process {pid} showed no dialog within {timeout} s ({seen})")
        time.sleep(0.2)


def read(pid, timeout):
    app, dialog = find_dialog(pid, timeout)
    nodes = list(descendants(dialog))
    print(json.dumps({
        "role": dialog.get_role_name(),
        "texts": [n.get_name() for n in nodes if n.get_role() == Atspi.Role.LABEL and n.get_name()],
        "buttons": [n.get_name() for n in nodes if n.get_role() == Atspi.Role.PUSH_BUTTON],
        "windows": [
            {"role": w.get_role_name(), "name": w.get_name(), "showing": showing(w)}
            for w in (app.get_child_at_index(i) for i in range(app.get_child_count()))
            if w is not None
        ],
    }), flush=True)


def press(pid, label):
    _, dialog = find_dialog(pid, 5)
    for node in descendants(dialog):
        if node.get_role() == Atspi.Role.PUSH_BUTTON and node.get_name() == label:
            action = node.get_action_iface()
            names = [action.get_action_name(i) for i in range(action.get_n_actions())]
            action.do_action(names.index("click") if "click" in names else 0)
            print(json.dumps({"pressed": label}), flush=True)
            return
    sys.exit(f"the dialog has no button {label!r}")


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "read":
        read(int(sys.argv[2]), float(sys.argv[3]) if len(sys.argv) > 3 else 30)
    elif len(sys.argv) == 4 and sys.argv[1] == "press":
        press(int(sys.argv[2]), sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
