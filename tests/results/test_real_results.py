"""Real result files as researchers have them: the OTB MATLAB toolkit's .mat results and
result files one row short, scored as each toolkit scores them."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest

from trackbench.errors import TrackbenchError, TrackbenchWarning
from trackbench.metrics.evaluate import evaluate
from trackbench.results.convert import import_results
from trackbench.suites import get_suite

# The OTB toolkit's own perfMat (aveSuccessRatePlot_15alg_*_OPE.mat), ../shared/data/README.md
PERFMAT = {"CSK": (0.3824, 0.5190), "TLD": (0.4056, 0.5457), "MEEM": (0.5387, 0.7969)}


@pytest.fixture(scope="module")
def otb(shared_data: Path):
    return get_suite("otb2015"), get_suite("otb2015").load(shared_data / "otb100")


@pytest.mark.parametrize("tracker", sorted(PERFMAT))
def test_otb_mat_results_import_and_reproduce_perfmat(shared_data: Path, otb, tmp_path: Path, tracker: str) -> None:
    suite, dataset = otb
    folder = tmp_path / tracker
    folder.mkdir()
    for path in sorted((shared_data / "otb100" / "matlab" / "results_OPE").glob(f"*_{tracker}.mat")):
        (folder / path.name).symlink_to(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrackbenchWarning)  # 100 files, all aligned: not one warning
        summary = import_results(folder, suite, dataset, tmp_path / "out")
        evaluation = evaluate(suite, dataset, summary.destination)
    auc, precision = PERFMAT[tracker]
    assert summary.sequences == 100 and evaluation.length_mismatches == 0
    assert evaluation.metrics["success_auc"] == pytest.approx(auc, abs=1e-4)
    assert evaluation.metrics["precision"] == pytest.approx(precision, abs=1e-4)


def test_blurcar1_mat_rows_are_compared_from_the_first_evaluated_frame(shared_data: Path, otb, tmp_path: Path) -> None:
    """BlurCar1_CSK.mat: 742 rows, startFrame 1, images 247-988: all 742 rows are used as they are."""
    import scipy.io

    from trackbench.results.otb_mat import read_mat_result

    suite, dataset = otb
    path = shared_data / "otb100" / "matlab" / "results_OPE" / "BlurCar1_CSK.mat"
    res = scipy.io.loadmat(str(path))["results"][0, 0]["res"][0, 0]
    result = read_mat_result(path, dataset)
    assert res.shape == (742, 4) and len(dataset["BlurCar1"]) == 742 and dataset["BlurCar1"].start_frame == 247
    assert (result.boxes == res).all()


# SiamBAN's OTB results with the last row of Board.txt removed (MDNet's real Board.txt has
# 697 rows for 698 frames). Board's last ground-truth row is 0,0,0,0 (invalid in every
# validity rule: w, h and the centre (-0.5, -0.5) are not > 0). Hand-derived effect on
# Board's per-sequence scores (N = 698), then /100 on the dataset means:
# * official, pysot ("fail"): the frame was an invalid frame, IoU -1 (a success failure)
#   and centre error -1 (a precision pass); now missing = a failure in both: success
#   unchanged, precision - 1/698.
# * pytracking ("zero_pad"): the frame was invalid with centre error +inf (fails both);
#   the 0,0,0,0 pad meets the same invalid ground truth: nothing changes.
# * got10k ("truncate"): no validity mask, the frame failed both (IoU 0 against a zero box,
#   centre error ~ 400 px); it leaves numerator and denominator: Board's curves x 698/697.
EXPECTED_CHANGE = {
    "official": lambda auc, prec: (auc, prec - 1 / 698),
    "pysot": lambda auc, prec: (auc, prec - 1 / 698),
    "pytracking": lambda auc, prec: (auc, prec),
    "got10k": lambda auc, prec: (auc * 698 / 697, prec * 698 / 697),
}


@pytest.fixture(scope="module")
def short_copy(shared_data: Path, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("short") / "SiamBAN"
    shutil.copytree(shared_data / "otb100" / "results" / "SiamBAN", folder)
    board = folder / "Board.txt"
    lines = board.read_text().splitlines()
    assert len(lines) == 698
    board.write_text("\n".join(lines[:-1]) + "\n")
    return folder


@pytest.mark.parametrize("rules", sorted(EXPECTED_CHANGE))
def test_one_row_short_gives_one_warning_and_the_profiles_number(shared_data, otb, short_copy, rules) -> None:
    suite, dataset = otb
    full = evaluate(suite, dataset, shared_data / "otb100" / "results" / "SiamBAN", rules)
    if rules == "official":  # anchor: ../shared/data/README.md, official MATLAB rules
        assert (round(full.metrics["success_auc"], 4), round(full.metrics["precision"], 4)) == (0.6958, 0.9103)
    with pytest.warns(TrackbenchWarning) as record:
        short = evaluate(suite, dataset, short_copy, rules)
    lines = [str(w.message) for w in record if issubclass(w.category, TrackbenchWarning)]
    assert len(lines) == 1 and lines[0].startswith(
        f"{short_copy / 'Board.txt'}: 697 result rows but the ground truth of 'Board' has 698 frames: ")
    assert short.length_mismatches == 1 and short.warnings == lines
    board = full.per_sequence.loc["Board"]
    auc, prec = EXPECTED_CHANGE[rules](board["success_auc"], board["precision"])
    assert short.metrics["success_auc"] == pytest.approx(full.metrics["success_auc"] + (auc - board["success_auc"]) / 100,
                                                         abs=1e-12)
    assert short.metrics["precision"] == pytest.approx(full.metrics["precision"] + (prec - board["precision"]) / 100,
                                                       abs=1e-12)
    with pytest.raises(TrackbenchError, match=r"Board\.txt: 697 result rows .* 698 frames \(--strict\)"):
        evaluate(suite, dataset, short_copy, rules, strict=True)


def test_archives_with_stray_files_and_macos_litter(shared_data: Path, otb, tmp_path: Path) -> None:
    """A zip of one top folder beside a readme, with __MACOSX/._* entries and .DS_Store, and
    an unreadable optional times file: evaluated like the folder, one warning for the times."""
    import tarfile
    import zipfile

    suite, dataset = otb
    source = shared_data / "otb100" / "results" / "SiamBAN"
    archive = tmp_path / "SiamBAN.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("readme.txt", "SiamBAN raw results on OTB100\n")
        for path in sorted(source.glob("*.txt")):
            out.write(path, f"SiamBAN/{path.name}")
            out.writestr(f"__MACOSX/SiamBAN/._{path.name}", b"\x00\x05\x16\x07 Mac OS X resource fork")
        out.writestr("SiamBAN/.DS_Store", b"\x00\x00\x00\x01Bud1")
        out.writestr("SiamBAN/times/Basketball_time.txt", b"\xff\xfe garbage")
    with pytest.warns(TrackbenchWarning) as record:
        result = evaluate(suite, dataset, archive)
    lines = [str(w.message) for w in record if issubclass(w.category, TrackbenchWarning)]
    assert lines == [f"{archive}!times/Basketball_time.txt: not a text file: times of 'Basketball' left out"]
    assert (round(result.metrics["success_auc"], 4), round(result.metrics["precision"], 4)) == (0.6958, 0.9103)
    with pytest.raises(TrackbenchError, match="Basketball_time.txt: not a text file"):
        evaluate(suite, dataset, archive, strict=True)
    # a flat archive with a times/ folder keeps its layout (nothing stripped)
    flat = tmp_path / "flat.tar.gz"
    with tarfile.open(flat, "w:gz") as out:
        for path in sorted(source.glob("*.txt")):
            out.add(path, path.name)
        times = tmp_path / "Basketball_time.txt"
        times.write_text("0.01\n" * len(dataset["Basketball"]))
        out.add(times, "times/Basketball_time.txt")
    flat_result = evaluate(suite, dataset, flat)
    assert flat_result.metrics["success_auc"] == result.metrics["success_auc"]
    assert flat_result.per_sequence.loc["Basketball", "fps"] == pytest.approx(100.0)


def test_pack_got10k_from_results_alone_matches_the_got10k_submission_writer(tmp_path: Path) -> None:
    """A one-run submission of the 180 test sequences (as Ocean-online's), recorded by got10k's own
    ExperimentGOT10k._record and zipped as its report() does; `trackbench pack got10k` without
    a dataset gives the same members with the same numbers."""
    import zipfile

    import numpy as np
    from got10k.experiments.got10k import ExperimentGOT10k
    from got10k.utils.ioutils import compress

    from trackbench.cli import main
    from trackbench.data.got10k import GOT10K_TEST_SEQUENCES

    rng = np.random.default_rng(3)
    tracker = tmp_path / "results" / "GOT-10k" / "Ocean"
    for name in GOT10K_TEST_SEQUENCES:
        frames = int(rng.integers(2, 6))
        boxes = rng.uniform(1, 300, (frames, 4)).round(3)
        ExperimentGOT10k._record(None, str(tracker / name / f"{name}_001.txt"), boxes, rng.uniform(0.01, 0.1, frames))
    compress(str(tracker), str(tmp_path / "reference"))
    ours = tmp_path / "ours.zip"
    assert main(["pack", "got10k", str(tracker), "--output", str(ours)]) == 0
    with zipfile.ZipFile(tmp_path / "reference.zip") as ref, zipfile.ZipFile(ours) as out:
        ref_files = sorted(n for n in ref.namelist() if not n.endswith("/"))
        assert sorted(out.namelist()) == ref_files and len(ref_files) == 2 * 180
        for member in ref_files:
            expected = np.loadtxt(ref.read(member).decode().splitlines(), delimiter=",")
            np.testing.assert_allclose(np.loadtxt(out.read(member).decode().splitlines(), delimiter=","), expected,
                                       rtol=0, atol=5e-9)


def test_eval_per_sequence_equals_got10k_seq_wise_scores(shared_data: Path, capsys) -> None:
    """`eval --per-sequence --json` under --rules got10k gives, per sequence, the scores of
    got10k's ExperimentOTB.report (its per-sequence 'seq_wise' entries), computed here with
    got10k's own metric functions on the same files."""
    import json

    import numpy as np
    from got10k.experiments.otb import ExperimentOTB
    from got10k.utils.metrics import center_error, rect_iou

    from trackbench.cli import main

    results = shared_data / "otb100" / "results" / "SiamBAN"
    names = ["Basketball", "Bolt", "Tiger1"]
    argv = ["eval", "--suite", "otb2015", "--root", str(shared_data / "otb100"), "--sequences", ",".join(names),
            "--rules", "got10k", "--per-sequence"]
    assert main([*argv, "--json", str(results)]) == 0
    per_sequence = json.loads(capsys.readouterr().out)[0]["per_sequence"]
    experiment = ExperimentOTB.__new__(ExperimentOTB)  # only its curve arithmetic is used
    experiment.nbins_iou, experiment.nbins_ce = 21, 51
    dataset = get_suite("otb2015").load(shared_data / "otb100", names)
    for seq in dataset:
        boxes = np.loadtxt(results / f"{seq.name}.txt", delimiter=",")[-len(seq):]  # Tiger1: the evaluated rows
        anno = seq.ground_truth.copy()
        boxes[0] = anno[0]
        succ, prec = experiment._calc_curves(rect_iou(boxes, anno), center_error(boxes, anno))
        assert per_sequence[seq.name]["success_auc"] == pytest.approx(np.mean(succ), abs=1e-12)
        assert per_sequence[seq.name]["precision"] == pytest.approx(prec[20], abs=1e-12)
    assert main([*argv, str(results)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert "SiamBAN per sequence (3)" in table
    row = next(line for line in table if line.startswith("Bolt "))
    assert f"{per_sequence['Bolt']['success_auc']:.3f}" in row.split()
