"""AI service demos with Stubber (real response shapes) where moto has no real answer."""

from __future__ import annotations

import dataclasses
import io
import json
from typing import Any

import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber

from intents.ai import (
    analyze_sentiment,
    detect_labels,
    follow_transcription,
    run_transcribe_audio,
    synthesize_speech,
    transcribe_audio,
    translate_text,
)
from intents.base import Attachment
from intents.errors import InvalidInput, Refused
from tests.conftest import approved, request


def test_labels_for_an_image_in_s3(deps: Any) -> None:
    deps.aws.s3.create_bucket(Bucket="acme-ml-data")
    deps.aws.s3.put_object(Bucket="acme-ml-data", Key="images/cat.jpg", Body=b"\xff\xd8")
    rekognition = deps.aws.client("rekognition")
    with Stubber(rekognition) as stub:
        stub.add_response(
            "detect_labels",
            {
                "Labels": [
                    {"Name": "Cat", "Confidence": 98.7, "Parents": [{"Name": "Animal"}]},
                    {"Name": "Sofa", "Confidence": 81.0},
                ],
                "LabelModelVersion": "3.0",
            },
            {
                "Image": {"S3Object": {"Bucket": "acme-ml-data", "Name": "images/cat.jpg"}},
                "MaxLabels": 12,
                "MinConfidence": 70,
            },
        )
        image = {"S3Object": {"Bucket": "acme-ml-data", "Name": "images/cat.jpg"}}
        _nothing_else(stub, image)
        reply = detect_labels(
            request("DetectLabels", imageUri="s3://acme-ml-data/images/cat.jpg"), deps
        )
    assert reply.summary == "Labels: Cat, Sofa" and "*Cat* 99% (Animal)" in str(
        reply.blocks[1].text
    )
    assert "unsafe content: none found" in str(reply.blocks[-1].text)


def _nothing_else(stub: Stubber, image: dict[str, Any]) -> None:
    """No text, no faces, nothing unsafe in *image*."""
    stub.add_response("detect_text", {"TextDetections": []}, {"Image": image})
    stub.add_response("detect_faces", {"FaceDetails": []}, {"Image": image, "Attributes": ["ALL"]})
    stub.add_response(
        "detect_moderation_labels", {"ModerationLabels": []}, {"Image": image, "MinConfidence": 60}
    )


def test_labels_for_an_attached_image(deps: Any) -> None:
    fetched: list[str] = []

    def fetch(file: Attachment, limit: int) -> bytes:
        fetched.append(file.name)
        return b"\xff\xd8 jpeg"

    with_files = dataclasses.replace(deps, fetch_file=fetch)
    req = dataclasses.replace(
        request("DetectLabels"), files=(Attachment("F1", "dog.jpg", "image/jpeg", 9),)
    )
    with Stubber(with_files.aws.client("rekognition")) as stub:
        stub.add_response(
            "detect_labels",
            {"Labels": [{"Name": "Dog", "Confidence": 97.0}]},
            {"Image": {"Bytes": b"\xff\xd8 jpeg"}, "MaxLabels": 12, "MinConfidence": 70},
        )
        _nothing_else(stub, {"Bytes": b"\xff\xd8 jpeg"})
        reply = detect_labels(req, with_files)
    assert fetched == ["dog.jpg"] and reply.summary == "Labels: Dog"


def test_images_must_be_given_and_allowed(deps: Any) -> None:
    with pytest.raises(InvalidInput, match="Which image"):
        detect_labels(request("DetectLabels"), deps)
    with pytest.raises(Refused, match="not allowed"):
        detect_labels(request("DetectLabels", imageUri="s3://someone-else/x.jpg"), deps)


def test_sentiment(deps: Any) -> None:
    comprehend = deps.aws.client("comprehend")
    with Stubber(comprehend) as stub:
        stub.add_response(
            "detect_dominant_language",
            {"Languages": [{"LanguageCode": "en", "Score": 0.99}]},
            {"Text": "the delivery was late again"},
        )
        stub.add_response(
            "detect_pii_entities",
            {"Entities": []},
            {"Text": "the delivery was late again", "LanguageCode": "en"},
        )
        stub.add_response(
            "detect_sentiment",
            {
                "Sentiment": "NEGATIVE",
                "SentimentScore": {
                    "Positive": 0.01,
                    "Negative": 0.93,
                    "Neutral": 0.05,
                    "Mixed": 0.01,
                },
            },
            {"Text": "the delivery was late again", "LanguageCode": "en"},
        )
        stub.add_response(
            "detect_entities",
            {"Entities": []},
            {"Text": "the delivery was late again", "LanguageCode": "en"},
        )
        stub.add_response(
            "detect_key_phrases",
            {
                "KeyPhrases": [
                    {"Text": "the delivery", "Score": 0.99, "BeginOffset": 0, "EndOffset": 12}
                ]
            },
            {"Text": "the delivery was late again", "LanguageCode": "en"},
        )
        reply = analyze_sentiment(
            request("AnalyzeSentiment", text="“the delivery was late again”".strip("“”")), deps
        )
    assert reply.summary == "Negative (93%)"
    assert "*Key phrases:* the delivery" in str(reply.blocks[2].text)


