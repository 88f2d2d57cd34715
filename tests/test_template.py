"""deploy/template.yaml (AWS SAM) agrees with the code: the handler it names imports, the
function's role is deploy/iam-policy.json plus only what Lambda mode adds, the table is the
one ``chatops state init`` creates, and the SageMaker rule matches what the handler reads.
(CI also lints the template with cfn-lint.)"""

from __future__ import annotations

import importlib
import json
import re
import tomllib
from typing import Any

from botocore.exceptions import ClientError

from bot.aws_lambda.events import SAGEMAKER, Sweep, classify
from bot.settings import Settings, env_name
from bot.state.dynamodb import create_table
from tests import cfn
from tools.template_policy import filled

TEMPLATE = cfn.load()
RESOURCES = TEMPLATE["Resources"]
FUNCTION = RESOURCES[cfn.FUNCTION]["Properties"]
POLICY = json.loads((cfn.ROOT / "deploy" / "iam-policy.json").read_text())

FUNCTION_ARN = (
    "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${AWS::StackName}-bot"
)


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def subs(value: Any) -> list[Any]:
    """A statement's resources with !Sub unwrapped (other functions kept as they are)."""
    return [r["Fn::Sub"] if isinstance(r, dict) and "Fn::Sub" in r else r for r in as_list(value)]


def test_the_handler_the_image_runs_imports_and_is_callable() -> None:
    assert FUNCTION["PackageType"] == "Image"
    [name] = FUNCTION["ImageConfig"]["Command"]
    module, _, attribute = name.rpartition(".")
    handler = getattr(importlib.import_module(module), attribute)
    assert callable(handler)
    # the image sam build makes: Lambda's Python base image, the bot installed from
    # pyproject.toml where that image looks for the handler, which it runs by default
    metadata = RESOURCES[cfn.FUNCTION]["Metadata"]
    dockerfile = (
        cfn.TEMPLATE.parent / metadata["DockerContext"] / metadata["Dockerfile"]
    ).resolve()
    lines = dockerfile.read_text().splitlines()
    assert dockerfile.parent.parent == cfn.ROOT
    assert any(re.fullmatch(r"FROM public\.ecr\.aws/lambda/python:3\.1[1-3]", x) for x in lines)
    assert any('pip install --no-cache-dir --target "${LAMBDA_TASK_ROOT}" .' in x for x in lines)
    assert f'CMD ["{name}"]' in lines
    # an ack takes well under Slack's 3 seconds; the lazy work gets a real timeout
    assert FUNCTION["Timeout"] >= 30 and FUNCTION["MemorySize"] >= 512


def test_the_images_leave_out_what_only_build_time_tools_need() -> None:
    # sagemaker-core (with pandas and scipy) only feeds tools/algorithm_images.py
    project = tomllib.loads((cfn.ROOT / "pyproject.toml").read_text())["project"]
    assert not [d for d in project["dependencies"] if d.startswith(("sagemaker-core", "moto"))]
    assert any(d.startswith("sagemaker-core") for d in project["optional-dependencies"]["tools"])


def test_the_function_role_holds_every_statement_of_the_bots_policy() -> None:
    template = {s["Sid"]: s for s in cfn.role_statements(TEMPLATE)}
    for statement in POLICY["Statement"]:
        found = template.get(statement["Sid"])
        fix = "run .venv/bin/python tools/template_policy.py"
        assert found is not None, f"the template lacks {statement['Sid']}: {fix}"
        assert sorted(as_list(found["Action"])) == sorted(as_list(statement["Action"])), fix
        assert found.get("Condition") == statement.get("Condition"), statement["Sid"]
        assert subs(found["Resource"]) == [filled(r) for r in as_list(statement["Resource"])]


def test_lambda_mode_adds_only_invoking_itself_and_its_own_schedules() -> None:
    bot = {s["Sid"] for s in POLICY["Statement"]}
    added = {s["Sid"]: s for s in cfn.role_statements(TEMPLATE) if s["Sid"] not in bot}
    assert {sid: sorted(as_list(s["Action"])) for sid, s in added.items()} == {
        "InvokeItselfForLazyListeners": ["lambda:InvokeFunction"],
        "ReportSchedulesInItsOwnGroup": [
            "scheduler:CreateSchedule",
            "scheduler:DeleteSchedule",
            "scheduler:GetSchedule",
            "scheduler:UpdateSchedule",
        ],
        "ListReportSchedules": ["scheduler:ListSchedules"],
        "PassTheSchedulerRoleToSchedulerOnly": ["iam:PassRole"],
    }
    assert subs(added["InvokeItselfForLazyListeners"]["Resource"]) == [
        FUNCTION_ARN,
        FUNCTION_ARN + ":*",
    ]
    assert subs(added["ReportSchedulesInItsOwnGroup"]["Resource"]) == [
        "arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule/${ReportSchedules}/*"
    ]
    passing = added["PassTheSchedulerRoleToSchedulerOnly"]
    assert passing["Resource"] == {"Fn::GetAtt": ["SchedulerRole", "Arn"]}
    assert passing["Condition"] == {
        "StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}
    }
    # and the runtime's own: the function's log group only
    [logs] = [
        s for s in cfn.role_statements(TEMPLATE, runtime=True) if s["Sid"] == "WriteItsOwnLog"
    ]
    assert sorted(logs["Action"]) == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert logs["Resource"] == {"Fn::Sub": "${BotLogGroup.Arn}:*"}


