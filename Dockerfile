# docker-cleaner's runtime image.
#
# Built from the jar that `mvn package` made (like Quarkus's generated Dockerfiles) and its SBOM
# (target/docker-cleaner.cdx.json, which `mvn -o` cannot write): run
#   mvn -B package -DskipTests
#   docker build -t docker-cleaner:latest .
# The two base images are build ARGs. Offline (tests, air-gapped hosts) make them locally first:
#   DOCKER_HOST=unix:///path/to/docker.sock bin/build-base-images
# and no RUN step below needs the network. With a registry, any Debian-like JDK 17+ image with
# jlink (builder) and a slim image with bash, gosu and passwd (runtime) work too, e.g.
#   --build-arg BUILDER_IMAGE=eclipse-temurin:17-jdk --build-arg RUNTIME_IMAGE=<debian-slim + gosu>

ARG BUILDER_IMAGE=docker-cleaner-base/builder:bookworm-jdk17
ARG RUNTIME_IMAGE=docker-cleaner-base/runtime:bookworm

# ---- stage 1: a minimal Java runtime made with jlink ------------------------------------------
FROM ${BUILDER_IMAGE} AS jre
# The modules the program needs. jdeps on the shaded jar under-reports (reflection, optional
# paths) and over-reports (java.desktop only for Jackson's optional java.beans support), so the
# list is explicit and the RUN below proves the jar starts on it. Debian ships libjvm.so with
# its symbol table: strip saves ~4 MB. -Xshare:dump writes the default CDS archive (faster start).
ARG JAVA_MODULES=java.base,java.logging,java.management,java.naming,java.xml,java.sql,jdk.unsupported,jdk.crypto.ec,jdk.management
RUN jlink --add-modules "${JAVA_MODULES}" \
      --strip-debug --no-header-files --no-man-pages --compress=2 \
      --output /opt/java \
 && strip --strip-unneeded /opt/java/lib/server/libjvm.so /opt/java/lib/*.so \
 && /opt/java/bin/java -Xshare:dump >/dev/null
# For the image's SBOM: the Debian package whose jmods jlink used (the runtime image's dpkg does not
# know /opt/java). Empty with a builder that is not a Debian package (e.g. a Temurin image).
RUN mkdir -p /app/sbom \
 && pkg=$(dpkg-query -S "$(readlink -f "$(command -v jlink)")" 2>/dev/null | cut -d: -f1 || true) \
 && if [ -n "$pkg" ]; then dpkg-query -s "$pkg" >/app/sbom/java-runtime.dpkg; else : >/app/sbom/java-runtime.dpkg; fi
COPY target/docker-cleaner.jar /app/docker-cleaner.jar
# Netty extracts its epoll library to /tmp at start-up, and a --tmpfs /tmp is noexec: the library
# then fails to load and the program falls back to NIO. Shipping it extracted, on
# java.library.path (which Netty tries first), keeps epoll with --read-only.
RUN mkdir -p /app/native /tmp/jar && cd /tmp/jar \
 && jar xf /app/docker-cleaner.jar META-INF/native \
 && for f in META-INF/native/*.so; do if [ -e "$f" ]; then cp "$f" /app/native/; fi; done \
 && rm -rf /tmp/jar
# The launcher keeps JVM flags in one place: a small heap and a fast start suit a cleanup agent.
# More flags: JDK_JAVA_OPTIONS (read by the java launcher itself).
RUN printf '%s\n' '#!/bin/sh' \
      '# docker-cleaner launcher (made by the Dockerfile)' \
      '# the agent compiles its hot paths in its first run (see bin/docker-cleaner, bench/README.md "JIT thresholds")' \
      'jit=; if [ "${1:-}" = agent ]; then jit=-XX:CompileThresholdScaling=0.1; fi' \
      'exec /opt/java/bin/java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 $jit -Xss512k -XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError -Djava.library.path=/app/native -jar /app/docker-cleaner.jar "$@"' \
      > /app/docker-cleaner && chmod 0755 /app/docker-cleaner \
 && /app/docker-cleaner version

# ---- stage 2: the runtime image (no JDK, no build tools) --------------------------------------
FROM ${RUNTIME_IMAGE}
ARG VERSION=0.1.0-SNAPSHOT
ARG REVISION=unknown
ARG CREATED=unknown
# No license has been chosen for docker-cleaner yet (no LICENSE file, none in pom.xml): NOASSERTION
# is SPDX's word for "not stated". Set LICENSES (an SPDX expression) once one is, and SOURCE_URL to
# the repository the image is built from (e.g. --build-arg SOURCE_URL="$(git remote get-url origin)").
ARG LICENSES=NOASSERTION
ARG SOURCE_URL=NOASSERTION
ARG DOCUMENTATION_URL=file:///usr/share/doc/docker-cleaner/README.md
LABEL org.opencontainers.image.title="docker-cleaner" \
      org.opencontainers.image.description="Docker host cleanup: one-shot prune (run) and a budgeted, event-driven agent (agent)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.vendor="docker-cleaner" \
      org.opencontainers.image.licenses="${LICENSES}" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.documentation="${DOCUMENTATION_URL}" \
      org.opencontainers.image.base.name="debian:bookworm (debootstrap minbase) + bash, gosu, passwd"

COPY --from=jre /opt/java /opt/java
COPY --from=jre /app/docker-cleaner.jar /app/docker-cleaner.jar
COPY --from=jre /app/native /app/native
COPY --from=jre /app/docker-cleaner /usr/local/bin/docker-cleaner
COPY entrypoint.sh /entrypoint.sh
COPY README.md /usr/share/doc/docker-cleaner/README.md
# The jar's SBOM (`mvn package` writes it; `mvn -o package` cannot: see pom.xml) and what the image
# SBOM below needs besides dpkg's status.
COPY target/docker-cleaner.cdx.json /app/sbom/docker-cleaner.cdx.json
COPY --from=jre /app/sbom/java-runtime.dpkg /app/sbom/java-runtime.dpkg

# cleanup-user (UID/GID 1000) runs the program; entrypoint.sh adds it to the socket's group.
# STATE_DIR belongs to it; with --read-only mount a volume or tmpfs there for the agent.
RUN groupadd --gid 1000 cleanup-user \
 && useradd --uid 1000 --gid 1000 --home-dir /var/lib/docker-cleaner --no-create-home \
      --shell /usr/sbin/nologin cleanup-user \
 && mkdir -p /var/lib/docker-cleaner \
 && chown 1000:1000 /var/lib/docker-cleaner \
 && chmod 0750 /var/lib/docker-cleaner \
 && chmod 0755 /entrypoint.sh

ENV PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    STATE_DIR=/var/lib/docker-cleaner \
    HTTP_LISTEN=0.0.0.0:8080
# The image's SBOM, made last so that it lists what the image really holds: the jar's SBOM merged
# with dpkg's installed packages and the JRE's package (io.dockercleaner.sbom.ImageSbom; no SBOM tool
# is needed on the build host). `bin/image-sbom IMAGE` copies it out.
RUN /opt/java/bin/java -cp /app/docker-cleaner.jar io.dockercleaner.sbom.ImageSbom \
      --version "${VERSION}" --output /app/sbom/docker-cleaner-image.cdx.json \
 && chmod 0644 /app/sbom/*
EXPOSE 8080
WORKDIR /var/lib/docker-cleaner
ENTRYPOINT ["/entrypoint.sh"]
# One-shot prune by default; `docker run ... docker-cleaner agent` runs the agent.
CMD ["run"]
