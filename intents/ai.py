"""AI service demos: Rekognition, Comprehend, Translate, Polly, Transcribe."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeGuard, TypeVar
from urllib.parse import urlparse

from botocore.exceptions import ClientError

from intents.aws import error_code, summarize
from intents.base import Approved, Attachment, Progress, Request, unquote
from intents.errors import InvalidInput, NotFound, UserError
from intents.guardrails import check_bucket, parse_s3, require_dataset
from intents.registry import Router
from intents.reply import (
    Block,
    Context,
    FileOut,
    Header,
    Md,
    Proposal,
    Reply,
    Section,
    bold,
    code,
    fields,
    italic,
    lines,
    md,
    shorten,
)
from intents.resources import job_name

if TYPE_CHECKING:
    from types_boto3_comprehend.literals import LanguageCodeType
    from types_boto3_polly.literals import VoiceIdType
    from types_boto3_rekognition.type_defs import FaceDetailTypeDef, ImageTypeDef

    from intents.deps import Deps

router = Router("ai")
R = TypeVar("R")

LANGUAGE_NAMES = {
    "de": "German",
    "es": "Spanish",
    "fr": "French",
    "it": "Italian",
    "pt": "Portuguese",
    "ja": "Japanese",
    "zh": "Chinese",
    "ko": "Korean",
    "ar": "Arabic",
    "hi": "Hindi",
    "ru": "Russian",
    "nl": "Dutch",
    "en": "English",
}
# Typed with the services' own names, so mypy checks each is one they accept.
SENTIMENT_LANGUAGES: set[LanguageCodeType] = {
    "en",
    "es",
    "fr",
    "de",
    "it",
    "pt",
    "ar",
    "hi",
    "ja",
    "ko",
    "zh",
    "zh-TW",
}
VOICES: set[VoiceIdType] = {
    "Joanna",
    "Matthew",
    "Amy",
    "Brian",
    "Emma",
    "Ivy",
    "Justin",
    "Kendra",
    "Kimberly",
    "Salli",
    "Joey",
}
MAX_IMAGE_BYTES = 5 * 1024 * 1024  # Rekognition's limit for image bytes
MAX_AUDIO_BYTES = 100 * 1024 * 1024
AUDIO_FORMATS = {"mp3", "mp4", "wav", "flac", "ogg", "amr", "webm", "m4a"}


def _reads_sentiment(language: str) -> TypeGuard[LanguageCodeType]:
    return language in SENTIMENT_LANGUAGES


def _known_voice(voice: str) -> TypeGuard[VoiceIdType]:
    return voice in VOICES


def _text(request: Request, limit: int, what: str) -> str:
    text = unquote(request.slot("text") or "")
    if not text:
        raise InvalidInput(
            f"There is no text to {what}.", hint='Put it in quotes, e.g. "good morning".'
        )
    if len(text.encode("utf-8")) > limit:
        raise InvalidInput(
            f"That text is too long to {what} here ({len(text):,} characters).",
            hint=f"Send at most {limit:,} bytes.",
        )
    return text


IMAGE_TYPES = {"image/jpeg": "JPEG", "image/jpg": "JPEG", "image/png": "PNG"}
_KIND_NAMES = {
    "application/pdf": "a PDF",
    "image/gif": "a GIF image",
    "image/webp": "a WebP image",
    "image/heic": "a HEIC image",
    "image/tiff": "a TIFF image",
    "image/svg+xml": "an SVG drawing",
}
_IMAGE_ENDINGS = (".jpg", ".jpeg", ".png")


def _what(file: Attachment) -> str:
    return _KIND_NAMES.get(file.mimetype) or (
        f"a {file.mimetype} file" if file.mimetype else "a file of unknown type"
    )


def _attached(
    request: Request, deps: Deps, kind: str, limit: int
) -> tuple[Attachment, bytes] | None:
    files = [f for f in request.files if f.mimetype.startswith(kind + "/")]
    if not files:
        return None
    if deps.fetch_file is None:
        raise InvalidInput("I can't read attachments here.", hint="Give me an S3 URI instead.")
    file = files[0]
    if file.size > limit:
        raise InvalidInput(
            f"{file.name} is {file.size / 1_048_576:.1f} MB; I can take up to "
            f"{limit / 1_048_576:.0f} MB."
        )
    return file, deps.fetch_file(file, limit)


def _image(request: Request, deps: Deps) -> tuple[ImageTypeDef, str]:
    """The image to look at, checked before any call: in S3 (an allowed bucket, a JPEG or
    PNG), or attached (a JPEG or PNG under 5 MB, that really is one)."""
    uri = request.slot("imageUri")
    if uri:
        location = parse_s3(uri, "image", key="object")
        check_bucket(location, deps.settings, "images")
        if not location.key.lower().endswith(_IMAGE_ENDINGS):
            raise InvalidInput(
                f"{uri} is not a JPEG or PNG image, the only kinds Rekognition reads.",
                hint="Give me a .jpg or .png file.",
            )
        require_dataset(deps.aws.s3, location)
        return {"S3Object": {"Bucket": location.bucket, "Name": location.key}}, uri
    if request.files and not any(f.mimetype in IMAGE_TYPES for f in request.files):
        other = request.files[0]
        raise InvalidInput(
            f"{other.name} is {_what(other)}; Rekognition reads JPEG and PNG images.",
            hint="Attach a .jpg or .png (a page of a PDF can be saved as one).",
        )
    attached = _attached(request, deps, "image", MAX_IMAGE_BYTES)
    if attached is None:
        raise InvalidInput("Which image?", hint="Attach one to your message or give me its S3 URI.")
    file, data = attached
    if not data.startswith((b"\xff\xd8", b"\x89PNG")):
        raise InvalidInput(
            f"{file.name} says it is an image but is not a JPEG or PNG.",
            hint="Attach the picture itself, as a .jpg or .png.",
        )
    return {"Bytes": data}, file.name


def _rekognition(call: Callable[[], R], source: str) -> R:
    try:
        return call()
    except ClientError as exc:
        if error_code(exc) in (
            "InvalidImageFormatException",
            "ImageTooLargeException",
            "InvalidS3ObjectException",
        ):
            raise InvalidInput(
                f"Rekognition can't read {source} ({summarize(exc)}).",
                hint="Use a JPEG or PNG under 5 MB (15 MB from S3).",
            ) from None
        raise


def _face(face: FaceDetailTypeDef) -> str:
    """What can be seen of a face, never who it is."""
    parts = []
    age = face.get("AgeRange")
    if age:
        parts.append(f"about {age.get('Low', '?')}–{age.get('High', '?')} years old")
    for value, word in (
        (face.get("Smile"), "smiling"),
        (face.get("Eyeglasses"), "glasses"),
        (face.get("Sunglasses"), "sunglasses"),
    ):
        if value and value.get("Value") and value.get("Confidence", 0) >= 80:
            parts.append(word)
    emotions = sorted(face.get("Emotions", []), key=lambda e: -e.get("Confidence", 0))
    if emotions and emotions[0].get("Confidence", 0) >= 60:
        parts.append(f"looks {str(emotions[0].get('Type', '')).lower()}")
    return ", ".join(parts) or "no clear attributes"


@router.intent("DetectLabels")
def detect_labels(request: Request, deps: Deps) -> Reply:
    """Objects, scenes, text, faces (how many, and how they look: never who) and unsafe content in an image (attached, or in S3), with Rekognition."""
    image, source = _image(request, deps)
    rekognition = deps.aws.rekognition
    labels = _rekognition(
        lambda: rekognition.detect_labels(Image=image, MaxLabels=12, MinConfidence=70), source
    ).get("Labels", [])
    words = [
        t["DetectedText"]
        for t in _rekognition(lambda: rekognition.detect_text(Image=image), source).get(
            "TextDetections", []
        )
        if t.get("Type") == "LINE" and t.get("Confidence", 0) >= 80 and t.get("DetectedText")
    ]
    faces = _rekognition(
        lambda: rekognition.detect_faces(Image=image, Attributes=["ALL"]), source
    ).get("FaceDetails", [])
    unsafe = _rekognition(
        lambda: rekognition.detect_moderation_labels(Image=image, MinConfidence=60), source
    ).get("ModerationLabels", [])
    blocks: list[Block] = [Section(md("In {s}:", s=source))]
    if labels:
        rows = [
            md(
                "{n} {c}{p}",
                n=bold(label["Name"]),
                c=f"{label.get('Confidence', 0):.0f}%",
                p=md(" ({x})", x=", ".join(p["Name"] for p in label.get("Parents", [])))
                if label.get("Parents")
                else md(""),
            )
            for label in labels
        ]
        blocks.append(Section(lines(*rows)))
    else:
        blocks.append(Section(md("No objects or scenes I'm at least 70% sure of.")))
    if words:
        blocks.append(
            Section(md("*Text in the image:* {t}", t=" · ".join(f"“{w}”" for w in words[:10])))
        )
    if faces:
        rows = [md("{i}. {d}", i=i + 1, d=_face(f)) for i, f in enumerate(faces[:5])]
        more = md(" (the first 5 described)") if len(faces) > 5 else md("")
        blocks.append(Section(lines(md("*Faces:* {n}{m}", n=len(faces), m=more), *rows)))
    if unsafe:
        blocks.append(
            Section(
                md(
                    ":warning: *Possibly unsafe content:* {u}",
                    u=", ".join(
                        f"{u.get('Name')} ({u.get('Confidence', 0):.0f}%)" for u in unsafe[:6]
                    ),
                )
            )
        )
    note = md(
        "Amazon Rekognition: labels (70% or more), text, faces (how many and how they look; "
        "no one is identified), moderation labels{n}",
        n=md(" · {s}", s="unsafe content: none found") if not unsafe else md(""),
    )
    if deps.sandbox:
        note = note + md(
            " · _Offline sandbox: a local stand-in answers for Rekognition; it knows the demo "
            "images and does not really look at others._"
        )
    blocks.append(Context(note))
    summary = "Labels: " + (", ".join(label["Name"] for label in labels[:6]) or "none")
    if words:
        summary += f"; text: {' '.join(words[:3])}"[:120]
    if faces:
        summary += f"; {len(faces)} face{'s' if len(faces) != 1 else ''}"
    return Reply(summary=summary, blocks=tuple(blocks))


# Comprehend reads entities, key phrases and personal data in fewer languages than sentiment.
PII_LANGUAGES: set[LanguageCodeType] = {"en", "es"}


def _redact(text: str, spans: list[tuple[int, int, str]]) -> str:
    """*text* with each personal-data span replaced by its kind: 'call me at [PHONE]'."""
    out, pos = [], 0
    for begin, end, kind in sorted(spans):
        if begin < pos:
            continue
        out += [text[pos:begin], f"[{kind}]"]
        pos = end
    return "".join(out) + text[pos:]


def _hidden(begin: int, end: int, spans: list[tuple[int, int, str]]) -> bool:
    return any(begin < e and end > b for b, e, _ in spans)


@router.intent("AnalyzeSentiment")
def analyze_sentiment(request: Request, deps: Deps) -> Reply:
    """Whether a text is positive, negative, neutral or mixed, its language, entities and key phrases, with Comprehend; personal data is found and hidden."""
    text = _text(request, 5000, "analyse")
    comprehend = deps.aws.comprehend
    languages = comprehend.detect_dominant_language(Text=text).get("Languages", [])
    language = languages[0]["LanguageCode"] if languages else "en"
    language_score = float(languages[0].get("Score", 0.0)) if languages else 0.0
    if not _reads_sentiment(language):
        raise UserError(
            f"Comprehend can't read sentiment in that language ({language}).",
            hint="It reads English, Spanish, French, German, Italian, Portuguese and a few more.",
        )
    # Personal data first: nothing it finds is shown, in the text or in what else is found.
    pii: list[tuple[int, int, str]] = []
    if language in PII_LANGUAGES:
        pii = [
            (int(e.get("BeginOffset", 0)), int(e.get("EndOffset", 0)), str(e.get("Type", "PII")))
            for e in comprehend.detect_pii_entities(Text=text, LanguageCode=language).get(
                "Entities", []
            )
            if e.get("Score", 0) >= 0.5
        ]
    shown = _redact(text, pii)
    result = comprehend.detect_sentiment(Text=text, LanguageCode=language)
    entities = [
        e
        for e in comprehend.detect_entities(Text=text, LanguageCode=language).get("Entities", [])
        if e.get("Score", 0) >= 0.5
        and not _hidden(e.get("BeginOffset", 0), e.get("EndOffset", 0), pii)
    ]
    phrases = [
        p["Text"]
        for p in comprehend.detect_key_phrases(Text=text, LanguageCode=language).get(
            "KeyPhrases", []
        )
        if p.get("Text") and not _hidden(p.get("BeginOffset", 0), p.get("EndOffset", 0), pii)
    ]
    sentiment = result["Sentiment"].capitalize()
    scores = result.get("SentimentScore", {})
    icon = {
        "Positive": ":slightly_smiling_face:",
        "Negative": ":slightly_frowning_face:",
        "Neutral": ":neutral_face:",
        "Mixed": ":thinking_face:",
    }.get(sentiment, "")
    confidence = scores.get(sentiment, 0.0)
    blocks: list[Block] = [
        Section(
            md(
                "{i} {s} ({c:.0%}) for {t}",
                i=md(icon) if icon else md(""),
                s=bold(sentiment),
                c=confidence,
                t=italic(shown[:300]),
            )
        ),
        Section(fields=fields({k: f"{v:.1%}" for k, v in scores.items()})),
    ]
    found: list[Md] = []
    if entities:
        found.append(
            md(
                "*Entities:* {e}",
                e=", ".join(
                    f"{e.get('Text')} ({str(e.get('Type', '')).lower().replace('_', ' ')})"
                    for e in entities[:8]
                ),
            )
        )
    if phrases:
        found.append(md("*Key phrases:* {p}", p=", ".join(phrases[:8])))
    if pii:
        kinds: dict[str, int] = {}
        for _b, _e, kind in pii:
            kinds[kind] = kinds.get(kind, 0) + 1
        found.append(
            md(
                ":lock: *Personal data, hidden here:* {k}",
                k=", ".join(
                    f"{n} × {k.lower().replace('_', ' ')}" for k, n in sorted(kinds.items())
                ),
            )
        )
    if found:
        blocks.append(Section(lines(*found)))
    blocks.append(
        Context(
            md(
                "Amazon Comprehend · language {lang} ({p:.0%}){x}",
                lang=LANGUAGE_NAMES.get(language, language),
                p=language_score,
                x=md("")
                if language in PII_LANGUAGES
                else md(" · personal data is found only in English and Spanish"),
            )
        )
    )
    return Reply(summary=f"{sentiment} ({confidence:.0%})", blocks=tuple(blocks))


@router.intent("TranslateText")
def translate_text(request: Request, deps: Deps) -> Reply:
    """Translate a text with Amazon Translate."""
    text = _text(request, 10_000, "translate")
    target = request.slot("targetLanguage") or ""
    if target not in LANGUAGE_NAMES:
        raise InvalidInput(
            f"I can't translate into {target or 'that language'}.",
            hint="I know: " + ", ".join(sorted(LANGUAGE_NAMES.values())) + ".",
        )
    result = deps.aws.translate.translate_text(
        Text=text, SourceLanguageCode="auto", TargetLanguageCode=target
    )
    source = result.get("SourceLanguageCode", "?")
    note = md("Amazon Translate, from {s}", s=LANGUAGE_NAMES.get(source, source))
    return Reply(
        summary=result["TranslatedText"][:200],
        blocks=(
            Section(md("{l}: {t}", l=bold(LANGUAGE_NAMES[target]), t=result["TranslatedText"])),
            Context(note + md(" · ") + SANDBOX_TRANSLATE if deps.sandbox else note),
        ),
    )


@router.intent("SynthesizeSpeech")
def synthesize_speech(request: Request, deps: Deps) -> Reply:
    """Turn a text into speech with Polly and post the audio."""
    text = _text(request, 3000, "say")
    voice = request.slot("voice") or "Joanna"
    if not _known_voice(voice):
        raise InvalidInput(
            f"I don't know the voice {voice!r}.", hint="Try " + ", ".join(sorted(VOICES)) + "."
        )
    polly = deps.aws.polly
    try:
        audio = polly.synthesize_speech(
            Text=text, OutputFormat="mp3", VoiceId=voice, Engine="neural"
        )
    except ClientError as exc:
        if error_code(exc) != "EngineNotSupportedException":
            raise
        audio = polly.synthesize_speech(
            Text=text, OutputFormat="mp3", VoiceId=voice, Engine="standard"
        )
    data = audio["AudioStream"].read()
    name = re.sub(r"[^a-z0-9]+", "-", text.lower())[:40].strip("-") or "speech"
    ending = AUDIO_ENDINGS.get(str(audio.get("ContentType", "")).split(";")[0], "mp3")
    blocks: list[Block] = [
        Section(md(":speaker: {v} says {t}", v=bold(voice), t=italic(text[:300])))
    ]
    if deps.sandbox:
        blocks.append(Context(SANDBOX_POLLY))
    return Reply(
        summary=f"{voice} says: {text[:100]}",
        blocks=tuple(blocks),
        files=(FileOut(f"{name}.{ending}", data, f"{voice}: {text[:60]}"),),
    )


AUDIO_ENDINGS = {"audio/mpeg": "mp3", "audio/wav": "wav", "audio/x-wav": "wav", "audio/ogg": "ogg"}
SANDBOX_POLLY = md(
    "_Offline sandbox: a local stand-in for Amazon Polly answered with a short tone, not speech._"
)
SANDBOX_TRANSLATE = md(
    "_Offline sandbox: a local stand-in for Amazon Translate echoed the text, marked; it does "
    "not translate._"
)


def _transcript_location(uri: str) -> tuple[str, str]:
    """https://s3.<region>.amazonaws.com/<bucket>/<key> -> (bucket, key)."""
    path = urlparse(uri).path.lstrip("/")
    bucket, _, key = path.partition("/")
    return bucket, key


