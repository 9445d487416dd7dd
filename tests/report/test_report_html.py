"""The HTML page: escaping of user strings, assets on disk, sections per suite family, CLI."""

from __future__ import annotations

import json
import re
import sys
import types
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from helpers.report_fakes import ope_evaluation, random_checkpoint, vot_evaluation
from trackbench.cli import main
from trackbench.report.html import ReportSpec, write_report
from trackbench.suites import FAMILIES
from trackbench.trackers.imsiam.analysis.report_sections import ablation_section, svd_section
from trackbench.trackers.imsiam.analysis.svd import analyze_checkpoint

EVIL = '<script>alert("x")</script>'
QUOTED = 'Q"uote\'s <img src=x onerror=alert(1)>'


class PageParser(HTMLParser):
    """Collects tags, attributes, text and script bodies of a page."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        (self.scripts if self._in_script else self.text).append(data)

    def all(self, tag):
        return [attrs for name, attrs in self.tags if name == tag]


def parse(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def otb_report(tmp_path, **kwargs):
    evaluations = [ope_evaluation("SiamRPN++", 2.3, 1), ope_evaluation(EVIL, 2.6, 2, ["a", EVIL]),
                   ope_evaluation(QUOTED, 1.2, 3)]
    spec = ReportSpec("otb2015", FAMILIES["otb"], "OTB2015", dataset_sequences=4)
    return write_report(tmp_path / "reports" / "otb <&> 'x'.html", evaluations, spec, **kwargs), evaluations


def test_user_strings_render_as_text(tmp_path):
    page, _ = otb_report(tmp_path)
    parsed = parse(page)
    assert len(parsed.all("script")) == 1  # only the page's own script
    assert not any("alert" in body for body in parsed.scripts)
    assert not any(name == "img" and "onerror" in attrs for name, attrs in parsed.tags)
    text = "".join(parsed.text)
    assert EVIL in text and QUOTED in text  # shown literally
    for attrs in parsed.all("td"):
        assert "onerror" not in attrs


def test_assets_beside_page_with_safe_names(tmp_path):
    page, evaluations = otb_report(tmp_path)
    parsed = parse(page)
    folder = page.parent / f"{page.stem}_files"
    figures = page.parent / f"{page.stem}_figures"  # "figures" for the default page name, index
    images = [attrs["src"] for attrs in parsed.all("img")]
    links = [attrs["href"] for attrs in parsed.all("a") if not attrs["href"].startswith("#")]
    assert len(images) >= 3 and any(h.endswith(".csv") for h in links) and any(h.endswith(".tex") for h in links)
    from urllib.parse import unquote

    for reference in images + links:
        target = page.parent / unquote(reference)
        assert target.is_file() and target.parent in (folder, figures)
        assert re.fullmatch(r"[a-z0-9-]+\.(png|csv|tex|yaml)", target.name)
    assert all(page.parent / unquote(src) in figures.iterdir() for src in images)
    summary = pd.read_csv(folder / "summary.csv", index_col=0)
    by_auc = sorted(evaluations, key=lambda e: -e.metrics["success_auc"])
    assert list(summary.index) == [e.tracker for e in by_auc]
    for e in evaluations:
        assert summary.loc[e.tracker, "success_auc"] == pytest.approx(e.metrics["success_auc"], abs=5e-5)


class TableParser(HTMLParser):
    """Tables by id: lists of rows, each a list of (text, attributes) cells."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[tuple[str, dict]]]] = {}
        self._table = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._table = self.tables.setdefault(attrs.get("id", f"table{len(self.tables)}"), [])
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = ["", attrs]

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._table[-1].append((self._cell[0].strip(), self._cell[1]))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[0] += data


def tables_of(page: Path) -> dict:
    parser = TableParser()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.tables


def test_summary_table_rows_in_rank_order_with_sort_keys(tmp_path):
    page, evaluations = otb_report(tmp_path)
    header, *rows = tables_of(page)["summary-table"]
    assert [text for text, _ in header] == ["Rank", "Tracker", "AUC", "Prec@20", "FPS", "Sequences"]
    ranked = sorted(evaluations, key=lambda e: -e.metrics["success_auc"])
    assert [row[1][0] for row in rows] == [e.tracker for e in ranked]
    for row, e in zip(rows, ranked):
        assert float(row[2][1]["data-sort"]) == pytest.approx(e.metrics["success_auc"])
        assert row[2][0] == f"{e.metrics['success_auc']:.3f}"
        assert row[4][0] == f"{e.metrics['fps']:.1f}"
    assert "best" in rows[0][2][1].get("class", "")