def test_translate(deps: Any) -> None:
    with Stubber(deps.aws.client("translate")) as stub:
        stub.add_response(
            "translate_text",
            {
                "TranslatedText": "Guten Morgen",
                "SourceLanguageCode": "en",
                "TargetLanguageCode": "de",
            },
            {"Text": "good morning", "SourceLanguageCode": "auto", "TargetLanguageCode": "de"},
        )
        reply = translate_text(
            request("TranslateText", text="good morning", targetLanguage="de"), deps
        )
    assert str(reply.blocks[0].text) == "*German*: Guten Morgen"
    with pytest.raises(InvalidInput, match="can't translate into xx"):
        translate_text(request("TranslateText", text="hi", targetLanguage="xx"), deps)


def test_speech_is_posted_as_an_mp3(deps: Any) -> None:
    audio = b"ID3\x03 mp3 bytes"
    with Stubber(deps.aws.client("polly")) as stub:
        stub.add_response(
            "synthesize_speech",
            {
                "AudioStream": StreamingBody(io.BytesIO(audio), len(audio)),
                "ContentType": "audio/mpeg",
                "RequestCharacters": 20,
            },
            {
                "Text": "the model is deployed",
                "OutputFormat": "mp3",
                "VoiceId": "Matthew",
                "Engine": "neural",
            },
        )
        reply = synthesize_speech(
            request("SynthesizeSpeech", text="the model is deployed", voice="Matthew"), deps
        )
    assert (
        reply.files[0].filename == "the-model-is-deployed.mp3" and reply.files[0].content == audio
    )


def test_text_limits(deps: Any) -> None:
    with pytest.raises(InvalidInput, match="too long"):
        synthesize_speech(request("SynthesizeSpeech", text="x" * 3001), deps)
    with pytest.raises(InvalidInput, match="no text"):
        analyze_sentiment(request("AnalyzeSentiment", text="''"), deps)


def test_transcription_starts_then_the_transcript_follows(deps: Any) -> None:
    deps.aws.s3.create_bucket(Bucket="acme-ml-data")
    deps.aws.s3.create_bucket(Bucket="acme-ml-artifacts")
    deps.aws.s3.put_object(Bucket="acme-ml-data", Key="audio/standup.mp3", Body=b"ID3")
    transcribe = deps.aws.client("transcribe")
    with Stubber(transcribe) as stub:
        stub.add_response(
            "start_transcription_job",
            {"TranscriptionJob": {"TranscriptionJobName": "t", "TranscriptionJobStatus": "QUEUED"}},
            {
                "TranscriptionJobName": ANY,
                "Media": {"MediaFileUri": "s3://acme-ml-data/audio/standup.mp3"},
                "MediaFormat": "mp3",
                "IdentifyLanguage": True,
                "OutputBucketName": "acme-ml-artifacts",
                "OutputKey": ANY,
            },
        )
        proposal = transcribe_audio(
            request("TranscribeAudio", audioUri="s3://acme-ml-data/audio/standup.mp3"), deps
        )
        # Nothing starts before someone approves the card
        assert deps.state.active_follows() == []
        assert proposal.title == "Transcribe s3://acme-ml-data/audio/standup.mp3"
        reply = run_transcribe_audio(approved(proposal, "TranscribeAudio"), deps)
    follow = deps.state.active_follows()[0]
    assert follow.kind == "transcription" and "Transcribing" in reply.summary
    key = f"chatops/transcripts/{follow.name}.json"
    deps.aws.s3.put_object(
        Bucket="acme-ml-artifacts",
        Key=key,
        Body=json.dumps(
            {"results": {"transcripts": [{"transcript": "Good morning everyone."}]}}
        ).encode(),
    )
    with Stubber(transcribe) as stub:
        stub.add_response(
            "get_transcription_job",
            {
                "TranscriptionJob": {
                    "TranscriptionJobName": follow.name,
                    "TranscriptionJobStatus": "COMPLETED",
                    "LanguageCode": "en-US",
                    "Transcript": {
                        "TranscriptFileUri": f"https://s3.us-east-1.amazonaws.com/acme-ml-artifacts/{key}"
                    },
                }
            },
            {"TranscriptionJobName": follow.name},
        )
        progress = follow_transcription(follow.name, deps)
    assert progress.terminal and "Good morning everyone." in str(progress.reply.blocks[1].text)  # type: ignore[union-attr]


