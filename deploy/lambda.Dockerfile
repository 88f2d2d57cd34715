# The function's image (deploy/template.yaml; `sam build` builds it from the repository root).
# The bot and its runtime dependencies from pyproject.toml, installed where Lambda's Python
# base image looks for the handler: no sandbox, no test tools, no build-time SDK.
FROM public.ecr.aws/lambda/python:3.12

ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /tmp/src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY intents ./intents
COPY lex ./lex
RUN pip install --no-cache-dir --target "${LAMBDA_TASK_ROOT}" . \
    && rm -rf /tmp/src

WORKDIR ${LAMBDA_TASK_ROOT}
CMD ["bot.aws_lambda.handler"]
