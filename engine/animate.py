"""Animations of training: the decision map with the points, one frame per chosen epoch, as GIF or MP4.

Frames are taken at log-spaced epochs (``frame_epochs``: more at the start, where the map changes
most). ``Recorder`` keeps a copy of the weights at those epochs while training runs (it is the
``observe`` callback of ``engine.cli.run``); ``render_frames`` then draws each one with the same
colours as ``--plot`` (``engine.maps``, ``engine.palette``, ``engine.png``) and writes the epoch and
the training loss on it with Pillow's built-in font (no system font needed). GIF goes through
Pillow; MP4 through ffmpeg, when it is on PATH.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from engine import limits, maps, palette, png
from engine.csvio import check_target, write_bytes_atomically
from engine.errors import EngineError
from engine.features import transform
from engine.network import Network

FORMATS = (".gif", ".mp4")
FRAME_MS = 100  # each frame's time on screen; the last one stays longer, so a loop shows the result
LAST_FRAME_MS = 2000
MAP_CELLS_PER_PIXEL = 4  # the map is computed on a grid 4 times coarser than the frame, then scaled up


class Scene(Protocol):
    """What the frames show: the network, its input features and the points (engine.cli.Problem is one)."""

    features: list[str]
    train_points: np.ndarray
    train_labels: np.ndarray
    test_points: np.ndarray
    test_labels: np.ndarray
    net: Network
    epoch_offset: int


def frame_epochs(epochs: int, frames: int) -> list[int]:
    """min(frames, epochs + 1) distinct epochs from 0 to ``epochs``, log-spaced: dense at the start."""
    n = min(frames, epochs + 1)
    if n <= 1:
        return [epochs]
    ideal = np.geomspace(1.0, epochs + 1.0, n) - 1.0
    chosen: list[int] = []
    for i, x in enumerate(ideal):
        epoch = max(int(round(float(x))), chosen[-1] + 1 if chosen else 0)
        chosen.append(min(epoch, epochs - (n - 1 - i)))  # leave room for the frames still to come
    return chosen


def check_animation_target(path: str | os.PathLike[str]) -> None:
    """Refuse, before training, an output that cannot be written (EngineError or OSError naming ``path``)."""
    suffix = os.path.splitext(os.fspath(path))[1].lower()
    if suffix not in FORMATS:
        raise EngineError(f"{os.fspath(path)}: an animation is a .gif or an .mp4 file")
    if suffix == ".mp4" and shutil.which("ffmpeg") is None:
        raise EngineError(f"{os.fspath(path)}: MP4 needs ffmpeg on PATH (not found); write a .gif instead")
    check_target(path)


class Cancelled(Exception):
    """Raised by a recorder's ``cancelled`` check to stop training early (the window's Cancel)."""


@dataclass
class Recorder:
    """Copies the network's parameters at the frame epochs (call it after every epoch, from 1 on)."""

    net: Network
    epochs: int
    frames: int = limits.DEFAULT_FRAMES
    epoch_offset: int = 0
    cancelled: Callable[[], bool] = lambda: False
    progress: Callable[[int], object] = lambda epoch: None
    wanted: set[int] = field(init=False)
    kept: list[tuple[int, np.ndarray]] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self.wanted = set(frame_epochs(self.epochs, self.frames))
        if 0 in self.wanted:  # the initial weights
            self.kept.append((self.epoch_offset, self.net.params.copy()))

    def __call__(self, epoch: int, loss: float) -> None:
        """After ``epoch`` (1-based, of this run): keep the weights if it is a frame epoch."""
        if epoch in self.wanted:
            self.kept.append((self.epoch_offset + epoch, self.net.params.copy()))
        self.progress(epoch)
        if self.cancelled():
            raise Cancelled


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)  # Pillow's own scalable font: no system font needed
    except (TypeError, OSError, ImportError):  # an old Pillow, or one built without FreeType
        return ImageFont.load_default()


def _points_layer(scene: Scene, bounds: maps.Bounds, size: int) -> tuple[np.ndarray, np.ndarray]:
    """(mask, rgb) of the points drawn once: training points ringed white, test points ringed dark."""
    layer = np.zeros((size, size, 3), np.uint8)
    mask = np.zeros((size, size, 3), np.uint8)
    scale = size / (bounds.high - bounds.low)
    radius = max(2.0, size / 130)
    for pts, labels, ring in ((scene.train_points, scene.train_labels, (255, 255, 255)),
                              (scene.test_points, scene.test_labels, (40, 40, 40))):
        for (x, y), label in zip(pts, labels):
            color = palette.point_color(scene.net.task, label)
            cx, cy = (x - bounds.low) * scale, (bounds.high - y) * scale
            png.draw_disc(layer, cx, cy, radius, color, ring)
            png.draw_disc(mask, cx, cy, radius, (1, 1, 1), (1, 1, 1))
    return mask.astype(bool), layer


