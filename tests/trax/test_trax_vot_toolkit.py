"""The VOT toolkit (PyPI ``vot-toolkit`` 0.9.0) evaluates trackbench plugins through
``trackbench trax-serve``, end to end: a generated VOT-layout workspace, the trackers
declared in its ``trackers.ini``, ``vot evaluate``, and the toolkit's own result files
(read with its own reader) compared with ``trackbench run`` of the same trackers on the
same sequences.

The experiment is the toolkit's ``unsupervised`` one (one pass from the first frame, as
the VOT2018/2019 stacks define it; ``trackbench run --suite custom`` on the same folder
is its counterpart). vot-toolkit 0.9.0 cannot run any TraX tracker in its
``supervised`` experiment: ``TraxTrackerRuntime.initialize`` takes ``len()`` of the
single ``ObjectStatus`` it is handed (a 2-tuple), so it refuses single-object trackers
("multiple objects were provided"), and for multi-object ones ``update`` returns a list
where the experiment expects one object.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

# vot-trax; asked for by a submodule, since the folder tests/trax/ alone would import as `trax`
pytest.importorskip("trax.server")
pytest.importorskip("vot")

from trackbench.cli import main  # noqa: E402
from trackbench.data.demo import write_vot_fixture  # noqa: E402
from trackbench.data.synthetic import SyntheticSequenceSpec  # noqa: E402

SEQUENCES = {
    "synth-move": SyntheticSequenceSpec(length=12, size=(96, 72), target_size=(20, 14), speed=1.5),
    "synth-turn": SyntheticSequenceSpec(length=10, size=(96, 72), target_size=(16, 16), rotation=20),
}
PYTHON = shlex.quote(sys.executable)
TRACKERS = {
    # name in trackers.ini: (protocol, command, trackbench tracker, --set options)
    "tb_identity": ("trax", f"{PYTHON} -m trackbench trax-serve identity", "identity", []),
    # the toolkit's Python adapter runs the command as code: python -c "import sys; <command>"
    "tb_imsiam": ("traxpython", "from trackbench.cli import main; sys.exit(main(['trax-serve', 'imsiam', "
                                "'--set', 'suite=otb']))", "imsiam", ["suite=otb"]),
}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("vot-workspace")
    write_vot_fixture(root / "sequences", SEQUENCES)
    (root / "config.yaml").write_text("stack: stack.yaml\nregistry:\n- ./trackers.ini\n")
    (root / "stack.yaml").write_text(
        "title: trackbench trax-serve\nexperiments:\n  unsupervised:\n    type: unsupervised\n    repetitions: 1\n"
    )
    (root / "trackers.ini").write_text("".join(
        f"[{name}]\nlabel = {name}\nprotocol = {protocol}\ncommand = {command}\n\n"
        for name, (protocol, command, _, _) in TRACKERS.items()
    ))
    # The toolkit asks GitHub for a newer version before evaluating; a proxy on a closed
    # port makes that fail at once, so the test never touches the network.
    env = dict(os.environ, OMP_NUM_THREADS="1", HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9")
    done = subprocess.run([sys.executable, "-m", "vot", "evaluate", "--workspace", str(root), *TRACKERS],
                          capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Evaluation concluded successfuly" in done.stdout + done.stderr, done.stdout + done.stderr
    return root


def toolkit_boxes(workspace: Path, tracker: str, sequence: str) -> tuple[object, np.ndarray]:
    """The toolkit's result file, read with the toolkit's reader: frame 0's region and
    the ``[x, y, w, h]`` of every later frame."""
    from vot.region import Rectangle
    from vot.region.io import read_trajectory

    path = workspace / "results" / tracker / "unsupervised" / sequence / f"{sequence}_001.bin"
    regions = read_trajectory(str(path))
    assert all(isinstance(r, Rectangle) for r in regions[1:])
    return regions[0], np.array([[r.x, r.y, r.width, r.height] for r in regions[1:]])


@pytest.mark.parametrize("name", sorted(TRACKERS))
def test_vot_toolkit_evaluates_trackbench_plugins_through_trax_serve(name, workspace, tmp_path):
    _, _, tracker, options = TRACKERS[name]
    out = tmp_path / "out"
    arguments = ["run", tracker, "--suite", "custom", "--root", str(workspace / "sequences"), "--out", str(out),
                 "--no-progress"]
    for option in options:
        arguments += ["--set", option]
    assert main(arguments) == 0
    for sequence, spec in SEQUENCES.items():
        first, boxes = toolkit_boxes(workspace, name, sequence)
        assert first.code == 1  # the toolkit marks the initialisation frame
        ours = np.loadtxt(out / "custom" / tracker / f"{sequence}.txt", delimiter=",")
        assert boxes.shape == (spec.length - 1, 4)
        # TraX carries regions as 32-bit floats and text with 4 decimals
        np.testing.assert_allclose(boxes, ours[1:], atol=2e-4, rtol=0)
    if tracker == "imsiam":  # a tracker that moves: the comparison is not between constant boxes
        assert np.ptp(boxes[:, 0]) > 2
