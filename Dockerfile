# firstline in a container (README.md, "In a container"): the README's install, run as a user
# without rights, the database migrated before the bot starts, health from GET /healthz.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 firstline \
    && mkdir /data && chown firstline /data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY knowledge ./knowledge
# the README's install command, as it stands there
RUN python3 -m venv .venv && .venv/bin/pip install -q -e . \
    && chown -R firstline knowledge

USER firstline
# the bot writes answers added to the FAQ into the knowledge folder; SQLite, when no
# DATABASE_URL is given, lives in /data
ENV PATH=/app/.venv/bin:$PATH \
    KNOWLEDGE_DIR=/app/knowledge \
    DATABASE_URL=sqlite:////data/firstline.db \
    PORT=3000
VOLUME /data
EXPOSE 3000

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"

# migrate first, then the command: `firstline run --http` unless another is given
ENTRYPOINT ["/bin/sh", "-c", "firstline db upgrade && exec \"$@\"", "firstline"]
CMD ["firstline", "run", "--http"]