TRANSCRIBE_USD_PER_MINUTE = 0.024  # standard batch, first tier, us-east-1 (2026-11-01)


def _recording(request: Request) -> Attachment | None:
    for file in request.files:
        if file.mimetype.startswith(("audio/", "video/")):
            return file
    return None


@router.intent("TranscribeAudio", requires=("output_s3_uri",))
def transcribe_audio(request: Request, deps: Deps) -> Proposal:
    """Turn a recording (attached, or in S3) into text with Amazon Transcribe, after you approve it."""
    settings = deps.settings
    output = parse_s3(settings.output_s3_uri or "", "output")
    check_bucket(output, settings, "transcripts")
    uri = request.slot("audioUri")
    name = job_name("transcribe", request, max_len=200)
    attachment: dict[str, object] | None = None
    if uri:
        media = parse_s3(uri, "recording", key="object")
        check_bucket(media, settings, "recordings")
        require_dataset(deps.aws.s3, media)
        media_uri, shown = str(media), code(str(media))
    else:
        file = _recording(request)
        if file is None:
            raise InvalidInput("Which recording?", hint="Attach one or give me its S3 URI.")
        if deps.fetch_file is None:
            raise InvalidInput("I can't read attachments here.", hint="Give me an S3 URI instead.")
        if file.size > MAX_AUDIO_BYTES:
            raise InvalidInput(
                f"{file.name} is {file.size / 1_048_576:.1f} MB; I can take up to "
                f"{MAX_AUDIO_BYTES / 1_048_576:.0f} MB."
            )
        key = f"{output.key.rstrip('/')}/transcribe-input/{name}-{file.name}".lstrip("/")
        media_uri, shown = f"s3://{output.bucket}/{key}", md("{f} (attached)", f=file.name)
        attachment = {
            "id": file.id,
            "name": file.name,
            "mimetype": file.mimetype,
            "size": file.size,
            "url": file.url,
            "bucket": output.bucket,
            "key": key,
        }
    extension = media_uri.rsplit(".", 1)[-1].lower()
    if extension not in AUDIO_FORMATS:
        raise InvalidInput(
            f"Transcribe reads {', '.join(sorted(AUDIO_FORMATS))} files, not .{extension}."
        )
    transcript = f"{output.key.rstrip('/')}/transcripts/{name}.json".lstrip("/")
    return Proposal(
        title=f"Transcribe {attachment['name'] if attachment else media_uri}",
        summary=md(
            "Start an Amazon Transcribe job for {m}; the text follows in this thread.", m=shown
        ),
        details=fields(
            {
                "Job name": code(name),
                "Recording": shown,
                "Transcript": code(f"s3://{output.bucket}/{transcript}"),
                "Cost": md(
                    "about {c} per minute of audio (Amazon Transcribe, standard)",
                    c=f"${TRANSCRIBE_USD_PER_MINUTE:.3f}",
                ),
            }
        ),
        params={
            "job_name": name,
            "media_uri": media_uri,
            "format": extension,
            "output_bucket": output.bucket,
            "output_key": transcript,
            "attachment": attachment,
        },
    )


