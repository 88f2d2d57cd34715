"""Local language understanding, built at start-up from the bot definition.

Pipeline for one message:

1. :func:`lex.text.normalize` (Slack markup, entities, smart quotes, emoji);
2. values with a shape of their own are spotted and masked (``__s3__``...);
3. words are corrected for typos against the definition's vocabulary, slot-type
   values are spotted (``German`` → LanguageName ``de``), and word families from
   the ``local.lexicon`` are folded into one word;
4. a naive-Bayes log-likelihood-ratio scorer trained on the sample utterances
   ranks the intents; an intent whose required words (``local.requires``) are
   absent is not eligible, so a message about nothing we know falls back rather
   than becoming a guess;
5. the chosen intent's slots are read from the message.

All of it is plain Python over dictionaries: no model file, sub-millisecond.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from lex.definition import BotDefinition, Intent, Slot, SlotType
from lex.forms import Form, key_of, read_form
from lex.model import LinearModel
from lex.speech import (
    SpeechAct,
    change_words,
    reads_as_request,
    speech_act_outside,
)
from lex.text import (
    Span,
    Token,
    edits1_deletes,
    english_compound,
    find_spans,
    looks_like_name,
    mask,
    normalize,
    tokenize,
)

FALLBACK = "FallbackIntent"

# Values put in place of {slot} when learning from the sample utterances. They
# only need the right shape: names, URIs and payloads become placeholders.
_SLOT_SAMPLES = {
    "dataset": ["s3://acme-ml/churn/train.csv", "s3://demo-data/input/part-0001.parquet"],
    "imageUri": ["s3://acme-ml/images/cat.jpg", "s3://photos/team/offsite.png"],
    "audioUri": ["s3://calls/2026/support-12.mp3", "s3://meetings/standup.wav"],
    "jobName": ["churn-xgb-001", "xgboost-20261120-101500-ab12", "fraud-retrain-nightly-7"],
    "endpointName": ["fraud-detector-prod", "recsys-staging", "churn-xgb-prod"],
    "modelName": ["churn-model-v3", "fraud-xgb-model", "recsys-fm-v2"],
    "budgetName": ["ml-platform-monthly", "data-science-q4"],
    "notebookName": ["data-science-scratch", "dana-notebook-1", "team-gpu-nb"],
    "appName": ["dana-gpu-lab", "datascience-kernel-1", "sam-lab"],
    "owner": ["dana-gpu-space", "sam-space", "ml-team"],
}

# The same, for the other slot types by their extractor (S3 URIs and names are all above).
_TYPE_SAMPLES = {
    "instance_type": ["ml.m5.xlarge", "ml.g4dn.2xlarge"],
    "text": ['"good morning"', "'the service was great'"],
    "payload": ["5.1,3.5,1.4,0.2", '{"amount": 120}'],
    "column": ["__column__"],  # a word no message has: the column name itself teaches nothing
    "time": ["9am", "17:30", "08:15"],
}

# Slot types whose words stand in for the value (a placeholder replaces them when
# classifying); the other enum types are ordinary words that also add a marker.
_PLACEHOLDER_TYPES = {
    "AlgorithmName": "__algorithm__",
    "LanguageName": "__language__",
    "PollyVoice": "__voice__",
    "Weekday": "__weekday__",
    "CostPeriod": "__period__",
    "ReportFrequency": "__frequency__",
}
_MARKER_TYPES = {
    "AwsService": "__service__",
    "ReportKind": "__report__",
    "JobKind": "__jobkind__",
    "HelpTopic": "__topic__",
}
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "my",
        "our",
        "your",
        "please",
        "pls",
        "plz",
        "kindly",
        "hey",
        "hi",
        "hello",
        "yo",
        "bot",
        "thanks",
        "thank",
        "thx",
        "just",
        "some",
        "me",
        "us",
        "i",
        "we",
        "could",
        "would",
        "really",
        "quickly",
        "quick",
        "real",
        "kinda",
        "maybe",
        "um",
        "uh",
        "ok",
        "okay",
        "so",
        "also",
        "mate",
        "team",
        "folks",
        "guys",
    ]
)
# English function words (closed classes): never evidence that a message is about
# something else.
_FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "this",
        "that",
        "these",
        "those",
        "my",
        "our",
        "your",
        "his",
        "her",
        "its",
        "their",
        "me",
        "us",
        "you",
        "him",
        "them",
        "i",
        "we",
        "he",
        "she",
        "it",
        "they",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "do",
        "does",
        "did",
        "done",
        "doing",
        "have",
        "has",
        "had",
        "having",
        "will",
        "would",
        "shall",
        "should",
        "can",
        "could",
        "may",
        "might",
        "must",
        "what",
        "whats",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "there",
        "here",
        "than",
        "then",
        "so",
        "such",
        "very",
        "too",
        "also",
        "just",
        "only",
        "not",
        "no",
        "nor",
        "and",
        "or",
        "but",
        "if",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "from",
        "by",
        "with",
        "about",
        "into",
        "onto",
        "over",
        "under",
        "after",
        "before",
        "since",
        "until",
        "during",
        "while",
        "as",
        "up",
        "down",
        "out",
        "off",
        "again",
        "all",
        "any",
        "some",
        "each",
        "every",
        "both",
        "few",
        "more",
        "most",
        "other",
        "own",
        "same",
        "much",
        "many",
        "lot",
        "lots",
        "one",
        "yet",
        "still",
        "even",
        "ever",
        "anything",
        "something",
        "nothing",
        "everything",
        "anyone",
        "someone",
        "everyone",
        "nobody",
        "please",
        "pls",
        "thanks",
        "thank",
        "hi",
        "hey",
        "hello",
        "ok",
        "okay",
        "yes",
        "yeah",
        "u",
        "ur",
        "im",
        "i'm",
        "it's",
        "that's",
        "there's",
        "let's",
        "don't",
        "can't",
        "won't",
        "isn't",
        "aren't",
    ]
)
_NOT_TOPICAL = _FUNCTION_WORDS | _STOPWORDS
_NEGATION_WORDS = frozenset(["don't", "dont", "never", "not", "shouldn't", "mustn't", "let's"])
_ARTICLES = frozenset(["a", "an", "the", "this", "that", "new", "our", "my", "any"])
# Words too common to be a resource name when they follow "endpoint", "job"...
_NOT_NAMES = frozenset(
    [
        "a",
        "an",
        "the",
        "my",
        "our",
        "your",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "all",
        "any",
        "every",
        "each",
        "some",
        "which",
        "what",
        "for",
        "on",
        "of",
        "in",
        "at",
        "to",
        "with",
        "from",
        "by",
        "is",
        "are",
        "was",
        "be",
        "named",
        "called",
        "status",
        "health",
        "healthy",
        "doing",
        "going",
        "now",
        "please",
        "again",
        "today",
        "yesterday",
        "up",
        "down",
        "ok",
        "there",
        "here",
        "everything",
        "anything",
        "and",
        "or",
        "but",
        "their",
        "them",
        "they",
        "look",
        "looks",
        "like",
        "new",
        "old",
        "latest",
        "last",
        "first",
        "next",
        "running",
        "finished",
        "done",
        "succeed",
        "succeeded",
        "failed",
        "fail",
        "work",
        "working",
        "train",
        "training",
        "model",
        "endpoint",
        "job",
        "jobs",
        "budget",
        "budgets",
        "get",
        "got",
        "me",
        "you",
        "us",
        "within",
        "without",
        "alert",
        "alerts",
        "usage",
        "left",
        "limit",
        "limits",
        "report",
        "reports",
        "detail",
        "details",
        "info",
        "information",
        "overview",
        "summary",
    ]
)
_INJECTION = re.compile(
    r"\b(ignore|disregard|forget|override|bypass)\b.{0,40}\b(instructions?|prompts?|rules?|"
    r"guardrails?|previous|above|prior|system)\b|\b(system prompt|jailbreak|you are now|"
    r"pretend (to be|you are)|act as (an?|the) |developer mode|DAN mode)\b",
    re.I,
)
# Chat short forms, read as the word they stand for before anything else.
_SHORT_FORMS = {
    "wk": "week",
    "wks": "weeks",
    "mo": "month",
    "mth": "month",
    "mnth": "month",
    "yday": "yesterday",
    "yest": "yesterday",
    "hr": "hour",
    "hrs": "hours",
    "pls": "please",
    "plz": "please",
    "msg": "message",
    "eps": "endpoints",
    "ep": "endpoint",
}
_POINTS_BACK = re.compile(r"\b(?:ones?|them|it|its|those|these|they|that|there)\b", re.I)
_PERSONS = frozenset(["me", "us", "you", "them", "him", "her", "everyone", "everybody"])
_BULK = re.compile(r"\b(all|every|everything|each)\b", re.I)
# What points at an attachment: "what's in this?", "transcribe the attached".
_POINTING = frozenset(["this", "that", "these", "it", "here", "attached", "uploaded", "above"])
# Past forms of change verbs that no suffix tells ("who ran it?", "who did it?").
_DONE = frozenset(["did", "done", "ran", "took", "shut", "spun", "tore", "made", "sent", "killed"])
# What may stand between a phrasal verb and its particle: its object, a resource or a
# pronoun ("put churn-v2 into production", "take it down", "spin the new endpoint up").
_OBJECT_WORDS = frozenset(
    [
        "__name__",
        "it",
        "them",
        "this",
        "that",
        "these",
        "those",
        "the",
        "a",
        "an",
        "my",
        "our",
        "your",
        "its",
        "their",
        "model",
        "endpoint",
        "job",
        "new",
        "latest",
        "old",
        "one",
    ]
)
_ON_DATA = ("StartTraining", "StartAutopilot", "StartTransform")  # their target is a dataset


@dataclass(frozen=True)
class Resolved:
    original: str
    interpreted: str


@dataclass(frozen=True)
class EnumMatch:
    type: str
    value: str
    first: int  # token index
    last: int  # token index, inclusive
    surface: str


@dataclass
class Analysis:
    text: str  # normalized
    spans: list[Span]
    tokens: list[Token]  # tokens of the masked text
    words: list[str]  # corrected, lower-case words, one per token
    enums: list[EnumMatch]
    features: list[str] = field(default_factory=list)
    concepts: list[str] = field(default_factory=list)
    act: SpeechAct = field(default_factory=SpeechAct)
    surface: list[str] = field(default_factory=list)  # words after masking names and values
    form: Form = field(default_factory=Form)  # a pasted command or record, if any

    def spans_of(self, *kinds: str) -> list[Span]:
        return [s for s in self.spans if s.kind in kinds]

    @cached_property
    def concept_text(self) -> str:
        return " " + " ".join(self.concepts) + " "


@dataclass(frozen=True)
class Settings:
    """How a learned model reads a message and decides; kept in the model file.

    Features: the word-family concepts, markers and concept pairs (``concepts``),
    the words themselves (``words``), character n-grams of each word between
    ``chars[0]`` and ``chars[1]`` letters (typos, inflections), the sentence's form
    (``act``: negated, question, how-to), each intent's probability under the
    sample-utterance scorer (``nb``), and whether each intent's key words are there
    (``keys``). Decision: ``gate`` says whose key words are
    required (``all`` intents or only the ``mutating`` ones); a mutating intent also
    needs a probability of at least ``floor``."""

    concepts: bool = True
    words: bool = True
    chars: tuple[int, int] = (0, 0)
    act: bool = True
    nb: bool = True
    keys: bool = True
    gate: str = "mutating"
    floor: float = 0.5

    def text(self) -> str:
        return (
            f"concepts={int(self.concepts)} words={int(self.words)} "
            f"chars={self.chars[0]}-{self.chars[1]} act={int(self.act)} nb={int(self.nb)} "
            f"keys={int(self.keys)} gate={self.gate} floor={self.floor:g}"
        )

    @classmethod
    def parse(cls, text: str) -> Settings:
        """Settings from :meth:`text`; what the text leaves out keeps its default."""
        raw = dict(part.split("=", 1) for part in text.split())
        default = cls()
        chars = default.chars
        if "chars" in raw:
            low, _, high = raw["chars"].partition("-")
            chars = (int(low), int(high or low))
        return cls(
            concepts=raw.get("concepts", str(int(default.concepts))) == "1",
            words=raw.get("words", str(int(default.words))) == "1",
            chars=chars,
            act=raw.get("act", str(int(default.act))) == "1",
            nb=raw.get("nb", str(int(default.nb))) == "1",
            keys=raw.get("keys", str(int(default.keys))) == "1",
            gate=raw.get("gate", default.gate),
            floor=float(raw.get("floor", default.floor)),
        )


@dataclass(frozen=True)
class NluResult:
    intent: str
    confidence: float
    slots: dict[str, Resolved]
    ranking: list[tuple[str, float]]
    reason: str = ""  # why we fell back, when we did


def _edit(word: str, candidate: str) -> str:
    """The kind of single edit that turns *word* into *candidate*."""
    if len(candidate) == len(word) + 1:
        return "insert"
    if len(candidate) + 1 == len(word):
        return "delete"
    diff = [i for i, (a, b) in enumerate(zip(word, candidate, strict=True)) if a != b]
    if len(diff) == 2 and diff[1] == diff[0] + 1 and sorted(word) == sorted(candidate):
        return "swap"
    return "substitute"


# "drop the report into #general", "stick it in #ml-ops": a verb of placing followed by
# where to in Slack, is posting, not deleting ("put churn-v2 into production" is not).
_PLACING = frozenset(["drop", "put", "stick", "dump", "throw", "pop"])
_INTO = frozenset(["into", "onto", "in", "to"])
_SLACK_PLACES = frozenset(["__channel__", "channel", "here", "thread", "slack", "dm", "dms"])


def _placing(words: list[str], tokens: list[Token]) -> list[str]:
    out = list(words)
    for i, word in enumerate(words):
        if word not in _PLACING:
            continue
        for j in range(i + 1, len(words)):
            if words[j] in _INTO and any(w in _SLACK_PLACES for w in words[j + 1 : j + 3]):
                out[i] = "post"
                break
    return out


def act_of(clean: str, spans: list[Span] | None = None) -> SpeechAct:
    """What a (normalized) message does, its quoted texts and payloads aside: "translate
    'please do not delete this' into Russian" negates nothing, "say 'should we stop?'"
    asks nothing, and a JSON payload is never cut into clauses at its commas."""
    if spans is None:
        spans = find_spans(clean)
    material = ("quoted", "json", "csv")  # texts and payloads: the sender's material
    return speech_act_outside(clean, [(s.start, s.end) for s in spans if s.kind in material])


def _stem(word: str) -> str:
    if word.startswith("__") or len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is", "ous")):
        return word[:-1]
    return word


def _unknown(name: str) -> str | None:
    return None


class Nlu:
    """Intent classification and slot reading for one bot definition."""

    def __init__(
        self,
        definition: BotDefinition,
        *,
        alpha: float = 0.3,
        names: Callable[[str], str | None] | None = None,
        model: LinearModel | None = None,
    ) -> None:
        """*model*: a learned classifier (:mod:`lex.model`); without one, intents are
        scored by their sample utterances alone."""
        self.definition = definition
        self.alpha = alpha
        self.model = model
        self.settings = Settings.parse(model.config) if model is not None else Settings()
        # What the account calls things: a name -> "endpoint" | "model" | "job" | "budget".
        self.names = names
        self._enum_index: dict[tuple[str, ...], list[tuple[str, str]]] = defaultdict(list)
        self._enum_max = 1
        self._lexicon: dict[tuple[str, ...], str] = {}
        self._lex_max = 1
        self._vocab: set[str] = set(_STOPWORDS)
        self._build_enums()
        self._build_lexicon()
        self._build_forms()
        self._train()

    # ------------------------------------------------------------------ building

    def _build_enums(self) -> None:
        for slot_type in self.definition.slot_types.values():
            if slot_type.extract != "enum":
                continue
            for value in slot_type.values:
                surfaces = (
                    (value.value, *value.synonyms) if slot_type.match_values else value.synonyms
                )
                for surface in surfaces:
                    key = tuple(w.lower() for w in tokenize_words(surface))
                    if key:
                        self._enum_index[key].append((slot_type.name, value.value))
                        self._enum_max = max(self._enum_max, len(key))
                        self._vocab.update(key)

    def _build_lexicon(self) -> None:
        for concept, variants in self.definition.lexicon.items():
            for surface in (concept, *variants):
                key = tuple(_stem(w) for w in tokenize_words(surface.lower()))
                if key:
                    self._lexicon[key] = concept
                    self._lex_max = max(self._lex_max, len(key))
                    self._vocab.update(tokenize_words(surface.lower()))
                    self._vocab.update(key)
        for alternatives in self.definition.requires.values():
            for groups in alternatives:
                for group in groups:
                    for word in group:
                        self._vocab.update(tokenize_words(word.lower()))

    def _asks_who_changed(self, words: list[str]) -> bool:
        """ "who deleted X?", "somebody canceled my schedule, who did it?": who made a change
        (a change word in a past or ongoing form, or 'did'), which is the audit log's
        question; "who is on call" and "who's going to train the new hire" are not."""
        if not any(w in ("who", "whoever", "who's", "whom") for w in words):
            return False
        verbs = change_words()
        for word in words:
            if word in _DONE:
                return True
            if word.endswith(("ed", "ing")) and (word in verbs or self.lemma(word) in verbs):
                return True
        return False

    def _separated(self, stems: list[str], i: int) -> tuple[str, int, int] | None:
        """A phrasal family word with its object inside ("put churn-v2 into production",
        "take it down", "spin the endpoint up"): (concept, object length, words used)."""
        for gap in range(1, 4):
            if i + 1 + gap >= len(stems) or stems[i + gap] not in _OBJECT_WORDS:
                return None
            for key, concept in self._phrasal.get(stems[i], ()):
                tail = key[1:]
                start = i + 1 + gap
                if tuple(stems[start : start + len(tail)]) == tail:
                    return concept, gap, 1 + gap + len(tail)
        return None

    @cached_property
    def _phrasal(self) -> dict[str, list[tuple[tuple[str, ...], str]]]:
        """Multi-word family words by their first word, longest first."""
        out: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        for key, concept in self._lexicon.items():
            if len(key) > 1:
                out[key[0]].append((key, concept))
        for entries in out.values():
            entries.sort(key=lambda e: -len(e[0]))
        return out

    def _build_forms(self) -> None:
        """What a pasted command means: AWS operation -> intent, and key -> slot names."""
        self._operations = {
            key_of(op): intent.name
            for intent in self.definition.intents.values()
            for op in intent.aws_operations
        }
        keys: dict[str, set[str]] = defaultdict(set)
        for intent in self.definition.intents.values():
            for slot in intent.slots:
                keys[key_of(slot.name)].add(slot.name)
        for slot_name, spellings in self.definition.slot_keys.items():
            for spelling in spellings:
                keys[key_of(spelling)].add(slot_name)
        self._slot_keys = {k: frozenset(v) for k, v in keys.items()}

    def _render(self, intent: Intent, utterance: str, variant: int) -> str:
        def fill(match: re.Match[str]) -> str:
            slot = intent.slot(match.group(1))
            assert slot is not None
            samples = _SLOT_SAMPLES.get(slot.name)
            if samples:
                return samples[variant % len(samples)]
            return self._sample_value(self.definition.slot_type(slot.type), variant)

        return re.sub(r"\{(\w+)\}", fill, utterance)

    def _sample_value(self, slot_type: SlotType, variant: int) -> str:
        if slot_type.extract == "enum":
            surfaces = [s for v in slot_type.values for s in (v.value, *v.synonyms[:2])]
            return surfaces[(variant * 7) % len(surfaces)]
        options = _TYPE_SAMPLES[slot_type.extract]
        return options[variant % len(options)]

    def _train(self) -> None:
        counts: dict[str, Counter[str]] = {}  # feature -> (fractional) utterance count
        for intent in self.definition.intents.values():
            if intent.parent:
                continue
            counter: Counter[str] = Counter()
            for utterance in intent.utterances:
                # The words of the utterance itself (not the sample values) are vocabulary.
                self._vocab.update(tokenize_words(re.sub(r"\{\w+\}", " ", utterance.lower())))
                variants = 3 if "{" in utterance else 1
                for variant in range(variants):
                    rendered = self._render(intent, utterance, variant)
                    # Sample utterances are read as written: no spelling correction, and
                    # not what this account happens to call things (weights must not
                    # depend on the account the bot starts in, nor call it).
                    analysis = self.analyze(rendered, correct=False, account=False)
                    # Each utterance counts once, whatever its number of variants.
                    for feature in set(analysis.features):
                        # Fractional on purpose: typeshed types Counter values as int, but
                        # Counter's adding update() is what the background sums below need.
                        counter[feature] += 1.0 / variants  # type: ignore[assignment]
            counts[intent.name] = counter
        # Each feature's weight for an intent is how much likelier the intent's
        # utterances are to contain it than all utterances are (a log ratio of
        # document frequencies): long utterances do not dilute short ones.
        self._counts = counts
        sizes = {
            i.name: len(i.utterances) for i in self.definition.intents.values() if not i.parent
        }
        background: Counter[str] = Counter()
        for c in counts.values():
            background.update(c)
        self._background = background
        total = sum(sizes.values())
        a = self.alpha
        self._weights: dict[str, dict[str, float]] = {}
        for feature, df in background.items():
            p_all = (df + a) / (total + 2 * a)
            self._weights[feature] = {
                name: math.log((c[feature] + a) / (sizes[name] + 2 * a)) - math.log(p_all)
                for name, c in counts.items()
            }
        self._deletes: dict[str, set[str]] = defaultdict(set)
        for word in self._vocab:
            if len(word) >= 4 and not word.startswith("__"):
                for d in edits1_deletes(word):
                    self._deletes[d].add(word)

    # ------------------------------------------------------------------ analysis

    def correct(self, word: str) -> str:
        """The vocabulary word one edit away from *word*, if there is exactly one best."""
        if word in self._vocab or len(word) < 4 or word.startswith("__") or not word.isalpha():
            return word
        candidates: set[str] = set(self._deletes.get(word, ()))
        for d in edits1_deletes(word):
            if d in self._vocab:
                candidates.add(d)
            candidates.update(self._deletes.get(d, ()))
        candidates = {c for c in candidates if abs(len(c) - len(word)) <= 1 and c[0] == word[0]}
        if len(word) == 4:
            # Four letters leave too little to go on: swapped letters ("hepl") or a letter
            # left out ("evry"), never one letter for another.
            candidates = {
                c for c in candidates if sorted(c) == sorted(word) or _edit(word, c) == "insert"
            }
        elif len(word) <= 5:
            # A short real word is often one letter from another ("stack", "stuck"): a
            # typo is a slip of the hand (a letter missing, doubled or swapped), not a
            # different vowel.
            candidates = {c for c in candidates if _edit(word, c) != "substitute"}
        if not candidates:
            return word
        # Prefer the word used most in the utterances.
        return max(sorted(candidates), key=lambda c: self._background.get(c, 0.0))

    def lemma(self, word: str) -> str:
        """'deployed' -> 'deploy', 'stopped' -> 'stop', 'deleting' -> 'delete' (when known).

        A base form that is a word family's own word wins over the inflected form
        being known ('deleted' reads as 'delete'); otherwise known words stay."""
        if len(word) < 5 or word.startswith("__") or (word,) in self._lexicon:
            return word
        known = None
        for suffix in ("ing", "ed", "es"):
            if word.endswith(suffix):
                base = word[: -len(suffix)]
                for candidate in (base, base + "e", base[:-1] if base[-1:] == base[-2:-1] else ""):
                    if candidate and (candidate,) in self._lexicon:
                        return candidate
                    if candidate and known is None and candidate in self._vocab:
                        known = candidate
        return word if word in self._vocab or known is None else known

    def analyze(self, text: str, *, correct: bool = True, account: bool = True) -> Analysis:
        """*correct*: fix misspellings; *account*: ask the name resolver what names are."""
        clean = normalize(text)
        spans = find_spans(clean)
        masked = mask(clean, spans)
        tokens = tokenize(masked)
        words = [t.text.removesuffix("'s") for t in tokens]
        words = [_SHORT_FORMS.get(w, w) for w in words]
        if correct:
            words = [self.correct(w) for w in words]
        words = _placing(words, tokens)
        enums = self._find_enums(words) + self._arrow_codes(masked, tokens, words)
        analysis = Analysis(
            clean, spans, tokens, words, enums, act=act_of(clean, spans), form=read_form(clean)
        )
        self._featurize(analysis, account=account)
        return analysis

    def _arrow_codes(self, masked: str, tokens: list[Token], words: list[str]) -> list[EnumMatch]:
        """A code said only as a code ('"obrigado" -> en'): after an arrow it is the value,
        even one that is also a word ("it", "hi")."""
        found = []
        for i, token in enumerate(tokens):
            before = masked[tokens[i - 1].end if i else 0 : token.start]
            if "->" not in before and "=>" not in before:
                continue
            for type_name, value in self._codes.get(words[i], ()):
                found.append(EnumMatch(type_name, value, i, i, words[i]))
        return found

    @cached_property
    def _codes(self) -> dict[str, list[tuple[str, str]]]:
        """Values of the slot types whose values are not matched as words (language codes)."""
        out: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for slot_type in self.definition.slot_types.values():
            if slot_type.extract == "enum" and not slot_type.match_values:
                for v in slot_type.values:
                    out[v.value.lower()].append((slot_type.name, v.value))
        return out

    def _find_enums(self, words: list[str]) -> list[EnumMatch]:
        found: list[EnumMatch] = []
        for i in range(len(words)):
            for n in range(min(self._enum_max, len(words) - i), 0, -1):
                key = tuple(words[i : i + n])
                for type_name, value in self._enum_index.get(key, ()):
                    found.append(EnumMatch(type_name, value, i, i + n - 1, " ".join(key)))
        # Within one type keep the longest match at each place ("last week" over "week").
        best: dict[tuple[str, int], EnumMatch] = {}
        for m in found:
            overlapping = [
                k
                for k, b in best.items()
                if k[0] == m.type and not (m.last < b.first or m.first > b.last)
            ]
            if all((m.last - m.first) > (best[k].last - best[k].first) for k in overlapping):
                for k in overlapping:
                    del best[k]
                best[(m.type, m.first)] = m
        return sorted(best.values(), key=lambda m: (m.first, m.type))

    def _featurize(self, analysis: Analysis, *, account: bool = True) -> None:
        known_kind = self.known_kind if account else _unknown
        words = list(analysis.words)
        markers: list[str] = []
        replaced = [False] * len(words)
        for m in analysis.enums:
            if m.type in _PLACEHOLDER_TYPES and not any(replaced[m.first : m.last + 1]):
                words[m.first] = _PLACEHOLDER_TYPES[m.type]
                for k in range(m.first + 1, m.last + 1):
                    words[k] = ""
                for k in range(m.first, m.last + 1):
                    replaced[k] = True
            elif m.type in _MARKER_TYPES:
                markers.append(_MARKER_TYPES[m.type])
        hints: list[str] = []
        expanded: list[str] = []
        for i, token in enumerate(analysis.tokens):
            word = words[i]
            if not word or replaced[i]:
                expanded.append(word)
                continue
            kind = known_kind(token.raw)
            parts = re.split(r"[-_]", word)
            if kind is None and len(parts) > 1 and all(p in self._vocab for p in parts):
                expanded.extend(parts)  # "speech-to-text", "real-time": words, not a name
            elif kind is None and self._name_shaped(token.raw) and _a_table(words, i):
                expanded.append("__table__")  # "the fraud_transactions table": data, not a job
            elif kind is not None or self._name_shaped(token.raw):
                expanded.append("__name__")
                hints.extend([_KIND_HINTS[kind]] if kind in _KIND_HINTS else name_hints(word))
            else:
                expanded.append(word)
        for span in analysis.spans:
            if span.kind == "s3":
                hints.extend(file_hints(span.value))
            elif span.kind == "name":
                # An ARN or a console link says what it names; otherwise the account may.
                kind = span.of or known_kind(span.value)
                if kind in _KIND_HINTS:
                    hints.append(_KIND_HINTS[kind])
                elif not span.of:
                    hints.extend(name_hints(span.value))
        words = expanded
        analysis.surface = [w for w in words if w]
        markers.extend(dict.fromkeys(hints))
        stems = [_stem(self.lemma(w)) for w in words if w]
        concepts: list[str] = []
        i = 0
        while i < len(stems):
            for n in range(min(self._lex_max, len(stems) - i), 1, -1):
                concept = self._lexicon.get(tuple(stems[i : i + n]))
                if concept is not None:
                    concepts.append(concept)
                    i += n
                    break
            else:
                split = self._separated(stems, i)
                if split is not None:
                    concept, gap, n = split
                    concepts.append(concept)
                    concepts.extend(stems[i + 1 : i + 1 + gap])
                    i += n
                else:
                    concepts.append(self._lexicon.get((stems[i],), stems[i]))
                    i += 1
        analysis.concepts = concepts
        if self._asks_who_changed(analysis.words):
            markers.append("__who_did__")
        content = [c for c in concepts if c not in _STOPWORDS]
        features = list(dict.fromkeys(content + markers))
        features += [f"{a}+{b}" for a, b in itertools.pairwise(content)]
        analysis.features = features

    # ------------------------------------------------------------------ intents

    def model_features(self, analysis: Analysis) -> dict[str, float]:
        """What the learned model sees of a message (see :class:`Settings`)."""
        settings = self.settings
        out: dict[str, float] = {}
        if settings.concepts:
            out.update(dict.fromkeys(analysis.features, 1.0))
        low, high = settings.chars
        for word in analysis.surface:
            if word.startswith("__"):
                continue
            if settings.words:
                out["w:" + word] = 1.0
            if low and word.isalpha():
                padded = f"<{word}>"
                for n in range(low, high + 1):
                    for i in range(len(padded) - n + 1):
                        out["g:" + padded[i : i + n]] = 1.0
        if settings.act and analysis.act.form:
            out["act:" + analysis.act.form] = 1.0
        if settings.nb and any(f in self._weights for f in analysis.features):
            raw = self.scores(analysis)
            top = max(raw.values())
            exp = {n: math.exp((s - top) / 2.0) for n, s in raw.items()}
            z = sum(exp.values())
            for name, e in exp.items():
                if e / z >= 0.01:
                    out["nb:" + name] = round(e / z, 3)
        if settings.keys:
            for name in self._counts:
                if name in self.definition.requires and self.eligible(name, analysis):
                    out["key:" + name] = 1.0
        return out

    def _content_words(self, analysis: Analysis) -> list[str]:
        return [
            w
            for w in analysis.surface
            if not w.startswith("__") and w.isalpha() and w not in _FUNCTION_WORDS
        ]

    def _lacks_its_input(self, name: str, analysis: Analysis) -> bool:
        """An intent that works on an input the message does not give, asked about something
        else. A text (which the catalog says is quoted): none quoted, and a content word
        the bot's language does not have ("how's the team sentiment after the reorg?");
        a bare request ("translate this for me") is still asked for its text. A file that
        may be attached (an image, a recording): no S3 URI, no word for one, nothing
        pointed at ("what labels should we use for the jira epic?")."""
        intent = self.definition.intents[name]
        extracts = {s.name: self.definition.slot_type(s.type).extract for s in intent.slots}
        if any(s.required and extracts[s.name] == "text" for s in intent.slots):
            if analysis.spans_of("quoted", "csv", "json") or ":" in analysis.text:
                return False
            return bool(self.foreign_words(analysis))
        files = [s.name for s in intent.slots if extracts[s.name] == "s3" and not s.required]
        if len(files) != 1 or len(intent.slots) != 1:
            return False
        kind = files[0].removesuffix("Uri").lower()  # imageUri -> image: its word family
        said = set(analysis.concepts) | set(analysis.features)
        return not (
            analysis.spans_of("s3")
            or kind in said
            or f"__{kind}_file__" in said
            or said & _POINTING
        )

    def _for_something_else(self, name: str, analysis: Analysis) -> bool:
        """A read whose key word is said to be for or of something the bot's language does
        not have, and nothing of ours is named: "what's the budget for the holiday party?",
        "the endpoint for the jira api". ("the budget for ml-platform-monthly", "the cost
        of sagemaker" name ours.)"""
        if self.definition.intents[name].mutating or self._anchored(analysis):
            return False
        keys = self._key_words.get(name, frozenset())
        concepts = analysis.concepts
        foreign = set(self.foreign_words(analysis))
        # "list my Jenkins jobs", "our Datadog bill": a key word whose modifier is a proper
        # name the bot's language does not have is another product's.
        tokens, words = analysis.tokens, analysis.words
        for i in range(1, len(tokens) - 1):
            raw = tokens[i].raw
            if not (raw[:1].isupper() and raw[1:].islower() and words[i] in foreign):
                continue
            if mask(analysis.text, analysis.spans)[: tokens[i].start].rstrip()[-1:] in ".!?:":
                continue  # a capital that starts a sentence says nothing
            modified = self._lexicon.get((_stem(self.lemma(words[i + 1])),), words[i + 1])
            if modified in keys:
                return True
        for i, concept in enumerate(concepts[:-1]):
            if concept not in keys or concepts[i + 1] not in ("for", "of"):
                continue
            if concepts[i + 2 : i + 3] and concepts[i + 2] in _PERSONS:
                continue  # "tag this photo for me": for whom, not of what
            following = [c for c in concepts[i + 2 :] if c not in _NOT_TOPICAL]
            if following and following[0] in {_stem(w) for w in foreign} | foreign:
                return True
        return False

    @cached_property
    def _key_words(self) -> dict[str, frozenset[str]]:
        """Each intent's key words: the first group of each way its words qualify
        (``local.requires``), without values and exclusions."""
        return {
            name: frozenset(
                w
                for groups in alternatives
                for w in groups[0]
                if not w.startswith(("!", "__")) and " " not in w
            )
            for name, alternatives in self.definition.requires.items()
        }

    @staticmethod
    def _anchored(analysis: Analysis) -> bool:
        """Whether the message names something of ours: a resource, a file, a text or a
        payload to work on."""
        return "__name__" in analysis.surface or any(
            s.kind in ("s3", "name", "quoted", "json", "csv", "instance") for s in analysis.spans
        )

    def foreign_words(self, analysis: Analysis) -> list[str]:
        """Content words the bot's language does not have (the definition's utterances,
        word families, values and key words): 'lunch', 'reorg', 'dublin'. Names, values
        and function words are never foreign."""
        out = []
        for word in self._content_words(analysis):
            if word in self._vocab or self.lemma(word) in self._vocab:
                continue
            if _stem(word) in self._vocab or self.lemma(_stem(word)) in self._vocab:
                continue
            out.append(word)
        return out

    def eligible(self, intent: str, analysis: Analysis) -> bool:
        """Whether the message has the words this intent cannot do without."""
        alternatives = self.definition.requires.get(intent)
        if not alternatives:
            return True
        text = analysis.concept_text
        raw = " " + " ".join(analysis.words) + " "
        features = set(analysis.features)

        def has(word: str) -> bool:
            return f" {word} " in text or f" {word} " in raw or word in features

        def holds(group: tuple[str, ...]) -> bool:
            if len(group) == 1 and group[0].startswith("!"):
                return not has(group[0][1:])
            return any(has(w) for w in group)

        return any(all(holds(g) for g in groups) for groups in alternatives)

    def scores(self, analysis: Analysis) -> dict[str, float]:
        totals = dict.fromkeys(self._counts, 0.0)
        for feature in analysis.features:
            weights = self._weights.get(feature)
            if weights is None:
                continue
            for name, w in weights.items():
                totals[name] += w
        return totals

    def classify(
        self, analysis: Analysis, *, read_only: bool = False
    ) -> tuple[str, float, list[tuple[str, float]], str]:
        known = [
            f
            for f in analysis.features
            if f in self._weights or (self.model is not None and self.model.knows(f))
        ]
        if not known:
            return FALLBACK, 1.0, [], "no known words"
        if _INJECTION.search(analysis.text):
            return FALLBACK, 1.0, [], "instruction-like text"
        if self.model is not None:
            return self._classify_learned(self.model, analysis, read_only)
        raw = self.scores(analysis)
        eligible = {n: s for n, s in raw.items() if self.eligible(n, analysis)}
        kinds = self._kinds_in(analysis)
        if kinds:
            # "how is fraud-detector-prod doing?" when the account has that endpoint:
            # only intents about endpoints (or about nothing named) remain.
            eligible = {n: s for n, s in eligible.items() if self._fits_names(n, kinds)}
        if eligible and (analysis.act.orders_nothing or read_only):
            # "who stopped the job?", "how do I delete an endpoint?", "don't stop it":
            # questions and negated actions are never orders.
            eligible = {
                n: s for n, s in eligible.items() if not self.definition.intents[n].mutating
            }
        if not eligible:
            return FALLBACK, 1.0, [], "no intent's key words"
        # The key words decide what is possible; the scores decide among the possible.
        temperature = 2.0
        top = max(eligible.values())
        exp = {n: math.exp((s - top) / temperature) for n, s in eligible.items()}
        z = sum(exp.values())
        ranking = sorted(((n, e / z) for n, e in exp.items()), key=lambda x: -x[1])
        best, confidence = ranking[0]
        if confidence < self.definition.nlu_confidence_threshold:
            return FALLBACK, 1.0 - confidence, ranking[:5], "low confidence"
        if self._lacks_its_input(best, analysis) or self._for_something_else(best, analysis):
            return FALLBACK, 1.0 - confidence, ranking[:5], "about something else"
        if self.definition.intents[best].mutating and self._bulk_without_target(best, analysis):
            return FALLBACK, 1.0, ranking[:5], "bulk change"
        return best, confidence, ranking[:5], ""

    def _classify_learned(
        self, model: LinearModel, analysis: Analysis, read_only: bool
    ) -> tuple[str, float, list[tuple[str, float]], str]:
        """The learned model ranks; the same rules as ever decide what is possible: a
        mutating intent needs its key words, no negation and no question, and a
        probability of at least ``settings.floor``."""
        probs = model.probabilities(self.model_features(analysis))
        fallback = probs.pop(FALLBACK, 0.0)
        gate_all = self.settings.gate == "all"
        kinds = self._kinds_in(analysis)
        eligible: dict[str, float] = {}
        for name, p in probs.items():
            intent = self.definition.intents.get(name)
            if intent is None or intent.parent:
                continue
            if (gate_all or intent.mutating) and not self.eligible(name, analysis):
                continue
            if intent.mutating and (analysis.act.orders_nothing or read_only):
                continue
            if kinds and not self._fits_names(name, kinds):
                continue
            eligible[name] = p
        if not eligible:
            return FALLBACK, 1.0, [], "no intent's key words"
        covering = self._covering(analysis, eligible)
        if covering:
            # A record that gives two of an intent's slots is a request of that intent.
            total = sum(eligible[n] for n in covering)
            eligible = {n: eligible[n] / total for n in covering}
            fallback = 0.0
        z = sum(eligible.values()) + fallback
        ranking = sorted(((n, p / z) for n, p in eligible.items()), key=lambda x: -x[1])
        best, confidence = ranking[0]
        if fallback >= eligible[best]:
            return FALLBACK, fallback / z, ranking[:5], "reads as something else"
        if confidence < self.definition.nlu_confidence_threshold:
            return FALLBACK, 1.0 - confidence, ranking[:5], "low confidence"
        if self._lacks_its_input(best, analysis) or self._for_something_else(best, analysis):
            return FALLBACK, 1.0 - confidence, ranking[:5], "about something else"
        if self.definition.intents[best].mutating:
            if eligible[best] < self.settings.floor:
                return FALLBACK, 1.0 - eligible[best], ranking[:5], "doubtful change"
            if self._bulk_without_target(best, analysis):
                return FALLBACK, 1.0, ranking[:5], "bulk change"
        return best, confidence, ranking[:5], ""

    def _covering(self, analysis: Analysis, candidates: Iterable[str]) -> set[str]:
        """Of *candidates*, the intents that take the most of the slots the message's pairs
        give ("algorithm: xgboost", "input: s3://..."), when that is two or more."""
        if len(analysis.form.pairs) < 2 or len(self.pair_slots(analysis)) < 2:
            return set()
        cover = {
            name: len(self._form_slots(self.definition.intents[name], analysis))
            for name in candidates
        }
        top = max(cover.values(), default=0)
        return {name for name, n in cover.items() if n == top} if top >= 2 else set()

    def _bulk_without_target(self, intent: str, analysis: Analysis) -> bool:
        """'delete all endpoints': a mutating intent aimed at everything is never guessed."""
        if intent in ("CancelSchedule", "ScheduleReport"):
            return False
        if intent in _ON_DATA and "__s3__" in analysis.words:
            return False  # "score everything in s3://…": aimed at that data
        return bool(_BULK.search(analysis.text)) and "__name__" not in analysis.concepts

    def parse(self, text: str) -> NluResult:
        analysis = self.analyze(text)
        result = self._parse(analysis)
        if result.intent == "Help" and "topic" not in result.slots:
            # "how do I deploy a model with the bot?": help on the area the message is about.
            topic = self._help_topic(analysis)
            if topic is not None:
                result.slots["topic"] = topic
        return result

    def _help_topic(self, analysis: Analysis) -> Resolved | None:
        """The Help topic of a question about how to do something: the area of the intent,
        among those whose key words the message has, that reads best (none when no
        intent's key words are there: "what can you do?")."""
        if not self._topic_values:
            return None
        candidates = [
            name
            for name, intent in self.definition.intents.items()
            if intent.area in self._topic_values
            and name in self.definition.requires
            and self.eligible(name, analysis)
        ]
        if not candidates:
            return None
        if self.model is not None:
            probs = self.model.probabilities(self.model_features(analysis))
        else:
            probs = self.scores(analysis)
        best = max(candidates, key=lambda n: probs.get(n, float("-inf")))
        area = self.definition.intents[best].area
        return Resolved(area, area)

    def _parse(self, analysis: Analysis) -> NluResult:
        act = analysis.act
        if act.form in ("negated", "should"):
            return self._instead(analysis)
        commanded = self._commanded(analysis)
        if commanded is not None:
            slots = self.read_slots(commanded, analysis)
            return NluResult(commanded, 1.0, slots, [(commanded, 1.0)], "an AWS operation")
        intent, confidence, ranking, reason = self.classify(
            analysis, read_only=self._quotes_a_change(analysis)
        )
        if act.form == "howto":
            return self._how_to(analysis, intent, confidence, ranking)
        slots = self.read_slots(intent, analysis) if intent != FALLBACK else {}
        return NluResult(intent, round(confidence, 2), slots, ranking, reason)

    def _commanded(self, analysis: Analysis) -> str | None:
        """The intent of a pasted AWS CLI or SDK call ("aws sagemaker delete-endpoint
        --endpoint-name x"), by the operations the definition lists for each intent. A
        read goes wherever it is pasted; a change only when the message is the command
        (perhaps with "please run this"), not a question about it or a story of it, and
        when its key words are there like any change (then the card asks, as ever)."""
        form = analysis.form
        name = self._operations.get(key_of(form.operation)) if form.operation else None
        if name is None or analysis.act.form == "howto":
            return None
        intent = self.definition.intents[name]
        if not intent.mutating:
            return name
        outside = analysis.text[: form.start] + " " + analysis.text[form.end :]
        words = re.findall(r"[a-z']+", outside.lower())
        if (
            analysis.act.form is not None
            or "?" in outside
            or any(w not in _ASKING for w in words)
            or not self.eligible(name, self._said(form))
        ):
            return None
        return name

    def _said(self, form: Form) -> Analysis:
        """A command in words: 'sm.delete_endpoint(EndpointName="x")' is 'delete endpoint x'."""
        values = [pair.value for pair in form.pairs]
        return self.analyze(" ".join([*_split_words(form.operation), *values]), account=False)

    def _quotes_a_change(self, analysis: Analysis) -> bool:
        """A change's command in a message that does not ask for it ("I ran aws sagemaker
        delete-endpoint ... and it failed", "what does ... do?"): the message is about the
        command, so it is read as a read at most, unless the words around the command ask
        for the change themselves."""
        form = analysis.form
        name = self._operations.get(key_of(form.operation)) if form.operation else None
        if name is None or not self.definition.intents[name].mutating:
            return False
        outside = analysis.text[: form.start] + " " + analysis.text[form.end :]
        return not self.eligible(name, self.analyze(outside, account=False))

    def _what_it_names(self, analysis: Analysis) -> str:
        """The intent a sentence names, questions and negations aside ("don't stop X" -> StopTraining)."""
        plain = Analysis(
            analysis.text,
            analysis.spans,
            analysis.tokens,
            analysis.words,
            analysis.enums,
            analysis.features,
            analysis.concepts,
        )
        return self.classify(plain)[0]

    def _how_to(
        self, analysis: Analysis, read: str, confidence: float, ranking: list[tuple[str, float]]
    ) -> NluResult:
        """ "how do I deploy a model?": help on that area, unless it is a complete read
        ("how do you say 'hi' in German" is not here: that is a translation)."""
        named = self._what_it_names(analysis)
        if named == FALLBACK and read != "Help":
            return NluResult(FALLBACK, 1.0, {}, ranking, "a question about something else")
        if named == read:
            slots = self.read_slots(read, analysis)
            required = self.definition.intents[read].required_slots
            if required and all(s.name in slots for s in required):
                return NluResult(read, round(confidence, 2), slots, ranking)
        help_slots: dict[str, Resolved] = {}
        if named in self.definition.intents:
            area = self.definition.intents[named].area
            if self._topic_values and area in self._topic_values:
                help_slots["topic"] = Resolved(area, area)
        if "Help" not in self.definition.intents:
            return NluResult(FALLBACK, 1.0, {}, ranking, "a question about how")
        found = self.read_slots("Help", analysis)
        return NluResult("Help", 1.0, {**help_slots, **found}, ranking, "a question about how")

    def _instead(self, analysis: Analysis) -> NluResult:
        """ "don't stop X, just check it" is "check X"; "should we delete X?" alone asks nothing
        we can do: the short help. What is asked instead is read on its own, and when it
        is a change of its own ("don't run autopilot, just train xgboost on s3://..."),
        it is asked for like any change (its card asks, as ever)."""
        act = analysis.act
        if act.asks_instead:
            alone = self.analyze(act.asks_instead)
            intent, confidence, ranking, reason = self.classify(alone)
            if intent != FALLBACK and self.definition.intents[intent].mutating:
                slots = self.read_slots(intent, alone)
                return NluResult(intent, round(confidence, 2), slots, ranking, "asked instead")
        if act.rest and act_of(act.rest).form == "howto":
            # "I don't want to run anything yet - how would I get X transcribed?": a
            # question about how, like any other.
            rest = self.analyze(act.rest)
            intent, confidence, ranking, _ = self.classify(rest, read_only=True)
            return self._how_to(rest, intent, confidence, ranking)
        if not act.rest or not (act.instead or reads_as_request(act.rest)):
            return NluResult(FALLBACK, 1.0, {}, [], f"{act.form} action")
        named = self._what_it_names(analysis)
        # The names of the first clause are the subject of the rest ("is it still up?").
        names = [t.raw for t in analysis.tokens if self.is_name(t.raw) and t.raw not in act.rest]
        names += [s.raw for s in analysis.spans_of("name", "s3") if s.raw not in act.rest]
        rest = self.analyze(" ".join([act.rest, *names]))
        intent, confidence, ranking, reason = self.classify(rest, read_only=True)
        if intent == FALLBACK and _POINTS_BACK.search(act.rest):
            # "don't set up a new schedule, just list the ones we have": what the rest
            # points at ("the ones", "them") is what the first clause names, less its verb.
            context = self._ruled_out_object(analysis)
            if context:
                rest = self.analyze(" ".join([act.rest, *names, context]))
                intent, confidence, ranking, reason = self.classify(rest, read_only=True)
        counterpart = self.counterpart(named)
        if counterpart and intent in self._status_intents and intent != counterpart:
            intent = counterpart
        slots = self.read_slots(intent, rest) if intent != FALLBACK else {}
        return NluResult(intent, round(confidence, 2), slots, ranking, reason)

    @staticmethod
    def _ruled_out_object(analysis: Analysis) -> str:
        """The words of what a negated or "should we" sentence says before its rest, less
        the negation, the change verbs and the function words: "don't set up a new
        schedule, ..." -> "schedule"."""
        rest = analysis.act.rest
        head = analysis.text[: analysis.text.rfind(rest)] if rest else analysis.text
        verbs = change_words()
        words = re.findall(r"[a-z][a-z'\-]*", head.lower())
        kept = []
        for i, word in enumerate(words):
            if word in _NOT_TOPICAL or word in _NEGATION_WORDS:
                continue
            # "schedule" after an article is a thing; right after the negation, a verb
            if word in verbs and (i == 0 or words[i - 1] not in _ARTICLES):
                continue
            kept.append(word)
        return " ".join(kept)

    @cached_property
    def _status_intents(self) -> frozenset[str]:
        """Read-only intents about one named resource, whose name is optional."""
        out = set()
        for intent in self.definition.intents.values():
            names = [s for s in intent.slots if s.name in _NAME_KEYWORDS]
            if not intent.mutating and names and not intent.required_slots:
                out.add(intent.name)
        return frozenset(out)

    def counterpart(self, intent_name: str) -> str | None:
        """The read-only intent about what a change would act on: StopTraining -> TrainingStatus."""
        intent = self.definition.intents.get(intent_name)
        if intent is None or not intent.mutating:
            return None
        names = {s.name for s in intent.slots if s.name in ("jobName", "endpointName")}
        for other in self.definition.intents.values():
            same_area = other.name in self._status_intents and other.area == intent.area
            if same_area and names & {s.name for s in other.slots}:
                return other.name
        return None

    @cached_property
    def _topic_values(self) -> frozenset[str]:
        help_intent = self.definition.intents.get("Help")
        slot = help_intent.slot("topic") if help_intent else None
        if slot is None:
            return frozenset()
        return frozenset(v.value for v in self.definition.slot_type(slot.type).values)

    # ------------------------------------------------------------------ slots

    def read_slots(self, intent_name: str, analysis: Analysis) -> dict[str, Resolved]:
        intent = self.definition.intents[intent_name]
        slots = self._form_slots(intent, analysis)
        # The command itself ("aws sagemaker list-endpoints") is no value.
        head = analysis.form.head
        used = {(i, i) for i, t in enumerate(analysis.tokens) if head[0] <= t.start < head[1]}
        for slot in intent.slots:
            if slot.name in slots:
                continue
            value = self.read_slot(intent, slot, analysis, used=used)
            if value is not None:
                slots[slot.name] = value
        operation = analysis.form.operation
        if operation and any(s.name not in slots for s in intent.slots):
            # "aws sagemaker list-processing-jobs": the operation's own words say the rest.
            said = self.analyze(" ".join(_split_words(operation)), account=False)
            for slot in intent.slots:
                if (
                    slot.name not in slots
                    and self.definition.slot_type(slot.type).extract == "enum"
                ):
                    value = self.read_slot(intent, slot, said)
                    if value is not None:
                        slots[slot.name] = value
        if "day" in slots and self._every_weekday(analysis):
            # "every weekday is too much, just every Monday": a day said as a recurrence
            # ("every Monday", "on Mondays") is weekly whatever other frequency is named.
            slots["frequency"] = Resolved(slots["day"].original, "weekly")
        derive_slots(intent_name, slots)
        return slots

    @staticmethod
    def _every_weekday(analysis: Analysis) -> bool:
        for m in analysis.enums:
            if m.type != "Weekday":
                continue
            before = analysis.words[m.first - 1] if m.first > 0 else ""
            if before in ("every", "each") or m.surface.endswith("s"):
                return True
        return False

    def pair_slots(self, analysis: Analysis) -> frozenset[str]:
        """The slots a message's key/value pairs name (whatever their values)."""
        return frozenset(s for pair in analysis.form.pairs for s in self._slots_named(pair.key))

    def _slots_named(self, key: str) -> frozenset[str]:
        """'instance type' -> instanceType; a two-word key that names nothing may end with
        one that does ('please launch algorithm' -> algorithm)."""
        found = self._slot_keys.get(key_of(key))
        if found is None and " " in key.strip():
            found = self._slot_keys.get(key_of(key.split()[-1]))
        return found or frozenset()

    def _form_slots(self, intent: Intent, analysis: Analysis) -> dict[str, Resolved]:
        """Slot values given as pairs whose keys name the slot ("instance: ml.m5.xlarge",
        "--endpoint-name x", 'EndpointName="x"'), when the slot's reader takes the value."""
        slots: dict[str, Resolved] = {}
        for pair in analysis.form.pairs:
            named = self._slots_named(pair.key)
            # A value with a shape of its own is all of that shape ("row: 34,2,79.5").
            span = next((s for s in analysis.spans if s.start == pair.at), None)
            value = (span.raw if span is not None else pair.value).strip()
            for slot in intent.slots:
                if slot.name in named and slot.name not in slots and value:
                    read = self._pair_value(intent, slot, value)
                    if read is not None:
                        slots[slot.name] = read
                        break
        return slots

    def _pair_value(self, intent: Intent, slot: Slot, value: str) -> Resolved | None:
        slot_type = self.definition.slot_type(slot.type)
        if slot_type.extract == "enum":
            for v in slot_type.values:  # a canonical value as such ("de", "xgboost")
                if v.value.lower() == value.lower():
                    return Resolved(value, v.value)
        return self.read_slot(intent, slot, self.analyze(value, account=False), eliciting=True)

    def read_slot(
        self,
        intent: Intent,
        slot: Slot,
        analysis: Analysis,
        *,
        eliciting: bool = False,
        used: set[tuple[int, int]] | None = None,
    ) -> Resolved | None:
        slot_type = self.definition.slot_type(slot.type)
        reader = _READERS[slot_type.extract]
        return reader(
            self, intent, slot, slot_type, analysis, eliciting, used if used is not None else set()
        )

    def is_vocabulary(self, word: str) -> bool:
        return word.lower() in self._vocab

    def _name_shaped(self, raw: str) -> bool:
        """Shaped like a resource name and not a word: 'fraud-detector-prod' is one;
        'deploy', 'one-liner' and 'on-call' are not (what the account knows is asked apart)."""
        return looks_like_name(raw) and raw.lower() not in self._vocab and not english_compound(raw)

    def is_name(self, raw: str) -> bool:
        """Whether a token reads as a resource name: the account knows it, or it has the
        shape of one (see :meth:`_name_shaped`)."""
        return self.known_kind(raw) is not None or self._name_shaped(raw)

    def known_kind(self, name: str) -> str | None:
        """What the account says *name* is, when a resolver was given and knows it."""
        if self.names is None or not looks_like_name(name):
            return None
        try:
            return self.names(name)
        except Exception:  # a resolver that fails knows nothing; understanding goes on
            return None

    def _kinds_in(self, analysis: Analysis) -> set[str]:
        """What the names in a message are: as an ARN or a console link says, or as the
        account knows them."""
        kinds = {span.of for span in analysis.spans_of("name") if span.of}
        if self.names is None:
            return kinds
        for token in analysis.tokens:
            kind = self.known_kind(token.raw)
            if kind:
                kinds.add(kind)
        for span in analysis.spans_of("name"):
            kind = self.known_kind(span.value)
            if kind:
                kinds.add(kind)
        return kinds

    def _fits_names(self, intent_name: str, kinds: set[str]) -> bool:
        """An intent that takes a name fits when a known name in the message is of its kind."""
        takes = {
            k for s in self.definition.intents[intent_name].slots for k in _KINDS.get(s.name, ())
        }
        return not takes or bool(takes & kinds)


_IMAGE = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".tif", ".tiff")
_AUDIO = (".mp3", ".wav", ".flac", ".ogg", ".m4a", ".mp4", ".webm", ".amr")
_DATA = (".csv", ".json", ".jsonl", ".parquet", ".txt", ".libsvm", ".recordio", ".gz", "/")


