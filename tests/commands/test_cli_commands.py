"""Sub-commands come from the ``trackbench.commands`` entry-point group; a broken one is an error."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

import trackbench.cli as cli


def test_every_registered_command_is_reachable_and_plugins_add_theirs(capsys):
    modules = cli.command_modules()
    assert list(modules)[: len(cli.CORE_COMMANDS)] == list(cli.CORE_COMMANDS)
    # the table the command line takes core commands from is what the package registers
    assert {name: modules[name] for name in cli.CORE_COMMANDS} == cli.CORE_COMMANDS
    # IMSiam's commands are registered by the plugin, not defined in the harness.
    assert modules["train"].startswith("trackbench.trackers.imsiam.")
    assert modules["analyze"].startswith("trackbench.trackers.imsiam.")
    parser = cli.build_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["--help"])
    listed = capsys.readouterr().out
    for name in modules:
        assert f"    {name} " in listed or f"    {name}\n" in listed


def test_a_command_module_that_cannot_be_imported_is_an_error(monkeypatch, capsys):
    real = cli.entry_points

    def with_broken(group):
        return [*real(group=group), EntryPoint("broken", "trackbench.no_such_module", group)]

    monkeypatch.setattr(cli, "entry_points", with_broken)
    for line in (["--help"], ["broken"], ["evl"]):  # whenever the plugins' commands are looked up
        assert cli.main(line) == 2
        assert "command 'broken': cannot import trackbench.no_such_module" in capsys.readouterr().err
    # a core command does not look the plugins up (their scan costs 25-30 ms a run)
    assert cli.main(["list", "suites"]) == 0
    assert "otb2015" in capsys.readouterr().out


def test_a_plugin_command_under_a_core_name_is_an_error(monkeypatch, capsys):
    real = cli.entry_points
    monkeypatch.setattr(cli, "entry_points",
                        lambda group: [*real(group=group), EntryPoint("eval", "someplugin.eval", group)])
    assert cli.main(["--help"]) == 2
    assert "entry point 'eval' is registered twice (trackbench.commands.eval and someplugin.eval)" in \
        capsys.readouterr().err


def test_a_missing_core_command_is_an_error(monkeypatch, capsys):
    real = cli.entry_points
    monkeypatch.setattr(cli, "entry_points", lambda group: [ep for ep in real(group=group) if ep.name != "eval"])
    assert cli.main(["--help"]) == 2
    assert "no trackbench.commands entry point for eval" in capsys.readouterr().err
