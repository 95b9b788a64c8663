"""No drift between the code and the deployment files: every process role the compose
file and the manifests run is a real command, and every variable they set is a setting."""

import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from logistics_platform.config import Settings
from logistics_platform.entrypoints.cli import app

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "logistics-platform"
NOT_SETTINGS = {"HEALTHCHECK_PORT": "read by the image's HEALTHCHECK, not by the application"}
SETTINGS = {name.upper() for name in Settings.model_fields}


def compose_app_services() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())[
        "services"
    ]
    return {name: spec for name, spec in services.items() if spec["image"].startswith(IMAGE)}


def rendered_manifests() -> list[dict[str, Any]]:
    spec = importlib.util.spec_from_file_location("render_k8s", ROOT / "scripts/render_k8s.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    manifests: list[dict[str, Any]] = module.render(ROOT / "k8s")
    return manifests


def app_containers() -> list[dict[str, Any]]:
    containers = []
    for manifest in rendered_manifests():
        pod = manifest.get("spec", {}).get("template", {}).get("spec", {})
        if manifest["kind"] == "CronJob":  # pragma: no cover - none today
            pod = manifest["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        containers += [c for c in pod.get("containers", []) if c["image"].startswith(IMAGE)]
    return containers


def roles() -> list[list[str]]:
    found = {tuple(spec["command"]) for spec in compose_app_services().values()}
    found |= {tuple(container["args"]) for container in app_containers()}
    return sorted(list(role) for role in found)


@pytest.mark.parametrize("role", roles(), ids=" ".join)
def test_every_process_role_is_a_command_that_starts(role: list[str]) -> None:
    result = CliRunner().invoke(app, [*role, "--help"])
    assert result.exit_code == 0, result.output


def test_the_image_runs_the_cli() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["logistics"]' in dockerfile
    assert all(container["command"] == ["logistics"] for container in app_containers())


def test_compose_sets_only_variables_the_settings_read() -> None:
    for name, spec in compose_app_services().items():
        unknown = set(spec.get("environment", {})) - SETTINGS - set(NOT_SETTINGS)
        assert not unknown, f"{name} sets {unknown}"


def test_the_manifests_set_only_variables_the_settings_read() -> None:
    manifests = rendered_manifests()
    config = next(
        m for m in manifests if m["kind"] == "ConfigMap" and "config" in m["metadata"]["name"]
    )
    secret = next(m for m in manifests if m["metadata"]["name"] == "logistics-secrets")
    set_by_manifests = set(config["data"]) | set(secret["stringData"])
    for container in app_containers():
        set_by_manifests |= {variable["name"] for variable in container.get("env", [])}
    assert not set_by_manifests - SETTINGS - set(NOT_SETTINGS)


def test_every_setting_is_documented_in_the_env_example() -> None:
    documented = set(re.findall(r"\b([A-Z][A-Z0-9_]{2,})\b", (ROOT / ".env.example").read_text()))
    assert not SETTINGS - documented
