# Builds the release binary, then runs it on a slim image. SQLite, libpq and OpenSSL are
# compiled into the binary, so the runtime image needs no database client libraries.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs rustfmt.toml ./
COPY .cargo ./.cargo
COPY src ./src
COPY migrations ./migrations
COPY demo ./demo
RUN cargo build --release --locked

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home-dir /var/lib/jalin --create-home jalin
COPY --from=build /src/target/release/jalin /usr/local/bin/jalin
USER jalin
WORKDIR /var/lib/jalin
ENV JALIN_BIND=0.0.0.0:8080 RUST_LOG=info
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["jalin"]
CMD ["serve"]
