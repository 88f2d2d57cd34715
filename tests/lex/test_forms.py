"""Requests pasted as commands or records: an AWS CLI or SDK call means the intent that
lists its operation, a record's keys name slots, and neither ever bypasses the rules that
keep a change from being guessed."""

from __future__ import annotations

import io
import zipfile

import pytest

from bot.slack.text import to_plain
from lex.definition import DefinitionError, load_definition, parse_definition
from lex.export import archive_bytes
from lex.forms import Pair, is_command, key_of, read_form
from lex.local import LocalLexRuntime
from lex.nlu import Nlu
from lex.text import normalize


@pytest.fixture(scope="module")
def nlu() -> Nlu:
    return LocalLexRuntime().nlu


def read(nlu: Nlu, slack_text: str) -> tuple[str, dict[str, str]]:
    result = nlu.parse(normalize(to_plain(slack_text)))
    return result.intent, {k: v.interpreted for k, v in result.slots.items()}


def test_keys_and_operations_have_one_spelling() -> None:
    assert key_of("TrainingJobName") == key_of("training-job-name") == key_of("training_job_name")
    assert key_of("CreateAutoMLJob") == key_of("create-auto-ml-job")


def test_a_cli_call_is_read_with_its_options() -> None:
    text = "aws sagemaker stop-training-job --training-job-name churn-9 --region eu-west-1"
    form = read_form(text)
    assert (form.service, form.operation) == ("sagemaker", "stop-training-job")
    assert [(p.key, p.value) for p in form.pairs] == [
        ("training-job-name", "churn-9"),
        ("region", "eu-west-1"),
    ]
    assert text[form.pairs[0].at :].startswith("churn-9")


def test_an_sdk_call_is_read_with_its_arguments() -> None:
    form = read_form("boto3.client('sagemaker').delete_endpoint(EndpointName='old-ep-3')")
    assert form.operation == "delete_endpoint"
    assert [(p.key, p.value) for p in form.pairs] == [("EndpointName", "old-ep-3")]


def test_a_record_is_its_pairs() -> None:
    form = read_form("model: churn-model-v3 instance type: ml.g5.xlarge rows=1,2,3 --kind x")
    assert form.operation == ""
    assert [(p.key, p.value) for p in form.pairs] == [
        ("model", "churn-model-v3"),
        ("instance type", "ml.g5.xlarge"),
        ("rows", "1,2,3"),
        ("kind", "x"),
    ]
    assert all(isinstance(p, Pair) for p in form.pairs)
    assert read_form("see s3://bucket/key at 9:30").pairs == ()


@pytest.mark.parametrize(
    ("content", "command"),
    [
        ("aws sagemaker list-endpoints", True),
        ("ls jobs --kind processing", True),
        ("sm.describe_endpoint(EndpointName='x')", True),
        ("algorithm: knn data: s3://a/b.csv", True),
        ("the delivery was late: again", False),
        ("5.1,3.5,1.4,0.2", False),
        ("recsys-blue-v3", False),
        ("lunch is ready", False),
    ],
)
def test_which_code_spans_are_commands(content: str, command: bool) -> None:
    assert is_command(content) is command


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        (
            "```aws sagemaker delete-endpoint --endpoint-name old-ep-3```",
            "DeleteEndpoint",
            {"endpointName": "old-ep-3"},
        ),
        (
            "pls run `aws sagemaker stop-training-job --training-job-name churn-lgbm-41`",
            "StopTraining",
            {"jobName": "churn-lgbm-41"},
        ),
        (
            'sm.delete_endpoint(EndpointName="old-ep-3")',
            "DeleteEndpoint",
            {"endpointName": "old-ep-3"},
        ),
        ("aws sagemaker list-compilation-jobs", "ListJobs", {"jobKind": "compilation"}),
        ("aws sagemaker list-endpoints", "EndpointHealth", {}),
        (
            "aws sagemaker describe-training-job --training-job-name churn-lgbm-41",
            "TrainingStatus",
            {"jobName": "churn-lgbm-41"},
        ),
        (
            "aws sagemaker-runtime invoke-endpoint --endpoint-name recsys-blue --body '7,1,0' out.json",
            "InvokeEndpoint",
            {"endpointName": "recsys-blue", "payload": "7,1,0"},
        ),
        (
            'aws translate translate-text --text "bis morgen" --source-language-code de '
            "--target-language-code en",
            "TranslateText",
            {"text": "bis morgen", "targetLanguage": "en"},
        ),
        (
            "aws budgets describe-budget --account-id 111122223333 --budget-name team-gpu-q1",
            "BudgetStatus",
            {"budgetName": "team-gpu-q1"},
        ),
        # Shell-style listings.
        ("`ls endpoints`", "EndpointHealth", {}),
        ("`ls jobs --kind labeling`", "ListJobs", {"jobKind": "labeling"}),
        # Records: keys that name slots give their values and point at the intent.
        (
            "```\nalgo: kmeans\ndata: s3://acme/seg/users.csv\nmachine: ml.c5.xlarge\n```\ngo ahead",
            "StartTraining",
            {
                "algorithm": "kmeans",
                "dataset": "s3://acme/seg/users.csv",
                "instanceType": "ml.c5.xlarge",
            },
        ),
        (
            "```\nendpoint: recsys-blue\nbody: 7,1,0\n```",
            "InvokeEndpoint",
            {"endpointName": "recsys-blue", "payload": "7,1,0"},
        ),
        (
            '```\ntext: "bis morgen"\nlanguage: en\n```',
            "TranslateText",
            {"text": "bis morgen", "targetLanguage": "en"},
        ),
    ],
)
def test_commands_and_records(nlu: Nlu, text: str, intent: str, slots: dict[str, str]) -> None:
    assert read(nlu, text) == (intent, slots)


