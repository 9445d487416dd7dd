"""Package discovery only; all metadata lives in pyproject.toml.

`trackers/` is mapped to the import package `trackbench.trackers` (see
pyproject's package-dir), so its sub-packages are listed under that name here.
"""
from setuptools import find_packages, setup

packages = find_packages(include=["trackbench", "trackbench.*"])
packages += ["trackbench.trackers"] + [
    "trackbench.trackers." + name for name in find_packages("trackers")
]
setup(packages=packages)
