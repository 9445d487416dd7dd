"""Reports over real published results (../shared/data): the numbers shown in the page's
plot legends and tables are the ones `trackbench eval` computes on the same data, and
land on the recomputed values of ../shared/data/README.md."""

from __future__ import annotations

import json
import re
import tarfile
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from trackbench.cli import main




class ImageAlts(HTMLParser):
    """Alt texts of the page's images: each plot's title and legend entries."""

    def __init__(self):
        super().__init__()
        self.alts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.alts.append(dict(attrs).get("alt", ""))


def legend_of(page: Path, title: str) -> list[str]:
    parser = ImageAlts()
    parser.feed(page.read_text(encoding="utf-8"))
    matches = [alt for alt in parser.alts if alt.startswith(title + ":")]
    assert len(matches) == 1, (title, parser.alts)
    return matches[0][len(title) + 1:].strip().split("; ")


def eval_json(capsys, args: list[str]) -> dict[str, dict]:
    capsys.readouterr()
    assert main(["eval", *args, "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    return {record["tracker"]: record for record in records}


def expected_legend(records: dict[str, dict], metric: str) -> list[str]:
    ranked = sorted(records.values(), key=lambda r: (-r["metrics"][metric], r["tracker"]))
    return [f"[{r['metrics'][metric]:.3f}] {r['tracker']}" for r in ranked]


def summary_of(page: Path) -> pd.DataFrame:
    return pd.read_csv(page.parent / f"{page.stem}_files" / "summary.csv", index_col=0)


def test_otb100_report_matches_eval(shared_data, tmp_path, capsys):
    otb = shared_data / "otb100"
    dirs = [str(otb / "results" / name) for name in ("SiamRPN++", "SiamBAN", "DaSiamRPN")]
    common = ["--suite", "otb2015", "--root", str(otb)]
    page = tmp_path / "otb.html"
    assert main(["report", *common, "--out", str(page.parent), "--html", page.stem, *dirs]) == 0
    records = eval_json(capsys, [*common, *dirs])
    assert legend_of(page, "Success plots of OPE on OTB2015") == expected_legend(records, "success_auc")
    assert legend_of(page, "Precision plots of OPE on OTB2015") == expected_legend(records, "precision")
    # Official MATLAB rules, ../shared/data/README.md (recomputed AUC / precision).
    published = {"SiamRPN++": (0.6953, 0.9054), "SiamBAN": (0.6958, 0.9103), "DaSiamRPN": (0.6578, 0.8807)}
    summary = summary_of(page)
    for name, (auc, precision) in published.items():
        assert summary.loc[name, "success_auc"] == pytest.approx(auc, abs=6e-4)
        assert summary.loc[name, "precision"] == pytest.approx(precision, abs=6e-4)
        assert summary.loc[name, "success_auc"] == pytest.approx(records[name]["metrics"]["success_auc"], abs=5e-5)
    html = page.read_text(encoding="utf-8")
    assert 'id="attribute-table"' in html and 'class="sequence-table"' in html


def test_vot2018_report_matches_eval(shared_data, tmp_path, capsys):
    vot = shared_data / "vot2018"
    dirs = [str(vot / "results" / name) for name in ("LightTrack", "NanoTrackV1")]
    common = ["--suite", "vot2018", "--root", str(vot / "VOT2018.json"), "--rules", "pysot"]
    page = tmp_path / "vot.html"
    assert main(["report", *common, "--out", str(page.parent), "--html", page.stem, *dirs]) == 0
    records = eval_json(capsys, [*common, *dirs])
    assert legend_of(page, "Expected overlap curves on VOT2018") == \
        ["EAO interval [100, 356]"] + expected_legend(records, "eao")
    summary = summary_of(page)
    for name, (eao, accuracy, failures) in {"LightTrack": (0.4182, 0.5292, 38), "NanoTrackV1": (0.3113, 0.5424, 70)}.items():
        assert summary.loc[name, "eao"] == pytest.approx(eao, abs=6e-4)
        assert summary.loc[name, "accuracy"] == pytest.approx(accuracy, abs=6e-4)
        assert summary.loc[name, "failures"] == pytest.approx(failures)
        assert summary.loc[name, "eao"] == pytest.approx(records[name]["metrics"]["eao"], abs=5e-5)
    parser = ImageAlts()
    parser.feed(page.read_text(encoding="utf-8"))
    assert any(alt.startswith("Expected average overlap on VOT2018") for alt in parser.alts)
    assert any(alt.startswith("AR plot on VOT2018") for alt in parser.alts)


LASOT_SUBSET = ["airplane-1", "basketball-1", "bear-2", "bicycle-7", "bird-15", "boat-3", "book-10", "bottle-12",
                "car-2", "cat-1", "crab-3", "deer-4"]


def lasot_subset_root(lasot: Path, folder: Path) -> Path:
    """A LaSOT toolkit-layout root holding only LASOT_SUBSET (annotations read from shared data)."""
    for sub in ("annos", "annos/absent", "annos/att"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
        for name in LASOT_SUBSET:
            (folder / sub / f"{name}.txt").write_bytes((lasot / sub / f"{name}.txt").read_bytes())
    (folder / "testing_set.txt").write_text("\n".join(LASOT_SUBSET) + "\n")
    return folder


def test_lasot_subset_report_matches_eval(shared_data, tmp_path, capsys):
    lasot = shared_data / "lasot"
    root = lasot_subset_root(lasot, tmp_path / "lasot")
    archives = []  # the subset's result files, taken from the published archives
    for tracker in ("SiamRPN++", "DiMP50"):
        (tmp_path / "results" / tracker).mkdir(parents=True)
        with tarfile.open(lasot / "results" / f"{tracker}.tar.xz", "r|xz") as archive:  # one sequential pass
            for member in archive:
                if member.isfile() and Path(member.name).stem in LASOT_SUBSET:
                    data = archive.extractfile(member).read()
                    (tmp_path / "results" / tracker / Path(member.name).name).write_bytes(data)
        archives.append(str(tmp_path / "results" / tracker))
    common = ["--suite", "lasot", "--root", str(root)]
    page = tmp_path / "lasot.html"
    assert main(["report", *common, "--out", str(page.parent), "--html", page.stem, *archives]) == 0
    records = eval_json(capsys, [*common, *archives])
    assert sorted(records) == ["DiMP50", "SiamRPN++"]
    assert all(r["sequences"] == len(LASOT_SUBSET) for r in records.values())
    assert legend_of(page, "Success plots of OPE on LaSOT") == expected_legend(records, "success_auc")
    assert legend_of(page, "Precision plots of OPE on LaSOT") == expected_legend(records, "precision")
    assert legend_of(page, "Normalized Precision plots of OPE on LaSOT") == expected_legend(records, "norm_precision")
    summary = summary_of(page)
    for name, record in records.items():
        for metric in ("success_auc", "precision", "norm_precision"):
            assert summary.loc[name, metric] == pytest.approx(record["metrics"][metric], abs=5e-5)
    html = page.read_text(encoding="utf-8")
    assert re.search(r"sequences <b>12</b>", html) and 'id="attribute-table"' in html