@pytest.mark.parametrize(
    "text",
    [
        # Negated, asked about, told about, or asked how: the command is not an order.
        "don't run `aws sagemaker delete-endpoint --endpoint-name old-ep-3`",
        "never `aws sagemaker delete-endpoint --endpoint-name old-ep-3`",
        "what does `aws sagemaker delete-endpoint --endpoint-name old-ep-3` do?",
        "I ran aws sagemaker delete-endpoint --endpoint-name old-ep-3 and it failed",
        "how do I run aws sagemaker stop-training-job from here?",
        "runbook says: aws sagemaker stop-training-job --training-job-name churn-lgbm-41",
        # A change without its key words is never guessed, even as a record.
        "```\ndataset: s3://acme/x/y.csv\ntarget: churned\n```",
    ],
)
def test_a_command_that_is_not_asked_for_is_no_change(nlu: Nlu, text: str) -> None:
    intent, _ = read(nlu, text)
    assert not nlu.definition.intents[intent].mutating, (text, intent)


def test_a_change_asked_for_in_words_around_its_command_is_still_a_change(nlu: Nlu) -> None:
    assert (
        read(nlu, "please delete old-ep-3 (aws sagemaker delete-endpoint)")[0] == "DeleteEndpoint"
    )


def test_operations_and_slot_keys_are_local_only() -> None:
    """Lex never sees them: the archive is the same without them."""
    definition = load_definition()
    assert definition.intents["DeleteEndpoint"].aws_operations == ("DeleteEndpoint",)
    source = definition_source()
    stripped = "\n".join(
        line for line in source.splitlines() if not line.startswith("aws_operations")
    )
    stripped = (
        stripped.split("[local.slot_keys]")[0]
        + "[local.requires]"
        + stripped.split("[local.requires]")[1]
    )
    assert archive_bytes(parse_definition(stripped.encode())) == archive_bytes(definition)
    archive = zipfile.ZipFile(io.BytesIO(archive_bytes(definition)))
    for name in archive.namelist():
        body = archive.read(name).decode()
        assert "aws_operations" not in body and "slot_keys" not in body


def test_an_operation_means_one_intent_and_keys_name_known_slots() -> None:
    source = definition_source()
    twice = source.replace(
        'aws_operations = ["DescribeEndpoint", "ListEndpoints"]',
        'aws_operations = ["DescribeEndpoint", "ListEndpoints", "DeleteEndpoint"]',
    )
    with pytest.raises(DefinitionError, match="DeleteEndpoint is already"):
        parse_definition(twice.encode())
    unknown = source.replace("[local.slot_keys]", '[local.slot_keys]\nnoSuchSlot = ["x"]')
    with pytest.raises(DefinitionError, match="unknown slot noSuchSlot"):
        parse_definition(unknown.encode())


def definition_source() -> str:
    from lex.definition import DEFINITION_PATH

    return DEFINITION_PATH.read_text(encoding="utf-8")
