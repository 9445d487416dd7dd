"""The package layers of docs/architecture.md: each package, imported alone in a fresh
interpreter (every module of it), loads nothing from a layer above it."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

import trackbench

# Lowest first. A package may import its own layer and those below, never one above.
LAYERS = [
    ["core", "trax"],  # trackbench's top-level modules (sequence, geometry, textio, trajectory, ...); TraX
    ["data", "results"],
    ["metrics"],
    ["protocols"],
    ["suites"],
    ["execution", "report"],
    ["commands", "trackers", "cli", "__main__"],
]


def layer_of(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "trackbench":
        return None
    name = parts[1] if len(parts) > 1 else "core"
    for level, packages in enumerate(LAYERS):
        if name in packages:
            return level
    return 0  # a top-level module: core


def modules_of(package: str) -> list[str]:
    if package == "core":
        return [f"trackbench.{m.name}" for m in pkgutil.iter_modules(trackbench.__path__)
                if not m.ispkg and m.name not in ("__main__", "cli")]
    module = __import__(f"trackbench.{package}", fromlist=["_"])
    return [f"trackbench.{package}"] + [m.name for m in pkgutil.walk_packages(module.__path__, f"trackbench.{package}.")]


def loaded_after_importing(modules: list[str]) -> list[str]:
    code = ("import importlib, json, sys\n"
            f"for name in {modules!r}:\n    importlib.import_module(name)\n"
            "print(json.dumps(sorted(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


@pytest.mark.parametrize("package", [p for layer in LAYERS[:-1] for p in layer])
def test_package_imports_nothing_above_its_layer(package):
    own = next(level for level, packages in enumerate(LAYERS) if package in packages)
    modules = modules_of(package)
    upward = sorted(m for m in loaded_after_importing(modules) if (layer_of(m) or 0) > own)
    assert upward == [], f"trackbench.{package} imports upward: {upward}"


def test_the_harness_never_imports_a_plugin():
    everything = [m for layer in LAYERS[:-1] for p in layer for m in modules_of(p)]
    loaded = loaded_after_importing(everything + ["trackbench.commands.run", "trackbench.commands.eval",
                                                  "trackbench.commands.report", "trackbench.cli"])
    assert [m for m in loaded if m.startswith("trackbench.trackers.")] == []