def test_offline_sandbox_says_what_it_lacks(deps: Any) -> None:
    from intents.clients import AwsClients
    from intents.errors import NotAvailable

    offline = dataclasses.replace(
        deps, aws=AwsClients("us-east-1", unavailable={"translate": "Amazon Translate"})
    )
    with pytest.raises(
        NotAvailable, match="Amazon Translate is not available in the offline sandbox"
    ):
        translate_text(request("TranslateText", text="hi", targetLanguage="de"), offline)


# ---------------------------------------------------------------------------- richer demos


def _attached(name: str, mimetype: str, data: bytes, size: int | None = None) -> tuple[Any, Any]:
    def fetch(file: Attachment, limit: int) -> bytes:
        return data

    req = dataclasses.replace(
        request("DetectLabels"),
        files=(Attachment("F1", name, mimetype, len(data) if size is None else size),),
    )
    return req, fetch


def test_text_faces_and_unsafe_content_in_an_image(deps: Any) -> None:
    req, fetch = _attached("team.png", "image/png", b"\x89PNG picture")
    image = {"Bytes": b"\x89PNG picture"}
    with Stubber(deps.aws.client("rekognition")) as stub:
        stub.add_response(
            "detect_labels",
            {"Labels": [{"Name": "Person", "Confidence": 99.0}]},
            {"Image": image, "MaxLabels": 12, "MinConfidence": 70},
        )
        stub.add_response(
            "detect_text",
            {
                "TextDetections": [
                    {"DetectedText": "SHIP IT", "Type": "LINE", "Confidence": 98.0, "Id": 0},
                    {"DetectedText": "SHIP", "Type": "WORD", "Confidence": 98.0, "Id": 1},
                    {"DetectedText": "blurry", "Type": "LINE", "Confidence": 40.0, "Id": 2},
                ]
            },
            {"Image": image},
        )
        stub.add_response(
            "detect_faces",
            {
                "FaceDetails": [
                    {
                        "AgeRange": {"Low": 25, "High": 35},
                        "Smile": {"Value": True, "Confidence": 97.0},
                        "Eyeglasses": {"Value": False, "Confidence": 95.0},
                        "Emotions": [{"Type": "HAPPY", "Confidence": 91.0}],
                        "Confidence": 99.9,
                    }
                ]
            },
            {"Image": image, "Attributes": ["ALL"]},
        )
        stub.add_response(
            "detect_moderation_labels",
            {
                "ModerationLabels": [
                    {"Name": "Smoking", "Confidence": 88.0, "ParentName": "Tobacco"}
                ]
            },
            {"Image": image, "MinConfidence": 60},
        )
        reply = detect_labels(req, dataclasses.replace(deps, fetch_file=fetch))
    shown = str(reply.blocks)
    assert "“SHIP IT”" in shown and "blurry" not in shown and "“SHIP”" not in shown
    assert "*Faces:* 1" in shown and "about 25–35 years old, smiling, looks happy" in shown
    assert "Possibly unsafe content:* Smoking (88%)" in shown
    assert "no one is identified" in shown
    assert reply.summary == "Labels: Person; text: SHIP IT; 1 face"


@pytest.mark.parametrize(
    "name, mimetype, data, size, words",
    [
        (
            "report.pdf",
            "application/pdf",
            b"%PDF-1.4",
            None,
            "report.pdf is a PDF; Rekognition reads JPEG and PNG",
        ),
        ("anim.gif", "image/gif", b"GIF89a", None, "anim.gif is a GIF image"),
        (
            "huge.jpg",
            "image/jpeg",
            b"\xff\xd8",
            6 * 1024 * 1024,
            "huge.jpg is 6.0 MB; I can take up to 5 MB",
        ),
        (
            "fake.jpg",
            "image/jpeg",
            b"<html>not a picture",
            None,
            "fake.jpg says it is an image but is not",
        ),
    ],
)
def test_a_file_rekognition_cannot_read_is_refused_before_any_call(
    deps: Any, name: str, mimetype: str, data: bytes, size: int | None, words: str
) -> None:
    req, fetch = _attached(name, mimetype, data, size)
    # Any call would fail the Stubber: none is expected
    with Stubber(deps.aws.client("rekognition")), pytest.raises(InvalidInput) as raised:
        detect_labels(req, dataclasses.replace(deps, fetch_file=fetch))
    assert words in raised.value.message + " " + raised.value.hint
    with pytest.raises(InvalidInput, match="not a JPEG or PNG image"):
        detect_labels(request("DetectLabels", imageUri="s3://acme-ml-data/docs/report.pdf"), deps)


