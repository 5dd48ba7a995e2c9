# ucxml — every target runs inside .venv, which `make test` / `make demo` create when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: all venv generate check-generated lint format typecheck pytest test demo bench hostile fuzz load clean

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
	$(BIN)/python -m pytest -q tests/hostile

# Long fuzzing runs (the bounded slice runs in `make test`); FUZZ_CASES sets the budget.
fuzz: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[fuzz]' || echo "no atheris for this Python: the atheris run will be skipped"
	UCXML_FUZZ=long $(BIN)/python -m pytest -q tests/fuzz
	$(BIN)/python -m tests.fuzz.atheris_harness

# The load test against the emulators on loopback, beside zeep where zeep can express it.
load: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[load]'
	$(BIN)/python -m benchmarks.load

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf .typecheck build *.egg-info .pytest_cache .mypy_cache .ruff_cache
