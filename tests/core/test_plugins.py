"""Plugin discovery: a throwaway package installed into a temporary environment shows up
in ``trackbench list trackers`` and runs; ``trackbench list`` output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import numpy as np
import pytest

from trackbench.cli import main

PLUGIN_MODULE = textwrap.dedent(
    '''
    """A throwaway tracker plugin: the initial box, moved right by `step` pixels per frame."""
    import numpy as np


    class DriftTracker:
        name = "drift"
        is_deterministic = True

        def __init__(self, step=1.0):
            self.step = float(step)

        def init(self, image, box):
            self.box = np.asarray(box, dtype=float).copy()

        def update(self, image):
            self.box = self.box + [self.step, 0.0, 0.0, 0.0]
            return self.box.copy()
    '''
)

PLUGIN_PYPROJECT = textwrap.dedent(
    '''
    [build-system]
    requires = ["setuptools>=64"]
    build-backend = "setuptools.build_meta"

    [project]
    name = "trackbench-drift-plugin"
    version = "0.0.1"

    [tool.setuptools]
    py-modules = ["drift_plugin"]

    [project.entry-points."trackbench.trackers"]
    drift = "drift_plugin:DriftTracker"
    '''
)


def test_list_trackers_table_and_json(capsys):
    assert main(["list", "trackers"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["NAME", "SOURCE", "DETERMINISTIC", "TARGET"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert "trackbench" in rows["opencv-kcf"] and " yes " in rows["opencv-kcf"]
    assert " no " in rows["opencv-tld"]
    assert main(["list", "trackers", "--json"]) == 0
    data = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert data["identity"]["deterministic"] is True
    assert data["opencv-mil"]["deterministic"] is False
    assert data["opencv-csrt"]["target"] == "trackbench.trackers.opencv:CSRTTracker"


def test_list_suites(capsys, tmp_path, monkeypatch):
    from trackbench.suites import list_suites

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))  # no user config
    monkeypatch.delenv("TRACKBENCH_DATASETS", raising=False)
    (tmp_path / "otb").mkdir()
    monkeypatch.setenv("TRACKBENCH_OTB2015_ROOT", str(tmp_path / "otb"))
    assert main(["list", "suites", "--json"]) == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert set(rows) == {s.name for s in list_suites()}
    assert rows["otb2015"]["family"] == "otb" and rows["otb2015"]["protocol"] == "ope"
    assert rows["otb2015"]["root"] == str(tmp_path / "otb") and rows["otb2015"]["exists"] is True
    assert rows["vot2018"]["protocol"] == "supervised" and rows["vot2018"]["exists"] is False
    assert main(["list", "suites"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["NAME", "FAMILY", "PROTOCOL", "ROOT", "EXISTS"]


def _make_environment(tmp_path: Path) -> Path:
    """A venv whose python sees /work/venv's packages (incl. editable trackbench) plus its own.

    ``venv --system-site-packages`` only exposes the *base* interpreter's packages, so a
    ``.pth`` line adds this interpreter's site-packages (processing its ``.pth`` files,
    which is how the editable trackbench install is found).
    """
    env_dir = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(env_dir)],
                   check=True, capture_output=True, timeout=60)
    python = env_dir / "bin" / "python"
    own_site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              check=True, capture_output=True, text=True, timeout=30).stdout.strip()
    parent_site = sysconfig.get_paths()["purelib"]
    Path(own_site, "_parent_env.pth").write_text(f"import site; site.addsitedir({parent_site!r})\n")
    return python


@pytest.mark.slow
def test_throwaway_plugin_in_a_temporary_environment(tmp_path):
    pytest.importorskip("setuptools", reason="building the throwaway package without isolation needs setuptools")
    pytest.importorskip("pip", reason="installing the throwaway package needs pip")
    package = tmp_path / "plugin"
    package.mkdir()
    (package / "pyproject.toml").write_text(PLUGIN_PYPROJECT)
    (package / "drift_plugin.py").write_text(PLUGIN_MODULE)
    python = _make_environment(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index", str(package)],
        check=True, capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
    )

    listed = subprocess.run([str(python), "-m", "trackbench", "list", "trackers", "--json"],
                            capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    rows = {row["name"]: row for row in json.loads(listed.stdout)}
    assert rows["drift"]["source"] == "trackbench-drift-plugin 0.0.1"
    assert rows["drift"]["deterministic"] is True
    assert "opencv-csrt" in rows  # the host's plugins are still there

    # The plugin is not visible to this (parent) interpreter: it lives in the temporary env only.
    from trackbench.registry import available_trackers

    assert "drift" not in available_trackers()

    # ... and it runs through the normal command line.
    out = tmp_path / "results"
    done = subprocess.run(
        [str(python), "-m", "trackbench", "run", "drift", "--suite", "demo", "--no-progress",
         "--root", str(tmp_path / "demo"), "--out", str(out), "--set", "step=2"],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    results = sorted((out / "demo").glob("*/*.txt"))
    assert results, f"no results under {out}"
    boxes = np.loadtxt(results[0], delimiter=",", ndmin=2)
    np.testing.assert_allclose(boxes[1:, 0] - boxes[:-1, 0], 2.0, atol=1e-3)
    np.testing.assert_allclose(boxes[1:, 1:], boxes[:-1, 1:], atol=1e-3)
