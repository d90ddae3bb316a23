"""Reading and writing files safely: only regular files are read, and only so much of them;
a save never replaces a device, a FIFO or a symlink, never leaves a temporary file, and a
failure names the user's path, not the temporary one."""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import threading
from pathlib import Path

import numpy as np
import pytest

from engine import DataError, limits
from engine.csvio import read_csv, read_text, write_bytes_atomically, write_csv, write_text_atomically
from engine.png import write_png
from engine.session_file import load_json, load_model, load_session


def fifo(tmp_path: Path, name: str = "points.csv") -> Path:
    path = tmp_path / name
    os.mkfifo(path)
    return path


def in_thread(call) -> tuple[threading.Thread, list]:
    """Run ``call`` in a daemon thread (a hang shows as a thread still alive, not as a stuck suite)."""
    outcome: list = []

    def target() -> None:
        try:
            outcome.append(call())
        except Exception as problem:
            outcome.append(problem)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout=20)
    return thread, outcome


# ---------------------------------------------------------------------- reading
@pytest.mark.parametrize("loader", [read_csv, load_session, load_model, load_json])
def test_a_fifo_is_refused_at_once_by_every_loader(tmp_path: Path, loader) -> None:
    path = fifo(tmp_path, "work.json" if loader is not read_csv else "points.csv")
    thread, outcome = in_thread(lambda: loader(path))
    if thread.is_alive():  # release the blocked reader so the test run can end
        with open(path, "w"):
            pass
        thread.join(timeout=20)
        pytest.fail(f"{loader.__name__} blocked on a FIFO")
    assert isinstance(outcome[0], DataError)
    message = str(outcome[0])
    assert message.startswith(f"{path}: ") and "not a regular file" in message and "\n" not in message


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_a_device_is_refused_without_reading_it(device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"{device} is not on this system")
    thread, outcome = in_thread(lambda: read_csv(device))
    assert not thread.is_alive(), f"reading {device} did not end"
    assert isinstance(outcome[0], DataError)
    assert str(outcome[0]).startswith(f"{device}: ") and "not a regular file" in str(outcome[0])


def test_a_folder_is_refused_as_a_folder(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="is a folder, not a file"):
        load_session(tmp_path)


