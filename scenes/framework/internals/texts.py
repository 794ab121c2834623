"""Text laid out the same at every render size, read fast, and laid out once per process.

Manim 0.22 lays a ``Text`` out with Pango on a canvas as wide as the render
(``config["pixel_width"]``, read inside ``Text._text2svg``) and keeps the drawing in the media
folder's ``texts/`` under a name that does not include that width. A text wider than the canvas
wraps onto a second line, and that wrapped drawing is then reused by every later render into
the same folder: a 320-pixel preview would leave the 1080p video's long captions on two lines
each. Here every text is laid out on one fixed canvas, as wide as a 4K frame, whatever the
render's size, so the drawing kept is the same for all of them.

Manim then reads that drawing with a general SVG reader (svgelements) that parses every glyph
of every text again: five sixths of making a ``Text``, and half of building a scene. Pango's
drawings are simple (each glyph's outline once, then placed by ``<use x y>``), so
:class:`PangoText` reads them itself: each glyph's outline is converted to points once per
process by Manim's own path converter, and each placed glyph is those points moved to its
place. The result is the same ``Text`` (points equal to 1e-12, the same styles; checked by
``tests/test_layout.py`` against Manim's reader, which fails loudly if Manim reads them
differently); a drawing of any other shape goes to Manim's reader. Its glyphs are plain
``VMobject``s, without the parsed path Manim keeps on each, so a copy costs a hundredth of
laying the text out again: a text asked for again is a copy.

The canvas size is read from Manim's global config at the moment a text is made: the only
use of it here is to set it around that call and put it back. ``tests/test_layout.py`` fails
loudly if Manim stops reading it there.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import svgelements as se
from manim import RIGHT, Text, VMobject, config
from manim.mobject.svg.svg_mobject import VMobjectFromSVGPath

CANVAS = (3840, 2160)  # pixels of the canvas every text is laid out on (4K)
KEPT = 4096  # laid-out texts kept per process
_LAID_OUT: OrderedDict[tuple, Text] = OrderedDict()
_OUTLINES: dict[tuple, np.ndarray] = {}  # a glyph's outline (its path's d), renderer -> points

SVG = "{http://www.w3.org/2000/svg}"
HREF = "{http://www.w3.org/1999/xlink}href"
PAINT = {"fill", "fill-opacity"}  # what Pango's glyph groups are styled with


@contextmanager
def fixed_canvas() -> Iterator[None]:
    """Manim's canvas size set to :data:`CANVAS` for the texts made inside, then put back."""
    before = config["pixel_width"], config["pixel_height"]
    config["pixel_width"], config["pixel_height"] = CANVAS
    try:
        yield
    finally:
        config["pixel_width"], config["pixel_height"] = before


def laid_out(s: str, font: str, size: float, color: str, letters: bool = False,
             **kw: Any) -> Text:
    """A new ``Text`` of ``s``, on one line whatever the render's size, drawn as one path
    (see :func:`one_path`), or, with ``letters``, as one path a letter (for a caller that
    reads the letters). The first request lays it out, later ones get a copy of an untouched
    one."""
    key = (s, font, size, color, letters, tuple(sorted(kw.items())))
    if key not in _LAID_OUT:
        with fixed_canvas():
            made = PangoText(s, font=font, font_size=size, color=color, **kw)
        _LAID_OUT[key] = made if letters else one_path(made)
        while len(_LAID_OUT) > KEPT:
            _LAID_OUT.popitem(last=False)
    _LAID_OUT.move_to_end(key)
    return _LAID_OUT[key].copy()  # untouched: the caller moves and colours its own