def file_hints(uri: str) -> list[str]:
    """What an S3 key looks like it holds: an image, a recording, or data."""
    key = uri.lower()
    if key.endswith(_IMAGE):
        return ["__image_file__"]
    if key.endswith(_AUDIO):
        return ["__audio_file__"]
    if key.endswith(_DATA) or "/" not in key[5:]:
        return ["__data_file__"]
    return []


_ENDPOINTISH = {
    "prod",
    "production",
    "staging",
    "stage",
    "dev",
    "test",
    "live",
    "endpoint",
    "ep",
    "serving",
    "canary",
    "blue",
    "green",
    "api",
    "realtime",
    "detector",
}
_MODELISH = {"model", "mdl"}
_BUDGETISH = {"monthly", "quarterly", "yearly", "annual", "budget", "q1", "q2", "q3", "q4", "fy"}
_KIND_HINTS = {
    "endpoint": "__endpointish__",
    "model": "__modelish__",
    "job": "__jobish__",
    "budget": "__budgetish__",
}
_JOBISH = {"job", "train", "training", "run", "retrain", "nightly", "tuning", "hpo", "batch"}


def name_hints(name: str) -> list[str]:
    """What a resource name looks like it names: 'fraud-detector-prod' is an endpoint."""
    parts = set(re.split(r"[-_.]", name.lower()))
    hints = []
    if parts & _ENDPOINTISH:
        hints.append("__endpointish__")
    if parts & _MODELISH or any(re.fullmatch(r"v\d+", p) for p in parts):
        hints.append("__modelish__")
    if parts & _JOBISH or re.search(r"\d{6,}|-\d{2,4}$", name):
        hints.append("__jobish__")
    if parts & _BUDGETISH or any(re.fullmatch(r"fy\d{2,4}|\d{4}q\d", p) for p in parts):
        hints.append("__budgetish__")
    return hints


