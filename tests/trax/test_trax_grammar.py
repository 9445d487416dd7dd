"""TraX text against libtrax itself: our region, image and message text compared with what
the official library (``libtrax.so`` of ``vot-trax``, called through ctypes) writes and
reads for the same values."""

from __future__ import annotations

import ctypes
from pathlib import Path

import numpy as np
import pytest

# vot-trax; asked for by a submodule, since the folder tests/trax/ alone would import as `trax`
pytest.importorskip("trax.server")

import trax  # noqa: E402

from trackbench.trax.grammar import (  # noqa: E402
    GrammarError, ServerInfo, format_list, format_message, parse_list, parse_message, property_order,
)
from trackbench.trax.images import Frame, image_argument  # noqa: E402
from trackbench.trax.regions import Region, convert_for, format_region, parse_region  # noqa: E402

LIB = ctypes.CDLL(str(Path(trax.__file__).with_name("libtrax.so")))
LIB.trax_region_encode.restype = ctypes.c_char_p
LIB.trax_region_encode.argtypes = [ctypes.c_void_p]
LIB.trax_region_decode.restype = ctypes.c_void_p
LIB.trax_region_decode.argtypes = [ctypes.c_char_p]
LIB.trax_region_convert.restype = ctypes.c_void_p
LIB.trax_region_convert.argtypes = [ctypes.c_void_p, ctypes.c_int]
LIB.image_encode.restype = ctypes.c_char_p
LIB.image_encode.argtypes = [ctypes.c_void_p]
FORMAT_BITS = {"rectangle": 2, "polygon": 4, "mask": 8}


def libtrax_text(region) -> str:
    return LIB.trax_region_encode(region.reference).decode()


def libtrax_read(text: str) -> Region | None:
    """libtrax's ``region_parse`` of ``text``, as our Region (None if it refuses)."""
    pointer = LIB.trax_region_decode(text.encode())
    if not pointer:
        return None
    return from_trax(trax.Region.wrap(ctypes.c_void_p(pointer)))


def from_trax(region) -> Region:
    if region.type == "rectangle":
        return Region("rectangle", tuple(region.bounds()))
    if region.type == "polygon":
        return Region("polygon", tuple(c for point in region for c in point))
    if region.type == "mask":
        return Region.from_mask(region.array(), *region.offset())
    return Region.special(region.code)


def same(a: Region, b: Region) -> bool:
    if a.kind != b.kind or a.code != b.code:
        return False
    if a.kind == "mask":
        return a.values == b.values and np.array_equal(a.mask, b.mask)
    return np.array_equal(np.float32(a.values), np.float32(b.values))


RNG = np.random.default_rng(5)
RECTANGLES = [(0.1, 2.0, 30.25, 40.5), (-3.33333, 1e-5, 123456.789, 0.00005), (1.5, 2.5, 0.0, 0.0),
              *[tuple(RNG.uniform(-50, 500, 4)) for _ in range(20)]]
POLYGONS = [(0, 0, 4, 0, 4, 2), (1.25, 2.5, 9.75, 3.5, 8.5, 12.125, 0.5, 11.0),
            *[tuple(RNG.uniform(0, 300, 2 * n)) for n in (3, 4, 5, 7) for _ in range(3)]]
MASKS = [np.array([[0, 1, 1], [1, 0, 0]]), np.array([[1, 1, 0]]), np.ones((2, 3)), np.zeros((2, 2)),
         np.array([[1]]), *[(RNG.random((5, 7)) > 0.5).astype(np.uint8) for _ in range(10)]]


@pytest.mark.parametrize("values", RECTANGLES + POLYGONS)
def test_rectangle_and_polygon_text_is_libtraxs(values):
    ours = Region("rectangle" if len(values) == 4 else "polygon", tuple(values))
    theirs = (trax.Rectangle.create(*values) if len(values) == 4
              else trax.Polygon.create(list(zip(values[0::2], values[1::2]))))
    text = libtrax_text(theirs)
    assert format_region(ours) == text
    assert same(parse_region(text), libtrax_read(text))


@pytest.mark.parametrize("index", range(len(MASKS)))
def test_mask_text_is_libtraxs(index):
    mask = MASKS[index].astype(np.uint8)
    text = libtrax_text(trax.Mask.create(mask, 4, 9))
    assert format_region(Region.from_mask(mask, 4, 9)) == text
    assert same(parse_region(text), libtrax_read(text))


def test_mask_hand_cases():
    # 0,1,1 / 1,0,0 -> runs 1 zero, 3 ones, then trailing zeros left out
    assert format_region(Region.from_mask(np.array([[0, 1, 1], [1, 0, 0]]), 2, 3)) == "mask:2,3,3,2,1,3"
    # a first pixel set starts with an empty run of zeros
    assert format_region(Region.from_mask(np.array([[1, 1, 0]]))) == "mask:0,0,3,1,0,2"
    region = parse_region("mask:1,1,2,2,1,2")
    np.testing.assert_array_equal(region.mask, [[0, 1], [1, 0]])
    np.testing.assert_array_equal(region.to_array(), [1, 1, 2, 2])  # extent of set pixels, +1 as libtrax


