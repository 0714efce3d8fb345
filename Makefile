# GenéLive Studio — `make run` sets up and opens the editor; `make test` sets up and runs every check.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
RUN_STAMP := $(VENV)/.stamp-run
DEV_STAMP := $(VENV)/.stamp-dev
PYTEST_ARGS ?=
# The Pythons pyproject.toml's requires-python accepts (>=3.11,<3.13): checked before a venv is made from $(PYTHON)
PY_SUPPORTED := import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 12))
# A $(VENV) whose Python is outside that range (left by a try with an unsupported python3 before this check, or
# whose Python was replaced since) is rebuilt: it only existing made every retry fail the same way.
VENV_STALE := $(if $(wildcard $(PY)),$(shell $(PY) -c '$(PY_SUPPORTED)' >/dev/null 2>&1 || echo FORCE))
PYTHON_FOUND = $$("$(PYTHON)" -c 'import platform; print("Python", platform.python_version())' 2>/dev/null || echo "not found")

.PHONY: run test test-all test-gpu gpu lint bench train train-lanes eval system help FORCE

help:
	@echo "make run    - set up and open the editor on the demo song"
	@echo "make test   - set up and run ruff, import-linter, mypy and the test suite"
	@echo "make gpu   - install CUDA 13 + cuDNN 9 for onnxruntime-gpu (machines with an NVIDIA GPU)"
	@echo "make test-gpu - the CUDA-path tests (needs an NVIDIA GPU)"
	@echo "make lint   - ruff + import-linter + mypy"
	@echo "make bench  - run benchmarks, write docs/BENCHMARKS.md"
	@echo "make train  - train the onset model with the shipped onset-v1's recipe (CPU, ~2 h) into runs/onset-v1, not shipped (README: how to ship it)"
	@echo "make train-lanes - train the lane model (2 seeds + ensemble; CPU, about 10 min per seed on a quiet 2-core machine) and ship it"
	@echo "make eval   - score the shipped models on the validation songs (the MODEL_CARD numbers)"
	@echo "make test-all - the test suite with the slow tests (shared-data round trips, load tests, 1-hour audio)"

system:
	@./scripts/setup_system.sh

$(VENV)/bin/python: $(VENV_STALE)
	@"$(PYTHON)" -c '$(PY_SUPPORTED)' >/dev/null 2>&1 || { echo "error: $(PYTHON) is $(PYTHON_FOUND); GenéLive Studio \
needs Python 3.11 or 3.12: pass one as PYTHON, e.g. make $(or $(firstword $(MAKECMDGOALS)),run) PYTHON=python3.11" >&2; \
	  exit 2; }
	$(if $(VENV_STALE),@echo "$(VENV) has a Python outside 3.11-3.12: rebuilding it with $(PYTHON)"; rm -rf $(VENV))
	"$(PYTHON)" -m venv $(VENV)
	$(PIP) install -q --upgrade "pip>=24"

FORCE:

$(RUN_STAMP): pyproject.toml $(VENV_STALE) | $(VENV)/bin/python
	$(PIP) install -q -e .
	@touch $@

$(DEV_STAMP): pyproject.toml $(VENV_STALE) | $(VENV)/bin/python
	$(PIP) install -q -e ".[dev,train,serve]"
	@touch $@ $(RUN_STAMP)

run: system $(RUN_STAMP)
	$(PY) main.py $(ARGS)

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

test: $(DEV_STAMP)
	@./scripts/setup_system.sh --test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m "not slow and not gpu" $(PYTEST_ARGS)

test-all: $(DEV_STAMP)
	@./scripts/setup_system.sh --test
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m "not gpu" $(PYTEST_ARGS)

# CUDA 13 + cuDNN 9 from PyPI for the installed onnxruntime-gpu (large wheels: only for machines with an NVIDIA GPU)
gpu: $(RUN_STAMP)
	@v=$$($(PY) -c "import importlib.metadata as m; print(m.version('onnxruntime-gpu'))" 2>/dev/null) || \
	  { echo "onnxruntime-gpu is not installed here (it exists for Linux x86_64 only)"; exit 2; }; \
	  $(PIP) install -q "onnxruntime-gpu[cuda,cudnn]==$$v"
	$(PY) -c "from inference.backends import OnnxBackend; from inference.manifest import Manifest; \
	  b = OnnxBackend(); b.session(Manifest.load('resources/models/onset.manifest.json')); \
	  print(b.describe(), b.cuda_note)"

# the CUDA path (tests/inference/test_cuda.py), on a machine with an NVIDIA GPU and CUDA 13 libraries
test-gpu: $(DEV_STAMP)
	$(PY) -m pytest -m gpu $(PYTEST_ARGS)

bench: system $(DEV_STAMP)
	@./scripts/setup_system.sh --bench
	QT_QPA_PLATFORM=offscreen $(PY) -m benchmarks.run

train: system $(DEV_STAMP)
	$(PY) main.py train --songs ../shared/data/charts --out runs/onset-v1 --recipe onset-v1 --seed 0

train-lanes: system $(DEV_STAMP)
	nice -n 5 $(PY) main.py train-lanes --songs ../shared/data/charts --charts-only ../shared/data/charts-only --out runs/lanes-s0 --seed 0
	nice -n 5 $(PY) main.py train-lanes --songs ../shared/data/charts --charts-only ../shared/data/charts-only --out runs/lanes-s1 --seed 1
	nice -n 5 $(PY) main.py ensemble-lanes runs/lanes-s0 runs/lanes-s1 --charts-only ../shared/data/charts-only --out runs/lanes --model-id lane-v3 --ship
	$(PY) scripts/calibrate_lane_drafts.py --songs ../shared/data/charts --jump-range ../shared/data/charts-only --write

eval: system $(RUN_STAMP)
	$(PY) main.py eval --songs ../shared/data/charts --split validation --json
