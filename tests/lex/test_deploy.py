"""`chatops lex deploy`: moto where it has the calls (bots, aliases, IAM); Stubber with the
real API shapes for the rest (import, locale build, versions), which moto lacks."""

from __future__ import annotations

import datetime as dt
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from moto import mock_aws

from lex.definition import load_definition
from lex.deploy import (
    DeployError,
    definition_tag,
    deploy,
    find_alias,
    find_bot,
    point_alias,
    service_role_arn,
)

NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
ROLE = (
    "arn:aws:iam::123456789012:role/aws-service-role/lexv2.amazonaws.com/AWSServiceRoleForLexV2Bots"
)


# ---------------------------------------------------------------------------- moto


@mock_aws
def test_service_linked_role_is_created_once() -> None:
    iam = boto3.client("iam", region_name="us-east-1")
    first = service_role_arn(iam)
    assert ":role/aws-service-role/lexv2.amazonaws.com/" in first
    assert service_role_arn(iam) == first
    assert len(iam.list_roles(PathPrefix="/aws-service-role/lexv2.amazonaws.com/")["Roles"]) == 1


@mock_aws
def test_bot_is_found_by_name_and_the_alias_is_created_then_moved() -> None:
    lex = boto3.client("lexv2-models", region_name="us-east-1")
    bot_id = lex.create_bot(
        botName="MLOpsAssistant",
        roleArn=ROLE,
        dataPrivacy={"childDirected": False},
        idleSessionTTLInSeconds=300,
    )["botId"]
    lex.create_bot(
        botName="SomethingElse",
        roleArn=ROLE,
        dataPrivacy={"childDirected": False},
        idleSessionTTLInSeconds=300,
    )
    assert find_bot(lex, "MLOpsAssistant") == bot_id
    assert find_bot(lex, "Missing") is None
    alias_id = point_alias(lex, bot_id, "live", "1", "en_US")
    assert find_alias(lex, bot_id, "live")["botVersion"] == "1"  # type: ignore[index]
    assert point_alias(lex, bot_id, "live", "2", "en_US") == alias_id
    assert find_alias(lex, bot_id, "live")["botVersion"] == "2"  # type: ignore[index]


# ---------------------------------------------------------------------------- Stubber


