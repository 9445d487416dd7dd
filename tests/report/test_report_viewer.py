"""The sequence viewer on real frames: boxes drawn in the tracker's colour, a video that
decodes back to every frame, the IoU timeline read back from the plot objects."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from trackbench.data.otb import read_otb
from trackbench.geometry import iou
from trackbench.report.playback import one_pass_playback, supervised_playback
from trackbench.report.styles import assign_styles
from trackbench.report.viewer import (
    annotated_frames,
    draw_frame,
    iou_timeline,
    key_frame_strip,
    key_frames,
    write_video,
)
from trackbench.results.layout import parse_vot_trajectory


@pytest.fixture(scope="module")
def crossing(shared_data):
    return read_otb(shared_data / "sequences" / "otb", ["Crossing"], require_images=True)["Crossing"]


def test_key_frames_span_the_sequence():
    assert key_frames(120, 6) == [0, 24, 48, 71, 95, 119]
    assert key_frames(3, 6) == [0, 1, 2]
    assert key_frames(0) == []


def test_boxes_are_drawn_in_the_style_colour(crossing):
    image = crossing.image(0)
    gt = crossing.ground_truth[0]
    shifted = gt + np.array([30.0, 0.0, 0.0, 0.0])
    styles = assign_styles(["kcf"])
    drawn = draw_frame(image, 1, gt, {"kcf": shifted}, styles)
    assert drawn.shape == image.shape and drawn.dtype == np.uint8
    x, y, w, h = shifted
    # the middle of the box's left edge carries the tracker's colour
    column, row = int(round(x)), int(round(y + h / 2))
    patch = drawn[row - 1:row + 2, column - 2:column + 3].reshape(-1, 3).astype(int)
    colour = np.array(styles["kcf"].rgb())
    assert np.min(np.abs(patch - colour).sum(axis=1)) < 60
    # the ground truth's left edge is white
    patch = drawn[row - 1:row + 2, int(round(gt[0])) - 2:int(round(gt[0])) + 3].reshape(-1, 3).astype(int)
    assert np.max(patch.sum(axis=1)) > 700
    # far from any box the frame is unchanged
    assert np.array_equal(drawn[-5:, -5:], image[-5:, -5:])


def test_video_decodes_back_to_every_frame(crossing, tmp_path):
    count = 12
    images = [crossing.image(i) for i in range(count)]
    playback = one_pass_playback(crossing, crossing.ground_truth[:count] + 3.0)
    styles = assign_styles(["a"])
    frames = list(annotated_frames(images, crossing.ground_truth, {"a": playback}, styles))
    video = write_video(tmp_path / "crossing", frames, fps=10)
    assert video.suffix in (".webm", ".webp") and video.stat().st_size > 1000
    assert not list(tmp_path.glob(".*partial*"))
    if video.suffix == ".webm":
        capture = cv2.VideoCapture(str(video))
        decoded = []
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            decoded.append(frame)
        capture.release()
        assert len(decoded) == count
        height, width = frames[0].shape[:2]
        assert decoded[0].shape[:2] == (height - height % 2, width - width % 2)
        # lossy, but close to what was drawn
        difference = np.abs(decoded[5].astype(int) - cv2.cvtColor(frames[5], cv2.COLOR_RGB2BGR)[: decoded[5].shape[0], : decoded[5].shape[1]].astype(int))
        assert difference.mean() < 12


def test_strip_has_a_common_height(crossing):
    frames = [crossing.image(i) for i in key_frames(len(crossing), 4)]
    strip = key_frame_strip(frames, height=90)
    width = frames[0].shape[1] * 90 / frames[0].shape[0]
    assert strip.shape[0] == 90 and abs(strip.shape[1] - (4 * width + 3 * 4)) <= 4


def test_one_pass_playback_is_the_box_iou(crossing):
    boxes = crossing.ground_truth + np.array([2.0, -1.0, 4.0, 0.0])
    playback = one_pass_playback(crossing, boxes)
    assert np.allclose(playback.iou, iou(crossing.ground_truth, boxes), equal_nan=True)


def test_supervised_playback_marks_failures_and_restarts(shared_data):
    from trackbench.data.pysot_json import read_pysot_json

    dataset = read_pysot_json(shared_data / "vot2018" / "VOT2018.json", name="vot2018")
    results = sorted((shared_data / "vot2018" / "results").iterdir())[0]
    sequence = next(s for s in dataset if (results / "baseline" / s.name / f"{s.name}_001.txt").is_file())
    path = results / "baseline" / sequence.name / f"{sequence.name}_001.txt"
    trajectory = parse_vot_trajectory(path.read_text(), str(path))
    playback = supervised_playback(sequence, trajectory)
    codes = trajectory.codes[: len(sequence)]
    assert np.array_equal(playback.failures, np.flatnonzero(codes == 2))
    assert np.array_equal(playback.restarts, np.flatnonzero(codes == 1)[1:])
    assert np.all(np.isnan(playback.iou[codes != -1]))
    assert np.all((playback.iou[codes == -1] >= 0) & (playback.iou[codes == -1] <= 1))


def test_timeline_panels_follow_the_styles(crossing):
    styles = assign_styles(["a", "b"], names={"a": "Tracker A"})
    playbacks = {"a": one_pass_playback(crossing, crossing.ground_truth),
                 "b": one_pass_playback(crossing, crossing.ground_truth + 5)}
    figure = iou_timeline(playbacks, styles, "Crossing")
    assert len(figure.axes) == 2
    for axes, name in zip(figure.axes, ["a", "b"]):
        line = axes.get_lines()[0]
        assert line.get_label() == styles[name].name
        assert line.get_color() == styles[name].color and line.get_linestyle() == styles[name].linestyle
    assert np.allclose(figure.axes[0].get_lines()[0].get_ydata(), 1.0)