def test_a_symlink_to_a_regular_file_is_read(tmp_path: Path) -> None:
    data = tmp_path / "real.csv"
    data.write_text("x,y,label\n1,2,0\n3,4,1\n", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(data)
    points, labels = read_csv(link)
    assert points.tolist() == [[1.0, 2.0], [3.0, 4.0]] and labels.tolist() == [0, 1]


def test_a_file_beyond_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with open(path, "wb") as f:  # sparse: takes no disk space, would take 512 MB of memory
        f.truncate(limits.MAX_FILE_BYTES + 1)
    with pytest.raises(DataError) as raised:
        read_csv(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: ") and "512 MB" in message and "larger than" in message


def test_a_file_growing_while_read_is_cut_at_the_limit(tmp_path: Path, monkeypatch) -> None:
    # st_size says small, but the read returns more (a file still being written): still bounded.
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 64)
    path = tmp_path / "grows.json"
    path.write_bytes(b"x" * 200)
    real_fstat = os.fstat

    def small_fstat(fd: int) -> os.stat_result:
        st = real_fstat(fd)
        return os.stat_result((st.st_mode, *tuple(st)[1:6], 10, *tuple(st)[7:]))

    monkeypatch.setattr(os, "fstat", small_fstat)
    with pytest.raises(DataError, match="larger than"):
        read_text(path)


def test_rows_beyond_the_point_limit_are_refused_with_the_line(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(limits, "MAX_POINTS", 5)
    path = tmp_path / "many.csv"
    path.write_text("x,y,label\n" + "1,2,0\n3,4,1\n" * 3, encoding="utf-8")  # 6 points
    with pytest.raises(DataError) as raised:
        read_csv(path)
    assert str(raised.value).startswith(f"{path}:7: ") and "more than 5 points" in str(raised.value)
    path.write_text("x,y,label\n" + "1,2,0\n" * 5, encoding="utf-8")
    assert len(read_csv(path)[0]) == 5  # exactly the limit is fine


# ---------------------------------------------------------------------- writing
@pytest.mark.parametrize("device", ["/dev/full", "/dev/null"])
def test_a_save_never_replaces_a_device(device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"{device} is not on this system")
    before = os.stat(device)
    with pytest.raises(OSError) as raised:
        write_text_atomically(device, "{}")
    after = os.stat(device)
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino and after.st_rdev == before.st_rdev
    assert raised.value.filename == device and "not a regular file" in raised.value.strerror


def test_a_save_never_replaces_a_fifo_or_a_folder(tmp_path: Path) -> None:
    pipe = fifo(tmp_path, "model.json")
    folder = tmp_path / "folder.json"
    folder.mkdir()
    for target in (pipe, folder):
        with pytest.raises(OSError, match="not a regular file"):
            write_text_atomically(target, "{}")
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode) and folder.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.json", "model.json"]  # no temporary left


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    real = elsewhere / "model.json"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "model.json"
    link.symlink_to(real)
    write_text_atomically(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere", "model.json"]
    assert sorted(p.name for p in elsewhere.iterdir()) == ["model.json"]


def test_a_symlink_to_a_device_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "model.json"
    link.symlink_to("/dev/null")
    with pytest.raises(OSError, match="not a regular file") as raised:
        write_text_atomically(link, "{}")
    assert raised.value.filename == str(link)  # the user's name, not where it points
    assert link.is_symlink() and os.readlink(link) == "/dev/null"


def test_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "out.csv"
    link.symlink_to(tmp_path / "target.csv")
    write_csv(link, np.array([[1.0, 2.0]]), np.array([1]))
    assert link.is_symlink() and (tmp_path / "target.csv").read_text() == "x,y,label\n1.0,2.0,1\n"


def test_a_save_keeps_the_file_mode(tmp_path: Path) -> None:
    path = tmp_path / "shared.json"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o640)
    write_text_atomically(path, "new")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640 and path.read_text() == "new"


def test_a_failed_write_names_the_users_path_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch
) -> None:
    path = tmp_path / "work.json"
    path.write_text("precious", encoding="utf-8")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError) as raised:
        write_text_atomically(path, "new")
    assert raised.value.errno == errno.ENOSPC and raised.value.filename == str(path)
    assert ".tmp" not in str(raised.value)
    assert path.read_text(encoding="utf-8") == "precious"
    assert [p.name for p in tmp_path.iterdir()] == ["work.json"]


def test_a_save_into_a_missing_folder_names_the_users_path(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "model.json"
    with pytest.raises(OSError) as raised:
        write_text_atomically(path, "{}")
    assert raised.value.filename == str(path) and ".tmp" not in str(raised.value)


def test_the_folder_is_synced_after_the_rename(tmp_path: Path, monkeypatch) -> None:
    events: list[str] = []
    real_replace, real_fsync = os.replace, os.fsync

    def replace(src, dst) -> None:
        events.append("rename")
        real_replace(src, dst)

    def fsync(fd: int) -> None:
        events.append("fsync folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync file")
        real_fsync(fd)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "fsync", fsync)
    write_bytes_atomically(tmp_path / "a.png", b"data")
    assert events == ["fsync file", "rename", "fsync folder"]


def test_a_png_is_written_atomically_through_the_same_rules(tmp_path: Path) -> None:
    image = np.zeros((2, 2, 3), np.uint8)
    with pytest.raises(OSError, match="not a regular file"):
        write_png(fifo(tmp_path, "map.png"), image)
    write_png(tmp_path / "ok.png", image)
    assert (tmp_path / "ok.png").read_bytes().startswith(b"\x89PNG")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.png", "ok.png"]


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("mount") is None, reason="mounting a tmpfs needs root")
def test_a_full_disk_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        path = disk / "work.json"
        write_text_atomically(path, "precious")
        with pytest.raises(OSError) as raised:
            write_text_atomically(path, "x" * 200_000)
        assert raised.value.errno == errno.ENOSPC and raised.value.filename == str(path)
        assert path.read_text(encoding="utf-8") == "precious"
        assert [p.name for p in disk.iterdir()] == ["work.json"]
    finally:
        subprocess.run(["umount", str(disk)], check=False)
