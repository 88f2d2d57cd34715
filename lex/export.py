"""`chatops lex export`: the bot definition as a Lex V2 import archive.

Layout (Lex V2's JSON import/export format)::

    Manifest.json
    <BotName>/Bot.json
    <BotName>/BotLocales/en_US/BotLocale.json
    <BotName>/BotLocales/en_US/Intents/<Intent>/Intent.json
    <BotName>/BotLocales/en_US/Intents/<Intent>/Slots/<slot>/Slot.json
    <BotName>/BotLocales/en_US/SlotTypes/<SlotType>/SlotType.json

File names, keys and enum spellings are those Lex writes when it exports a bot
(``Manifest.json`` with ``metaData``, ``TOP_RESOLUTION``, ``isActive``; intents carry
no version); ``tests/lex/fixtures`` keeps a real export to compare with. The archive
is byte-for-byte reproducible: the same definition gives the same zip.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from lex.definition import BotDefinition, Intent, Slot, SlotType

LOCALE_NAMES = {"en_US": "English (US)", "en_GB": "English (GB)"}
# The definition says TopResolution / OriginalValue (the API's spelling); exports spell them so.
RESOLUTION = {"TopResolution": "TOP_RESOLUTION", "OriginalValue": "ORIGINAL_VALUE"}
MANIFEST = {"metaData": {"schemaVersion": "1", "fileFormat": "LexJson", "resourceType": "BOT"}}
_FIXED_TIME = (2026, 1, 1, 0, 0, 0)  # zip entry timestamps, for reproducible archives


def identifier(*parts: str) -> str:
    """A stable 10-character Lex-style id ([0-9A-Z]) derived from names."""
    digest = int(hashlib.sha256("/".join(parts).encode()).hexdigest(), 16)
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = []
    for _ in range(10):
        digest, index = divmod(digest, len(alphabet))
        out.append(alphabet[index])
    return "".join(out)


def _messages(text: str) -> list[dict[str, Any]]:
    return [
        {
            "message": {
                "plainTextMessage": {"value": text},
                "ssmlMessage": None,
                "customPayload": None,
                "imageResponseCard": None,
            },
            "variations": None,
        }
    ]


def bot_json(d: BotDefinition) -> dict[str, Any]:
    return {
        "name": d.name,
        "identifier": identifier(d.name),
        "version": "DRAFT",
        "description": d.description,
        "dataPrivacy": {"childDirected": False},
        "idleSessionTTLInSeconds": d.idle_session_ttl_seconds,
    }


def locale_json(d: BotDefinition) -> dict[str, Any]:
    return {
        "name": LOCALE_NAMES.get(d.locale, d.locale),
        "identifier": d.locale,
        "version": None,
        "description": f"{d.name} in {LOCALE_NAMES.get(d.locale, d.locale)}",
        "voiceSettings": {"voiceId": d.voice, "engine": "neural"},
        "nluConfidenceThreshold": d.nlu_confidence_threshold,
    }


def intent_json(d: BotDefinition, intent: Intent) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": intent.name,
        "identifier": identifier(d.name, intent.name),
        "description": intent.description,
        "parentIntentSignature": intent.parent,
        "sampleUtterances": [{"utterance": u} for u in intent.utterances] or None,
        "intentConfirmationSetting": None,
        "intentClosingSetting": None,
        "inputContexts": None,
        "outputContexts": None,
        "kendraConfiguration": None,
        "dialogCodeHook": None,
        "fulfillmentCodeHook": None,
        "slotPriorities": [
            {"priority": i + 1, "slotName": s.name} for i, s in enumerate(intent.slots)
        ]
        or None,
    }
    if intent.confirmation:
        data["intentConfirmationSetting"] = {
            "promptSpecification": {
                "messageGroupsList": _messages(intent.confirmation),
                "maxRetries": 2,
                "allowInterrupt": True,
                "messageSelectionStrategy": "Ordered",
            },
            "declinationResponse": {
                "messageGroupsList": _messages(intent.declination or "OK, cancelled."),
                "allowInterrupt": False,
            },
            "isActive": True,
        }
    return data


def slot_json(d: BotDefinition, intent: Intent, slot: Slot) -> dict[str, Any]:
    return {
        "name": slot.name,
        "identifier": identifier(d.name, intent.name, slot.name),
        "description": f"{slot.name} of {intent.name}",
        "slotTypeName": slot.type,
        "obfuscationSetting": {"obfuscationSettingType": "None"},
        "multipleValuesSetting": {"allowMultipleValues": False},
        "valueElicitationSetting": {
            "slotConstraint": "Required" if slot.required else "Optional",
            "promptSpecification": {
                "messageGroupsList": _messages(slot.prompt),
                "maxRetries": 2,
                "allowInterrupt": True,
                "messageSelectionStrategy": "Ordered",
            },
            "sampleUtterances": None,
            "defaultValueSpecification": None,
            "waitAndContinueSpecification": None,
        },
    }


def slot_type_json(d: BotDefinition, slot_type: SlotType) -> dict[str, Any]:
    return {
        "name": slot_type.name,
        "identifier": identifier(d.name, slot_type.name),
        "description": slot_type.description,
        "slotTypeValues": [
            {"sampleValue": {"value": sample}, "synonyms": [{"value": s} for s in synonyms] or None}
            for sample, synonyms in _said_values(slot_type)
        ]
        or None,
        "parentSlotTypeSignature": slot_type.parent,
        "valueSelectionSetting": {
            "resolutionStrategy": RESOLUTION[slot_type.resolution],
            "regexFilter": {"pattern": slot_type.regex} if slot_type.regex else None,
            "advancedRecognitionSetting": {
                "audioRecognitionStrategy": "UseSlotValuesAsCustomVocabulary"
            },
        },
    }


def _said_values(slot_type: SlotType) -> list[tuple[str, tuple[str, ...]]]:
    """(sample value, synonyms) as Lex should match them. Values that are not said as
    such (language codes: "it", "hi") are not offered to Lex as words: the first synonym
    stands in for them, and :func:`lex.runtime.canonical_slots` maps it back."""
    if slot_type.match_values:
        return [(v.value, v.synonyms) for v in slot_type.values]
    return [(v.synonyms[0], v.synonyms[1:]) for v in slot_type.values if v.synonyms]


def archive_files(d: BotDefinition) -> dict[str, dict[str, Any]]:
    """Every file of the archive: path -> JSON document."""
    base = f"{d.name}/BotLocales/{d.locale}"
    files: dict[str, dict[str, Any]] = {
        "Manifest.json": MANIFEST,
        f"{d.name}/Bot.json": bot_json(d),
        f"{base}/BotLocale.json": locale_json(d),
    }
    for intent in d.intents.values():
        files[f"{base}/Intents/{intent.name}/Intent.json"] = intent_json(d, intent)
        for slot in intent.slots:
            files[f"{base}/Intents/{intent.name}/Slots/{slot.name}/Slot.json"] = slot_json(
                d, intent, slot
            )
    for slot_type in d.slot_types.values():
        files[f"{base}/SlotTypes/{slot_type.name}/SlotType.json"] = slot_type_json(d, slot_type)
    return files


def archive_bytes(d: BotDefinition) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, document in sorted(archive_files(d).items()):
            info = zipfile.ZipInfo(path, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return buffer.getvalue()


def write_archive(d: BotDefinition, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(archive_bytes(d))
    return path
