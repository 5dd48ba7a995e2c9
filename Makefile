# ucxml — every target runs inside .venv, which `make test` / `make demo` create when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: all venv generate check-generated lint format typecheck pytest test demo bench hostile clean

all: test

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

generate: $(STAMP)
	$(BIN)/python -m ucxml.codegen

check-generated: $(STAMP)
	$(BIN)/python -m ucxml.codegen --check

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# mypy cannot follow setuptools' editable import hook, so it checks the package through a
# tree of symlinks that mirrors the installed layout (ucxml, ucxml.generated, ucxml.codegen).
typecheck: $(STAMP)
	rm -rf .typecheck && mkdir -p .typecheck/ucxml
	for f in runtime/*; do ln -s ../../$$f .typecheck/ucxml/; done
	ln -s ../../generated .typecheck/ucxml/generated
	ln -s ../../codegen .typecheck/ucxml/codegen
	cd .typecheck && ../$(BIN)/mypy --strict --config-file ../pyproject.toml -p ucxml

pytest: $(STAMP)
	$(BIN)/python -m pytest -q

test: check-generated lint typecheck pytest

demo: $(STAMP)
	$(BIN)/ucxml demo

hostile: $(STAMP)
	UCXML_HOSTILE=1 $(BIN)/python -m pytest -q tests/hostile

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf .typecheck build *.egg-info .pytest_cache .mypy_cache .ruff_cache
