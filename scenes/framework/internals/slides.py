"""The lecture deck: manim-slides' ``Slide`` made to run on Manim 0.22, and nothing more.

manim-slides 5.7.0 was written for Manim 0.21. Three of its config writes break on 0.22
(``../shared/PITFALLS.md``): ``Slide.__init__`` sets ``config["write_to_movie"]`` (gone in 0.22),
and ``Slide.render`` sets ``config["max_files_cached"] = float("inf")`` (0.22 wants an int) and
``config["flush_cache"]`` (gone). :class:`DeckScene` skips exactly those writes and otherwise calls
manim-slides' own code: beats become slides with ``next_slide(notes=...)``, and after the render
``_save_slides`` joins each slide's partial movies into one clip and writes the presentation JSON
that ``manim_slides.convert`` turns into HTML, PPTX and PDF. A slide's notes grow beat by beat
(``add_notes``), which writes the private slide config manim-slides keeps until the next slide.

``_save_slides`` and ``_base_slide_config`` are private API: manim-slides is pinned to the
version this was written for, and ``tests/test_deck.py`` fails loudly if that version changes
what this module relies on.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from manim import Scene, config, tempconfig
from manim_slides.slide.base import BaseSlide
from manim_slides.slide.manim import Slide

MANIM_SLIDES_VERSION = "5.7.0"  # the version this layer was written and tested for


STOCK = "manim-slides"  # deck_folder's default: behave as manim-slides' own Slide does


class DeckScene(Slide):
    """A manim-slides ``Slide`` that leaves Manim's global config alone.

    ``deck_folder``: where the slides' clips and presentation JSON go (``render.py`` passes
    its own, or ``None`` for the video only). Left at its default, as Manim's and
    manim-slides' command lines and Jupyter's ``%manim`` leave it, the scene writes manim-slides'
    usual ``./slides`` folder beside the video, so ``manim-slides render scenes/race.py
    RosenbrockRace`` then ``manim-slides convert`` / ``present`` work as manim-slides documents.
    """

    skip_reversing = True  # reversed clips cost a second encode; the deck only plays forward

    def __init__(self, *args: Any, deck_folder: str | Path | None = STOCK, **kwargs: Any):
        self.stock = deck_folder == STOCK
        folder = Path("slides") if self.stock or deck_folder is None else Path(deck_folder)
        # Slide.__init__ would write config["write_to_movie"]; start one class further along.
        BaseSlide.__init__(self, *args, output_folder=folder, **kwargs)
        self.deck_folder = None if deck_folder is None else folder

    def render(self, *args: Any, **kwargs: Any) -> None:
        if self.stock:
            self.render_as_manim_slides(*args, **kwargs)
            return
        # The render pipeline sets max_files_cached = -1 (keep every partial movie) itself.
        Scene.render(self, *args, **kwargs)
        if self.deck_folder is not None:
            logging.getLogger("manim-slides").setLevel(logging.WARNING)
            self._save_slides(use_cache=False, flush_cache=False, skip_reversing=True)
            relocatable(self.deck_folder / f"{self}.json", self.deck_folder)

    def add_notes(self, text: str) -> None:
        """Add a paragraph to the speaker notes of the slide being recorded (manim-slides takes
        a slide's notes when it begins; an idea's later beats add theirs)."""
        slide = self._base_slide_config
        slide.notes = f"{slide.notes}\n\n{text}" if slide.notes else text

    def render_as_manim_slides(self, *args: Any, **kwargs: Any) -> None:
        """What manim-slides' ``Slide.render`` does, in Manim 0.22's terms: every partial movie
        kept while the scene renders (-1, not ``inf``), then the slides saved to ./slides.
        Nothing is saved when no movie is written (a dry run, a last frame)."""
        if config.dry_run or config.save_last_frame:
            Scene.render(self, *args, **kwargs)
            return
        with tempconfig({"max_files_cached": -1}):
            Scene.render(self, *args, **kwargs)
        self._save_slides(use_cache=False, flush_cache=False, skip_reversing=True)


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
