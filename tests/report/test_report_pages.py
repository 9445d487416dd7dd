"""Reports of real published results opened in headless Chromium (driven over the DevTools
pipe): every image and video loads, every table-of-contents link resolves, and the rank
column sorts numerically after a scripted click."""

from __future__ import annotations

from pathlib import Path


from helpers.chromium import PAGE_CHECKS, Browser
from helpers.report_fakes import ope_evaluation
from trackbench.cli import main
from trackbench.report.html import ReportSpec, write_report
from trackbench.suites import FAMILIES


def check_page(page: Path, tmp_path: Path, videos: int | None = None) -> dict:
    with Browser(tmp_path / "chromium-profile") as browser:
        browser.open(page.resolve().as_uri())
        found = browser.evaluate(PAGE_CHECKS)
    assert found["images"] > 0 and found["imagesLoaded"] == found["images"], found
    assert found["videosLoaded"] == found["videos"], found
    if videos is not None:
        assert found["videos"] == videos
    assert found["toc"] and not found["tocMissing"], found
    count = len(found["ascending"])
    assert found["ascending"] == [str(i) for i in range(1, count + 1)]
    assert found["descending"] == [str(i) for i in range(count, 0, -1)]
    assert found["scripts"] == 1
    return found


def test_otb100_report_of_every_otb_tracker(shared_data, tmp_path, capsys):
    """The three published result folders and the MATLAB toolkit's own CSK, TLD and MEEM
    results (imported from their .mat files)."""
    otb = shared_data / "otb100"
    results = sorted(str(p) for p in (otb / "results").iterdir())
    for tracker in ("CSK", "TLD", "MEEM"):
        folder = tmp_path / "mat" / tracker
        folder.mkdir(parents=True)
        for path in sorted((otb / "matlab" / "results_OPE").glob(f"*_{tracker}.mat")):
            (folder / path.name).symlink_to(path)
        assert main(["import", str(folder), "--suite", "otb2015", "--root", str(otb), "--out", str(tmp_path / "imported")]) == 0
        results.append(str(tmp_path / "imported" / "otb2015" / tracker))
    assert main(["report", "--suite", "otb2015", "--root", str(otb), "--out", str(tmp_path / "otb"),
                 "--figures", "png,pdf,svg", *results]) == 0
    page = tmp_path / "otb" / "index.html"
    found = check_page(page, tmp_path)
    assert len(found["ascending"]) == 6
    assert {"#summary", "#plots", "#significance", "#attributes", "#sequences", "#glossary"} <= set(found["toc"])
    figures = tmp_path / "otb" / "figures"
    for stem in ("success-plot", "precision-plot"):
        assert all((figures / f"{stem}.{fmt}").stat().st_size > 1000 for fmt in ("png", "pdf", "svg"))
    assert (figures / "styles.yaml").is_file()


def test_vot2018_report(shared_data, tmp_path):
    vot = shared_data / "vot2018"
    results = sorted(str(p) for p in (vot / "results").iterdir())
    assert main(["report", "--suite", "vot2018", "--root", str(vot / "VOT2018.json"), "--rules", "pysot",
                 "--out", str(tmp_path / "vot"), *results]) == 0
    found = check_page(tmp_path / "vot" / "index.html", tmp_path)
    assert "#tags" in found["toc"]


def test_lasot_report(shared_data, tmp_path):
    lasot = shared_data / "lasot"
    names = (lasot / "testing_set.txt").read_text().split()[:24]
    results = sorted(str(p) for p in (lasot / "results").iterdir())
    assert main(["report", "--suite", "lasot", "--root", str(lasot), "--sequences", ",".join(names),
                 "--out", str(tmp_path / "lasot"), *results]) == 0
    check_page(tmp_path / "lasot" / "index.html", tmp_path)