def _split_words(name: str) -> list[str]:
    """'ListProcessingJobs', 'list-processing-jobs', 'list_processing_jobs' -> list processing jobs."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    return [w.lower() for w in re.split(r"[\s\-_]+", spaced) if w]


# Words that may stand around a pasted command that asks for it to be run.
_ASKING = frozenset(
    [
        "please",
        "pls",
        "plz",
        "kindly",
        "can",
        "could",
        "would",
        "you",
        "u",
        "run",
        "execute",
        "exec",
        "do",
        "this",
        "that",
        "it",
        "the",
        "following",
        "command",
        "for",
        "me",
        "us",
        "go",
        "ahead",
        "just",
        "now",
        "hey",
        "hi",
        "ok",
        "okay",
        "so",
        "lets",
        "let's",
        "thanks",
        "thx",
        "and",
        "bot",
        "here",
    ]
)


def _a_table(words: list[str], i: int) -> bool:
    """Whether word *i* names a catalog table: "the churn_db table", "table churn_db"."""
    return (i + 1 < len(words) and words[i + 1] in ("table", "dataset")) or (
        i > 0 and words[i - 1] == "table"
    )


def tokenize_words(text: str) -> list[str]:
    return [t.text for t in tokenize(text)]


def derive_slots(intent: str, slots: dict[str, Resolved]) -> None:
    """Values implied by others, as a dialog code hook would fill them in Lex."""
    if intent == "ScheduleReport":
        if "day" in slots and "frequency" not in slots:
            slots["frequency"] = Resolved(slots["day"].original, "weekly")
        if slots.get("frequency") and slots["frequency"].interpreted != "weekly" and "day" in slots:
            del slots["day"]


# ---------------------------------------------------------------------------- readers


def _enum(
    nlu: Nlu,
    intent: Intent,
    slot: Slot,
    slot_type: SlotType,
    a: Analysis,
    eliciting: bool,
    used: set[tuple[int, int]],
) -> Resolved | None:
    matches = [m for m in a.enums if m.type == slot_type.name and (m.first, m.last) not in used]
    if not matches and not slot_type.match_values:
        # Codes that are also words ("it", "hi") are read only where nothing else fits:
        # right after "to"/"into" ("translate to fr: ...").
        codes = {v.value.lower(): v.value for v in slot_type.values}
        for i in range(1, len(a.words)):
            code = a.words[i]
            if code in codes and code not in _WORDS_TOO and a.words[i - 1] in ("to", "into"):
                used.add((i, i))
                return Resolved(a.tokens[i].raw, codes[code])
        return None
    if not matches:
        return None
    if len({m.value for m in matches}) > 1:
        # "not daily, weekly", "make it xgboost instead of linear learner", "don't
        # translate it to French, I need Italian": a value ruled out is not the one asked
        # for when another is given.
        kept = [m for m in matches if not _ruled_out(a, m.first)]
        matches = kept or matches
    if len({m.value for m in matches}) > 1 and _corrects_itself(
        a, matches[0].last, matches[-1].first
    ):
        # "linear learner on s3://... - actually no, make it xgboost": the later value.
        matches = [matches[-1]]
    choice = matches[0]
    if slot.name == "targetLanguage" and len(matches) > 1:
        # "translate from English to German", "it came in French, what is it in English":
        # the language after to/into (or al/a/на...), else the last one after "in", else
        # the last one; never one after "from".
        targets = [m for m in matches if m.first == 0 or a.words[m.first - 1] not in _FROM]
        matches = targets or matches
        after_to = [m for m in matches if m.first > 0 and a.words[m.first - 1] in _INTO_LANGUAGE]
        after_in = [m for m in matches if m.first > 0 and a.words[m.first - 1] in _IN_LANGUAGE]
        choice = (after_to or after_in or matches)[-1] if not after_to else after_to[0]
    if slot_type.name == "ReportKind" and len(matches) > 1:
        # "the cost report": the kind right before the word report wins.
        for m in matches:
            if m.last + 1 < len(a.words) and _stem(a.words[m.last + 1]) in ("report", "summary"):
                choice = m
                break
    used.add((choice.first, choice.last))
    return Resolved(choice.surface, choice.value)


_FROM = frozenset(["from", "de", "del", "von", "из", "с"])
_INTO_LANGUAGE = frozenset(["to", "into", "al", "a", "à", "en", "ins", "auf", "на", "in-to"])
_IN_LANGUAGE = frozenset(["in"])
# What rules a value out: a negation before it in its clause, or "instead of" / "rather
# than" / "not" right before it.
_RULING_OUT = frozenset(["not", "no", "don't", "dont", "never", "without", "nor"])
_CLAUSE_ENDS = frozenset(["but", "just", "instead", "rather", "only", "i", "we", "make", "use"])
_CORRECTIONS = re.compile(
    r"\b(?:actually|no\s+wait|wait|sorry|i\s+mean|i\s+meant|make\s+it|correction|scratch\s+that|"
    r"on\s+second\s+thought|rather|change\s+(?:that|it)\s+to)\b",
    re.I,
)


def _between(a: Analysis, i: int, j: int) -> str:
    """The message's text from token *i* up to token *j* (masked values included)."""
    if not i < j < len(a.tokens):
        return ""
    return mask(a.text, a.spans)[a.tokens[i].start : a.tokens[j].start]


