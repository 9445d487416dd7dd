"""The runner: units, manifest, resume, failures and retries, layouts, batched stepping."""

from __future__ import annotations

import json

import numpy as np
import pytest

from helpers.trackers import BatchTemplateTracker, LocalSuite, TemplateTracker, make_dataset, write_moving_square, read_otb_folder
from trackbench.errors import TrackbenchError
from trackbench.execution.batched import run_batched
from trackbench.execution.runner import RunOptions, run_suite
from trackbench.execution.units import WorkUnit, group_into_tasks, longest_first
from trackbench.protocols.ope import run_one_pass
from trackbench.sequence import Dataset
from trackbench.textio import read_table

LENGTHS = {"alpha": 9, "beta": 14, "gamma": 6, "delta": 11}


@pytest.fixture()
def dataset(tmp_path_factory):
    return make_dataset(tmp_path_factory.mktemp("data"), LENGTHS)


def options(out, tracker="helpers.trackers:TemplateTracker", **kwargs):
    kwargs.setdefault("executor", "inline")  # runner logic; isolation: test_reliability.py
    return RunOptions(tracker=tracker, out=out, progress=False, **kwargs)


def read_results(tracker_dir, names):
    return {name: (tracker_dir / f"{name}.txt").read_text() for name in names}


def test_units_are_scheduled_longest_first(dataset):
    units = longest_first([WorkUnit(seq) for seq in dataset])
    assert [u.key for u in units] == ["beta", "delta", "alpha", "gamma"]
    tasks = group_into_tasks(units, 3)
    assert [[u.key for u in t] for t in tasks] == [["beta", "delta", "alpha"], ["gamma"]]
    assert WorkUnit(dataset["alpha"], 2, 3, "got10k").key == "alpha/002"


def test_serial_run_writes_results_manifest_and_run_info(dataset, tmp_path):
    summary = run_suite(LocalSuite(), dataset, options(tmp_path, options={"margin": 6}))
    tracker_dir = tmp_path / "local" / "template"
    assert summary.tracker_dir == tracker_dir
    for seq in dataset:
        boxes = read_table(tracker_dir / f"{seq.name}.txt", 4)
        expected = run_one_pass(TemplateTracker(6), seq).boxes
        np.testing.assert_allclose(boxes, np.round(expected, 4))
        times = read_table(tracker_dir / "times" / f"{seq.name}_time.txt", 1)
        assert times.shape == (len(seq), 1)
    manifest = json.loads((tracker_dir / "manifest.json").read_text())
    assert set(manifest["units"]) == set(LENGTHS)
    for name, entry in manifest["units"].items():
        assert entry["status"] == "done" and entry["attempts"] == 1 and entry["frames"] == LENGTHS[name]
        assert entry["tracker_seconds"] > 0 and entry["result"] == f"{name}.txt"
    info = json.loads((tracker_dir / "run.json").read_text())
    assert info["tracker"] == "helpers.trackers:TemplateTracker" and info["options"] == {"margin": 6}
    assert info["suite"] == "local" and info["trackbench"]
    assert summary.units_run == 4 and summary.frames == sum(LENGTHS.values()) and not summary.failed
    assert "4/4 sequences done" in summary.line() and "0 failed" in summary.line()


def test_rerun_skips_finished_units(dataset, tmp_path):
    run_suite(LocalSuite(), dataset, options(tmp_path))
    tracker_dir = tmp_path / "local" / "template"
    before = read_results(tracker_dir, LENGTHS)
    stamps = {name: (tracker_dir / f"{name}.txt").stat().st_mtime_ns for name in LENGTHS}
    (tracker_dir / "beta.txt").unlink()
    summary = run_suite(LocalSuite(), dataset, options(tmp_path))
    assert summary.units_run == 1 and summary.units_skipped == 3 and summary.frames == LENGTHS["beta"]
    for name in ("alpha", "gamma", "delta"):
        assert (tracker_dir / f"{name}.txt").stat().st_mtime_ns == stamps[name]
    assert read_results(tracker_dir, LENGTHS) == before


