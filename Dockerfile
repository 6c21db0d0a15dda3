# SabiScore: the API and web app on Deno, as one embedded instance (state in a KV file on the
# volume) or as one instance of a fleet (REDIS_URL set, KV_PATH=:memory:, no volume needed).
#   docker build -t sabiscore .
#   docker run -p 8000:8000 -v sabiscore-data:/app/data sabiscore
#   docker run -p 8000:8000 -e REDIS_URL=redis://redis:6379 -e KV_PATH=:memory: sabiscore
FROM denoland/deno:2.9.6

WORKDIR /app
RUN chown deno:deno /app
USER deno

# Dependencies first, so code changes do not refetch them.
COPY --chown=deno:deno deno.json deno.lock ./
RUN deno install --frozen

COPY --chown=deno:deno . .
# Type-check and cache the whole module graph at build time.
RUN deno check server/main.ts && mkdir -p /app/data

ENV PORT=8000 \
    HOSTNAME=0.0.0.0 \
    KV_PATH=/app/data/sabiscore.kv \
    MODEL_DIR=/app/models \
    SKIP_S3=true \
    LOG_LEVEL=info

VOLUME ["/app/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
  CMD ["deno", "eval", "const r = await fetch('http://127.0.0.1:8000/health/live'); Deno.exit(r.ok ? 0 : 1)"]

# SIGTERM from `docker stop` triggers the graceful shutdown (readiness 503, drain, close KV).
# V8 flags as in the start task of deno.json: a 4 MB young generation and a 1.5x old-generation
# growth keep the resident memory ~120 MB lower under load (throughput change within the noise
# of docs/BENCHMARKS.md measurements).
CMD ["deno", "run", "-A", "--unstable-kv", "--v8-flags=--max-semi-space-size=8,--heap-growing-percent=50,--expose-gc,--no-memory-pool", "server/main.ts"]
