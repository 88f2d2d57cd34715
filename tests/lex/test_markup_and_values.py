"""What a message's markup and shaped values are: Slack markup is never a value, an ARN or
a console link names a resource of its type, a value in backticks is that value."""

from __future__ import annotations

import pytest

from bot.slack.text import to_plain
from lex.local import LocalLexRuntime
from lex.nlu import Nlu
from lex.text import find_spans, normalize


@pytest.fixture(scope="module")
def nlu() -> Nlu:
    return LocalLexRuntime().nlu


def read(nlu: Nlu, slack_text: str) -> tuple[str, dict[str, str]]:
    result = nlu.parse(normalize(to_plain(slack_text)))
    return result.intent, {k: v.interpreted for k, v in result.slots.items()}


@pytest.mark.parametrize(
    ("text", "kind", "value", "of"),
    [
        (
            "arn:aws:sagemaker:eu-west-1:111122223333:training-job/churn-lgbm-20261201-0900",
            "name",
            "churn-lgbm-20261201-0900",
            "job",
        ),
        (
            "arn:aws:sagemaker:us-east-2:111122223333:endpoint/recsys-blue",
            "name",
            "recsys-blue",
            "endpoint",
        ),
        (
            "arn:aws:sagemaker:us-east-2:111122223333:model/ranker-model-v9",
            "name",
            "ranker-model-v9",
            "model",
        ),
        ("arn:aws:budgets::111122223333:budget/team-gpu-q1", "name", "team-gpu-q1", "budget"),
        (
            "arn:aws:sagemaker:us-east-2:111122223333:processing-job/prep-77",
            "name",
            "prep-77",
            "processing-job",
        ),
        (
            "https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/endpoints/recsys-blue",
            "name",
            "recsys-blue",
            "endpoint",
        ),
        (
            "https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/jobs/churn-lgbm-7",
            "name",
            "churn-lgbm-7",
            "job",
        ),
        (
            "https://us-east-1.console.aws.amazon.com/billing/home#/budgets/details?name=team-gpu-q1",
            "name",
            "team-gpu-q1",
            "budget",
        ),
        ("https://example.com/docs/endpoints/x", "url", "https://example.com/docs/endpoints/x", ""),
        ("#data-eng", "channel", "#data-eng", ""),
        ("@dana", "mention", "@dana", ""),
        (":rocket:", "emoji", ":rocket:", ""),
        ("`ML.C5.XLarge`", "instance", "ml.c5.xlarge", ""),
        ("`recsys-blue-v3`", "name", "recsys-blue-v3", ""),
    ],
)
def test_shaped_values(text: str, kind: str, value: str, of: str) -> None:
    spans = find_spans(text)
    assert [(s.kind, s.value, s.of) for s in spans] == [(kind, value, of)]


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        # An ARN's type is evidence for the family, and its name fills the slot of that type.
        (
            "arn:aws:sagemaker:eu-west-1:111122223333:training-job/churn-lgbm-20261201-0900 "
            "looks stuck, status?",
            "TrainingStatus",
            {"jobName": "churn-lgbm-20261201-0900"},
        ),
        (
            "is arn:aws:sagemaker:eu-west-1:111122223333:endpoint/recsys-blue healthy",
            "EndpointHealth",
            {"endpointName": "recsys-blue"},
        ),
        (
            "how is https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1"
            "#/endpoints/recsys-blue doing",
            "EndpointHealth",
            {"endpointName": "recsys-blue"},
        ),
        # A channel link, a mention, an emoji code: never a name.
        (
            "<#C0DATA|data-eng> errors spiking on recsys-blue-prod, check the endpoint pls",
            "EndpointHealth",
            {"endpointName": "recsys-blue-prod"},
        ),
        ("<@U0DANA> are the endpoints ok? :eyes:", "EndpointHealth", {}),
        # A hyphenated English word is not a resource name.
        ("endpoints status, just a quick check-in before the call", "EndpointHealth", {}),
        ("any endpoints down? asking for the follow-up", "EndpointHealth", {}),
        # A value in backticks is the value it is shaped like.
        (
            "deploy model `ranker-model-v9` on `ml.c5.xlarge`",
            "DeployModel",
            {"modelName": "ranker-model-v9", "instanceType": "ml.c5.xlarge"},
        ),
        (
            "train kmeans on s3://acme-ml/seg/users.csv (instance: ml.c5.2xlarge)",
            "StartTraining",
            {
                "algorithm": "kmeans",
                "dataset": "s3://acme-ml/seg/users.csv",
                "instanceType": "ml.c5.2xlarge",
            },
        ),
        # A column name after predict/target/label; never a piece of the file name.
        (
            "autopilot on s3://acme-ml/crm/labeled_leads.csv, predict converted",
            "StartAutopilot",
            {"dataset": "s3://acme-ml/crm/labeled_leads.csv", "target": "converted"},
        ),
        (
            "autopilot s3://acme-ml/crm/targets.csv target=will_renew",
            "StartAutopilot",
            {"dataset": "s3://acme-ml/crm/targets.csv", "target": "will_renew"},
        ),
        # An arrow after a quoted text says into which language, even as a bare code.
        (
            "“Bom dia a todos” → en",
            "TranslateText",
            {"text": "Bom dia a todos", "targetLanguage": "en"},
        ),
        (
            '"see you tomorrow" -> it',
            "TranslateText",
            {"text": "see you tomorrow", "targetLanguage": "it"},
        ),
    ],
)
def test_messages(nlu: Nlu, text: str, intent: str, slots: dict[str, str]) -> None:
    assert read(nlu, text) == (intent, slots)


def test_emoji_codes_stay_in_quoted_text_only() -> None:
    assert to_plain('sentiment of "we shipped it :tada:" :eyes:') == (
        'sentiment of "we shipped it :tada:"  '
    )
    assert to_plain("`:tada:` and 'so good :sob:' :wave:") == "`:tada:` and 'so good :sob:'  "


def test_a_quoted_text_keeps_its_emoji_code(nlu: Nlu) -> None:
    assert read(nlu, 'how does this sound: "the demo went great :tada:" - positive?') == (
        "AnalyzeSentiment",
        {"text": "the demo went great :tada:"},
    )


def test_a_name_the_account_knows_is_a_name_whatever_its_shape() -> None:
    nlu = LocalLexRuntime(names={"on-call": "endpoint"}.get).nlu
    assert nlu.is_name("on-call")
    assert not LocalLexRuntime().nlu.is_name("on-call")
    assert LocalLexRuntime().nlu.is_name("gpu-sandbox")


def test_a_budget_the_account_knows_routes_to_the_budget() -> None:
    nlu = LocalLexRuntime(names={"team-gpu-q1": "budget", "recsys-blue": "endpoint"}.get).nlu
    for text in ("did we burn through team-gpu-q1 yet", "how is team-gpu-q1", "team-gpu-q1 status"):
        result = nlu.parse(text)
        assert (result.intent, result.slots["budgetName"].interpreted) == (
            "BudgetStatus",
            "team-gpu-q1",
        ), text