def _ruled_out(a: Analysis, first: int) -> bool:
    """Whether the value starting at word *first* is one the sender rules out: "instead of
    X", "rather than X", "not X", or X in a clause that a negation opens ("don't translate
    it to French, ...")."""
    before = a.words[max(0, first - 2) : first]
    if before[-2:] in (["instead", "of"], ["rather", "than"]) or before[-1:] == ["not"]:
        return True
    for k in range(first - 1, max(-1, first - 7), -1):
        word = a.words[k]
        if word in _CLAUSE_ENDS or re.search(r"[,;.:!?\u2014\u2013]|\s-+\s", _between(a, k, k + 1)):
            return False
        if word in _RULING_OUT or word.endswith("n't"):
            return True
    return False


def _corrects_itself(a: Analysis, i: int, j: int) -> bool:
    """Whether the sender corrects a value between words *i* and *j* ("ml.m5.large - no
    wait, ml.m5.xlarge")."""
    return bool(_CORRECTIONS.search(_between(a, i, j)))


def _s3(
    nlu: Nlu,
    intent: Intent,
    slot: Slot,
    slot_type: SlotType,
    a: Analysis,
    eliciting: bool,
    used: set[tuple[int, int]],
) -> Resolved | None:
    for span in a.spans_of("s3"):
        key = (-1 - span.start, -1)
        if key not in used:
            used.add(key)
            return Resolved(span.raw, span.value)
    return None