def test_ablation_and_svd_sections(tmp_path):
    components = {
        "SiamRPN++": {"stages": [4], "pdw_xcorr": False, "l1_difference": False, "search_identity": True,
                      "cls_cen_reg": True, "iou": False},
        EVIL: {"stages": [2, 3, 4], "pdw_xcorr": True, "l1_difference": True, "search_identity": True,
               "cls_cen_reg": True, "iou": True},
    }
    random_checkpoint(tmp_path / "ck.pth")
    page, _ = otb_report(tmp_path, sections=[ablation_section(components), svd_section(analyze_checkpoint(tmp_path / "ck.pth"))])
    found = tables_of(page)
    header, *rows = found["ablation-table"]
    assert [text for text, _ in header][-1] == "AUC"
    assert [(row[0][0], sum(cell[0] == "\u2713" for cell in row)) for row in rows] == [("SiamRPN++", 2), (EVIL, 5)]
    assert len(found["svd-table"]) == 1 + 8  # 2 branches x (L, I, X, W)
    folder, figures = page.parent / f"{page.stem}_files", page.parent / f"{page.stem}_figures"
    assert (folder / "ablation.csv").is_file() and (figures / "svd.png").is_file()
    plain, _ = otb_report(tmp_path)  # the same page again, without ablation and SVD
    assert 'id="ablation-table"' not in plain.read_text(encoding="utf-8")
    assert not (folder / "ablation.csv").exists() and not (figures / "svd.png").exists()  # stale assets removed


def test_vot_report_sections(tmp_path):
    evaluations = [vot_evaluation("LightTrack", 0.418, 0.529, 0.178), vot_evaluation("NanoTrack", 0.311, 0.542, 0.328)]
    for e in evaluations:  # the summary rows the VOT evaluator adds
        e.per_tag.loc["all"] = e.per_tag.loc["pooled"] = {"accuracy": e.metrics["accuracy"]}
    spec = ReportSpec("vot2018", FAMILIES["vot"], "VOT2018", eao_interval=(100, 356))
    page = write_report(tmp_path / "vot.html", evaluations, spec)
    parsed = parse(page)
    captions = [t for t in parsed.text if "EAO" in t or "Accuracy-robustness" in t or "Expected overlap" in t]
    assert any("EAO ranking" in c for c in captions) and any("Accuracy-robustness" in c for c in captions)
    summary = pd.read_csv(page.parent / "vot_files" / "summary.csv", index_col=0)
    assert list(summary.index) == ["LightTrack", "NanoTrack"]
    assert list(summary.columns) == ["eao", "accuracy", "robustness", "failures"]
    accuracy = pd.read_csv(page.parent / "vot_files" / "tag-accuracy.csv", index_col=0)
    assert list(accuracy.columns) == ["LightTrack", "NanoTrack"]
    assert not {"all", "pooled", "weighted"} & set(accuracy.index)  # summaries have their own table
    header, *rows = tables_of(page)["tag-summary-table"]
    assert [row[0][0] for row in rows] == ["all", "pooled"]
    assert rows[1][2][0] == f"{evaluations[0].metrics['accuracy']:.3f} / –"


def test_report_command_wiring(tmp_path, monkeypatch, capsys):
    """The CLI evaluates every result dir, reads run.json components and writes the page
    (suites and evaluate replaced by stand-ins here; the real ones are in test_report_real)."""
    fakes = {"first": ope_evaluation("first", 2.0), "second": ope_evaluation("second", 1.0)}
    for name in fakes:
        (tmp_path / name).mkdir()
        (tmp_path / name / "run.json").write_text(json.dumps(
            {"tracker_config": {"components": {"stages": [4], "iou": name == "first"}}}))
    suite = types.SimpleNamespace(name="otb2015", family=FAMILIES["otb"], title="OTB2015", eao_interval=None, corner_rule=None,
                                  load=lambda root, sequences: ["s"] * (len(sequences) if sequences else 100))
    monkeypatch.setitem(sys.modules, "trackbench.suites", types.SimpleNamespace(get_suite=lambda name: suite))
    monkeypatch.setitem(sys.modules, "trackbench.metrics.evaluate", types.SimpleNamespace(
        evaluate=lambda s, d, result_dir, rules: fakes[Path(result_dir).name]))
    out = tmp_path / "r" / "page.html"
    random_checkpoint(tmp_path / "ck.safetensors")
    code = main(["report", "--suite", "otb100", "--out", str(out.parent), "--html", "page", "--sequences", "a,b", "--checkpoint",
                 str(tmp_path / "ck.safetensors"), str(tmp_path / "first"), str(tmp_path / "second")])
    assert code == 0
    assert "2 trackers, 2 sequences" in capsys.readouterr().out
    found = tables_of(out)
    assert "ablation-table" in found and len(found["svd-table"]) == 9
    assert main(["report", "--suite", "otb100", "--out", str(out.parent), str(tmp_path / "missing")]) == 2
    assert "missing: result directory (or archive) not found" in capsys.readouterr().err


