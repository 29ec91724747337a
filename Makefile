# Entry points for developers and CI. Everything a fresh machine needs is installed from here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SERVER_STAMP := $(VENV)/.installed-server
# Azurite, Microsoft's Azure Blob Storage emulator (an npm package), for the Azure target's tests.
AZURITE := $(VENV)/azurite/node_modules/.bin/azurite-blob

.PHONY: install run lint docs test test-fast bench fuzz soak clean

# make run needs only the server and the command line; everything else (the test stack, the
# linters, boto3, azure-identity) comes with make install, which the test and lint targets use.
$(SERVER_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e .
	touch $(SERVER_STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP) $(SERVER_STAMP)

install: $(STAMP)

run: $(SERVER_STAMP)
	@echo "openscc is installed in $(BIN): run '. $(BIN)/activate' in your shell to use the openscc command."
	@echo "The web page: https://127.0.0.1:8443/ (log on as Administrator; a fresh instance's password is manage)."
	$(BIN)/openscc serve --data-dir ./data

# ruff (rules and their reasons in pyproject.toml), the formatter's check, mypy --strict on src/.
lint: install
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy

# Rewrites every generated section of docs/ (the endpoint tables, the authorization matrix, the
# coverage of SAP's documented operations, the kinds of entities) from the code; a test fails when
# one is out of date. The benchmark figures are written by make bench.
docs: install
	$(BIN)/python -m scripts.docs

# Azurite goes into the venv's folder with npm; as root with apt, Node.js and npm are installed
# from Debian first when missing. Without it the Azure tests fail, saying so.
$(AZURITE):
	-if ! command -v npm >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; fi
	-npm install --prefix $(VENV)/azurite --no-audit --no-fund --silent azurite@3

# The LDAP tests run a real OpenLDAP server, the web page's tests a real Chromium, the Azure
# target's tests a real Azurite: as root with apt, slapd (and ldap-utils) and chromium are
# installed from Debian first when missing; without them those tests fail, saying so.
test: lint $(AZURITE)
	-if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && { [ ! -x /usr/sbin/slapd ] || [ ! -x /usr/bin/chromium ]; }; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slapd ldap-utils chromium chromium-driver >/dev/null; fi
	$(BIN)/python -m pytest -q -n 2

# The inner loop: everything but the tests that start real processes (marked slow) and those
# of large inputs (marked volume).
test-fast: install
	$(BIN)/python -m pytest -q -n 2 -m "not slow and not volume"

# Writes docs/benchmarks.md; BENCH_QUICK=1 for a run of about a minute. As root with apt, it first
# installs the peer (etcd) and the load generator (wrk) from Debian; without them the benchmark
# says "etcd not installed" and generates load in Python.
bench: install
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	-if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && ! (command -v etcd && command -v etcdctl && command -v wrk) >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server etcd-client wrk >/dev/null; fi
	$(BIN)/python -m bench

# Long property-based fuzzing: the archive reader, the restore endpoint, and every API operation
# against the OpenAPI document (schemathesis, tests/hardening/test_schema_fuzz.py); about half an
# hour. OPENSCC_FUZZ_REPORT=FILE also writes the schema fuzzing's figures per operation.
fuzz: install
	OPENSCC_FUZZ_PROFILE=fuzz $(BIN)/python -m pytest -q tests/hardening tests/backup -p no:xdist

# Load and soak against a real server on loopback, bounded in time and requests; then the long
# crash-consistency torture run (TORTURE_KILLS kills, docs/reliability.md#data-safety).
soak: install
	$(BIN)/python -m bench.soak
	$(BIN)/python -m bench.torture

clean:
	rm -rf $(VENV) build src/*.egg-info
