"""The Arrow table reader (trackbench.arrow_table) gives exactly what ``float()`` gives,
bit for bit, on random and adversarial numbers and on the real annotation and result
files, and declines (returns None) on everything else."""

from __future__ import annotations

import io
import random
import tarfile
from decimal import Decimal, getcontext

import numpy as np
import pytest

from trackbench.arrow_table import parse_arrow_table, prepare_table
from trackbench.fastparse import parse_numeric
from trackbench.textio import _read_table_carefully


def reference(text: str) -> np.ndarray:
    """The table as Python's float() reads it, token by token (trailing blank lines end it)."""
    return np.array([[float(token) for token in line.split()] for line in text.rstrip().splitlines()],
                    dtype=np.float64)


def assert_bits_equal(got: np.ndarray | None, want: np.ndarray) -> None:
    assert got is not None
    assert got.shape == want.shape and got.dtype == np.float64
    mismatch = np.flatnonzero(got.view(np.int64).ravel() != want.view(np.int64).ravel())
    assert mismatch.size == 0, [(got.ravel()[i], want.ravel()[i]) for i in mismatch[:5]]


def parse(text: str) -> np.ndarray | None:
    table = prepare_table(text.encode())
    return None if table is None else parse_arrow_table(table.buffer, table.width())


ADVERSARIAL = [
    "0", "-0", "-0.0", "+0", "+0.0", "0.000", ".5", "5.", "+.5", "-.5", "-5.", "00012.5000",
    "9007199254740992", "9007199254740993", "9007199254740995", "18014398509481985",  # ties at 2**53, 2**54
    "9007199254740992.5", "4503599627370496.5", "4503599627370495.5", "0.1", "0.2", "0.3",
    "1" * 19, "9" * 19, "9" * 20, "1" * 25, "0." + "0" * 18 + "1", "0." + "0" * 30 + "7",
    "123456789012345678.9", "12345678901234567.89", "1234567890123456789", "9223372036854775808",
    "2.2250738585072014", "1.7976931348623157", "0.30000000000000004", "367.0763161678982",
    "101.76213141700188", "1.00000000000000011102230246251565404236316680908203125",  # 1 + ulp/2 exactly
    "1.0000000000000002220446049250313080847263336181640625", "0.5e1", "-1E-5", "5.399880340917207e-05",
    "2.2250738585072011e-308", "4.9e-324", "1e-400", "1.7976931348623159e308", "1e400", "+1e+1", ".5e0",
]


def _midpoint(rng: random.Random) -> str:
    """The exact decimal midpoint between two adjacent doubles (a tie), or a digit off it."""
    getcontext().prec = 80
    low = rng.uniform(0, 10 ** rng.randint(0, 6))
    mid = (Decimal(low) + Decimal(float(np.nextafter(low, np.inf)))) / 2
    text = format(mid, "f")
    if rng.random() < 0.5:
        text = text[:-1] + rng.choice("0123456789")
    if rng.random() < 0.3:
        text = text[: rng.randint(3, 21)]
    return text


def _token(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.3:
        text = repr(rng.uniform(0, 10 ** rng.randint(0, 8)))
        text = text if "e" not in text else f"{float(text):.{rng.randint(0, 20)}f}"
    elif kind < 0.5:
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 22)))
        cut = rng.randint(0, len(digits))
        text = digits[:cut] + "." + digits[cut:] if rng.random() < 0.8 and digits[:cut] + digits[cut:] else digits
    elif kind < 0.7:
        text = _midpoint(rng)
    elif kind < 0.8:
        text = rng.choice(ADVERSARIAL)
    elif kind < 0.85:
        text = format(rng.uniform(-1, 1) * 10 ** rng.randint(-30, 30), f".{rng.randint(0, 20)}{rng.choice('eE')}")
    else:
        text = str(rng.randint(0, 10 ** rng.randint(1, 19)))
    if text in (".", ""):
        text = "1"
    if rng.random() < 0.2 and text[0] not in "+-":
        text = rng.choice("+-") + text
    return text


@pytest.mark.parametrize("seed", range(6))
def test_random_and_adversarial_numbers_equal_float_bit_for_bit(seed):
    rng = random.Random(seed)
    separators = [" ", ",", "\t", ";"]
    for _ in range(40):
        width = rng.randint(1, 6)
        lines = [rng.choice(separators).join(_token(rng) for _ in range(width)) for _ in range(rng.randint(1, 400))]
        text = "\n".join(lines) + rng.choice(["", "\n", "\n\n", " \n", "\r\n"])
        want = reference(text.replace(",", " ").replace(";", " "))
        assert_bits_equal(parse(text), want)
        if width > 1:  # runs of separators: Arrow declines, the whole-file parser still reads them exactly
            runs = text.replace(",", ", ", 1) if "," in text else text.replace(" ", "  ", 1)
            if runs != text:
                assert parse(runs) is None
                assert_bits_equal(parse_numeric(runs.encode()), want)