def test_report_labels_same_named_result_dirs_by_parent(tmp_path, monkeypatch, capsys):
    """Two result folders called X (a/X, b/X) become rows 'a/X' and 'b/X' of the page."""
    fakes = {"a": ope_evaluation("X", 2.0), "b": ope_evaluation("X", 1.0)}
    for parent in fakes:
        (tmp_path / parent / "X").mkdir(parents=True)
    suite = types.SimpleNamespace(name="otb2015", family=FAMILIES["otb"], title="OTB2015", eao_interval=None, corner_rule=None,
                                  load=lambda root, sequences: ["s"] * 100)
    monkeypatch.setitem(sys.modules, "trackbench.suites", types.SimpleNamespace(get_suite=lambda name: suite))
    monkeypatch.setitem(sys.modules, "trackbench.metrics.evaluate", types.SimpleNamespace(
        evaluate=lambda s, d, result_dir, rules: fakes[Path(result_dir).parent.name]))
    out = tmp_path / "index.html"  # the default page name inside --out
    assert main(["report", "--suite", "otb2015", "--out", str(tmp_path), str(tmp_path / "a" / "X"),
                 str(tmp_path / "b" / "X")]) == 0
    text = " ".join(parse(out).text)
    assert "a/X" in text and "b/X" in text
    assert [e.tracker for e in fakes.values()] == ["a/X", "b/X"]


def test_got10k_report_sections(tmp_path):
    from helpers.report_fakes import FakeEvaluation
    import numpy as np

    thresholds = np.linspace(0, 1, 101)
    evaluations = []
    for name, power in (("A", 1.0), ("B", 2.0)):
        curve = 1 - thresholds ** power
        evaluations.append(FakeEvaluation(
            tracker=name, suite="got10k-val", metrics={"ao": float(curve.mean()), "sr50": float(curve[50]),
                                                       "sr75": float(curve[75]), "fps": 12.5},
            curves={"got10k_success": curve}, thresholds={"got10k_success": thresholds},
            per_sequence=pd.DataFrame({"ao": [0.2, 0.9]}, index=["GOT-10k_Val_000001", "GOT-10k_Val_000002"])))
    page = write_report(tmp_path / "got.html", evaluations, ReportSpec("got10k-val", FAMILIES["got10k"], "GOT-10k"))
    header, *rows = tables_of(page)["summary-table"]
    assert [t for t, _ in header][2:] == ["AO", "SR@0.5", "SR@0.75", "FPS", "Sequences"]
    assert [row[1][0] for row in rows] == ["B", "A"]
    alts = [a.get("alt", "") for a in parse(page).all("img")]
    assert alts[0] == f"Success plots on GOT-10k: [{evaluations[1].metrics['ao']:.3f}] B; [{evaluations[0].metrics['ao']:.3f}] A"


def test_no_evaluations_is_an_error(tmp_path):
    from trackbench.errors import TrackbenchError

    with pytest.raises(TrackbenchError, match="nothing to report"):
        write_report(tmp_path / "x.html", [], ReportSpec("otb2015", FAMILIES["otb"], "OTB2015"))


def test_report_out_is_a_folder_and_rules_have_the_eval_choices(tmp_path, capsys):
    from trackbench.commands.report import report_page

    assert report_page(tmp_path, "index") == tmp_path / "index.html"
    assert report_page(tmp_path, "otb.html") == tmp_path / "otb.html"
    assert main(["report", "--suite", "otb2015", "--out", str(tmp_path / "x.html"), str(tmp_path)]) == 2
    assert "--out is a folder" in capsys.readouterr().err
    assert main(["report", "--suite", "otb2015", "--out", str(tmp_path), "--html", "../up", str(tmp_path)]) == 2
    assert "plain page name" in capsys.readouterr().err
    for command in ("eval", "report"):
        with pytest.raises(SystemExit):
            main([command, "--suite", "otb2015", "--rules", "nonsense", str(tmp_path)])
        assert "invalid choice: 'nonsense' (choose from 'got10k', 'official', 'pysot', 'pytracking', 'vot-toolkit')" in capsys.readouterr().err
