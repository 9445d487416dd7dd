"""Suites: constants, names, where datasets are found, loading by suite."""

from __future__ import annotations

import dataclasses
import sys
import types
from pathlib import Path

import pytest

from helpers.paths import REPO_ROOT
from trackbench.errors import TrackbenchError
from trackbench.suites import get_suite, list_suites, resolve_root


@pytest.fixture()
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Working directory = an empty tmp folder, no dataset variables, no user config."""
    for name in list(__import__("os").environ):
        if name.startswith("TRACKBENCH_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_protocol_constants() -> None:
    expected = {"vot2016": ((108, 371), "x+w"), "vot2017": ((100, 356), "x+w"),
                "vot2018": ((100, 356), "x+w"), "vot2019": ((46, 291), "x+w-1")}
    for name, (interval, corner_rule) in expected.items():
        suite = get_suite(name)
        assert (suite.family.name, suite.protocol, suite.title) == ("vot", "supervised", name.upper())
        assert suite.eao_interval == interval and suite.corner_rule == corner_rule
        assert (suite.repetitions, suite.skip_initialize, suite.burnin) == (15, 5, 10)
    for name in ("got10k-val", "got10k-test"):
        assert (get_suite(name).family.name, get_suite(name).protocol, get_suite(name).repetitions) == ("got10k", "ope", 3)
    for name, family, title in (("otb2013", "otb", "OTB2013"), ("otb2015", "otb", "OTB2015"),
                                ("lasot", "lasot", "LaSOT"), ("demo", "otb", "Demo")):
        suite = get_suite(name)
        assert (suite.family.name, suite.protocol, suite.title, suite.repetitions) == (family, "ope", title, 1)
        assert suite.eao_interval is None and suite.corner_rule is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        get_suite("lasot").repetitions = 2  # type: ignore[misc]


def test_names_and_aliases() -> None:
    names = [s.name for s in list_suites()]
    for name in ("otb2013", "otb2015", "tb50", "vot2016", "vot2017", "vot2018", "vot2019",
                 "got10k-val", "got10k-test", "lasot", "demo"):
        assert name in names
    assert get_suite("otb100").name == get_suite("OTB100").name == "otb2015"
    assert get_suite("got10k_val").name == "got10k-val"
    with pytest.raises(TrackbenchError) as error:
        get_suite("otb2099")
    assert "unknown suite 'otb2099'" in str(error.value) and "lasot" in str(error.value)


def test_root_search_order(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_root("lasot") == Path("datasets/lasot")  # nothing exists: the default
    (clean_env / "datasets" / "otb").mkdir(parents=True)
    assert resolve_root("otb2013") == Path("datasets/otb")  # the family's shared folder
    (clean_env / "datasets" / "otb2013").mkdir()
    assert resolve_root("otb2013") == Path("datasets/otb2013")
    shared = clean_env / "shared"
    (shared / "otb2013").mkdir(parents=True)
    monkeypatch.setenv("TRACKBENCH_DATASETS", str(shared))
    assert resolve_root("otb2013") == shared / "otb2013"
    config = clean_env / "config" / "trackbench" / "config.yaml"
    config.parent.mkdir(parents=True)
    config.write_text(f"datasets:\n  otb2013: {clean_env / 'mine'}\n")
    assert resolve_root("otb2013") == clean_env / "mine"  # explicit, even if missing
    monkeypatch.setenv("TRACKBENCH_OTB2013_ROOT", str(clean_env / "env"))
    assert resolve_root("otb2013") == clean_env / "env"
    assert resolve_root("otb2013", clean_env / "given") == clean_env / "given"
    config.write_text("datasets:\n  otb2099: /x\n")
    with pytest.raises(TrackbenchError) as error:
        resolve_root("lasot")
    assert str(error.value).startswith(f"{config}: unknown key datasets.otb2099")
    config.write_text(f"datasets:\n  otb2013: {clean_env / 'mine'}\ndataset:\n  lasot: /x\n")  # a typo
    with pytest.raises(TrackbenchError) as error:
        resolve_root("lasot")
    assert str(error.value) == f"{config}: unknown key 'dataset' (known: datasets, models)"


def test_missing_dataset_message(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKBENCH_DATASETS", str(clean_env / "shared"))
    with pytest.raises(TrackbenchError) as error:
        get_suite("got10k-val").load()
    message = str(error.value)
    assert "\n" not in message
    for place in ("shared/got10k-val", "shared/got10k", "datasets/got10k-val", "datasets/got10k",
                  "TRACKBENCH_GOT10K_VAL_ROOT", "datasets/README.md"):
        assert place in message
    with pytest.raises(TrackbenchError) as error:
        get_suite("lasot").load(clean_env / "nowhere")
    assert f"{clean_env / 'nowhere'} (--root)" in str(error.value)


def test_load_from_pysot_json(shared_data: Path) -> None:
    vot = get_suite("vot2018").load(shared_data / "vot2018" / "VOT2018.json")
    assert (len(vot), vot.total_frames, vot.name) == (60, 21356, "vot2018")
    # A folder without list.txt but with the suite's pysot JSON is read through the JSON.
    assert len(get_suite("vot2018").load(shared_data / "vot2018", ["ants1", "bag"])) == 2
    otb2013 = get_suite("otb2013").load(shared_data / "otb100" / "OTB100.pysot.json")
    assert len(otb2013) == 51 and otb2013.get("Jogging-2") is not None


def test_load_otb_toolkit_folder_and_subset(shared_data: Path) -> None:
    tb50 = get_suite("tb50").load(shared_data / "otb100")
    assert len(tb50) == 50
    subset = get_suite("otb100").load(shared_data / "otb100", ["tiger1", "Skating2.1"])
    assert [s.name for s in subset] == ["Tiger1", "Skating2-1"]
    assert subset["Tiger1"].start_frame == 6


def test_demo_suite_generates_then_reads_otb_layout(clean_env: Path, monkeypatch: pytest.MonkeyPatch, shared_data: Path) -> None:
    calls = []

    def ensure_demo(root: Path) -> Path:  # stands in for F's generator
        calls.append(Path(root))
        folder = Path(root) / "Couple"
        if not folder.exists():
            folder.mkdir(parents=True)
            source = shared_data / "sequences" / "otb" / "Couple"
            (folder / "groundtruth_rect.txt").write_text((source / "groundtruth_rect.txt").read_text())
            (folder / "attrs.txt").write_text("SV, OCC\n")
        return Path(root)

    monkeypatch.setitem(sys.modules, "trackbench.data.demo", types.SimpleNamespace(ensure_demo=ensure_demo))
    demo = get_suite("demo").load()
    assert calls == [Path("datasets/demo")]
    assert [s.name for s in demo] == ["Couple"] and len(demo["Couple"]) == 140
    assert demo["Couple"].attributes["OCC"] and not demo["Couple"].attributes["IV"]
    get_suite("demo").load(clean_env / "elsewhere")
    assert calls[-1] == clean_env / "elsewhere"


def test_require_images(shared_data: Path) -> None:
    with pytest.raises(TrackbenchError) as error:
        get_suite("vot2018").load(shared_data / "vot2018" / "VOT2018.json", ["ants1"], require_images=True)
    assert str(error.value).startswith(str(shared_data / "vot2018" / "ants1" / "color"))
    bag = get_suite("custom").load(shared_data / "sequences" / "vot", require_images=True)
    assert bag["bag"].has_images()


def test_datasets_check_command(shared_data: Path, capsys: pytest.CaptureFixture[str], clean_env: Path) -> None:
    from trackbench.cli import main

    assert main(["datasets", "check", "vot2018", "--root", str(shared_data / "vot2018" / "VOT2018.json")]) == 0
    out = capsys.readouterr().out
    assert "sequences: 60" in out and "frames: 21356" in out
    assert main(["datasets", "check", "lasot"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("trackbench: error: dataset for suite 'lasot' not found") and "\n" not in err
    json_root = str(shared_data / "vot2018" / "VOT2018.json")
    assert main(["datasets", "check", "--suite", "vot2018", "--root", json_root, "--sequences", "ants1,bag"]) == 0
    assert "sequences: 2" in capsys.readouterr().out
    assert main(["datasets", "check", "vot2018", "--suite", "lasot"]) == 2
    assert "two suites given" in capsys.readouterr().err
    assert main(["datasets", "check"]) == 2
    assert "give --suite SUITE" in capsys.readouterr().err


def test_every_family_record_names_things_that_exist():
    """Each family's columns, rank key, figures, layout and protocol are known to the code
    that reads them (eval table, ranking, report, runner)."""
    from trackbench.metrics.evaluate import METRIC_KEYS
    from trackbench.report.figures import FIGURES
    from trackbench.results.layout import LAYOUTS
    from trackbench.suites import FAMILIES, list_suites

    assert sorted(FAMILIES) == ["dtb70", "got10k", "lasot", "nfs", "otb", "otb-sre", "otb-tre", "tc128", "tnl2k",
                                "trackingnet", "uav", "vot", "vot-lt", "vot-realtime"]
    for family in FAMILIES.values():
        assert set(family.columns) <= set(METRIC_KEYS) and family.rank_key in family.columns
        assert set(family.figures) <= set(FIGURES) and family.layout in LAYOUTS
        assert family.protocol in ("ope", "supervised", "longterm", "realtime", "tre", "sre") and callable(family.evaluate)
        assert family.breakdown in ("per_attribute", "per_tag")
    for suite in list_suites():
        assert suite.family is FAMILIES[suite.family.name]
        # VOT constants come from the suite record (the VOT toolkit's values, docs/metrics.md §5)
        if suite.protocol == "supervised":
            assert (suite.burnin, suite.skip_initialize, suite.repetitions) == (10, 5, 15)
            assert suite.eao_interval is not None and suite.corner_rule in ("x+w", "x+w-1")


def test_no_benchmark_name_is_tested_outside_the_suite_records():
    """Benchmark knowledge lives in trackbench/suites/: no other harness module compares a
    family or suite name with a literal (``family == "vot"``, ``suite.name in (...)``)."""
    import re

    pattern = re.compile(r"""(family|suite\.name|\.reader)\s*(==|!=|in)\s*[("'\[]""")
    root = REPO_ROOT / "trackbench"
    offenders = [f"{path.relative_to(root)}:{number}" for path in root.rglob("*.py") if "suites" not in path.parts
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                 if pattern.search(line)]
    assert offenders == []
