"""deploy/template.yaml as data: a YAML loader that keeps CloudFormation's short-form tags
(``!Ref X`` -> ``{"Ref": "X"}``, ``!Sub s`` -> ``{"Fn::Sub": s}``, ``!GetAtt A.B`` ->
``{"Fn::GetAtt": ["A", "B"]}``), and the function role's policy statements."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "deploy" / "template.yaml"
FUNCTION, FUNCTION_ROLE = "BotFunction", "BotFunctionRole"
# Policies of the function's role the Lambda runtime uses, not the bot's code
RUNTIME_POLICIES = {"logs": "the Lambda runtime writes the function's log"}


class _Loader(yaml.SafeLoader):
    pass


def _short_form(loader: _Loader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        assert isinstance(node, yaml.MappingNode)
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_Loader.add_multi_constructor("!", _short_form)


def load(path: Path = TEMPLATE) -> dict[str, Any]:
    data: dict[str, Any] = yaml.load(path.read_text(), Loader=_Loader)  # a SafeLoader
    return data


def resources(kind: str, template: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """The template's resources of one type, by logical id."""
    found = (template or load())["Resources"]
    return {name: r for name, r in found.items() if r["Type"] == kind}


def role_statements(
    template: dict[str, Any] | None = None, *, runtime: bool = False
) -> list[dict[str, Any]]:
    """The function role's Allow statements (without the runtime's own, unless asked)."""
    role = (template or load())["Resources"][FUNCTION_ROLE]["Properties"]
    return [
        statement
        for policy in role["Policies"]
        if runtime or policy["PolicyName"] not in RUNTIME_POLICIES
        for statement in policy["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Allow"
    ]
