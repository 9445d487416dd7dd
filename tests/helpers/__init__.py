"""Modules shared by the tests (not test files). pytest puts ``tests/`` on ``sys.path``
(``pythonpath`` in pyproject.toml), so every test imports them as ``helpers.<module>``;
subprocesses the tests start get the same folder on ``PYTHONPATH`` through
:func:`helpers.paths.helpers_pythonpath`."""
