# Multi-stage build of a static, cgo-free apiary binary.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/apiary ./cmd/apiary

FROM gcr.io/distroless/static-debian12
WORKDIR /data
COPY --from=build /out/apiary /usr/local/bin/apiary
EXPOSE 6336
ENTRYPOINT ["/usr/local/bin/apiary"]
