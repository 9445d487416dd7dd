"""A unit's times and result files: written together, fsynced before either is renamed,
renamed times first; a failure leaves neither file and no temporary."""

from __future__ import annotations

import errno
import os
import threading

import numpy as np
import pytest

from trackbench import textio
from trackbench.results.layout import (
    got10k_result_path,
    got10k_times_path,
    ope_result_path,
    ope_times_path,
    write_got10k_result,
    write_ope_result,
)
from trackbench.textio import read_table
from trackbench.trajectory import Trajectory


def trajectory(frames: int = 5) -> Trajectory:
    boxes = np.array([[10.0 + i, 20.5, 30.25, 40.0] for i in range(frames)])
    return Trajectory(boxes, np.linspace(0.001, 0.005, frames), np.full(frames, np.nan))


@pytest.fixture
def recorded(monkeypatch):
    """Every fsync (of which file, from which thread) and rename, in order."""
    events: list[tuple[str, str]] = []
    lock = threading.Lock()
    fsync, replace = os.fsync, os.replace

    def record_fsync(fd):
        fsync(fd)
        with lock:
            events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))

    def record_replace(source, target):
        with lock:
            events.append(("replace", os.fspath(target)))
        replace(source, target)

    monkeypatch.setattr(textio.os, "fsync", record_fsync)
    monkeypatch.setattr(textio.os, "replace", record_replace)
    return events


def test_ope_pair_is_synced_then_renamed_times_first(tmp_path, recorded):
    result = write_ope_result(tmp_path, "Couple", trajectory())
    assert result == ope_result_path(tmp_path, "Couple")
    kinds = [kind for kind, _ in recorded]
    assert kinds == ["fsync", "fsync", "replace", "replace"]
    synced = sorted(os.path.basename(path) for _, path in recorded[:2])
    assert all(name.endswith(".tmp") for name in synced)  # the temporaries, before any rename
    assert sorted(name.split(".")[1] for name in synced) == ["Couple", "Couple_time"]
    assert [path for _, path in recorded[2:]] == [str(ope_times_path(tmp_path, "Couple")), str(result)]
    np.testing.assert_array_equal(read_table(result, 4), np.round(trajectory().boxes, 4))
    np.testing.assert_allclose(read_table(ope_times_path(tmp_path, "Couple"), 1)[:, 0], trajectory().times)
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()) == [
        "Couple.txt", "times/Couple_time.txt"]
    assert (result.stat().st_mode & 0o777) == (0o666 & ~textio._read_umask())


def test_got10k_pair_keeps_the_other_runs_times(tmp_path, recorded):
    write_got10k_result(tmp_path, "GOT-10k_Test_000001", 1, 3, trajectory())
    write_got10k_result(tmp_path, "GOT-10k_Test_000001", 2, 3, trajectory())
    table = read_table(got10k_times_path(tmp_path, "GOT-10k_Test_000001"), 3, allow_nan=True)
    np.testing.assert_allclose(table[:, 0], trajectory().times)
    np.testing.assert_allclose(table[:, 1], trajectory().times)
    assert np.isnan(table[:, 2]).all()
    assert got10k_result_path(tmp_path, "GOT-10k_Test_000001", 2).is_file()
    renamed = [path for kind, path in recorded if kind == "replace"]
    assert [os.path.basename(p) for p in renamed] == ["GOT-10k_Test_000001_time.txt", "GOT-10k_Test_000001_001.txt",
                                                       "GOT-10k_Test_000001_time.txt", "GOT-10k_Test_000001_002.txt"]


def test_a_failed_fsync_leaves_neither_file_nor_a_temporary(tmp_path, monkeypatch):
    fsync = os.fsync

    def failing(fd):
        if os.readlink(f"/proc/self/fd/{fd}").rpartition("/")[2].startswith(".Couple.txt."):
            raise OSError(errno.EIO, "Input/output error")
        fsync(fd)

    monkeypatch.setattr(textio.os, "fsync", failing)
    with pytest.raises(OSError) as info:
        write_ope_result(tmp_path, "Couple", trajectory())
    assert info.value.filename == str(ope_result_path(tmp_path, "Couple"))
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []  # the times file was not renamed either


def test_a_folder_that_cannot_be_made_names_the_file(tmp_path):
    (tmp_path / "GOT-10k_Val_000001").write_text("a file where the sequence folder goes\n")
    with pytest.raises(OSError) as info:
        write_got10k_result(tmp_path, "GOT-10k_Val_000001", 1, 1, trajectory())
    assert "GOT-10k_Val_000001" in str(info.value.filename)
    assert [p.name for p in tmp_path.iterdir()] == ["GOT-10k_Val_000001"]
