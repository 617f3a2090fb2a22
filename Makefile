# Two commands: `make run` (build the examples, watch, serve on 127.0.0.1:8000) and
# `make test`. Both set up what they need: a .venv, and Debian packages the tests use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
KINDALARM := $(VENV)/bin/kindalarm
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck system-deps build clean serve-nginx serve-s3 soak fuzz bench

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

system-deps:
	bash tools/ensure-debian-packages.sh

run: $(STAMP)
	$(KINDALARM) --site . watch --alerts examples/alerts --out output --serve 127.0.0.1:8000

build: $(STAMP)
	$(KINDALARM) --site . build --alerts examples/alerts --out output

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# mypy over render/, as set in pyproject.toml's [tool.mypy].
typecheck: $(STAMP)
	$(VENV)/bin/mypy

test: $(STAMP) system-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) -m pytest

# The shipped deploy/nginx.conf on loopback, serving the example build (Ctrl-C stops).
serve-nginx: build system-deps
	$(PY) -m deploy.nginx_local output 127.0.0.1:8080

# A real S3 server (SeaweedFS) on 127.0.0.1:8333 with the examples mirrored into it by
# `kindalarm watch`, readable at http://127.0.0.1:8333/kindalarm/site/index.html (Ctrl-C stops).
serve-s3: $(STAMP)
	$(PY) -m deploy.s3_local --port 8333

# The long variants: many more kills, publishes and polled requests, and fuzz examples.
soak: $(STAMP) system-deps
	KINDALARM_KILLS=120 KINDALARM_WATCH_KILLS=100 KINDALARM_TORN_PUBLISHES=600 \
	KINDALARM_TORN_REQUESTS=60000 KINDALARM_TORN_SECONDS=1200 \
	$(PY) -m pytest -q -m 'slow or not slow' tests/test_kill.py tests/test_kill_watch.py \
		tests/test_torn.py

fuzz: $(STAMP)
	KINDALARM_FUZZ_EXAMPLES=50000 $(PY) -m pytest -q tests/test_fuzz.py

clean:
	rm -rf output .output.state test-artifacts

# Speed figures of issue 7 (not part of `make test`: ~15 minutes, and the machine's load shows),
# then the codecs side by side (issue 21; simplejpeg, not taken, is installed for it only).
bench: $(STAMP)
	$(PY) bench/run.py
	$(PY) -m pip install --quiet simplejpeg
	$(PY) bench/codecs.py
