"""The bot's state in one DynamoDB table: the backend for replicas and AWS Lambda.

Single-table design. Every "exactly once" is one conditional write: the first delivery
of an event, deciding a plan (one approver wins), a plan run's and a followed job's
lease, one post per schedule fire. Deliveries, fires and old plans carry a ``ttl``.

Items (PK / SK = "#" unless said):

- ``D#<delivery key>``: a delivery seen (ttl one day)
- ``I#<request key>``: a request received and its body until answered (GSI3 ``IU`` by
  arrival while unanswered; ttl two days)
- ``T#<channel>#<thread ts>``: a thread the bot takes part in
- ``P#<plan id>``: a plan; ``O#<origin>#<intent>``: the plan of one delivery
  (GSI1 ``PC#<channel>`` by creation, GSI2 ``PS#<state>`` by creation)
- ``F#<kind>#<name>``: a followed job (GSI1 ``FT#<channel>#<thread>``, GSI2 ``FA`` while
  active, by next check; GSI3 ``FP`` while a status post is owed)
- ``S#<channel>#<report>``: a schedule (GSI1 ``SC#<channel>``, GSI2 ``SA``);
  ``META#schedules``: the schedules version; ``FIRE#<schedule>#<fire>``: a fire claimed
- ``A#<channel>`` / ``<time>#<request>#<n>``: an audit entry (GSI1 ``AU#<user>``, GSI2 ``AA``)

``chatops state init`` creates the table (on-demand capacity, TTL on ``ttl``).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from bot.state import Plan, Received
from intents.state import AuditEntry, Follow, Schedule

if TYPE_CHECKING:
    from types_boto3_dynamodb import DynamoDBClient

DAY = 86400.0
GSIS = ("GSI1", "GSI2", "GSI3")


class StateError(Exception):
    """The state backend cannot be used as configured; the message says what to do."""


def _num(value: float) -> Decimal:
    return Decimal(repr(float(value)))


def _key(value: float) -> str:
    """A sortable string for a time (GSI sort keys are strings here)."""
    return f"{value:020.6f}"


def _ser(value: Any) -> dict[str, Any]:
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | float | Decimal):
        return {"N": str(value if isinstance(value, Decimal) else _num(value))}
    return {"S": str(value)}


def _de(value: Mapping[str, Any]) -> Any:
    if "S" in value:
        return value["S"]
    if "N" in value:
        number = Decimal(value["N"])
        return (
            int(number)
            if number == number.to_integral_value() and "." not in value["N"]
            else float(number)
        )
    if "BOOL" in value:
        return bool(value["BOOL"])
    return None


def _item(**attrs: Any) -> dict[str, Any]:
    return {k: _ser(v) for k, v in attrs.items() if v is not None}


def _load(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _de(v) for k, v in item.items()}


def _conditional_failed(exc: ClientError) -> bool:
    code = exc.response.get("Error", {}).get("Code", "")
    if code == "ConditionalCheckFailedException":
        return True
    if code == "TransactionCanceledException":
        reasons = exc.response.get("CancellationReasons") or []
        return any(r.get("Code") == "ConditionalCheckFailed" for r in reasons)
    return False


def create_table(client: DynamoDBClient, table: str) -> bool:
    """Create the table (and its TTL) if it does not exist; True when it was created."""
    created = False
    try:
        client.describe_table(TableName=table)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise
        attributes = [{"AttributeName": n, "AttributeType": "S"} for n in ("PK", "SK")]
        attributes += [
            {"AttributeName": f"{g}{part}", "AttributeType": "S"}
            for g in GSIS
            for part in ("PK", "SK")
        ]
        client.create_table(
            TableName=table,
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=attributes,  # type: ignore[arg-type]
            GlobalSecondaryIndexes=[
                {
                    "IndexName": g,
                    "KeySchema": [
                        {"AttributeName": f"{g}PK", "KeyType": "HASH"},
                        {"AttributeName": f"{g}SK", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
                for g in GSIS
            ],
        )
        client.get_waiter("table_exists").wait(
            TableName=table, WaiterConfig={"Delay": 2, "MaxAttempts": 60}
        )
        created = True
    ttl = client.describe_time_to_live(TableName=table).get("TimeToLiveDescription", {})
    if ttl.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
        client.update_time_to_live(
            TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"}
        )
    return created


class DynamoState:
    """:class:`bot.state.State` on one DynamoDB table."""

    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self.client, self.table = client, table
        try:
            client.describe_table(TableName=table)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                raise StateError(
                    f"CHATOPS_DYNAMODB_TABLE names a table that does not exist ({table}); "
                    "create it with: chatops state init"
                ) from None
            raise

    def close(self) -> None:
        return None

    # ------------------------------------------------------------ low level

    def _put_new(self, item: dict[str, Any]) -> bool:
        try:
            self.client.put_item(
                TableName=self.table, Item=item, ConditionExpression="attribute_not_exists(PK)"
            )
            return True
        except ClientError as exc:
            if _conditional_failed(exc):
                return False
            raise

    def _get(self, pk: str) -> dict[str, Any] | None:
        found = self.client.get_item(
            TableName=self.table, Key={"PK": {"S": pk}, "SK": {"S": "#"}}, ConsistentRead=True
        ).get("Item")
        return _load(found) if found else None

    def _update(
        self,
        pk: str,
        expression: str,
        values: Mapping[str, Any],
        *,
        condition: str | None = None,
        names: Mapping[str, str] | None = None,
    ) -> bool:
        request: dict[str, Any] = {
            "TableName": self.table,
            "Key": {"PK": {"S": pk}, "SK": {"S": "#"}},
            "UpdateExpression": expression,
        }
        if values:
            request["ExpressionAttributeValues"] = {k: _ser(v) for k, v in values.items()}
        if names:
            request["ExpressionAttributeNames"] = dict(names)
        if condition:
            request["ConditionExpression"] = condition
        try:
            self.client.update_item(**request)
            return True
        except ClientError as exc:
            if condition and _conditional_failed(exc):
                return False
            raise

    def _query(
        self,
        index: str | None,
        pk: str,
        *,
        sk_max: str | None = None,
        forward: bool = True,
        limit: int | None = None,
        filter_: str | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> Iterator[dict[str, Any]]:
        key = f"{index}PK" if index else "PK"
        sk = f"{index}SK" if index else "SK"
        condition = f"{key} = :pk" + (f" AND {sk} <= :skmax" if sk_max is not None else "")
        expression_values: dict[str, Any] = {":pk": _ser(pk)}
        if sk_max is not None:
            expression_values[":skmax"] = _ser(sk_max)
        for name, value in (values or {}).items():
            expression_values[name] = _ser(value)
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": expression_values,
            "ScanIndexForward": forward,
        }
        if index:
            request["IndexName"] = index
        if filter_:
            request["FilterExpression"] = filter_
        if limit and not filter_:
            request["Limit"] = limit
        count = 0
        while True:
            page = self.client.query(**request)
            for item in page.get("Items", []):
                yield _load(item)
                count += 1
                if limit and count >= limit:
                    return
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    # ------------------------------------------------------------ deliveries, threads

    def first_delivery(self, key: str, *, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        return self._put_new(_item(PK=f"D#{key}", SK="#", seen_at=now, ttl=int(now + DAY)))

    def receive(self, key: str, kind: str, body: Mapping[str, Any], *, now: float) -> bool:
        return self._put_new(
            _item(
                PK=f"I#{key}",
                SK="#",
                kind=kind,
                body=json.dumps(body),
                received_at=now,
                attempts=0,
                GSI3PK="IU",
                GSI3SK=_key(now),
                ttl=int(now + 2 * DAY),
            )
        )

    def answered(self, key: str) -> None:
        self._update(
            f"I#{key}",
            "SET answered = :yes REMOVE body, GSI3PK, GSI3SK, lease_owner, lease_until",
            {":yes": True},
            condition="attribute_exists(PK)",
        )

    def unanswered(self, *, before: float, limit: int = 50) -> list[Received]:
        found = self._query("GSI3", "IU", sk_max=_key(before), limit=limit)
        return [
            Received(
                i["PK"].removeprefix("I#"),
                i["kind"],
                json.loads(i["body"]),
                float(i["received_at"]),
                int(i["attempts"]),
            )
            for i in found
        ]

    def claim_received(self, key: str, *, owner: str, until: float, now: float) -> bool:
        return self._update(
            f"I#{key}",
            "SET lease_owner = :owner, lease_until = :until ADD attempts :one",
            {":owner": owner, ":until": until, ":now": now, ":one": 1},
            condition="attribute_exists(GSI3PK) AND (attribute_not_exists(lease_until) OR "
            "lease_until <= :now OR lease_owner = :owner)",
        )

    def join_thread(self, channel: str, thread_ts: str) -> None:
        now = time.time()
        self._put_new(
            _item(PK=f"T#{channel}#{thread_ts}", SK="#", started_at=now, ttl=int(now + 90 * DAY))
        )

    def in_thread(self, channel: str, thread_ts: str) -> bool:
        return self._get(f"T#{channel}#{thread_ts}") is not None

    # ------------------------------------------------------------ plans

    def add_plan(
        self,
        *,
        plan_id: str,
        intent: str,
        params: Mapping[str, Any],
        requester: str,
        team: str,
        channel: str,
        thread_ts: str | None,
        request_id: str,
        origin_key: str,
        title: str,
        ttl_seconds: float,
        card: Mapping[str, Any] | None = None,
        now: float | None = None,
    ) -> Plan:
        now = time.time() if now is None else now
        expires = now + ttl_seconds
        plan = _item(
            PK=f"P#{plan_id}",
            SK="#",
            id=plan_id,
            intent=intent,
            params=json.dumps(params, sort_keys=True),
            requester=requester,
            team=team,
            channel=channel,
            thread_ts=thread_ts,
            request_id=request_id,
            origin_key=origin_key,
            title=title,
            card=json.dumps(dict(card or {})),
            created_at=now,
            expires_at=expires,
            state="pending",
            ttl=int(expires + 30 * DAY),
            GSI1PK=f"PC#{channel}",
            GSI1SK=f"{_key(now)}#{plan_id}",
            GSI2PK="PS#pending",
            GSI2SK=f"{_key(now)}#{plan_id}",
        )
        origin = _item(
            PK=f"O#{origin_key}#{intent}", SK="#", plan_id=plan_id, ttl=int(expires + 30 * DAY)
        )
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self.table,
                            "Item": origin,
                            "ConditionExpression": "attribute_not_exists(PK)",
                        }
                    },
                    {
                        "Put": {
                            "TableName": self.table,
                            "Item": plan,
                            "ConditionExpression": "attribute_not_exists(PK)",
                        }
                    },
                ]
            )
        except ClientError as exc:
            if not _conditional_failed(exc):
                raise
            existing = self.plan_by_origin(origin_key, intent)
            if existing is not None:
                return existing
            raise
        found = self.plan(plan_id)
        assert found is not None
        return found

    def set_card(self, plan_id: str, card_ts: str) -> None:
        self._update(f"P#{plan_id}", "SET card_ts = :ts", {":ts": card_ts})

    def plan(self, plan_id: str) -> Plan | None:
        data = self._get(f"P#{plan_id}")
        return _plan(data) if data else None

    def plan_by_origin(self, origin_key: str, intent: str) -> Plan | None:
        origin = self._get(f"O#{origin_key}#{intent}")
        return self.plan(str(origin["plan_id"])) if origin else None

    def pending_plans(self, channel: str, thread_ts: str | None = None) -> list[Plan]:
        values: dict[str, Any] = {":pending": "pending"}
        filter_ = "#state = :pending"
        if thread_ts is not None:
            filter_ += " AND (thread_ts = :t OR card_ts = :t)"
            values[":t"] = thread_ts
        request = self._query_named("GSI1", f"PC#{channel}", filter_, values, forward=False)
        return [_plan(item) for item in request]

    def _query_named(
        self, index: str, pk: str, filter_: str, values: Mapping[str, Any], *, forward: bool
    ) -> Iterator[dict[str, Any]]:
        """A query whose filter uses the reserved word 'state'."""
        expression_values = {":pk": _ser(pk), **{k: _ser(v) for k, v in values.items()}}
        request: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": index,
            "KeyConditionExpression": f"{index}PK = :pk",
            "FilterExpression": filter_,
            "ExpressionAttributeNames": {"#state": "state"},
            "ExpressionAttributeValues": expression_values,
            "ScanIndexForward": forward,
        }
        while True:
            page = self.client.query(**request)
            for item in page.get("Items", []):
                yield _load(item)
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _set_state(
        self, plan: Plan, state: str, *, extra: str = "", values: Mapping[str, Any], condition: str
    ) -> bool:
        return self._update(
            f"P#{plan.id}",
            f"SET #state = :state, GSI2PK = :gsi{extra}",
            {":state": state, ":gsi": f"PS#{state}", **values},
            condition=condition,
            names={"#state": "state"},
        )

    def decide(self, plan_id: str, *, state: str, by: str, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        plan = self.plan(plan_id)
        if plan is None:
            return False
        return self._set_state(
            plan,
            state,
            extra=", decided_by = :by, decided_at = :now",
            values={":by": by, ":now": now, ":pending": "pending"},
            condition="#state = :pending AND expires_at > :now",
        )

    def expire(self, plan_id: str, *, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        plan = self.plan(plan_id)
        if plan is None:
            return False
        return self._set_state(
            plan,
            "expired",
            values={":pending": "pending", ":now": now},
            condition="#state = :pending AND expires_at <= :now",
        )

    def finish_plan(self, plan_id: str, *, state: str, outcome: str) -> None:
        plan = self.plan(plan_id)
        if plan is not None:
            self._set_state(
                plan,
                state,
                extra=", outcome = :outcome",
                values={":outcome": outcome},
                condition="attribute_exists(PK)",
            )

    def unfinished_plans(self) -> list[Plan]:
        return [_plan(i) for i in self._query("GSI2", "PS#approved")]

    def cardless_plans(self, now: float) -> list[Plan]:
        found = self._query(
            "GSI2",
            "PS#pending",
            filter_="attribute_not_exists(card_ts) AND expires_at > :now",
            values={":now": now},
        )
        return [_plan(i) for i in found]

    def claim_plan(self, plan_id: str, *, owner: str, until: float, now: float) -> bool:
        return self._lease(f"P#{plan_id}", owner=owner, until=until, now=now)

    def _lease(self, pk: str, *, owner: str, until: float, now: float) -> bool:
        return self._update(
            pk,
            "SET lease_owner = :owner, lease_until = :until",
            {":owner": owner, ":until": until, ":now": now},
            condition="attribute_exists(PK) AND (attribute_not_exists(lease_until) OR "
            "lease_until <= :now OR lease_owner = :owner)",
        )

    # ------------------------------------------------------------ follows

    def follow(
        self,
        kind: str,
        name: str,
        *,
        channel: str,
        thread_ts: str | None,
        request_id: str,
        interval: float,
        now: float | None = None,
    ) -> bool:
        now = time.time() if now is None else now
        return self._put_new(
            _item(
                PK=f"F#{kind}#{name}",
                SK="#",
                kind=kind,
                name=name,
                channel=channel,
                thread_ts=thread_ts,
                request_id=request_id,
                last_status="",
                interval=interval,
                next_check_at=now,
                started_at=now,
                GSI1PK=f"FT#{channel}#{thread_ts or ''}",
                GSI1SK=_key(now),
                GSI2PK="FA",
                GSI2SK=_key(now),
            )
        )

    def due_follows(self, now: float | None = None) -> list[Follow]:
        now = time.time() if now is None else now
        found = self._query(
            "GSI2",
            "FA",
            sk_max=_key(now),
            filter_="attribute_not_exists(lease_until) OR lease_until <= :now",
            values={":now": now},
        )
        return [_follow(i) for i in found]

    def active_follows(self) -> list[Follow]:
        return [_follow(i) for i in self._query("GSI2", "FA")]

    def thread_follows(self, channel: str, thread_ts: str) -> list[Follow]:
        return [_follow(i) for i in self._query("GSI1", f"FT#{channel}#{thread_ts}", forward=False)]

    def next_follow_at(self) -> float | None:
        first = next(self._query("GSI2", "FA", limit=1), None)
        return float(first["next_check_at"]) if first else None

    def update_follow(
        self,
        kind: str,
        name: str,
        *,
        status: str,
        interval: float,
        next_check_at: float,
        done: bool,
        posting: str | None = None,
    ) -> None:
        sets = ["last_status = :status", "#interval = :interval", "next_check_at = :next"]
        removes: list[str] = []
        values: dict[str, Any] = {":status": status, ":interval": interval, ":next": next_check_at}
        if done:
            removes += ["GSI2PK", "GSI2SK"]
        else:
            sets += ["GSI2PK = :active", "GSI2SK = :nextkey"]
            values.update({":active": "FA", ":nextkey": _key(next_check_at)})
        if posting:
            sets += ["posting = :posting", "GSI3PK = :owed", "GSI3SK = :who"]
            values.update({":posting": posting, ":owed": "FP", ":who": f"{kind}#{name}"})
        else:
            removes += ["posting", "GSI3PK", "GSI3SK", "lease_owner", "lease_until"]
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        self._update(f"F#{kind}#{name}", expression, values, names={"#interval": "interval"})

    def posted(self, kind: str, name: str) -> None:
        self._update(
            f"F#{kind}#{name}", "REMOVE posting, GSI3PK, GSI3SK, lease_owner, lease_until", {}
        )

    def pending_posts(self) -> list[Follow]:
        return [_follow(i) for i in self._query("GSI3", "FP")]

    def claim_follow(self, kind: str, name: str, *, owner: str, until: float, now: float) -> bool:
        return self._lease(f"F#{kind}#{name}", owner=owner, until=until, now=now)

    # ------------------------------------------------------------ schedules

    def _schedule_writes(self, *items: dict[str, Any]) -> list[dict[str, Any]]:
        bump = {
            "Update": {
                "TableName": self.table,
                "Key": {"PK": {"S": "META#schedules"}, "SK": {"S": "#"}},
                "UpdateExpression": "ADD #v :one",
                "ExpressionAttributeNames": {"#v": "version"},
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        }
        return [*items, bump]

    def put_schedule(
        self,
        *,
        team: str,
        channel: str,
        report: str,
        frequency: str,
        time_of_day: str,
        day: str | None,
        created_by: str,
        now: float | None = None,
    ) -> Schedule:
        now = time.time() if now is None else now
        schedule_id = f"{channel}:{report}"
        item = _item(
            PK=f"S#{channel}#{report}",
            SK="#",
            id=schedule_id,
            team=team,
            channel=channel,
            report=report,
            frequency=frequency,
            time=time_of_day,
            day=day,
            created_by=created_by,
            created_at=now,
            GSI1PK=f"SC#{channel}",
            GSI1SK=report,
            GSI2PK="SA",
            GSI2SK=f"{channel}#{report}",
        )
        self.client.transact_write_items(
            TransactItems=self._schedule_writes({"Put": {"TableName": self.table, "Item": item}})  # type: ignore[arg-type]
        )
        found = self.schedule(schedule_id)
        assert found is not None
        return found

    def schedule(self, schedule_id: str) -> Schedule | None:
        channel, _, report = schedule_id.partition(":")
        data = self._get(f"S#{channel}#{report}")
        return _schedule(data) if data else None

    def schedules(self, channel: str | None = None) -> list[Schedule]:
        found = self._query("GSI1", f"SC#{channel}") if channel else self._query("GSI2", "SA")
        return [_schedule(i) for i in found]

    def delete_schedules(self, ids: list[str]) -> int:
        removed = 0
        for schedule_id in ids:
            channel, _, report = schedule_id.partition(":")
            try:
                self.client.transact_write_items(
                    TransactItems=self._schedule_writes(
                        {
                            "Delete": {  # type: ignore[arg-type]
                                "TableName": self.table,
                                "Key": {"PK": {"S": f"S#{channel}#{report}"}, "SK": {"S": "#"}},
                                "ConditionExpression": "attribute_exists(PK)",
                            }
                        }
                    )
                )
                removed += 1
            except ClientError as exc:
                if not _conditional_failed(exc):
                    raise
        return removed

    def schedules_version(self) -> int:
        meta = self._get("META#schedules")
        return int(meta["version"]) if meta else 0

    def claim_fire(self, schedule_id: str, fire_key: str, *, now: float) -> bool:
        return self._put_new(
            _item(PK=f"FIRE#{schedule_id}#{fire_key}", SK="#", at=now, ttl=int(now + 2 * DAY))
        )

    # ------------------------------------------------------------ audit

    def audit(
        self,
        *,
        request_id: str,
        user: str,
        channel: str,
        intent: str,
        slots: Mapping[str, str],
        outcome: str,
        detail: str = "",
    ) -> None:
        now = time.time()
        sort = f"{_key(now)}#{request_id}#{secrets.token_hex(3)}"
        self.client.put_item(
            TableName=self.table,
            Item=_item(
                PK=f"A#{channel}",
                SK=sort,
                at=now,
                request_id=request_id,
                user=user,
                channel=channel,
                intent=intent,
                slots=json.dumps(dict(slots), sort_keys=True),
                outcome=outcome,
                detail=detail[:500],
                ttl=int(now + 400 * DAY),
                GSI1PK=f"AU#{user}",
                GSI1SK=sort,
                GSI2PK="AA",
                GSI2SK=sort,
            ),
        )

    def audit_entries(
        self, limit: int = 20, *, channel: str | None = None, user: str | None = None
    ) -> list[AuditEntry]:
        if channel:
            found: Iterator[dict[str, Any]] = self._query(None, f"A#{channel}", forward=False)
            if user:
                found = (i for i in found if i.get("user") == user)
        elif user:
            found = self._query("GSI1", f"AU#{user}", forward=False)
        else:
            found = self._query("GSI2", "AA", forward=False)
        entries = []
        for item in found:
            entries.append(
                AuditEntry(
                    at=float(item["at"]),
                    request_id=str(item["request_id"]),
                    user=str(item["user"]),
                    channel=str(item["channel"]),
                    intent=str(item["intent"]),
                    slots=json.loads(str(item["slots"])),
                    outcome=str(item["outcome"]),
                    detail=str(item.get("detail") or ""),
                )
            )
            if len(entries) >= limit:
                break
        return entries


def _plan(data: Mapping[str, Any]) -> Plan:
    return Plan(
        id=str(data["id"]),
        intent=str(data["intent"]),
        params=json.loads(str(data["params"])),
        requester=str(data["requester"]),
        team=str(data.get("team") or ""),
        channel=str(data["channel"]),
        thread_ts=data.get("thread_ts"),
        card_ts=data.get("card_ts"),
        request_id=str(data["request_id"]),
        origin_key=str(data["origin_key"]),
        title=str(data.get("title") or ""),
        card=json.loads(str(data.get("card") or "{}")),
        created_at=float(data["created_at"]),
        expires_at=float(data["expires_at"]),
        state=str(data["state"]),
        decided_by=data.get("decided_by"),
        decided_at=float(data["decided_at"]) if data.get("decided_at") is not None else None,
        outcome=data.get("outcome"),
    )


def _follow(data: Mapping[str, Any]) -> Follow:
    return Follow(
        kind=str(data["kind"]),
        name=str(data["name"]),
        channel=str(data["channel"]),
        thread_ts=data.get("thread_ts"),
        request_id=str(data.get("request_id") or ""),
        last_status=str(data.get("last_status") or ""),
        interval=float(data["interval"]),
        next_check_at=float(data["next_check_at"]),
        started_at=float(data["started_at"]),
        posting=data.get("posting"),
    )


def _schedule(data: Mapping[str, Any]) -> Schedule:
    return Schedule(
        id=str(data["id"]),
        team=str(data.get("team") or ""),
        channel=str(data["channel"]),
        report=str(data["report"]),
        frequency=str(data["frequency"]),
        time=str(data["time"]),
        day=data.get("day"),
        created_by=str(data["created_by"]),
        created_at=float(data["created_at"]),
    )
