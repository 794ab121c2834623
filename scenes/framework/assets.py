"""Where the program's own files are, in a checkout and in an installed wheel alike: the art,
the presets and the example notebook travel as the package ``adam_animated_assets`` (the
repository's ``assets/`` folder, mapped by ``pyproject.toml``)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

ASSETS = Path(str(files("adam_animated_assets")))
