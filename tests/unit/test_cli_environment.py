"""Each command's --help names the settings it reads: real settings, and none forgotten."""

import re

from typer.testing import CliRunner

from logistics_platform.config import Settings
from logistics_platform.entrypoints.cli import app

COMMANDS = [
    ["serve"],
    ["inventory-api"],
    ["logistics-api"],
    ["backoffice-api"],
    ["health-api"],
    ["relay"],
    ["consumer"],
    ["token"],
    ["db", "upgrade"],
]


def named_in_help(command: list[str]) -> set[str]:
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    listed = result.output.split("Reads from the environment (or ./.env):")[1]
    return set(re.findall(r"\b[A-Z][A-Z0-9_]+\b", listed))


def test_every_variable_a_command_names_is_a_setting_and_every_setting_is_named() -> None:
    settings = {name.upper() for name in Settings.model_fields}
    named = {command[-1]: named_in_help(command) for command in COMMANDS}
    for command, names in named.items():
        assert names <= settings, f"{command} names unknown settings {names - settings}"
    assert set().union(*named.values()) == settings
