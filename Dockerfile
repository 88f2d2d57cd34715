# Production image: `chatops run` against real Slack and AWS.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CHATOPS_STATE_DB=/data/chatops.db

WORKDIR /app
RUN useradd --create-home --uid 10001 chatops \
    && mkdir /data \
    && chown chatops:chatops /data

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY intents ./intents
COPY lex ./lex
RUN pip install --no-cache-dir .

USER chatops
VOLUME ["/data"]
# HTTP mode listens here (/slack/events, /healthz); Socket Mode needs no port.
EXPOSE 3000
ENTRYPOINT ["chatops"]
CMD ["run"]
