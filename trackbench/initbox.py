"""Named initialisation-box conventions: which ``[x, y, w, h]`` a tracker is started from.

Published raw results of a code base can only be reproduced with that code base's own
rule for turning the first ground-truth region into the box it calls ``init`` with. A
rectangle is ``[x, y, w, h]`` (0-based, the harness convention); a polygon is
``[x1, y1, ..., x4, y4]``. For a polygon let ``cx, cy`` = mean of the corners,
``x1..x2`` / ``y1..y2`` its min/max extent and ``s = sqrt(|p1p2| |p2p3| / ((x2-x1)(y2-y1)))``.

``exact`` (the default): the annotation itself. Rectangle -> unchanged; polygon -> the
area-preserving box ``[cx-(w-1)/2, cy-(h-1)/2, w, h]`` with ``w = s(x2-x1)+1``,
``h = s(y2-y1)+1`` (the rule the harness has always used, as got10k and pysot do).

``pysot`` (STVIR/pysot ``tools/test.py``, ``pysot/utils/bbox.py: get_axis_aligned_bbox``;
copied by NanoTrack, SiamBAN, SiamCAR...): the centre-size box ``(cx, cy, w, h)`` becomes
``[cx-(w-1)/2, cy-(h-1)/2, w, h]``.

* OPE, rectangle: ``cx = x + w/2`` -> ``[x+0.5, y+0.5, w, h]``;
* VOT, rectangle: test.py first turns it into the polygon with corners at ``x+w-1`` /
  ``y+h-1``, which gives back ``[x, y, w, h]``;
* polygon (either protocol): the area-preserving box above.

``pyvis`` (the IMSiam authors' tankebuaa/pyvis ``workspace_imsiam/test.py``,
``utils/opbox.py``): OPE as ``pysot``; VOT uses ``get_min_max_bbox``: ``w = x2-x1``,
``h = y2-y1`` (no area scaling, no +1), ``[cx-(w-1)/2, cy-(h-1)/2, w, h]``; a VOT rectangle
(turned into corners at ``x+w-1`` first) gives ``[x+0.5, y+0.5, w-1, h-1]``.

Choosing: a tracker declares its code base's convention with the attribute
``init_box_convention`` (see :mod:`trackbench.tracker`); ``trackbench run --init-box NAME`` overrides
it (the tracker option ``init_box``); ``run.json`` records the one used.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from trackbench.errors import TrackbenchError
from trackbench.geometry import polygon_to_box_area_preserving

CONVENTIONS = ("exact", "pysot", "pyvis")
PROTOCOLS = ("ope", "vot")


def check_convention(name: str) -> str:
    if name not in CONVENTIONS:
        raise TrackbenchError(f"unknown init-box convention {name!r} (choose from {', '.join(CONVENTIONS)})")
    return name


def tracker_convention(tracker: Any) -> str:
    """The convention ``tracker`` declares (attribute ``init_box_convention``), ``exact`` if none."""
    return check_convention(str(getattr(tracker, "init_box_convention", None) or "exact"))


def init_box(region: np.ndarray, convention: str = "exact", protocol: str = "ope") -> np.ndarray:
    """The ``[x, y, w, h]`` init box for the ground-truth ``region`` (4 or 8 numbers)
    under ``convention`` and ``protocol`` (``ope`` or ``vot``); formulas in the module doc."""
    check_convention(convention)
    if protocol not in PROTOCOLS:
        raise TrackbenchError(f"unknown protocol {protocol!r} for an init box (expected ope or vot)")
    r = np.asarray(region, dtype=np.float64).reshape(-1)
    if r.shape[0] not in (4, 8):
        raise TrackbenchError(f"an init region has 4 or 8 numbers, not {r.shape[0]}")
    if convention == "exact":
        return r.copy() if len(r) == 4 else polygon_to_box_area_preserving(r)
    if len(r) == 4:
        if protocol == "ope":  # cx = x + w/2 -> x' = cx - (w-1)/2
            return np.array([r[0] + 0.5, r[1] + 0.5, r[2], r[3]])
        x, y, w, h = r  # test.py's polygon of a rectangle: corners at x+w-1, y+h-1
        r = np.array([x, y, x, y + h - 1, x + w - 1, y + h - 1, x + w - 1, y], dtype=np.float64)
    if convention == "pyvis" and protocol == "vot":
        xs, ys = r[0::2], r[1::2]
        cx, cy = xs.mean(), ys.mean()
        w, h = xs.max() - xs.min(), ys.max() - ys.min()
        return np.array([cx - (w - 1) / 2, cy - (h - 1) / 2, w, h])
    return polygon_to_box_area_preserving(r)
