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
	$(BIN)/pytest tests --ignore=tests/browser
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
	$(BIN)/pytest tests --ignore=tests/browser

nbval: setup
	$(BIN)/pytest --nbval chapters --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg -p no:cacheprovider

# Re-execute every chapter notebook in place (after changing data or code), then commit the outputs.
notebooks: setup
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.record_timing=False chapters/*.ipynb

# The execution cache is keyed on notebook code only: clear it when the package or the data change.
build: setup
	@inputs=$$(cat $$(find repricing data -type f -not -path '*/__pycache__/*' | sort) | sha256sum | cut -c1-64); \
	if [ "$$inputs" != "$$(cat _build/.inputs 2>/dev/null)" ]; then \
	  rm -rf _build/.jupyter_cache; mkdir -p _build; echo "$$inputs" > _build/.inputs; fi
	$(BIN)/jupyter-book build . -W -n --keep-going

browser: setup
	$(BIN)/pytest tests/browser

bench: setup
	$(BIN)/python tests/benchmark.py

clean:
	rm -rf _build tests/artifacts
