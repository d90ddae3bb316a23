"""A tiny PNG writer and rasteriser, so the headless CLI can plot without Qt."""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Sequence

import numpy as np

from engine.csvio import write_bytes_atomically


def encode_png(rgb: np.ndarray) -> bytes:
    """PNG bytes for an (h, w, 3) uint8 image."""
    h, w, _ = rgb.shape
    rows = np.concatenate([np.zeros((h, 1), np.uint8), rgb.reshape(h, w * 3)], axis=1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    data = zlib.compress(rows.tobytes(), 6)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def write_png(path: str | os.PathLike[str], rgb: np.ndarray) -> None:
    """Write an (h, w, 3) uint8 image as PNG, atomically and by the rules of every save (engine.csvio)."""
    write_bytes_atomically(path, encode_png(np.ascontiguousarray(rgb, dtype=np.uint8)))


def draw_disc(image: np.ndarray, cx: float, cy: float, radius: float, color: Sequence[int] | np.ndarray,
              outline: Sequence[int] | np.ndarray = (255, 255, 255)) -> None:
    """Paint a filled disc with a 1-pixel outline into ``image (h, w, 3)`` at pixel (cx, cy)."""
    h, w, _ = image.shape
    r_out = radius + 1.0
    x0, x1 = max(int(cx - r_out), 0), min(int(cx + r_out) + 1, w)
    y0, y1 = max(int(cy - r_out), 0), min(int(cy + r_out) + 1, h)
    if x0 >= x1 or y0 >= y1:
        return
    yy, xx = np.mgrid[y0:y1, x0:x1]
    dist = np.hypot(xx - cx, yy - cy)
    patch = image[y0:y1, x0:x1]
    patch[dist <= r_out] = outline
    patch[dist <= radius] = color