def _instance(
    nlu: Nlu,
    intent: Intent,
    slot: Slot,
    slot_type: SlotType,
    a: Analysis,
    eliciting: bool,
    used: set[tuple[int, int]],
) -> Resolved | None:
    spans = a.spans_of("instance")
    if len(spans) > 1 and _CORRECTIONS.search(a.text[spans[0].end : spans[-1].start]):
        spans = [spans[-1]]  # "on ml.m5.large - no wait, ml.m5.xlarge"
    return Resolved(spans[0].raw, spans[0].value) if spans else None


def _time(
    nlu: Nlu,
    intent: Intent,
    slot: Slot,
    slot_type: SlotType,
    a: Analysis,
    eliciting: bool,
    used: set[tuple[int, int]],
) -> Resolved | None:
    spans = a.spans_of("time")
    return Resolved(spans[0].raw, spans[0].value) if spans else None


def _payload(
    nlu: Nlu,
    intent: Intent,
    slot: Slot,
    slot_type: SlotType,
    a: Analysis,
    eliciting: bool,
    used: set[tuple[int, int]],
) -> Resolved | None:
    spans = a.spans_of("json", "csv")
    if spans:
        return Resolved(spans[0].raw, spans[0].value)
    quoted = a.spans_of("quoted")
    if quoted:
        return Resolved(quoted[0].raw, quoted[0].value)
    if eliciting and a.text:
        return Resolved(a.text, a.text.strip("'\"` "))
    return None


