"""Files parsed in groups (trackbench.fastparse.parse_numeric_group, trackbench.table_cache)
against the careful line-by-line readers on real result and annotation files, the
groups' declines, and their cache entries."""

from __future__ import annotations

import numpy as np
import pytest

from trackbench.data.otb import read_otb
from trackbench.errors import TrackbenchError
from trackbench.fastparse import MANY_MAX_BYTES, parse_numeric, parse_numeric_group
from trackbench.results.read import read_ope_results
from trackbench.results.source import ResultSource, parse_boxes
from trackbench.table_cache import cached_parse_many, parse_in_groups
from trackbench.textio import preparse_tables, read_table


def parse_numeric_many(datas):
    """Each file's table from one group parse, or None where the group declines."""
    group = parse_numeric_group(datas)
    if group is None:
        return None
    values, rows = group
    assert len(rows) == len(datas) and sum(rows) == len(values)
    return np.split(values, np.cumsum(rows[:-1]))


def _careful_boxes(path):
    return parse_boxes(path.read_text(), str(path), (4,))


def test_real_otb_results_parsed_as_one_group_equal_the_careful_reader(shared_data, monkeypatch):
    monkeypatch.setenv("TRACKBENCH_CACHE_DIR", "off")
    for folder in sorted((shared_data / "otb100" / "results").iterdir()):
        paths = sorted(folder.glob("*.txt"))
        datas = [p.read_bytes() for p in paths]
        tables = parse_numeric_many(datas)
        assert tables is not None and len(tables) == len(paths)  # comma and tab files, 17-digit numbers
        for path, data, table in zip(paths, datas, tables):
            np.testing.assert_array_equal(table, _careful_boxes(path))  # the line-by-line reader
            np.testing.assert_array_equal(table, np.array([[float(v) for v in line.replace("\t", ",").split(",")]
                                                           for line in path.read_text().splitlines() if line.strip()]))  # float()
            single = parse_numeric(data)  # the file parsed alone
            assert single is None or np.array_equal(table, single)
            assert table.dtype == np.float64 and table.flags.c_contiguous


