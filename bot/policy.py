"""Who may ask for what, where, and who may approve it: the permission policy, as code.

The policy is a TOML file (``CHATOPS_POLICY_FILE``; an example is in
``deploy/policy.example.toml``). Without one, safe defaults apply: everyone may
ask read-only questions anywhere; changes may be asked only in the bot's channels
and in DMs, only by people of the workspace the app is installed in (Slack Connect
guests are read-only); a card may be approved by the requester or an approver
(``CHATOPS_APPROVERS``); and some changes need a second person (see
:class:`SecondPerson`).

Principals: ``everyone``, ``members`` (people of the home workspace), ``admins``,
``role:<name>`` (from ``[roles]``) and user ids. Places: ``any``, ``bot-channels``,
``dm`` and channel ids.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intents.reply import Md, Risk, channel_link, join, md, mention

PRINCIPALS = ("everyone", "members", "admins")
PLACES = ("any", "bot-channels", "dm")


class PolicyError(ValueError):
    """The policy file is malformed; the message says where."""


@dataclass(frozen=True)
class Who:
    """Someone asking or approving, and where."""

    user: str
    team: str  # the person's own workspace ("" when Slack did not say)
    channel: str
    dm: bool
    home: str = ""  # the workspace the app is installed in, as the request says


@dataclass(frozen=True)
class Rule:
    intents: frozenset[str] = frozenset()
    areas: frozenset[str] = frozenset()
    ask: tuple[str, ...] | None = None
    approve: tuple[str, ...] | None = None
    where: tuple[str, ...] | None = None

    def matches(self, intent: str, area: str) -> bool:
        return intent in self.intents or area in self.areas


@dataclass(frozen=True)
class SecondPerson:
    """Changes that need an approver other than the requester."""

    production_tag: str = "env"
    production_values: frozenset[str] = frozenset({"prod", "production"})
    served_within_hours: float = 24.0  # an endpoint that served traffic this recently
    cost_over_usd: float | None = 100.0  # a card whose worst case costs more than this
    others_jobs: bool = True  # stopping a job someone else (or something else) started

    def reason(self, requester: str, risk: Risk) -> Md | None:
        """Why this change needs a second person (safe mrkdwn), or None."""
        tag = risk.tags.get(self.production_tag)
        if tag is not None and tag.lower() in self.production_values:
            return md("it is tagged {k}={v}", k=self.production_tag, v=tag)
        if risk.served and self.served_within_hours:
            return md(
                "it served {n} requests in the last {h} h",
                n=f"{risk.served:,.0f}",
                h=f"{self.served_within_hours:g}",
            )
        if self.cost_over_usd is not None and (risk.cost_usd or 0) > self.cost_over_usd:
            return md(
                "its worst case costs {c}, over {t}",
                c=f"${risk.cost_usd:,.0f}",
                t=f"${self.cost_over_usd:,.0f}",
            )
        if self.others_jobs and risk.stops_a_job and risk.owner != requester:
            if risk.owner:
                return md("it was started by {u}", u=mention(risk.owner))
            return md("it was not started through me")
        return None


@dataclass(frozen=True)
class Policy:
    roles: Mapping[str, frozenset[str]] = field(default_factory=dict)
    admins: frozenset[str] = frozenset()
    read: tuple[str, ...] = ("everyone",)
    change: tuple[str, ...] = ("members",)
    change_in: tuple[str, ...] = ("bot-channels", "dm")
    approve: tuple[str, ...] = ("role:approvers", "admins")
    rules: tuple[Rule, ...] = ()
    second_person: SecondPerson = SecondPerson()
    home_team: str = ""
    bot_channels: frozenset[str] = frozenset()
    source: str = "built-in defaults"

    # ------------------------------------------------------------------ questions

    def rule(self, intent: str, area: str) -> Rule:
        return next((r for r in self.rules if r.matches(intent, area)), Rule())

    def is_admin(self, user: str) -> bool:
        return user in self.admins

    def may_ask(self, who: Who, intent: str, area: str, mutating: bool) -> Md | None:
        """None when *who* may ask for *intent* here; otherwise why not (one short phrase)."""
        rule = self.rule(intent, area)
        askers = rule.ask if rule.ask is not None else (self.change if mutating else self.read)
        places = (
            rule.where if rule.where is not None else (self.change_in if mutating else ("any",))
        )
        if not self._is(who, askers):
            if mutating and self._external(who):
                return md(
                    "people from other workspaces can only ask me questions here, not make changes"
                )
            return md("only {w} may ask for that", w=self._describe(askers))
        if not self._in(who, places):
            return md("that can only be asked in {p}", p=self._describe_places(places))
        return None

    def may_approve(self, who: Who, intent: str, area: str) -> bool:
        """Whether *who* may approve someone else's card for *intent* (never a guest from
        another workspace: they are read-only)."""
        if self._external(who):
            return False
        rule = self.rule(intent, area)
        return self._is(who, rule.approve if rule.approve is not None else self.approve)

    def approvers(self, intent: str, area: str) -> Md:
        """Who may approve someone else's card, for the card: the people by name ("@carol"),
        or a group when it is not a list of people ("anyone in this workspace")."""
        rule = self.rule(intent, area)
        principals = rule.approve if rule.approve is not None else self.approve
        if "everyone" in principals or "members" in principals:
            return md("anyone in this workspace")
        people: set[str] = set()
        for p in principals:
            if p.startswith("role:"):
                people |= self.roles.get(p[5:], frozenset())
            elif p == "admins":
                people |= self.admins
            else:
                people.add(p)
        return _join([mention(u) for u in sorted(people)]) if people else md("nobody else")

    # ------------------------------------------------------------------ matching

    def _external(self, who: Who) -> bool:
        home = self.home_team or who.home
        return bool(home and who.team and who.team != home)

    def _is(self, who: Who, principals: Iterable[str]) -> bool:
        for p in principals:
            if p == "everyone" or p == who.user:
                return True
            if p == "members" and not self._external(who):
                return True
            if p == "admins" and who.user in self.admins:
                return True
            if p.startswith("role:") and who.user in self.roles.get(p[5:], frozenset()):
                return True
        return False

    def _in(self, who: Who, places: Iterable[str]) -> bool:
        for place in places:
            if place == "any" or place == who.channel:
                return True
            if place == "dm" and who.dm:
                return True
            if place == "bot-channels" and who.channel in self.bot_channels:
                return True
        return False

    def _describe(self, principals: Iterable[str], *, mentions: bool = False) -> Md:
        words: list[Md] = []
        for p in principals:
            users: list[str] = []
            if p.startswith("role:"):
                name, users = p[5:], sorted(self.roles.get(p[5:], frozenset()))
            elif p == "admins":
                name, users = "admins", sorted(self.admins)
            elif p in PRINCIPALS:
                name = {"members": "people of this workspace"}.get(p, p)
            else:
                words.append(mention(p))
                continue
            if mentions and not users and p != "everyone" and p != "members":
                continue  # a role nobody holds approves nothing: don't name it
            shown = (
                md(" ({u})", u=join([mention(u) for u in users], ", "))
                if mentions and users
                else md("")
            )
            words.append(md("{n}{s}", n=name, s=shown))
        return _join(words) if words else md("nobody")

    def _describe_places(self, places: Iterable[str]) -> Md:
        words: list[Md] = []
        for place in places:
            if place == "bot-channels":
                links = join([channel_link(c) for c in sorted(self.bot_channels)], ", ")
                words.append(
                    md(
                        "the bot's channels{l}",
                        l=md(" ({x})", x=links) if self.bot_channels else md(""),
                    )
                )
            elif place == "dm":
                words.append(md("a DM with me"))
            elif place != "any":
                words.append(channel_link(place))
        return _join(words) if words else md("anywhere")


def _join(words: list[Md]) -> Md:
    if len(words) == 1:
        return words[0]
    return join(words[:-1], ", ") + md(" or ") + words[-1]


# ---------------------------------------------------------------------------- loading


def load_policy(
    path: Path | None,
    *,
    approvers: Iterable[str] = (),
    bot_channels: Iterable[str] = (),
    home_team: str = "",
) -> Policy:
    """The policy from *path* (None: the built-in defaults). CHATOPS_APPROVERS users are
    members of the ``approvers`` role either way."""
    extra = frozenset(approvers)
    base = Policy(
        bot_channels=frozenset(bot_channels), home_team=home_team, roles={"approvers": extra}
    )
    if path is None:
        return base
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError(f"cannot read {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path} is not valid TOML: {exc}") from None
    return _parse(raw, base, str(path), extra)


def _strings(raw: Any, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(x, str) and x for x in raw):
        raise PolicyError(f"{where} must be a list of strings")
    return tuple(raw)


def _principals(raw: Any, where: str, roles: Mapping[str, Any]) -> tuple[str, ...]:
    found = _strings(raw, where)
    for p in found:
        if p.startswith("role:") and p[5:] not in roles:
            raise PolicyError(f"{where}: unknown role {p[5:]!r}")
        if not (p in PRINCIPALS or p.startswith("role:") or p[:1] in "UW"):
            raise PolicyError(
                f"{where}: {p!r} is not everyone, members, admins, role:<name> or a user id"
            )
    return found


def _places(raw: Any, where: str) -> tuple[str, ...]:
    found = _strings(raw, where)
    for place in found:
        if not (place in PLACES or place[:1] in "CGD"):
            raise PolicyError(f"{where}: {place!r} is not any, bot-channels, dm or a channel id")
    return found


def _parse(raw: dict[str, Any], base: Policy, source: str, approvers: frozenset[str]) -> Policy:
    known = {"admins", "home_team", "roles", "defaults", "rules", "second_person"}
    unknown = set(raw) - known
    if unknown:
        raise PolicyError(f"{source}: unknown keys {', '.join(sorted(unknown))}")
    roles_raw = raw.get("roles", {})
    if not isinstance(roles_raw, dict):
        raise PolicyError(f"{source}: [roles] must be a table of lists")
    roles = {name: frozenset(_strings(users, f"roles.{name}")) for name, users in roles_raw.items()}
    roles["approvers"] = roles.get("approvers", frozenset()) | approvers
    defaults = raw.get("defaults", {})
    rules = []
    for i, rule in enumerate(raw.get("rules", [])):
        where = f"rules[{i}]"
        if not isinstance(rule, dict) or not (rule.get("intents") or rule.get("areas")):
            raise PolicyError(f"{where} needs intents or areas")
        rules.append(
            Rule(
                intents=frozenset(_strings(rule.get("intents", []), f"{where}.intents")),
                areas=frozenset(_strings(rule.get("areas", []), f"{where}.areas")),
                ask=_principals(rule["ask"], f"{where}.ask", roles) if "ask" in rule else None,
                approve=_principals(rule["approve"], f"{where}.approve", roles)
                if "approve" in rule
                else None,
                where=_places(rule["where"], f"{where}.where") if "where" in rule else None,
            )
        )
    sp = raw.get("second_person", {})
    second = SecondPerson(
        production_tag=str(sp.get("production_tag", "env")),
        production_values=frozenset(
            v.lower()
            for v in _strings(
                sp.get("production_values", ["prod", "production"]),
                "second_person.production_values",
            )
        ),
        served_within_hours=float(sp.get("served_within_hours", 24)),
        cost_over_usd=float(sp["cost_over_usd"])
        if sp.get("cost_over_usd", 100) is not None
        else None,
        others_jobs=bool(sp.get("others_jobs", True)),
    )
    return Policy(
        roles=roles,
        admins=frozenset(_strings(raw.get("admins", []), "admins")),
        read=_principals(defaults.get("read", list(base.read)), "defaults.read", roles),
        change=_principals(defaults.get("change", list(base.change)), "defaults.change", roles),
        change_in=_places(defaults.get("change_in", list(base.change_in)), "defaults.change_in"),
        approve=_principals(defaults.get("approve", list(base.approve)), "defaults.approve", roles),
        rules=tuple(rules),
        second_person=second,
        home_team=str(raw.get("home_team", base.home_team)),
        bot_channels=base.bot_channels,
        source=source,
    )
