# The README's two commands: `make run` (set up, then serve the app on the bundled data) and
# `make test` (set up everything the tests need, then run every test).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
# Article texts for the excerpt checks and the sources page; point it at your own folder.
# The shared inputs (corpus/, external/) the tests read in place: GEO_SHARED_DIR, else ../shared.
export GEO_SHARED_DIR ?= $(abspath ../shared)
CORPUS ?= $(wildcard $(GEO_SHARED_DIR)/corpus)
export GEO_CORPUS_DIR ?= $(CORPUS)

.PHONY: run test setup setup-dev assets browser postgres proxy lint format bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Installs pinned dependencies, the project itself, and the map's JavaScript from npm.
setup: $(BIN)/python
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	$(BIN)/geo assets

# The map's Leaflet scripts and styles, from the npm registry into static/vendor/ (setup's last
# step: the project must be installed to run it).
assets: setup

run: setup
	$(BIN)/streamlit run app.py --server.port $(PORT)

# The development tools (tools/, package atlas_tools: `geo bench`, `geo loadtest`, the servers
# the tests start) are a package of their own, outside the product wheel.
setup-dev: $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.lock
	$(BIN)/pip install -q --no-deps -e .
	$(BIN)/pip install -q --no-deps -e tools/
	$(BIN)/geo assets

# Debian's Chromium drives the browser tests (Playwright cannot download its own here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# PostgreSQL with PostGIS for the shared-database tests: each test run starts its own server
# on loopback in a temporary folder (tools/atlas_tools/pgserver.py) and stops it afterwards.
postgres:
	@{ [ -x /usr/lib/postgresql/15/bin/initdb ] && \
	   [ -f /usr/share/postgresql/15/extension/postgis.control ]; } || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    postgresql-15 postgresql-15-postgis-3 >/dev/null; }

# nginx for the tests of the published atlas: each run starts its own on loopback, configured
# from deploy/nginx/atlas.conf.template in a temporary folder (tools/atlas_tools/proxy.py).
proxy:
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx >/dev/null; }

# mypy reads [tool.mypy] in pyproject.toml: it checks src/geo.
lint:
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

format:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: setup-dev browser postgres proxy lint
	$(BIN)/python -m pytest

# The load figures are kept in bench-load.json.
bench: setup-dev
	$(BIN)/geo bench
	$(BIN)/geo loadtest --client protocol --sessions 20 --changes 10 --json bench-load.json
