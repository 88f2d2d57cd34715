"""Requests written as a command or a record rather than a sentence.

People paste what they would have typed elsewhere:

- an AWS CLI call: ``aws sagemaker delete-endpoint --endpoint-name ranker-v2``;
- an SDK call: ``sm.stop_training_job(TrainingJobName="bert-ft-7")``;
- a record of ``key: value`` lines or ``key=value`` pairs (``algorithm: xgboost``,
  ``dataset=s3://...``), or a CLI option (``--kind processing``).

:func:`read_form` finds the operation (in the AWS API's own spelling, compared by
:func:`key_of`) and the pairs, as written. What an operation means (an intent) and which
keys name which slot are the definition's data (``aws_operations`` of an intent,
``[local.slot_keys]``), so this module knows nothing of intents or slots.

Plain text only: nothing here knows Slack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A value: quoted, or a run without spaces (a comma inside belongs to it: "1,2,3").
_VALUE = r"(?:\"[^\"]*\"|'[^']*'|(?:[^\s,;()]|,(?=[^\s,]))+)"
# aws <service> <operation> [--option [value]]...
_CLI = re.compile(
    r"(?<![\w-])aws\s+([a-z0-9][a-z0-9\-]*)\s+([a-z][a-z0-9]*(?:-[a-z0-9]+)*)"
    rf"((?:\s+--[a-z0-9][a-z0-9\-]*(?:[ =](?!--){_VALUE})?)*)",
    re.I,
)
_OPTION = re.compile(rf"--([a-z0-9][a-z0-9\-]*)(?:[ =](?!--)({_VALUE}))?", re.I)
# client.operation_name(Arg=value, ...) or OperationName(Arg=value)
_SDK = re.compile(
    r"(?:(?<=\)\.)|(?<![\w.]))(?:[A-Za-z_][\w]*\.)*([A-Za-z][A-Za-z0-9_]*)\(([^()]*)\)"
)
_ARGUMENT = re.compile(rf"([A-Za-z_][\w]*)\s*=\s*({_VALUE})")
# key: value and key=value, a key of one or two words; never a URI's scheme (s3://).
_PAIR = re.compile(
    rf"(?<![\w\-/.:=])([A-Za-z][\w\-]*(?:\s[A-Za-z][\w\-]*)?)\s*(?::(?!//)\s*|=\s*)({_VALUE})"
)


@dataclass(frozen=True)
class Pair:
    key: str  # as written: "instance", "--endpoint-name" without its dashes, "EndpointName"
    value: str  # as written, quotes removed
    at: int  # where the value starts in the text


@dataclass(frozen=True)
class Form:
    """*operation*: the AWS operation named, as written ("delete-endpoint", "stop_training_job"),
    or "" when none; *service*: the CLI's service ("sagemaker"), or ""; *pairs*: its keys
    and values; *start*, *end*: where the command is in the text (the pairs of a record
    have no one place: 0, 0)."""

    operation: str = ""
    service: str = ""
    pairs: tuple[Pair, ...] = ()
    start: int = 0
    end: int = 0
    head: tuple[int, int] = (0, 0)  # where the service and operation are written


def key_of(name: str) -> str:
    """One spelling for a key or an operation: 'TrainingJobName', '--training-job-name' and
    'training_job_name' are all 'trainingjobname'."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _pairs(pattern: re.Pattern[str], text: str, offset: int = 0) -> tuple[Pair, ...]:
    return tuple(
        Pair(m.group(1), _unquote(m.group(2)), offset + m.start(2))
        for m in pattern.finditer(text)
        if m.group(2)
    )


def read_form(text: str) -> Form:
    """The command in *text*, if it is written as one, and its key/value pairs."""
    cli = _CLI.search(text)
    if cli:
        options = _pairs(_OPTION, cli.group(3), cli.start(3))
        return Form(
            cli.group(2),
            cli.group(1).lower(),
            options,
            cli.start(),
            cli.end(),
            (cli.start(), cli.end(2)),
        )
    for sdk in _SDK.finditer(text):
        arguments = _pairs(_ARGUMENT, sdk.group(2), sdk.start(2))
        if arguments or "_" in sdk.group(1) or sdk.group(1)[:1].isupper():
            head = (sdk.start(), sdk.start(2))
            return Form(sdk.group(1), "", arguments, sdk.start(), sdk.end(), head)
    return Form(pairs=_pairs(_PAIR, text) + _pairs(_OPTION, text))


def is_command(text: str) -> bool:
    """Whether a code span holds a command or a record to read, not a text to quote:
    an AWS CLI or SDK call, a shell-style listing (``ls jobs``), or ``key: value`` lines."""
    content = text.strip()
    if _CLI.match(content) or re.match(r"ls(?:\s+[a-z][\w\-]*)+(?:\s+--\S.*)?$", content, re.I):
        return True
    sdk = _SDK.fullmatch(content)
    if sdk and (_ARGUMENT.search(sdk.group(2)) or "_" in sdk.group(1)):
        return True
    # A record: two pairs or more and nothing else ("algorithm: xgboost input: s3://...",
    # its lines already joined by normalization).
    pairs = list(_PAIR.finditer(content))
    rest = _PAIR.sub(" ", content)
    return len(pairs) >= 2 and not rest.strip(" ,;")
