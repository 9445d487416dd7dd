"""Suites: a benchmark by name = a family record + split + the protocol's constants.

:mod:`~trackbench.suites.base` defines the records, one module per family defines its
record and suites (:mod:`~trackbench.suites.otb`, ``vot``, ``got10k``, ``lasot``,
``custom``), :mod:`~trackbench.suites.registry` lists them and
:mod:`~trackbench.suites.roots` finds a suite's data. See docs/architecture.md.
"""

from trackbench.suites.base import Family, LayoutKind, Protocol, Reader, Suite
from trackbench.suites.registry import FAMILIES, SUITES, get_suite, list_suites
from trackbench.suites.roots import (
    README_HINT,
    candidate_roots,
    env_variable,
    missing_dataset_error,
    resolve_root,
    user_config_path,
)

__all__ = [
    "FAMILIES", "README_HINT", "SUITES", "Family", "LayoutKind", "Protocol", "Reader", "Suite", "candidate_roots",
    "env_variable", "get_suite", "list_suites", "missing_dataset_error", "resolve_root", "user_config_path",
]