def test_a_failing_sequence_is_retried_once_then_recorded(dataset, tmp_path):
    bad = read_otb_folder(write_moving_square(tmp_path / "data" / "wide", 5, seed=3, size=(80, 48)))
    data = Dataset("local", list(dataset) + [bad])
    summary = run_suite(LocalSuite(), data, options(tmp_path, "helpers.trackers:FailOnImageWidth"))
    tracker_dir = tmp_path / "local" / "fail-on-width"
    for name in LENGTHS:
        assert read_table(tracker_dir / f"{name}.txt", 4).shape == (LENGTHS[name], 4)
    assert not (tracker_dir / "wide.txt").exists()
    assert set(summary.failed) == {"wide"} and "deliberate failure" in summary.failed["wide"]
    assert "1 failed: wide" in summary.line()
    entry = json.loads((tracker_dir / "manifest.json").read_text())["units"]["wide"]
    assert entry["status"] == "failed" and entry["attempts"] == 2
    assert "RuntimeError: deliberate failure" in entry["error"]
    assert "Traceback" in entry["traceback"] and "in update" in entry["traceback"]
    log = (tracker_dir / "errors.log").read_text()
    assert log.count("=== ") == 2 and "wide attempt 2" in log and "Traceback" in log
    line = summary.line()
    assert "\n" not in line
    assert line.endswith(f"; first error (wide): {summary.failed['wide']}; see {tracker_dir / 'errors.log'}")
    assert "RuntimeError: deliberate failure on a 80-pixel-wide image" in line


def test_summary_line_without_timed_frames_shows_no_fps(dataset, tmp_path):
    run_suite(LocalSuite(), dataset, options(tmp_path))
    summary = run_suite(LocalSuite(), dataset, options(tmp_path))  # all finished: nothing timed
    assert summary.frames == 0 and summary.units_run == 0
    line = summary.line()
    assert "tracker -," in line and "nan" not in line.lower() and "FPS" not in line
    assert "first error" not in line and line.endswith(f"-> {summary.tracker_dir}")


def test_one_retry_rescues_a_transient_failure(dataset, tmp_path):
    summary = run_suite(LocalSuite(), dataset, options(tmp_path, "helpers.trackers:FailOnce"))
    tracker_dir = tmp_path / "local" / "fail-once"
    assert not summary.failed and summary.units_run == 4
    units = json.loads((tracker_dir / "manifest.json").read_text())["units"]
    retried = [name for name, entry in units.items() if entry["attempts"] == 2]
    assert len(retried) == 1 and all(entry["status"] == "done" for entry in units.values())
    # the first (longest) unit hit the failure
    assert retried == ["beta"]


def test_stale_temporary_files_are_removed(dataset, tmp_path):
    tracker_dir = tmp_path / "local" / "template"
    tracker_dir.mkdir(parents=True)
    (tracker_dir / ".alpha.txt.abc123.tmp").write_text("1,2")
    (tracker_dir / "times").mkdir()
    (tracker_dir / "times" / ".alpha_time.txt.x.tmp").write_text("0.1")
    run_suite(LocalSuite(), dataset, options(tmp_path))
    assert not list(tracker_dir.rglob("*.tmp"))


def test_different_options_into_the_same_folder_is_an_error(dataset, tmp_path):
    run_suite(LocalSuite(), dataset, options(tmp_path))
    with pytest.raises(TrackbenchError, match=r"run.json: .*options.*--tracker-name"):
        run_suite(LocalSuite(), dataset, options(tmp_path, options={"margin": 3}))
    summary = run_suite(LocalSuite(), dataset, options(tmp_path, options={"margin": 3}, tracker_name="template-m3"))
    assert summary.tracker_dir.name == "template-m3" and summary.units_run == 4


def test_missing_images_are_a_clear_error(dataset, tmp_path):
    for frame in dataset["gamma"].frames:
        frame.unlink()
    with pytest.raises(TrackbenchError, match=r"gamma.*image files not found"):
        run_suite(LocalSuite(), dataset, options(tmp_path))


def test_got10k_layout_runs_three_repetitions_for_a_stochastic_tracker(dataset, tmp_path):
    suite = LocalSuite(name="got10k-val", family="got10k", repetitions=3)
    data = dataset.subset(["alpha", "gamma"])
    summary = run_suite(suite, data, options(tmp_path, "helpers.trackers:NoisyTracker"))
    tracker_dir = tmp_path / "got10k-val" / "noisy"
    assert summary.units_run == 6
    for name in ("alpha", "gamma"):
        runs = [read_table(tracker_dir / name / f"{name}_{r:03d}.txt", 4) for r in (1, 2, 3)]
        assert all(run.shape == (LENGTHS[name], 4) for run in runs)
        assert not np.array_equal(runs[0], runs[1])  # stochastic: the runs differ
        times = read_table(tracker_dir / name / f"{name}_time.txt", 3)
        assert times.shape == (LENGTHS[name], 3) and np.all(times >= 0)
    units = json.loads((tracker_dir / "manifest.json").read_text())["units"]
    assert sorted(units) == ["alpha/001", "alpha/002", "alpha/003", "gamma/001", "gamma/002", "gamma/003"]


