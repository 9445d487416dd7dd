"""Suites: a benchmark by name = dataset + split + protocol + the protocol's constants.

Where a suite's data is looked for (first hit wins; see datasets/README.md):

1. ``root`` given by the caller (``--root``): a folder in the official layout or a
   pysot-style dataset JSON file;
2. the environment variable ``TRACKBENCH_<NAME>_ROOT`` (``TRACKBENCH_OTB2015_ROOT``,
   ``TRACKBENCH_GOT10K_VAL_ROOT`` ...);
3. ``datasets.<name>`` in the user config ``~/.config/trackbench/config.yaml``
   (``$XDG_CONFIG_HOME`` respected)::

       datasets:
         root: /data/tracking        # holds <folder>/ sub-folders like datasets/
         otb2015: /data/OTB100       # one suite's folder (or JSON file)

   (an explicit choice in 1-3 is used as is, never replaced by another place);
4. ``$TRACKBENCH_DATASETS/<folder>``, then ``<datasets.root>/<folder>`` from the config;
5. ``datasets/<folder>`` relative to the working directory.

``<folder>`` is the suite name, then its aliases, then the family's shared folder
(``otb`` for otb2013/otb2015/tb50, ``got10k`` holding ``val/`` and ``test/``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from trackbench.data.generic import read_folder
from trackbench.data.got10k import read_got10k
from trackbench.data.lasot import read_lasot
from trackbench.data.otb import otb_sequence_list, read_otb
from trackbench.data.pysot_json import read_pysot_json
from trackbench.data.vot import read_vot
from trackbench.errors import TrackbenchError
from trackbench.sequence import Dataset

README_HINT = "see datasets/README.md for the expected layouts"


@dataclass(frozen=True)
class Suite:
    """Everything needed to reproduce a benchmark number.

    Attributes:
        name: canonical suite name (``otb2015``).
        family: ``"otb"`` | ``"vot"`` | ``"got10k"`` | ``"lasot"`` (metric rules).
        protocol: ``"ope"`` (one pass) | ``"supervised"`` (VOT reset-based baseline).
        title: for plot titles (``"OTB2015"``, ``"VOT2018"``, ``"LaSOT"``, ``"GOT-10k"``).
        repetitions: runs per sequence (GOT-10k 3, VOT 15; deterministic trackers run once).
        eao_interval: VOT expected-average-overlap sequence-length interval (inclusive).
        corner_rule: VOT rectangle rasterisation, ``"x+w"`` (VOT2016-2018) or ``"x+w-1"`` (VOT2019).
        burnin: frames after a re-initialisation excluded from VOT accuracy.
        skip_initialize: frames skipped after a VOT failure before re-initialising.
        reader: which reader loads it (``otb``, ``vot``, ``got10k``, ``lasot``, ``demo``, ``folder``).
        split: the reader's list or split (``tb100``, ``otb2013``, ``tb50``, ``val``, ``test``).
        aliases: other accepted names.
        folders: folder names looked for under the dataset roots, in order.
        pysot_json: file names of the pysot-style JSON accepted in a root folder.
    """

    name: str
    family: str
    protocol: str
    title: str
    repetitions: int = 1
    eao_interval: tuple[int, int] | None = None
    corner_rule: str | None = None
    burnin: int = 10
    skip_initialize: int = 5
    reader: str = ""
    split: str | None = None
    aliases: tuple[str, ...] = ()
    folders: tuple[str, ...] = ()
    pysot_json: tuple[str, ...] = ()

    def load(
        self,
        root: str | Path | None = None,
        sequences: list[str] | None = None,
        *,
        require_images: bool = False,
    ) -> Dataset:
        """Read the suite's dataset from ``root`` (or the places listed in the module doc).

        ``sequences``: a subset by name (any naming style). ``require_images``: check that
        every sequence's image files exist (running a tracker needs them; evaluating does not).
        """
        path = resolve_root(self.name, root)
        if not path.exists() and self.reader != "demo":
            raise missing_dataset_error(self.name, root)
        if self.reader == "demo":
            from trackbench.data.demo import ensure_demo

            path = Path(ensure_demo(path))
        json_file = _pysot_json(self, path)
        if json_file is not None:
            if sequences is None and self.reader == "otb" and self.split:
                sequences = otb_sequence_list(self.split)  # e.g. OTB2013's 51 out of OTB100.json
            return read_pysot_json(
                json_file, sequences, name=self.name, family=self.family, require_images=require_images
            )
        return _read_folder(self, path, sequences, require_images)


def _read_folder(suite: Suite, path: Path, sequences: list[str] | None, require_images: bool) -> Dataset:
    options = {"name": suite.name, "require_images": require_images}
    if suite.reader in ("otb", "demo"):
        return read_otb(path, sequences, sequence_list=suite.split, **options)
    if suite.reader == "vot":
        return read_vot(path, sequences, **options)
    if suite.reader == "got10k":
        return read_got10k(path, sequences, split=suite.split or "val", **options)
    if suite.reader == "lasot":
        return read_lasot(path, sequences, split=suite.split or "test", **options)
    if suite.reader == "folder":
        return read_folder(path, sequences, **options)
    raise TrackbenchError(f"suite {suite.name!r} has no reader {suite.reader!r}")


def _vot(year: int, interval: tuple[int, int], corner_rule: str) -> Suite:
    return Suite(
        name=f"vot{year}",
        family="vot",
        protocol="supervised",
        title=f"VOT{year}",
        repetitions=15,
        eao_interval=interval,
        corner_rule=corner_rule,
        burnin=10,
        skip_initialize=5,
        reader="vot",
        folders=(f"vot{year}",),
        pysot_json=(f"VOT{year}.json",),
    )


SUITES: tuple[Suite, ...] = (
    Suite("otb2013", "otb", "ope", "OTB2013", reader="otb", split="otb2013", aliases=("cvpr13",),
          folders=("otb2013", "otb"), pysot_json=("OTB2013.json",)),
    Suite("otb2015", "otb", "ope", "OTB2015", reader="otb", split="tb100", aliases=("otb100", "tb100"),
          folders=("otb2015", "otb100", "otb"), pysot_json=("OTB100.json", "OTB2015.json")),
    Suite("tb50", "otb", "ope", "TB-50", reader="otb", split="tb50", aliases=("otb50",),
          folders=("tb50", "otb"), pysot_json=("OTB50.json",)),
    _vot(2016, (108, 371), "x+w"),
    _vot(2017, (100, 356), "x+w"),
    _vot(2018, (100, 356), "x+w"),
    _vot(2019, (46, 291), "x+w-1"),
    Suite("got10k-val", "got10k", "ope", "GOT-10k", repetitions=3, reader="got10k", split="val",
          folders=("got10k-val", "got10k")),
    Suite("got10k-test", "got10k", "ope", "GOT-10k", repetitions=3, reader="got10k", split="test",
          folders=("got10k-test", "got10k")),
    Suite("lasot", "lasot", "ope", "LaSOT", reader="lasot", split="test", folders=("lasot",),
          pysot_json=("LaSOT.json",)),
    Suite("demo", "otb", "ope", "Demo", reader="demo", folders=("demo",)),
    Suite("custom", "otb", "ope", "Custom", reader="folder", folders=("custom",)),
)


def list_suites() -> list[Suite]:
    """Every built-in suite, in a stable order."""
    return list(SUITES)


def get_suite(name: str) -> Suite:
    """The suite called ``name`` or one of its aliases (case-insensitive)."""
    key = name.strip().lower().replace("_", "-")
    for suite in SUITES:
        if key == suite.name or key in suite.aliases:
            return suite
    known = ", ".join(s.name for s in SUITES)
    raise TrackbenchError(f"unknown suite {name!r} (known suites: {known}; aliases: otb100 -> otb2015)")


def candidate_roots(suite_name: str, root: str | Path | None = None) -> list[tuple[str, Path]]:
    """``(where the path came from, path)`` in search order (see the module docstring).

    An explicit choice (``root``, ``TRACKBENCH_<NAME>_ROOT``, ``datasets.<name>`` in the
    user config) is the only candidate: it is never silently replaced by another place.
    """
    suite = get_suite(suite_name)
    if root is not None:
        return [("--root", Path(root).expanduser())]
    variable = env_variable(suite.name)
    if os.environ.get(variable):
        return [(f"${variable}", Path(os.environ[variable]).expanduser())]
    config_file, config = _user_config()
    for key in (suite.name, *suite.aliases):
        if key in config:
            return [(f"datasets.{key} in {config_file}", Path(config[key]).expanduser())]
    candidates: list[tuple[str, Path]] = []
    if os.environ.get("TRACKBENCH_DATASETS"):
        base = Path(os.environ["TRACKBENCH_DATASETS"]).expanduser()
        candidates += [("$TRACKBENCH_DATASETS", base / f) for f in suite.folders]
    if "root" in config:
        base = Path(config["root"]).expanduser()
        candidates += [(f"datasets.root in {config_file}", base / f) for f in suite.folders]
    candidates += [("default", Path("datasets") / f) for f in suite.folders]
    return candidates


def resolve_root(suite_name: str, root: str | Path | None = None) -> Path:
    """Where the suite's data is: the first existing candidate of :func:`candidate_roots`,
    else the first candidate (which does not exist: :meth:`Suite.load` then reports every
    place it looked; the ``demo`` suite is generated there)."""
    candidates = candidate_roots(suite_name, root)
    for _, path in candidates:
        if path.exists():
            return path
    return candidates[0][1]


def missing_dataset_error(suite_name: str, root: str | Path | None = None) -> TrackbenchError:
    """The one-line error for a dataset found nowhere, listing every place looked at."""
    suite = get_suite(suite_name)
    candidates = candidate_roots(suite.name, root)
    looked = "; ".join(f"{path} ({source})" for source, path in candidates)
    hint = "" if len(candidates) == 1 and candidates[0][0] != "default" else f"pass --root DIR or set ${env_variable(suite.name)}; "
    return TrackbenchError(f"dataset for suite {suite.name!r} not found; looked in: {looked}; {hint}{README_HINT}")


def env_variable(suite_name: str) -> str:
    """``TRACKBENCH_<NAME>_ROOT`` for a suite (``got10k-val`` -> ``TRACKBENCH_GOT10K_VAL_ROOT``)."""
    return f"TRACKBENCH_{get_suite(suite_name).name.upper().replace('-', '_')}_ROOT"


def user_config_path() -> Path:
    """``$XDG_CONFIG_HOME/trackbench/config.yaml`` (default ``~/.config/...``)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "trackbench" / "config.yaml"


