"""Per-sequence attribute names of OTB (11) and LaSOT (14), short and long forms."""

from __future__ import annotations

OTB_ATTRIBUTES = ("IV", "OPR", "SV", "OCC", "DEF", "MB", "FM", "IPR", "OV", "BC", "LR")
"""OTB order of the toolkit's ``anno/att`` files."""

LASOT_ATTRIBUTES = ("IV", "POC", "DEF", "MB", "CM", "ROT", "BC", "VC", "SV", "FOC", "FM", "OV", "LR", "ARC")
"""LaSOT order of the toolkit's ``annos/att`` files."""

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
    return {"otb": OTB_ATTRIBUTES, "lasot": LASOT_ATTRIBUTES}.get(family or "", ())


def family_tags(family: str | None) -> tuple[str, ...]:
    """The per-frame tag names of a benchmark family (empty for families without tags)."""
    return {"vot": VOT_TAGS}.get(family or "", ())
