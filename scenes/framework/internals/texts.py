"""Text laid out the same at every render size, and laid out once per process.

Manim 0.22 lays a ``Text`` out with Pango on a canvas as wide as the render
(``config["pixel_width"]``, read inside ``Text._text2svg``) and keeps the drawing in the media
folder's ``texts/`` under a name that does not include that width. A text wider than the canvas
wraps onto a second line, and that wrapped drawing is then reused by every later render into
the same folder: a 320-pixel preview would leave the 1080p video's long captions on two lines
each. Here every text is laid out on one fixed canvas, as wide as a 4K frame, whatever the
render's size, so the drawing kept is the same for all of them.

Manim then closes every glyph's curves point by point in Python on each ``Text``, even when
its parsed drawing is cached: a copy of a text laid out before costs a third of that (tick
labels and legends repeat within a scene; a scene built again, as the tests do, repeats
every caption).

The canvas size is read from Manim's global config at the moment a text is made: the only
use of it here is to set it around that call and put it back. ``tests/test_layout.py`` fails
loudly if Manim stops reading it there.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from manim import Text, config

CANVAS = (3840, 2160)  # pixels of the canvas every text is laid out on (4K)
KEPT = 4096  # laid-out texts kept per process
_LAID_OUT: OrderedDict[tuple, Text] = OrderedDict()
_SEEN: set[tuple] = set()  # texts laid out once so far


@contextmanager
def fixed_canvas() -> Iterator[None]:
    """Manim's canvas size set to :data:`CANVAS` for the texts made inside, then put back."""
    before = config["pixel_width"], config["pixel_height"]
    config["pixel_width"], config["pixel_height"] = CANVAS
    try:
        yield
    finally:
        config["pixel_width"], config["pixel_height"] = before


def laid_out(s: str, font: str, size: float, color: str, **kw) -> Text:
    """A new ``Text`` of ``s``, on one line whatever the render's size. A text asked for a
    second time is kept, and later ones are copies of it: a copy costs a third of laying a
    text out, but copying every text once would slow a scene built once (its captions are
    each asked for once)."""
    key = (s, font, size, color, tuple(sorted(kw.items())))
    if key in _LAID_OUT:
        _LAID_OUT.move_to_end(key)
        return _LAID_OUT[key].copy()
    with fixed_canvas():
        made = Text(s, font=font, font_size=size, color=color, **kw)
    if key in _SEEN:
        _LAID_OUT[key] = made.copy()  # untouched: the caller moves and colours its own
        while len(_LAID_OUT) > KEPT:
            _LAID_OUT.popitem(last=False)
    else:
        if len(_SEEN) > 8 * KEPT:
            _SEEN.clear()
        _SEEN.add(key)
    return made
