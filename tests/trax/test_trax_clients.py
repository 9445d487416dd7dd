"""Our TraX client against the official one (``trax.client.Client`` of ``vot-trax``):
the same scripted exchange through both, byte for byte, for every protocol version and
format a server may announce; and our messages parsed by libtrax's own server."""

from __future__ import annotations

import hashlib
import json
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from helpers.paths import TRAX_SERVERS

# vot-trax; asked for by a submodule, since the folder tests/trax/ alone would import as `trax`
pytest.importorskip("trax.server")

from trackbench.trax.client import NativeClient, PythonClient  # noqa: E402
from trackbench.trax.images import Frame  # noqa: E402
from trackbench.trax.regions import Region  # noqa: E402


# A raw server (no TraX library): prints the hello it is given, logs every byte the client
# writes, and answers each request with the next of the scripted states.
RECORDER = textwrap.dedent(
    r'''
    import sys
    hello, log, version = sys.argv[1], sys.argv[2], int(sys.argv[3])
    states = sys.argv[4:]
    out = sys.stdout.buffer
    out.write(b"some start-up output\n" + hello.encode() + b"\n")
    out.flush()
    sent = objects = 0
    with open(log, "ab") as record:
        for raw in sys.stdin.buffer:
            record.write(raw)
            record.flush()
            if raw.startswith(b"@@TRAX:quit"):
                break
            if raw.startswith(b"@@TRAX:initialize"):
                if version >= 4:
                    objects = 0 if raw.strip() == b"@@TRAX:initialize" else objects + 1
                    continue
                objects = 1
            for _ in range(objects):
                out.write(states[sent % len(states)].encode() + b"\n")
                sent += 1
            out.flush()
    '''
)

STATES = [
    '@@TRAX:state "12.5000,3.0000,4.0000,5.0000" "trax.confidence=0.25" ',
    '@@TRAX:state "1,2,3,4,5,6,7,8" "note=two words" ',
    '@@TRAX:state "0" ',
    '@@TRAX:state "mask:1,1,2,2,1,2" ',
    '@@TRAX:state "nan,nan,nan,nan" "x=y" ',
    "@@TRAX:status 7,8,9,10 key=va\\ lue",
    '@@TRAX:state "-3" ',
]

# Servers of version 2+ always announce trax.channels (libtrax's server_setup); a hello
# without it makes libtrax's client read garbage (strtok continues on a freed string).
HELLOS = {
    "v1": (1, '@@TRAX:hello "trax.region=rectangle" "trax.image=path" "trax.name=one"'),
    "v2-polygon": (2, '@@TRAX:hello "trax.version=2" "trax.region=polygon;" "trax.image=path;" "trax.channels=color;" '),
    "v3-mask-buffer": (3, '@@TRAX:hello "trax.version=3" "trax.region=mask;" "trax.image=buffer;" '
                          '"trax.channels=color;" '),
    "v3-url": (3, '@@TRAX:hello "trax.version=3" "trax.region=rectangle;polygon;" "trax.image=url;" "trax.channels=color;" '),
    "v4": (4, '@@TRAX:hello "trax.version=4" "trax.region=rectangle;polygon;" "trax.image=path;" '
              '"trax.channels=color;" "trax.name=four" "trax.family=fam" "build=7" '),
    "v4-memory-polygon": (4, '@@TRAX:hello "trax.version=4" "trax.region=polygon;" "trax.image=memory;" '
                             '"trax.channels=color;" '),
    "v4-multiobject": (4, '@@TRAX:hello "trax.version=4" "trax.region=rectangle;" "trax.image=path;" '
                          '"trax.channels=color;" "trax.multiobject=1" '),
}


def frames(shared_data: Path, count: int = 5) -> list[Path]:
    folder = shared_data / "sequences" / "otb" / "Couple" / "img"
    return [folder / f"{i:04d}.jpg" for i in range(1, count + 1)]


