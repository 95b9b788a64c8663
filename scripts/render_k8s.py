#!/usr/bin/env python3
"""Render the Kustomize base in k8s/ to one multi-document YAML stream on stdout.

For validating the manifests where kustomize is not installed:

    python scripts/render_k8s.py | kubernetes-validate --strict -k 1.30.0 -

It implements only the kustomization fields the base uses (plain-file ``resources``,
``namespace``, ``labels`` and ``images``) and refuses any other, so it cannot silently
render something different from ``kubectl kustomize k8s/``. Needs PyYAML.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]

Manifest = dict[str, Any]

DEFAULT_BASE = Path(__file__).resolve().parent.parent / "k8s"
SUPPORTED_FIELDS = frozenset({"apiVersion", "kind", "resources", "namespace", "labels", "images"})
CLUSTER_SCOPED_KINDS = frozenset(
    {
        "APIService",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "IngressClass",
        "MutatingWebhookConfiguration",
        "Namespace",
        "PersistentVolume",
        "PriorityClass",
        "StorageClass",
        "ValidatingWebhookConfiguration",
    }
)


class UnsupportedKustomization(Exception):
    """The kustomization uses something this renderer does not implement."""


def load_kustomization(base: Path) -> Manifest:
    kustomization = yaml.safe_load((base / "kustomization.yaml").read_text(encoding="utf-8"))
    unknown = set(kustomization) - SUPPORTED_FIELDS
    if unknown:
        raise UnsupportedKustomization(f"fields not supported: {sorted(unknown)}")
    return dict(kustomization)


def load_resources(base: Path, paths: list[str]) -> list[Manifest]:
    documents: list[Manifest] = []
    for relative in paths:
        path = base / relative
        if not path.is_file():
            raise UnsupportedKustomization(f"only plain files are supported: {relative}")
        loaded = yaml.safe_load_all(path.read_text(encoding="utf-8"))
        documents.extend(document for document in loaded if document)
    return documents


def pod_templates(manifest: Manifest) -> Iterator[Manifest]:
    """The pod templates of a workload (Deployment, StatefulSet, Job, CronJob, ...)."""
    spec = manifest.get("spec", {})
    if "template" in spec:
        yield spec["template"]
    job_template = spec.get("jobTemplate", {}).get("spec", {})
    if "template" in job_template:
        yield job_template["template"]


def templates(manifest: Manifest) -> Iterator[Manifest]:
    """Pod templates and a StatefulSet's volume claim templates: kustomize's
    ``includeTemplates`` labels both."""
    yield from pod_templates(manifest)
    yield from manifest.get("spec", {}).get("volumeClaimTemplates", [])


def apply_namespace(manifest: Manifest, namespace: str) -> None:
    if manifest["kind"] not in CLUSTER_SCOPED_KINDS:
        manifest["metadata"]["namespace"] = namespace


def apply_labels(manifest: Manifest, entries: list[Manifest]) -> None:
    for entry in entries:
        if entry.get("includeSelectors", False):
            raise UnsupportedKustomization("labels with includeSelectors: true")
        pairs = {str(key): str(value) for key, value in entry["pairs"].items()}
        manifest["metadata"].setdefault("labels", {}).update(pairs)
        if entry.get("includeTemplates", False):
            for template in templates(manifest):
                template.setdefault("metadata", {}).setdefault("labels", {}).update(pairs)


def image_name(image: str) -> str:
    """``registry:5000/name:tag@sha256:...`` -> ``registry:5000/name``."""
    without_digest = image.split("@", 1)[0]
    last_slash = without_digest.rfind("/")
    colon = without_digest.rfind(":")
    return without_digest[:colon] if colon > last_slash else without_digest


def new_image(image: str, entry: Manifest) -> str:
    name = str(entry.get("newName", entry["name"]))
    if "digest" in entry:
        return f"{name}@{entry['digest']}"
    if "newTag" in entry:
        return f"{name}:{entry['newTag']}"
    return name + image[len(image_name(image)) :]


def apply_images(manifest: Manifest, entries: list[Manifest]) -> None:
    for template in pod_templates(manifest):
        spec = template.get("spec", {})
        for container in [*spec.get("initContainers", []), *spec.get("containers", [])]:
            for entry in entries:
                if image_name(container["image"]) == entry["name"]:
                    container["image"] = new_image(container["image"], entry)


def render(base: Path) -> list[Manifest]:
    kustomization = load_kustomization(base)
    manifests = load_resources(base, kustomization.get("resources", []))
    for manifest in manifests:
        if "namespace" in kustomization:
            apply_namespace(manifest, kustomization["namespace"])
        apply_labels(manifest, kustomization.get("labels", []))
        apply_images(manifest, kustomization.get("images", []))
    return manifests


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render k8s/ to one YAML stream on stdout.")
    parser.add_argument("base", nargs="?", type=Path, default=DEFAULT_BASE, help="default: k8s/")
    args = parser.parse_args(argv)
    try:
        manifests = render(args.base)
    except UnsupportedKustomization as error:
        print(f"render_k8s: {error}", file=sys.stderr)
        return 2
    yaml.safe_dump_all(manifests, sys.stdout, sort_keys=False, default_flow_style=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