def render_frames(scene: Scene, kept: Sequence[tuple[int, np.ndarray]],
                  size: int = limits.DEFAULT_ANIMATION_SIZE) -> list[Image.Image]:
    """One RGB image per kept (epoch, parameters): the decision map, the points, the epoch and the loss."""
    net = scene.net.copy()  # the scene's network is left as it is
    points = np.concatenate([scene.train_points, scene.test_points])
    bounds = maps.view_bounds(points)
    cells = max(1, size // MAP_CELLS_PER_PIXEL)
    grid = transform(maps.grid(bounds, cells), scene.features, net.dtype)
    X_train = transform(scene.train_points, scene.features, net.dtype)
    mask, dots = _points_layer(scene, bounds, size)
    font = _font(max(10, size // 28))
    repeat = -(-size // cells)
    images = []
    for epoch, params in kept:
        net.params[...] = params
        with np.errstate(over="ignore", invalid="ignore"):
            outputs = net.forward(grid).reshape(cells, cells, -1)
            loss = net.loss(X_train, scene.train_labels) if len(X_train) else float("nan")
        rgb = palette.map_rgb(net.task, outputs)[::-1]  # row 0 at the top
        rgb = np.repeat(np.repeat(rgb, repeat, axis=0), repeat, axis=1)[:size, :size]
        rgb = np.where(mask, dots, rgb)
        image = Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8), "RGB")
        draw = ImageDraw.Draw(image)
        text = f"epoch {epoch:,}   loss {loss:.4f}"
        left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
        pad = max(3, size // 100)
        draw.rectangle((pad, pad, pad * 3 + right - left, pad * 3 + bottom - top), fill=(255, 255, 255),
                       outline=(90, 90, 90))
        draw.text((pad * 2 - left, pad * 2 - top), text, fill=(20, 20, 20), font=font)
        images.append(image)
    return images


def side_by_side(runs: Sequence[Sequence[Image.Image]], titles: Sequence[str]) -> list[Image.Image]:
    """Frames of several runs next to each other, each under its title (compare mode's export).

    The runs' frames are taken at the same epochs; a run that stopped early (it diverged) keeps
    showing its last frame while the others go on.
    """
    if not runs or any(not frames for frames in runs):
        raise EngineError("no frames to put side by side")
    width, height = runs[0][0].size
    font = _font(max(10, width // 26))
    band = _title_band(font)
    gap = max(4, width // 50)
    count = max(len(frames) for frames in runs)
    images = []
    for index in range(count):
        image = Image.new("RGB", (len(runs) * width + (len(runs) - 1) * gap, height + band), (255, 255, 255))
        draw = ImageDraw.Draw(image)
        for column, (frames, title) in enumerate(zip(runs, titles, strict=True)):
            left = column * (width + gap)
            image.paste(frames[min(index, len(frames) - 1)], (left, band))
            box = draw.textbbox((0, 0), title, font=font)
            draw.text((left + (width - (box[2] - box[0])) / 2 - box[0], (band - (box[3] - box[1])) / 2 - box[1]),
                      title, fill=(20, 20, 20), font=font)
        images.append(image)
    return images


def _title_band(font: ImageFont.ImageFont | ImageFont.FreeTypeFont) -> int:
    """The height of the white band above side-by-side frames that holds their titles."""
    box = ImageDraw.Draw(Image.new("RGB", (1, 1))).textbbox((0, 0), "Ag", font=font)
    return int(box[3] - box[1]) * 2


def encode_gif(images: Sequence[Image.Image]) -> bytes:
    """An endlessly looping GIF of the images; the last one stays on screen longer."""
    out = io.BytesIO()
    durations = [FRAME_MS] * (len(images) - 1) + [LAST_FRAME_MS]
    images[0].save(out, format="GIF", save_all=True, append_images=list(images[1:]), duration=durations, loop=0)
    return out.getvalue()


def encode_mp4(images: Sequence[Image.Image]) -> bytes:
    """An H.264 MP4 of the images through ffmpeg (EngineError when ffmpeg is missing or fails)."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise EngineError("MP4 needs ffmpeg on PATH (not found); write a .gif instead")
    width, height = images[0].size
    with tempfile.TemporaryDirectory() as folder:
        target = os.path.join(folder, "out.mp4")
        command = [ffmpeg, "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
                   "-s", f"{width}x{height}", "-r", str(1000 // FRAME_MS), "-i", "-",
                   "-pix_fmt", "yuv420p", "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", target]
        raw = b"".join(image.tobytes() for image in images)
        done = subprocess.run(command, input=raw, capture_output=True, check=False)
        if done.returncode != 0:
            raise EngineError(f"ffmpeg failed: {done.stderr.decode(errors='replace').strip()[:200]}")
        with open(target, "rb") as f:
            return f.read()


def write_animation(path: str | os.PathLike[str], scene: Scene, kept: Sequence[tuple[int, np.ndarray]],
                    size: int = limits.DEFAULT_ANIMATION_SIZE,
                    beside: Sequence[tuple[Scene, Sequence[tuple[int, np.ndarray]], str]] = (),
                    title: str = "") -> int:
    """Render the kept frames and write them to ``path`` (.gif or .mp4), atomically; returns the frame count.

    ``beside``: more runs as (scene, kept, title), drawn to the right of this one (titled ``title``)
    in every frame, each ``size`` pixels square.
    """
    if not kept or any(not other for _, other, _ in beside):
        raise EngineError("no frames to write")
    images = render_frames(scene, kept, size)
    if beside:
        images = side_by_side([images, *(render_frames(s, k, size) for s, k, _ in beside)],
                              [title, *(t for _, _, t in beside)])
    mp4 = os.fspath(path).lower().endswith(".mp4")
    write_bytes_atomically(path, encode_mp4(images) if mp4 else encode_gif(images))
    return len(images)
