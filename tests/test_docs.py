"""Every command and every flag is documented: a docstring for --help and a README section that names each flag."""

import re
from pathlib import Path

import click

from connector.cli import cli

README = (Path(__file__).parent.parent / "README.md").read_text()


def _section(title: str) -> str:
    """The README text under `### title` up to the next heading of the same or a higher level."""
    start = README.index(f"### {title}")
    nxt = re.search(r"^#{2,3} ", README[start + 4:], re.MULTILINE)
    return README[start:start + 4 + nxt.start()] if nxt else README[start:]


def _flags(command: click.Command) -> list[str]:
    return [opt for param in command.params if isinstance(param, click.Option)
            for opt in param.opts + param.secondary_opts if opt.startswith("--") and opt != "--help"]


def _mentions(text: str, flag: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", text) is not None


def test_every_command_has_help_and_a_readme_section():
    for name, command in cli.commands.items():
        assert command.help, f"{name} has no docstring"
        assert f"### `connector {name}`" in README, f"README has no section for connector {name}"


def test_every_flag_of_every_command_is_in_its_readme_section():
    missing = [f"connector {name} {flag}" for name, command in cli.commands.items()
               for flag in _flags(command) if not _mentions(_section(f"`connector {name}`"), flag)]
    assert not missing, f"flags not in their README section: {', '.join(missing)}"


def test_global_flags_are_in_the_readme():
    commands = README[README.index("## Commands"):README.index("### ")]
    for flag in [*_flags(cli), "-h"]:
        assert _mentions(commands, flag), f"README's Commands intro does not mention {flag}"


def test_readme_opens_with_the_two_commands():
    head = "\n".join(README.splitlines()[:10])
    assert "make demo" in head and "make test" in head


def test_every_setting_is_in_the_readme_settings_table():
    from connector.config import setting_docs
    for env, _help, _default in setting_docs():
        assert f"| `{env}` |" in README, f"README's settings table lacks {env}"