def test_the_scheduler_role_may_only_invoke_the_function() -> None:
    role = RESOURCES["SchedulerRole"]["Properties"]
    [trust] = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    [policy] = role["Policies"]
    [statement] = policy["PolicyDocument"]["Statement"]
    assert statement["Action"] == "lambda:InvokeFunction"
    assert subs(statement["Resource"]) == [FUNCTION_ARN, FUNCTION_ARN + ":*"]
    assert FUNCTION["FunctionName"] == {"Fn::Sub": "${AWS::StackName}-bot"}  # the ARN's name


class _RecordingDynamoDB:
    """Enough of a DynamoDB client for create_table on a table that does not exist yet."""

    def __init__(self) -> None:
        self.created: dict[str, Any] = {}
        self.ttl: dict[str, Any] = {}

    def describe_table(self, **_: Any) -> None:
        raise ClientError({"Error": {"Code": "ResourceNotFoundException"}}, "DescribeTable")

    def create_table(self, **request: Any) -> None:
        self.created = request

    def get_waiter(self, _: str) -> Any:
        return type("Waiter", (), {"wait": lambda *a, **k: None})()

    def describe_time_to_live(self, **_: Any) -> dict[str, Any]:
        return {}

    def update_time_to_live(self, **request: Any) -> None:
        self.ttl = request["TimeToLiveSpecification"]


def test_the_table_is_the_one_chatops_state_init_creates() -> None:
    client = _RecordingDynamoDB()
    create_table(client, "chatops")  # type: ignore[arg-type]
    made, table = client.created, RESOURCES["StateTable"]["Properties"]
    assert table["BillingMode"] == made["BillingMode"]
    assert table["KeySchema"] == made["KeySchema"]
    assert sorted(table["AttributeDefinitions"], key=str) == sorted(
        made["AttributeDefinitions"], key=str
    )
    assert table["GlobalSecondaryIndexes"] == made["GlobalSecondaryIndexes"]
    assert (
        table["TimeToLiveSpecification"] == client.ttl == {"Enabled": True, "AttributeName": "ttl"}
    )
    assert FUNCTION["Environment"]["Variables"]["CHATOPS_DYNAMODB_TABLE"] == {"Ref": "StateTable"}


def test_the_sagemaker_rule_matches_what_the_handler_reads() -> None:
    rule = RESOURCES["SageMakerStateChanges"]["Properties"]
    pattern = rule["EventPattern"]
    assert pattern["source"] == ["aws.sagemaker"]
    assert sorted(pattern["detail-type"]) == sorted(SAGEMAKER)
    assert rule["Targets"] == [{"Id": "bot", "Arn": {"Fn::GetAtt": [cfn.FUNCTION, "Arn"]}}]
    [permission] = [
        p["Properties"]
        for p in cfn.resources("AWS::Lambda::Permission", TEMPLATE).values()
        if p["Properties"]["Principal"] == "events.amazonaws.com"
    ]
    assert permission["FunctionName"] == {"Ref": cfn.FUNCTION}
    assert permission["Action"] == "lambda:InvokeFunction"
    assert permission["SourceArn"] == {"Fn::GetAtt": ["SageMakerStateChanges", "Arn"]}


def test_slack_reaches_the_function_at_slack_events() -> None:
    [event] = FUNCTION["Events"].values()
    assert event["Type"] == "HttpApi"
    assert (event["Properties"]["Method"], event["Properties"]["Path"]) == ("POST", "/slack/events")


def test_the_sweep_and_the_report_schedules() -> None:
    sweep = RESOURCES["Sweep"]["Properties"]
    assert sweep["ScheduleExpression"] == "rate(5 minutes)"
    assert isinstance(classify(json.loads(sweep["Target"]["Input"])), Sweep)
    assert sweep["Target"]["Arn"] == {"Fn::GetAtt": [cfn.FUNCTION, "Arn"]}
    assert sweep["Target"]["RoleArn"] == {"Fn::GetAtt": ["SchedulerRole", "Arn"]}
    assert "GroupName" not in sweep  # not in the report group the bot reconciles
    variables = FUNCTION["Environment"]["Variables"]
    assert variables["CHATOPS_SCHEDULER_GROUP"] == {"Ref": "ReportSchedules"}
    assert variables["CHATOPS_SCHEDULER_ROLE_ARN"] == {"Fn::GetAtt": ["SchedulerRole", "Arn"]}
    assert variables["CHATOPS_SCHEDULER_TARGET_ARN"] == {"Fn::Sub": FUNCTION_ARN}


def test_every_variable_the_function_gets_is_a_setting() -> None:
    names = {env_name(field) for field in Settings.model_fields}
    assert set(FUNCTION["Environment"]["Variables"]) <= names


def test_the_readme_explains_every_parameter_and_the_request_url() -> None:
    readme = (cfn.ROOT / "README.md").read_text()
    lambda_section = readme.split("### On AWS Lambda", 1)[1].split("\n## ", 1)[0]
    for name in TEMPLATE["Parameters"]:
        assert f"`{name}`" in lambda_section, name
    assert "SlackRequestUrl" in TEMPLATE["Outputs"] and "`SlackRequestUrl`" in lambda_section
    assert "sam build -t deploy/template.yaml" in lambda_section
