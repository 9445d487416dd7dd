"""Open a generated report in headless Chromium: every image loads, the tables are there.

Skipped, with the reason, where no Chromium binary exists or it cannot start.
"""

from __future__ import annotations

import re
import subprocess

import numpy as np
import pytest

from helpers.chromium import FLAGS, chromium_binary
from helpers.report_fakes import ope_evaluation, random_checkpoint
from trackbench.report.html import ReportSpec, write_report
from trackbench.suites import FAMILIES
from trackbench.trackers.imsiam.analysis.report_sections import ablation_section, svd_section
from trackbench.trackers.imsiam.analysis.svd import analyze_checkpoint

CHROMIUM_FLAGS = FLAGS


def run_chromium(binary: str, profile, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run([binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"Chromium cannot run here: {exc}")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    evaluations = [ope_evaluation("SiamRPN++", 2.3, 1), ope_evaluation("SiamBAN", 2.6, 2),
                   ope_evaluation('<script>alert("x")</script>', 1.1, 3)]
    components = {
        "SiamRPN++": {"stages": [4], "pdw_xcorr": False, "l1_difference": False, "search_identity": True,
                      "cls_cen_reg": True, "iou": False},
        "SiamBAN": {"stages": [2, 3, 4], "pdw_xcorr": True, "l1_difference": True, "search_identity": True,
                    "cls_cen_reg": True, "iou": True},
    }
    random_checkpoint(folder / "ck.pth", channels=16)
    spec = ReportSpec("otb2015", FAMILIES["otb"], "OTB2015", dataset_sequences=4)
    page = write_report(folder / "report.html", evaluations, spec,
                        sections=[ablation_section(components), svd_section(analyze_checkpoint(folder / "ck.pth"))])
    return page


def test_report_in_headless_chromium(report, tmp_path):
    binary = chromium_binary()
    source = report.read_text(encoding="utf-8")
    expected_images = source.count("<img ")
    assert expected_images >= 4
    url = report.resolve().as_uri()
    dom = run_chromium(binary, tmp_path / "profile-dom", "--virtual-time-budget=5000", "--dump-dom", url)
    if dom.returncode != 0 or "<html" not in dom.stdout:
        pytest.skip(f"Chromium cannot run here (exit {dom.returncode}): {dom.stderr.strip().splitlines()[-1:]}")
    body = re.search(r"<body[^>]*>", dom.stdout).group(0)
    loaded = re.search(r'data-images-loaded="(\d+)"', body)
    total = re.search(r'data-images-total="(\d+)"', body)
    assert loaded and total, f"the page's script did not run: {body}"
    assert int(total.group(1)) == expected_images
    assert int(loaded.group(1)) == expected_images, "some images did not load"
    for table in ("summary-table", "ablation-table", "svd-table"):
        assert f'id="{table}"' in dom.stdout
    assert 'class="sortable attribute-table"' in dom.stdout
    assert dom.stdout.count("<script") == 1  # the injected name stayed text
    assert "&lt;script&gt;alert" in dom.stdout

    shot = tmp_path / "report.png"
    result = run_chromium(binary, tmp_path / "profile-shot", f"--screenshot={shot}", "--window-size=1280,2000", url)
    assert result.returncode == 0 and shot.is_file(), result.stderr[-500:]
    from PIL import Image

    image = np.asarray(Image.open(shot).convert("L"), dtype=np.float64)
    assert image.shape == (2000, 1280)
    assert image.std() > 10  # not a blank page
