# syntax=docker/dockerfile:1

# digestbot in a container: `docker build -t digestbot .`, then `docker run -e DIGESTBOT_TOKEN=...
# -v digestbot-data:/data digestbot` (SQLite in /data), or `docker compose up` for PostgreSQL.
# tests/test_dockerfile.py keeps the install and start commands here the same as the Makefile's
# and the README's.

# Stage 1: wheels. Building digestbot's wheel runs the hatch hook (hatch_build.py), which compiles
# the translation catalogs (.po -> .mo) into it and adds seeds/ as the packaged demo; its
# dependencies (with PostgreSQL) become wheels too.
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml hatch_build.py README.md ./
COPY src ./src
COPY seeds ./seeds
RUN python -m pip install --quiet --upgrade pip
RUN python -m pip wheel --quiet --wheel-dir /wheels '.[postgres]'
# The shipped settings, with the container's folders: articles in /articles, a webhook server that
# listens on every interface (only used when [telegram] webhook_url is set).
COPY config/digestbot.toml ./digestbot.toml
RUN sed -e 's|^articles_dir = .*$|articles_dir = "/articles"|' \
        -e 's|^webhook_listen = .*$|webhook_listen = "0.0.0.0"|' \
        digestbot.toml > /etc/digestbot.toml

# Stage 2: the runtime. Only the wheels are installed: no compiler, no source tree, no pip cache.
FROM python:3.11-slim AS runtime
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONUNBUFFERED=1 \
    DIGESTBOT_CONFIG=/etc/digestbot/digestbot.toml \
    DIGESTBOT_DATA_DIR=/data \
    DIGESTBOT_MONITORING_ADDRESS=0.0.0.0:9464
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    python -m pip install --quiet --no-index --find-links /wheels 'digestbot[postgres]'
RUN groupadd --system --gid 10001 digestbot \
    && useradd --system --uid 10001 --gid digestbot --home-dir /data --no-create-home digestbot \
    && mkdir -p /data /articles \
    && chown digestbot:digestbot /data
COPY --from=build /etc/digestbot.toml /etc/digestbot/digestbot.toml
# The demo articles; mount your own folder over /articles (read-only is enough).
COPY seeds /articles
# SQLite database and other state; keep it on a volume.
VOLUME ["/data"]
WORKDIR /data
USER digestbot
# The webhook server's port ([telegram] webhook_port); long polling needs no open port.
EXPOSE 8443
# The monitoring endpoint (DIGESTBOT_MONITORING_ADDRESS above): /healthz, /readyz and /metrics
# for Prometheus (compose.yaml's `monitoring` profile scrapes it at bot:9464).
EXPOSE 9464
# `digestbot healthcheck`: GET /readyz from the bot's monitoring endpoint (0.0.0.0 is asked on
# 127.0.0.1); healthy while the bot answers 200 (database, runtime, sender, tick and Bot API ok).
# It only asks the bot process, never Telegram. The bot itself is PID 1: when it stops, the
# container stops.
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 \
    CMD ["digestbot", "healthcheck"]
ENTRYPOINT ["digestbot"]
CMD ["run"]