def exchange(client, paths: list[Path], objects: int = 1) -> list:
    """One scripted session: start, initialize, two frames, re-initialize, a frame, quit."""
    answers: list = []
    info = client.start()
    first = [(Region("rectangle", (10.25, 20.5, 30.125, 40.0)), {"object": "first"})]
    if objects > 1:
        first.append((Region("rectangle", (50.0, 60.0, 7.5, 8.5)), {"object": "second"}))
    answers += client.initialize(Frame(paths[0]), first, {"model": "small net", "quote": 'say "hi"\\', "scale": 1.5})
    answers += client.frame(Frame(paths[1]))
    answers += client.frame(Frame(paths[2]), {"note": "x"})
    answers += client.initialize(Frame(paths[3]), [(Region("rectangle", (1.0, 2.0, 3.0, 4.0)), {})], {})
    answers += client.frame(Frame(paths[4]))
    client.close()
    return [info, [(r.kind, np.float32(r.values).tolist(), r.code,
                    None if r.mask is None else r.mask.tolist(), dict(p)) for r, p in answers]]


@pytest.mark.parametrize("case", sorted(HELLOS))
def test_both_clients_write_the_same_bytes_and_read_the_same_answers(case, tmp_path, shared_data):
    version, hello = HELLOS[case]
    script = tmp_path / "recorder.py"
    script.write_text(RECORDER)
    paths = frames(shared_data)
    results = {}
    for client_type in (NativeClient, PythonClient):
        log = tmp_path / f"{client_type.__name__}.log"
        command = " ".join(f"'{a}'" for a in [sys.executable, str(script), hello, str(log), str(version), *STATES])
        results[client_type] = exchange(client_type(command, timeout=20), paths, 2 if "multi" in case else 1)
        results[client_type].append(log.read_bytes())
    native, ours = results[NativeClient], results[PythonClient]
    assert ours[2] == native[2]  # byte for byte what the official client wrote
    assert ours[1] == native[1]  # the answers, read the same way
    assert ours[0] == native[0]  # the hello, read the same way
    lines = ours[2].decode().splitlines()
    assert lines[-1] == "@@TRAX:quit "
    if version >= 4:
        assert "@@TRAX:initialize " in lines  # the reset before re-initialising
    assert ours[0].version == version


ECHO = [sys.executable, str(TRAX_SERVERS), "echo"]


@pytest.mark.parametrize("version", [1, 2, 3, 4])
@pytest.mark.parametrize("image", ["path", "memory", "buffer"])
def test_libtrax_server_parses_our_messages_as_the_official_clients(version, image, tmp_path, shared_data):
    """libtrax's server is the parser: what it understood from each client is logged."""
    paths = frames(shared_data)
    logs = {}
    for client_type in (NativeClient, PythonClient):
        log = tmp_path / f"{client_type.__name__}.jsonl"
        command = " ".join(f"'{a}'" for a in [*ECHO, "--version", str(version), "--image", image, "--log", str(log)])
        exchange(client_type(command, timeout=20), paths)
        logs[client_type] = [json.loads(line) for line in log.read_text().splitlines()]
    assert logs[PythonClient] == logs[NativeClient]
    records = logs[PythonClient]
    assert [r["type"] for r in records] == ["initialize", "frame", "frame", "initialize", "frame"]
    assert records[0]["region"] == {"rectangle": [10.25, 20.5, 30.125, 40.0]}
    assert records[3]["region"] == {"rectangle": [1.0, 2.0, 3.0, 4.0]}
    assert records[0]["properties"] == {"model": "small net", "quote": 'say "hi"\\', "scale": "1.5"}
    assert records[2]["properties"] == {"note": "x"}
    color = [r["images"]["color"] for r in records]
    if image == "path":
        assert [c["path"] for c in color] == [str(p) for p in paths]
    elif image == "buffer":
        # the file's bytes, plus the NUL that libtrax's decoder keeps at the end (image_decode
        # takes base64decodelen, which counts the terminator, as the length)
        assert [c["sha1"] for c in color] == [hashlib.sha1(p.read_bytes() + b"\0").hexdigest() for p in paths]
    else:
        from trackbench.imageio import read_rgb

        assert [c["sha1"] for c in color] == [hashlib.sha1(read_rgb(p).tobytes()).hexdigest() for p in paths]
