"""The sequence viewer: trackers' boxes drawn on the frames, a key-frame strip, a video,
and the IoU of each tracker over time.

Conventions: boxes ``[x, y, w, h]`` in 0-based pixels (a box covers ``x .. x + w``),
polygons ``(x1, y1, ..., x4, y4)``; frames RGB ``uint8``. The ground truth is drawn in
white with a black outline, each tracker in its report colour
(:class:`~trackbench.report.styles.TrackerStyle`), the frame number top left.

Video: WebM (VP9, else VP8) through OpenCV's bundled FFmpeg, which every browser plays
in a ``<video>`` element; where neither encoder opens, an animated WebP (Pillow), shown
with ``<img>``. Frames wider than ``max_width`` are scaled down (boxes with them).

The IoU timeline: one panel per tracker, IoU over the frame numbers; for VOT reset-based
results a failure is a red cross at the failure frame and a re-initialisation a
triangle at its frame (the toolkit restarts the tracker 5 frames after a failure).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence as Seq

import cv2
import numpy as np

from trackbench.geometry import box_to_polygon
from trackbench.report.styles import TrackerStyle

VIDEO_FPS = 15
KEY_FRAMES = 6
MAX_WIDTH = 640


@dataclass
class TrackPlayback:
    """One tracker's output on one sequence, frame by frame (0-based frames).

    ``regions``: ``(N, 4)`` boxes or ``(N, 8)`` polygons, NaN rows where there is no
    region (VOT special codes, an empty prediction); ``iou``: ``(N,)`` overlap with the
    ground truth (NaN where undefined); ``failures`` / ``restarts``: 0-based frames of VOT
    failures and re-initialisations (empty for one-pass runs).
    """

    regions: np.ndarray
    iou: np.ndarray
    failures: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    restarts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))


def key_frames(length: int, count: int = KEY_FRAMES) -> list[int]:
    """``count`` evenly spaced 0-based frame indices from the first to the last frame."""
    if length <= 0:
        return []
    return sorted({int(round(i)) for i in np.linspace(0, length - 1, min(count, length))})


def _polygon(region: np.ndarray) -> np.ndarray | None:
    region = np.asarray(region, dtype=np.float64)
    if region.size == 0 or not np.all(np.isfinite(region)):
        return None
    if region.shape[-1] == 4:
        if region[2] <= 0 or region[3] <= 0:
            return None
        region = box_to_polygon(region[None])[0]
    return region.reshape(-1, 2)


def draw_frame(image: np.ndarray, frame_number: int, ground_truth: np.ndarray | None,
               regions: Mapping[str, np.ndarray], styles: Mapping[str, TrackerStyle], *, scale: float = 1.0) -> np.ndarray:
    """A copy of ``image`` (RGB) scaled by ``scale`` with the ground truth, each tracker's
    region (``regions[tracker]``, one row) and ``#frame_number`` (1-based) drawn on it."""
    height, width = image.shape[:2]
    size = (max(1, int(round(width * scale))), max(1, int(round(height * scale))))
    canvas = np.ascontiguousarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA) if scale != 1.0 else image.copy())
    thickness = max(1, int(round(2 * max(scale, 0.5))))

    def outline(region, color, width_px):
        points = _polygon(region)
        if points is None:
            return
        pts = np.round(points * scale * 16).astype(np.int32).reshape(-1, 1, 2)  # 4 fractional bits
        cv2.polylines(canvas, [pts], True, color, width_px, cv2.LINE_AA, shift=4)

    if ground_truth is not None:
        outline(ground_truth, (0, 0, 0), thickness + 2)
        outline(ground_truth, (255, 255, 255), thickness)
    for tracker, region in regions.items():
        outline(region, styles[tracker].rgb(), thickness)
    label = f"#{frame_number}"
    font_scale = max(0.4, 0.6 * scale)
    cv2.putText(canvas, label, (6, 6 + int(22 * font_scale)), cv2.FONT_HERSHEY_SIMPLEX, font_scale, (0, 0, 0),
                3, cv2.LINE_AA)
    cv2.putText(canvas, label, (6, 6 + int(22 * font_scale)), cv2.FONT_HERSHEY_SIMPLEX, font_scale, (255, 255, 0),
                1, cv2.LINE_AA)
    return canvas


def frame_scale(image_size: tuple[int, int], max_width: int = MAX_WIDTH) -> float:
    """Down-scaling factor that fits a ``(width, height)`` frame into ``max_width``."""
    return min(1.0, max_width / float(image_size[0]))


