"""DeployModel, DeleteEndpoint (moto) and InvokeEndpoint (Stubber, real response shapes)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.response import StreamingBody
from botocore.stub import Stubber

from intents.base import Approved
from intents.endpoints import (
    delete_endpoint,
    deploy_model,
    invoke_endpoint,
    run_delete_endpoint,
    run_deploy_model,
)
from intents.errors import InvalidInput, NotFound, Refused, UserError
from intents.reply import Proposal
from tests.conftest import ROLE_ARN, request


def _approved(intent: str, params: Any) -> Approved:
    return Approved(
        plan_id="p1",
        intent=intent,
        params=params,
        requester="U0ALICE",
        approver="U0ALICE",
        channel="C0MLOPS",
        thread_ts="1.0",
        request_id="r-1",
        origin_key="msg:T:C:1.0",
    )


OWN_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn-serving:1"  # moto's account
XGB_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"  # AWS's own


def _model(
    sm: Any,
    name: str,
    *,
    image: str = OWN_IMAGE,
    data: str = "s3://acme-ml-artifacts/m/model.tar.gz",
) -> None:
    sm.create_model(
        ModelName=name,
        ExecutionRoleArn=ROLE_ARN,
        PrimaryContainer={"Image": image, "ModelDataUrl": data},
    )


def _endpoint(sm: Any, name: str, config: str, model: str = "m1") -> None:
    try:
        sm.create_endpoint_config(
            EndpointConfigName=config,
            ProductionVariants=[
                {
                    "VariantName": "AllTraffic",
                    "ModelName": model,
                    "InstanceType": "ml.m5.large",
                    "InitialInstanceCount": 1,
                }
            ],
        )
    except ClientError:
        pass
    sm.create_endpoint(EndpointName=name, EndpointConfigName=config)


# ---------------------------------------------------------------------------- deploy


def _completed_training_job(sm: Any, name: str) -> None:
    """moto finishes a training job as soon as it is created."""
    sm.create_training_job(
        TrainingJobName=name,
        AlgorithmSpecification={"TrainingImage": XGB_IMAGE, "TrainingInputMode": "File"},
        RoleArn=ROLE_ARN,
        OutputDataConfig={"S3OutputPath": "s3://acme-ml-artifacts/out"},
        ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 10},
        StoppingCondition={"MaxRuntimeInSeconds": 60},
    )


def test_deploy_proposes_model_config_endpoint_with_hourly_cost(deps: Any) -> None:
    _model(deps.aws.sagemaker, "churn-model")
    proposal = deploy_model(request("DeployModel", modelName="churn-model"), deps)
    assert isinstance(proposal, Proposal)
    details = {k: str(v) for k, v in proposal.details}
    assert details["Instances"] == "ml.m5.large × 1"
    assert details["Cost"].startswith("*$0.12*/h, about $83.95/month while it runs")
    assert proposal.params["create_model"] is None
    assert proposal.params["endpoint"].startswith("churn-model-2026")


def test_deploy_creates_everything_and_follows_the_endpoint(deps: Any) -> None:
    sm = deps.aws.sagemaker
    _model(sm, "churn-model")
    proposal = deploy_model(
        request(
            "DeployModel",
            "deploy churn-model on ml.c5.xlarge",
            modelName="churn-model",
            instanceType="ml.c5.xlarge",
        ),
        deps,
    )
    run_deploy_model(_approved("DeployModel", proposal.params), deps)  # type: ignore[union-attr]
    endpoint = sm.describe_endpoint(EndpointName=proposal.params["endpoint"])  # type: ignore[union-attr]
    config = sm.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    assert config["ProductionVariants"][0]["InstanceType"] == "ml.c5.xlarge"
    assert config["ProductionVariants"][0]["ModelName"] == "churn-model"
    assert [(f.kind, f.name) for f in deps.state.active_follows()] == [
        ("endpoint", endpoint["EndpointName"])
    ]


def test_deploy_from_a_completed_training_job_creates_the_model(deps: Any) -> None:
    sm = deps.aws.sagemaker
    _completed_training_job(sm, "xgb-job-1")
    proposal = deploy_model(request("DeployModel", modelName="xgb-job-1"), deps)
    assert proposal.params["create_model"]["image"] == XGB_IMAGE  # type: ignore[union-attr, index]
    run_deploy_model(_approved("DeployModel", proposal.params), deps)  # type: ignore[union-attr]
    assert sm.describe_model(ModelName="xgb-job-1")["PrimaryContainer"]["ModelDataUrl"].endswith(
        "model.tar.gz"
    )


def test_a_failure_half_way_cleans_up_and_says_what_exists(deps: Any) -> None:
    sm = deps.aws.sagemaker
    _completed_training_job(sm, "xgb-job-2")
    proposal = deploy_model(request("DeployModel", modelName="xgb-job-2"), deps)

    # Given CreateEndpoint fails (quota) after the model and its configuration were created
    def quota(**kwargs: Any) -> None:
        raise ClientError(
            {"Error": {"Code": "ResourceLimitExceeded", "Message": "endpoint quota reached"}},
            "CreateEndpoint",
        )

    sm.meta.events.register("before-call.sagemaker.CreateEndpoint", quota)
    with pytest.raises(UserError) as err:
        run_deploy_model(_approved("DeployModel", proposal.params), deps)  # type: ignore[union-attr]
    assert (
        "while creating endpoint" in err.value.message
        and "endpoint quota reached" in err.value.message
    )
    assert (
        "I removed what I had created (endpoint configuration" in err.value.hint
        and "model xgb-job-2" in err.value.hint
    )
    assert sm.list_models()["Models"] == [] and sm.list_endpoint_configs()["EndpointConfigs"] == []


@pytest.mark.parametrize(
    "slots,error,words",
    [
        (
            {"modelName": "nope-model"},
            NotFound,
            "no model, training job or Autopilot job named nope-model",
        ),
        (
            {"modelName": "churn-model", "instanceType": "ml.x9.large"},
            InvalidInput,
            "not a SageMaker hosting",
        ),
        (
            {"modelName": "churn-model", "instanceType": "ml.p3.8xlarge"},
            Refused,
            "CHATOPS_ALLOWED_INSTANCE_TYPES",
        ),
        ({"modelName": "bad name"}, InvalidInput, "not a valid model name"),
    ],
)
def test_deploy_bad_input(deps: Any, slots: dict[str, str], error: type, words: str) -> None:
    _model(deps.aws.sagemaker, "churn-model")
    with pytest.raises(error, match=words):
        deploy_model(request("DeployModel", **slots), deps)


# ---------------------------------------------------------------------------- delete


def test_delete_removes_an_unshared_configuration(deps: Any) -> None:
    sm = deps.aws.sagemaker
    _model(sm, "m1")
    _endpoint(sm, "alone-ep", "alone-cfg")
    proposal = delete_endpoint(request("DeleteEndpoint", endpointName="alone-ep"), deps)
    assert "deleted too" in dict(proposal.details)["Configuration"]  # type: ignore[union-attr]
    reply = run_delete_endpoint(_approved("DeleteEndpoint", proposal.params), deps)  # type: ignore[union-attr]
    assert (
        sm.list_endpoints()["Endpoints"] == []
        and sm.list_endpoint_configs()["EndpointConfigs"] == []
    )
    assert "alone-cfg" in str(reply.blocks[0].text)


def test_delete_keeps_a_configuration_another_endpoint_uses(deps: Any) -> None:
    sm = deps.aws.sagemaker
    _model(sm, "m1")
    _endpoint(sm, "ep-a", "shared-cfg")
    _endpoint(sm, "ep-b", "shared-cfg")
    proposal = delete_endpoint(request("DeleteEndpoint", endpointName="ep-a"), deps)
    assert "kept: also used by ep-b" in dict(proposal.details)["Configuration"]  # type: ignore[union-attr]
    run_delete_endpoint(_approved("DeleteEndpoint", proposal.params), deps)  # type: ignore[union-attr]
    assert [e["EndpointName"] for e in sm.list_endpoints()["Endpoints"]] == ["ep-b"]
    assert [c["EndpointConfigName"] for c in sm.list_endpoint_configs()["EndpointConfigs"]] == [
        "shared-cfg"
    ]


def _answer_search(sm: Any, *, results: list[Any] | None = None, denied: bool = False) -> None:
    """Search answers *results* (an index that has not caught up), or is not allowed."""
    from botocore.awsrequest import AWSResponse
    from botocore.compat import HTTPHeaders

    def answer(**_: Any) -> Any:
        if denied:
            error = {"Code": "AccessDeniedException", "Message": "not authorized"}
            return AWSResponse("https://x", 403, HTTPHeaders(), None), {"Error": error}
        return AWSResponse("https://x", 200, HTTPHeaders(), None), {"Results": results or []}

    sm.meta.events.register_first("before-call.sagemaker.Search", answer)


def _old(sm: Any, *names: str) -> None:
    """These endpoints were last changed a month ago."""
    from datetime import UTC, datetime, timedelta

    from moto.sagemaker.models import sagemaker_backends

    backend = sagemaker_backends["123456789012"]["us-east-1"]
    month_ago = (datetime.now(UTC) - timedelta(days=30)).replace(tzinfo=None)  # moto: naive UTC
    for name in names:
        endpoint = backend.endpoints[name]
        endpoint.creation_time = endpoint.last_modified_time = month_ago


def test_an_endpoint_too_new_for_search_still_keeps_the_configuration(deps: Any) -> None:
    sm = deps.aws.sagemaker
    _model(sm, "m1")
    _endpoint(sm, "ep-a", "shared-cfg")
    _endpoint(sm, "ep-old", "other-cfg")
    _old(sm, "ep-a", "ep-old")
    _endpoint(sm, "ep-new", "shared-cfg")  # a minute ago
    # Given a Search index that has not seen ep-new yet
    _answer_search(sm, results=[])
    calls: list[str] = []
    sm.meta.events.register_first(
        "before-call.sagemaker.*", lambda model, **_: calls.append(model.name)
    )
    proposal = delete_endpoint(request("DeleteEndpoint", endpointName="ep-a"), deps)
    # Then the endpoints changed in the last minutes are described, and ep-new is found
    assert "kept: also used by ep-new" in dict(proposal.details)["Configuration"]  # type: ignore[union-attr]
    assert calls.count("DescribeEndpoint") == 2  # ep-a, ep-new; not ep-old


def test_without_search_permission_every_endpoint_is_described(deps: Any) -> None:
    sm = deps.aws.sagemaker
    _model(sm, "m1")
    _endpoint(sm, "ep-a", "shared-cfg")
    _endpoint(sm, "ep-b", "shared-cfg")
    _endpoint(sm, "ep-c", "other-cfg")
    _old(sm, "ep-a", "ep-b", "ep-c")
    _answer_search(sm, denied=True)
    proposal = delete_endpoint(request("DeleteEndpoint", endpointName="ep-a"), deps)
    assert "kept: also used by ep-b" in dict(proposal.details)["Configuration"]  # type: ignore[union-attr]


def test_delete_unknown_endpoint_suggests_close_names(deps: Any) -> None:
    _model(deps.aws.sagemaker, "m1")
    _endpoint(deps.aws.sagemaker, "recsys-staging", "c1")
    with pytest.raises(NotFound) as err:
        delete_endpoint(request("DeleteEndpoint", endpointName="recsys-stagin"), deps)
    assert "recsys-staging" in err.value.hint


# ---------------------------------------------------------------------------- invoke


def _body(text: str) -> StreamingBody:
    data = text.encode()
    return StreamingBody(io.BytesIO(data), len(data))


def test_invoke_csv_shows_the_prediction(deps: Any) -> None:
    runtime = deps.aws.sagemaker_runtime
    with Stubber(runtime) as stub:
        stub.add_response(
            "invoke_endpoint",
            {
                "Body": _body("0.8734\n"),
                "ContentType": "text/csv",
                "InvokedProductionVariant": "AllTraffic",
            },
            {
                "EndpointName": "churn-prod",
                "ContentType": "text/csv",
                "Accept": "text/csv",
                "Body": b"34,1,0,59.99",
            },
        )
        reply = invoke_endpoint(
            request("InvokeEndpoint", endpointName="churn-prod", payload="`34,1,0,59.99`"), deps
        )
    assert str(reply.blocks[1].text) == "Prediction: *0.8734*"


def test_invoke_json_picks_the_content_type(deps: Any) -> None:
    runtime = deps.aws.sagemaker_runtime
    with Stubber(runtime) as stub:
        stub.add_response(
            "invoke_endpoint",
            {
                "Body": _body('{"predictions": [{"score": 0.91}]}'),
                "ContentType": "application/json",
            },
            {
                "EndpointName": "fraud-prod",
                "ContentType": "application/json",
                "Accept": "application/json",
                "Body": b'{"amount": 120}',
            },
        )
        reply = invoke_endpoint(
            request("InvokeEndpoint", endpointName="fraud-prod", payload='{"amount": 120}'), deps
        )
    assert '"score": 0.91' in str(reply.blocks[1].text)


def test_invoke_errors_are_explained(deps: Any, caplog: Any) -> None:
    runtime = deps.aws.sagemaker_runtime
    container_says = (
        'Received server error (500) from primary with message "Traceback (most recent call '
        'last): File /opt/ml/code/inference.py ... DB_PASSWORD=hunter2"'
    )
    with Stubber(runtime) as stub:
        stub.add_client_error(
            "invoke_endpoint",
            "ModelError",
            container_says,
            424,
            modeled_fields={"OriginalStatusCode": 500, "OriginalMessage": container_says},
        )
        with pytest.raises(UserError) as refused:
            invoke_endpoint(
                request("InvokeEndpoint", endpointName="churn-prod", payload="1,2"), deps
            )
        # The user learns what happened, not what the container printed; the log keeps it
        said = refused.value.message + refused.value.hint
        assert "returned an error (its container answered HTTP 500)" in said
        assert "Traceback" not in said and "hunter2" not in said
        assert any("hunter2" in r.getMessage() for r in caplog.records)

        stub.add_client_error(
            "invoke_endpoint",
            "ValidationError",
            "Endpoint ghost of account 123456789012 not found.",
            400,
        )
        with pytest.raises(NotFound, match="no endpoint named ghost"):
            invoke_endpoint(request("InvokeEndpoint", endpointName="ghost", payload="1,2"), deps)


def test_invoke_refuses_oversized_and_malformed_payloads(deps: Any) -> None:
    with pytest.raises(InvalidInput, match="6 MB"):
        invoke_endpoint(
            request("InvokeEndpoint", endpointName="ep", payload="1," * 3_200_000 + "1"), deps
        )
    with pytest.raises(InvalidInput, match="isn't valid JSON"):
        invoke_endpoint(request("InvokeEndpoint", endpointName="ep", payload='{"amount": }'), deps)


@pytest.mark.parametrize(
    "image, data, words",
    [
        (
            OWN_IMAGE,
            "s3://someone-elses-bucket/m/model.tar.gz",
            "bucket someone-elses-bucket is not allowed",
        ),
        (
            "999999999999.dkr.ecr.us-east-1.amazonaws.com/miner:latest",
            "s3://acme-ml-artifacts/m.tar.gz",
            "account 999999999999, which is not trusted",
        ),
        ("docker.io/library/nginx:latest", "s3://acme-ml-artifacts/m.tar.gz", "not in Amazon ECR"),
    ],
)
def test_deploy_refuses_models_from_outside_the_rules(
    deps: Any, image: str, data: str, words: str
) -> None:
    _model(deps.aws.sagemaker, "suspicious-model", image=image, data=data)
    with pytest.raises(Refused, match=words):
        deploy_model(request("DeployModel", modelName="suspicious-model"), deps)


def test_deploy_of_a_training_job_checks_its_artifacts_bucket(deps: Any) -> None:
    import dataclasses

    _completed_training_job(deps.aws.sagemaker, "xgb-job-9")
    strict = dataclasses.replace(
        deps, settings=deps.settings.model_copy(update={"allowed_buckets": ["acme-ml-data"]})
    )
    with pytest.raises(Refused, match="acme-ml-artifacts is not allowed for model artifacts"):
        deploy_model(request("DeployModel", modelName="xgb-job-9"), strict)


def test_deploy_with_kms_required_and_no_key_is_refused(deps: Any) -> None:
    import dataclasses

    _model(deps.aws.sagemaker, "m-kms")
    strict = dataclasses.replace(
        deps, settings=deps.settings.model_copy(update={"require_kms": True})
    )
    with pytest.raises(Refused, match="CHATOPS_REQUIRE_KMS"):
        deploy_model(request("DeployModel", modelName="m-kms"), strict)


def test_an_image_account_can_be_allowed_by_setting(deps: Any) -> None:
    import dataclasses

    partner = "111122223333.dkr.ecr.us-east-1.amazonaws.com/partner-model:3"
    _model(deps.aws.sagemaker, "partner-model", image=partner)
    trusting = dataclasses.replace(
        deps, settings=deps.settings.model_copy(update={"allowed_image_accounts": ["111122223333"]})
    )
    assert isinstance(
        deploy_model(request("DeployModel", modelName="partner-model"), trusting), Proposal
    )
