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
        reply = detect_labels(
            request("DetectLabels", imageUri="s3://acme-ml-data/images/cat.jpg"), deps
        )
    assert reply.summary == "Labels: Cat, Sofa" and "*Cat* 99% (Animal)" in str(
        reply.blocks[1].text
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
        reply = analyze_sentiment(
            request("AnalyzeSentiment", text="“the delivery was late again”".strip("“”")), deps
        )
    assert reply.summary == "Negative (93%)"


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
