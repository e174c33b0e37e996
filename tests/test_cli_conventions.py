"""CLI conventions: usage errors are one `error:` line, `-h` is `--help` everywhere, counts cannot be negative."""

import pytest
from click.testing import CliRunner

from connector.cli import cli


def _run(*args):
    return CliRunner().invoke(cli, list(args), env={"HUBSPOT_ACCESS_TOKEN": "t"})


@pytest.mark.parametrize("args, says", [
    (["pool", "--fo"], "No such option '--fo'"),
    (["nope"], "No such command 'nope'"),
    (["explain"], "Missing argument 'EMAIL'"),
    (["pool", "--band", "hot"], "Invalid value for '--band'"),
    (["pool", "--top", "-5"], "-5 is not in the range x>=0"),
    (["tasks", "--limit", "-1"], "is not in the range x>=0"),
])
def test_usage_error_is_one_error_line(args, says):
    result = _run(*args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0], result.output


def test_h_works_as_help_on_the_group_and_every_command():
    assert _run("-h").output == _run("--help").output
    for name in cli.commands:
        short, long = _run(name, "-h"), _run(name, "--help")
        assert short.exit_code == 0 and short.output == long.output and f" {name} [OPTIONS]" in short.output


def test_version_exits_zero():
    result = _run("--version")
    assert result.exit_code == 0 and "version" in result.output
