"""OTB (OTB2013, OTB2015 = TB-100, TB-50): one-pass evaluation, success / precision plots.

Folder layout and lists: :mod:`trackbench.data.otb`; metric rules: docs/metrics.md (OTB).
"""

from __future__ import annotations

from pathlib import Path

from trackbench.data.otb import otb_sequence_list, read_otb
from trackbench.metrics.evaluate import evaluate_one_pass
from trackbench.metrics.evaluate_protocols import evaluate_robustness_folder, with_robustness
from trackbench.sequence import Dataset
from trackbench.suites.base import Family, Reader, Suite

OPE_COLUMNS = ("success_auc", "precision", "norm_precision", "success_50", "success_75", "fps")


def _read(suite: Suite, path: Path, sequences: list[str] | None, require_images: bool) -> Dataset:
    return read_otb(path, sequences, sequence_list=suite.split, name=suite.name, require_images=require_images)


def _has_native_layout(path: Path) -> bool:
    return (path / "anno").is_dir() or next(path.glob("*/groundtruth_rect*.txt"), None) is not None


def _json_sequences(split: str | None) -> list[str] | None:
    return otb_sequence_list(split) if split else None


def one_pass_family(name: str, reader: Reader, **fields) -> Family:
    """A family record scored like OTB: one pass, :data:`OPE_COLUMNS`, ranked by success AUC,
    success and precision plots; ``fields`` replace any of these (``evaluate``, ``figures`` ...)."""
    record = {"protocol": "ope", "layout": "ope", "evaluate": evaluate_one_pass, "columns": OPE_COLUMNS,
              "rank_key": "success_auc", "sequence_metric": "success_auc", "figures": ("success", "precision")}
    record.update(fields)
    return Family(name=name, reader=reader, **record)


READER = Reader(read=_read, has_native_layout=_has_native_layout, json_sequences=_json_sequences)

FAMILY = Family(
    name="otb", protocol="ope", layout="ope", reader=READER, evaluate=with_robustness(evaluate_one_pass),
    columns=OPE_COLUMNS, rank_key="success_auc", sequence_metric="success_auc",
    figures=("success", "precision", "ope_tre_sre"),
)


def _robustness_family(protocol: str) -> Family:
    """OTB TRE / SRE (protocols/otb_robustness.py): same reader, ``results_TRE|SRE`` .mat files."""
    return Family(
        name=f"otb-{protocol}", protocol=protocol, layout=f"otb-{protocol}", reader=READER, evaluate=evaluate_robustness_folder,
        columns=("success_auc", "precision"), rank_key="success_auc", sequence_metric="success_auc",
        figures=("success", "precision"),
    )


TRE_FAMILY = _robustness_family("tre")
SRE_FAMILY = _robustness_family("sre")

SUITES = (
    Suite("otb2013", FAMILY, "OTB2013", split="otb2013", aliases=("cvpr13",),
          folders=("otb2013", "otb"), pysot_json=("OTB2013.json",)),
    Suite("otb2015", FAMILY, "OTB2015", split="tb100", aliases=("otb100", "tb100"),
          folders=("otb2015", "otb100", "otb"), pysot_json=("OTB100.json", "OTB2015.json")),
    Suite("tb50", FAMILY, "TB-50", split="tb50", aliases=("otb50",),
          folders=("tb50", "otb"), pysot_json=("OTB50.json",)),
    *(Suite(f"{base}-{family.protocol}", family, f"{title} {family.protocol.upper()}", split=split,
            folders=(base, *more, "otb"), pysot_json=json)
      for family in (TRE_FAMILY, SRE_FAMILY)
      for base, title, split, more, json in (("otb2013", "OTB2013", "otb2013", (), ("OTB2013.json",)),
                                             ("otb2015", "OTB2015", "tb100", ("otb100",), ("OTB100.json", "OTB2015.json")))),
)
