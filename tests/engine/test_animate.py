"""Animations: frames at log-spaced epochs, frames that change for tanh, a step run whose hidden layers never
move, and output paths refused before training."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine import animate, cli, limits


def gif_frames(path: Path) -> list[np.ndarray]:
    with Image.open(path) as image:
        frames = []
        for i in range(image.n_frames):
            image.seek(i)
            frames.append(np.asarray(image.convert("RGB")))
    return frames


def recorded(activation: str, epochs: int = 150, frames: int = 12) -> tuple[cli.Problem, animate.Recorder]:
    args = cli.build_parser().parse_args(["--preset", "circle", "--points", "200", "--epochs", str(epochs),
                                          "--activation", activation])
    problem = cli.build_problem(args)
    recorder = animate.Recorder(problem.net, epochs, frames)
    cli.run(problem, epochs, lambda _: None, observe=recorder)
    return problem, recorder


@pytest.mark.parametrize(("epochs", "frames"), [(200, 60), (1000, 10), (5, 60), (0, 60), (59, 60), (7, 2)])
def test_frame_epochs_are_distinct_log_spaced_and_span_the_run(epochs: int, frames: int) -> None:
    chosen = animate.frame_epochs(epochs, frames)
    assert len(chosen) == min(frames, epochs + 1)
    assert chosen[0] == 0 and chosen[-1] == epochs
    assert all(b > a for a, b in zip(chosen, chosen[1:]))
    if epochs >= 10 * frames:  # more frames at the start: the first half of the frames covers a small part
        assert chosen[len(chosen) // 2] < epochs / 4


def test_cli_writes_a_gif_with_the_frames_asked_for(capsys, tmp_path: Path) -> None:
    out = tmp_path / "tanh.gif"
    status = cli.main(["--preset", "circle", "--points", "200", "--epochs", "200", "--animate", str(out),
                       "--frames", "12", "--quiet"])
    assert status == 0, capsys.readouterr().err
    frames = gif_frames(out)
    assert len(frames) == 12
    assert frames[0].shape == (limits.DEFAULT_ANIMATION_SIZE, limits.DEFAULT_ANIMATION_SIZE, 3)
    # The map moves: the last frame differs from the first well beyond the epoch and loss text.
    body = (slice(40, None), slice(None))
    changed = np.any(frames[0][body] != frames[-1][body], axis=-1).mean()
    assert changed > 0.05
    assert all(np.any(a != b) for a, b in zip(frames, frames[1:]))  # every frame says a new epoch at least


def test_the_default_is_sixty_frames_and_the_size_can_change(capsys, tmp_path: Path) -> None:
    out = tmp_path / "small.gif"
    assert cli.main(["--preset", "xor", "--points", "100", "--epochs", "100", "--animate", str(out),
                     "--frame-size", "200", "--quiet"]) == 0
    frames = gif_frames(out)
    assert len(frames) == limits.DEFAULT_FRAMES and frames[0].shape == (200, 200, 3)


def test_step_hidden_layers_never_change_across_frames_but_tanh_ones_do() -> None:
    problem, recorder = recorded("step")
    assert len(recorder.kept) == 12
    net = problem.net.copy()
    hidden_blocks = []
    for _, params in recorder.kept:
        net.params[...] = params
        hidden_blocks.append([w.copy() for w in net.weights[:-1]] + [b.copy() for b in net.biases[:-1]])
    for blocks in hidden_blocks[1:]:
        for a, b in zip(hidden_blocks[0], blocks):
            np.testing.assert_array_equal(a, b)
    net.params[...] = recorder.kept[0][1]
    first_output = net.weights[-1].copy()
    net.params[...] = recorder.kept[-1][1]
    assert np.any(net.weights[-1] != first_output)  # the output layer alone learns

    problem, recorder = recorded("tanh")
    first, last = recorder.kept[0][1], recorder.kept[-1][1]
    net = problem.net.copy()
    net.params[...] = first
    w0 = net.weights[0].copy()
    net.params[...] = last
    assert np.any(net.weights[0] != w0)


def test_step_frames_show_the_same_hidden_maps(tmp_path: Path) -> None:
    problem, recorder = recorded("step")
    frames = animate.render_frames(problem, recorder.kept, 120)
    assert len(frames) == 12 and frames[0].size == (120, 120)
    from engine import maps

    net = problem.net.copy()
    bounds = maps.view_bounds(np.concatenate([problem.train_points, problem.test_points]))
    hidden = []
    for _, params in recorder.kept:
        net.params[...] = params
        hidden.append(maps.layer_maps(net, problem.features, bounds, 30)[1:-1])
    for layers in hidden[1:]:
        for a, b in zip(hidden[0], layers):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("make", ["folder", "no-folder", "suffix"])
def test_a_bad_animation_path_is_refused_before_training(capsys, tmp_path: Path, make: str) -> None:
    target = {"folder": tmp_path / "anim.gif", "no-folder": tmp_path / "missing" / "a.gif",
              "suffix": tmp_path / "anim.png"}[make]
    if make == "folder":
        target.mkdir()
    status = cli.main(["--preset", "xor", "--epochs", "5", "--animate", str(target)])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and "epoch" not in err
    assert str(target) in err
    assert not list(tmp_path.glob("**/*.gif")) or make == "folder"
    if make == "folder":
        assert target.is_dir() and not any(target.iterdir())


def test_mp4_without_ffmpeg_is_refused_before_training(capsys, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(animate.shutil, "which", lambda name: None)
    status = cli.main(["--preset", "xor", "--epochs", "5", "--animate", str(tmp_path / "a.mp4")])
    err = capsys.readouterr().err
    assert status == 2 and "ffmpeg" in err and err.count("\n") == 1
    assert not list(tmp_path.iterdir())


@pytest.mark.skipif(animate.shutil.which("ffmpeg") is None, reason="ffmpeg is not on PATH (MP4 is optional)")
def test_mp4_with_ffmpeg(capsys, tmp_path: Path) -> None:
    out = tmp_path / "a.mp4"
    assert cli.main(["--preset", "xor", "--points", "100", "--epochs", "20", "--animate", str(out), "--frames",
                     "5", "--quiet"]) == 0
    assert out.read_bytes()[4:8] == b"ftyp"


def test_bad_frame_counts_are_refused(capsys) -> None:
    for frames in ("1", "0", str(limits.MAX_FRAMES + 1), "x"):
        assert cli.main(["--preset", "xor", "--epochs", "5", "--animate", "a.gif", "--frames", frames]) == 2
        assert "--frames" in capsys.readouterr().err


def test_two_runs_side_by_side_share_each_frame_and_a_stopped_run_keeps_its_last_frame(tmp_path: Path) -> None:
    tanh, tanh_frames = recorded("tanh", epochs=60, frames=8)
    step, step_frames = recorded("step", epochs=60, frames=8)
    out = tmp_path / "both.gif"
    short = step_frames.kept[:5]  # as if run B had diverged after its fifth frame
    count = animate.write_animation(out, tanh, tanh_frames.kept, 120, beside=[(step, short, "B: step")], title="A")
    frames = gif_frames(out)
    assert count == len(frames) == 8
    height, width, _ = frames[0].shape
    assert width > 2 * 120 and height > 120  # two 120-pixel maps, a gap, a title band
    alone = [np.asarray(image) for image in animate.render_frames(tanh, tanh_frames.kept, 120)]
    band = height - 120
    assert np.abs(frames[3][band:, :120].astype(int) - alone[3].astype(int)).mean() < 8  # A on the left (GIF colours)
    right = slice(width - 120, width)
    def differ(x: np.ndarray, y: np.ndarray) -> float:
        return float(np.abs(x.astype(int) - y.astype(int)).mean())

    assert differ(frames[6][band:, right], frames[7][band:, right]) < 3  # B's last frame stays (GIF colours aside)
    assert differ(frames[0][band:, :120], frames[7][band:, :120]) > 10  # while A goes on
