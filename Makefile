# Two commands: `make render` and `make test`. Every target sets up what it needs first.
#   1. Debian packages Manim compiles against and renders LaTeX with (apt-get, once), and for
#      `make test` only, LibreOffice and poppler to read the deck's files back;
#   2. a virtual environment in .venv with the project installed editable (pip, once per
#      change of pyproject.toml);
#   3. reveal.js for the offline lecture deck, from the npm registry (pinned; never a CDN).
# Stamp files in .venv/ make a second run start at once.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP_SYS := $(VENV)/.system-packages
STAMP_TEST_SYS := $(VENV)/.test-packages
STAMP_PIP := $(VENV)/.installed
REVEAL_VERSION := 6.0.1
REVEAL := $(VENV)/share/reveal.js
STAMP_REVEAL := $(REVEAL)/.version-$(REVEAL_VERSION)

# What pycairo/manimpango compile against, and what Manim's LaTeX template needs.
APT_PACKAGES := pkg-config libcairo2-dev libpango1.0-dev \
	texlive-latex-base texlive-latex-recommended texlive-latex-extra \
	texlive-fonts-recommended dvisvgm \
	chromium chromium-driver
# (chromium and its driver: the test that opens the lecture deck in a real, offline browser)

# Only `make test` needs these: LibreOffice opens the deck's .pptx as a real client would, and
# poppler's pdftotext/pdfinfo read the PDFs back (tests/test_deck_files.py).
TEST_APT_PACKAGES := libreoffice-impress poppler-utils

# The shell that installs the missing ones of the Debian packages in $packages (apt-get, as root
# or through passwordless sudo), or stops with one line saying what to run, or, without apt-get,
# which packages to install another way ($equivalents names them). Shared by both stamps.
define APT_INSTALL
missing=$$(for p in $$packages; do \
	dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
if [ -n "$$missing" ]; then \
	cmd="apt-get update && apt-get install -y --no-install-recommends $$(echo $$missing)"; \
	if ! command -v apt-get >/dev/null; then \
		echo "error: these system packages are missing and apt-get is not available: $$(echo $$missing)"; \
		echo "Install their equivalents ($$equivalents) and run make again."; \
		exit 1; \
	elif [ "$$(id -u)" = 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo"; \
	else \
		echo "error: missing system packages; run this as root, then run make again:"; \
		echo "  sudo sh -c '$$cmd'"; \
		exit 1; \
	fi; \
	echo "Installing system packages: $$(echo $$missing)"; \
	$$sudo apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq -o=Dpkg::Use-Pty=0 \
		--no-install-recommends $$missing >/dev/null || exit 1; \
fi
endef

.PHONY: render test setup bench clean
.DEFAULT_GOAL := render

render: $(STAMP_PIP) $(STAMP_REVEAL)
	$(PY) render.py

test: $(STAMP_PIP) $(STAMP_REVEAL) $(STAMP_TEST_SYS)
	$(VENV)/bin/ruff check --quiet .
	$(VENV)/bin/mypy
	$(PY) -m pytest

setup: $(STAMP_PIP) $(STAMP_REVEAL)

bench: $(STAMP_PIP) $(STAMP_REVEAL)
	$(PY) tests/benchmarks/bench_core.py
	$(PY) tests/benchmarks/bench_scenes.py
	CAPTION_DRAWS=300 $(PY) -m pytest -q -s -p no:cacheprovider tests/test_caption_truth.py

$(STAMP_SYS): Makefile
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "error: Python >= 3.11 is needed (found $$($(PYTHON) --version 2>&1))"; exit 1; }
	@packages="$(APT_PACKAGES)"; \
	equivalents="cairo, pango, pkg-config, TeX Live with standalone, dvisvgm, chromium"; \
	$(APT_INSTALL)
	$(PYTHON) -m venv $(VENV)
	touch $@

# After $(STAMP_SYS): the stamp lives in the virtual environment that rule makes.
$(STAMP_TEST_SYS): $(STAMP_SYS) Makefile
	@packages="$(TEST_APT_PACKAGES)"; \
	equivalents="LibreOffice Impress, poppler's pdftotext and pdfinfo"; \
	$(APT_INSTALL)
	touch $@

$(STAMP_PIP): $(STAMP_SYS) pyproject.toml
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,voice]'
	touch $@

$(STAMP_REVEAL): $(STAMP_SYS)
	@command -v npm >/dev/null || { echo "error: npm is needed once, to fetch reveal.js for the lecture deck (apt-get install npm)"; exit 1; }
	rm -rf $(REVEAL) && mkdir -p $(REVEAL)
	cd $(REVEAL) && npm pack --silent reveal.js@$(REVEAL_VERSION) >/dev/null && \
		tar xzf reveal.js-$(REVEAL_VERSION).tgz --strip-components=1 && rm reveal.js-$(REVEAL_VERSION).tgz
	touch $@

clean:
	rm -rf $(VENV) media out .pytest_cache
