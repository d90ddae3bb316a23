"""``train``'s outputs: paths checked before training, errors naming the user's path, empty
names refused, a closed pipe ending quietly, and the last finite weights saved after a
divergence."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine import cli
from engine.session_file import load_model

REPO_ROOT = Path(__file__).resolve().parents[2]
DIVERGING = ["--preset", "plane", "--points", "60", "--layers", "", "--activation", "linear", "--lr", "100",
             "--epochs", "100"]


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


# ---------------------------------------------------------------------- output paths (item 17)
@pytest.mark.parametrize("option", ["--save-model", "--plot"])
def test_an_unwritable_output_is_refused_before_training(capsys, tmp_path: Path, option: str) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("", encoding="utf-8")
    for target in (tmp_path / "missing" / "out", a_file / "out"):  # no such folder; a "folder" that is a file
        status, out, err = run_cli(capsys, "--preset", "xor", "--epochs", "3", option, str(target))
        assert status == 2 and out == "" and err.count("\n") == 1
        assert f"{option} {target}: " in err and ".tmp" not in err
        assert "epoch" not in err  # refused before the first epoch


@pytest.mark.parametrize("option", ["--save-model", "--plot"])
def test_a_special_file_as_output_is_refused_before_training(capsys, tmp_path: Path, option: str) -> None:
    pipe = tmp_path / "out"
    os.mkfifo(pipe)
    status, _, err = run_cli(capsys, "--preset", "xor", "--epochs", "3", option, str(pipe))
    assert status == 2 and "not a regular file" in err and "epoch" not in err


def test_a_write_failing_after_training_names_the_users_path(capsys, tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "model.json"
    target.write_text("old model", encoding="utf-8")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    status, _, err = run_cli(capsys, "--preset", "xor", "--epochs", "2", "--quiet", "--save-model", str(target))
    assert status == 2 and f"{target}: " in err and "No space left on device" in err and ".tmp" not in err
    assert target.read_text(encoding="utf-8") == "old model"
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]


@pytest.mark.parametrize("option", ["--data", "--session", "--save-model", "--plot"])
def test_an_empty_file_name_is_an_error(capsys, option: str) -> None:
    status, out, err = run_cli(capsys, "--epochs", "1", option, "")
    assert status == 2 and out == "" and option in err and err.count("\n") == 1


# ---------------------------------------------------------------------- a closed pipe (item 17)
def test_json_into_a_closed_pipe_ends_quietly() -> None:
    child = subprocess.Popen(
        [sys.executable, "main.py", "train", "--preset", "xor", "--points", "40", "--epochs", "2", "--json"],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    child.stdout.close()  # like `| head` that has already exited: the JSON meets a closed pipe
    err = child.stderr.read().decode()
    child.wait(timeout=120)
    child.stderr.close()
    assert "Traceback" not in err and "BrokenPipeError" not in err and "Exception ignored" not in err
    assert child.returncode in (0, 1)


def test_json_piped_into_head_prints_no_traceback() -> None:
    done = subprocess.run(
        f"{sys.executable} main.py train --preset xor --points 40 --epochs 200 --json | head -c 1",
        shell=True, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout == "{" and "Traceback" not in done.stderr


# ---------------------------------------------------------------------- divergence (item 16)
def test_after_divergence_the_last_finite_weights_are_saved_and_said(capsys, tmp_path: Path) -> None:
    model = tmp_path / "model.json"
    status, out, err = run_cli(capsys, *DIVERGING, "--json", "--save-model", str(model))
    assert status == 0
    summary = json.loads(out)
    assert summary["diverged"] is True
    kept = summary["diverged_epoch"] - 1
    assert f"keeping the last finite weights (epoch {kept})" in err
    assert f"saved the model with the last finite weights (epoch {kept}) to {model}" in err
    net, features = load_model(model)  # the file opens: every weight finite
    assert np.all(np.isfinite(net.params)) and features == ["x1", "x2"]
    assert summary["final"]["train_loss"] is not None  # measured on the weights that were kept


def test_a_run_that_does_not_diverge_saves_its_final_weights(capsys, tmp_path: Path) -> None:
    model = tmp_path / "model.json"
    status, _, err = run_cli(capsys, "--preset", "xor", "--points", "40", "--epochs", "3", "--save-model",
                             str(model))
    assert status == 0 and "last finite" not in err and f"saved the model to {model}" in err
    assert load_model(model)[0].layer_sizes == [2, 4, 2, 1]
