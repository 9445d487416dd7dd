"""The whole-file table parser (trackbench.fastparse) against the careful line-by-line
reader and numpy's loadtxt on real annotation and result files, its errors, and its cache."""

from __future__ import annotations

import hashlib
import io
import tarfile

import numpy as np
import pytest

from trackbench.errors import TrackbenchError
from trackbench.cachedir import cache_dir
from trackbench.fastparse import C_PARSER_MIN_BYTES, PARSER_VERSION, parse_any
from trackbench.table_cache import cached_parse
from trackbench.results.source import ResultSource, parse_boxes
from trackbench.textio import _read_table_carefully, read_table


def careful(path, columns=4, allow_nan=False):
    accepted = None if columns is None else {columns}
    return _read_table_carefully(path.read_bytes(), path, accepted, allow_nan=allow_nan, allow_empty=False,
                                 what="rows", columns=columns)


def test_real_annotations_equal_careful_reader_and_loadtxt(shared_data):
    lasot = sorted((shared_data / "lasot" / "annos").glob("*.txt"))[:40]
    otb = sorted((shared_data / "otb100" / "anno").glob("*.txt"))  # comma, tab and space files
    assert lasot and otb
    for path in lasot + otb:
        fast = read_table(path, 4)
        assert fast.dtype == np.float64 and fast.flags.c_contiguous
        np.testing.assert_array_equal(fast, careful(path))
        reference = np.loadtxt(io.StringIO(path.read_text().replace(",", " ").replace("\t", " ")), ndmin=2)
        np.testing.assert_array_equal(fast, reference)


def test_real_full_precision_results_from_an_archive(shared_data):
    archive = shared_data / "lasot" / "results" / "SiamRPN++.tar.xz"
    source = ResultSource(archive)
    rels = source.paths[:12]
    with tarfile.open(archive) as tar:
        members = {m.name.split("/", 1)[-1]: m for m in tar.getmembers() if m.isfile()}
        for rel in rels:
            fast = source.read_boxes(rel, widths=(4,))
            text = tar.extractfile(members[rel]).read().decode()
            assert len(text) > C_PARSER_MIN_BYTES  # a whole-file path (decimal_table), 17-digit floats
            np.testing.assert_array_equal(fast, parse_boxes(text, rel, (4,)))
            np.testing.assert_array_equal(fast, np.array([[float(v) for v in line.split(",")]
                                                          for line in text.splitlines()]))


def _big_table(rows: int = 2000) -> list[str]:
    rng = np.random.default_rng(1)
    return [",".join(repr(float(v)) for v in rng.uniform(0, 500, 4)) for _ in range(rows)]


@pytest.mark.parametrize("edit, message", [
    (lambda lines: lines.__setitem__(1234, "1,2,x3,4"), "1235: not a number: 'x3'"),
    (lambda lines: lines.__setitem__(700, ""), "701: blank line inside the table"),
    (lambda lines: lines.__setitem__(999, "1,2,3"), "1000: expected 4 numbers, found 3"),
    (lambda lines: lines.__setitem__(1500, "1,2,3,4,5"), "1501: expected 4 numbers, found 5"),
    (lambda lines: lines.__setitem__(42, "nan,1,2,3"), "43: NaN value"),
])
def test_bad_large_files_give_the_careful_readers_exact_error(tmp_path, edit, message):
    lines = _big_table()
    edit(lines)
    path = tmp_path / "groundtruth.txt"
    path.write_text("\n".join(lines) + "\n")
    assert path.stat().st_size > C_PARSER_MIN_BYTES
    with pytest.raises(TrackbenchError) as error:
        read_table(path, 4)
    assert str(error.value) == f"{path}:{message}"


def test_nan_rows_allowed_give_the_same_array_as_the_careful_reader(tmp_path):
    lines = _big_table()
    lines[10] = "nan,nan,nan,nan"
    lines[11] = "NaN\t2\t3\t4"
    path = tmp_path / "groundtruth.txt"
    path.write_text("\r\n".join(lines) + "\r\n\r\n")
    fast = read_table(path, 4, allow_nan=True)
    reference = careful(path, allow_nan=True)
    np.testing.assert_array_equal(fast, reference)  # NaN positions equal too
    assert np.isnan(fast[10]).all() and np.isnan(fast[11, 0]) and fast[11, 3] == 4.0


def test_mixed_delimiters_bom_and_trailing_blank_lines(tmp_path):
    body = "\n".join(f"{i};{i + 0.5}\t{i * 3} ,{i + 7e-3}" for i in range(1500))
    path = tmp_path / "mixed.txt"
    path.write_bytes(b"\xef\xbb\xbf" + body.encode() + b"\n\n  \n")
    np.testing.assert_array_equal(read_table(path, 4), careful(path))
    assert parse_any(b"1,2\n3") is None and parse_any(b"1\xa02 3\n4 5 6") is None


def test_cache_hits_never_stale_and_safe_to_delete(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("TRACKBENCH_CACHE_DIR", str(folder))
    assert cache_dir() == folder
    path = tmp_path / "groundtruth.txt"
    path.write_text("\n".join(_big_table()) + "\n")
    first = read_table(path, 4)
    entries = list((folder / "tables").glob("*.npy"))
    assert len(entries) == 1
    np.testing.assert_array_equal(np.load(entries[0], allow_pickle=False), first)
    np.testing.assert_array_equal(read_table(path, 4), first)  # from the cache
    lines = path.read_text().splitlines()
    lines[5] = "1,2,3,4"
    path.write_text("\n".join(lines) + "\n")  # same size class, new content: a new key
    edited = read_table(path, 4)
    assert edited[5].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert len(list((folder / "tables").glob("*.npy"))) == 2
    for entry in (folder / "tables").glob("*.npy"):
        entry.write_bytes(b"damaged")
    np.testing.assert_array_equal(read_table(path, 4), edited)  # a damaged entry is parsed again
    key = hashlib.sha256(PARSER_VERSION + path.read_bytes()).hexdigest()
    np.testing.assert_array_equal(np.load(folder / "tables" / f"{key}.npy", allow_pickle=False), edited)  # rewritten
    import shutil

    shutil.rmtree(folder)
    np.testing.assert_array_equal(read_table(path, 4), edited)
    monkeypatch.setenv("TRACKBENCH_CACHE_DIR", "off")
    assert cache_dir() is None
    assert cached_parse(path.read_bytes()) is not None
