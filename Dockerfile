# syntax=docker/dockerfile:1
# shop: one binary e-commerce backend.
#   docker build -t shop .
#   docker run --rm -p 8080:8080 -v shop-data:/data shop
# PostgreSQL instead of SQLite files in /data: -e SHOP_DB_URL=postgresql://user:pass@host:5432/shop
# Configuration: SHOP_<KEY> environment variables (see config/shop.json), or mount a file and
# pass it: docker run ... shop serve --config /etc/shop/shop.json
# Stopping: SIGTERM drains in-flight requests for up to SHOP_HTTP_SHUTDOWN_GRACE_MS (8 s in this
# image), inside `docker stop`'s default 10 s. Raising the grace? Raise the stop timeout above it:
#   docker stop -t 30 shop   (compose: stop_grace_period: 30s)
# Health: HEALTHCHECK runs `shop health` (GET /readyz inside the container).

# Base images pinned to a Debian point release; bump both together (and rebuild for security
# updates: apt-get upgrade runs at build time).
ARG DEBIAN_RELEASE=12.8
FROM debian:${DEBIAN_RELEASE} AS build
ARG DEBIAN_FRONTEND=noninteractive
# libboost1.81-dev conflicts with libboost1.74-dev (pulled in by plain libboost-dev): the trailing
# "pkg-" entries remove them in the same transaction and are harmless when absent.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      g++ cmake make pkg-config \
      libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-program-options1.81-dev \
      libsoci-dev libsqlite3-dev libpq-dev libfmt-dev doctest-dev libssl-dev libsodium-dev \
      libcurl4-openssl-dev libsystemd-dev libkainjow-mustache-dev libcsv-dev zlib1g-dev ca-certificates nodejs npm \
      libboost-dev- libboost1.74-dev- \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The /docs page's Redoc script is embedded from tools/node_modules (nothing is fetched at run time).
RUN cd tools && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
# Build outside /src so a build tree copied from the host cannot get in the way.
RUN cmake -S /src -B /build -G "Unix Makefiles" -DCMAKE_BUILD_TYPE=Release -DSHOP_BUILD_TESTS=OFF \
 && cmake --build /build -j"$(nproc)" \
 && install -D -m 0755 -s /build/shop /out/shop

FROM debian:${DEBIAN_RELEASE}-slim AS runtime
ARG DEBIAN_FRONTEND=noninteractive
ARG DEBIAN_RELEASE
ARG SHOP_VERSION=0.1.0
ARG SHOP_REVISION=unknown
LABEL org.opencontainers.image.title="shop" \
      org.opencontainers.image.description="A complete e-commerce backend in one C++ binary" \
      org.opencontainers.image.version="${SHOP_VERSION}" \
      org.opencontainers.image.revision="${SHOP_REVISION}" \
      org.opencontainers.image.base.name="docker.io/library/debian:${DEBIAN_RELEASE}-slim"
RUN apt-get update \
 && apt-get upgrade -y \
 && apt-get install -y --no-install-recommends \
      libboost-json1.81.0 libboost-url1.81.0 libboost-program-options1.81.0 \
      libsoci-core4.0 libsoci-sqlite3-4.0 libsqlite3-0 libsoci-postgresql4.0 libpq5 \
      libfmt9 libssl3 libsodium23 libcurl4 libsystemd0 libcsv3 zlib1g ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --user-group --uid 10001 --home-dir /data --no-create-home \
      --shell /usr/sbin/nologin shop \
 && mkdir -p /data \
 && chown shop:shop /data
COPY --from=build /out/shop /usr/local/bin/shop
ENV SHOP_HOST=0.0.0.0 SHOP_DATA_DIR=/data SHOP_HTTP_SHUTDOWN_GRACE_MS=8000
USER shop
WORKDIR /data
VOLUME /data
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=6s --start-period=60s --retries=3 CMD ["/usr/local/bin/shop", "health"]
ENTRYPOINT ["/usr/local/bin/shop"]
CMD ["serve"]
