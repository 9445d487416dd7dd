"""Reference tracker plugins, installed as ``trackbench.trackers``.

Each sub-package registers itself through the ``trackbench.trackers`` entry-point group in
pyproject.toml, exactly like a third-party plugin; the harness never imports them directly.
"""
