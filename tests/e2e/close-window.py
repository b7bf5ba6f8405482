#!/usr/bin/python3
"""Asks a window to close as a window manager does when its close button is clicked: sends it the
WM_DELETE_WINDOW client message (ICCCM). Finds the top-level window by its title.
Usage: close-window.py TITLE. Uses Debian's python3-xlib (script/bootstrap installs it)."""

import sys

from Xlib import X, display, protocol


def find(window, title, atom_name):
    name = window.get_full_property(atom_name, 0)
    if name is not None and name.value.decode("utf-8", "replace") == title:
        return window
    for child in window.query_tree().children:
        found = find(child, title, atom_name)
        if found is not None:
            return found
    return None


def main():
    title = sys.argv[1]
    screen = display.Display()
    net_wm_name = screen.intern_atom("_NET_WM_NAME")
    window = find(screen.screen().root, title, net_wm_name)
    if window is None:
        sys.exit(f"no window titled {title!r}")
    delete = screen.intern_atom("WM_DELETE_WINDOW")
    protocols = screen.intern_atom("WM_PROTOCOLS")
    event = protocol.event.ClientMessage(window=window, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0]))
    window.send_event(event, event_mask=X.NoEventMask)
    screen.flush()


if __name__ == "__main__":
    main()
