"""`trackbench eval`: ranked table, JSON document, pysot JSON as --root, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from trackbench.cli import main


def _fixture(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A two-sequence pysot-style LaSOT JSON and two trackers' results (no images)."""
    rng = np.random.default_rng(2)
    content = {}
    good, bad = tmp_path / "Good", tmp_path / "Bad"
    for name in ("cat-1", "dog-2"):
        n = 30
        gt = np.round(np.column_stack([rng.uniform(20, 100, (n, 2)), rng.uniform(20, 60, (n, 2))]), 1)
        content[name] = {
            "video_dir": name, "init_rect": gt[0].tolist(),
            "img_names": [f"{name}/img/{i:08d}.jpg" for i in range(1, n + 1)],
            "gt_rect": gt.tolist(), "attr": [],
        }
        for folder, shift in ((good, 0.0), (bad, 15.0)):
            folder.mkdir(exist_ok=True)
            rows = gt + [shift, shift, 0, 0]
            (folder / f"{name}.txt").write_text("".join(",".join(f"{v:.2f}" for v in r) + "\n" for r in rows))
    root = tmp_path / "LaSOT.json"
    root.write_text(json.dumps(content))
    return root, good, bad


def test_table_is_ranked(tmp_path, capsys):
    root, good, bad = _fixture(tmp_path)
    assert main(["eval", "--suite", "lasot", "--root", str(root), str(bad), str(good)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert "LaSOT" in lines[0] and "2 sequences" in lines[0]
    assert lines[2].split()[:2] == ["1", "Good"] and lines[3].split()[:2] == ["2", "Bad"]
    # perfect tracking: 20/21 (MATLAB's "+1" IoU arithmetic can put identical float boxes a
    # hair above 1, passing the 1.0 threshold too, as the MATLAB toolkit itself does)
    assert float(lines[2].split()[2]) >= 0.952


def test_json_document(tmp_path, capsys):
    root, good, bad = _fixture(tmp_path)
    assert main(["eval", "--suite", "lasot", "--root", str(root), "--rules", "pysot", "--json", str(good)]) == 0
    document = json.loads(capsys.readouterr().out)
    assert isinstance(document, list) and len(document) == 1
    entry = document[0]
    assert entry["tracker"] == "Good" and entry["suite"] == "lasot" and entry["rules"] == "pysot"
    assert entry["sequences"] == 2
    assert entry["metrics"]["success_auc"] == 20 / 21 and entry["metrics"]["precision"] == 1.0
    assert entry["metrics"]["fps"] is None  # no time files


def test_short_result_file_is_one_warning_and_strict_makes_it_an_error(tmp_path, capsys):
    root, good, _ = _fixture(tmp_path)
    lines = (good / "cat-1.txt").read_text().splitlines()
    (good / "cat-1.txt").write_text("\n".join(lines[:-1]) + "\n")
    assert main(["eval", "--suite", "lasot", "--root", str(root), "--json", str(good)]) == 0
    captured = capsys.readouterr()
    assert captured.err.strip().splitlines() == [
        f"trackbench: warning: {good / 'cat-1.txt'}: 29 result rows but the ground truth of 'cat-1' has 30 frames: "
        "the missing frames count as failures"]
    assert json.loads(captured.out)[0]["length_mismatches"] == 1
    assert main(["eval", "--suite", "lasot", "--root", str(root), "--strict", str(good)]) == 2
    err = capsys.readouterr().err
    assert "cat-1.txt: 29 result rows but the ground truth of 'cat-1' has 30 frames (--strict)" in err
    assert len(err.strip().splitlines()) == 1


def test_result_dirs_with_the_same_name_are_labelled_parent_slash_name(tmp_path, capsys):
    import shutil

    root, good, bad = _fixture(tmp_path)
    shutil.copytree(good, tmp_path / "runA" / "X")
    shutil.copytree(bad, tmp_path / "runB" / "X")
    args = ["eval", "--suite", "lasot", "--root", str(root), "--json"]
    assert main([*args, str(tmp_path / "runB" / "X"), str(tmp_path / "runA" / "X"), str(good)]) == 0
    document = json.loads(capsys.readouterr().out)
    assert sorted(e["tracker"] for e in document) == ["Good", "runA/X", "runB/X"]
    assert document[2]["tracker"] == "runB/X"  # ranked last (shifted boxes)
    by_name = {e["tracker"]: e["metrics"]["success_auc"] for e in document}
    assert by_name["runA/X"] == by_name["Good"] > by_name["runB/X"]
    # The same folder twice cannot be told apart: one line asking to rename.
    assert main([*args, str(good), str(tmp_path / "." / "Good")]) == 2
    err = capsys.readouterr().err.strip()
    assert f"would both be labelled '{tmp_path.name}/Good'" in err and "rename" in err and "\n" not in err


def test_sequences_subset(tmp_path, capsys):
    root, good, _ = _fixture(tmp_path)
    assert main(["eval", "--suite", "lasot", "--root", str(root), "--sequences", "dog-2", "--json", str(good)]) == 0
    assert json.loads(capsys.readouterr().out)[0]["sequences"] == 1
