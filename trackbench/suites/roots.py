"""Where a suite's data is looked for (first hit wins; see datasets/README.md):

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
from pathlib import Path

from trackbench.errors import TrackbenchError
from trackbench.suites.registry import SUITES, get_suite

README_HINT = "see datasets/README.md for the expected layouts"


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


_CONFIG_KEYS = ("datasets", "models")
"""The top-level keys of the user config (``models``: files of model-based trackers,
e.g. ``nanotrack_backbone: /models/nanotrack_backbone_sim.onnx``)."""


def user_models() -> tuple[Path | None, dict[str, str]]:
    """The ``models`` section of the user config: name -> file path (``{}`` when absent)."""
    path, content = _read_user_config()
    section = content.get("models") or {}
    if not isinstance(section, dict) or not all(isinstance(v, str) for v in section.values()):
        raise TrackbenchError("'models' must map model names to file paths", path)
    return path, {str(k): v for k, v in section.items()}


def _read_user_config() -> tuple[Path | None, dict]:
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
    return path, content


def _user_config() -> tuple[Path | None, dict[str, str]]:
    """The ``datasets`` section of the user config (``{}`` when there is no file)."""
    path, content = _read_user_config()
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