_NAME_KEYWORDS = {
    "jobName": ("job", "run", "training"),
    "endpointName": ("endpoint",),
    "modelName": ("model",),
    "budgetName": ("budget",),
    "notebookName": ("notebook", "instance"),
    "appName": ("app",),
    "owner": ("space", "user", "of", "for"),
}
# Which kinds of resource (as the account's name resolver tells them) a name slot takes.
_KINDS = {
    "jobName": ("job",),
    "endpointName": ("endpoint",),
    "modelName": ("model", "job"),
    "budgetName": ("budget",),
}
_NAME_VERBS = (
    "deploy",
    "delete",
    "stop",
    "invoke",
    "check",
    "host",
    "ship",
    "serve",
    "remove",
    "decommission",
    "halt",
    "kill",
    "cancel",
    "abort",
    "terminate",
    "destroy",
    "test",
    "call",
    "query",
    "ping",
)


def _name(
    nlu: Nlu,
    intent: Intent,
    slot: Slot,
    slot_type: SlotType,
    a: Analysis,
    eliciting: bool,
    used: set[tuple[int, int]],
) -> Resolved | None:
    taken = {f for f, _ in used}

    def ok(i: int) -> bool:
        tok = a.tokens[i]
        return i not in taken and not tok.text.startswith("__") and tok.text not in _NOT_NAMES

    # A name in backticks or quotes (`churn-xgb-001`), or in an ARN or a console link of
    # the slot's kind of resource.
    for span in a.spans_of("name"):
        key = (-1 - span.start, -2)
        if key not in used and (not span.of or span.of in _KINDS.get(slot.name, ())):
            used.add(key)
            return Resolved(span.raw, span.value)
    # A token shaped like a resource name: fraud-detector-prod, churn_xgb_001.
    shaped = [i for i, t in enumerate(a.tokens) if ok(i) and nlu.is_name(t.raw)]
    keywords = _NAME_KEYWORDS.get(slot.name, ())
    if shaped:
        after_kw = [i for i in shaped if i > 0 and _stem(a.words[i - 1]) in keywords]
        after_verb = [i for i in shaped if i > 0 and nlu.lemma(a.words[i - 1]) in _NAME_VERBS]
        joined = [i for i in shaped if re.search(r"[-_]", a.tokens[i].raw)]
        known = [i for i in shaped if nlu.known_kind(a.tokens[i].raw) in _KINDS.get(slot.name, ())]
        i = (known or after_kw or after_verb or joined or shaped)[0]
        used.add((i, i))
        return Resolved(a.tokens[i].raw, a.tokens[i].raw)
    # "endpoint recsys", "the recsys endpoint", "named recsys", "deploy churnmodel".
    for i, tok in enumerate(a.tokens):
        if (
            not ok(i)
            or nlu.is_vocabulary(nlu.lemma(a.words[i]))
            or nlu.is_vocabulary(tok.text)
            or not re.fullmatch(r"[A-Za-z0-9][\w\-]*", tok.raw)
        ):
            continue
        # "the jobs looking": a word after a plural is not a name.
        prev = a.words[i - 1] if i > 0 else ""
        prev2 = a.words[i - 2] if i > 1 else ""
        nxt = a.words[i + 1] if i + 1 < len(a.words) else ""
        if (
            prev in keywords
            or prev in ("named", "called")
            or nxt in keywords
            or (prev in ("the", "a") and prev2 in keywords)
            or prev in _NAME_VERBS
        ):
            used.add((i, i))
            return Resolved(tok.raw, tok.raw)
    if eliciting and len(a.tokens) == 1 and re.fullmatch(r"[A-Za-z0-9][\w\-]*", a.tokens[0].raw):
        return Resolved(a.tokens[0].raw, a.tokens[0].raw)
    return None


