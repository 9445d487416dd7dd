"""Whole-process evaluation time and peak memory: ``trackbench eval`` against the got10k
package's evaluators on the same files, side by side in one run, with ratios.

    python benchmarks/peer_speed.py [--data ../shared/data] [--repeats 3] [--cases lasot1 lasot6 otb8 vot]

Each case runs the two commands alternately (A B A B ...) ``--repeats`` times as separate
processes and prints, per command, the median wall time and peak resident memory (the
kernel's accounting of the finished child, ``os.wait4``), and the median of the pairwise
ratios got10k / trackbench (> 1: trackbench faster). Pairs share the machine's load at
the time, so the ratio holds when its speed drifts; the absolute figures do not. Each
command runs once untimed first (page cache, compiled bytecode); children run without
``PYTHONDONTWRITEBYTECODE`` (as an installed package runs: the peers' site-packages hold
compiled ``.pyc`` files, and an editable trackbench without them would compile every
module in every run, 0.1-0.2 s).

Cases (results unpacked into a temporary folder first, since got10k reads folders only):

* ``lasot1``: LaSOT test set (280 sequences, 685k frames), SiamRPN++; trackbench with an
  empty parsed-table cache (cold: a new ``TRACKBENCH_CACHE_DIR`` per run) and with a warm
  one; got10k: ``ExperimentOTB.report`` (its one-pass evaluator; 0.1.3 has no LaSOT
  experiment, see ``got10k_peer.py``), with its plots and without;
* ``lasot6``: six trackers (SiamRPN++ and DiMP50, three copies each under other names),
  for peak memory;
* ``otb8``: OTB-2015, eight trackers (the three published result sets cycled), trackbench
  with an empty and with a warm parsed-table cache; got10k reads the annotation files as
  its ``OTB`` dataset does;
* ``vot``: VOT2018, LightTrack; trackbench: A, R and EAO (official rules); got10k:
  ``ExperimentVOT.report`` (A and R only; it has no EAO).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO / ".." / "shared" / "data"
PEER = [sys.executable, str(REPO / "benchmarks" / "got10k_peer.py")]
TRACKBENCH = [sys.executable, "-m", "trackbench", "eval"]


def run_once(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MiB) and CPU seconds (user + system) of one process run to
    completion (CPU time depends less on the machine's load than wall time)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"failed ({status}): {' '.join(cmd)}\n{proc.stderr.read().decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def compare(label: str, ours: list[str], peer: list[str], repeats: int, ours_env=None) -> None:
    """Alternate the two commands; print medians and the median pairwise ratio."""
    base = child_environment()
    figures = {"trackbench": [], "got10k": []}
    run_once(ours, ours_env() if ours_env else base)  # untimed: page cache, bytecode
    run_once(peer, base)
    for _ in range(repeats):
        env = ours_env() if ours_env else base
        figures["trackbench"].append(run_once(ours, env))
        figures["got10k"].append(run_once(peer, base))
    walls = {k: [f[0] for f in v] for k, v in figures.items()}
    rss = {k: [f[1] for f in v] for k, v in figures.items()}
    cpu = {k: [f[2] for f in v] for k, v in figures.items()}
    ratios = [g / t for g, t in zip(walls["got10k"], walls["trackbench"])]
    cpu_ratios = [g / t for g, t in zip(cpu["got10k"], cpu["trackbench"])]
    memory = [g / t for g, t in zip(rss["got10k"], rss["trackbench"])]
    print(f"{label}:")
    for name in figures:
        print(f"  {name:10s} wall {statistics.median(walls[name]):6.2f} s (min {min(walls[name]):.2f}, "
              f"max {max(walls[name]):.2f})  CPU {statistics.median(cpu[name]):6.2f} s  "
              f"peak RSS {statistics.median(rss[name]):6.0f} MiB")
    print(f"  got10k / trackbench: time {statistics.median(ratios):.2f}x (pairs {', '.join(f'{r:.2f}' for r in ratios)}), "
          f"CPU time {statistics.median(cpu_ratios):.2f}x, peak memory {statistics.median(memory):.2f}x")


def child_environment(**extra: str) -> dict[str, str]:
    """The environment of the timed processes (see the module docstring)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(extra)
    return env


def unpack(archive: Path, into: Path) -> Path:
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return next(p for p in into.iterdir() if p.is_dir())