@router.executor("TranscribeAudio")
def run_transcribe_audio(approved: Approved, deps: Deps) -> Reply:
    p = approved.params
    attachment = p.get("attachment")
    if attachment:
        if deps.fetch_file is None:
            raise InvalidInput("I can't read attachments here.", hint="Give me an S3 URI instead.")
        file = Attachment(
            id=attachment["id"],
            name=attachment["name"],
            mimetype=attachment["mimetype"],
            size=attachment["size"],
            url=attachment["url"],
        )
        data = deps.fetch_file(file, MAX_AUDIO_BYTES)
        deps.aws.s3.put_object(Bucket=attachment["bucket"], Key=attachment["key"], Body=data)
    try:
        deps.aws.transcribe.start_transcription_job(
            TranscriptionJobName=p["job_name"],
            Media={"MediaFileUri": p["media_uri"]},
            MediaFormat="mp4" if p["format"] == "m4a" else p["format"],
            IdentifyLanguage=True,
            OutputBucketName=p["output_bucket"],
            OutputKey=p["output_key"],
        )
    except ClientError as exc:
        if error_code(exc) != "ConflictException":
            raise
        # Started by an earlier run of this plan (the name is the plan's): follow it.
    deps.follow_approved(approved, "transcription", p["job_name"])
    return Reply.text(
        md(
            ":studio_microphone: Transcribing {m}. I'll post the text here when it's ready.",
            m=(attachment or {}).get("name") or p["media_uri"],
        )
    )


