# syntax=docker/dockerfile:1
# The matching service (semmatch serve) in a container: multi-stage, non-root, with a health check.
#   docker build -t semanticmatch .
#   docker run -p 8080:8080 -v semmatch-data:/data semanticmatch
# Training (semmatch-train, libtorch) is not in this image; train elsewhere and mount the model directory.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
# Framework-dependent for linux-x64 only: no other platforms' native libraries in the image.
RUN dotnet publish src/SemanticMatch.Cli -c Release -r linux-x64 --self-contained false -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# libgomp1: USearch (HNSW) links against OpenMP. curl: the health check.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
# /data: collections, write-ahead logs and API keys (a volume). The model store (bundled models unpacked, int8 copies)
# lives outside it so that the data volume holds only collections.
ENV SEMANTICMATCH_MODELS=/var/cache/semanticmatch/models
RUN mkdir -p /data /var/cache/semanticmatch && chown -R "$APP_UID" /data /var/cache/semanticmatch
USER $APP_UID
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
# Inside a container the service must listen on all interfaces; publish the port deliberately (-p 127.0.0.1:8080:8080
# keeps it local) and add API keys (docker exec ... ./semmatch keys add --data /data ...) before exposing it further.
ENTRYPOINT ["./semmatch", "serve", "--data", "/data", "--urls", "http://0.0.0.0:8080"]
