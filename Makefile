# pm — build, test and lint. `make test` is what CI runs (.ci/run).

GO       ?= go
BIN      := $(CURDIR)/bin
PKGS     := ./...
FUZZTIME ?= 10s
# Packages with fuzz targets; `make fuzz` runs every target in each.
FUZZPKGS := ./unit ./compat ./manager

export PATH := $(BIN):$(PATH)

.PHONY: all build test unit-test lint deps fuzz bench corpus docs check-docs proto check-proto clean

all: build

build:
	$(GO) build -o $(BIN)/pmd ./cmd/pmd
	$(GO) build -o $(BIN)/pmctl ./cmd/pmctl

deps:
	./hack/install-deps.sh

# The whole suite: lint, generated docs up to date, every test.
test: deps lint check-docs check-proto unit-test

unit-test:
	$(GO) test -count=1 $(PKGS)

lint: deps
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(BIN)/staticcheck $(PKGS)

# Short runs of every fuzz target (FUZZTIME each); long runs: FUZZTIME=5m.
fuzz:
	@set -e; for p in $(FUZZPKGS); do \
		for f in $$($(GO) test -list '^Fuzz' $$p | grep '^Fuzz'); do \
			echo "== $$p $$f"; \
			$(GO) test -run='^$$' -fuzz="^$$f\$$" -fuzztime=$(FUZZTIME) $$p; \
		done; \
	done

bench:
	$(GO) test -run='^$$' -bench=. -benchmem $(PKGS)

# pmctl verify against systemd-analyze verify over the unit files of ~100
# Debian packages (downloads them; a few minutes).
corpus:
	./hack/corpus.sh

docs:
	$(GO) run ./internal/gendocs > docs/directives.md

check-docs:
	@$(GO) run ./internal/gendocs | diff -u docs/directives.md - || \
		(echo "docs/directives.md is stale: run make docs"; exit 1)

# The gRPC API's generated code, checked in beside api/pmv1/pm.proto.
PROTOC := protoc -I api/pmv1 -I /usr/include \
	--plugin=protoc-gen-go=$(BIN)/protoc-gen-go --plugin=protoc-gen-go-grpc=$(BIN)/protoc-gen-go-grpc
proto: deps
	$(PROTOC) --go_out=api/pmv1 --go_opt=paths=source_relative \
		--go-grpc_out=api/pmv1 --go-grpc_opt=paths=source_relative api/pmv1/pm.proto

check-proto: deps
	@d=$$(mktemp -d); trap 'rm -rf $$d' EXIT; \
	$(PROTOC) --go_out=$$d --go_opt=paths=source_relative \
		--go-grpc_out=$$d --go-grpc_opt=paths=source_relative api/pmv1/pm.proto && \
	for f in pm.pb.go pm_grpc.pb.go; do \
		diff -u api/pmv1/$$f $$d/$$f || { echo "api/pmv1/$$f is stale: run make proto"; exit 1; }; \
	done

clean:
	rm -rf $(BIN)
