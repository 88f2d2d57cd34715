"""Real Lex first; on any Lex failure the local runtime answers and the user is not bothered."""

from __future__ import annotations

import logging

import boto3
import pytest
from botocore.stub import Stubber

from lex.local import LocalLexRuntime
from lex.runtime import LexRouter, TextTooLong, session_id

IDS = {"botId": "BOT1234567", "botAliasId": "ALIAS12345", "localeId": "en_US"}


@pytest.fixture(scope="module")
def local() -> LocalLexRuntime:
    return LocalLexRuntime()


def _router(local: LocalLexRuntime) -> tuple[LexRouter, Stubber]:
    client = boto3.client("lexv2-runtime", region_name="us-east-1")
    return LexRouter(local, lex=client, bot_id=IDS["botId"], alias_id=IDS["botAliasId"]), Stubber(
        client
    )


def test_uses_lex_when_it_answers(local: LocalLexRuntime) -> None:
    router, stub = _router(local)
    stub.add_response(
        "recognize_text",
        {
            "sessionState": {
                "dialogAction": {"type": "Close"},
                "intent": {
                    "name": "EndpointHealth",
                    "slots": {},
                    "state": "ReadyForFulfillment",
                    "confirmationState": "None",
                },
            },
            "interpretations": [
                {
                    "intent": {
                        "name": "EndpointHealth",
                        "slots": {},
                        "state": "ReadyForFulfillment",
                        "confirmationState": "None",
                    },
                    "nluConfidence": {"score": 0.93},
                }
            ],
            "sessionId": "T1:C1:U1",
        },
        {"sessionId": "T1:C1:U1", "text": "are my endpoints healthy", **IDS},
    )
    with stub:
        out = router.understand("T1:C1:U1", "are my endpoints healthy")
    assert (out.intent, out.source, out.confidence) == ("EndpointHealth", "lex", 0.93)


@pytest.mark.parametrize(
    "code", ["ThrottlingException", "InternalFailureException", "DependencyFailedException"]
)
def test_falls_back_to_the_local_runtime_and_logs_it(
    local: LocalLexRuntime, code: str, caplog: pytest.LogCaptureFixture
) -> None:
    router, stub = _router(local)
    stub.add_client_error("recognize_text", service_error_code=code, http_status_code=500)
    with stub, caplog.at_level(logging.WARNING):
        out = router.understand("T1:C1:U1", "are my endpoints healthy", request_id="r-abc12345")
    assert (out.intent, out.source) == ("EndpointHealth", "local")
    assert any(code in r.getMessage() and "r-abc12345" in r.getMessage() for r in caplog.records)


def test_too_long_is_said_not_truncated(local: LocalLexRuntime) -> None:
    with pytest.raises(TextTooLong) as err:
        LexRouter(local).understand("s1", "word " * 300)
    assert err.value.length > 1024


def test_session_ids_follow_lex_rules() -> None:
    sid = session_id("T0SANDBOX", "C0MLOPS", "U0ALICE")
    assert sid == "T0SANDBOX:C0MLOPS:U0ALICE"
    weird = session_id("T/1", "C 1", "U#1" * 50)
    assert len(weird) <= 100 and all(c.isalnum() or c in "._:-" for c in weird)
