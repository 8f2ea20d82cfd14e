# Everything a fresh machine needs is installed by these targets.
PYTHON ?= python3
VENV := .venv
SYNAPSE_VENV := .venv-synapse
BIN := $(VENV)/bin
# The Element-stack member of the integration tests (matrix-js-sdk + Rust crypto, Node ≥ 20).
ELEMENT := tests/element

.PHONY: demo test unit integration lint deps test-deps faults bench trust i18n clean release-bundle

# pip stays quiet; one line says what is being installed and one when it is done.
$(BIN)/minga: pyproject.toml
	@echo "[1/2] Installing Minga and its test tools into $(VENV) (about a minute) ..."
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]' --config-settings editable_mode=compat
	@touch $@
	@echo "      done: $(VENV)"

$(SYNAPSE_VENV)/bin/python:
	@echo "[2/2] Installing Synapse, the local homeserver for demo and tests, into $(SYNAPSE_VENV) (about a minute) ..."
	@$(PYTHON) -m venv $(SYNAPSE_VENV)
	@$(SYNAPSE_VENV)/bin/pip install --quiet --disable-pip-version-check --upgrade pip
	@$(SYNAPSE_VENV)/bin/pip install --quiet --disable-pip-version-check 'matrix-synapse>=1.100'
	@echo "      done: $(SYNAPSE_VENV)"

$(ELEMENT)/node_modules/.package-lock.json: $(ELEMENT)/package-lock.json
	cd $(ELEMENT) && npm ci --no-audit --no-fund --loglevel=error

deps: $(BIN)/minga

test-deps: deps $(SYNAPSE_VENV)/bin/python $(ELEMENT)/node_modules/.package-lock.json

demo: test-deps
	$(BIN)/minga demo

test: test-deps lint
	$(BIN)/python -m pytest -q

unit: deps
	$(BIN)/python -m pytest -q tests/unit

# FAULTS='-k restarts' runs one scenario; figures go to RELIABILITY.md.
faults: test-deps
	$(BIN)/python -m pytest -q -s -m faults tests/faults $(FAULTS)

# BENCH='--with-rate-limited' adds 200 reminders under Synapse's default rate limits (~16 min).
bench: test-deps
	$(BIN)/python -m benchmarks.bench $(BENCH)

# What an Element member sees of Minga (shield, decryption per strict mode), before/after
# cross-signing and emoji verification; ~3-5 min.
trust: test-deps
	$(BIN)/python -m benchmarks.trust

# After changing user-facing text: refresh minga.pot and merge it into every language's .po,
# then translate the new entries (`make test` fails while any is missing or unused).
i18n: deps
	$(BIN)/python -m devtools.catalogues update
	$(BIN)/python -m devtools.catalogues check || true

integration: test-deps
	$(BIN)/python -m pytest -q tests/integration

# Style (ruff) and types (mypy, configured in pyproject.toml): both must be clean.
lint: deps
	$(BIN)/ruff check bot commands domain storage devtools tests benchmarks
	$(BIN)/mypy

# The newest release tag (v*) as tests/faults/releases/<tag>.tar.gz: the upgrade drill
# (tests/faults/test_upgrade.py) runs it when a checkout has no tags (CI). Commit the file.
# Tests, docs, benchmarks and the chart fonts stay out (charts are a bonus; ~0.5 MB).
RELEASE_TAG ?= $(shell git tag --list 'v*' --sort=-v:refname | head -n 1)
release-bundle:
	@test -n "$(RELEASE_TAG)" || { echo "no v* tag: tag a release first (see README, Releasing)"; exit 1; }
	@mkdir -p tests/faults/releases
	git archive --format=tar.gz -o tests/faults/releases/$(RELEASE_TAG).tar.gz $(RELEASE_TAG) -- . \
		':(exclude)tests' ':(exclude)docs' ':(exclude)benchmarks' ':(exclude)contrib' \
		':(exclude)commands/charts/fonts' ':(exclude)*.pot'
	@ls -l tests/faults/releases/$(RELEASE_TAG).tar.gz

clean:
	rm -rf $(VENV) $(SYNAPSE_VENV) $(ELEMENT)/node_modules .pytest_cache build *.egg-info