def test_got10k_layout_runs_a_deterministic_tracker_once(dataset, tmp_path):
    suite = LocalSuite(name="got10k-val", family="got10k", repetitions=3)
    run_suite(suite, dataset.subset(["gamma"]), options(tmp_path))
    folder = tmp_path / "got10k-val" / "template" / "gamma"
    assert sorted(p.name for p in folder.iterdir()) == ["gamma_001.txt", "gamma_time.txt"]
    assert read_table(folder / "gamma_time.txt", 1).shape == (LENGTHS["gamma"], 1)


def test_batched_stepping_matches_unbatched_and_drops_finished_sequences(dataset):
    sequences = list(dataset)
    tracker = BatchTemplateTracker()
    frames_done = []
    batched = run_batched(tracker, sequences, frames_done.append)
    for seq, trajectory in zip(sequences, batched):
        single = run_one_pass(TemplateTracker(), seq)
        np.testing.assert_array_equal(trajectory.boxes, single.boxes)
        np.testing.assert_array_equal(trajectory.scores[1:], single.scores[1:])
        assert trajectory.times.shape == (len(seq),)
    # slots drop out as their sequences end: 4 active, then 3 after 6 frames, ...
    lengths = sorted(LENGTHS.values())
    expected_sizes = [sum(length > step for length in lengths) for step in range(1, max(lengths))]
    assert tracker.batch_sizes == expected_sizes
    assert sum(frames_done) == sum(lengths)


def test_runner_with_batch_gives_the_files_of_an_unbatched_run(dataset, tmp_path):
    run_suite(LocalSuite(), dataset, options(tmp_path / "a", "helpers.trackers:TemplateTracker", tracker_name="t"))
    summary = run_suite(
        LocalSuite(), dataset, options(tmp_path / "b", "helpers.trackers:BatchTemplateTracker", tracker_name="t", batch=3)
    )
    assert summary.units_run == 4
    assert read_results(tmp_path / "a" / "local" / "t", LENGTHS) == read_results(tmp_path / "b" / "local" / "t", LENGTHS)


VOT_SUITE = LocalSuite(name="vot-local", family="vot", repetitions=15, corner_rule="x+w")


def vot_repetitions(tracker_dir, name):
    return sorted(p.name for p in (tracker_dir / "baseline" / name).glob(f"{name}_[0-9][0-9][0-9].txt"))


def test_vot_suite_runs_a_deterministic_tracker_once(dataset, tmp_path):
    pytest.importorskip("trackbench.protocols.supervised")
    summary = run_suite(VOT_SUITE, dataset, options(tmp_path))
    tracker_dir = tmp_path / "vot-local" / "template"
    assert summary.units_run == 4 and not summary.failed
    for name, frames in LENGTHS.items():
        assert vot_repetitions(tracker_dir, name) == [f"{name}_001.txt"]
        lines = (tracker_dir / "baseline" / name / f"{name}_001.txt").read_text().splitlines()
        assert len(lines) == frames and lines[0] == "1"


def test_vot_suite_stops_an_undeclared_tracker_after_three_identical_runs(dataset, tmp_path):
    data = dataset.subset(["alpha", "gamma"])
    summary = run_suite(VOT_SUITE, data, options(tmp_path, "helpers.trackers:UndeclaredTemplate"))
    tracker_dir = tmp_path / "vot-local" / "undeclared"
    assert summary.units_run == 6
    for name in ("alpha", "gamma"):
        assert vot_repetitions(tracker_dir, name) == [f"{name}_{r:03d}.txt" for r in (1, 2, 3)]
    assert json.loads((tracker_dir / "run.json").read_text())["deterministic"] is None
    # a re-run finds the sequence complete
    assert run_suite(VOT_SUITE, data, options(tmp_path, "helpers.trackers:UndeclaredTemplate")).units_run == 0


def test_vot_suite_stops_after_three_identical_runs_even_for_a_declared_stochastic_tracker(dataset, tmp_path):
    # The VOT toolkit checks runs 1..3 of every tracker not declared deterministic: a
    # tracker that says it is stochastic but behaves deterministically stops after 3.
    data = dataset.subset(["gamma"])
    summary = run_suite(VOT_SUITE, data, options(tmp_path, "helpers.trackers:DeclaredStochasticTemplate"))
    tracker_dir = tmp_path / "vot-local" / "declared-stochastic"
    assert summary.units_run == 3 and not summary.failed
    assert vot_repetitions(tracker_dir, "gamma") == [f"gamma_{r:03d}.txt" for r in range(1, 4)]