@pytest.mark.parametrize("text", [
    "0", "1", "-2", "12", "3.7", "nan,1,2,3", "1,2,3,nan", "1,2,nan,4", "nan", "1,2,3", "1,2,3,4,5",
    "rect:1,2,3,4", "poly:1,2,3,4,5,6", "special:4", "1, 2 ,3,4", "1,x,3,4", "", "1e3,2.5e-1,-0,4",
    "inf,1,2,3", "0,0,0,0,0,0,0,0", "mask:0,0,2,2,0,4", "mask:0,0,3,2,2,9",
])
def test_region_reading_is_libtraxs(text):
    theirs = libtrax_read(text)
    if text == "":  # libtrax gives no region at all; we read it as "no region", special 0
        assert theirs is None and parse_region(text) == Region.special(0)
    elif theirs is None:
        with pytest.raises(ValueError):
            parse_region(text)
    else:
        assert same(parse_region(text), theirs), (text, parse_region(text), theirs)


@pytest.mark.parametrize("accepted", [("polygon",), ("mask",), ("polygon", "mask"), ("rectangle",)])
@pytest.mark.parametrize("values", [(10.0, 20.0, 5.0, 7.0), (1.5, 2.25, 3.75, 4.5)])
def test_conversion_for_the_server_is_libtraxs(values, accepted):
    """What libtrax's client sends when the server does not take rectangles
    (``region_autoconvert``: mask, else polygon, else rectangle)."""
    bits = sum(FORMAT_BITS[a] for a in accepted)
    chosen = 8 if bits & 8 else 4 if bits & 4 else 2
    source = trax.Rectangle.create(*values)
    if "rectangle" in accepted:
        expected = libtrax_text(source)
    else:
        converted = LIB.trax_region_convert(source.reference, chosen)
        expected = libtrax_text(trax.Region.wrap(ctypes.c_void_p(converted)))
    assert format_region(convert_for(Region("rectangle", values), accepted)) == expected


def test_image_arguments_are_libtraxs(shared_data):
    path = shared_data / "sequences" / "otb" / "Couple" / "img" / "0001.jpg"
    frame = Frame(path)
    assert image_argument(frame, "path") == LIB.image_encode(trax.FileImage.create(str(path)).reference).decode()
    buffer = trax.BufferImage.create(path.read_bytes())
    assert image_argument(frame, "buffer") == LIB.image_encode(buffer.reference).decode()
    memory = trax.MemoryImage.create(frame.pixels())
    assert image_argument(frame, "memory") == LIB.image_encode(memory.reference).decode()
    gray = frame.pixels()[:, :, 0].astype(np.uint16) * 257
    from trackbench.trax.images import memory_argument

    assert memory_argument(gray) == LIB.image_encode(trax.MemoryImage.create(gray).reference).decode()


def test_message_quoting_escapes_and_property_order():
    line = format_message("initialize", ['file:///tmp/a b "c".jpg', "1.0000,2.0000,3.0000,4.0000"],
                          {"model": 'say "hi"\\now', "trax.name": "x\ny", "z_9": 3})
    assert line.endswith('" \n') and line.startswith('@@TRAX:initialize "file:///tmp/a b \\"c\\".jpg" ')
    message = parse_message(line)
    assert message.arguments == ['file:///tmp/a b "c".jpg', "1.0000,2.0000,3.0000,4.0000"]
    assert message.properties == {"model": 'say "hi"\\now', "trax.name": "x\ny", "z_9": "3"}
    # djb2(key) % 32 buckets (libtrax strmap.c), hand-computed: "b" -> 5381*33+98 = 177671 -> 7,
    # "a" -> 177670 -> 6, "c" -> 177672 -> 8
    assert [k for k, _ in property_order({"c": 1, "b": 2, "a": 3})] == ["a", "b", "c"]


def test_message_reading_rules():
    assert parse_message("plain program output") is None
    assert parse_message("  @@TRAX:hello") is None  # the prefix must start the line
    assert parse_message("@@TRAX:unknown 1 2") is None
    assert parse_message("@@TRAX:STATUS 1,2,3,4\r\n").name == "state"  # names are case-insensitive aliases
    unquoted = parse_message("@@TRAX:frame image:2;1;rgb;AAAA=AAA= key=va\\ lue")
    assert unquoted.arguments == ["image:2;1;rgb;AAAA=AAA="] and unquoted.properties == {"key": "va lue"}
    with pytest.raises(GrammarError):
        parse_message('@@TRAX:state "1,2,3,4')
    with pytest.raises(GrammarError):
        parse_message('@@TRAX:state "1,2,3,4"x')


def test_hello_lists_and_versions():
    hello = parse_message('@@TRAX:hello "trax.version=2" "trax.region=polygon;mask;" "trax.image=path;memory;" '
                          '"trax.channels=color;depth;" "trax.name=ncc" "trax.family=corr" "build=7" ')
    info = ServerInfo.from_hello(hello)
    assert (info.version, info.regions, info.images, info.channels) == (
        2, ("polygon", "mask"), ("path", "memory"), ("color", "depth"))
    assert (info.name, info.family, info.custom) == ("ncc", "corr", {"build": "7"})
    old = ServerInfo.from_hello(parse_message('@@TRAX:hello "trax.channels=depth;" "trax.multiobject=1"'))
    assert old.version == 1 and old.channels == ("color",) and not old.multiobject  # read from v2 / v4 on
    assert format_list(["polygon", "rectangle"], ("rectangle", "polygon", "mask")) == "rectangle;polygon;"
    assert parse_list("rectangle polygon", ("rectangle", "polygon", "mask"), ()) == ("rectangle", "polygon")
    with pytest.raises(GrammarError):
        parse_list("rectangle;circle", ("rectangle", "polygon", "mask"), ())