@router.follower("transcription")
def follow_transcription(name: str, deps: Deps) -> Progress:
    try:
        job = deps.aws.transcribe.get_transcription_job(TranscriptionJobName=name)[
            "TranscriptionJob"
        ]
    except ClientError as exc:
        if error_code(exc) in ("BadRequestException", "NotFoundException"):
            raise NotFound(f"There is no transcription job named {name}.") from None
        raise
    status = job["TranscriptionJobStatus"]
    if status == "FAILED":
        return Progress(
            status,
            terminal=True,
            reply=Reply.text(
                md(":x: Transcription failed: {r}", r=job.get("FailureReason", "no reason given"))
            ),
        )
    if status != "COMPLETED":
        return Progress(status, reply=None)
    bucket, key = _transcript_location(job.get("Transcript", {}).get("TranscriptFileUri", ""))
    try:
        document = json.loads(deps.aws.s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        text = document["results"]["transcripts"][0]["transcript"]
    except (ClientError, ValueError, KeyError, IndexError):
        return Progress(
            status,
            terminal=True,
            reply=Reply.text(
                md(
                    ":warning: Transcription finished, but I couldn't read the transcript at s3://{b}/{k}.",
                    b=bucket,
                    k=key,
                )
            ),
        )
    language = job.get("LanguageCode", "")
    long = len(text) > TRANSCRIPT_SHOWN
    shown = shorten(text, TRANSCRIPT_SHOWN) if long else text
    return Progress(
        status,
        terminal=True,
        reply=Reply(
            summary=f"Transcript: {text[:150]}",
            blocks=(
                Header("Transcript"),
                Section(md("{t}", t=shown or "(no speech found)")),
                Context(
                    md(
                        "Amazon Transcribe{l}{f}",
                        l=f", {language}" if language else "",
                        f=md(
                            " · {n} characters: the whole transcript is attached",
                            n=f"{len(text):,}",
                        )
                        if long
                        else md(""),
                    )
                ),
            ),
            # A long transcript goes along whole, as a file, instead of being cut.
            files=(FileOut(f"{name}.txt", text.encode("utf-8"), f"Transcript of {name}"),)
            if long
            else (),
        ),
    )


TRANSCRIPT_SHOWN = 2900  # characters shown in the thread; beyond that, the text is a file
