"""The ``vot-toolkit`` rule profile against the Python VOT toolkit (PyPI vot-toolkit 0.9.0) itself:
its rasteriser on random regions, and its whole supervised analysis (a workspace built
from ../shared/data without images) on the real VOT2018 results."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from trackbench.metrics.evaluate import evaluate
from trackbench.metrics.vot_toolkit import toolkit_overlap
from trackbench.suites import get_suite

vot = pytest.importorskip("vot")


def _random_region(rng: np.random.Generator, kind: str) -> np.ndarray:
    if kind == "rect":
        return np.concatenate([rng.uniform(-20, 90, 2), rng.uniform(0.2, 60, 2)]).round(rng.integers(0, 3))
    centre, size, angle = rng.uniform(0, 80, 2), rng.uniform(1, 40, 2), rng.uniform(0, np.pi)
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) * size / 2
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    return (corners @ rot.T + centre).ravel().round(rng.integers(0, 3))


def test_overlap_equals_the_toolkits_rasteriser_on_random_regions() -> None:
    from vot.region.raster import calculate_overlap
    from vot.region.shapes import Polygon, Rectangle

    def shape(values: np.ndarray, kind: str):
        return Rectangle(*values) if kind == "rect" else Polygon(list(zip(values[0::2], values[1::2])))

    rng = np.random.default_rng(7)
    for _ in range(600):
        kinds = rng.choice(["rect", "poly"], 2)
        a, b = _random_region(rng, kinds[0]), _random_region(rng, kinds[1])
        bounds = None if rng.random() < 0.3 else (int(rng.integers(20, 100)), int(rng.integers(20, 100)))
        expected = calculate_overlap(shape(a, kinds[0]), shape(b, kinds[1]), bounds)
        assert toolkit_overlap(a, kinds[0] == "rect", b, kinds[1] == "rect", bounds) == expected, (a, b, bounds)


def _workspace(root: Path, shared_data: Path, year: int) -> tuple[Path, list[str]]:
    """A vot-toolkit workspace: sequences with width/height/length metadata (no images),
    the ground truth from VOT<year>.json, and the shared results linked in."""
    content = json.loads((shared_data / f"vot{year}" / f"VOT{year}.json").read_text())
    sequences = root / "sequences"
    sequences.mkdir(parents=True)
    (sequences / "list.txt").write_text("\n".join(content) + "\n")
    for name, entry in content.items():
        folder = sequences / name
        folder.mkdir()
        (folder / "sequence").write_text(f"channels.color=color/%08d.jpg\nwidth={entry['width']}\n"
                                         f"height={entry['height']}\nlength={len(entry['gt_rect'])}\n")
        (folder / "groundtruth.txt").write_text("".join(",".join(repr(float(v)) for v in row) + "\n"
                                                        for row in entry["gt_rect"]))
    trackers = sorted(p.name for p in (shared_data / f"vot{year}" / "results").iterdir())
    (root / "trackers.ini").write_text("".join(f"[{t}]\nlabel = {t}\nprotocol = trax\ncommand = true\n\n"
                                               for t in trackers))
    (root / "config.yaml").write_text(f"registry:\n- ./trackers.ini\nstack: vot{year}/shortterm\n")
    for tracker in trackers:
        (root / "results" / tracker).mkdir(parents=True)
        (root / "results" / tracker / "baseline").symlink_to(shared_data / f"vot{year}" / "results" / tracker / "baseline")
    return root, trackers


def _toolkit_scores(workspace: Path, trackers: list[str]) -> dict[str, tuple[float, float, float]]:
    """(EAO, A, R) per tracker from the toolkit's own baseline analyses."""
    from cachetools import LRUCache
    from vot.analysis import AnalysisProcessor, process_stack_analyses
    from vot.utilities import ThreadPoolExecutor
    from vot.workspace import Workspace

    loaded = Workspace.load(str(workspace))
    resolved = loaded.registry.resolve(*trackers, storage=loaded.storage.substorage("results"), skip_unknown=False)
    with AnalysisProcessor(ThreadPoolExecutor(1), LRUCache(1000)):
        results = process_stack_analyses(loaded, resolved, None, ["baseline"])
    by_title = {analysis.title: grid for analysis, grid in next(iter(results.values())).items()}
    scores = {}
    for i, tracker in enumerate(resolved):
        accuracy, robustness = by_title["AR Analysis"][i, 0][:2]
        scores[tracker.identifier] = (by_title["EAO analysis"][i, 0][0], float(accuracy), float(robustness))
    return scores


@pytest.mark.slow
def test_vot2018_equals_the_vot_toolkit_package(shared_data: Path, tmp_path: Path) -> None:
    workspace, trackers = _workspace(tmp_path / "workspace", shared_data, 2018)
    assert trackers == ["LightTrack", "NanoTrackV1"]
    expected = _toolkit_scores(workspace, trackers)
    suite = get_suite("vot2018")
    dataset = suite.load(shared_data / "vot2018" / "VOT2018.json")
    for tracker in trackers:
        result = evaluate(suite, dataset, shared_data / "vot2018" / "results" / tracker, "vot-toolkit")
        eao, accuracy, robustness = expected[tracker]
        assert result.metrics["eao"] == pytest.approx(eao, abs=1e-6)
        assert result.metrics["accuracy"] == pytest.approx(accuracy, abs=1e-6)
        assert result.metrics["robustness"] == pytest.approx(robustness, abs=1e-6)
    # the toolkit's numbers are not the MATLAB toolkit's: the profiles really differ
    official = evaluate(suite, dataset, shared_data / "vot2018" / "results" / "LightTrack")
    assert abs(official.metrics["eao"] - expected["LightTrack"][0]) > 1e-3


def test_vot_toolkit_rules_refuse_one_pass_suites(shared_data: Path) -> None:
    from trackbench.errors import TrackbenchError

    suite = get_suite("otb2015")
    dataset = suite.load(shared_data / "otb100", ["Basketball"])
    with pytest.raises(TrackbenchError, match="rules 'vot-toolkit' apply to VOT suites only"):
        evaluate(suite, dataset, shared_data / "otb100" / "results" / "SiamBAN", "vot-toolkit")
