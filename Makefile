# Two entry points for a fresh machine (Python 3.11 + make): `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= dist

.PHONY: run test venv clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@

venv: $(VENV)/.installed

## Build, validate and export the dataset into $(OUT)/
run: venv
	$(BIN)/giigraph build --out $(OUT)

## Set up and run the whole test suite
test: venv
	$(BIN)/python -m pytest

clean:
	rm -rf $(OUT) build *.egg-info src/*.egg-info
