"""Per-sequence attribute names of OTB (11), LaSOT (14), UAV123 (12) and DTB70 (11), short and long forms."""

from __future__ import annotations

OTB_ATTRIBUTES = ("IV", "OPR", "SV", "OCC", "DEF", "MB", "FM", "IPR", "OV", "BC", "LR")
"""OTB order of the toolkit's ``anno/att`` files."""

LASOT_ATTRIBUTES = ("IV", "POC", "DEF", "MB", "CM", "ROT", "BC", "VC", "SV", "FOC", "FM", "OV", "LR", "ARC")
"""LaSOT order of the toolkit's ``annos/att`` files."""

UAV_ATTRIBUTES = ("SV", "ARC", "LR", "FM", "FOC", "POC", "OV", "BC", "IV", "VC", "CM", "SOB")
"""UAV123 / UAV20L order of the toolkit's ``anno/<version>/att`` files (pytracking's
``UAV123_attributes.json`` lists the same order)."""

DTB70_ATTRIBUTES = ("SV", "ARV", "OCC", "DEF", "FCM", "IPR", "OPR", "OV", "BC", "SOA", "MB")
"""DTB70 order of the attribute flag files (the attribute table of the DTB70 paper, Li and
Yeung, AAAI 2017; the per-attribute sequence counts 22, 25, 17, 18, 41, 47, 6, 7, 13, 27, 27
of the real files follow it)."""

VOT_TAGS = ("camera_motion", "illum_change", "motion_change", "size_change", "occlusion")
"""VOT per-frame visual attributes (tags); a frame with none of them is 'empty'."""

LONG_NAMES = {
    "IV": "Illumination Variation",
    "OPR": "Out-of-Plane Rotation",
    "SV": "Scale Variation",
    "OCC": "Occlusion",
    "DEF": "Deformation",
    "MB": "Motion Blur",
    "FM": "Fast Motion",
    "IPR": "In-Plane Rotation",
    "OV": "Out-of-View",
    "BC": "Background Clutter",
    "LR": "Low Resolution",
    "POC": "Partial Occlusion",
    "CM": "Camera Motion",
    "ROT": "Rotation",
    "VC": "Viewpoint Change",
    "FOC": "Full Occlusion",
    "ARC": "Aspect Ratio Change",
    "SOB": "Similar Object",
    "ARV": "Aspect Ratio Variation",
    "FCM": "Fast Camera Motion",
    "SOA": "Similar Objects Around",
}
"""Short name -> long name as printed in plot titles (OTB writes "Background Clutters")."""

_BY_LONG_NAME = {"".join(c for c in v.lower() if c.isalnum()): k for k, v in LONG_NAMES.items()}
_BY_LONG_NAME["backgroundclutters"] = "BC"


def short_attribute_name(name: str) -> str:
    """``"Illumination Variation"`` -> ``"IV"``; short names and unknown names unchanged."""
    key = "".join(c for c in name.lower() if c.isalnum())
    return _BY_LONG_NAME.get(key, name.strip())


def family_attributes(family: str | None) -> tuple[str, ...]:
    """The attribute names of a benchmark family (empty for families without attributes)."""
    return {"otb": OTB_ATTRIBUTES, "lasot": LASOT_ATTRIBUTES, "uav": UAV_ATTRIBUTES,
            "dtb70": DTB70_ATTRIBUTES}.get(family or "", ())


def family_tags(family: str | None) -> tuple[str, ...]:
    """The per-frame tag names of a benchmark family (empty for families without tags)."""
    return {"vot": VOT_TAGS}.get(family or "", ())
