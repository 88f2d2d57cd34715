"""Datasets from the Glue Data Catalog, tables standing for their S3 location, and Glue ETL
runs through a card (moto has the catalog and jobs; Stubber where it lacks a call or an
error is needed)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from botocore.stub import Stubber

from intents.errors import InvalidInput, NotFound, Refused
from intents.glue import (
    find_table,
    follow_glue,
    list_datasets,
    resolve_dataset,
    run_start_glue_job,
    start_glue_job,
)
from intents.reply import Proposal
from tests.conftest import approved, request


@pytest.fixture
def catalog(deps: Any) -> Any:
    s3, glue = deps.aws.s3, deps.aws.glue
    for bucket in ("acme-ml-data", "acme-ml-artifacts"):
        s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket="acme-ml-data", Key="churn/train.csv", Body=b"churned,tenure\n0,3\n")
    for database in ("ml_data", "crm", "support"):
        glue.create_database(DatabaseInput={"Name": database})
    tables = [
        (
            "ml_data",
            "churn",
            "s3://acme-ml-data/churn/train.csv",
            {"classification": "csv", "recordCount": "7043"},
        ),
        ("ml_data", "fraud", "s3://other-bucket/fraud/", {"classification": "parquet"}),
        (
            "crm",
            "customers",
            "crm.public.customers",
            {
                "classification": "postgresql",
                "connectionName": "crm-postgres",
                "typeOfData": "table",
            },
        ),
        (
            "support",
            "tickets",
            "arn:aws:dynamodb:us-east-1:123456789012:table/support-tickets",
            {"classification": "dynamodb", "recordCount": "130442"},
        ),
    ]
    for database, name, location, parameters in tables:
        glue.create_table(
            DatabaseName=database,
            TableInput={
                "Name": name,
                "Parameters": parameters,
                "StorageDescriptor": {"Location": location, "Columns": []},
            },
        )
    glue.create_job(
        Name="churn-prep",
        Role="arn:aws:iam::123456789012:role/GlueRole",
        Command={"Name": "glueetl", "ScriptLocation": "s3://acme-ml-artifacts/glue/prep.py"},
        DefaultArguments={"--output": "s3://acme-ml-data/churn/prepared/"},
        WorkerType="G.1X",
        NumberOfWorkers=4,
        Timeout=60,
        Tags={"chatops:managed": "true"},
    )
    glue.create_job(
        Name="crm-export",
        Role="arn:aws:iam::123456789012:role/GlueRole",
        Command={"Name": "glueetl", "ScriptLocation": "s3://acme-ml-artifacts/glue/export.py"},
        WorkerType="G.1X",
        NumberOfWorkers=2,
    )
    glue.create_job(
        Name="leaky-export",
        Role="arn:aws:iam::123456789012:role/GlueRole",
        Command={"Name": "glueetl", "ScriptLocation": "s3://acme-ml-artifacts/glue/export.py"},
        DefaultArguments={"--output": "s3://someone-elses-bucket/dump/"},
        WorkerType="G.2X",
        NumberOfWorkers=2,
    )
    return deps


def test_what_datasets_do_we_have(catalog: Any) -> None:
    reply = list_datasets(request("ListDatasets"), catalog)
    shown = str(reply.blocks)
    assert reply.summary == "4 tables in the Glue Data Catalog, 2 with data in S3"
    assert (
        "ml_data.churn" in shown
        and "7,043 rows" in shown
        and "s3://acme-ml-data/churn/train.csv" in shown
    )
    assert "JDBC (postgresql, via crm-postgres)" in shown
    assert "DynamoDB" in shown and "130,442 rows" in shown and "not in S3" in shown
    assert "churn-prep" in shown and "never run" in shown
    assert "train xgboost on the churn table" in shown


def test_a_table_stands_for_its_s3_location(catalog: Any) -> None:
    uri, table = resolve_dataset(catalog, "churn")
    assert (
        str(uri) == "s3://acme-ml-data/churn/train.csv" and table and table.ref == "ml_data.churn"
    )
    uri, table = resolve_dataset(catalog, "ml_data.fraud")
    assert str(uri) == "s3://other-bucket/fraud/"  # the bucket rule is the caller's, as for a URI
    uri, table = resolve_dataset(catalog, "s3://acme-ml-data/churn/train.csv")
    assert table is None


@pytest.mark.parametrize(
    "ref, error, words",
    [
        ("crm.customers", InvalidInput, "JDBC table (postgresql, connection crm-postgres)"),
        ("tickets", InvalidInput, "a DynamoDB table; its data is not in S3"),
        ("chrun", NotFound, "Did you mean churn"),
        ("nope.nothing", NotFound, "no table nope.nothing"),
        ("bucket/train.csv", InvalidInput, "is not an S3 URI or a Glue table name"),
    ],
)
def test_tables_that_cannot_be_used_say_why(
    catalog: Any, ref: str, error: type, words: str
) -> None:
    with pytest.raises(error) as raised:
        resolve_dataset(catalog, ref)
    assert words in raised.value.message + " " + raised.value.hint


def test_a_table_of_that_name_in_two_databases_asks_which(catalog: Any) -> None:
    catalog.aws.glue.create_table(
        DatabaseName="crm",
        TableInput={"Name": "churn", "StorageDescriptor": {"Location": "s3://acme-ml-data/crm/"}},
    )
    with pytest.raises(InvalidInput, match="More than one database"):
        find_table(catalog, "churn")
    assert find_table(catalog, "crm.churn").location == "s3://acme-ml-data/crm/"


def test_training_on_a_table_shows_its_s3_location_on_the_card(catalog: Any) -> None:
    from intents.training import start_training

    proposal = start_training(
        request(
            "StartTraining",
            "train xgboost on the churn table",
            algorithm="xgboost",
            dataset="churn",
        ),
        catalog,
    )
    details = dict(proposal.details)
    assert (
        "s3://acme-ml-data/churn/train.csv" in details["Dataset"]
        and "ml_data.churn" in details["Dataset"]
    )
    assert proposal.params["dataset"] == "s3://acme-ml-data/churn/train.csv"


def test_glue_run_card_guardrails_and_run(catalog: Any) -> None:
    # The card: workers, a timeout within the rules, the worst case in DPU-hours
    proposal = start_glue_job(
        request("StartGlueJob", "run the glue job churn-prep", jobName="churn-prep"), catalog
    )
    assert isinstance(proposal, Proposal)
    details = dict(proposal.details)
    assert details["Workers"] == "G.1X × 4 (4 DPU)" and details["Stops after"] == "60 min at most"
    assert "$1.76" in details["Worst-case cost"]  # 4 DPU × 1 h × $0.44
    assert proposal.risk.cost_usd == pytest.approx(1.76)
    # Approved: a run starts, marked with the plan, and is followed in the thread
    reply = run_start_glue_job(approved(proposal, "StartGlueJob"), catalog)
    assert "Started a run of Glue job *churn-prep*" in str(reply.blocks)
    runs = catalog.aws.glue.get_job_runs(JobName="churn-prep")["JobRuns"]
    assert len(runs) == 1 and runs[0]["Arguments"]["--chatops-plan"] == "plan-1"
    assert runs[0]["NumberOfWorkers"] == 4 and runs[0]["Timeout"] == 60
    (followed,) = catalog.state.active_follows()
    assert (followed.kind, followed.name) == ("glue", "churn-prep")
    assert reply.about == (("glue", "churn-prep"),)
    # A second run of the same approval (after a restart) finds the first and starts none
    run_start_glue_job(approved(proposal, "StartGlueJob"), catalog)
    assert len(catalog.aws.glue.get_job_runs(JobName="churn-prep")["JobRuns"]) == 1
    # Followed: its state as it moves
    progress = follow_glue("churn-prep", catalog)
    assert progress.status in ("STARTING", "RUNNING", "SUCCEEDED")


@pytest.mark.parametrize(
    "text, job, error, words",
    [
        ("run churn-prep with 50 workers", "churn-prep", Refused, "CHATOPS_MAX_GLUE_WORKERS"),
        ("run leaky-export", "leaky-export", Refused, "someone-elses-bucket is not allowed"),
        ("run chrun-prep", "chrun-prep", NotFound, "Did you mean churn-prep"),
        # Not tagged for the bot: its IAM policy would refuse the run once approved
        ("run crm-export", "crm-export", Refused, "tagged chatops:managed=true"),
    ],
)
def test_glue_runs_that_are_refused_name_the_rule(
    catalog: Any, text: str, job: str, error: type, words: str
) -> None:
    with pytest.raises(error) as raised:
        start_glue_job(request("StartGlueJob", text, jobName=job), catalog)
    assert words in raised.value.message + " " + raised.value.hint
    assert catalog.aws.glue.get_job_runs(JobName="churn-prep")["JobRuns"] == []


def test_a_glue_job_the_bot_may_not_read_gets_a_clear_answer(deps: Any) -> None:
    from bot.gate.runner import Runner
    from intents.aws import translate

    with Stubber(deps.aws.glue) as stub:
        stub.add_client_error(
            "get_job",
            service_error_code="AccessDeniedException",
            service_message="User is not authorized to perform: glue:GetJob",
            http_status_code=400,
        )
        with pytest.raises(Exception) as raised:
            start_glue_job(request("StartGlueJob", jobName="churn-prep"), deps)
    known = translate(raised.value)
    assert known is not None and "not allowed to call GetJob" in known.message
    del Runner


def test_a_long_job_timeout_is_cut_to_the_longest_runtime_allowed(catalog: Any) -> None:
    catalog.aws.glue.create_job(
        Name="slow-export",
        Role="arn:aws:iam::123456789012:role/GlueRole",
        Command={"Name": "glueetl", "ScriptLocation": "s3://acme-ml-artifacts/glue/slow.py"},
        WorkerType="G.1X",
        NumberOfWorkers=2,
        Tags={"chatops:managed": "true"},
    )  # Glue's default timeout: 48 h
    short = catalog.settings.model_copy(update={"max_runtime_hours": 2.0})
    proposal = start_glue_job(
        request("StartGlueJob", jobName="slow-export"), dataclasses.replace(catalog, settings=short)
    )
    assert proposal.params["timeout_minutes"] == 120
    assert "(the longest allowed here)" in dict(proposal.details)["Stops after"]