def test_personal_data_is_found_and_hidden_everywhere_in_the_reply(deps: Any) -> None:
    text = "I'm Maria, write to maria@example.com about the Acme order"
    email = (text.index("maria@"), text.index("maria@") + len("maria@example.com"))
    with Stubber(deps.aws.client("comprehend")) as stub:
        stub.add_response(
            "detect_dominant_language", {"Languages": [{"LanguageCode": "en", "Score": 0.98}]}
        )
        stub.add_response(
            "detect_pii_entities",
            {
                "Entities": [
                    {"Type": "NAME", "Score": 0.99, "BeginOffset": 4, "EndOffset": 9},
                    {
                        "Type": "EMAIL",
                        "Score": 0.99,
                        "BeginOffset": email[0],
                        "EndOffset": email[1],
                    },
                ]
            },
        )
        stub.add_response(
            "detect_sentiment",
            {
                "Sentiment": "NEUTRAL",
                "SentimentScore": {"Positive": 0.1, "Negative": 0.1, "Neutral": 0.7, "Mixed": 0.1},
            },
        )
        stub.add_response(
            "detect_entities",
            {
                "Entities": [
                    {
                        "Type": "PERSON",
                        "Text": "Maria",
                        "Score": 0.99,
                        "BeginOffset": 4,
                        "EndOffset": 9,
                    },
                    {
                        "Type": "ORGANIZATION",
                        "Text": "Acme",
                        "Score": 0.97,
                        "BeginOffset": 48,
                        "EndOffset": 52,
                    },
                ]
            },
        )
        stub.add_response(
            "detect_key_phrases",
            {
                "KeyPhrases": [
                    {
                        "Text": "maria@example.com",
                        "Score": 0.9,
                        "BeginOffset": email[0],
                        "EndOffset": email[1],
                    },
                    {"Text": "the Acme order", "Score": 0.9, "BeginOffset": 44, "EndOffset": 58},
                ]
            },
        )
        reply = analyze_sentiment(request("AnalyzeSentiment", text=text), deps)
    shown = str(reply.blocks) + reply.summary
    assert "maria" not in shown.lower()
    assert "I'm [NAME], write to [EMAIL] about the Acme order" in shown
    assert "Acme (organization)" in shown and "the Acme order" in shown
    assert "1 × email, 1 × name" in shown and "language English (98%)" in shown


def test_a_long_transcript_is_attached_whole(deps: Any) -> None:
    from intents.ai import TRANSCRIPT_SHOWN

    words = "word " * (TRANSCRIPT_SHOWN // 2)
    deps.aws.s3.create_bucket(Bucket="acme-ml-artifacts")
    deps.aws.s3.put_object(
        Bucket="acme-ml-artifacts",
        Key="t/long.json",
        Body=json.dumps({"results": {"transcripts": [{"transcript": words}]}}).encode(),
    )
    with Stubber(deps.aws.client("transcribe")) as stub:
        stub.add_response(
            "get_transcription_job",
            {
                "TranscriptionJob": {
                    "TranscriptionJobName": "long",
                    "TranscriptionJobStatus": "COMPLETED",
                    "LanguageCode": "en-US",
                    "Transcript": {
                        "TranscriptFileUri": "https://s3.us-east-1.amazonaws.com/acme-ml-artifacts/t/long.json"
                    },
                }
            },
        )
        progress = follow_transcription("long", deps)
    assert progress.reply is not None
    (file,) = progress.reply.files
    assert file.filename == "long.txt" and file.content.decode() == words
    assert len(str(progress.reply.blocks[1].text)) <= TRANSCRIPT_SHOWN
    assert "the whole transcript is attached" in str(progress.reply.blocks[2].text)


def test_the_sandboxs_polly_and_translate_say_they_are_stand_ins(deps: Any) -> None:
    from bot.sandbox.demo import LocalPolly, LocalTranslate
    from intents.clients import AwsClients

    offline = dataclasses.replace(
        deps,
        sandbox=True,
        aws=AwsClients(
            "us-east-1", overrides={"polly": LocalPolly(), "translate": LocalTranslate()}
        ),
    )
    said = synthesize_speech(request("SynthesizeSpeech", text="the model is deployed"), offline)
    (audio,) = said.files
    assert audio.filename == "the-model-is-deployed.wav" and audio.content.startswith(b"RIFF")
    assert "a short tone, not speech" in str(said.blocks)
    translated = translate_text(
        request("TranslateText", text="good morning", targetLanguage="de"), offline
    )
    assert "[de, offline stand-in, not translated] good morning" in str(translated.blocks)
    assert "it does not translate" in str(translated.blocks)