def annotated_frames(images: Iterable[np.ndarray], ground_truth: np.ndarray, playbacks: Mapping[str, TrackPlayback],
                     styles: Mapping[str, TrackerStyle], *, max_width: int = MAX_WIDTH, first_number: int = 1):
    """Yield the drawn frames of a sequence (``images`` in order, RGB)."""
    for index, image in enumerate(images):
        scale = frame_scale((image.shape[1], image.shape[0]), max_width)
        regions = {t: p.regions[index] for t, p in playbacks.items() if index < len(p.regions)}
        gt = ground_truth[index] if index < len(ground_truth) else None
        yield draw_frame(image, first_number + index, gt, regions, styles, scale=scale)


def key_frame_strip(frames: Seq[np.ndarray], height: int = 180, gap: int = 4) -> np.ndarray:
    """The drawn key frames side by side at a common ``height`` (RGB, white gaps)."""
    tiles = []
    for frame in frames:
        scale = height / frame.shape[0]
        tiles.append(cv2.resize(frame, (max(1, int(round(frame.shape[1] * scale))), height), interpolation=cv2.INTER_AREA))
    if not tiles:
        raise ValueError("no frames for a strip")
    width = sum(t.shape[1] for t in tiles) + gap * (len(tiles) - 1)
    strip = np.full((height, width, 3), 255, dtype=np.uint8)
    x = 0
    for tile in tiles:
        strip[:, x:x + tile.shape[1]] = tile
        x += tile.shape[1] + gap
    return strip


def write_image(path: str | Path, rgb: np.ndarray, quality: int = 88) -> Path:
    """Write an RGB frame as JPEG or PNG (by suffix) atomically."""
    from trackbench.textio import atomic_write_bytes

    path = Path(path)
    params = [cv2.IMWRITE_JPEG_QUALITY, quality] if path.suffix.lower() in (".jpg", ".jpeg") else []
    ok, data = cv2.imencode(path.suffix, cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), params)
    if not ok:
        raise OSError(f"cannot encode {path.suffix} image")
    atomic_write_bytes(path, data.tobytes())
    return path


def write_video(stem: str | Path, frames: Iterable[np.ndarray], fps: float = VIDEO_FPS) -> Path:
    """Encode RGB ``frames`` as ``<stem>.webm`` (VP9, else VP8), else ``<stem>.webp``
    (animated); returns the written file. The file appears complete or not at all."""
    import os

    stem = Path(stem)
    frames = iter(frames)
    first = next(frames, None)
    if first is None:
        raise ValueError("no frames for a video")
    height, width = first.shape[:2]
    size = (width - width % 2, height - height % 2)  # even sizes for the encoders
    target = stem.with_suffix(".webm")
    partial = target.with_name(f".{target.name}.partial.webm")
    for codec in ("VP90", "VP80"):
        with _quiet_stderr():  # FFmpeg notes the WebM codec tag on stderr, then writes the stream
            writer = cv2.VideoWriter(str(partial), cv2.VideoWriter_fourcc(*codec), float(fps), size)
        if writer.isOpened():
            break
        writer.release()
    else:
        writer = None
    if writer is not None:
        try:
            for frame in _chain(first, frames):
                writer.write(cv2.cvtColor(np.ascontiguousarray(frame[: size[1], : size[0]]), cv2.COLOR_RGB2BGR))
        finally:
            writer.release()
        if partial.is_file() and partial.stat().st_size > 0:
            os.replace(partial, target)
            return target
        partial.unlink(missing_ok=True)
        raise OSError(f"{target}: the video encoder wrote nothing")
    return _write_webp(stem.with_suffix(".webp"), _chain(first, frames), fps)


@contextmanager
def _quiet_stderr():
    """Silence file descriptor 2 (C libraries' messages) for the block."""
    import os
    import sys

    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _chain(first, rest):
    yield first
    yield from rest


def _write_webp(path: Path, frames: Iterable[np.ndarray], fps: float) -> Path:
    import io

    from PIL import Image

    from trackbench.textio import atomic_write_bytes

    images = [Image.fromarray(frame) for frame in frames]
    buffer = io.BytesIO()
    images[0].save(buffer, format="WEBP", save_all=True, append_images=images[1:], duration=int(1000 / fps), loop=0,
                   quality=70)
    atomic_write_bytes(path, buffer.getvalue())
    return path


