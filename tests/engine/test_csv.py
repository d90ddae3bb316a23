"""Data files: exact round trips, and every bad file gives a DataError naming file and line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from engine import DataError, EngineError, generate, limits, read_csv, write_csv
from engine.csvio import format_csv, parse_csv

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, content: str | bytes, name: str = "data.csv") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


# ---------------------------------------------------------------------- round trip
@pytest.mark.parametrize("name", ["circle", "spiral", "moons"])
def test_classification_data_round_trips_exactly(tmp_path: Path, name: str) -> None:
    points, labels = generate(name, 300, 0.3, seed=1)
    path = tmp_path / "set.csv"
    write_csv(path, points, labels)
    read_points, read_labels = read_csv(path)
    assert np.array_equal(read_points, points)
    assert np.array_equal(read_labels, labels) and np.issubdtype(read_labels.dtype, np.integer)


@pytest.mark.parametrize("name", ["plane", "multigauss"])
def test_regression_data_round_trips_exactly(tmp_path: Path, name: str) -> None:
    points, values = generate(name, 300, 0.2, seed=1)
    values[:4] = [1 / 3, -1e-300, 0.1, -0.0]
    path = tmp_path / "set.csv"
    write_csv(path, points, values)
    read_points, read_values = read_csv(path, regression=True)
    assert np.array_equal(read_points, points)
    assert read_values.dtype == np.float64 and np.array_equal(read_values, values)


def test_multiclass_labels_round_trip(tmp_path: Path) -> None:
    points = np.random.default_rng(0).uniform(-6, 6, (30, 2))
    labels = np.arange(30) % 5
    write_csv(tmp_path / "m.csv", points, labels)
    assert np.array_equal(read_csv(tmp_path / "m.csv")[1], labels)


def test_written_file_has_the_documented_header() -> None:
    text = format_csv(np.array([[0.5, -1.25]]), np.array([1]))
    assert text == "x,y,label\n0.5,-1.25,1\n"


IN_BOUNDS = st.floats(-limits.MAX_COORDINATE, limits.MAX_COORDINATE, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(points=arrays(np.float64, st.tuples(st.integers(1, 20), st.just(2)), elements=IN_BOUNDS), data=st.data())
def test_any_data_within_the_limits_round_trips_through_csv_text(points: np.ndarray, data) -> None:
    n = len(points)
    values = data.draw(arrays(np.float64, n, elements=IN_BOUNDS))
    read_points, read_values = parse_csv(format_csv(points, values), regression=True)
    assert np.array_equal(read_points, points) and np.array_equal(read_values, values)
    ids = data.draw(arrays(np.int64, n, elements=st.integers(0, 15)))
    assert np.array_equal(parse_csv(format_csv(points, ids))[1], ids)


def test_tolerant_of_bom_crlf_spaces_header_case_and_blank_lines(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbf X , Y ,Label\r\n\r\n1.5, -2 ,1\r\n\r\n3e-1,4,0\r\n")
    points, labels = read_csv(path)
    assert np.array_equal(points, [[1.5, -2.0], [0.3, 4.0]])
    assert np.array_equal(labels, [1, 0])


def test_integral_float_labels_are_class_ids(tmp_path: Path) -> None:
    assert np.array_equal(read_csv(write(tmp_path, "x,y,label\n0,0,1.0\n1,1,2\n"))[1], [1, 2])


# ------------------------------------------------------------------------ bad files
BAD_FILES = {
    # name: (content, line the message must name or None, words the message must contain)
    "empty": ("", None, "empty"),
    "only blank lines": ("\n \n\n", None, "empty"),
    "header only": ("x,y,label\n", None, "no points"),
    "wrong header": ("a,b,c\n1,2,0\n", 1, "header"),
    "header with two columns": ("x,y\n1,2\n", 1, "header"),
    "too few columns": ("x,y,label\n1,2,0\n1,2\n", 3, "3 values"),
    "too many columns": ("x,y,label\n1,2,0\n1,2,0\n1,2,0,4\n", 4, "3 values"),
    "non-numeric x": ("x,y,label\nabc,2,0\n", 2, "not a number"),
    "non-numeric label": ("x,y,label\n1,2,0\n1,2,one\n", 3, "not a number"),
    "empty cell": ("x,y,label\n1,,0\n", 2, "not a number"),
    "nan": ("x,y,label\n1,2,0\nnan,2,1\n", 3, "finite"),
    "inf": ("x,y,label\n1,inf,0\n", 2, "finite"),
    "-inf label": ("x,y,label\n1,2,-inf\n", 2, "finite"),
    "overflowing number": ("x,y,label\n1e999,2,0\n", 2, "finite"),
    "fractional label": ("x,y,label\n1,2,0\n1,2,0.5\n", 3, "class id"),
    "negative label": ("x,y,label\n1,2,-1\n", 2, "class id"),
    "huge label": ("x,y,label\n1,2,1000\n", 2, "class id"),
    "blank lines before the bad one": ("x,y,label\n1,2,0\n\n\n1,2,x\n", 5, "not a number"),
    "unclosed quote": ('x,y,label\n1,2,0\n"1,2,0\n', 3, "3 values"),
}


@pytest.mark.parametrize("content,line,words", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_content_raises_data_error_naming_file_and_line(tmp_path: Path, content, line, words) -> None:
    path = write(tmp_path, content, "bad file.csv")
    with pytest.raises(DataError) as raised:
        read_csv(path)
    message = str(raised.value)
    assert message.startswith(str(path))
    if line is not None:
        assert message.startswith(f"{path}:{line}: ")
    assert words in message
    assert "\n" not in message


def test_fractional_label_is_fine_for_regression(tmp_path: Path) -> None:
    _, values = read_csv(write(tmp_path, "x,y,label\n1,2,0.5\n3,4,-0.25\n"), regression=True)
    assert np.array_equal(values, [0.5, -0.25])


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.csv"
    with pytest.raises(DataError, match="no such file") as raised:
        read_csv(path)
    assert str(raised.value).startswith(str(path))


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="folder") as raised:
        read_csv(tmp_path)
    assert str(raised.value).startswith(str(tmp_path))


def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path, "x,y,label\n1,2,0\n")
    path.chmod(0)
    if os.geteuid() != 0:
        with pytest.raises(DataError, match="cannot be read") as raised:
            read_csv(path)
        assert str(raised.value).startswith(str(path))
        return
    # Root reads any file; without its capabilities (as setpriv drops them) the mode counts again.
    script = "import sys; from engine.csvio import read_csv; from engine import DataError\n" \
             "try:\n    read_csv(sys.argv[1])\nexcept DataError as e:\n    print(e)\n"
    done = subprocess.run(["setpriv", "--bounding-set", "-all", "--inh-caps", "-all", sys.executable,
                           "-c", script, str(path)], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(str(path)) and "cannot be read" in done.stdout


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, b"x,y,label\n1,2,0\n\xff\xfe,3,1\n")
    with pytest.raises(DataError, match="UTF-8") as raised:
        read_csv(path)
    assert str(raised.value).startswith(f"{path}:3: ")


def test_nul_bytes_name_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, b"x,y,label\n1,2\x00,0\n")
    with pytest.raises(DataError, match="NUL") as raised:
        read_csv(path)
    assert str(raised.value).startswith(f"{path}:2: ")


@pytest.mark.parametrize("seed", range(8))
def test_random_bytes_raise_data_error(tmp_path: Path, seed: int) -> None:
    path = write(tmp_path, np.random.default_rng(seed).bytes(300))
    with pytest.raises(DataError) as raised:
        read_csv(path)
    assert str(raised.value).startswith(f"{path}:")


def test_data_error_is_an_engine_error() -> None:
    assert issubclass(DataError, EngineError)


@pytest.mark.parametrize("regression", [False, True])
def test_fast_and_careful_parsers_agree_on_clean_files(regression):
    from engine.csvio import parse_csv

    rng = np.random.default_rng(7)
    lines = ["x,y,label"]
    for i in range(300):
        x, y = (float(v) for v in rng.normal(0, 5, 2))
        label = f"{float(rng.uniform(-1, 1))!r}" if regression else str(int(rng.integers(0, 4)))
        style = i % 4
        if style == 0:
            lines.append(f"{x!r},{y!r},{label}")
        elif style == 1:
            lines.append(f" {x:.3e} , {y:.6f} ,{label} ")
        elif style == 2:
            lines.append(f"{int(x)},{int(y)},{label}")
        else:
            lines.append("")
    text = "\n".join(lines) + "\n"
    fast_points, fast_labels = parse_csv(text, regression=regression)
    slow_points, slow_labels = parse_csv(text, regression=regression, fast=False)
    np.testing.assert_array_equal(fast_points, slow_points)
    np.testing.assert_array_equal(fast_labels, slow_labels)
    assert fast_labels.dtype == slow_labels.dtype