def test_each_adversarial_number_alone_and_in_a_column():
    for token in ADVERSARIAL:
        assert_bits_equal(parse(token), np.array([[float(token)]]))
        column = "\n".join([token, "1.5", token, "-" + token.lstrip("+-"), "7"])
        assert_bits_equal(parse(column), reference(column))
    signs = parse("-0 -0.0 +0 0 -.0")
    assert np.signbit(signs).tolist() == [[True, True, False, False, True]]


def test_many_more_digits_than_nineteen_and_halfway_cases():
    rng = random.Random(7)
    tokens = [_midpoint(rng) for _ in range(3000)]
    tokens += ["".join(rng.choice("0123456789") for _ in range(rng.randint(18, 40))) for _ in range(500)]
    tokens += [t[:5] + "." + t[5:] for t in tokens[-500:]]
    text = "\n".join(tokens)
    assert_bits_equal(parse(text), reference(text))


@pytest.mark.parametrize("text", [
    "1-2 3", "1.2.3 4", ". 4", "- 4", "+ 4", "4 -", "+-1 2", "--1 2", "1+ 2", "1..2 3", "..5 1", ".5. 1",
    "5.- 1", "-.  1", "1 2\n\n3 4", "1 2\n3", "1 2 3\n4 5", "\n1 2", "1 nan", "1 inf", "5e 2", "1e 2",
    "e5 2", "1e5.5 2", "1\r2", "1 \x0b2", "0x10 1", "1_000 2", "", "  \n ", "1, 2", "1  2", " 1 2", "1 2,\n3 4",
    "1,2\n,3 4", "1\n\n2", "\"1\",2", "1 2\n3 4\n\n\n5 6",
])
def test_declines_what_it_cannot_read_exactly_as_the_careful_reader(text):
    assert parse(text) is None


def test_large_tables_in_several_blocks_and_a_blank_line_in_a_later_block():
    """Arrow reads tables of more than a block (1 MB) in blocks, one column chunk each."""
    rng = random.Random(3)
    lines = [",".join(_token(rng) for _ in range(4)) for _ in range(60000)]
    text = "\n".join(lines)
    assert len(text) > 3 << 20
    assert_bits_equal(parse(text), reference(text.replace(",", " ")))
    broken = "\n".join(lines[:50000]) + "\n\n" + "\n".join(lines[50000:])
    assert parse(broken) is None
    assert parse("\n".join(lines[:50000] + ["1,2,3"] + lines[50000:])) is None  # a short row in a later block


def careful(data: bytes) -> np.ndarray:
    return _read_table_carefully(data, "table.txt", None, allow_nan=False, allow_empty=False, what="rows", columns=None)


def test_real_annotations_equal_the_careful_reader_and_loadtxt(shared_data):
    lasot = sorted((shared_data / "lasot" / "annos").glob("*.txt"))
    otb = sorted((shared_data / "otb100" / "anno").glob("*.txt"))  # comma, tab and space files
    assert len(lasot) >= 280 and len(otb) >= 98
    for k, path in enumerate(lasot + otb):
        data = path.read_bytes()
        fast = parse_numeric(data)
        if k % 4 == 0:
            assert_bits_equal(fast, careful(data))
        text = data.decode().replace(",", " ").replace("\t", " ")
        assert_bits_equal(fast, np.loadtxt(io.StringIO(text), ndmin=2))


def test_real_full_precision_results_equal_loadtxt(shared_data):
    """SiamRPN++'s 17-digit floats on LaSOT (every fifth sequence and the two with
    exponents; each is checked against the careful reader's float() too) and every OTB
    result set."""
    checked = exponents = 0
    with tarfile.open(shared_data / "lasot" / "results" / "SiamRPN++.tar.xz", "r|xz") as archive:  # in order
        members = (m for m in archive if m.isfile() and m.name.endswith(".txt"))
        for k, member in enumerate(members):
            data = archive.extractfile(member).read()
            if k % 5 and b"e" not in data:
                continue
            exponents += b"e" in data
            fast = parse_numeric(data)
            assert_bits_equal(fast, np.loadtxt(io.StringIO(data.decode()), delimiter=",", ndmin=2))
            assert_bits_equal(fast, careful(data))
            checked += 1
    assert checked >= 50 and exponents == 2
    for path in sorted((shared_data / "otb100" / "results").glob("*/*.txt")):
        data = path.read_bytes()
        text = data.decode().replace(",", " ").replace("\t", " ")
        assert_bits_equal(parse_numeric(data), np.loadtxt(io.StringIO(text), ndmin=2))


def test_without_pyarrow_the_other_readers_give_the_same_values(monkeypatch):
    import sys

    import trackbench.arrow_table as arrow_table

    rng = random.Random(11)
    text = "\n".join(",".join(_token(rng) for _ in range(4)) for _ in range(2000))
    want = reference(text.replace(",", " "))
    assert_bits_equal(parse_numeric(text.encode()), want)
    arrow_table._arrow.cache_clear()
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow raises ImportError
    monkeypatch.setitem(sys.modules, "pyarrow.csv", None)
    try:
        assert parse(text) is None
        assert_bits_equal(parse_numeric(text.encode()), want)
    finally:
        arrow_table._arrow.cache_clear()
