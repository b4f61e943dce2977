# The two commands a reader needs:  make book  (build the site)  and  make test  (run the whole gate).
# Both set up everything first, on a machine with Python 3.11; `make test` also installs Chromium
# (Debian's package, needs root or sudo) for the browser check.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: book test setup setup-browser unit nbval notebooks build browser bench clean

book: setup build

test: setup setup-browser
	@echo "== 1/4 unit and data-validation tests"
	$(BIN)/pytest tests --ignore=tests/browser -n auto
	@echo "== 2/4 strict nbval over every notebook"
	$(MAKE) nbval
	@echo "== 3/4 book build, warnings as errors"
	$(MAKE) build
	@echo "== 4/4 charts draw in headless Chromium with the network off"
	$(BIN)/pytest tests/browser

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $@

setup-browser:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }
	@chromium --version

unit: setup
	$(BIN)/pytest tests --ignore=tests/browser -n auto

# Strict nbval twice at once (one run per core): numpy at this CPU's full SIMD, and limited to its
# baseline (tests/baseline_cpu.py), so no committed output may depend on the CPU.
NBVAL = $(BIN)/pytest --nbval chapters --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg -p no:cacheprovider -q
nbval: setup
	@mkdir -p _build; echo "baseline run: $$($(BIN)/python tests/baseline_cpu.py)"; \
	$(NBVAL) > _build/nbval-full.log 2>&1 & full=$$!; \
	$(BIN)/python tests/baseline_cpu.py $(NBVAL) > _build/nbval-baseline.log 2>&1; base=$$?; \
	wait $$full; fullrc=$$?; \
	echo "-- full SIMD:"; tail -n 25 _build/nbval-full.log; echo "-- baseline SIMD:"; tail -n 25 _build/nbval-baseline.log; \
	test $$fullrc -eq 0 -a $$base -eq 0

# Re-execute every chapter notebook in place (after changing data or code), then commit the outputs.
notebooks: setup
	$(BIN)/python -m repricing execute --all

# The build re-executes only chapters whose outputs are not from the current data and code
# (repricing.execution, called by the book's Sphinx extension) and renders the rest as committed.
build: setup
	$(BIN)/python -m repricing build . -W -n --keep-going

browser: setup
	$(BIN)/pytest tests/browser

bench: setup
	$(BIN)/python tests/benchmark.py

clean:
	rm -rf _build tests/artifacts