class _Upload:
    """A real HTTP endpoint standing in for Lex's pre-signed S3 upload URL."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:
                outer.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/upload?X-Amz-Signature=abc"


@pytest.fixture
def upload() -> Any:
    target = _Upload()
    yield target
    target.server.shutdown()


@pytest.fixture
def clients() -> Any:
    with mock_aws():
        lex = boto3.client("lexv2-models", region_name="us-east-1")
        iam = boto3.client("iam", region_name="us-east-1")
        yield lex, iam


def _first_deploy(stub: Stubber, definition: Any, upload_url: str) -> None:
    name = definition.name
    stub.add_response(
        "list_bots",
        {"botSummaries": []},
        {"filters": [{"name": "BotName", "values": [name], "operator": "EQ"}]},
    )
    stub.add_response("create_upload_url", {"importId": "IMPORT1234", "uploadUrl": upload_url})
    stub.add_response(
        "start_import",
        {
            "importId": "IMPORT1234",
            "importStatus": "InProgress",
            "mergeStrategy": "Overwrite",
            "creationDateTime": NOW,
        },
        {"importId": "IMPORT1234", "resourceSpecification": ANY, "mergeStrategy": "Overwrite"},
    )
    stub.add_response(
        "describe_import",
        {"importId": "IMPORT1234", "importStatus": "InProgress"},
        {"importId": "IMPORT1234"},
    )
    stub.add_response(
        "describe_import",
        {
            "importId": "IMPORT1234",
            "importStatus": "Completed",
            "importedResourceId": "BOTID12345",
            "importedResourceName": name,
        },
        {"importId": "IMPORT1234"},
    )
    stub.add_response(
        "build_bot_locale",
        {
            "botId": "BOTID12345",
            "botVersion": "DRAFT",
            "localeId": "en_US",
            "botLocaleStatus": "Building",
        },
        {"botId": "BOTID12345", "botVersion": "DRAFT", "localeId": "en_US"},
    )
    stub.add_response(
        "describe_bot_locale",
        {
            "botId": "BOTID12345",
            "botVersion": "DRAFT",
            "localeId": "en_US",
            "botLocaleStatus": "Building",
        },
        {"botId": "BOTID12345", "botVersion": "DRAFT", "localeId": "en_US"},
    )
    stub.add_response(
        "describe_bot_locale",
        {
            "botId": "BOTID12345",
            "botVersion": "DRAFT",
            "localeId": "en_US",
            "botLocaleStatus": "Built",
        },
        {"botId": "BOTID12345", "botVersion": "DRAFT", "localeId": "en_US"},
    )
    stub.add_response(
        "create_bot_version",
        {
            "botId": "BOTID12345",
            "botVersion": "1",
            "description": definition_tag(definition),
            "botStatus": "Versioning",
        },
        {
            "botId": "BOTID12345",
            "description": definition_tag(definition),
            "botVersionLocaleSpecification": {"en_US": {"sourceBotVersion": "DRAFT"}},
        },
    )
    stub.add_response(
        "describe_bot_version",
        {
            "botId": "BOTID12345",
            "botVersion": "1",
            "botStatus": "Available",
            "description": definition_tag(definition),
        },
        {"botId": "BOTID12345", "botVersion": "1"},
    )
    stub.add_response(
        "list_bot_aliases",
        {"botAliasSummaries": [], "botId": "BOTID12345"},
        {"botId": "BOTID12345"},
    )
    stub.add_response(
        "create_bot_alias",
        {
            "botAliasId": "ALIAS12345",
            "botAliasName": "live",
            "botVersion": "1",
            "botAliasStatus": "Creating",
            "botId": "BOTID12345",
        },
        {
            "botAliasName": "live",
            "botId": "BOTID12345",
            "botVersion": "1",
            "botAliasLocaleSettings": {"en_US": {"enabled": True}},
            "description": ANY,
        },
    )
    stub.add_response(
        "describe_bot_alias",
        {
            "botAliasId": "ALIAS12345",
            "botAliasName": "live",
            "botVersion": "1",
            "botAliasStatus": "Available",
            "botId": "BOTID12345",
        },
        {"botAliasId": "ALIAS12345", "botId": "BOTID12345"},
    )


def test_first_deploy_imports_builds_publishes_and_points_the_alias(
    clients: Any, upload: Any
) -> None:
    lex, iam = clients
    definition = load_definition()
    sleeps: list[float] = []
    with Stubber(lex) as stub:
        _first_deploy(stub, definition, upload.url)
        result = deploy(definition, lex, iam, sleep=sleeps.append)
        stub.assert_no_pending_responses()
    assert (result.bot_id, result.alias_id, result.version, result.changed) == (
        "BOTID12345",
        "ALIAS12345",
        "1",
        True,
    )
    from lex.export import archive_bytes

    assert upload.bodies == [archive_bytes(definition)]
    assert sleeps == [2.0, 2.0]  # one wait for the import, one for the build


def test_second_deploy_with_the_same_definition_changes_nothing(clients: Any) -> None:
    lex, iam = clients
    definition = load_definition()
    with Stubber(lex) as stub:
        stub.add_response(
            "list_bots",
            {
                "botSummaries": [
                    {"botId": "BOTID12345", "botName": definition.name, "botStatus": "Available"}
                ]
            },
            None,
        )
        stub.add_response(
            "list_bot_aliases",
            {
                "botId": "BOTID12345",
                "botAliasSummaries": [
                    {
                        "botAliasId": "ALIAS12345",
                        "botAliasName": "live",
                        "botVersion": "3",
                        "botAliasStatus": "Available",
                    }
                ],
            },
            {"botId": "BOTID12345"},
        )
        stub.add_response(
            "describe_bot_version",
            {
                "botId": "BOTID12345",
                "botVersion": "3",
                "botStatus": "Available",
                "description": definition_tag(definition),
            },
            {"botId": "BOTID12345", "botVersion": "3"},
        )
        # No further call is stubbed: any import, build or alias change would raise.
        result = deploy(definition, lex, iam, upload=lambda *a: pytest.fail("uploaded again"))
        stub.assert_no_pending_responses()
    assert (result.version, result.changed) == ("3", False)


def test_a_failed_build_reports_lex_reasons(clients: Any) -> None:
    lex, iam = clients
    definition = load_definition()
    with Stubber(lex) as stub:
        stub.add_response("list_bots", {"botSummaries": []}, None)
        stub.add_response(
            "create_upload_url",
            {"importId": "IMPORT1234", "uploadUrl": "https://example.invalid/u"},
        )
        stub.add_response(
            "start_import", {"importId": "IMPORT1234", "importStatus": "InProgress"}, None
        )
        stub.add_response(
            "describe_import",
            {
                "importId": "IMPORT1234",
                "importStatus": "Completed",
                "importedResourceId": "BOTID12345",
            },
            None,
        )
        stub.add_response("build_bot_locale", {"botLocaleStatus": "Building"}, None)
        stub.add_response(
            "describe_bot_locale",
            {"botLocaleStatus": "Failed", "failureReasons": ["Slot type 'S3Uri' has no values"]},
            None,
        )
        with pytest.raises(
            DeployError, match="en_US build failed: Slot type 'S3Uri' has no values"
        ):
            deploy(definition, lex, iam, upload=lambda url, data: None, sleep=lambda s: None)


def test_waits_time_out(clients: Any) -> None:
    lex, iam = clients
    definition = load_definition()
    clock = [0.0]
    with Stubber(lex) as stub:
        stub.add_response("list_bots", {"botSummaries": []}, None)
        stub.add_response(
            "create_upload_url",
            {"importId": "IMPORT1234", "uploadUrl": "https://example.invalid/u"},
        )
        stub.add_response(
            "start_import", {"importId": "IMPORT1234", "importStatus": "InProgress"}, None
        )
        for _ in range(5):
            stub.add_response(
                "describe_import", {"importId": "IMPORT1234", "importStatus": "InProgress"}, None
            )

        def sleep(seconds: float) -> None:
            clock[0] += seconds

        with pytest.raises(DeployError, match="timed out after 10 s waiting for the import"):
            deploy(
                definition,
                lex,
                iam,
                timeout=10,
                upload=lambda url, data: None,
                sleep=sleep,
                clock=lambda: clock[0],
            )
