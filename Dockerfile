# Multi-stage build: compile in the Rust image, run in a slim Debian image. The binary needs no
# libpq: it talks to PostgreSQL through tokio-postgres.

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY migrations ./migrations
RUN cargo build --release --locked --bin petajalan

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app petajalan
WORKDIR /app
COPY --from=build /src/target/release/petajalan /usr/local/bin/petajalan
COPY data ./data
USER petajalan
ENV PETAJALAN_BIND=0.0.0.0:8080 \
    PETAJALAN_LOG_FORMAT=json
EXPOSE 8080
ENTRYPOINT ["petajalan"]
CMD ["serve", "--import", "/app/data/semarang-2023-2024.toml"]