@pytest.mark.parametrize("tracker, folder", [("NoisyTracker", "noisy"), ("UndeclaredNoisy", "undeclared-noisy")])
def test_vot_suite_runs_fifteen_repetitions_when_runs_differ(dataset, tmp_path, tracker, folder):
    data = dataset.subset(["gamma"])
    summary = run_suite(VOT_SUITE, data, options(tmp_path, f"helpers.trackers:{tracker}"))
    tracker_dir = tmp_path / "vot-local" / folder
    assert summary.units_run == 15 and not summary.failed
    assert vot_repetitions(tracker_dir, "gamma") == [f"gamma_{r:03d}.txt" for r in range(1, 16)]
    units = json.loads((tracker_dir / "manifest.json").read_text())["units"]
    assert sorted(units) == [f"gamma/{r:03d}" for r in range(1, 16)]


def test_got10k_layout_runs_all_three_repetitions_for_an_undeclared_tracker(dataset, tmp_path):
    suite = LocalSuite(name="got10k-val", family="got10k", repetitions=3)
    summary = run_suite(suite, dataset.subset(["gamma"]), options(tmp_path, "helpers.trackers:UndeclaredTemplate"))
    folder = tmp_path / "got10k-val" / "undeclared" / "gamma"
    assert summary.units_run == 3
    assert sorted(p.name for p in folder.iterdir()) == ["gamma_001.txt", "gamma_002.txt", "gamma_003.txt",
                                                        "gamma_time.txt"]
    assert read_table(folder / "gamma_time.txt", 3).shape == (LENGTHS["gamma"], 3)


def test_vot_progress_moves_during_a_repetition(dataset, tmp_path):
    from trackbench.execution.layout import plan_units
    from trackbench.execution.worker import execute_task

    _, units = plan_units(VOT_SUITE, dataset.subset(["beta"]), tmp_path, True)
    steps: list[int] = []
    [outcome] = execute_task(TemplateTracker(), units, steps.append)
    assert outcome.ok and len(steps) > 1  # per frame, not once at the end
    assert sum(steps) == LENGTHS["beta"]


def test_suite_name_reaches_a_factory_with_a_suite_keyword(dataset, tmp_path):
    data = dataset.subset(["gamma"])
    run_suite(LocalSuite(), data, options(tmp_path, "helpers.trackers:SuiteAware"))
    tracker_dir = tmp_path / "local" / "suite-aware"
    assert json.loads((tracker_dir / "run.json").read_text())["options"] == {"suite": "local"}
    boxes = read_table(tracker_dir / "gamma.txt", 4)
    assert np.all(boxes[1:, 2] == len("local"))  # row 0 is the init box; the tracker was built with suite="local"
    # a suite the user sets wins, and is what run.json records
    run_suite(LocalSuite(), data, options(tmp_path, "helpers.trackers:SuiteAware", options={"suite": "otb"},
                                          tracker_name="suite-otb"))
    assert json.loads((tmp_path / "local" / "suite-otb" / "run.json").read_text())["options"] == {"suite": "otb"}
    assert np.all(read_table(tmp_path / "local" / "suite-otb" / "gamma.txt", 4)[1:, 2] == 3)
    # the generic folder suite passes its family, which names the settings to use
    run_suite(LocalSuite(name="custom", generic=True), data, options(tmp_path, "helpers.trackers:SuiteAware"))
    assert json.loads((tmp_path / "custom" / "suite-aware" / "run.json").read_text())["options"] == {"suite": "otb"}
    # a factory without the keyword gets nothing
    run_suite(LocalSuite(), data, options(tmp_path))
    assert json.loads((tmp_path / "local" / "template" / "run.json").read_text())["options"] == {}


def test_default_folder_name_of_a_trax_command():
    from trackbench.execution.runner import default_tracker_name

    class Probe:
        name = "trax"  # TraxTracker's name before its server said hello

    assert default_tracker_name('trax:python "my_tracker.py" --gpu 0', Probe()) == "my_tracker"
    assert default_tracker_name("trax:/opt/trackers/bin/ncc_tracker -v", Probe()) == "ncc_tracker"
    assert default_tracker_name("trax:python3 -u -m vot.trackers.siamfc", Probe()) == "siamfc"
    named = Probe()
    named.name = "mine"  # --set name=mine
    assert default_tracker_name("trax:python my_tracker.py", named) == "mine"


