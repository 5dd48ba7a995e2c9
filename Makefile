# ucxml — every target runs inside .venv, which `make test` / `make demo` create when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The editable install is setuptools' strict mode: build/__editable__.ucxml-*/ holds a tree of
# symlinks to the files of runtime/, generated/ and codegen/, laid out as the installed `ucxml`
# (ucxml, ucxml.generated, ucxml.codegen), which mypy, pyright and editors can read; the default
# mode's import hook is invisible to them. Edits show at once, but the tree links only the files
# that existed when it was made: the stamp's name carries a checksum of the list of those
# folders' files, so any make target re-links after a file is added, removed or renamed.
PKG_FILES_SUM := $(shell find runtime generated codegen -type f ! -name '.*' ! -name '*~' ! -name '*.pyc' | LC_ALL=C sort | cksum | cut -d' ' -f1)
STAMP := $(VENV)/.installed-$(PKG_FILES_SUM)

.PHONY: all venv generate check-generated lint format typecheck pytest test demo bench hostile fuzz load clean

all: test

# PYTHONWARNINGS hides one notice of setuptools' (an InformationOnly warning, "Editable
# installation.", asking not to delete build/__editable__.*: `make clean` drops the stamp too).
PIP_EDITABLE := PYTHONWARNINGS='ignore:Editable installation:UserWarning' \
  $(BIN)/python -m pip install --quiet --config-settings editable_mode=strict -e

$(STAMP): pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(PIP_EDITABLE) '.[dev]'
	rm -f $(VENV)/.installed*
	touch $@

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

# The strict editable install lets mypy see `ucxml` as installed: runtime/, generated/ and
# codegen/ are checked as ucxml, ucxml.generated and ucxml.codegen, through the link tree
# (errors name build/__editable__.ucxml-*/ucxml/..., symlinks to the files themselves).
typecheck: $(STAMP)
	$(BIN)/mypy --strict -p ucxml

pytest: $(STAMP)
	$(BIN)/python -m pytest -q

test: check-generated lint typecheck pytest

demo: $(STAMP)
	$(BIN)/ucxml demo

hostile: $(STAMP)
	$(BIN)/python -m pytest -q tests/hostile

# Long fuzzing runs (the bounded slice runs in `make test`); FUZZ_CASES sets the budget.
fuzz: $(STAMP)
	$(PIP_EDITABLE) '.[fuzz]' || echo "no atheris for this Python: the atheris run will be skipped"
	UCXML_FUZZ=long $(BIN)/python -m pytest -q tests/fuzz
	$(BIN)/python -m tests.fuzz.atheris_harness

# The load test against the emulators on loopback, beside zeep where zeep can express it.
load: $(STAMP)
	$(PIP_EDITABLE) '.[load]'
	$(BIN)/python -m benchmarks.load

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# build/ holds the editable install's link tree: the stamp goes with it, so the next target
# links it again.
clean:
	rm -rf .typecheck build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
	rm -f $(VENV)/.installed*
