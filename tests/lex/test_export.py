"""The export is Lex V2's import layout, and every file has the API's own shapes."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import botocore.session
import pytest
from botocore.validate import ParamValidator

from lex.definition import load_definition
from lex.export import archive_bytes

SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec" / "intents.md"
CATALOG = {
    "StartTraining": {"algorithm", "dataset", "instanceType"},
    "TrainingStatus": {"jobName"},
    "StopTraining": {"jobName"},
    "StartAutopilot": {"dataset", "target"},
    "ListJobs": {"jobKind"},
    "EndpointHealth": {"endpointName"},
    "DeployModel": {"modelName", "instanceType"},
    "DeleteEndpoint": {"endpointName"},
    "InvokeEndpoint": {"endpointName", "payload"},
    "DetectLabels": {"imageUri"},
    "AnalyzeSentiment": {"text"},
    "TranslateText": {"text", "targetLanguage"},
    "SynthesizeSpeech": {"text", "voice"},
    "TranscribeAudio": {"audioUri"},
    "CostReport": {"period", "service"},
    "BudgetStatus": {"budgetName"},
    "MonitorSummary": {"endpointName"},
    "IdleResources": set(),
    "ScheduleReport": {"report", "frequency", "time", "day"},
    "ListSchedules": set(),
    "CancelSchedule": {"report"},
    "Help": {"topic"},
    "AuditLog": set(),
    "FallbackIntent": set(),
}
MUTATING = {
    "StartTraining",
    "StopTraining",
    "StartAutopilot",
    "DeployModel",
    "DeleteEndpoint",
    "ScheduleReport",
    "CancelSchedule",
    "TranscribeAudio",  # uploads to S3 and starts a billable job: a card first
}
# Intents added to the shared catalog (acting on the idle-resources report's findings).
CATALOG |= {"StopNotebook": {"notebookName"}, "DeleteStudioApp": {"appName", "owner"}}
MUTATING |= {"StopNotebook", "DeleteStudioApp"}


@pytest.fixture(scope="module")
def files() -> dict[str, dict]:
    archive = zipfile.ZipFile(io.BytesIO(archive_bytes(load_definition())))
    return {name: json.loads(archive.read(name)) for name in archive.namelist()}


def test_layout(files: dict[str, dict]) -> None:
    assert files["Manifest.json"] == {
        "metaData": {"schemaVersion": "1", "fileFormat": "LexJson", "resourceType": "BOT"}
    }
    base = "MLOpsAssistant/BotLocales/en_US"
    assert "MLOpsAssistant/Bot.json" in files and f"{base}/BotLocale.json" in files
    intents = {
        p.split("/")[4]
        for p in files
        if p.startswith(f"{base}/Intents/") and p.endswith("Intent.json")
    }
    assert intents == set(CATALOG)
    for intent, slots in CATALOG.items():
        found = {p.split("/")[6] for p in files if p.startswith(f"{base}/Intents/{intent}/Slots/")}
        assert found == slots, intent
    for path, doc in files.items():
        if path.endswith("Slot.json"):
            slot_type = doc["slotTypeName"]
            assert (
                slot_type.startswith("AMAZON.")
                or f"{base}/SlotTypes/{slot_type}/SlotType.json" in files
            )


def test_intents_have_utterances_confirmations_and_known_slots(files: dict[str, dict]) -> None:
    for path, doc in files.items():
        if not path.endswith("Intent.json"):
            continue
        name = doc["name"]
        if name == "FallbackIntent":
            assert doc["parentIntentSignature"] == "AMAZON.FallbackIntent"
            continue
        utterances = [u["utterance"] for u in doc["sampleUtterances"]]
        assert len(utterances) >= 15, name
        for u in utterances:
            assert set(re.findall(r"\{(\w+)\}", u)) <= CATALOG[name]
        assert (doc["intentConfirmationSetting"] is not None) == (name in MUTATING), name


def test_canonical_values_are_the_catalog_values(files: dict[str, dict]) -> None:
    base = "MLOpsAssistant/BotLocales/en_US/SlotTypes"

    def values(t):
        return {
            v["sampleValue"]["value"] for v in files[f"{base}/{t}/SlotType.json"]["slotTypeValues"]
        }

    assert values("AlgorithmName") == {
        "linear-learner",
        "xgboost",
        "kmeans",
        "knn",
        "pca",
        "random-cut-forest",
        "factorization-machines",
        "blazingtext",
        "image-classification",
        "object-detection",
        "deepar",
    }
    # Language codes are not words Lex should match ("it", "hi"): it is given the names,
    # and the router maps what it matched back to the catalog's code.
    languages = values("LanguageName")
    assert not languages & {"it", "hi", "de", "en"} and {"german", "italian", "hindi"} <= languages
    from lex.runtime import Understanding, canonical_slots

    definition = load_definition()
    for said, code in (("german", "de"), ("Italian", "it"), ("hindi", "hi"), ("deutsch", "de")):
        u = Understanding("TranslateText", {"text": "hi", "targetLanguage": said}, source="lex")
        assert canonical_slots(definition, u).slots["targetLanguage"] == code
    assert values("CostPeriod") == {
        "today",
        "yesterday",
        "this_week",
        "last_week",
        "this_month",
        "last_month",
    }
    assert values("ReportFrequency") == {"hourly", "daily", "weekly"}


def _validate(operation: str, params: dict) -> None:
    model = botocore.session.get_session().get_service_model("lexv2-models")
    report = ParamValidator().validate(params, model.operation_model(operation).input_shape)
    assert not report.has_errors(), report.generate_report()


def _api(doc: dict, drop: tuple[str, ...]) -> dict:
    """Import-format JSON -> API parameters: no nulls, and the API's member names and enum
    spellings (the import format says messageGroupsList, isActive and TOP_RESOLUTION where
    boto3 says messageGroups, active and TopResolution)."""
    names = {"messageGroupsList": "messageGroups", "isActive": "active"}
    enums = {"TOP_RESOLUTION": "TopResolution", "ORIGINAL_VALUE": "OriginalValue"}

    def convert(value: object) -> object:
        if isinstance(value, dict):
            return {names.get(k, k): convert(v) for k, v in value.items() if v is not None}
        if isinstance(value, list):
            return [convert(v) for v in value]
        return enums.get(value, value) if isinstance(value, str) else value

    return convert({k: v for k, v in doc.items() if k not in drop})  # type: ignore[return-value]


def test_every_file_has_the_shapes_of_the_lex_v2_api(files: dict[str, dict]) -> None:
    ids = {"botId": "BOT1234567", "botVersion": "DRAFT", "localeId": "en_US"}
    for path, doc in files.items():
        if path.endswith("Intent.json"):
            # UpdateIntent is CreateIntent plus slotPriorities: the export's full shape. The
            # import format names slots where the API uses their ids.
            params = _api(doc, ("name", "identifier", "version"))
            if "slotPriorities" in params:
                params["slotPriorities"] = [
                    {"priority": p["priority"], "slotId": p["slotName"][:10].upper().ljust(10, "X")}
                    for p in params["slotPriorities"]
                ]
            _validate(
                "UpdateIntent",
                {**params, **ids, "intentName": doc["name"], "intentId": doc["identifier"]},
            )
        elif path.endswith("Slot.json"):
            params = _api(doc, ("name", "identifier", "slotTypeName"))
            _validate(
                "CreateSlot",
                {
                    **params,
                    **ids,
                    "slotName": doc["name"],
                    "intentId": "INTENT1234",
                    "slotTypeId": doc["slotTypeName"],
                },
            )
        elif path.endswith("SlotType.json"):
            params = _api(doc, ("name", "identifier"))
            _validate("CreateSlotType", {**params, **ids, "slotTypeName": doc["name"]})
        elif path.endswith("BotLocale.json"):
            _validate(
                "CreateBotLocale",
                {
                    "botId": "BOT1234567",
                    "botVersion": "DRAFT",
                    "localeId": doc["identifier"],
                    "nluIntentConfidenceThreshold": doc["nluConfidenceThreshold"],
                    "voiceSettings": doc["voiceSettings"],
                    "description": doc["description"],
                },
            )


def test_archive_is_reproducible_and_written_by_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    assert archive_bytes(load_definition()) == archive_bytes(load_definition())
    out = tmp_path / "bot.zip"
    assert main(["lex", "export", "-o", str(out)]) == 0
    assert out.read_bytes() == archive_bytes(load_definition())
    assert f"{len(CATALOG)} intents" in capsys.readouterr().out


def test_free_form_values_use_a_pattern_or_a_built_in_type(files: dict[str, dict]) -> None:
    base = "MLOpsAssistant/BotLocales/en_US"
    instance = files[f"{base}/SlotTypes/InstanceType/SlotType.json"]
    assert instance["parentSlotTypeSignature"] == "AMAZON.AlphaNumeric"
    pattern = instance["valueSelectionSetting"]["regexFilter"]["pattern"]
    # Lex's rules for regexFilter: letters, digits, \\uXXXX escapes; no wildcard or unbounded repeat
    assert "." not in pattern and "*" not in pattern and "+" not in pattern and len(pattern) <= 100
    import re as _re

    python_form = pattern.replace("\\u002E", r"\.")
    # The forms the local reader takes, and the same canonical value from both runtimes.
    from lex.nlu import Nlu
    from lex.runtime import Understanding, canonical_slots

    definition = load_definition()
    nlu = Nlu(definition)
    for value in (
        "ml.m5.xlarge",
        "ml.g4dn.12xlarge",
        "ml.p3.2xlarge",
        "m5.xlarge",
        "ML.C5.2XLARGE",
    ):
        assert _re.fullmatch(python_form, value), value
        lex = Understanding("DeployModel", {"modelName": "m", "instanceType": value}, source="lex")
        local = nlu.parse(f"deploy model churn-model-v3 on {value}")
        expected = "ml." + value.lower().removeprefix("ml.")
        assert canonical_slots(definition, lex).slots["instanceType"] == expected
        assert local.slots["instanceType"].interpreted == expected
    assert not _re.fullmatch(python_form, "m5 xlarge")
    time_slot = files[f"{base}/Intents/ScheduleReport/Slots/time/Slot.json"]
    assert time_slot["slotTypeName"] == "AMAZON.Time"


FIXTURE = Path(__file__).parent / "fixtures" / "lex-helper"


def _fixture(path: str) -> dict:
    return json.loads((FIXTURE / path).read_text())


def _kind(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def test_the_archive_is_laid_out_and_spelled_as_lex_exports_it(files: dict[str, dict]) -> None:
    """Compared with a bot Lex V2 itself exported (tests/lex/fixtures/README.md)."""
    real = {p.relative_to(FIXTURE).as_posix() for p in FIXTURE.rglob("*.json")}
    # File names: the same names at the same depths, bot name and locale aside.
    pattern = re.compile(
        r"^(Manifest\.json|[^/]+/Bot\.json|[^/]+/BotLocales/[a-z]{2}_[A-Z]{2}/BotLocale\.json|"
        r"[^/]+/BotLocales/[a-z]{2}_[A-Z]{2}/(Intents/[^/]+/Intent\.json|"
        r"Intents/[^/]+/Slots/[^/]+/Slot\.json|SlotTypes/[^/]+/SlotType\.json))$"
    )
    assert all(pattern.match(p) for p in real) and all(pattern.match(p) for p in files)
    assert files["Manifest.json"] == _fixture("Manifest.json")
    by_kind = {_kind(p): _fixture(p) for p in real}

    def keys_within(ours: object, theirs: object, where: str) -> None:
        # Every key we write is one Lex writes at the same place (Lex writes more).
        if isinstance(ours, dict) and isinstance(theirs, dict):
            assert set(ours) <= set(theirs), (where, set(ours) - set(theirs))
            for key in set(ours) & set(theirs):
                keys_within(ours[key], theirs[key], f"{where}.{key}")
        elif isinstance(ours, list) and isinstance(theirs, list) and ours and theirs:
            keys_within(ours[0], theirs[0], f"{where}[0]")

    for path, doc in files.items():
        if _kind(path) in by_kind and _kind(path) != "Manifest.json":
            keys_within(doc, by_kind[_kind(path)], path)
    intents = [d for p, d in files.items() if p.endswith("Intent.json")]
    assert all("version" not in d for d in intents) and "version" not in by_kind["Intent.json"]
    confirmations = [
        d["intentConfirmationSetting"] for d in intents if d["intentConfirmationSetting"]
    ]
    assert confirmations and all(c["isActive"] is True and "active" not in c for c in confirmations)
    real_strategy = by_kind["SlotType.json"]["valueSelectionSetting"]["resolutionStrategy"]
    strategies = {
        d["valueSelectionSetting"]["resolutionStrategy"]
        for p, d in files.items()
        if p.endswith("SlotType.json")
    }
    assert real_strategy == "TOP_RESOLUTION" and strategies == {"TOP_RESOLUTION", "ORIGINAL_VALUE"}


def test_both_runtimes_ask_the_same_questions_of_a_weekly_schedule() -> None:
    """Required slots that only the local runtime could derive would make Lex ask "how
    often?" for "every monday": frequency is optional, and the handler derives it."""
    definition = load_definition()
    schedule = definition.intents["ScheduleReport"]
    assert [s.name for s in schedule.required_slots] == ["report"]
    from lex.local import LocalLexRuntime

    response = LocalLexRuntime(definition).recognize_text(
        sessionId="s1", text="post the cost report every monday at 9am"
    )
    assert response["sessionState"]["dialogAction"]["type"] == "ConfirmIntent"
