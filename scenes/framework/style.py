"""The shared look of every scene: fonts, text, formulas, captions, legends, readouts and the
layout's lines, drawn in the colours of ``palette``."""

from __future__ import annotations

import numpy as np
from manim import DL, DOWN, LEFT, RIGHT, UL, WHITE, Dot, MathTex, Text, VGroup, VMobject

from scenes.framework.internals.texts import laid_out
from scenes.framework.palette import Theme

BODY_FONT = "DejaVu Sans"
MONO_FONT = "DejaVu Sans Mono"

def ramp(values: np.ndarray, stops: tuple[str, ...]) -> np.ndarray:
    """Map values in [0, 1] through a piecewise-linear colour ramp to uint8 RGB."""
    rgb = np.array([[int(s[i:i + 2], 16) for i in (1, 3, 5)] for s in stops], dtype=float)
    x = np.linspace(0.0, 1.0, len(stops))
    v = np.clip(values, 0.0, 1.0)
    out = np.stack([np.interp(v, x, rgb[:, c]) for c in range(3)], axis=-1)
    return np.round(out).astype(np.uint8)


# --- text ----------------------------------------------------------------------------------------

def text(s: str, theme: Theme, size: float = 24, color: str | None = None, **kw) -> Text:
    return laid_out(s, BODY_FONT, size, color or theme.text, **kw)


def line_height(theme: Theme, size: float = 24, **kw) -> float:
    """The height of one line of ``text`` at ``size``, ascender to descender, whatever its
    letters: texts placed by it line up ("RMSProp"'s p does not lower what follows)."""
    return text("Mp", theme, size, **kw).height


def formula(theme: Theme, *parts: str | tuple[str, str], size: float = 36) -> MathTex:
    """A formula from pieces: plain TeX strings, or ``(tex, symbol)`` pairs drawn in the
    symbol's fixed colour (e.g. ``("m_t", "m")``). Each piece is a submobject, in order."""
    texs = [p if isinstance(p, str) else p[0] for p in parts]
    m = MathTex(*texs, font_size=size, color=theme.text)
    for piece, mob in zip(parts, m.submobjects, strict=True):
        if not isinstance(piece, str):
            mob.set_color(theme.symbol(piece[1]))
    return m


READOUT_CHARS = 11  # the longest format_number writes: -1.234e+100


def format_number(v: float, digits: int = 4) -> str:
    """Compact, fixed-meaning numbers for readouts: 4 significant figures, e-notation when huge
    or tiny (``0.02807``, ``1062``, ``3.266e-03``)."""
    if v == 0 or not np.isfinite(v):
        return f"{v:g}"
    if 1e-3 <= abs(v) < 1e5:
        return f"{v:.{digits}g}"
    return f"{v:.{digits - 1}e}"


TINY = 1e-12  # below this, captions say "below 10⁻¹²" rather than 5.07e-46


def number(v: float, digits: int = 3) -> str:
    """A number for captions, in one style across scenes: ``digits`` significant figures, and
    "below 10⁻¹²" for a magnitude too small to mean anything at float64 precision."""
    return "below 10⁻¹²" if 0 < abs(v) < TINY else f"{v:.{digits}g}"


def point_text(p) -> str:
    """A point for captions and labels: ``(-1.5, 1)``."""
    return "(" + ", ".join(f"{c:.3g}" for c in p) + ")"


class Readout(VMobject):
    """Monospaced text that changes every frame without re-typesetting anything.

    Glyph outlines are rendered once per (character, size) and copied onto a fixed character
    grid aligned to the baseline; the whole string is one path. Live numbers neither jitter nor
    cost a Pango render per frame, and the mobject family never changes during an animation
    (Cairo draws the family it saw when the animation began).
    """

    _glyphs: dict[tuple[str, float], np.ndarray] = {}
    _advance: dict[float, float] = {}

    def __init__(self, s: str, color: str, size: float = 24, **kwargs):
        super().__init__(fill_color=color, fill_opacity=1, stroke_width=0, **kwargs)
        self.size = size
        # An invisible degenerate curve marks the baseline origin; as a submobject it moves
        # with every shift, move_to or group transform applied to the readout.
        self.anchor = VMobject(fill_opacity=0, stroke_width=0)
        self.anchor.points = np.zeros((4, 3))
        self.add(self.anchor)
        self.set_text(s)

    @classmethod
    def _advance_for(cls, size: float) -> float:
        if size not in cls._advance:
            two = laid_out("00", MONO_FONT, size, WHITE, letters=True)
            cls._advance[size] = two[1].get_left()[0] - two[0].get_left()[0]
        return cls._advance[size]

    @classmethod
    def _glyph(cls, ch: str, size: float) -> np.ndarray:
        """The outline points of ``ch``, relative to its cell's baseline-left corner."""
        key = (ch, size)
        if key not in cls._glyphs:
            pair = laid_out(f"0{ch}", MONO_FONT, size, WHITE, letters=True)
            zero, glyph = pair[0], pair[1]
            cls._glyphs[key] = (glyph.points - zero.get_corner(DL)
                                - RIGHT * cls._advance_for(size))
        return cls._glyphs[key]

    def set_text(self, s: str) -> Readout:
        adv = self._advance_for(self.size)
        origin = self.anchor.points[0]
        parts = [self._glyph(ch, self.size) + origin + RIGHT * adv * i
                 for i, ch in enumerate(s) if ch != " "]
        self.points = np.concatenate(parts) if parts else np.zeros((0, 3))
        self.text_ = s
        return self

    def place(self, point: np.ndarray) -> Readout:
        """Put the baseline start (left end) of the text at ``point``."""
        return self.shift(np.asarray(point) - self.anchor.points[0])


