"""``python main.py train``: end to end in a subprocess (JSON summary, saved model, plot,
bad input), plus quicker in-process runs of ``engine.cli.main`` for the variants."""

from __future__ import annotations

import json
import struct
import warnings
import zlib
from pathlib import Path

import numpy as np
import pytest

from engine import Network, cli, generate, split, transform, write_csv
from engine.palette import CLASS_COLORS

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def strict_json(text: str):
    """json.loads that refuses NaN and Infinity, which are not JSON."""

    def refuse(constant: str):
        raise ValueError(f"{constant} is not valid JSON")

    return json.loads(text, parse_constant=refuse)


def decode_png(data: bytes) -> np.ndarray:
    """An independent decoder for 8-bit RGB/RGBA PNGs without row filters: (h, w, channels) uint8."""
    assert data[:8] == PNG_SIGNATURE, "not a PNG signature"
    pos, chunks = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r}"
        chunks.append((kind, body))
        pos += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    width, height, depth, color_type, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert depth == 8 and color_type in (2, 6) and interlace == 0
    channels = 3 if color_type == 2 else 4
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride = width * channels
    assert len(raw) == height * (stride + 1)
    rows = np.frombuffer(raw, np.uint8).reshape(height, stride + 1)
    # Filter type 0 (None) on every row is what engine.png writes; others would need unfiltering.
    assert not rows[:, 0].any(), f"unsupported PNG row filters {set(rows[:, 0].tolist())}"
    return rows[:, 1:].reshape(height, width, channels)


def colour_set(image: np.ndarray) -> set[tuple[int, ...]]:
    return {tuple(c) for c in image.reshape(-1, image.shape[-1]).tolist()}


