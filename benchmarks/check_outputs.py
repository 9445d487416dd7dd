"""Prove a refactor changed no output: eval / import / report on every real data set.

    python benchmarks/check_outputs.py record DIR     # run every case, keep the outputs in DIR
    python benchmarks/check_outputs.py compare A B    # byte-compare two recorded folders

Run ``record`` once with the code before a change (e.g. a clone of the old commit with its
own venv) and once after, then ``compare``. Every case runs ``python -m trackbench`` with
the interpreter running this script, on the real data in ``../shared/data`` (or
``$TRACKBENCH_SHARED_DATA``). What is recorded per case: the eval table (stdout), the eval
``--json`` document, the imported result files and the whole report folder (page, PNG
figures, CSV and LaTeX tables). The only line masked is the page footer's generation time.

The report is asked for ``OUT/index.html``: with ``--out FOLDER`` where ``report --help``
says the option names a folder, else with ``--out FOLDER/index.html`` (the older CLI).
"""

from __future__ import annotations

import argparse
import filecmp
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("TRACKBENCH_SHARED_DATA", REPO / ".." / "shared" / "data")).resolve()

LASOT_SUBSET = ["airplane-1", "basketball-1", "bear-2", "bicycle-7", "bird-15", "boat-3", "book-10",
                "bottle-12", "car-2", "cat-1", "crab-3", "deer-4"]


