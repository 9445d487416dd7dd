"""The registry of benchmark suites: every command looks suites up here.

Adding a benchmark family = one module in this package (its :class:`Family` record and
its ``SUITES``) + one entry in :data:`MODULES`; see docs/architecture.md.
"""

from __future__ import annotations

from trackbench.errors import TrackbenchError
from trackbench.suites import (
    custom,
    dtb70,
    got10k,
    lasot,
    lasot_ext,
    nfs,
    otb,
    tc128,
    tnl2k,
    trackingnet,
    uav,
    vot,
    vot_lt,
)
from trackbench.suites.base import Family, Suite

#: The modules that define suites, in the order ``trackbench list suites`` shows them.
MODULES = (otb, vot, vot_lt, got10k, lasot, lasot_ext, uav, dtb70, nfs, tc128, tnl2k, trackingnet, custom)

SUITES: tuple[Suite, ...] = tuple(suite for module in MODULES for suite in module.SUITES)

#: Family records by name.
FAMILIES: dict[str, Family] = {}
for _suite in SUITES:
    FAMILIES.setdefault(_suite.family.name, _suite.family)


def _check_unique() -> None:
    seen: set[str] = set()
    for suite in SUITES:
        for name in (suite.name, *suite.aliases):
            if name in seen:
                raise TrackbenchError(f"suite name {name!r} is registered twice")
            seen.add(name)


_check_unique()


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
