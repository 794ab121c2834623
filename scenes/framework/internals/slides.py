"""The lecture deck: manim-slides' ``Slide`` made to run on Manim 0.22, and nothing more.

manim-slides 5.7.0 was written for Manim 0.21. Three of its config writes break on 0.22
(``../shared/PITFALLS.md``): ``Slide.__init__`` sets ``config["write_to_movie"]`` (gone in 0.22),
and ``Slide.render`` sets ``config["max_files_cached"] = float("inf")`` (0.22 wants an int) and
``config["flush_cache"]`` (gone). :class:`DeckScene` skips exactly those writes and otherwise calls
manim-slides' own code: beats become slides with ``next_slide(notes=...)``, and after the render
``_save_slides`` joins each slide's partial movies into one clip and writes the presentation JSON
that ``manim_slides.convert`` turns into HTML, PPTX and PDF.

``_save_slides`` is private API: manim-slides is pinned to the version this was written for, and
``tests/test_deck.py`` fails loudly if that version changes what this module relies on.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from manim import Scene
from manim_slides.slide.base import BaseSlide
from manim_slides.slide.manim import Slide

MANIM_SLIDES_VERSION = "5.7.0"  # the version this layer was written and tested for


class DeckScene(Slide):
    """A manim-slides ``Slide`` that leaves Manim's global config alone.

    ``deck_folder``: where the slides' clips and presentation JSON go; ``None`` (the default,
    e.g. under ``manim -ql scenes/race.py RosenbrockRace``) renders the video only.
    """

    skip_reversing = True  # reversed clips cost a second encode; the deck only plays forward

    def __init__(self, *args: Any, deck_folder: str | Path | None = None, **kwargs: Any):
        # Slide.__init__ would write config["write_to_movie"]; start one class further along.
        BaseSlide.__init__(self, *args, output_folder=Path(deck_folder or "slides"), **kwargs)
        self.deck_folder = Path(deck_folder) if deck_folder is not None else None

    def render(self, *args: Any, **kwargs: Any) -> None:
        # The render pipeline sets max_files_cached = -1 (keep every partial movie) itself.
        Scene.render(self, *args, **kwargs)
        if self.deck_folder is not None:
            logging.getLogger("manim-slides").setLevel(logging.WARNING)
            self._save_slides(use_cache=False, flush_cache=False, skip_reversing=True)
            relocatable(self.deck_folder / f"{self}.json", self.deck_folder)


def relocatable(config_file: Path, folder: Path) -> None:
    """Make the clip paths of a presentation JSON relative, as manim-slides reads them
    (``PresentationConfig.from_file`` joins them to the JSON's grandparent folder), so the
    folder can be moved into place after the render."""
    data = json.loads(config_file.read_text())
    for slide in data["slides"]:
        for key in ("file", "rev_file"):
            clip = Path(slide[key]).resolve().relative_to(folder.resolve())
            slide[key] = str(Path(folder.name) / clip)
    config_file.write_text(json.dumps(data, indent=2))
