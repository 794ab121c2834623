"""The lecture deck, one slide per idea: each scene's ideas recorded beside its slide clips
after the render, then an offline reveal.js page (manim-slides' converter with our template),
a titled .pptx and a text handout."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scenes.framework.assets import ASSETS
from scenes.production.store import publish_folder

if TYPE_CHECKING:
    from PIL import Image

    from scenes.framework.scene import Beat

# The files of reveal.js the manim-slides template loads (fetched from npm at setup, never a CDN).
REVEAL_FILES = ("dist/reveal.css", "dist/reveal.js", "dist/theme/black.css",
                "dist/theme/white.css", "dist/plugin/notes.js")


@dataclass(frozen=True)
class DeckSlide:
    """One slide of the deck: one idea of a scene, its beats played through as one clip."""

    scene: str  # the scene's key ("race")
    title: str  # the idea, a short phrase ("Adam against SGD on the Rosenbrock valley")
    clip: Path  # the slide's video (mp4 or webm), its last frame is the idea's final picture
    notes: str  # what the lecturer needs to say it: narration, then the numbers behind it
    alt: str  # alt text for the clip: the narration of its beats

    @cached_property
    def still(self) -> Image.Image:
        """The clip's last picture, the idea's final state (decoded once, for the .pptx's
        poster and the handout)."""
        from scenes.framework.video import last_frame

        return last_frame(self.clip)


def presentation(folder: Path) -> Path:
    """The presentation JSON of a scene's slide folder (manim-slides writes one per scene)."""
    return next(folder.glob("*.json"))


def slide_beats(beats: Sequence[Beat]) -> list[list[Beat]]:
    """The beats of each slide, in order: a run of beats of one idea is one slide."""
    slides: list[list[Beat]] = []
    for beat in beats:
        if slides and slides[-1][-1].idea == beat.idea:
            slides[-1].append(beat)
        else:
            slides.append([beat])
    return slides


def record_ideas(deck: Path, scene: Any) -> None:
    """Write each slide's idea into the scene's presentation JSON, beside what manim-slides
    wrote: ``title``, ``notes`` (narration, clip length, the numbers behind it), ``alt`` (the
    narration, for a movie's alt text) and ``beats`` (id, start and end in seconds of the
    scene's video). manim-slides reads the notes
    and ignores the other keys, so its own converters and ``present`` still work."""
    from scenes.production.notes import idea_notes

    config_file = presentation(deck)
    data = json.loads(config_file.read_text())
    groups = slide_beats(scene.beats)
    empty = [idea.title for i, idea in enumerate(scene.ideas)
             if not any(b.idea == i for b in scene.beats)]
    if empty:  # declared, then another idea (or the end) came before any beat: a lost slide
        raise RuntimeError(f"{scene.key}: ideas with no beat: {', '.join(map(repr, empty))}")
    if len(groups) != len(data["slides"]):
        raise RuntimeError(f"{scene.key}: {len(data['slides'])} slides for {len(groups)} ideas")
    for slide, beats in zip(data["slides"], groups, strict=True):
        idea = scene.ideas[beats[0].idea]
        slide.update(title=idea.title, notes=idea_notes(scene.key, idea, beats, scene.facts),
                     alt=" ".join(b.caption for b in beats),
                     beats=[{"id": f"{scene.key}/{b.name}", "start": round(b.start, 6),
                             "end": round(b.end, 6)} for b in beats])
    config_file.write_text(json.dumps(data, indent=2))


def deck_slides(decks: Sequence[Path]) -> list[DeckSlide]:
    """The deck's slides, in order, from the scenes' slide folders (their presentation JSON,
    with the ideas ``record_ideas`` wrote)."""
    slides = []
    for folder in decks:
        data = json.loads(presentation(folder).read_text())
        scene = folder.name.split("-")[0]
        if any("title" not in s or "alt" not in s for s in data["slides"]):
            raise RuntimeError(f"{folder}: slides without their ideas (not rendered by "
                               "render.py); render the scene again")
        slides += [DeckSlide(scene, s["title"], folder.parent / s["file"], s["notes"], s["alt"])
                   for s in data["slides"]]
    return slides


def build_deck(decks: list[Path], target: Path, theme: str, reveal: Path, work: Path, *,
               narrated: bool = False, one_file: bool = False) -> list[Path]:
    """One deck from the scenes' slide folders (each the clips and JSON of one render), one
    slide per idea, named after ``target``: an offline reveal.js page (``target.html``, with
    ``target_assets/`` unless ``one_file``), a titled .pptx and a text handout
    (``target-handout.pdf``), built in ``work`` (a new folder in the run's area, on the same
    file system). Returns the files."""
    from manim_slides.config import PresentationConfig

    from scenes.catalog import CATALOG
    from scenes.framework.palette import THEMES
    from scenes.production.handout import write_handout
    from scenes.production.powerpoint import write_pptx

    configs = [PresentationConfig.from_file(presentation(d)) for d in decks]
    slides = deck_slides(decks)
    title = "Adam, animated" if len(decks) > 1 else CATALOG[slides[0].scene].title
    html, assets = target.with_suffix(".html"), target.with_name(f"{target.name}_assets")
    pptx = target.with_name(f"{target.name}.pptx")
    handout = target.with_name(f"{target.name.removesuffix('-deck')}-handout.pdf")
    work.mkdir()
    try:
        template = work / "deck.html.j2"
        template.write_text((ASSETS / "deck.html").read_text(encoding="utf-8"), encoding="utf-8")
        page = idea_page_class().for_deck(configs, slides, theme, reveal, work / assets.name,
                                          template, title=title, narrated=narrated,
                                          one_file=one_file)
        # The converter draws a progress bar on stderr; the caller reports the files.
        with contextlib.redirect_stderr(io.StringIO()):
            page.convert_to(work / html.name)
        width, height = configs[0].resolution
        look = THEMES[theme]
        write_pptx(slides, work / pptx.name, width, height, title, (look.background, look.text))
        write_handout(slides, work / handout.name, title)
        outputs = [html]
        if not one_file:
            publish_folder(work / assets.name, assets)
            outputs.append(assets)
        for made in (pptx, handout):
            os.replace(work / made.name, made)
            outputs.append(made)
        os.replace(work / html.name, html)
        return outputs
    finally:
        shutil.rmtree(work, ignore_errors=True)


def idea_page_class() -> Any:
    """manim-slides' reveal.js converter with this project's template (assets/deck.html):
    a title and notes per idea, Space and the arrows to advance, clips muted unless the deck
    is narrated (then a start card, so sound starts after a key press), reveal.js inlined
    when the page is one file."""
    from manim_slides.convert import RevealJS

    class IdeaPage(RevealJS):
        ideas: list[list[dict[str, str]]]
        narrated: bool = False
        inline: dict[str, str] = {}

        @classmethod
        def for_deck(cls, configs, slides, theme, reveal, vendored, template, *, title,
                     narrated, one_file):
            ideas = [[{"title": s.title, "notes": s.notes} for s in scene]  # a list per config
                     for _, scene in groupby(slides, key=lambda s: s.scene)]
            inline = {}
            for name in REVEAL_FILES:
                if one_file:
                    inline[name] = (reveal / name).read_text()
                else:
                    (vendored / "reveal.js" / name).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(reveal / name, vendored / "reveal.js" / name)
            return cls(presentation_configs=configs, ideas=ideas, narrated=narrated,
                       inline=inline, one_file=one_file, template=template,
                       cdn_url=f"{vendored.name}/reveal.js", title=title,
                       reveal_theme="black" if theme == "dark" else "white")

    return IdeaPage
