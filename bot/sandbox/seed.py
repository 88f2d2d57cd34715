"""A believable demo ML account, created through the AWS APIs against moto.

Three endpoints (one throwing 5xx errors with high latency, one idle), training
jobs in every state, processing / compilation / Autopilot / labeling jobs, a
notebook left running for days, two budgets (one past 80 %), and 60 days of
Cost Explorer data by service.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.sandbox import moto_ext

if TYPE_CHECKING:
    from types_boto3_budgets import BudgetsClient
    from types_boto3_cloudwatch import CloudWatchClient
    from types_boto3_cloudwatch.literals import StandardUnitType
    from types_boto3_cloudwatch.type_defs import DimensionTypeDef, MetricDatumTypeDef
    from types_boto3_s3 import S3Client
    from types_boto3_sagemaker import SageMakerClient
    from types_boto3_sagemaker.literals import (
        ProductionVariantInstanceTypeType,
        TrainingInstanceTypeType,
    )

    from intents.clients import AwsClients

ACCOUNT = "123456789012"
REGION = "us-east-1"
DATA_BUCKET = "acme-ml-data"
ARTIFACT_BUCKET = "acme-ml-artifacts"
ROLE_NAME = "SageMakerExecutionRole"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE_NAME}"
XGB_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
FM_IMAGE = "382416733822.dkr.ecr.us-east-1.amazonaws.com/factorization-machines:1"

DATASETS = {
    "churn/train.csv": "churned,tenure,monthly_charges,total_charges,contract\n0,12,59.9,718.8,1\n1,2,89.5,179.0,0\n",
    "churn/validation.csv": "churned,tenure,monthly_charges,total_charges,contract\n0,40,49.9,1996.0,2\n",
    "fraud/train.csv": "is_fraud,amount,country,hour\n0,120.5,1,14\n1,980.0,7,3\n",
    "segments/customers.csv": "recency,frequency,monetary\n10,4,320.5\n",
    "recsys/ratings/part-0001.csv": "user,item,rating\n1,17,5\n",
    "images/cat.jpg": "\xff\xd8\xff\xe0 JFIF sandbox image",
    "audio/standup.mp3": "ID3 sandbox audio",
}


@dataclass(frozen=True)
class EndpointPlan:
    name: str
    model: str
    instance: ProductionVariantInstanceTypeType
    count: int
    calls_per_min: float
    error_5xx: float  # share of calls
    error_4xx: float
    latency_ms: float


ENDPOINTS = [
    EndpointPlan("churn-xgb-prod", "churn-xgb-model", "ml.m5.large", 2, 210, 0.0, 0.0005, 38),
    EndpointPlan(
        "fraud-detector-prod", "fraud-xgb-model", "ml.c5.xlarge", 1, 135, 0.052, 0.003, 870
    ),
    EndpointPlan("recsys-staging", "recsys-fm-model", "ml.t2.medium", 1, 0, 0.0, 0.0, 0),
]

DAILY_COST = {  # USD a day, before weekly and random variation
    "sagemaker": 142.0,
    "s3": 18.5,
    "ec2": 41.0,
    "rekognition": 3.2,
    "comprehend": 2.1,
    "polly": 0.6,
    "translate": 1.4,
    "transcribe": 2.7,
    "lex": 0.9,
    "cloudwatch": 6.3,
    "lambda": 1.1,
}


def _utc(days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
    return datetime.now(UTC) - timedelta(days=days, hours=hours, minutes=minutes)


def seed(aws: AwsClients) -> dict[str, Any]:
    """Create the demo account through *aws* (an AwsClients on the moto server)."""
    from moto.sagemaker.models import sagemaker_backends

    rng = random.Random(20261127)
    s3, iam, sm = aws.s3, aws.iam, aws.sagemaker
    for bucket in (DATA_BUCKET, ARTIFACT_BUCKET):
        s3.create_bucket(Bucket=bucket)
    for key, body in DATASETS.items():
        s3.put_object(Bucket=DATA_BUCKET, Key=key, Body=body.encode("latin-1"))
    for model in ("churn-xgb-model", "fraud-xgb-model", "recsys-fm-model"):
        s3.put_object(Bucket=ARTIFACT_BUCKET, Key=f"models/{model}/model.tar.gz", Body=b"model")
    iam.create_role(
        RoleName=ROLE_NAME,
        AssumeRolePolicyDocument=(
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":'
            '{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
        ),
    )

    # Endpoints come up immediately while seeding, whatever the demo's time scale.
    scale = moto_ext.CONFIG.scale
    moto_ext.CONFIG.scale = 0
    try:
        for plan in ENDPOINTS:
            image = FM_IMAGE if "recsys" in plan.model else XGB_IMAGE
            sm.create_model(
                ModelName=plan.model,
                ExecutionRoleArn=ROLE_ARN,
                PrimaryContainer={
                    "Image": image,
                    "ModelDataUrl": f"s3://{ARTIFACT_BUCKET}/models/{plan.model}/model.tar.gz",
                },
            )
            sm.create_endpoint_config(
                EndpointConfigName=f"{plan.name}-config",
                ProductionVariants=[
                    {
                        "VariantName": "AllTraffic",
                        "ModelName": plan.model,
                        "InstanceType": plan.instance,
                        "InitialInstanceCount": plan.count,
                        "InitialVariantWeight": 1.0,
                    }
                ],
            )
            stage = "prod" if plan.name.endswith("-prod") else "staging"
            sm.create_endpoint(
                EndpointName=plan.name,
                EndpointConfigName=f"{plan.name}-config",
                Tags=[{"Key": "team", "Value": "ml-platform"}, {"Key": "env", "Value": stage}],
            )
        sm.create_model(
            ModelName="churn-xgb-model-v2",
            ExecutionRoleArn=ROLE_ARN,
            PrimaryContainer={
                "Image": XGB_IMAGE,
                "ModelDataUrl": f"s3://{ARTIFACT_BUCKET}/models/churn-xgb-model/model.tar.gz",
            },
        )
        # The endpoints have served for weeks: a new one is not yet idle, whatever its traffic.
        for plan, age in zip(ENDPOINTS, (41, 17, 12), strict=True):
            endpoint = sagemaker_backends[ACCOUNT][REGION].endpoints[plan.name]
            # moto keeps naive UTC datetimes here (and compares them with naive ones)
            endpoint.creation_time = endpoint.last_modified_time = _utc(days=age).replace(
                tzinfo=None
            )
        _seed_jobs(sm, sagemaker_backends[ACCOUNT][REGION])
    finally:
        moto_ext.CONFIG.scale = scale
    put_metrics(aws.cloudwatch, rng, minutes=180)
    sm.create_notebook_instance(
        NotebookInstanceName="data-science-scratch",
        InstanceType="ml.t3.xlarge",
        RoleArn=ROLE_ARN,
        Tags=[{"Key": "owner", "Value": "dana"}],
    )
    backend = sagemaker_backends[ACCOUNT][REGION]
    notebook = backend.notebook_instances["data-science-scratch"]
    # moto annotates these as datetime but keeps and serves ISO strings; a datetime here
    # would break its responses, so the annotation is what is wrong.
    notebook.creation_time = _utc(days=9).isoformat()  # type: ignore[assignment]
    notebook.last_modified_time = _utc(days=9).isoformat()  # type: ignore[assignment]
    _seed_monitoring()
    _seed_violations(sm, s3)
    _seed_budgets(aws.budgets)
    _seed_costs(rng)
    _seed_anomalies()
    _seed_studio()
    _seed_advice()
    return {
        "role_arn": ROLE_ARN,
        "data_bucket": DATA_BUCKET,
        "artifact_bucket": ARTIFACT_BUCKET,
        "endpoints": [e.name for e in ENDPOINTS],
    }


def put_metrics(
    cloudwatch: CloudWatchClient, rng: random.Random, *, minutes: int, end: datetime | None = None
) -> None:
    """Per-minute CloudWatch data points for each endpoint, the way SageMaker reports them."""
    end = (end or datetime.now(UTC)).replace(second=0, microsecond=0)
    data: list[MetricDatumTypeDef] = []
    for plan in ENDPOINTS:
        if not plan.calls_per_min:
            continue
        dims: list[DimensionTypeDef] = [
            {"Name": "EndpointName", "Value": plan.name},
            {"Name": "VariantName", "Value": "AllTraffic"},
        ]
        for i in range(minutes):
            ts = end - timedelta(minutes=minutes - i)
            wave = 1 + 0.25 * math.sin(i / 30)
            calls = max(1, int(plan.calls_per_min * wave * rng.uniform(0.85, 1.15)))
            latency = plan.latency_ms * rng.uniform(0.8, 1.3) * 1000  # microseconds
            points: tuple[tuple[str, float, StandardUnitType], ...] = (
                ("Invocations", calls, "Count"),
                (
                    "Invocation5XXErrors",
                    round(calls * plan.error_5xx * rng.uniform(0.6, 1.4)),
                    "Count",
                ),
                ("Invocation4XXErrors", round(calls * plan.error_4xx * rng.uniform(0, 2)), "Count"),
                ("ModelLatency", latency, "Microseconds"),
                ("OverheadLatency", rng.uniform(3, 9) * 1000, "Microseconds"),
            )
            for name, value, unit in points:
                data.append(
                    {
                        "MetricName": name,
                        "Dimensions": dims,
                        "Timestamp": ts,
                        "Value": float(value),
                        "Unit": unit,
                    }
                )
    for i in range(0, len(data), 500):
        cloudwatch.put_metric_data(Namespace="AWS/SageMaker", MetricData=data[i : i + 500])


def _training(
    sm: SageMakerClient,
    name: str,
    image: str,
    data: str,
    instance: TrainingInstanceTypeType = "ml.m5.xlarge",
    hyper: dict[str, str] | None = None,
) -> None:
    sm.create_training_job(
        TrainingJobName=name,
        AlgorithmSpecification={"TrainingImage": image, "TrainingInputMode": "File"},
        RoleArn=ROLE_ARN,
        HyperParameters=hyper or {},
        InputDataConfig=[
            {
                "ChannelName": "train",
                "DataSource": {
                    "S3DataSource": {
                        "S3DataType": "S3Prefix",
                        "S3Uri": f"s3://{DATA_BUCKET}/{data}",
                        "S3DataDistributionType": "FullyReplicated",
                    }
                },
            }
        ],
        OutputDataConfig={"S3OutputPath": f"s3://{ARTIFACT_BUCKET}/training"},
        ResourceConfig={"InstanceType": instance, "InstanceCount": 1, "VolumeSizeInGB": 30},
        StoppingCondition={"MaxRuntimeInSeconds": 86400},
        Tags=[{"Key": "team", "Value": "ml-platform"}],
    )


def _seed_jobs(sm: SageMakerClient, backend: Any) -> None:
    jobs = [
        (
            "churn-xgb-20261119-0930",
            XGB_IMAGE,
            "churn/train.csv",
            "Completed",
            "Completed",
            8.2,
            0.31,
        ),
        (
            "demand-deepar-20261122-0600",
            "522234722520.dkr.ecr.us-east-1.amazonaws.com/forecasting-deepar:1",
            "churn/train.csv",
            "Completed",
            "Completed",
            5.1,
            0.9,
        ),
        (
            "sentiment-blazingtext-20261124-1412",
            "811284229777.dkr.ecr.us-east-1.amazonaws.com/blazingtext:1",
            "churn/train.csv",
            "Stopped",
            "Stopped",
            3.0,
            0.2,
        ),
        ("recsys-fm-20261125-nightly", FM_IMAGE, "recsys/ratings/", "Failed", "Failed", 2.0, 0.05),
        (
            "fraud-xgb-retrain-20261127-0815",
            XGB_IMAGE,
            "fraud/train.csv",
            "InProgress",
            "Training",
            0.15,
            None,
        ),
        (
            "segments-kmeans-20261127-0902",
            "382416733822.dkr.ecr.us-east-1.amazonaws.com/kmeans:1",
            "segments/customers.csv",
            "InProgress",
            "Starting",
            0.02,
            None,
        ),
    ]
    for name, image, data, status, secondary, age_days, hours in jobs:
        _training(sm, name, image, data, hyper={"num_round": "100"} if "xgb" in name else None)
        job = backend.training_jobs[name]
        moto_ext.CONFIG.training.pop(job.arn, None)  # seeded jobs keep their state
        created = _utc(days=age_days)
        job.creation_time = job.training_start_time = created
        job.training_job_status, job.secondary_status = status, secondary
        job.secondary_status_transitions = [
            {"Status": secondary, "StartTime": created, "StatusMessage": f"{secondary}"}
        ]
        if hours is None:
            job.training_end_time = None
            job.final_metric_data_list = []
            job.billable_time_in_seconds = None
        else:
            job.training_end_time = created + timedelta(hours=hours)
            job.billable_time_in_seconds = int(hours * 3600)
            job.final_metric_data_list = (
                [
                    {
                        "MetricName": "validation:auc",
                        "Value": 0.9121,
                        "Timestamp": job.training_end_time,
                    },
                    {
                        "MetricName": "train:auc",
                        "Value": 0.9433,
                        "Timestamp": job.training_end_time,
                    },
                ]
                if status == "Completed" and "xgb" in name
                else [
                    {"MetricName": "test:RMSE", "Value": 12.38, "Timestamp": job.training_end_time},
                ]
                if status == "Completed"
                else []
            )
        if status == "Failed":
            job.failure_reason = (
                "ClientError: Data download failed:Failed to download data. "
                "NoSuchKey: s3://acme-ml-data/recsys/ratings/part-0002.csv"
            )
    sm.create_processing_job(
        ProcessingJobName="churn-features-20261127-0700",
        RoleArn=ROLE_ARN,
        AppSpecification={
            "ImageUri": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
        },
        ProcessingResources={
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.xlarge",
                "VolumeSizeInGB": 30,
            }
        },
        StoppingCondition={"MaxRuntimeInSeconds": 3600},
    )
    sm.create_compilation_job(
        CompilationJobName="churn-xgb-neo-arm64",
        RoleArn=ROLE_ARN,
        InputConfig={
            "S3Uri": f"s3://{ARTIFACT_BUCKET}/models/churn-xgb-model/model.tar.gz",
            "Framework": "XGBOOST",
            "DataInputConfig": '{"data": [1, 5]}',
        },
        OutputConfig={
            "S3OutputLocation": f"s3://{ARTIFACT_BUCKET}/compiled",
            "TargetDevice": "ml_c5",
        },
        StoppingCondition={"MaxRuntimeInSeconds": 900},
    )
    sm.create_auto_ml_job_v2(
        AutoMLJobName="churn-autopilot-1120",
        RoleArn=ROLE_ARN,
        AutoMLJobInputDataConfig=[
            {
                "ChannelType": "training",
                "ContentType": "text/csv;header=present",
                "DataSource": {
                    "S3DataSource": {
                        "S3DataType": "S3Prefix",
                        "S3Uri": f"s3://{DATA_BUCKET}/churn/train.csv",
                    }
                },
            }
        ],
        OutputDataConfig={"S3OutputPath": f"s3://{ARTIFACT_BUCKET}/autopilot"},
        AutoMLProblemTypeConfig={
            "TabularJobConfig": {
                "TargetAttributeName": "churned",
                "CompletionCriteria": {"MaxCandidates": 20},
            }
        },
        AutoMLJobObjective={"MetricName": "F1"},
    )
    moto_ext.CONFIG.labeling_jobs.append(
        {
            "LabelingJobName": "support-tickets-intent-labels",
            "LabelingJobArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:labeling-job/support-tickets-intent-labels",
            "CreationTime": _utc(days=1),
            "LastModifiedTime": _utc(hours=2),
            "LabelingJobStatus": "InProgress",
            "LabelCounters": {
                "TotalLabeled": 1840,
                "HumanLabeled": 1210,
                "MachineLabeled": 630,
                "FailedNonRetryableError": 3,
                "Unlabeled": 2160,
            },
            "WorkteamArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:workteam/private-crowd/support-team",
            "PreHumanTaskLambdaArn": "arn:aws:lambda:us-east-1:432418664414:function:PRE-TextMultiClass",
        }
    )


def _seed_monitoring() -> None:
    """Hourly data-quality checks: fraud-detector-prod drifts since this morning."""
    plans = [
        ("fraud-detector-prod", "fraud-detector-data-quality", "DataQuality", 9),
        ("churn-xgb-prod", "churn-xgb-model-quality", "ModelQuality", 0),
    ]
    for endpoint, name, kind, bad_hours in plans:
        arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:monitoring-schedule/{name}"
        moto_ext.CONFIG.monitoring_schedules.append(
            {
                "MonitoringScheduleName": name,
                "MonitoringScheduleArn": arn,
                "CreationTime": _utc(days=30),
                "LastModifiedTime": _utc(days=2),
                "MonitoringScheduleStatus": "Scheduled",
                "EndpointName": endpoint,
                "MonitoringType": kind,
            }
        )
        for hour in range(1, 7 * 24, 6):
            scheduled = _utc(hours=hour).replace(minute=0, second=0, microsecond=0)
            status = "CompletedWithViolations" if hour <= bad_hours else "Completed"
            moto_ext.CONFIG.monitoring_executions.append(
                {
                    "MonitoringScheduleName": name,
                    "ScheduledTime": scheduled,
                    "CreationTime": scheduled,
                    "LastModifiedTime": scheduled + timedelta(minutes=12),
                    "MonitoringExecutionStatus": status,
                    "ProcessingJobArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:processing-job/{name}-{hour}",
                    "EndpointName": endpoint,
                    "MonitoringType": kind,
                }
            )


# What fraud-detector-prod's latest data-quality run found, as Model Monitor writes it.
FRAUD_VIOLATIONS = [
    {
        "feature_name": "amount",
        "constraint_check_type": "baseline_drift_check",
        "description": "Baseline drift distance: 0.41 exceeds threshold: 0.1",
    },
    {
        "feature_name": "country",
        "constraint_check_type": "baseline_drift_check",
        "description": "Baseline drift distance: 0.23 exceeds threshold: 0.1",
    },
    {
        "feature_name": "hour",
        "constraint_check_type": "completeness_check",
        "description": "Data completeness is 0.86, below the baseline's 1.0",
    },
    {
        "feature_name": "merchant_type",
        "constraint_check_type": "extra_column_check",
        "description": "There are extra columns in current dataset: merchant_type",
    },
]


def _seed_violations(sm: SageMakerClient, s3: S3Client) -> None:
    """Each schedule's latest run as the processing job Model Monitor ran, with its
    constraint_violations.json in S3 (fraud-detector-prod's names what drifted)."""
    latest: dict[str, dict[str, Any]] = {}
    for execution in moto_ext.CONFIG.monitoring_executions:
        name = execution["MonitoringScheduleName"]
        if name not in latest or execution["ScheduledTime"] > latest[name]["ScheduledTime"]:
            latest[name] = execution
    for name, execution in latest.items():
        when = execution["ScheduledTime"]
        job = f"model-monitoring-{when:%Y%m%d%H%M}-{name[:30]}"
        prefix = f"monitoring/{execution['EndpointName']}/{name}/{when:%Y/%m/%d/%H}"
        sm.create_processing_job(
            ProcessingJobName=job,
            RoleArn=ROLE_ARN,
            AppSpecification={
                "ImageUri": "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"
            },
            ProcessingResources={
                "ClusterConfig": {
                    "InstanceCount": 1,
                    "InstanceType": "ml.m5.xlarge",
                    "VolumeSizeInGB": 20,
                }
            },
            ProcessingOutputConfig={
                "Outputs": [
                    {
                        "OutputName": "result",
                        "S3Output": {
                            "S3Uri": f"s3://{ARTIFACT_BUCKET}/{prefix}",
                            "LocalPath": "/opt/ml/processing/resultdata",
                            "S3UploadMode": "EndOfJob",
                        },
                    }
                ]
            },
            StoppingCondition={"MaxRuntimeInSeconds": 3600},
        )
        execution["ProcessingJobArn"] = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:processing-job/{job}"
        violations = (
            FRAUD_VIOLATIONS
            if execution["MonitoringExecutionStatus"] == "CompletedWithViolations"
            else []
        )
        s3.put_object(
            Bucket=ARTIFACT_BUCKET,
            Key=f"{prefix}/constraint_violations.json",
            Body=json.dumps({"violations": violations}, indent=2).encode(),
        )


def _seed_budgets(budgets: BudgetsClient) -> None:
    for name, limit, actual, forecast in (
        ("ml-platform-monthly", 5000, 4312.55, 5480.10),
        ("data-science-q4", 12000, 7050.00, 10900.00),
    ):
        budgets.create_budget(
            AccountId=ACCOUNT,
            Budget={
                "BudgetName": name,
                "BudgetLimit": {"Amount": str(limit), "Unit": "USD"},
                "TimeUnit": "MONTHLY" if "monthly" in name else "QUARTERLY",
                "BudgetType": "COST",
                "CalculatedSpend": {
                    "ActualSpend": {"Amount": f"{actual:.2f}", "Unit": "USD"},
                    "ForecastedSpend": {"Amount": f"{forecast:.2f}", "Unit": "USD"},
                },
            },
        )


STUDIO_DOMAIN = "d-sandbox0001"


def _seed_studio() -> None:
    """A Studio domain: dana's JupyterLab app on a GPU idle for four days, and an app of
    sam's busy an hour ago (not idle)."""
    moto_ext.CONFIG.studio_spaces += [
        {
            "DomainId": STUDIO_DOMAIN,
            "SpaceName": space,
            "Status": "InService",
            "CreationTime": _utc(days=40),
            "LastModifiedTime": _utc(days=4),
            "SpaceSettingsSummary": {"AppType": "JupyterLab"},
            "SpaceSharingSettingsSummary": {"SharingType": "Private"},
            "OwnershipSettingsSummary": {"OwnerUserProfileName": owner},
            "SpaceDisplayName": space,
        }
        for space, owner in (("dana-gpu-space", "dana"), ("sam-space", "sam"))
    ]
    for space, name, instance, created, active in (
        ("dana-gpu-space", "dana-gpu-lab", "ml.g4dn.xlarge", 12, 4),
        ("sam-space", "sam-lab", "ml.t3.medium", 3, 0.05),
    ):
        moto_ext.CONFIG.studio_apps.append(
            {
                "AppArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:app/{STUDIO_DOMAIN}/{space}/jupyterlab/{name}",
                "DomainId": STUDIO_DOMAIN,
                "SpaceName": space,
                "AppType": "JupyterLab",
                "AppName": name,
                "Status": "InService",
                "CreationTime": _utc(days=created),
                "LastHealthCheckTimestamp": _utc(minutes=3),
                "LastUserActivityTimestamp": _utc(days=active),
                "ResourceSpec": {"InstanceType": instance},
            }
        )


def _seed_advice() -> None:
    """Trusted Advisor's cost checks, as an account with Business support sees them."""
    now = _utc()
    moto_ext.CONFIG.advice = [
        {
            "id": f"sandbox-ta-{i}",
            "type": "standard",
            "checkArn": f"arn:aws:trustedadvisor:::check/{check}",
            "status": status,
            "pillars": ["cost_optimizing"],
            "source": "ta_check",
            "name": name,
            "resourcesAggregates": {"okCount": 4, "warningCount": count, "errorCount": 0},
            "pillarSpecificAggregates": {
                "costOptimizing": {
                    "estimatedMonthlySavings": savings,
                    "estimatedPercentMonthlySavings": 12.0,
                }
            },
            "createdAt": now - timedelta(days=20),
            "lastUpdatedAt": now - timedelta(hours=5),
            "arn": f"arn:aws:trustedadvisor::{ACCOUNT}:recommendation/sandbox-ta-{i}",
        }
        for i, (check, name, status, count, savings) in enumerate(
            (
                ("Qch7DwouX1", "Low Utilization Amazon EC2 Instances", "warning", 3, 184.32),
                ("DAvU99Dc4C", "Underutilized Amazon EBS Volumes", "warning", 5, 41.6),
                ("Ti39halfu8", "Amazon RDS Idle DB Instances", "ok", 0, 0.0),
            )
        )
    ]


def _seed_anomalies() -> None:
    """One cost anomaly: SageMaker training on GPU instances, three days last week."""
    start = date.today() - timedelta(days=9)
    moto_ext.CONFIG.anomalies.append(
        {
            "AnomalyId": "sandbox-anomaly-0001",
            "AnomalyStartDate": start.isoformat(),
            "AnomalyEndDate": (start + timedelta(days=2)).isoformat(),
            "DimensionValue": "Amazon SageMaker",
            "RootCauses": [
                {
                    "Service": "Amazon SageMaker",
                    "Region": REGION,
                    "LinkedAccount": ACCOUNT,
                    "UsageType": "USE1-Train:ml.p3.2xlarge",
                }
            ],
            "AnomalyScore": {"MaxScore": 0.87, "CurrentScore": 0.12},
            "Impact": {
                "MaxImpact": 148.2,
                "TotalImpact": 312.4,
                "TotalActualSpend": 738.4,
                "TotalExpectedSpend": 426.0,
                "TotalImpactPercentage": 73.3,
            },
            "MonitorArn": f"arn:aws:ce::{ACCOUNT}:anomalymonitor/sandbox-services",
        }
    )


def _seed_costs(rng: random.Random) -> None:
    today = date.today()
    for back in range(60, -1, -1):
        day = today - timedelta(days=back)
        weekend = day.weekday() >= 5
        moto_ext.CONFIG.costs[day] = {
            moto_ext.SERVICE_NAMES[service]: round(
                base
                * (0.7 if weekend and service != "s3" else 1.0)
                * rng.uniform(0.85, 1.2)
                * (1 + (60 - back) / 300),
                4,
            )
            for service, base in DAILY_COST.items()
        }
