"""Slack's HTTP requests on AWS Lambda, through Bolt's own Lambda adapter.

API Gateway (HTTP API payload 2.0, REST API 1.0) and function URLs hand the function the
request as an event; Bolt's :class:`SlackRequestHandler` turns it into a ``BoltRequest``
(decoding a base64 body), the app checks Slack's signature, the listener acks, and the
response goes back within Slack's 3 seconds. The work is in lazy listeners: Bolt invokes
the function again, asynchronously (``InvocationType="Event"``), with the same request
marked for one lazy listener, and that invocation (signature checked again) does the work.

What this adds to Bolt's handler: the function's client comes from the bot's clients
(typed, and replaceable in tests), and an event Bolt would trip over (no headers, a null
query, a body that is not base64) is a 400 with one log line, never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from slack_bolt import App, BoltRequest
from slack_bolt.adapter.aws_lambda.handler import (
    SlackRequestHandler,
    to_aws_response,
    to_bolt_request,
)
from slack_bolt.adapter.aws_lambda.lazy_listener_runner import LambdaLazyListenerRunner

if TYPE_CHECKING:
    from types_boto3_lambda import LambdaClient

log = logging.getLogger(__name__)


class SelfInvoker(LambdaLazyListenerRunner):
    """Bolt's runner of lazy listeners on Lambda, with the bot's Lambda client: each lazy
    listener is an asynchronous invocation of this function (the function's ARN from its
    context, the request as the payload)."""

    def __init__(self, logger: logging.Logger, client: LambdaClient) -> None:
        super().__init__(logger, lambda_client=client)

    def start(self, function: Callable[..., None], request: BoltRequest) -> None:
        # Bolt's, unchanged; here so that the function invoking itself is this module's call
        # (tests/aws_calls.py grants it to the function's role, not deploy/iam-policy.json).
        super().start(function, request)


class SlackOnLambda(SlackRequestHandler):
    def __init__(self, app: App, lambda_client: LambdaClient) -> None:
        super().__init__(app)
        app.listener_runner.lazy_listener_runner = SelfInvoker(self.logger, lambda_client)

    def handle(self, event: Any, context: Any) -> dict[str, Any]:
        """The API Gateway response to *event* (a POST of Slack's; anything else is a 404)."""
        if _method(event) != "POST":
            return {"statusCode": 404, "body": "Not Found", "headers": {}}
        clean = _normalized(event)
        try:
            request = to_bolt_request(clean)
        except Exception as exc:  # not base64, not UTF-8, or a body Bolt cannot parse
            log.warning("ignored an unreadable Slack request (%s)", type(exc).__name__)
            return {"statusCode": 400, "body": "", "headers": {}}
        request.context["aws_lambda_function_name"] = getattr(context, "function_name", "")
        request.context["aws_lambda_invoked_function_arn"] = getattr(
            context, "invoked_function_arn", ""
        )
        request.context["lambda_request"] = clean
        response: dict[str, Any] = to_aws_response(self.app.dispatch(request))
        return response


def _method(event: Mapping[str, Any]) -> str | None:
    context = event.get("requestContext")
    if not isinstance(context, Mapping):
        return None
    http = context.get("http")  # payload 2.0 and function URLs
    method = http.get("method") if isinstance(http, Mapping) else context.get("httpMethod")
    return method.upper() if isinstance(method, str) else None


def _normalized(event: Mapping[str, Any]) -> dict[str, Any]:
    """The event with the shapes Bolt's adapter expects: text headers, a query object, a
    body, a base64 flag, cookie lists. Bolt's lazy re-invocation carries this one."""

    def strings(value: Any) -> dict[str, str]:
        if not isinstance(value, Mapping):
            return {}
        return {str(k): v for k, v in value.items() if isinstance(v, str)}

    def lists(value: Any) -> dict[str, list[str]]:
        if not isinstance(value, Mapping):
            return {}
        return {
            str(k): [x for x in v if isinstance(x, str)]
            for k, v in value.items()
            if isinstance(v, list)
        }

    body = event.get("body")
    cookies = event.get("cookies")
    return {
        **event,
        "headers": strings(event.get("headers")),
        "multiValueHeaders": lists(event.get("multiValueHeaders")),
        "queryStringParameters": strings(event.get("queryStringParameters")),
        "cookies": [c for c in cookies if isinstance(c, str)] if isinstance(cookies, list) else [],
        "body": body if isinstance(body, str) else "",
        "isBase64Encoded": event.get("isBase64Encoded") is True,
    }
