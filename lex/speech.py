"""What a sentence does, apart from what it is about: a negated action, or a question.

"don't stop fraud-lgbm-v7, just check it" names an action only to rule it out;
"how do I stop a training job?" and "should we delete churn-prod-ep?" ask about
an action rather than order it. The local runtime reads these before it scores
intents, and the application's guard reads them again after any runtime (Amazon
Lex included), so a message of this kind never becomes a change on its own.

Plain language only: nothing here knows Slack, AWS or the intents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

# Verbs that ask for a change: the ones a negation or a "should we" takes back.
ACTION_VERBS = frozenset(
    [
        "delete",
        "deleting",
        "remove",
        "removing",
        "drop",
        "dropping",
        "destroy",
        "kill",
        "killing",
        "stop",
        "stopping",
        "halt",
        "abort",
        "terminate",
        "cancel",
        "cancelling",
        "canceling",
        "deploy",
        "deploying",
        "ship",
        "push",
        "promote",
        "train",
        "training",
        "retrain",
        "start",
        "starting",
        "launch",
        "kick",
        "run",
        "running",
        "schedule",
        "post",
        "send",
        "unschedule",
        "unsubscribe",
        "tear",
        "take",
        "shut",
        "nuke",
        "retire",
        "wipe",
        "erase",
        "decommission",
        "touch",
        "turn",
        "disable",
        "pause",
        "spin",
        "fire",
        "create",
        # making or changing a setting: "should we set up a budget alert?"
        "set",
        "setup",
        "add",
        "enable",
        "configure",
        "provision",
        "install",
        "increase",
        "raise",
        "bump",
        "restart",
        "rollback",
        "roll",
        "redeploy",
        "undeploy",
        "scale",
        "update",
        "change",
        "modify",
    ]
)
_NEGATORS = re.compile(
    r"\b(?:do\s+not|don'?t|dont|never|let'?s\s+not|no\s+need\s+to|should\s*n'?o?t|"
    r"should\s+not|must\s*n'?t|must\s+not|do\s+n't)\b",
    re.I,
)
_ENDS_NEGATED = re.compile(r"(?:" + _NEGATORS.pattern + r"|\bnot)\s*$", re.I)
# Words that may stand between the negator and its verb ("don't you dare delete").
_FILLERS = frozenset(
    [
        "you",
        "u",
        "ever",
        "yet",
        "please",
        "pls",
        "plz",
        "go",
        "accidentally",
        "actually",
        "even",
        "dare",
        "we",
        "i",
        "just",
        "only",
        "simply",
        "anyone",
        "anybody",
        "the",
        "bot",
        "ever",
        # a pasted command: "never aws sagemaker delete-endpoint ...", "don't sm.delete_endpoint(...)"
        "aws",
        "sagemaker",
        "sm",
        "boto",
        "client",
        "cli",
        "command",
        # a wish ruled out: "I don't want to run anything yet", "we don't plan to retrain"
        "want",
        "wanna",
        "plan",
        "intend",
        "mean",
        "to",
    ]
)
# Where one clause ends and the next begins: punctuation, or a word that starts over.
_BOUNDARY = re.compile(
    r"\s*(?:[,;.!?:]+(?=\s|$)|[\u2014\u2013]|\s-+\s|[()])\s*|\s+(?=(?:just|but|instead|rather|"
    r"only|and\s+just|and\s+instead)\b)",
    re.I,
)
_HOW_TO = re.compile(
    r"^(?:(?:hey|hi|so|ok|okay|um|uh|quick\s+q|question)[,:!]?\s+)*(?:"
    r"how\s+(?:do|would|can|could|should|might|does)\s+(?:i|we|you|one|someone|a\s+person)\b"
    r"(?!\s+(?:say|pronounce|spell)\b)|how\s+(?:i|we|one)\s+(?:can|could|should|would|do|am|are|"
    r"have\s+to|need\s+to)\b|how\s+to\b|"
    r"what(?:'s|\s+is|s)\s+the\s+(?:syntax|command|way|format|best\s+way|right\s+way|steps?)\s+"
    r"(?:for|to|of)\b|(?:can|could|would)\s+you\s+(?:explain|tell\s+me|show\s+me)\s+how\b|"
    r"explain\s+how\b|is\s+there\s+a\s+way\s+to\b|what\s+do\s+i\s+(?:type|say|need\s+to)\b|"
    r"where\s+do\s+i\s+(?:go|start)\s+to\b|"
    # "how does the budget check work?", "how do scheduled reports work"
    r"how\s+(?:does|do|would|will)\s+(?:[\w\-']+\s+){1,4}work\b|"
    # "can I get reports posted automatically? how?"
    r"how(?:\s+so)?\s*[?.!]*$)",
    re.I,
)
# Where a sentence may start: the how-to question is often the second one ("Hi! I'm new
# here. Could you explain how I can ...?").
# A dash or a semicolon starts one too ("I don't want to run anything yet - how would I
# ...?"), and so does ", and how" ("what can I pick, and how do I give it?").
_SENTENCE = re.compile(
    r"(?<=[.!?;])\s+(?=\S)|\s*[\u2014\u2013]\s*|\s+-+\s+|,\s+(?:and|but|so)\s+(?=how\b)", re.I
)
_SHOULD = re.compile(
    r"^(?:(?:hey|so|ok|okay|um|hmm)[,:!]?\s+)*(?:should|shall|must)\s+(?:i|we|you|they|someone)\b|"
    r"^(?:do|would)\s+(?:we|i|you)\s+(?:need|want|have)\s+to\b|"
    r"^is\s+it\s+(?:safe|ok|okay|wise|fine|a\s+good\s+idea)\s+to\b|"
    r"^would\s+it\s+be\s+(?:ok|okay|safe|wise|fine)\s+to\b|"
    # What a change would do, asked before anyone makes it: "what would happen if I
    # deleted X?", "what if we stopped it now?", "would deleting X break anything?"
    r"^(?:(?:hey|so|ok|okay|um|hmm)[,:!]?\s+)*what\s+(?:(?:would|will|could|might)\s+)?"
    r"happens?\s+(?:if|when)\s+(?:i|we|you|someone|they)\b|"
    r"^(?:(?:hey|so|ok|okay|um|hmm)[,:!]?\s+)*what\s+if\s+(?:i|we|you|someone|they)\b|"
    r"^(?:would|will|could|might|does|can)\s+(?=\w+ing\b)",
    re.I,
)
_QUESTION = re.compile(
    r"^(?:(?:hey|so|ok|okay|um|uh|btw)[,:!]?\s+)*(?:who|whom|whose|why|when|did|has|have|was|"
    r"were|is|are|does|where|isn'?t|aren'?t|wasn'?t|hasn'?t|didn'?t)\b",
    re.I,
)
_REQUEST = re.compile(
    r"\b(?:check|show|list|tell|look|see|status|state|health|healthy|up|doing|going|running|"
    r"progress|how|what|whats|is|are|was|did|has|report|summary|latency|errors?|metrics|"
    r"logs?|details?|info|eta|finished|done|alive)\b",
    re.I,
)


# What asks for something else in place of what was ruled out: "just ...", "instead ...",
# "only ...", "rather ...", "but ...", or "... instead".
_INSTEAD = re.compile(
    r"^(?:and\s+|but\s+)?(?:just|instead|only|rather|but)\b|\binstead[.!]?$", re.I
)


@dataclass(frozen=True)
class SpeechAct:
    """*form*: ``"negated"`` (an action ruled out), ``"howto"`` (asks how to do something),
    ``"should"`` (asks whether to do something), ``"question"`` (any other question), or
    None for a plain request. *rest*: for a negated or "should" sentence, the clauses after
    the one that names the action ("just check it"); *negated*: the verb ruled out;
    *instead*: the rest asks for something in place of it ("..., just start xgboost"), in a
    sentence of its own (no negation or question of its own)."""

    form: str | None = None
    rest: str = ""
    negated: str = ""
    instead: bool = False

    @property
    def orders_nothing(self) -> bool:
        """True when the sentence itself cannot be an order to change something."""
        return self.form is not None

    @property
    def asks_instead(self) -> str:
        """The request made in place of a ruled-out action ("don't run autopilot, just
        train xgboost on s3://..." -> "just train xgboost on s3://..."), read on its own:
        if it asks for a change, it is a request for that change like any other."""
        return self.rest if self.form == "negated" and self.instead else ""


def _clauses(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _BOUNDARY.finditer(text):
        if not text[m.start() : m.end()].strip() and _ENDS_NEGATED.search(text[start : m.start()]):
            continue  # "don't just delete it": "just" is part of the negated clause
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


@lru_cache(maxsize=1)
def change_words() -> frozenset[str]:
    """Every word that can ask for a change: the verbs above, and the action words of the
    definition's mutating intents (the first words each of them cannot do without, with
    their word families), so a new mutating intent brings its verbs here by itself."""
    from lex.definition import load_definition

    definition = load_definition()
    words = set(ACTION_VERBS)
    for name, alternatives in definition.requires.items():
        intent = definition.intents.get(name)
        if intent is None or not intent.mutating:
            continue
        for groups in alternatives:
            action = next((g for g in groups if not (len(g) == 1 and g[0].startswith("!"))), ())
            for word in action:
                if word.startswith("__") or " " in word:
                    continue
                words.add(word)
                words.update(v for v in definition.lexicon.get(word, ()) if " " not in v)
    return frozenset(words | {_inflect(w) for w in words} - {""})


def _inflect(word: str) -> str:
    """'transcribe' -> 'transcribing' (the -ing form the negation may use)."""
    if word.endswith("e") and not word.endswith("ee"):
        return word[:-1] + "ing"
    return word + "ing"


# Reads a negation may rule out too ("no need to check the endpoints, Dana did"): what
# is asked instead, if anything, is read on its own.
READ_VERBS = frozenset(["check", "checking", "show", "list", "look", "tell"])
# A "should we ...?" its sender answers ("should we post it weekly? yeah, let's do it"):
# a request like any other.
_SELF_ANSWERED = re.compile(
    r"\?\s*(?:(?:yes|yeah|yep|yup|ok|okay|sure|actually)\b[\s,!.]*)*"
    r"(?:let'?s\s+(?:do|go\s+with|set\s+up)\s+(?:it|that|this)|go\s+ahead|please\s+do(?:\s+it)?)\b"
    # "go ahead and tell me what you think" asks for an answer, not the change
    r"(?!\s+(?:and|with|tell|explain|answer)\b)",
    re.I,
)


def _negated_verb(clause: str) -> str:
    verbs = change_words() | READ_VERBS
    for m in _NEGATORS.finditer(clause):
        words = re.findall(r"[a-z']+", clause[m.end() :].lower())
        for word in words[:4]:
            if word in verbs:
                return word
            if word not in _FILLERS:
                break
    return ""


def speech_act(text: str) -> SpeechAct:
    """What *text* (plain, normalized) does: see :class:`SpeechAct`."""
    clean = text.strip()
    if not clean:
        return SpeechAct()
    clauses = _clauses(clean)
    for i, (start, end) in enumerate(clauses):
        verb = _negated_verb(clean[start:end])
        if verb:
            rest = " ".join(clean[s:e] for s, e in clauses[i + 1 :]).strip()
            instead = (
                bool(_INSTEAD.search(rest))
                and not _NEGATORS.search(rest)
                and speech_act(rest).form is None
            )
            return SpeechAct("negated", rest, verb, instead)
    if _SHOULD.match(clean):
        if _SELF_ANSWERED.search(clean):
            return SpeechAct()
        if not _asks_about_a_change(clean):
            return SpeechAct("question")  # "should we worry about X?": a question, not a change
        first = clauses[0][1] if clauses else len(clean)
        return SpeechAct("should", clean[first:].strip(" ?.!,;"))
    if any(_HOW_TO.match(sentence) for sentence in _SENTENCE.split(clean)):
        return SpeechAct("howto")
    if _QUESTION.match(clean):
        return SpeechAct("question")
    return SpeechAct()


def speech_act_outside(text: str, quoted: list[tuple[int, int]]) -> SpeechAct:
    """What *text* does, read without the texts it quotes ("translate 'do not delete
    this' to German" rules nothing out: the negation is the quoted text's, not the
    sender's). Each quoted region (start, end) stands as one placeholder word while the
    sentence is read, and is put back into the clauses it returns."""
    if not quoted:
        return speech_act(text)
    pieces, pos, originals = [], 0, {}
    for n, (start, end) in enumerate(sorted(quoted)):
        if start < pos:
            continue
        placeholder = f"__q{n}__"
        originals[placeholder] = text[start:end]
        pieces.extend([text[pos:start], placeholder])
        pos = end
    pieces.append(text[pos:])
    act = speech_act("".join(pieces))
    rest = act.rest
    for placeholder, original in originals.items():
        rest = rest.replace(placeholder, original)
    return replace(act, rest=rest)


def _asks_about_a_change(text: str) -> bool:
    """ "should we delete X?" asks whether to change something; "should we worry about X?"
    does not (it is a question like any other)."""
    m = _SHOULD.match(text)
    if m is None:
        return False
    verbs = change_words()
    for word in re.findall(r"[a-z']+", text[m.end() :].lower())[:4]:
        if word in verbs:
            return True
        if word not in _FILLERS and word not in ("to", "really", "maybe", "now", "still"):
            return False
    return False


def asked_change(text: str) -> str:
    """The change a "should we ...?" asks about, as a plain request: "should we delete
    recsys-staging? is it still used?" -> "delete recsys-staging"; "" when *text* is no
    such question ("should we worry about X?", a request, a negation)."""
    clean = text.strip()
    act = speech_act(clean)
    if act.form != "should":
        return ""
    m = _SHOULD.match(clean)
    assert m is not None  # a "should" form starts with it
    clauses = _clauses(clean)
    end = clauses[0][1] if clauses else len(clean)
    return clean[m.end() : end].strip(" ?.!,;")


def reads_as_request(text: str) -> bool:
    """Whether a clause asks for something by itself ("just check it", "is it still up?")."""
    return bool(_REQUEST.search(text))
