"""`chatops lex deploy`: create or update the Lex V2 bot from the definition.

Steps: find the bot by name; if its alias already points at a version built from
this very definition (its digest is in the version description), stop: nothing
changed. Otherwise import the archive (create or overwrite), build the locale,
publish a version, point the alias at it. Every wait has a timeout.
"""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from lex.definition import BotDefinition
from lex.export import archive_bytes

if TYPE_CHECKING:
    from types_boto3_iam import IAMClient
    from types_boto3_lexv2_models import LexModelsV2Client
    from types_boto3_lexv2_models.type_defs import (
        BotAliasLocaleSettingsTypeDef,
        BotAliasSummaryTypeDef,
        BotSummaryTypeDef,
        ListBotAliasesRequestTypeDef,
        ListBotsRequestTypeDef,
    )

T = TypeVar("T")


class DeployError(Exception):
    pass


@dataclass(frozen=True)
class DeployResult:
    bot_id: str
    alias_id: str
    version: str
    changed: bool


def definition_tag(definition: BotDefinition) -> str:
    return f"chatops definition sha256:{definition.digest[:16]}"


def put_archive(url: str, data: bytes) -> None:
    """Upload the archive to Lex's pre-signed S3 URL."""
    request = urllib.request.Request(
        url, data=data, method="PUT", headers={"Content-Type": "application/zip"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        if response.status >= 300:
            raise DeployError(f"uploading the archive failed with HTTP {response.status}")


class _Waiter:
    def __init__(
        self, timeout: float, sleep: Callable[[float], None], clock: Callable[[], float]
    ) -> None:
        self.timeout, self.sleep, self.clock = timeout, sleep, clock

    def until(self, what: str, check: Callable[[], tuple[bool, str | None]]) -> None:
        """Poll *check* (done?, failure reason) with backoff until done, failed or timed out."""
        deadline = self.clock() + self.timeout
        delay = 2.0
        while True:
            done, failure = check()
            if failure:
                raise DeployError(f"{what} failed: {failure}")
            if done:
                return
            if self.clock() + delay > deadline:
                raise DeployError(f"timed out after {self.timeout:.0f} s waiting for {what}")
            self.sleep(delay)
            delay = min(delay * 1.5, 15.0)


LEX_ROLE_PATH = "/aws-service-role/lexv2.amazonaws.com/"


def service_role_arn(iam: IAMClient) -> str:
    """The Lex V2 service-linked role, created if the account does not have it yet."""
    for page in iam.get_paginator("list_roles").paginate(PathPrefix=LEX_ROLE_PATH):
        for role in page.get("Roles", []):
            return str(role["Arn"])
    created = iam.create_service_linked_role(
        AWSServiceName="lexv2.amazonaws.com", Description="Lex V2 bots (chatops)"
    )
    return str(created["Role"]["Arn"])


def _pages(fetch: Callable[[str | None], tuple[Sequence[T], str | None]]) -> list[T]:
    """Every item of a lexv2-models listing (botocore has no paginators for these).

    *fetch* asks for the page after a token (None: the first) and returns its items
    and the next token.
    """
    items: list[T] = []
    token: str | None = None
    while True:
        page, token = fetch(token)
        items.extend(page)
        if not token:
            return items


def find_bot(lex: LexModelsV2Client, name: str) -> str | None:
    def fetch(token: str | None) -> tuple[list[BotSummaryTypeDef], str | None]:
        request: ListBotsRequestTypeDef = {
            "filters": [{"name": "BotName", "values": [name], "operator": "EQ"}]
        }
        if token:
            request["nextToken"] = token
        page = lex.list_bots(**request)
        return page.get("botSummaries", []), page.get("nextToken")

    bots = _pages(fetch)
    return next((str(b["botId"]) for b in bots if b.get("botName") == name), None)


def find_alias(
    lex: LexModelsV2Client, bot_id: str, alias_name: str
) -> BotAliasSummaryTypeDef | None:
    def fetch(token: str | None) -> tuple[list[BotAliasSummaryTypeDef], str | None]:
        request: ListBotAliasesRequestTypeDef = {"botId": bot_id}
        if token:
            request["nextToken"] = token
        page = lex.list_bot_aliases(**request)
        return page.get("botAliasSummaries", []), page.get("nextToken")

    aliases = _pages(fetch)
    return next((a.copy() for a in aliases if a.get("botAliasName") == alias_name), None)


def point_alias(
    lex: LexModelsV2Client, bot_id: str, alias_name: str, version: str, locale: str
) -> str:
    """Create the alias, or move it to *version*; returns its id."""
    settings: dict[str, BotAliasLocaleSettingsTypeDef] = {locale: {"enabled": True}}
    alias = find_alias(lex, bot_id, alias_name)
    if alias is None:
        created = lex.create_bot_alias(
            botAliasName=alias_name,
            botId=bot_id,
            botVersion=version,
            botAliasLocaleSettings=settings,
            description="Used by the chatops Slack bot",
        )
        return str(created["botAliasId"])
    if alias.get("botVersion") != version:
        lex.update_bot_alias(
            botAliasId=alias["botAliasId"],
            botAliasName=alias_name,
            botId=bot_id,
            botVersion=version,
            botAliasLocaleSettings=settings,
            description="Used by the chatops Slack bot",
        )
    return str(alias["botAliasId"])


def deploy(
    definition: BotDefinition,
    lex: LexModelsV2Client,
    iam: IAMClient,
    *,
    alias_name: str = "live",
    timeout: float = 600,
    upload: Callable[[str, bytes], None] = put_archive,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    log: Callable[[str], None] = lambda _msg: None,
) -> DeployResult:
    tag = definition_tag(definition)
    wait = _Waiter(timeout, sleep, clock)
    locale = definition.locale

    bot_id = find_bot(lex, definition.name)
    if bot_id is not None:
        alias = find_alias(lex, bot_id, alias_name)
        version = alias.get("botVersion") if alias else None
        if alias is not None and version and version != "DRAFT":
            described = lex.describe_bot_version(botId=bot_id, botVersion=version)
            if described.get("description") == tag and described.get("botStatus") == "Available":
                log(
                    f"{definition.name} {bot_id}: alias {alias_name} already serves this definition "
                    f"(version {version}); nothing to do"
                )
                return DeployResult(bot_id, str(alias["botAliasId"]), version, changed=False)

    role_arn = service_role_arn(iam)
    log(f"importing {definition.name} ({len(definition.intents)} intents)")
    upload_target = lex.create_upload_url()
    upload(upload_target["uploadUrl"], archive_bytes(definition))
    lex.start_import(
        importId=upload_target["importId"],
        resourceSpecification={
            "botImportSpecification": {
                "botName": definition.name,
                "roleArn": role_arn,
                "dataPrivacy": {"childDirected": False},
                "idleSessionTTLInSeconds": definition.idle_session_ttl_seconds,
                "botTags": {"app": "chatops"},
            }
        },
        mergeStrategy="Overwrite",
    )
    imported: dict[str, Any] = {}

    def import_done() -> tuple[bool, str | None]:
        imported.update(lex.describe_import(importId=upload_target["importId"]))
        status = imported.get("importStatus")
        return status == "Completed", "; ".join(imported.get("failureReasons", [])) or (
            status if status == "Failed" else None
        )

    wait.until("the import", import_done)
    bot_id = str(imported["importedResourceId"])

    log(f"building locale {locale}")
    lex.build_bot_locale(botId=bot_id, botVersion="DRAFT", localeId=locale)

    def built() -> tuple[bool, str | None]:
        described = lex.describe_bot_locale(botId=bot_id, botVersion="DRAFT", localeId=locale)
        status = described.get("botLocaleStatus")
        failure = "; ".join(described.get("failureReasons", [])) or (
            status if status == "Failed" else None
        )
        return status in ("Built", "ReadyExpressTesting"), failure

    wait.until(f"the {locale} build", built)

    created = lex.create_bot_version(
        botId=bot_id,
        description=tag,
        botVersionLocaleSpecification={locale: {"sourceBotVersion": "DRAFT"}},
    )
    version = str(created["botVersion"])
    log(f"published version {version}")

    def available() -> tuple[bool, str | None]:
        status = lex.describe_bot_version(botId=bot_id, botVersion=version).get("botStatus")
        return status == "Available", status if status == "Failed" else None

    wait.until(f"version {version}", available)
    alias_id = point_alias(lex, bot_id, alias_name, version, locale)

    def alias_ready() -> tuple[bool, str | None]:
        status = lex.describe_bot_alias(botAliasId=alias_id, botId=bot_id).get("botAliasStatus")
        return status == "Available", status if status == "Failed" else None

    wait.until(f"alias {alias_name}", alias_ready)
    log(f"alias {alias_name} ({alias_id}) now serves version {version}")
    return DeployResult(bot_id, alias_id, version, changed=True)
