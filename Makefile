# Two commands: `make render` and `make test`. Every target sets up what it needs first.
#   1. Debian packages Manim compiles against and renders LaTeX with (apt-get, once);
#   2. a virtual environment in .venv with the project installed editable (pip, once per
#      change of pyproject.toml).
# Stamp files in .venv/ make a second run start at once.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP_SYS := $(VENV)/.system-packages
STAMP_PIP := $(VENV)/.installed

# What pycairo/manimpango compile against, and what Manim's LaTeX template needs.
APT_PACKAGES := pkg-config libcairo2-dev libpango1.0-dev \
	texlive-latex-base texlive-latex-recommended texlive-latex-extra \
	texlive-fonts-recommended dvisvgm

.PHONY: render test setup bench clean
.DEFAULT_GOAL := render

render: $(STAMP_PIP)
	$(PY) render.py

test: $(STAMP_PIP)
	$(VENV)/bin/ruff check --quiet .
	$(PY) -m pytest

setup: $(STAMP_PIP)

bench: $(STAMP_PIP)
	$(PY) tests/benchmarks/bench_core.py
	$(PY) tests/benchmarks/bench_scenes.py

$(STAMP_SYS):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "error: Python >= 3.11 is needed (found $$($(PYTHON) --version 2>&1))"; exit 1; }
	@missing=$$(for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		cmd="apt-get update && apt-get install -y --no-install-recommends $$(echo $$missing)"; \
		if ! command -v apt-get >/dev/null; then \
			echo "error: these system packages are missing and apt-get is not available: $$(echo $$missing)"; \
			echo "Install their equivalents (cairo, pango, pkg-config, TeX Live with standalone, dvisvgm) and run make again."; \
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
	$(PYTHON) -m venv $(VENV)
	touch $@

$(STAMP_PIP): $(STAMP_SYS) pyproject.toml
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

clean:
	rm -rf $(VENV) media out .pytest_cache
