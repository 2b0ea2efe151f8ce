# v100 — run `make help` for the targets.
SHELL := /bin/bash
GO    ?= go

.DEFAULT_GOAL := help

.PHONY: help setup run build test vet lint bench bench-media bench-caption bench-edge bench-footprint fuzz examples

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

setup: ## install what v100 and its tests need if missing (ffmpeg, redis-server, postgresql, chromium, …); idempotent
	@./scripts/setup

run: ## run the video platform (v100 serve) on :8080 with its data in ./data (installs ffmpeg and pocketsphinx if missing)
	@./scripts/setup run
	$(GO) run ./cmd/v100 serve

build: ## build the v100 command into bin/v100
	$(GO) build -trimpath -ldflags='-s -w' -o bin/v100 ./cmd/v100

test: setup ## gofmt check, vet, race-enabled tests, and every benchmark once (also in bench/)
	@test -z "$$(gofmt -l . | tee /dev/stderr)" || { echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...
	cd bench && $(GO) vet ./...
	$(GO) test -race -count=1 ./...
	cd bench && $(GO) test -race -count=1 ./...
	$(GO) test -run '^$$' -bench . -benchtime 1x ./...
	cd bench && $(GO) test -run '^$$' -bench . -benchtime 1x ./...

vet: ## go vet both modules
	$(GO) vet ./...
	cd bench && $(GO) vet ./...

lint: vet ## vet, gofmt and go mod tidy checks
	@test -z "$$(gofmt -l . | tee /dev/stderr)" || { echo "gofmt: files above need formatting"; exit 1; }
	$(GO) mod tidy -diff
	cd bench && $(GO) mod tidy -diff

bench: setup ## compare with the peer libraries (bench/) and print a table
	cd bench && $(GO) test -run '^$$' -bench . -skip 'Ladder|Thumbnail' -cpu 1,2 -benchtime 2s ./... | tee /dev/stderr | $(GO) run ./cmd/benchtable

bench-media: setup ## ladder in one ffmpeg vs one per rung vs ffmpeg direct, and thumbnail latency
	cd bench && $(GO) test -run '^$$' -bench 'Ladder|Thumbnail' -cpu 2 -benchtime 3x ./... | tee /dev/stderr | $(GO) run ./cmd/benchtable

bench-caption: setup ## word error rate, speed and live caption latency of the speech recognisers (takes 3 min)
	cd bench && $(GO) run ./cmd/captionbench

bench-edge: ## v100 gateway vs nginx, Varnish and httputil.ReverseProxy as HLS edge caches (installs them; ~4 min)
	@./scripts/setup bench-edge
	cd bench && $(GO) run ./cmd/edgebench

bench-footprint: ## binary size, time to ready and memory of v100 serve: idle, 1,000 clients, 1080p transcode (~3 min)
	@./scripts/setup run
	cd bench && $(GO) run ./cmd/footprint

FUZZTIME ?= 30s
fuzz: ## run every fuzz target for FUZZTIME each
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

examples: ## run every example program
	$(GO) run ./examples/coalesce-herd
	$(GO) run ./examples/two-tier-cache
	$(GO) run ./examples/ratelimit-http
	$(GO) run ./examples/global-limit