_CONFIG_KEYS = ("datasets",)
"""The top-level keys of the user config."""


def _user_config() -> tuple[Path | None, dict[str, str]]:
    """The ``datasets`` section of the user config (``{}`` when there is no file)."""
    path = user_config_path()
    if not path.is_file():
        return None, {}
    import yaml

    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise TrackbenchError("not valid YAML", path, None if line is None else line + 1) from None
    if not isinstance(content, dict):
        raise TrackbenchError("expected a mapping at the top level", path)
    for key in content:
        if key not in _CONFIG_KEYS:
            raise TrackbenchError(f"unknown key {key!r} (known: {', '.join(_CONFIG_KEYS)})", path)
    section = content.get("datasets") or {}
    if not isinstance(section, dict):
        raise TrackbenchError("'datasets' must map suite names to folders", path)
    names = {"root"} | {s.name for s in SUITES} | {a for s in SUITES for a in s.aliases}
    for key, value in section.items():
        if key not in names:
            raise TrackbenchError(f"unknown key datasets.{key} (expected 'root' or a suite name)", path)
        if not isinstance(value, str):
            raise TrackbenchError(f"datasets.{key} must be a path", path)
    return path, dict(section)


def _pysot_json(suite: Suite, path: Path) -> Path | None:
    """The pysot JSON to read: ``path`` itself if it is a JSON file, or a known JSON in a
    folder that lacks the native layout's marker."""
    if path.is_file():
        if path.suffix.lower() != ".json":
            raise TrackbenchError("expected a dataset folder or a pysot-style .json file", path)
        return path
    if _has_native_layout(suite, path):
        return None
    return next((path / n for n in suite.pysot_json if (path / n).is_file()), None)


def _has_native_layout(suite: Suite, path: Path) -> bool:
    if suite.reader == "vot":
        return (path / "list.txt").is_file()
    if suite.reader == "otb":
        return (path / "anno").is_dir() or next(path.glob("*/groundtruth_rect*.txt"), None) is not None
    if suite.reader == "lasot":
        return (
            (path / "annos").is_dir()
            or next(path.glob("*/groundtruth.txt"), None) is not None
            or next(path.glob("*/*/groundtruth.txt"), None) is not None
        )
    return True