def swatch(color: str, radius: float = 0.09) -> Dot:
    return Dot(radius=radius, color=color)


def stack(*rows, buff: float = 0.18) -> VGroup:
    return VGroup(*rows).arrange(DOWN, aligned_edge=LEFT, buff=buff)


# --- the grid every scene is laid on ----------------------------------------------------------
# Manim's frame is 14.2 x 8 units with the origin at its centre. From top to bottom: the scene's
# title, the picture (with its labels, readouts and formulas) below PICTURE_TOP, and the caption
# band, which holds
# at most two lines and stays in the same place in every scene and theme.

FRAME_LEFT, FRAME_RIGHT = -7.1, 7.1
MARGIN = 0.45
TITLE_TOP = 3.72
PICTURE_TOP = 3.0
CAPTION_CENTER = -3.4
CAPTION_SIZE = 28
PICTURE_BOTTOM = -2.8  # two caption lines reach up to -2.97
MANY_RACERS = 3  # from this many on, a legend and the chart under it are set closer


def scene_title(title: str, theme: Theme) -> Text:
    """The scene's title, top left, in every scene."""
    mob = fit_width(text(title, theme, 34, weight="BOLD"), FRAME_RIGHT - FRAME_LEFT - 2 * MARGIN)
    return mob.move_to([FRAME_LEFT + MARGIN, TITLE_TOP, 0], aligned_edge=UL)


def caption_band(lines: list[str], theme: Theme) -> VGroup:
    """A beat's caption (already broken into lines), centred in the caption band."""
    rows = VGroup(*(text(line, theme, CAPTION_SIZE) for line in lines))
    rows.arrange(DOWN, buff=0.14)
    return rows.move_to([0, CAPTION_CENTER, 0])


def fit_width(mob: VMobject, width: float) -> VMobject:
    """Shrink ``mob`` (never enlarge) to at most ``width``."""
    return mob.scale_to_fit_width(width) if mob.width > width else mob


def fit_above(mob: VMobject, bottom: float = PICTURE_BOTTOM) -> VMobject:
    """Shrink ``mob`` about its top-left corner (never enlarge) until its bottom is at or above
    ``bottom``: the picture stays clear of the caption band."""
    room = mob.get_top()[1] - bottom
    if mob.height > room > 0:
        mob.scale(room / mob.height, about_point=mob.get_corner(UL))
    return mob


def above_paths(label: VMobject, theme: Theme) -> VMobject:
    """A label the racers' paths may cross: drawn over them, with a halo of the background."""
    return label.set_stroke(theme.background, width=4, background=True).set_z_index(1)


def baseline_after(label: VMobject, gap: float = 0.15) -> np.ndarray:
    """Where text continuing ``label`` on its baseline starts (its first letter sits on it:
    a label laid out with ``letters``)."""
    return np.array([label.get_right()[0] + gap, label[0].get_bottom()[1], 0.0])


def racer_legend(entries: list[tuple[str, str, str]], theme: Theme, value_label: str,
                 below: VMobject, buff: float = 0.4, counter_label: str = "step",
                 size: float = 24) -> tuple[VGroup, list[Readout]]:
    """Legend rows ``(name, colour, details)`` with a live value readout in a column to the
    right of the longest name, then a counter line, placed under ``below`` (left-aligned).
    Returns the group and the readouts (one per racer, then the counter)."""
    rows = VGroup()
    for name, color, details in entries:
        head = VGroup(swatch(color), text(name, theme, size, color=color, weight="BOLD"))
        head.arrange(RIGHT, buff=0.15)
        hyper = text(details, theme, size * 0.72, color=theme.muted)
        hyper.next_to(head, DOWN, aligned_edge=LEFT, buff=0.08).shift(0.35 * RIGHT)
        rows.add(VGroup(head, hyper))
    tight = len(entries) >= MANY_RACERS
    rows.arrange(DOWN, aligned_edge=LEFT, buff=0.12 if tight else 0.2)
    column = max(row[0].get_right()[0] for row in rows) + 0.45
    labels, readouts = VGroup(), []
    for (_, color, _), row in zip(entries, rows, strict=True):
        label = text(value_label, theme, size * 0.8, color=theme.muted, letters=True)
        label.set_x(column + label.width / 2).align_to(row[0][1], DOWN)
        labels.add(label)
        readouts.append(Readout("", color, size=size * 0.85).place(baseline_after(label)))
    counter = text(counter_label, theme, size * 0.85, color=theme.muted, letters=True)
    counter.next_to(rows, DOWN, buff=0.22 if tight else 0.3, aligned_edge=LEFT)
    readouts.append(Readout("", theme.text, size=size * 0.9).place(baseline_after(counter)))
    legend = VGroup(rows, labels, counter)
    VGroup(legend, *readouts).shift(below.get_corner(DL) + buff * DOWN - legend.get_corner(UL))
    # The values change as the racers run: leave room for the longest format_number writes.
    left = legend.get_left()[0]
    width = (max(baseline_after(label)[0] for label in labels)
             + READOUT_CHARS * Readout._advance_for(size * 0.85) - left)
    room = FRAME_RIGHT - MARGIN / 2 - left
    if width > room:
        return racer_legend(entries, theme, value_label, below, buff, counter_label,
                            size * 0.97 * room / width)
    return legend, readouts
