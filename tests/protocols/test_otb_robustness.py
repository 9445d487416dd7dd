"""OTB TRE / SRE: segment starts and perturbed boxes against the MATLAB toolkit's rules,
aggregation as genPerfMat.m, and a real KCF run on Crossing with its report section.

The reference rules, written down from the OTB MATLAB toolkit (tracker_benchmark v1.0):

splitSeqTRE.m (20 segments, minNum = 20), 1-based, on the whole annotation ``rect_anno``
of a sequence whose first image is ``seq.startFrame``:
  Idx = 1..seq.len; zero every Idx inside the initOmit ranges (file values minus
  seq.startFrame plus 1); drop them; drop every Idx whose rect_anno row has a number <= 0
  or a NaN; walking Idx from the end, the first i with seq.len - Idx(i) + 1 >= minNum is
  endSegIdx; startFrIdxOne = [floor(1 : endSegIdx/(segNum-1) : endSegIdx), endSegIdx];
  segment i starts at image Idx(startFrIdxOne(i)) + seq.startFrame - 1 with init_rect =
  rect_anno(Idx(startFrIdxOne(i)), :), and runs to the end.

shiftInitBB.m on r = [x y w h]: center = [x + w/2, y + h/2], br = [x + w - 1, y + h - 1];
  scale_R: w' = R w, h' = R h, r = round([cx - w'/2, cy - h'/2, w', h']);
  left / right: x -/+= ceil(0.1 w); up / down: y -/+= ceil(0.1 h);
  topLeft: x = round(x - 0.1 w), y = round(y - 0.1 h); topRight: br_x = round(br_x + 0.1 w),
  y = round(y - 0.1 h); bottomLeft: x = round(x - 0.1 w), br_y = round(br_y + 0.1 h);
  bottomRight: br_x, br_y as above; for the four corners w = br_x - x + 1, h = br_y - y + 1;
  then x = max(x, 1), y = max(y, 1), w = imgW - x + 1 if x + w - 1 > imgW, h likewise.
  main_running.m applies the 12 shifts, in the order left, right, up, down, topLeft,
  topRight, bottomLeft, bottomRight, scale_8, scale_9, scale_11, scale_12, to the first
  TRE segment (subSeqs{1}).
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pytest

from trackbench.data.otb import otb_init_omit_table, read_otb
from trackbench.metrics.otb_robustness import sequence_curves
from trackbench.metrics.profiles import get_profile
from trackbench.protocols.otb_robustness import SRE_SHIFTS, sre_boxes, tre_starts
from trackbench.results.otb_mat import find_mat_results
from trackbench.sequence import normalize_name


def matlab_round(v: float) -> float:
    return math.floor(abs(v) + 0.5) * (1 if v >= 0 else -1)


def reference_split_seq_tre(rect_anno: np.ndarray, start_frame: int, omit, seg_num=20, min_num=20) -> list[int]:
    """splitSeqTRE.m, literally (1-based, floats for the colon): image numbers of the starts."""
    length = len(rect_anno)
    idx = list(range(1, length + 1))
    for first, last in omit:
        for j in range(first - start_frame + 1, last - start_frame + 2):
            if 1 <= j <= length:
                idx[j - 1] = 0
    idx = [i for i in idx if i > 0]
    idx = [i for i in idx if not (np.any(rect_anno[i - 1] <= 0) or np.isnan(rect_anno[i - 1].sum()))]
    end_seg_idx = next(i for i in range(len(idx), 0, -1) if length - idx[i - 1] + 1 >= min_num)
    step = end_seg_idx / (seg_num - 1)
    colon, k = [], 0
    while 1 + k * step <= end_seg_idx + 1e-10:
        colon.append(math.floor(1 + k * step))
        k += 1
    positions = colon + [end_seg_idx]
    return [idx[p - 1] + start_frame - 1 for p in positions]


def reference_shift_init_bb(r, shift: str, img_h: int, img_w: int) -> list[float]:
    """shiftInitBB.m, literally."""
    r = [float(v) for v in r]
    center = [r[0] + r[2] / 2, r[1] + r[3] / 2]
    br_x, br_y = r[0] + r[2] - 1, r[1] + r[3] - 1
    if shift.startswith("scale_"):
        ratio = {"scale_8": 0.8, "scale_9": 0.9, "scale_11": 1.1, "scale_12": 1.2}[shift]
        w, h = ratio * r[2], ratio * r[3]
        r = [matlab_round(v) for v in (center[0] - w / 2, center[1] - h / 2, w, h)]
    elif shift == "left":
        r[0] = r[0] - math.ceil(0.1 * r[2])
    elif shift == "right":
        r[0] = r[0] + math.ceil(0.1 * r[2])
    elif shift == "up":
        r[1] = r[1] - math.ceil(0.1 * r[3])
    elif shift == "down":
        r[1] = r[1] + math.ceil(0.1 * r[3])
    elif shift == "topLeft":
        r[0] = matlab_round(r[0] - 0.1 * r[2])
        r[1] = matlab_round(r[1] - 0.1 * r[3])
        r[2], r[3] = br_x - r[0] + 1, br_y - r[1] + 1
    elif shift == "topRight":
        br_x = matlab_round(br_x + 0.1 * r[2])
        r[1] = matlab_round(r[1] - 0.1 * r[3])
        r[2], r[3] = br_x - r[0] + 1, br_y - r[1] + 1
    elif shift == "bottomLeft":
        r[0] = matlab_round(r[0] - 0.1 * r[2])
        br_y = matlab_round(br_y + 0.1 * r[3])
        r[2], r[3] = br_x - r[0] + 1, br_y - r[1] + 1
    elif shift == "bottomRight":
        br_x = matlab_round(br_x + 0.1 * r[2])
        br_y = matlab_round(br_y + 0.1 * r[3])
        r[2], r[3] = br_x - r[0] + 1, br_y - r[1] + 1
    if r[0] < 1:
        r[0] = 1
    if r[1] < 1:
        r[1] = 1
    if r[0] + r[2] - 1 > img_w:
        r[2] = img_w - r[0] + 1
    if r[1] + r[3] - 1 > img_h:
        r[3] = img_h - r[1] + 1
    return r


SEQUENCES = ["Tiger1", "Basketball", "David"]  # many init-omit ranges; omits; starts at image 300


@pytest.fixture(scope="module")
def otb(shared_data):
    root = shared_data / "otb100"
    return read_otb(root, SEQUENCES), read_otb(root, SEQUENCES, init_omit=False)


@pytest.mark.parametrize("name", SEQUENCES)
def test_tre_starts_equal_the_matlab_rules(otb, name):
    evaluated, whole = otb
    seq, full = evaluated[name], whole[name]
    omit = otb_init_omit_table()[normalize_name(name)] if normalize_name(name) in otb_init_omit_table() else []
    expected = reference_split_seq_tre(full.ground_truth, full.start_frame, omit)
    ours = [seq.start_frame + row for row in tre_starts(seq.ground_truth, seq.start_frame, omit)]
    assert ours == expected
    assert len(ours) == 20
    assert ours[0] == seq.start_frame  # segment 1 is the one-pass run (Tiger1: image 6)


def test_tre_starts_by_hand_on_crossing(shared_data):
    # 120 valid frames: E = 101 (101..120 are the last 20); starts floor(1 + k * 101 / 19), then 101.
    seq = read_otb(shared_data / "sequences" / "otb", ["Crossing"])["Crossing"]
    assert [s + 1 for s in tre_starts(seq.ground_truth)] == [
        1, 6, 11, 16, 22, 27, 32, 38, 43, 48, 54, 59, 64, 70, 75, 80, 86, 91, 96, 101]


@pytest.mark.parametrize("name", SEQUENCES)
def test_sre_boxes_equal_the_matlab_rules(otb, name):
    seq = otb[0][name]
    width, height = 640, 480  # Tiger1 / Basketball / David images are 640 x 480 (or smaller: clamp tested below)
    boxes = dict(sre_boxes(seq.ground_truth[0], (width, height)))
    assert list(boxes) == list(SRE_SHIFTS)
    for shift in SRE_SHIFTS:
        assert boxes[shift].tolist() == reference_shift_init_bb(seq.ground_truth[0], shift, height, width), shift


def test_sre_boxes_by_hand_and_clamping():
    # Crossing's first box; 0.1 * 17 = 1.7 (ceil 2), 0.1 * 50 = 5; scale_11: 1.1 * 50 is
    # 55.00000000000001 in doubles, but 176 - 27.500000000000004 rounds back to 148.5 -> 149.
    boxes = dict(sre_boxes(np.array([205.0, 151, 17, 50]), (360, 240)))
    assert {k: v.tolist() for k, v in boxes.items()} == {
        "left": [203, 151, 17, 50], "right": [207, 151, 17, 50], "up": [205, 146, 17, 50],
        "down": [205, 156, 17, 50], "topLeft": [203, 146, 19, 55], "topRight": [205, 146, 19, 55],
        "bottomLeft": [203, 151, 19, 55], "bottomRight": [205, 151, 19, 55], "scale_8": [207, 156, 14, 40],
        "scale_9": [206, 154, 15, 45], "scale_11": [204, 149, 19, 55], "scale_12": [203, 146, 20, 60]}
    near_corner = dict(sre_boxes(np.array([1.0, 1, 30, 30]), (32, 32)))
    assert near_corner["left"].tolist() == [1, 1, 30, 30]  # x = 1 - 3 clamped to 1 (w kept, as MATLAB)
    assert near_corner["right"].tolist() == [4, 1, 29, 30]  # cut at the right edge


def test_pooling_is_over_all_segment_frames():
    # Two runs on a 4-frame sequence: run 1 (rows 0..3) succeeds on rows 0 (replaced by the
    # ground truth) and 1; run 2 (rows 2..3) on row 2 (its first). genPerfMat: (2 + 1) / (4 + 2).
    gt = np.array([[10, 10, 10, 10]] * 4, dtype=float)
    miss = [100, 100, 10, 10]
    runs = [(0, np.array([gt[0], gt[1], miss, miss])), (2, np.array([miss, miss]))]
    success, precision = sequence_curves(gt, runs, get_profile("official"))
    assert success[10] == pytest.approx(3 / 6)  # threshold 0.5
    assert precision[20] == pytest.approx(3 / 6)


def test_kcf_tre_sre_on_crossing_and_report(shared_data, tmp_path):
    pytest.importorskip("cv2")
    from trackbench.cli import main

    root = str(shared_data / "sequences" / "otb")
    out = tmp_path / "results"
    started = time.perf_counter()
    for suite in ("otb2015", "otb2015-tre", "otb2015-sre"):
        assert main(["run", "opencv-kcf", "--suite", suite, "--root", root, "--sequences", "Crossing",
                     "--out", str(out)]) == 0
    elapsed = time.perf_counter() - started
    tre = out / "otb2015-tre" / "opencv-kcf" / "results_TRE" / "Crossing_opencv-kcf.mat"
    sre = out / "otb2015-sre" / "opencv-kcf" / "results_SRE" / "Crossing_opencv-kcf.mat"
    import scipy.io

    tre_cells = scipy.io.loadmat(str(tre))["results"]
    sre_cells = scipy.io.loadmat(str(sre))["results"]
    assert tre_cells.size == 20 and sre_cells.size == 12
    starts = [int(c["startFrame"][0, 0][0, 0]) for c in tre_cells.ravel()]
    assert starts == [1, 6, 11, 16, 22, 27, 32, 38, 43, 48, 54, 59, 64, 70, 75, 80, 86, 91, 96, 101]
    first = sre_cells.ravel()[8]  # scale_8: res row 1 is the perturbed initial box
    assert str(first["shiftType"][0, 0][0]) == "scale_8"
    assert first["res"][0, 0][0].tolist() == [207, 156, 14, 40]
    # the existing OTB .mat importer reads results{1} (the one-pass segment) of the TRE file
    dataset = read_otb(root, ["Crossing"])
    imported = find_mat_results(tre.parent, dataset)["Crossing"]
    ope = np.loadtxt(out / "otb2015" / "opencv-kcf" / "Crossing.txt", delimiter=",")
    np.testing.assert_allclose(imported.boxes, ope, atol=1e-3)  # KCF is deterministic
    # OPE / TRE / SRE side by side: one folder holding all three
    combined = tmp_path / "combined" / "opencv-kcf"
    combined.mkdir(parents=True)
    for path in (out / "otb2015" / "opencv-kcf").iterdir():
        if path.name != "manifest.json":
            (combined / path.name).symlink_to(path)
    (combined / "results_TRE").symlink_to(tre.parent)
    (combined / "results_SRE").symlink_to(sre.parent)
    assert main(["report", "--suite", "otb2015", "--root", root, "--sequences", "Crossing", "--out",
                 str(tmp_path / "report"), str(combined)]) == 0
    html = (tmp_path / "report" / "index.html").read_text()
    assert "OPE, TRE and SRE side by side" in html
    assert any(p.name.startswith("ope-tre-sre") for p in (tmp_path / "report" / "figures").iterdir())
    assert elapsed < 60