def one_path(text: Text) -> Text:
    """``text`` with its letters joined into one path (the scenes show texts whole, never
    letter by letter; a staggered fade staggers whole lines): drawn in one call a frame
    instead of one a letter. Manim draws again, in every frame of an animation, everything
    above what moves (a caption band is above everything), and a copy of a text is one
    array. Letters of different styles are left as they are. Manim's colouring by substring
    (``t2c``) counts letters: a text to be coloured so is laid out with ``letters``."""
    glyphs = text.submobjects
    if len(glyphs) > 1 and all(not g.submobjects and same_style(g, glyphs[0]) for g in glyphs):
        joined = glyphs[0].copy()
        joined.points = np.concatenate([g.points for g in glyphs])
        text.submobjects = [joined]
        text.chars = text.get_group_class()(joined)
    return text


def same_style(a: VMobject, b: VMobject) -> bool:
    return (a.stroke_width == b.stroke_width and np.array_equal(a.fill_rgbas, b.fill_rgbas)
            and np.array_equal(a.stroke_rgbas, b.stroke_rgbas))


class PangoText(Text):
    """Manim's ``Text``, its Pango drawing read by :func:`pango_glyphs` (Manim's reader for a
    drawing of another shape)."""

    def generate_mobject(self) -> PangoText:
        glyphs = pango_glyphs(ET.parse(self.get_file_path()).getroot())
        if glyphs is None:
            super().generate_mobject()
            return self
        self.add(*glyphs)
        self.flip(RIGHT)  # as Manim's reader: SVG's y runs down
        return self


def pango_glyphs(root: ET.Element) -> list[VMobject] | None:
    """The placed glyphs of a Pango drawing, in drawing order, as Manim's SVG reader makes
    them (its outline's points moved by the ``<use>``'s x and y; filled as its group says;
    no stroke; an empty glyph, a space, left out), or None for a drawing of another shape."""
    outlines: dict[str, str] = {}
    glyphs: list[VMobject] = []
    unread = 0  # <path>s met minus those read as outlines, <use>s minus those placed: 0
    for element in root.iter():
        tag = element.tag
        if tag == SVG + "symbol":
            paths = list(element)
            if len(paths) > 1 or any(p.tag != SVG + "path" or "transform" in p.attrib
                                     for p in paths):
                return None
            outlines[f"#{element.get('id')}"] = paths[0].get("d", "") if paths else ""
            unread -= len(paths)
        elif tag == SVG + "g":
            if "transform" in element.attrib:
                return None
            uses = [e for e in element if e.tag == SVG + "use"]
            if not uses:
                continue
            paint = style(element.get("style", ""))
            if set(paint) != PAINT:
                return None
            fill, opacity = se.Color(paint["fill"]).hexrgb, float(paint["fill-opacity"])
            unread -= len(uses)
            for use in uses:
                if set(use.attrib) != {HREF, "x", "y"} or use.get(HREF) not in outlines:
                    return None
                points = outline(outlines[use.get(HREF)])
                if len(points):
                    glyph = VMobject(fill_color=fill, fill_opacity=opacity, stroke_width=0)
                    glyph.points = points + [float(use.get("x")), float(use.get("y")), 0.0]
                    glyphs.append(glyph)
        elif tag in (SVG + "path", SVG + "use"):
            unread += 1
        elif tag not in (SVG + "svg", SVG + "defs"):
            return None
    return glyphs if unread == 0 else None  # else a use or path drawn outside Pango's shape


def style(text: str) -> dict[str, str]:
    """An SVG style attribute as a dict: ``fill:rgb(1%,2%,3%);fill-opacity:1;``."""
    pairs = (part.split(":", 1) for part in text.split(";") if ":" in part)
    return {k.strip(): v.strip() for k, v in pairs}


def outline(d: str) -> np.ndarray:
    """The points of a glyph's outline, by Manim's own converter, once per process (and
    renderer: Cairo's curves have four points, OpenGL's three)."""
    key = (d, config.renderer)
    if key not in _OUTLINES:
        if len(_OUTLINES) > 16 * KEPT:
            _OUTLINES.clear()
        _OUTLINES[key] = VMobjectFromSVGPath(se.Path(d)).points
        _OUTLINES[key].flags.writeable = False  # shared by every glyph drawn from it
    return _OUTLINES[key]