_TEXT_TRIGGERS = {
    "TranslateText": r"(?:translate|translation of|how do (?:you|i) say|what(?:'s| is| does)|say|convert|render)",
    "AnalyzeSentiment": r"(?:sentiment (?:of|for|in|on)|tone of|mood of|analy[sz]e|sentiment analysis (?:of|on|for)|is)",
    "SynthesizeSpeech": r"(?:say|speak|pronounce|read(?: out| aloud)?|speech for|audio (?:clip )?of|convert)",
}


def _text(
    nlu: Nlu,
    intent: Intent,
    slot: Slot,
    slot_type: SlotType,
    a: Analysis,
    eliciting: bool,
    used: set[tuple[int, int]],
) -> Resolved | None:
    quoted = a.spans_of("quoted", "csv", "json")
    if quoted:
        return Resolved(quoted[0].raw, quoted[0].value)
    text = a.text
    if eliciting:
        value = text.strip(" '\"`")
        return Resolved(text, value) if value else None
    if ":" in text:
        after = text.split(":", 1)[1].strip()
        if after:
            return Resolved(after, after)
    trigger = _TEXT_TRIGGERS.get(intent.name)
    if not trigger:
        return None
    m = re.search(
        trigger + r"\s+(?:this|the (?:text|phrase|sentence|word|words)|that)?\s*(.+)$", text, re.I
    )
    if not m:
        return None
    value = m.group(1)
    if intent.name == "TranslateText":
        value = re.sub(r"\s+(?:to|into|in)\s+\S+(?:\s+please)?[?.!]?$", "", value, flags=re.I)
    elif intent.name == "SynthesizeSpeech":
        value = re.sub(
            r"\s+(?:with|using|as|in)\s+(?:the\s+)?(?:voice\s+)?\S+(?:'s)?(?:\s+voice)?[?.!]?$",
            "",
            value,
            flags=re.I,
        )
        value = re.sub(r"\s+(?:aloud|out loud)$", "", value, flags=re.I)
    elif intent.name == "AnalyzeSentiment":
        value = re.sub(
            r"\s+(?:positive or negative|positive|negative)[?.!]?$", "", value, flags=re.I
        )
    value = re.sub(r"\s+(?:for me|for us|please)$", "", value.strip(" ?.!"), flags=re.I)
    value = value.strip(" ?.!,")
    if not value or value.lower() in _NOT_TEXT:
        return None
    return Resolved(value, value)