def test_result_readers_read_back_what_the_runner_wrote(dataset, tmp_path):
    read = pytest.importorskip("trackbench.results.read")
    run_suite(LocalSuite(), dataset, options(tmp_path))
    tracker_dir = tmp_path / "local" / "template"
    boxes = read.read_ope_results(tracker_dir, dataset)
    times = read.read_times(tracker_dir, dataset)
    for seq in dataset:
        np.testing.assert_allclose(boxes[seq.name], run_one_pass(TemplateTracker(), seq).boxes, atol=5e-5)
        assert np.shape(times[seq.name]) == (len(seq),)
    suite = LocalSuite(name="got10k-val", family="got10k", repetitions=3)
    run_suite(suite, dataset, options(tmp_path, "helpers.trackers:NoisyTracker"))
    runs = read.read_repeated_results(tmp_path / "got10k-val" / "noisy", dataset)
    assert {name: len(r) for name, r in runs.items()} == {name: 3 for name in LENGTHS}
    assert all(r.shape == (LENGTHS[name], 4) for name, rs in runs.items() for r in rs)


def test_imsiam_factory_takes_the_suite_option():
    from trackbench.execution.runner import suite_option, with_suite_option
    from trackbench.execution.worker import accepts_keyword
    from trackbench.suites import get_suite

    assert accepts_keyword("imsiam", "suite") and not accepts_keyword("identity", "suite")
    assert not accepts_keyword("trax:python my_tracker.py", "suite")
    suite = get_suite("otb100")
    assert suite_option(suite) == "otb2015" and suite_option(get_suite("custom")) == "otb"
    assert with_suite_option(RunOptions(tracker="imsiam"), suite).options == {"suite": "otb2015"}
    assert with_suite_option(RunOptions(tracker="imsiam", options={"suite": "vot"}), suite).options == {"suite": "vot"}


class InterruptOnThirdSequence(TemplateTracker):
    """Template matching that raises KeyboardInterrupt (Ctrl-C) when a third sequence starts."""

    name = "interrupted"

    def __init__(self):
        super().__init__()
        self.sequences = 0

    def init(self, image, box):
        self.sequences += 1
        if self.sequences == 3:
            raise KeyboardInterrupt
        super().init(image, box)


@pytest.mark.parametrize("interval, saves", [(3600.0, 2), (0.0, 1 + len(LENGTHS))])
def test_manifest_saves_are_throttled_and_the_last_state_is_saved(dataset, tmp_path, monkeypatch, interval, saves):
    from trackbench.execution import manifest as manifest_module

    monkeypatch.setattr(manifest_module, "SAVE_INTERVAL", interval)
    written = []
    save = manifest_module.Manifest.save
    monkeypatch.setattr(manifest_module.Manifest, "save", lambda self: (written.append(1), save(self)))
    run_suite(LocalSuite(), dataset, options(tmp_path))
    # one save when the units are marked pending; then one per unit (interval 0), or
    # none until the end of the run (long interval)
    assert len(written) == saves
    units = json.loads((tmp_path / "local" / "template" / "manifest.json").read_text())["units"]
    assert {name: entry["status"] for name, entry in units.items()} == dict.fromkeys(LENGTHS, "done")
    assert all(entry["attempts"] == 1 and entry["tracker_seconds"] > 0 for entry in units.values())


def test_an_interrupted_run_saves_the_manifest_of_the_units_it_finished(dataset, tmp_path, monkeypatch):
    from trackbench.execution import manifest as manifest_module

    monkeypatch.setattr(manifest_module, "SAVE_INTERVAL", 3600.0)  # no save is due while units finish
    with pytest.raises(KeyboardInterrupt):
        run_suite(LocalSuite(), dataset, options(tmp_path, f"{__name__}:InterruptOnThirdSequence"))
    tracker_dir = tmp_path / "local" / "interrupted"
    units = json.loads((tracker_dir / "manifest.json").read_text())["units"]
    # longest first: beta and delta finished, alpha was interrupted, gamma never started
    assert {name: entry["status"] for name, entry in units.items()} == {
        "beta": "done", "delta": "done", "alpha": "pending", "gamma": "pending"}
    assert units["beta"]["result"] == "beta.txt" and units["delta"]["finished_at"]
    assert sorted(p.name for p in tracker_dir.glob("*.txt")) == ["beta.txt", "delta.txt"]
