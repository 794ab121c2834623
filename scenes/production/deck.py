"""The lecture deck: the scenes' slide folders converted by manim-slides into an offline
reveal.js HTML, a .pptx and a .pdf."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from scenes.production.store import publish_folder

# The files of reveal.js the manim-slides template loads (fetched from npm at setup, never a CDN).
REVEAL_FILES = ("dist/reveal.css", "dist/reveal.js", "dist/theme/black.css",
                "dist/theme/white.css", "dist/plugin/notes.js", "dist/plugin/markdown.js",
                "dist/plugin/highlight/zenburn.css")


@dataclass(frozen=True)
class DeckSlide:
    """One slide of the deck: one idea of a scene, its beats played through as one clip."""

    scene: str  # the scene's key ("race")
    title: str  # the idea, a short phrase ("Adam against SGD on the Rosenbrock valley")
    clip: Path  # the slide's video (mp4 or webm), its last frame is the idea's final picture
    notes: str  # what the lecturer needs to say it: narration, then the numbers behind it
    alt: str  # alt text for the clip: the narration of its beats


def build_deck(decks: list[Path], target: Path, theme: str, reveal: Path,
               work: Path) -> list[Path]:
    """One deck from the scenes' slide folders (each the clips and JSON of one render): an
    offline reveal.js HTML with its assets folder, a .pptx and a .pdf, named after ``target``
    (``target.html``, ``target_assets/``, ``target.pptx``, ``target.pdf``), built in ``work``
    (a new folder in the run's area, on the same file system). Returns the files."""
    from manim_slides.config import PresentationConfig
    from manim_slides.convert import PDF, PowerPoint, RevealJS

    configs = [PresentationConfig.from_file(next(d.glob("*.json"))) for d in decks]
    html, assets = target.with_suffix(".html"), target.with_name(f"{target.name}_assets")
    work.mkdir()
    try:
        staged = work / html.name
        vendored = work / assets.name / "reveal.js"
        for name in REVEAL_FILES:
            (vendored / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(reveal / name, vendored / name)
        # The converters draw a progress bar per scene on stderr; the caller reports the files.
        with contextlib.redirect_stderr(io.StringIO()):
            RevealJS(presentation_configs=configs, cdn_url=f"{assets.name}/reveal.js",
                     reveal_theme="black" if theme == "dark" else "white",
                     title=target.stem).convert_to(staged)
            PowerPoint(presentation_configs=configs).convert_to(work / f"{target.name}.pptx")
            PDF(presentation_configs=configs).convert_to(work / f"{target.name}.pdf")
        publish_folder(work / assets.name, assets)
        outputs = [html, assets]
        for suffix in (".pptx", ".pdf"):
            os.replace(work / f"{target.name}{suffix}", target.with_name(target.name + suffix))
            outputs.append(target.with_name(target.name + suffix))
        os.replace(staged, html)
        return outputs
    finally:
        shutil.rmtree(work, ignore_errors=True)