def three_blobs(path: Path, n: int = 240, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 3
    centres = np.array([[-3.0, -2.0], [3.0, -2.0], [0.0, 3.0]])
    write_csv(path, centres[labels] + rng.normal(0.0, 0.7, (n, 2)), labels)


def run_in_process(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


# ------------------------------------------------------------------ end to end
def test_train_preset_end_to_end_json_model_and_plot(run_main, tmp_path: Path) -> None:
    model, plot = tmp_path / "model.json", tmp_path / "map.png"
    args = ["--preset", "circle", "--points", "200", "--epochs", "30", "--layers", "4,2",
            "--optimizer", "adam", "--lr", "0.03", "--seed", "1"]
    done = run_main("train", *args, "--json", "--save-model", model, "--plot", plot)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "epoch 30/30" in done.stderr and "test accuracy" in done.stderr  # progress on stderr

    # --json: exactly one JSON object on stdout, in the documented shape.
    assert len(done.stdout.strip().splitlines()) == 1
    summary = strict_json(done.stdout)
    assert {"epochs", "final", "history", "gradient_norms"} <= set(summary)
    assert summary["epochs"] == 30
    final = summary["final"]
    assert set(final) == {"train_loss", "test_loss", "train_accuracy", "test_accuracy"}
    assert all(isinstance(v, float) for v in final.values())
    assert 0.9 <= final["train_accuracy"] <= 1.0 and 0.9 <= final["test_accuracy"] <= 1.0
    history = summary["history"]
    assert [h["epoch"] for h in history] == list(range(1, 31))
    assert all(set(h) == {"epoch", "train_loss", "test_loss"} for h in history)
    assert all(isinstance(h["train_loss"], float) and isinstance(h["test_loss"], float) for h in history)
    assert history[-1]["train_loss"] == final["train_loss"] and history[-1]["test_loss"] == final["test_loss"]
    assert history[-1]["train_loss"] < 0.5 * history[0]["train_loss"]
    norms = summary["gradient_norms"]
    assert len(norms) == 3 and all(isinstance(g, float) and g >= 0 for g in norms)

    # --save-model: JSON (not pickle) that Network.from_dict loads with the trained weights.
    saved = json.loads(model.read_text(encoding="utf-8"))
    net = Network.from_dict(saved)
    assert net.layer_sizes == [2, 4, 2, 1] and net.task == "binary" and saved["features"] == ["x1", "x2"]
    train_x, train_y, test_x, test_y = split(*generate("circle", 200, 0.0, seed=1), 0.5, seed=1)
    assert net.loss(transform(train_x, saved["features"]), train_y) == final["train_loss"]
    assert net.accuracy(transform(test_x, saved["features"]), test_y) == final["test_accuracy"]
    problem = cli.build_problem(cli.build_parser().parse_args(args))
    cli.run(problem, 30, lambda line: None)  # the same run in this process, for its weights
    assert all(np.array_equal(a, b) for a, b in zip(net.weights, problem.net.weights, strict=True))
    assert all(np.array_equal(a, b) for a, b in zip(net.biases, problem.net.biases, strict=True))

    # --plot: a valid PNG of the decision map, in both class colours, with the points on it.
    image = decode_png(plot.read_bytes())
    assert image.shape == (480, 480, 3)
    colours = colour_set(image)
    assert len(colours) > 10
    assert tuple(CLASS_COLORS[0]) in colours and tuple(CLASS_COLORS[1]) in colours
    r, b = image[..., 0].astype(int), image[..., 2].astype(int)
    assert np.mean(r > b + 20) > 0.05 and np.mean(b > r + 20) > 0.05  # orange and blue regions
    # Circle: class 1 (blue) in the middle of the map, class 0 (orange) near the corners.
    assert b[200:280, 200:280].mean() > r[200:280, 200:280].mean()
    assert r[:40, :40].mean() > b[:40, :40].mean()


def test_regression_reports_null_accuracies(run_main) -> None:
    done = run_main("train", "--preset", "plane", "--points", "100", "--epochs", "5", "--json")
    assert done.returncode == 0, done.stderr
    summary = strict_json(done.stdout)
    final = summary["final"]
    assert final["train_accuracy"] is None and final["test_accuracy"] is None
    assert isinstance(final["train_loss"], float) and isinstance(final["test_loss"], float)
    assert len(summary["history"]) == 5 and len(summary["gradient_norms"]) == 3


def test_multiclass_is_inferred_from_a_csv_with_three_classes(run_main, tmp_path: Path) -> None:
    data, model = tmp_path / "blobs.csv", tmp_path / "model.json"
    three_blobs(data)
    done = run_main("train", "--data", data, "--epochs", "20", "--optimizer", "adam", "--json",
                    "--save-model", model)
    assert done.returncode == 0, done.stderr
    net = Network.from_dict(json.loads(model.read_text(encoding="utf-8")))
    assert net.task == "multiclass" and net.layer_sizes == [2, 4, 2, 3]
    assert strict_json(done.stdout)["final"]["test_accuracy"] >= 0.9


# ------------------------------------------------------------------- bad input
BAD_FILES = {
    "empty.csv": b"",
    "header.csv": b"x,y,class\n1,2,0\n",
    "columns.csv": b"x,y,label\n1,2,0\n3,4\n",
    "text.csv": b"x,y,label\n1,2,0\n1,two,1\n",
    "nan.csv": b"x,y,label\n1,2,0\nnan,2,1\n",
    "inf.csv": b"x,y,label\n1,2,0\n1,-inf,1\n",
    "float.csv": b"x,y,label\n1,2,0\n1,2,0.5\n",
    "negative.csv": b"x,y,label\n1,2,0\n1,2,-1\n",
    "one-class.csv": b"x,y,label\n1,2,1\n3,4,1\n",
    "three.csv": b"x,y,label\n1,2,0\n3,4,1\n5,6,2\n",
    "binary.csv": b"x,y,label\n1,2,0\n\x89\xff\x00\xfe,1,1\n",
}


def bad_inputs(tmp: Path) -> dict[str, tuple[list[str], str]]:
    """Each bad command line (data files in ``tmp``) and a text its error message must contain."""
    f = {name: str(tmp / name) for name in BAD_FILES}
    return {
        "missing file": (["--data", str(tmp / "nowhere.csv")], "nowhere.csv: no such file"),
        "folder": (["--data", str(tmp)], f"{tmp}: is a folder"),
        "empty file": (["--data", f["empty.csv"]], f"{f['empty.csv']}: the file is empty"),
        "wrong header": (["--data", f["header.csv"]], f"{f['header.csv']}:1: the header"),
        "wrong column count": (["--data", f["columns.csv"]], f"{f['columns.csv']}:3: expected 3 values"),
        "non-numeric": (["--data", f["text.csv"]], f"{f['text.csv']}:3: y is not a number"),
        "nan": (["--data", f["nan.csv"]], f"{f['nan.csv']}:3: x must be a finite number"),
        "infinite": (["--data", f["inf.csv"]], f"{f['inf.csv']}:3: y must be a finite number"),
        "fractional label": (["--data", f["float.csv"]], f"{f['float.csv']}:3: label '0.5' is not a class"),
        "negative label": (["--data", f["negative.csv"]], f"{f['negative.csv']}:3: label '-1' is not"),
        "not utf-8": (["--data", f["binary.csv"]], f"{f['binary.csv']}:3: not a UTF-8"),
        "one class in a file": (["--data", f["one-class.csv"]], "only one class"),
        "one class in a preset": (["--preset", "gauss", "--points", "1"], "only one class"),
        "binary task, three classes": (["--data", f["three.csv"], "--task", "binary"], "binary task"),
        "multiclass task, two classes": (["--preset", "xor", "--task", "multiclass"], "at least 3 classes"),
        "classification task, regression preset": (["--preset", "plane", "--task", "binary"], "regression"),
        "unknown task": (["--task", "ranking"], "ranking"),
        "unknown preset": (["--preset", "torus"], "unknown preset 'torus'"),
        "unknown activation": (["--activation", "swish"], "unknown activation 'swish'"),
        "one activation too many": (["--layers", "3", "--activation", "tanh,relu"], "activations"),
        "no activation": (["--activation", ""], "activations"),
        "unknown optimizer": (["--optimizer", "rmsprop"], "unknown optimizer 'rmsprop'"),
        "unknown feature": (["--features", "x1,x3"], "unknown feature 'x3'"),
        "no feature": (["--features", ""], "at least one input feature"),
        "repeated feature": (["--features", "x1,x1"], "once"),
        "unknown regularization": (["--regularization", "l3"], "unknown regularization 'l3'"),
        "zero layer size": (["--layers", "4,0"], "positive integers, got '0'"),
        "negative layer size": (["--layers", "-2"], "positive integers, got '-2'"),
        "fractional layer size": (["--layers", "2.5"], "positive integers, got '2.5'"),
        "word layer size": (["--layers", "four"], "positive integers, got 'four'"),
        "missing layer size": (["--layers", "4,,2"], "positive integers, got ''"),
        "superscript layer size": (["--layers", "²"], "positive integers, got '²'"),
        "zero learning rate": (["--lr", "0"], "--lr: must be a positive number, got '0'"),
        "negative learning rate": (["--lr", "-0.1"], "--lr: must be a positive number"),
        "word learning rate": (["--lr", "fast"], "--lr: must be a positive number, got 'fast'"),
        "nan learning rate": (["--lr", "nan"], "--lr: must be a positive number"),
        "infinite learning rate": (["--lr", "inf"], "--lr: must be a positive number"),
        "missing learning rate": (["--lr"], "--lr"),
        "zero batch size": (["--batch-size", "0"], "batch size"),
        "negative epochs": (["--epochs", "-3"], "--epochs"),
        "too much noise": (["--noise", "0.9"], "noise"),
        "negative noise": (["--noise", "-0.1"], "--noise"),
        "train ratio above one": (["--train-ratio", "1.5"], "train ratio"),
        "zero points": (["--points", "0"], "point count"),
        "data and preset": (["--data", f["three.csv"], "--preset", "xor"], "not allowed"),
        "unknown option": (["--colour", "red"], "unrecognized arguments"),
    }


BAD_INPUT_NAMES = list(bad_inputs(Path("/nonexistent")))


@pytest.fixture(scope="module")
def bad_input_table(tmp_path_factory) -> dict[str, tuple[list[str], str]]:
    folder = tmp_path_factory.mktemp("bad")
    for name, content in BAD_FILES.items():
        (folder / name).write_bytes(content)
    return bad_inputs(folder)


@pytest.mark.parametrize("name", BAD_INPUT_NAMES)
def test_bad_input_exits_2_with_one_clear_line_and_no_traceback(run_main, bad_input_table, name: str) -> None:
    argv, expected = bad_input_table[name]
    done = run_main("train", "--epochs", "1", *argv)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("neural-sandbox train: error: ")
    assert expected in lines[0]
    assert done.stdout == ""


def test_unwritable_outputs_exit_2_with_one_line(capsys, tmp_path: Path) -> None:
    for option in ("--save-model", "--plot"):
        target = tmp_path / "no such folder" / "out"
        status, out, err = run_in_process(capsys, "--preset", "xor", "--points", "20", "--epochs", "1",
                                          "--quiet", option, str(target))
        assert status == 2 and out == ""
        assert len(err.splitlines()) == 1 and "cannot write" in err


# ------------------------------------------------------------- in-process runs
def test_plain_run_prints_progress_and_a_final_summary_on_stderr_only(capsys) -> None:
    status, out, err = run_in_process(capsys, "--preset", "xor", "--points", "60", "--epochs", "20")
    assert status == 0 and out == ""
    lines = err.splitlines()
    assert lines[0].startswith("epoch 2/20") and "epoch 20/20" in err
    assert lines[-1].startswith("done: 20 epochs") and "train accuracy" in lines[-1]


def test_quiet_run_prints_nothing_on_stderr(capsys) -> None:
    status, out, err = run_in_process(capsys, "--preset", "xor", "--points", "60", "--epochs", "3",
                                      "--quiet", "--json")
    assert status == 0 and err == ""
    assert strict_json(out)["epochs"] == 3


@pytest.mark.parametrize("layers,expected", [("", [3, 1]), ("5", [3, 5, 1]), ("6,3,2", [3, 6, 3, 2, 1])])
def test_layers_and_features_shape_the_network(capsys, tmp_path: Path, layers: str, expected) -> None:
    model = tmp_path / "m.json"
    status, out, _ = run_in_process(capsys, "--preset", "gauss", "--points", "50", "--epochs", "2",
                                    "--layers", layers, "--features", "x1,x2sq,sinx1", "--json",
                                    "--quiet", "--save-model", str(model))
    assert status == 0
    saved = json.loads(model.read_text(encoding="utf-8"))
    assert saved["layer_sizes"] == expected and saved["features"] == ["x1", "x2sq", "sinx1"]
    assert len(strict_json(out)["gradient_norms"]) == len(expected) - 1


def test_every_setting_reaches_the_network_and_trainer() -> None:
    args = cli.build_parser().parse_args(
        ["--preset", "moons", "--points", "80", "--noise", "0.2", "--layers", "3,2", "--activation",
         "relu,sigmoid", "--optimizer", "momentum", "--lr", "0.2", "--batch-size", "7",
         "--regularization", "l1", "--reg-rate", "0.001", "--train-ratio", "0.75", "--seed", "4",
         "--init", "playground", "--dtype", "float32"]
    )
    problem = cli.build_problem(args)
    net, trainer = problem.net, problem.trainer
    assert net.layer_sizes == [2, 3, 2, 1] and net.activation_names == ["relu", "sigmoid"]
    assert net.init == "playground" and net.dtype == np.float32 and net.seed == 4
    assert (trainer.optimizer, trainer.batch_size) == ("momentum", 7)
    assert trainer.learning_rate == pytest.approx(0.2)
    assert (trainer.regularization, trainer.reg_rate) == ("l1", 0.001)
    assert len(problem.train_points) == 60 and len(problem.test_points) == 20
    points, _ = generate("moons", 80, 0.2, seed=4)
    assert np.array_equal(np.sort(np.concatenate([problem.train_points, problem.test_points]), axis=0),
                          np.sort(points, axis=0))


def test_same_command_gives_identical_output(capsys) -> None:
    argv = ["--preset", "spiral", "--points", "80", "--epochs", "5", "--json", "--quiet", "--seed", "3"]
    first, second = run_in_process(capsys, *argv)[1], run_in_process(capsys, *argv)[1]
    assert first == second
    other = run_in_process(capsys, *argv[:-1], "4")[1]
    assert strict_json(first)["final"] != strict_json(other)["final"]


def test_train_ratio_one_has_no_test_set(capsys) -> None:
    status, out, _ = run_in_process(capsys, "--preset", "xor", "--points", "40", "--epochs", "2",
                                    "--train-ratio", "1", "--json", "--quiet")
    final = strict_json(out)["final"]
    assert status == 0 and final["test_loss"] is None and final["test_accuracy"] is None
    assert isinstance(final["train_accuracy"], float)


def test_regression_csv_needs_the_regression_task(capsys, tmp_path: Path) -> None:
    data = tmp_path / "values.csv"
    points, values = generate("plane", 60, 0.0, seed=0)
    write_csv(data, points, values)
    status, _, err = run_in_process(capsys, "--data", str(data))
    assert status == 2 and "is not a class id" in err and f"{data}:" in err
    status, out, _ = run_in_process(capsys, "--data", str(data), "--task", "regression", "--epochs", "3",
                                    "--json", "--quiet")
    assert status == 0 and strict_json(out)["final"]["test_accuracy"] is None


def test_diverging_training_stops_cleanly_with_valid_json(capsys) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # a numpy overflow warning would reach stderr as extra lines
        status, out, err = run_in_process(capsys, "--preset", "plane", "--points", "60", "--layers", "",
                                          "--activation", "linear", "--lr", "100", "--epochs", "100",
                                          "--json")
    assert status == 0
    assert [str(w.message) for w in caught] == []
    summary = strict_json(out)  # no NaN or Infinity tokens
    assert summary["epochs"] < 100 and summary["history"][-1]["train_loss"] is None
    assert summary["final"]["train_loss"] is not None  # of the last finite weights, which are kept
    assert summary["diverged"] is True and summary["diverged_epoch"] == summary["epochs"]
    assert "diverged" in err and "Warning" not in err


@pytest.mark.parametrize("preset,extra", [("plane", []), ("spiral", ["--layers", "8,8"])])
def test_plot_for_regression_and_other_presets(capsys, tmp_path: Path, preset: str, extra) -> None:
    plot = tmp_path / "p.png"
    status, _, _ = run_in_process(capsys, "--preset", preset, "--points", "80", "--epochs", "3",
                                  "--quiet", "--plot", str(plot), *extra)
    assert status == 0
    image = decode_png(plot.read_bytes())
    assert image.shape[:2] == (480, 480) and len(colour_set(image)) > 10


@pytest.mark.parametrize("classes", [3, 7])
def test_plot_for_multiclass_data_shows_every_class(capsys, tmp_path: Path, classes: int) -> None:
    data, plot = tmp_path / "m.csv", tmp_path / "m.png"
    rng = np.random.default_rng(0)
    labels = np.arange(20 * classes) % classes
    write_csv(data, rng.uniform(-5, 5, (len(labels), 2)), labels)
    status, _, err = run_in_process(capsys, "--data", str(data), "--epochs", "2", "--quiet",
                                    "--plot", str(plot))
    assert status == 0, err
    colours = colour_set(decode_png(plot.read_bytes()))
    for c in range(min(classes, len(CLASS_COLORS))):
        assert tuple(CLASS_COLORS[c]) in colours


def test_png_decoder_reads_engine_pngs_exactly_and_rejects_damage() -> None:
    # The decoder the plot tests rely on must be right and notice damage, or they prove nothing.
    from engine.png import encode_png

    pixels = np.random.default_rng(0).integers(0, 256, (4, 5, 3), dtype=np.uint8)
    good = encode_png(pixels)
    assert np.array_equal(decode_png(good), pixels)
    damaged = bytearray(good)
    damaged[40] ^= 0xFF
    with pytest.raises(AssertionError):
        decode_png(bytes(damaged))
    with pytest.raises(AssertionError):
        decode_png(b"GIF89a" + good[6:])