def iou_timeline(playbacks: Mapping[str, TrackPlayback], styles: Mapping[str, TrackerStyle], title: str,
                 first_number: int = 1):
    """IoU over frames, one panel per tracker (report styles, shared frame axis), VOT
    failures (x at 0) and re-initialisations (^) marked; returns a matplotlib Figure."""
    from trackbench.report.plots import new_figure

    count = max(1, len(playbacks))
    figure = new_figure(6.0, 0.45 + 0.75 * count)
    axes_list = figure.subplots(count, 1, sharex=True, squeeze=False)[:, 0]
    longest = max((len(p.iou) for p in playbacks.values()), default=1)
    for axes, (tracker, playback) in zip(axes_list, playbacks.items()):
        style = styles[tracker]
        frames = np.arange(len(playback.iou)) + first_number
        axes.plot(frames, playback.iou, color=style.color, linestyle=style.linestyle, linewidth=1.1, label=style.name)
        if len(playback.failures):
            axes.plot(playback.failures + first_number, np.zeros(len(playback.failures)), linestyle="none", marker="x",
                      markersize=6, color="#b30000", markeredgewidth=1.6, label="failure")
        if len(playback.restarts):
            axes.plot(playback.restarts + first_number, np.full(len(playback.restarts), 0.06), linestyle="none",
                      marker="^", markersize=4, color="#333333", label="re-initialisation")
        mean = np.nanmean(playback.iou) if np.any(np.isfinite(playback.iou)) else float("nan")
        axes.text(1.005, 0.5, f"{style.name}\nmean {mean:.2f}", transform=axes.transAxes, va="center", ha="left",
                  fontsize="x-small", color=style.color, fontweight="bold" if style.highlight else "normal")
        axes.set_ylim(-0.05, 1.05)
        axes.set_yticks([0.0, 0.5, 1.0])
        axes.tick_params(labelsize="x-small")
        axes.grid(True, linestyle=":", linewidth=0.6, color="#999999")
    axes_list[0].set_xlim(first_number, first_number + longest - 1 + 1e-9)
    axes_list[0].set_title(title, fontsize="medium", fontweight="bold")
    axes_list[-1].set_xlabel("Frame")
    figure.supylabel("IoU", fontsize="small")
    figure.tight_layout()
    figure.subplots_adjust(right=0.8, hspace=0.15)
    return figure


#: Longest video written; longer sequences are subsampled evenly (the strip and the
#: timeline always cover every frame).
MAX_VIDEO_FRAMES = 900


@dataclass
class SequenceView:
    """The files of one sequence's viewer (paths; ``None`` where not written):
    ``strip`` key frames (JPEG), ``video`` (WebM or animated WebP), ``timeline`` IoU plot (figure object
    for the caller to save); ``frames`` the sequence length, ``video_step`` the subsampling."""

    sequence: str
    frames: int
    strip: Path | None
    video: Path | None
    timeline: object
    video_step: int = 1
    key_frames: list[int] = field(default_factory=list)


def build_sequence_view(sequence, playbacks: Mapping[str, TrackPlayback], styles: Mapping[str, TrackerStyle],
                        folder: str | Path, stem: str, *, title: str | None = None, video: bool = True,
                        key_count: int = KEY_FRAMES, max_video_frames: int = MAX_VIDEO_FRAMES) -> SequenceView:
    """Write ``<stem>-strip.jpg`` and ``<stem>.webm`` (or ``.webp``) into ``folder`` when the
    sequence's images exist, and return the view with its IoU timeline figure. Without
    images only the timeline is made. ``sequence`` is a :class:`trackbench.sequence.Sequence`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    length = len(sequence)
    timeline = iou_timeline(playbacks, styles, title or f"IoU over time: {sequence.name}", sequence.start_frame)
    if not sequence.has_images():
        return SequenceView(sequence.name, length, None, None, timeline)
    keys = key_frames(length, key_count)

    def drawn(indices):
        for index in indices:
            image = sequence.image(index)
            scale = frame_scale((image.shape[1], image.shape[0]))
            regions = {t: p.regions[index] for t, p in playbacks.items() if index < len(p.regions)}
            yield draw_frame(image, sequence.start_frame + index, sequence.ground_truth[index], regions, styles,
                             scale=scale)

    strip = write_image(folder / f"{stem}-strip.jpg", key_frame_strip(list(drawn(keys))))
    step = max(1, -(-length // max_video_frames))
    movie = write_video(folder / stem, drawn(range(0, length, step)), fps=VIDEO_FPS) \
        if video else None
    return SequenceView(sequence.name, length, strip, movie, timeline, step, keys)