def test_real_otb_dataset_and_results_read_through_groups_equal_file_by_file(shared_data, monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKBENCH_CACHE_DIR", str(tmp_path / "cache"))
    folders = sorted((shared_data / "otb100" / "results").iterdir())
    grouped = [read_otb(shared_data / "otb100", sequence_list="tb100") for _ in range(2)]  # parsed, then cached
    results = [read_ope_results(folder, grouped[0]) for folder in folders for _ in range(2)]
    assert list((tmp_path / "cache" / "tables").glob("*.tables"))  # groups were cached as groups
    monkeypatch.setenv("TRACKBENCH_CACHE_DIR", "off")  # file by file, no cache
    monkeypatch.setattr("trackbench.data.otb.preparse_tables", lambda paths: {})
    monkeypatch.setattr(ResultSource, "preparse_boxes", lambda self, rels: None)
    single = read_otb(shared_data / "otb100", sequence_list="tb100")
    for dataset in grouped:
        assert [s.name for s in dataset] == [s.name for s in single]
        for a, b in zip(dataset, single):
            np.testing.assert_array_equal(a.ground_truth, b.ground_truth)
    for k, folder in enumerate(folders):
        reference = read_ope_results(folder, single)
        for got in results[2 * k: 2 * k + 2]:
            assert list(got) == list(reference)
            for name in reference:
                np.testing.assert_array_equal(got[name], reference[name])


def _table(rows: int, seed: int, width: int = 4) -> bytes:
    rng = np.random.default_rng(seed)
    return "".join(",".join(repr(float(v)) for v in row) + "\n" for row in rng.uniform(0, 500, (rows, width))).encode()


NAN = float("nan")


@pytest.mark.parametrize("odd, alone", [
    (b"", None),  # an empty file
    (b"nan,1,2,3\n4,5,6,7\n", [[NAN, 1, 2, 3], [4, 5, 6, 7]]),  # letters: decided file by file
    (b"1, 2, 3, 4\n", [[1, 2, 3, 4]]),  # runs of separators
    (b"1,2,3,4,\n", [[1, 2, 3, 4]]),  # a separator ending a line
    (b"1,2,3,4,5\n6,7,8,9,10\n", [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]),  # another width
    (b"\n1,2,3,4\n", None),  # a blank line before the table
    (b"1,2,3,4\n\n5,6,7,8\n", None),  # a blank line inside
    (b"1,2,3\n4,5,6,7\n", None),  # rows of different widths
])
def test_a_group_declines_what_it_cannot_join_and_files_are_then_decided_one_by_one(odd, alone, tmp_path,
                                                                                   monkeypatch):
    monkeypatch.setenv("TRACKBENCH_CACHE_DIR", str(tmp_path / "cache"))
    datas = [_table(50, 1), odd, _table(30, 2)]
    assert parse_numeric_many(datas) is None
    tables = cached_parse_many(datas)
    np.testing.assert_array_equal(tables[0], _careful(datas[0], tmp_path))
    np.testing.assert_array_equal(tables[2], _careful(datas[2], tmp_path))
    if alone is None:  # left to the careful reader, which words the error
        assert tables[1] is None
    else:
        np.testing.assert_array_equal(tables[1], np.array(alone, dtype=np.float64))
    assert not list((tmp_path / "cache" / "tables").glob("*.tables"))  # no group entry


def test_a_group_takes_exponents_and_the_separators_of_each_file():
    datas = [_table(50, 1), b"1e3,1.5E-2,-2e+1,3\n4,5,6,7\n", b"8\t9\t10\t11\n", b"12 13;14 15\r\n"]
    tables = parse_numeric_many(datas)
    assert tables is not None and [len(t) for t in tables] == [50, 2, 1, 1]
    np.testing.assert_array_equal(tables[1], [[1000, 0.015, -20, 3], [4, 5, 6, 7]])
    np.testing.assert_array_equal(tables[2], [[8, 9, 10, 11]])
    np.testing.assert_array_equal(tables[3], [[12, 13, 14, 15]])


def _careful(data: bytes, tmp_path) -> np.ndarray:
    path = tmp_path / "careful.txt"
    path.write_bytes(data)
    return _careful_boxes(path)


def test_group_entries_are_keyed_by_every_file_and_rewritten_when_damaged(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("TRACKBENCH_CACHE_DIR", str(folder))
    datas = [_table(40, k) for k in range(5)]
    first = cached_parse_many(datas)
    entries = list((folder / "tables").glob("*.tables"))
    assert len(entries) == 1
    again = cached_parse_many(datas)  # from the entry
    for a, b, data in zip(first, again, datas):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(b, parse_numeric(data))
    # the same bytes split differently between files are another group
    moved = [datas[0] + datas[1], *datas[2:]]
    assert [len(t) for t in cached_parse_many(moved)] == [80, 40, 40, 40]
    assert len(list((folder / "tables").glob("*.tables"))) == 2
    entries[0].write_bytes(entries[0].read_bytes()[:-8])  # truncated
    repaired = cached_parse_many(datas)
    for a, b in zip(first, repaired):
        np.testing.assert_array_equal(a, b)
    assert cached_parse_many(datas)[3].shape == (40, 4)


def test_parse_in_groups_bounds_its_groups_and_leaves_large_and_bad_files_to_the_caller(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKBENCH_CACHE_DIR", "off")
    small = _table(2000, 3)  # ~70 KB
    large = b"".join(_table(2000, 4) for _ in range(8))  # an eighth of MANY_MAX_BYTES or more: left out
    assert len(large) >= MANY_MAX_BYTES // 8 > len(small)
    count = MANY_MAX_BYTES // len(small) + 5  # more than one group
    files = [(f"s{k}", small) for k in range(count)] + [("large", large), ("bad", b"1,2,3,x\n")]
    parsed = parse_in_groups(iter(files))
    assert set(parsed) == {f"s{k}" for k in range(count)}
    for k in range(count):
        np.testing.assert_array_equal(parsed[f"s{k}"], parse_numeric(small))


def test_preparsed_annotations_keep_the_careful_readers_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKBENCH_CACHE_DIR", "off")
    good = tmp_path / "good.txt"
    good.write_bytes(_table(20, 5))
    bad = tmp_path / "bad.txt"
    bad.write_bytes(_table(20, 6) + b"1,2,x3,4\n")
    missing = tmp_path / "missing.txt"
    preparsed = preparse_tables([good, bad, missing])
    assert set(preparsed) == {good}
    np.testing.assert_array_equal(read_table(good, 4, preparsed=preparsed), read_table(good, 4))
    with pytest.raises(TrackbenchError) as error:
        read_table(bad, 4, preparsed=preparsed)
    assert str(error.value) == f"{bad}:21: not a number: 'x3'"
    with pytest.raises(TrackbenchError, match="file not found"):
        read_table(missing, 4, preparsed=preparsed)


def test_background_writes_are_all_on_disk_when_the_block_ends_even_on_an_error(tmp_path, monkeypatch):
    import threading

    import trackbench.table_cache as table_cache

    folder = tmp_path / "cache"
    monkeypatch.setenv("TRACKBENCH_CACHE_DIR", str(folder))
    groups = [[_table(400, seed), _table(300, seed + 50)] for seed in range(6)]
    with pytest.raises(RuntimeError, match="stop"):
        with table_cache.background_writes():
            first = [cached_parse_many(datas) for datas in groups]
            assert any(t.name == "trackbench-cache-writer" for t in threading.enumerate())
            raise RuntimeError("stop")
    assert not any(t.name == "trackbench-cache-writer" for t in threading.enumerate())
    assert len(list((folder / "tables").glob("*.tables"))) == len(groups)
    assert not list((folder / "tables").glob(".*.tmp"))

    def no_parse(datas):
        raise AssertionError("parsed again: the entry was not written")

    monkeypatch.setattr(table_cache, "parse_numeric_group", no_parse)
    for datas, tables in zip(groups, first):
        for again, table, data in zip(cached_parse_many(datas), tables, datas):
            np.testing.assert_array_equal(again, table)
            np.testing.assert_array_equal(again, _careful(data, tmp_path))


def test_outside_a_block_and_in_other_threads_entries_are_written_at_once(tmp_path, monkeypatch):
    import threading

    import trackbench.table_cache as table_cache

    folder = tmp_path / "cache"
    monkeypatch.setenv("TRACKBENCH_CACHE_DIR", str(folder))
    cached_parse_many([_table(40, 1), _table(40, 2)])
    assert len(list((folder / "tables").glob("*.tables"))) == 1
    with table_cache.background_writes():
        worker = threading.Thread(target=cached_parse_many, args=([_table(40, 3), _table(40, 4)],))
        worker.start()
        worker.join()
        assert len(list((folder / "tables").glob("*.tables"))) == 2  # the other thread wrote its own
