# Minga in a container. Build: docker build -t minga .   Run: see compose.yaml and the
# README ("Production set-up"). The config file is mounted at /etc/minga/config.toml with
# its storage paths under /data (the one volume); secrets come from the environment.

# ---- build: install Minga and its dependencies into a virtualenv ----------------------
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/minga
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY commands ./commands
COPY domain ./domain
COPY storage ./storage
COPY devtools ./devtools
RUN /opt/minga/bin/pip install . && /opt/minga/bin/minga --version

# ---- run: the virtualenv alone, as an unprivileged user ---------------------------------
FROM python:3.11-slim-bookworm
RUN groupadd --system --gid 10001 minga \
    && useradd --system --uid 10001 --gid minga --home-dir /data --shell /usr/sbin/nologin minga \
    && install -d -m 0700 -o minga -g minga /data \
    && install -d -m 0755 /etc/minga
COPY --from=build /opt/minga /opt/minga
ENV PATH=/opt/minga/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
USER minga
WORKDIR /data
# The database, the encryption store (keys, saved login) and anything else Minga keeps.
VOLUME ["/data"]
# Unhealthy when the last successful sync is older than 10 minutes (minga status).
HEALTHCHECK --interval=60s --timeout=20s --start-period=120s --retries=3 \
    CMD ["minga", "status", "--config", "/etc/minga/config.toml"]
# Minga stops cleanly on SIGTERM: loops stopped, database closed, never logged out.
STOPSIGNAL SIGTERM
ENTRYPOINT ["minga"]
CMD ["run", "--config", "/etc/minga/config.toml"]