def test_single_file_page_holds_its_figures(shared_data, tmp_path):
    otb = shared_data / "otb100"
    results = sorted(str(p) for p in (otb / "results").iterdir())
    assert main(["report", "--suite", "otb2015", "--root", str(otb), "--sequences", "Basketball,Bird1,Biker,Car4",
                 "--out", str(tmp_path / "one"), "--single-file", *results]) == 0
    page = tmp_path / "one" / "index.html"
    alone = tmp_path / "alone" / "index.html"  # the page without its folders
    alone.parent.mkdir()
    alone.write_bytes(page.read_bytes())
    text = alone.read_text(encoding="utf-8")
    assert 'src="data:image/png;base64,' in text and 'src="figures/' not in text
    check_page(alone, tmp_path)


def test_rank_sorts_as_numbers_with_twelve_trackers(tmp_path):
    """With ten or more rows a text sort would give 1, 10, 11, 12, 2, ..."""
    evaluations = [ope_evaluation(f"T{i:02d}", 1.0 + i / 4, i) for i in range(12)]
    spec = ReportSpec("otb2015", FAMILIES["otb"], "OTB2015", dataset_sequences=4)
    page = write_report(tmp_path / "many" / "index.html", evaluations, spec)
    found = check_page(page, tmp_path)
    assert len(found["ascending"]) == 12


def test_sequence_viewer_on_real_frames(shared_data, tmp_path, capsys):
    """KCF and CSRT run on the real Crossing frames; the page shows their video."""
    root = shared_data / "sequences" / "otb"
    for tracker in ("opencv-kcf", "opencv-csrt"):
        assert main(["run", tracker, "--suite", "custom", "--root", str(root), "--sequences", "Crossing",
                     "--out", str(tmp_path / "results"), "--no-progress"]) == 0
    runs = sorted(str(p) for p in (tmp_path / "results" / "custom").iterdir() if p.is_dir())
    assert len(runs) == 2
    assert main(["report", "--suite", "custom", "--root", str(root), "--sequences", "Crossing",
                 "--out", str(tmp_path / "view"), *runs]) == 0
    found = check_page(tmp_path / "view" / "index.html", tmp_path, videos=1)
    assert "#viewer" in found["toc"]
    # the same video from the command line
    assert main(["show", *runs, "--suite", "custom", "--root", str(root), "--sequence", "Crossing",
                 "--out", str(tmp_path / "show")]) == 0
    written = sorted(p.name for p in (tmp_path / "show").iterdir())
    assert written[:2] == ["crossing-iou.png", "crossing-strip.jpg"] and written[2] in ("crossing.webm", "crossing.webp")


def test_one_style_per_tracker_across_every_plot(shared_data, tmp_path, monkeypatch):
    """Read back every line of every plot of the OTB100 report: a tracker has one colour,
    line style and width everywhere, although its rank changes between plots."""
    import re

    import matplotlib.colors

    from trackbench.report import plots

    drawn = []
    real_save = plots.save_figure
    monkeypatch.setattr(plots, "save_figure", lambda figure, path, dpi=110: (drawn.append(figure), real_save(figure, path, dpi))[1])
    otb = shared_data / "otb100"
    results = sorted(str(p) for p in (otb / "results").iterdir())
    assert main(["report", "--suite", "otb2015", "--root", str(otb), "--out", str(tmp_path / "otb"), "--viewer", "none",
                 "--names", "SiamRPN++=SiamRPN++ (r50)", *results]) == 0
    looks: dict[str, set] = {}
    orders = set()
    for figure in drawn:
        for axes in figure.axes:
            order = []
            for line in axes.get_lines():
                match = re.fullmatch(r"\[\d\.\d{3}\] (.+)", str(line.get_label()))
                if match:
                    name = match.group(1)
                    order.append(name)
                    looks.setdefault(name, set()).add((matplotlib.colors.to_hex(line.get_color()), line.get_linestyle(),
                                                       line.get_linewidth()))
            if order:
                orders.add(tuple(order))
    assert set(looks) == {"SiamBAN", "SiamRPN++ (r50)", "DaSiamRPN"}  # display names
    assert all(len(styles) == 1 for styles in looks.values()), looks
    assert len({next(iter(s))[:2] for s in looks.values()}) == 3  # three distinct looks
    assert len(orders) > 1  # the ranking differs between plots, the looks do not
