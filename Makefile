# Two commands: `make run` (build the examples, watch, serve on 127.0.0.1:8000) and
# `make test`. Both set up what they need: a .venv, and Debian packages the tests use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
KINDALARM := $(VENV)/bin/kindalarm
STAMP := $(VENV)/.installed

.PHONY: run test lint system-deps build clean bench

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

system-deps:
	bash tools/ensure-debian-packages.sh

run: $(STAMP)
	$(KINDALARM) --site . build --alerts examples/alerts --out output || true
	$(KINDALARM) --site . watch --alerts examples/alerts --out output --serve 127.0.0.1:8000

build: $(STAMP)
	$(KINDALARM) --site . build --alerts examples/alerts --out output

lint: $(STAMP)
	$(VENV)/bin/ruff check .

test: $(STAMP) system-deps
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

clean:
	rm -rf output .output.state test-artifacts

# Speed figures of issue 7 (not part of `make test`: ~15 minutes, and the machine's load shows).
bench: $(STAMP)
	$(PY) bench/run.py
