#!/usr/bin/env python3
"""Draws the Quick3 Planner icon (a calendar grid on a blue tile) as RGBA PNGs in icons/ (and the
tray's sizes in icons/tray/).

Pure Python (zlib only), so it runs anywhere; `tauri icon icons/icon.png` can derive other formats.
"""
import math
import struct
import sys
import zlib
from pathlib import Path


def rounded(x, y, x0, y0, x1, y1, r):
    """Coverage (0..1) of pixel centre (x, y) inside a rounded rectangle."""
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    d = (math.hypot(x - cx, y - cy) - r) * SIZE
    return max(0.0, min(1.0, 0.5 - d))


def pixel(u, v):
    """Colour at normalised coordinates (0..1)."""
    a = rounded(u, v, 0.04, 0.04, 0.96, 0.96, 0.2)
    if a == 0:
        return (0, 0, 0, 0)
    t = v
    base = (int(0x2a * (1 - t) + 0x15 * t), int(0x7f * (1 - t) + 0x4a * t), int(0xd0 * (1 - t) + 0x8c * t))
    col = base
    card = rounded(u, v, 0.2, 0.24, 0.8, 0.8, 0.06)
    if card > 0:
        white = (255, 255, 255)
        inner = white
        if v < 0.38:
            inner = (0xff, 0x9f, 0x1c)  # header band
        else:
            gx = (u - 0.26) / 0.16
            gy = (v - 0.44) / 0.12
            if 0 <= gx < 3 and 0 <= gy < 3 and (gx % 1) < 0.72 and (gy % 1) < 0.7:
                inner = (0x1f, 0x6f, 0xb2) if (int(gx), int(gy)) != (1, 1) else (0xff, 0x9f, 0x1c)
        col = tuple(int(c * (1 - card) + i * card) for c, i in zip(base, inner))
    for ring_u in (0.35, 0.65):
        ring = rounded(u, v, ring_u - 0.025, 0.18, ring_u + 0.025, 0.3, 0.02)
        if ring > 0:
            col = tuple(int(c * (1 - ring) + 255 * ring) for c in col)
    return (*col, int(255 * a))


SIZE = 512


def png(size):
    global SIZE
    SIZE = size
    rows = []
    ss = 2  # supersampling
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            acc = [0, 0, 0, 0]
            for sy in range(ss):
                for sx in range(ss):
                    p = pixel((x + (sx + 0.5) / ss) / size, (y + (sy + 0.5) / ss) / size)
                    for i in range(4):
                        acc[i] += p[i]
            row.extend(int(c / (ss * ss)) for c in acc)
        rows.append(bytes(row))
    raw = b"".join(rows)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "icons")
    out.mkdir(exist_ok=True)
    for name, size in [("32x32.png", 32), ("128x128.png", 128), ("128x128@2x.png", 256), ("icon.png", 512)]:
        (out / name).write_bytes(png(size))
    # The tray icon's pixmaps (quick3-tray embeds them): the sizes panels draw at.
    (out / "tray").mkdir(exist_ok=True)
    for size in (22, 32, 48):
        (out / "tray" / f"{size}x{size}.png").write_bytes(png(size))


if __name__ == "__main__":
    main()
