"""AI service demos: Rekognition, Comprehend, Translate, Polly, Transcribe."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, TypeGuard
from urllib.parse import urlparse

from botocore.exceptions import ClientError

from intents.aws import error_code, summarize
from intents.base import Approved, Attachment, Progress, Request, unquote
from intents.errors import InvalidInput, NotFound, UserError
from intents.guardrails import check_bucket, parse_s3, require_dataset
from intents.registry import Router
from intents.reply import (
    Context,
    FileOut,
    Header,
    Proposal,
    Reply,
    Section,
    bold,
    code,
    fields,
    italic,
    lines,
    md,
)
from intents.resources import job_name

if TYPE_CHECKING:
    from types_boto3_comprehend.literals import LanguageCodeType
    from types_boto3_polly.literals import VoiceIdType
    from types_boto3_rekognition.type_defs import ImageTypeDef

    from intents.deps import Deps

router = Router("ai")

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


@router.intent("DetectLabels")
def detect_labels(request: Request, deps: Deps) -> Reply:
    """Objects and scenes in an image (attached, or in S3), with Rekognition."""
    uri = request.slot("imageUri")
    if uri:
        location = parse_s3(uri, "image", key="object")
        check_bucket(location, deps.settings, "images")
        require_dataset(deps.aws.s3, location)
        image: ImageTypeDef = {"S3Object": {"Bucket": location.bucket, "Name": location.key}}
        source = uri
    else:
        attached = _attached(request, deps, "image", MAX_IMAGE_BYTES)
        if attached is None:
            raise InvalidInput(
                "Which image?", hint="Attach one to your message or give me its S3 URI."
            )
        image, source = {"Bytes": attached[1]}, attached[0].name
    try:
        response = deps.aws.rekognition.detect_labels(Image=image, MaxLabels=12, MinConfidence=70)
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
    labels = response.get("Labels", [])
    if not labels:
        return Reply.text(md("I couldn't find anything I'm at least 70% sure of in {s}.", s=source))
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
    return Reply(
        summary="Labels: " + ", ".join(label["Name"] for label in labels[:6]),
        blocks=(
            Section(md("In {s}:", s=source)),
            Section(lines(*rows)),
            Context(md("Amazon Rekognition DetectLabels, confidence 70% or more")),
        ),
    )


@router.intent("AnalyzeSentiment")
def analyze_sentiment(request: Request, deps: Deps) -> Reply:
    """Whether a text is positive, negative, neutral or mixed, with Comprehend."""
    text = _text(request, 5000, "analyse")
    comprehend = deps.aws.comprehend
    languages = comprehend.detect_dominant_language(Text=text).get("Languages", [])
    language = languages[0]["LanguageCode"] if languages else "en"
    if not _reads_sentiment(language):
        raise UserError(
            f"Comprehend can't read sentiment in that language ({language}).",
            hint="It reads English, Spanish, French, German, Italian, Portuguese and a few more.",
        )
    result = comprehend.detect_sentiment(Text=text, LanguageCode=language)
    sentiment = result["Sentiment"].capitalize()
    scores = result.get("SentimentScore", {})
    icon = {
        "Positive": ":slightly_smiling_face:",
        "Negative": ":slightly_frowning_face:",
        "Neutral": ":neutral_face:",
        "Mixed": ":thinking_face:",
    }.get(sentiment, "")
    confidence = scores.get(sentiment, 0.0)
    return Reply(
        summary=f"{sentiment} ({confidence:.0%})",
        blocks=(
            Section(
                md(
                    "{i} {s} ({c:.0%}) for {t}",
                    i=md(icon) if icon else md(""),
                    s=bold(sentiment),
                    c=confidence,
                    t=italic(text[:300]),
                )
            ),
            Section(fields=fields({k: f"{v:.1%}" for k, v in scores.items()})),
            Context(md("Amazon Comprehend, language {lang}", lang=language)),
        ),
    )


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
    return Reply(
        summary=result["TranslatedText"][:200],
        blocks=(
            Section(md("{l}: {t}", l=bold(LANGUAGE_NAMES[target]), t=result["TranslatedText"])),
            Context(md("Amazon Translate, from {s}", s=LANGUAGE_NAMES.get(source, source))),
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
    return Reply(
        summary=f"{voice} says: {text[:100]}",
        blocks=(Section(md(":speaker: {v} says {t}", v=bold(voice), t=italic(text[:300]))),),
        files=(FileOut(f"{name}.mp3", data, f"{voice}: {text[:60]}"),),
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
    deps.state.follow(
        "transcription",
        p["job_name"],
        channel=approved.channel,
        thread_ts=approved.thread_ts,
        request_id=approved.request_id,
        interval=deps.settings.follow_min_seconds,
        now=deps.clock(),
    )
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
    return Progress(
        status,
        terminal=True,
        reply=Reply(
            summary=f"Transcript: {text[:150]}",
            blocks=(
                Header("Transcript"),
                Section(md("{t}", t=text[:2900] or "(no speech found)")),
                Context(md("Amazon Transcribe{l}", l=f", {language}" if language else "")),
            ),
        ),
    )
