# flagscan in a container: docker run --rm -v "$PWD:/src" ghcr.io/flagscan/flagscan scan /src
#
# The build stage runs on the build machine's platform and cross-compiles
# for the target's with the release build (.ci/release): the same static
# binary as the release archives, with no emulated compile of SQLite. The
# run stage is Alpine with git (hooks and the Action call it) and CA
# certificates (https webhooks), as a user that is not root.
FROM --platform=$BUILDPLATFORM golang:1.26-bookworm AS build
ARG TARGETOS=linux
ARG TARGETARCH
# The release's tag; without it, .ci/release names the commit.
ARG VERSION=
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN git config --global --add safe.directory /src \
	&& .ci/release deps --no-qemu --targets "$TARGETOS/$TARGETARCH" \
	&& .ci/release build ${VERSION:+--version "$VERSION"} --targets "$TARGETOS/$TARGETARCH" --out /dist \
	&& mkdir /out && tar -xzf /dist/flagscan_*.tar.gz -C /out flagscan

FROM alpine:3.22
RUN apk add --no-cache git ca-certificates \
	&& adduser -D -u 10001 flagscan \
	&& git config --system --add safe.directory '*'
COPY --from=build /out/flagscan /usr/local/bin/flagscan
USER flagscan
WORKDIR /src
ENTRYPOINT ["flagscan"]
CMD ["--help"]
