# newswatch image: one image, every role chosen by its command
# (newswatch run | worker | delivery | publish); see deploy/docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
# metadata first: the dependency layer is rebuilt only when pyproject.toml changes
COPY pyproject.toml README.md ./
COPY services ./services
COPY schemas ./schemas
RUN pip install . && rm -rf /src

# unprivileged runtime user; its home holds the (unused in distributed mode) embedded data dir
RUN useradd --create-home --uid 10001 newswatch
USER newswatch
WORKDIR /home/newswatch
ENV NEWSWATCH_DATA_DIR=/home/newswatch/data

EXPOSE 8080 9100 9101
CMD ["newswatch", "run", "--host", "0.0.0.0", "--port", "8080"]
