#!/usr/bin/env bash
# Lints the AWS SAM template (infra/template.yaml). Exits non-zero on any
# finding, and prints a one-line summary last.
#
# Usage: scripts/lint-infra.sh
#
# - installs cfn-lint, checkov and aws-sam-translator from PyPI into a venv
#   (default target/venv-infra; override with LETHE_INFRA_VENV) the first
#   time, and again only when the pinned specs below change;
# - cfn-lint on the template as written (SAM resources are checked against
#   SAM's schema): no error, no warning, no informational finding;
# - the SAM transform (aws-sam-translator, offline, with placeholder code
#   locations) and cfn-lint on its output: this sees what CloudFormation
#   will see: the generated roles, stage and permissions, and circular
#   dependencies, which a lint of the SAM source misses;
# - checkov (CloudFormation framework, which reads SAM resources) with
#   --skip-download: no Prisma Cloud / Bridgecrew calls. Every skipped
#   check is skipped in the template (resource Metadata: checkov: skip),
#   each with its reason; nothing is skipped here.
# Nothing but PyPI is reached, and only for the install.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

template="infra/template.yaml"
venv="${LETHE_INFRA_VENV:-$root/target/venv-infra}"
specs=("cfn-lint>=1,<2" "checkov>=3,<4" "aws-sam-translator>=1.90,<2")
work="$root/target/infra-lint"
mkdir -p "$work"

# (Re)install when the venv is missing or was made for other specs.
stamp="$venv/.lethe-infra-specs"
if [ ! -x "$venv/bin/cfn-lint" ] || [ ! -x "$venv/bin/checkov" ] ||
    [ "$(cat "$stamp" 2>/dev/null)" != "${specs[*]}" ]; then
    echo "==> installing ${specs[*]} into $venv (first run: about a minute)" >&2
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${specs[@]}"
    printf '%s' "${specs[*]}" >"$stamp"
fi

failed=0

# 1. cfn-lint on the SAM source.
echo "==> cfn-lint $template" >&2
if "$venv/bin/cfn-lint" "$template"; then
    source_lint="clean"
else
    source_lint="FINDINGS"
    failed=1
fi

# 2. The SAM transform, then cfn-lint on the plain CloudFormation it makes.
#    The region only names the ARN partition; no AWS call is made.
echo "==> SAM transform + cfn-lint" >&2
transformed="$work/template.transformed.json"
if resources="$(AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-eu-west-3}" AWS_EC2_METADATA_DISABLED=true \
    "$venv/bin/python" - "$template" "$transformed" <<'PY'
import json
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicyLookup:
    """The template names no managed policy by name; never ask IAM."""

    def load(self):
        return {}


source, out = sys.argv[1], sys.argv[2]
with open(source, encoding="utf-8") as f:
    template = yaml_parse(f.read())
# `sam build` replaces the local CodeUri with the built artifact; the
# translator itself only accepts S3 locations.
for resource in template.get("Resources", {}).values():
    if resource.get("Type") == "AWS::Serverless::Function":
        resource["Properties"]["CodeUri"] = "s3://lint-placeholder/code.zip"
result = transform(template, {}, NoManagedPolicyLookup())
with open(out, "w", encoding="utf-8") as f:
    json.dump(result, f, indent=1)
print(len(result.get("Resources", {})))
PY
)"; then
    if "$venv/bin/cfn-lint" "$transformed"; then
        transform_lint="clean ($resources resources)"
    else
        transform_lint="FINDINGS"
        failed=1
    fi
else
    transform_lint="TRANSFORM FAILED"
    failed=1
fi

# 3. checkov.
echo "==> checkov $template" >&2
checkov_log="$work/checkov.txt"
set +e
"$venv/bin/checkov" -f "$template" --framework cloudformation --skip-download --compact --quiet \
    >"$checkov_log" 2>&1
checkov_rc=$?
set -e
cat "$checkov_log"
counts="$(grep -Eo 'Passed checks: [0-9]+, Failed checks: [0-9]+, Skipped checks: [0-9]+' "$checkov_log" | head -n1 || true)"
if [ "$checkov_rc" -ne 0 ] || [ -z "$counts" ]; then
    failed=1
    checkov_summary="FAILED (rc=$checkov_rc${counts:+; $counts})"
else
    checkov_summary="$counts"
fi

summary="lint-infra: cfn-lint source $source_lint; cfn-lint SAM transform $transform_lint; checkov $checkov_summary"
if [ "$failed" -ne 0 ]; then
    echo "$summary -> FAILED"
    exit 1
fi
echo "$summary -> OK"