def cli(*args: str, out: Path | None = None, may_fail: bool = False) -> str:
    """Run ``trackbench ARGS``; its stdout (written to ``out`` too). A failure stops the
    check, unless ``may_fail``: then the exit code and stderr are recorded as the output
    (an error on real data is behaviour too) and ``""`` is returned."""
    done = subprocess.run([sys.executable, "-m", "trackbench", *args], capture_output=True, text=True,
                          env={**os.environ, "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"})
    text = done.stdout
    if done.returncode != 0:
        if not may_fail:
            raise SystemExit(f"trackbench {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
        text = f"exit {done.returncode}\n{done.stderr}"
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    return "" if done.returncode else text


def report_out_is_folder() -> bool:
    return "--html" in cli("report", "--help")


def report(folder: Path, *args: str) -> None:
    """``trackbench report ARGS`` into ``folder/index.html`` (+ ``folder/index_files/``)."""
    if report_out_is_folder():
        cli("report", *args, "--out", str(folder))
    else:
        folder.mkdir(parents=True, exist_ok=True)
        cli("report", *args, "--out", str(folder / "index.html"))


def lasot_subset(work: Path) -> tuple[Path, list[str]]:
    """A LaSOT toolkit-layout root with LASOT_SUBSET and the two trackers' files for it."""
    lasot = DATA / "lasot"
    root = work / "lasot-subset"
    for sub in ("annos", "annos/absent", "annos/att"):
        (root / sub).mkdir(parents=True, exist_ok=True)
        for name in LASOT_SUBSET:
            (root / sub / f"{name}.txt").write_bytes((lasot / sub / f"{name}.txt").read_bytes())
    (root / "testing_set.txt").write_text("\n".join(LASOT_SUBSET) + "\n")
    dirs = []
    for tracker in ("SiamRPN++", "DiMP50"):
        target = work / "lasot-results" / tracker
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(lasot / "results" / f"{tracker}.tar.xz", "r|xz") as archive:
            for member in archive:
                if member.isfile() and Path(member.name).stem in LASOT_SUBSET:
                    (target / Path(member.name).name).write_bytes(archive.extractfile(member).read())
        dirs.append(str(target))
    return root, dirs


def dtb70_folder(work: Path) -> Path:
    """DTB70's annotations as a generic folder suite (``<seq>/groundtruth.txt``, linked)."""
    root = work / "dtb70"
    for anno in sorted((DATA / "dtb70" / "anno").glob("*.txt")):
        (root / anno.stem).mkdir(parents=True)
        (root / anno.stem / "groundtruth.txt").symlink_to(anno)
    return root


def record(out: Path, only: set[str] | None = None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    otb = DATA / "otb100"
    otb_dirs = [str(otb / "results" / n) for n in ("SiamRPN++", "SiamBAN", "DaSiamRPN")]
    vot18 = [str(DATA / "vot2018" / "results" / n) for n in ("LightTrack", "NanoTrackV1")]
    vot19 = [str(DATA / "vot2019" / "results" / "NanoTrackV1")]
    dtb = [str(DATA / "dtb70" / "results" / n) for n in ("SiamAPN", "SiamTPN")]
    lasot_archives = [str(DATA / "lasot" / "results" / f"{n}.tar.xz") for n in ("SiamRPN++", "DiMP50")]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        lasot_root, lasot_dirs = lasot_subset(work)
        dtb_root = dtb70_folder(work)
        cases = {
            "otb2015-official": (["--suite", "otb2015", "--root", str(otb)], otb_dirs),
            "otb2015-pysot": (["--suite", "otb2015", "--root", str(otb), "--rules", "pysot"], otb_dirs),
            "otb2015-json": (["--suite", "otb2015", "--root", str(otb / "OTB100.pysot.json"), "--rules", "pysot"], otb_dirs),
            "otb2013-official": (["--suite", "otb2013", "--root", str(otb)], otb_dirs),
            "tb50-official": (["--suite", "tb50", "--root", str(otb)], otb_dirs),
            "vot2018-pysot": (["--suite", "vot2018", "--root", str(DATA / "vot2018" / "VOT2018.json"), "--rules", "pysot"], vot18),
            "vot2018-official": (["--suite", "vot2018", "--root", str(DATA / "vot2018" / "VOT2018.json")], vot18),
            "vot2019-pysot": (["--suite", "vot2019", "--root", str(DATA / "vot2019" / "VOT2019.json"), "--rules", "pysot"], vot19),
            "dtb70-custom": (["--suite", "custom", "--root", str(dtb_root), "--rules", "pysot"], dtb),
            "lasot-subset": (["--suite", "lasot", "--root", str(lasot_root)], lasot_dirs),
            "lasot-full": (["--suite", "lasot", "--root", str(DATA / "lasot")], lasot_archives),
        }
        for name, (common, dirs) in cases.items():
            if only and name not in only:
                continue
            print(f"{name} ...", flush=True)
            cli("eval", *common, *dirs, out=out / name / "eval.txt")
            cli("eval", *common, "--json", *dirs, out=out / name / "eval.json")
            report(out / name / "report", *common, *dirs)
        if only and "otb-mat" not in only:
            masked(out)
            return
        # OTB MATLAB .mat results: import, then evaluate and report the imported folders.
        print("otb-mat ...", flush=True)
        imported = work / "imported"
        mat = otb / "matlab" / "results_OPE"
        common = ["--suite", "otb2015", "--root", str(otb)]
        for tracker in ("CSK", "MEEM", "TLD"):
            cli("import", *common, "--out", str(imported), "--tracker-name", tracker, str(mat),
                out=out / "otb-mat" / f"import-{tracker}.txt", may_fail=True)
        # Only the .mat files of sequences with a matching length, when a whole import is refused.
        folder = imported / "otb2015"
        mat_dirs = sorted(str(p) for p in folder.iterdir()) if folder.is_dir() else []
        if mat_dirs:
            cli("eval", *common, *mat_dirs, out=out / "otb-mat" / "eval.txt")
            report(out / "otb-mat" / "report", *common, *mat_dirs)
            copy_tree(imported, out / "otb-mat" / "imported")
    masked(out)


def copy_tree(source: Path, target: Path) -> None:
    for path in sorted(source.rglob("*")):
        if path.is_file():
            (target / path.relative_to(source)).parent.mkdir(parents=True, exist_ok=True)
            (target / path.relative_to(source)).write_bytes(path.read_bytes())


_GENERATED = re.compile(rb"(Generated by trackbench \S+ )?on \d{4}-\d\d-\d\d \d\d:\d\d UTC(?=\.</footer>|;)")


def masked(out: Path) -> None:
    """Replace the report footer's generation time, the one thing that changes run to run;
    remove the temporary folder's name from printed paths."""
    for page in out.rglob("*"):
        if page.is_file() and page.suffix in (".html", ".txt", ".json"):
            data = _GENERATED.sub(lambda m: (m.group(1) or b"") + b"on <time>", page.read_bytes())
            data = re.sub(rb"/tmp/tmp[^/\s]+", b"<tmp>", data)
            data = re.sub(re.escape(str(out).encode()), b"<out>", data)
            page.write_bytes(data)


def compare(a: Path, b: Path) -> int:
    files_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    problems = [f"only in {a}: {p}" for p in sorted(files_a - files_b)]
    problems += [f"only in {b}: {p}" for p in sorted(files_b - files_a)]
    same = 0
    for rel in sorted(files_a & files_b):
        if filecmp.cmp(a / rel, b / rel, shallow=False):
            same += 1
        else:
            problems.append(f"differs: {rel}")
    for line in problems:
        print(line)
    print(f"{same} files byte-identical, {len(problems)} problems")
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="action", required=True)
    rec = sub.add_parser("record")
    rec.add_argument("out", type=Path)
    rec.add_argument("--only", help="comma-separated case names (default: all)")
    cmp = sub.add_parser("compare")
    cmp.add_argument("a", type=Path)
    cmp.add_argument("b", type=Path)
    args = parser.parse_args()
    if args.action == "record":
        record(args.out, set(args.only.split(",")) if args.only else None)
        return 0
    return compare(args.a, args.b)


if __name__ == "__main__":
    sys.exit(main())
