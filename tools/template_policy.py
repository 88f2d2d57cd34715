"""Write deploy/iam-policy.json's statements into deploy/template.yaml's function role.

The Lambda function's role holds the bot's policy with the placeholders filled in by
CloudFormation (``!Sub``), followed by what Lambda mode adds. The block between the two
marker comments is generated; run this after changing deploy/iam-policy.json
(tests/test_template.py fails until the two agree):

    .venv/bin/python tools/template_policy.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "deploy" / "iam-policy.json"
TEMPLATE = ROOT / "deploy" / "template.yaml"
START = "# ---- deploy/iam-policy.json"
END = "# ---- what Lambda mode adds"

# deploy/iam-policy.json's placeholders -> what the template's !Sub strings say instead
PLACEHOLDERS = {
    "arn:aws:": "arn:${AWS::Partition}:",
    "REGION": "${AWS::Region}",
    "ACCOUNT_ID": "${AWS::AccountId}",
    "SAGEMAKER_EXECUTION_ROLE": "${SageMakerExecutionRoleName}",
    "DATA_BUCKET": "${DataBucket}",
    "OUTPUT_BUCKET": "${OutputBucket}",
    "OUTPUT_PREFIX": "${OutputPrefix}",
    "LEX_BOT_ALIAS_ID": "${LexBotAliasId}",
    "LEX_BOT_ID": "${LexBotId}",
    "STATE_TABLE": "${StateTable}",
}


def filled(resource: str) -> str:
    for placeholder, value in PLACEHOLDERS.items():
        resource = resource.replace(placeholder, value)
    return resource


def _resource(value: str) -> str:
    return json.dumps(value) if value == "*" else f"!Sub {filled(value)}"


def _lines(key: str, value: Any, indent: str, scalar: Any = json.dumps) -> list[str]:
    if isinstance(value, dict):
        out = [f"{indent}{key}:"]
        for k, v in value.items():
            out += _lines(k, v, indent + "  ")
        return out
    if isinstance(value, list):
        return [f"{indent}{key}:"] + [f"{indent}  - {scalar(v)}" for v in value]
    return [f"{indent}{key}: {scalar(value)}"]


def statements(policy: dict[str, Any], indent: str) -> list[str]:
    out: list[str] = []
    for statement in policy["Statement"]:
        out.append(f"{indent}- Sid: {statement['Sid']}")
        inner = indent + "  "
        out.append(f"{inner}Effect: {statement['Effect']}")
        actions = statement["Action"]
        out += _lines("Action", actions, inner, str)
        out += _lines("Resource", statement["Resource"], inner, _resource)
        if "Condition" in statement:
            out += _lines("Condition", statement["Condition"], inner)
    return out


def main() -> None:
    policy = json.loads(POLICY.read_text())
    lines = TEMPLATE.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == START)
    end = next(i for i, line in enumerate(lines) if line.strip() == END)
    indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
    lines[start + 1 : end] = statements(policy, indent)
    TEMPLATE.write_text("\n".join(lines) + "\n")
    print(f"wrote {len(policy['Statement'])} statements into {TEMPLATE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
