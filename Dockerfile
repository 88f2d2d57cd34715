# Production image: `chatops run` against real Slack and AWS. No sandbox, no test tools.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CHATOPS_STATE_DB=/data/chatops.db \
    CHATOPS_PORT=3000

WORKDIR /app
RUN useradd --create-home --uid 10001 chatops \
    && mkdir /data \
    && chown chatops:chatops /data

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY intents ./intents
COPY lex ./lex
RUN pip install --no-cache-dir .

USER 10001
VOLUME ["/data"]
# HTTP mode listens here (/slack/events, /healthz); in Socket Mode only /healthz is served.
EXPOSE 3000
# The state backend answers and Slack accepts the token (see README, Running in production).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('CHATOPS_PORT', '3000')}/healthz\", timeout=4)"]
# chatops stops taking work, finishes what is in flight and releases its leases on SIGTERM.
STOPSIGNAL SIGTERM
ENTRYPOINT ["chatops"]
CMD ["run"]
