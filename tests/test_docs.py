"""Every command is documented: a docstring for --help and a section in the README."""

from pathlib import Path

from connector.cli import cli

README = (Path(__file__).parent.parent / "README.md").read_text()


def test_every_command_has_help_and_a_readme_section():
    for name, command in cli.commands.items():
        assert command.help, f"{name} has no docstring"
        assert f"### `connector {name}`" in README, f"README has no section for connector {name}"


def test_readme_opens_with_the_two_commands():
    head = "\n".join(README.splitlines()[:10])
    assert "make demo" in head and "make test" in head


def test_every_setting_is_in_the_readme_settings_table():
    from connector.config import setting_docs
    for env, _help, _default in setting_docs():
        assert f"| `{env}` |" in README, f"README's settings table lacks {env}"
