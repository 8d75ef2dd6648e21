# Two entry points for a fresh machine (Python 3.11 + make): `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= dist

.PHONY: run test venv tools clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@

venv: $(VENV)/.installed

## Build, validate and export the dataset into $(OUT)/
run: venv
	$(BIN)/giigraph build --out $(OUT)

## Independent tools the tests run against our exports and server (Debian packages, npm);
## a JDK for HermiT and the OWL API (OWL 2 DL profile check) that owlready2 ships;
## CJK fonts so Chromium's screenshots of the pages show the Chinese labels; Virtuoso 7 for the publish
## tests (they start their own `virtuoso-t` on free loopback ports; the package's service is not used);
## wrk for benchmarks/serve_bench.py
APT_PACKAGES := raptor2-utils serdi chromium chromium-driver openjdk-17-jdk-headless fonts-noto-cjk \
                virtuoso-opensource-7 wrk
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

tools: tools/node_modules/.installed web/node_modules/.installed
	@for c in rapper serdi chromium chromedriver java javac virtuoso-t wrk; do command -v $$c >/dev/null || missing=1; done; \
	[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing=1; \
	if [ -n "$$missing" ]; then \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(APT_PACKAGES); \
	fi

tools/node_modules/.installed: tools/package.json tools/package-lock.json
	npm ci --prefix tools --no-audit --no-fund --loglevel=error
	touch $@

## The browser code the pages use, as npm installs it: tests check the vendored copy in
## src/giigraph/serve/static/vendor/ against it (`python web/vendor.py` makes that copy)
web/node_modules/.installed: web/package.json web/package-lock.json
	npm ci --prefix web --no-audit --no-fund --loglevel=error
	touch $@

## Set up and run the whole test suite
test: venv tools
	$(BIN)/python -m pytest

clean:
	rm -rf $(OUT) build *.egg-info src/*.egg-info