# What a text slot is not: a pronoun or politeness where the text would be ("translate pls").
_NOT_TEXT = frozenset(
    ["this", "that", "it", "something", "for me", "please", "pls", "plz", "thanks", "thx", "asap"]
)


def _column(
    nlu: Nlu,
    intent: Intent,
    slot: Slot,
    slot_type: SlotType,
    a: Analysis,
    eliciting: bool,
    used: set[tuple[int, int]],
) -> Resolved | None:
    for span in a.spans_of("quoted", "name"):
        if re.fullmatch(r"[\w\-. ]{1,64}", span.value):
            return Resolved(span.raw, span.value)
    # The word after predict/target/label is the column; read where values are masked, so
    # that a file name ("labeled.csv") is never cut into one.
    m = re.search(
        r"\b(?:(?:predict(?:ing|s)?|column|forecast(?:ing)?|for\s+column)(?![\w.\-])|"
        r"(?:target|label)(?![\w.\-])(?:\s+column)?(?:\s+is\b|\s*=|\s*:)?)"
        r"\s*(?:the\s+)?(?:column\s+)?(?:whether\s+)?([A-Za-z_][\w\-.]*)",
        mask(a.text, a.spans),
        re.I,
    )
    if m and m.group(1).lower() not in _NOT_COLUMNS and not m.group(1).startswith("__"):
        return Resolved(m.group(1), m.group(1))
    # "/ml autopilot s3://bucket/data.csv churned", "autopilot on s3://x for p99_latency_ms":
    # the one word after the data set is the column.
    for span in a.spans_of("s3"):
        after = re.match(
            r"\s*(?:for\s+|on\s+|->\s*)?([A-Za-z_][\w\-.]*)\s*[?.!]?\s*$", a.text[span.end :]
        )
        if (
            after
            and after.group(1).lower() not in _NOT_COLUMNS
            and (not nlu.is_vocabulary(after.group(1)) or "_" in after.group(1))
        ):
            return Resolved(after.group(1), after.group(1))
    if eliciting and len(a.tokens) == 1:
        return Resolved(a.tokens[0].raw, a.tokens[0].raw)
    return None


# Words before "table" that are not a table's name ("the glue table", "that table").
_NOT_TABLES = frozenset(
    [
        "the", "a", "an", "this", "that", "these", "those", "my", "our", "your", "their",
        "same", "new", "whole", "full", "glue", "catalog", "catalogue", "data", "training",
        "test", "s3", "which", "what", "some", "any", "one", "it", "its", "lookup", "big",
        "on", "in", "from", "with", "to", "of", "for", "using", "at", "by", "into", "over",
    ]
)  # fmt: skip
_TABLE_NAME = re.compile(r"^[A-Za-z_][\w-]{0,254}(?:\.[A-Za-z_][\w-]{0,254})?$")
_FILE_ENDINGS = ("csv", "json", "jsonl", "parquet", "txt", "gz", "zip", "jpg", "png", "mp3", "wav")


def _dataset(
    nlu: Nlu,
    intent: Intent,
    slot: Slot,
    slot_type: SlotType,
    a: Analysis,
    eliciting: bool,
    used: set[tuple[int, int]],
) -> Resolved | None:
    """An s3:// URI; else a Glue catalog table: "the churn table", "table ml_data.churn",
    "ml_data.churn" (a database-dotted name), "the churn dataset"."""
    found = _s3(nlu, intent, slot, slot_type, a, eliciting, used)
    if found is not None:
        return found
    taken = {f for f, _ in used}
    words = [t.text for t in a.tokens]

    def table(i: int) -> Resolved | None:
        if i < 0 or i >= len(a.tokens) or i in taken:
            return None
        raw = a.tokens[i].raw
        if raw.lower() in _NOT_TABLES or raw.startswith("__") or not _TABLE_NAME.match(raw):
            return None
        used.add((i, i))
        return Resolved(raw, raw)

    for i, word in enumerate(words):
        if word in ("table", "dataset"):
            # "the churn table", "the churn dataset"; "table ml_data.churn"
            before = table(i - 1)
            if before is not None:
                return before
            if word == "table" or "." in (a.tokens[i + 1].raw if i + 1 < len(words) else ""):
                after = table(i + 1)
                if after is not None:
                    return after
    for i, token in enumerate(a.tokens):
        raw = token.raw
        if (
            "." in raw
            and i not in taken
            and _TABLE_NAME.match(raw)
            and raw.rsplit(".", 1)[-1].lower() not in _FILE_ENDINGS
            and not raw.lower().startswith(("ml.", "e.g", "i.e"))
        ):
            used.add((i, i))
            return Resolved(raw, raw)
    if eliciting and len(a.tokens) == 1:
        return table(0)
    return None


_WORDS_TOO = frozenset(["it", "hi", "en", "ar"])  # codes more often meant as words
_NOT_COLUMNS = frozenset(
    ["from", "on", "using", "with", "in", "the", "column", "a", "please", "pls", "thanks", "for"]
)

_READERS = {
    "enum": _enum,
    "s3": _s3,
    "instance_type": _instance,
    "time": _time,
    "payload": _payload,
    "name": _name,
    "text": _text,
    "column": _column,
    "dataset": _dataset,
}
