# newswatch image: one image, every role chosen by its command
# (newswatch run | worker | delivery | publish); see deploy/docker-compose.yml.

# Build stage: the wheel, with the analysis hot path compiled by mypyc (hatch_build.py). gcc is needed
# here only; the runtime image gets the wheel and no compiler. A failed compilation fails the image
# build (NEWSWATCH_REQUIRE_COMPILED) rather than shipping slower pure Python unnoticed; build with
# `--build-arg NEWSWATCH_PURE=1` for a pure-Python image.
FROM python:3.11-slim AS wheel
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
ARG NEWSWATCH_PURE=0
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    NEWSWATCH_PURE=$NEWSWATCH_PURE \
    NEWSWATCH_REQUIRE_COMPILED=1
WORKDIR /src
COPY pyproject.toml README.md hatch_build.py ./
COPY services ./services
COPY schemas ./schemas
RUN pip wheel --no-deps --wheel-dir /wheels .

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

COPY --from=wheel /wheels /wheels
RUN pip install /wheels/*.whl && rm -rf /wheels

# unprivileged runtime user; its home holds the (unused in distributed mode) embedded data dir
RUN useradd --create-home --uid 10001 newswatch
USER newswatch
WORKDIR /home/newswatch
ENV NEWSWATCH_DATA_DIR=/home/newswatch/data

EXPOSE 8080 9100 9101
CMD ["newswatch", "run", "--host", "0.0.0.0", "--port", "8080"]
