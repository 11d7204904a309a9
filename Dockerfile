# syntax=docker/dockerfile:1

# ---- build ------------------------------------------------------------------
FROM rust:1-bookworm AS builder
WORKDIR /src

COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked \
 && install -D -m 0755 target/release/passerelle /out/passerelle

# ---- runtime ----------------------------------------------------------------
FROM debian:bookworm-slim AS runtime

RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 passerelle \
 && useradd --system --uid 10001 --gid passerelle --home-dir /var/lib/passerelle \
        --create-home --shell /usr/sbin/nologin passerelle

COPY --from=builder /out/passerelle /usr/local/bin/passerelle

USER 10001:10001
WORKDIR /var/lib/passerelle

# The embedded SQLite default (no DATABASE_URL) keeps its data here.
ENV PASSERELLE_LISTEN=0.0.0.0:8080 \
    PASSERELLE_DATA_DIR=/var/lib/passerelle/data

EXPOSE 8080

ENTRYPOINT ["passerelle"]
CMD ["serve"]