def copies(sources: list[Path], count: int, root: Path) -> list[Path]:
    """``count`` tracker folders named T1..Tn, symlinks cycling through ``sources``."""
    root.mkdir(parents=True, exist_ok=True)
    out = []
    for k in range(count):
        link = root / f"T{k + 1}"
        link.symlink_to(sources[k % len(sources)].resolve())
        out.append(link)
    return out


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def otb_peer_inputs(data: Path, tmp: Path, count: int) -> list[Path]:
    """``count`` tracker folders (the published result sets cycled) whose files are named
    exactly as the annotation files (got10k matches names exactly; the result sets spell
    some differently): links, or, where a result starts after image 1 (Tiger1 from frame 6;
    got10k asserts equal lengths), a copy whose first rows are the ground truth's, which
    trackbench drops again (``start_frame``)."""
    annos = {_key(p.stem): p for p in (data / "otb100" / "anno").glob("*.txt")}
    sources = sorted(p for p in (data / "otb100" / "results").iterdir() if p.is_dir())
    folders = []
    for k in range(count):
        folder = tmp / "otb" / f"T{k + 1}"
        folder.mkdir(parents=True)
        for result in sources[k % len(sources)].glob("*.txt"):
            anno = annos[_key(result.stem)]
            gt = [line for line in anno.read_text().splitlines() if line.strip()]
            lines = result.read_text().splitlines()
            target = folder / anno.name
            if len(lines) == len(gt):
                target.symlink_to(result.resolve())
            else:  # Tiger1 from frame 6: the first rows from the ground truth, as from image 1
                missing = [",".join(re.split(r"[,\s]+", line.strip())) for line in gt[: len(gt) - len(lines)]]
                target.write_text("\n".join(missing + lines) + "\n")
        folders.append(folder)
    return folders


def vot_bounds(annotations: Path, tmp: Path) -> Path:
    """One blank image per sequence, of its size (got10k's VOT report reads the size from it)."""
    from PIL import Image

    folder = tmp / "vot_bounds"
    folder.mkdir()
    for name, record in json.loads(annotations.read_text()).items():
        Image.new("L", (record["width"], record["height"])).save(folder / f"{name}.png")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cases", nargs="+", default=["lasot1", "lasot6", "otb8", "vot"])
    args = parser.parse_args()
    data = args.data.resolve()
    print(f"load average at start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        lasot = data / "lasot"
        lasot_eval = TRACKBENCH + ["--suite", "lasot", "--root", str(lasot)]
        lasot_peer = PEER + ["ope", "--anno-dir", str(lasot / "annos"), "--names", str(lasot / "testing_set.txt")]
        if "lasot1" in args.cases or "lasot6" in args.cases:
            siamrpn = unpack(lasot / "results" / "SiamRPN++.tar.xz", tmp / "u1")
            dimp = unpack(lasot / "results" / "DiMP50.tar.xz", tmp / "u2")
        counter = iter(range(10**6))

        def cold_env():
            return child_environment(TRACKBENCH_CACHE_DIR=str(tmp / f"cold{next(counter)}"))

        if "lasot1" in args.cases:
            compare("LaSOT, 1 tracker, cold cache, got10k with its plots", lasot_eval + [str(siamrpn)],
                    lasot_peer + [str(siamrpn)], args.repeats, cold_env)
            compare("LaSOT, 1 tracker, cold cache, got10k without plots", lasot_eval + [str(siamrpn)],
                    lasot_peer + ["--no-plots", str(siamrpn)], args.repeats, cold_env)
            warm = child_environment(TRACKBENCH_CACHE_DIR=str(tmp / "warm"))
            run_once(lasot_eval + [str(siamrpn)], warm)  # fills the cache
            compare("LaSOT, 1 tracker, warm cache, got10k with its plots", lasot_eval + [str(siamrpn)],
                    lasot_peer + [str(siamrpn)], args.repeats, lambda: warm)
        if "lasot6" in args.cases:
            six = [str(p) for p in copies([siamrpn, dimp], 6, tmp / "six")]
            compare("LaSOT, 6 trackers (warm cache), got10k with its plots", lasot_eval + six, lasot_peer + six,
                    args.repeats)
        if "otb8" in args.cases:
            eight = [str(p) for p in otb_peer_inputs(data, tmp, 8)]
            otb_eval = TRACKBENCH + ["--suite", "otb2015", "--root", str(data / "otb100")] + eight
            otb_peer = PEER + ["ope", "--anno-dir", str(data / "otb100" / "anno"), "--delimiter", "any"] + eight
            compare("OTB-2015, 8 trackers, cold cache, got10k with its plots", otb_eval, otb_peer, args.repeats,
                    cold_env)
            otb_warm = child_environment(TRACKBENCH_CACHE_DIR=str(tmp / "otb_warm"))
            compare("OTB-2015, 8 trackers, warm cache, got10k with its plots", otb_eval, otb_peer, args.repeats,
                    lambda: otb_warm)
        if "vot" in args.cases:
            annotations = data / "vot2018" / "VOT2018.json"
            bounds = vot_bounds(annotations, tmp)
            run = str(data / "vot2018" / "results" / "LightTrack")
            compare("VOT2018, 1 tracker (trackbench A/R/EAO, got10k A/R)",
                    TRACKBENCH + ["--suite", "vot2018", "--root", str(annotations), run],
                    PEER + ["vot", "--json", str(annotations), "--bounds", str(bounds), run], args.repeats)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
