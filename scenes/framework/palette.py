"""The colours of every scene, without Manim: the themes, the racers' palette, one colour per
optimizer and one per symbol of Algorithm 1 (the command line lists themes and checks colours
without loading Manim; ``style`` draws with them).

Colours are chosen per theme (dark for screens, light for slides); racers use the Okabe-Ito
colour-blind-safe palette; each symbol of Adam's formulas keeps one colour in every scene.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision
# deficiency. Each racer colour has a dark-theme and a light-theme shade (name -> (dark, light)).
RACER_COLORS: dict[str, tuple[str, str]] = {
    "orange": ("#E69F00", "#C27C00"),
    "sky": ("#56B4E9", "#0072B2"),
    "green": ("#2BC49A", "#009E73"),
    "purple": ("#E08DC0", "#B0548E"),
    "vermillion": ("#FF7A33", "#D55E00"),
    "yellow": ("#F0E442", "#9C8F00"),
}

# One colour per optimizer of optim_core (a palette name above), in every scene, chart, legend
# and caption highlight; Adam's variants share Adam's. Racers of one colour get its shades.
OPTIMIZER_COLORS: dict[str, str] = {
    "sgd": "vermillion", "momentum": "green", "rmsprop": "purple", "adam": "sky",
    "adam_uncorrected": "sky", "adamw": "sky", "amsgrad": "sky",
}
SHADE_SPREAD = 0.5  # the last of several shades of one colour: this far towards the text colour

# One colour per symbol of Algorithm 1, used by every scene's formulas and readouts.
SYMBOL_COLORS: dict[str, tuple[str, str]] = {
    "g": ("#FF7A33", "#D55E00"),
    "m": ("#56B4E9", "#0072B2"),
    "v": ("#E08DC0", "#B0548E"),
    "m_hat": ("#9BE3FF", "#00507F"),
    "v_hat": ("#FFC2E6", "#7F2A5E"),
    "lr": ("#F0E442", "#8A7E00"),
    "beta1": ("#7FD8BE", "#00795A"),
    "beta2": ("#C3A6FF", "#5B3FA8"),
    "eps": ("#BBBBBB", "#555555"),
}

@dataclass(frozen=True)
class Theme:
    """Colours of one theme. ``field`` and ``surface`` are colour ramps (low value first)."""

    name: str
    background: str
    text: str
    muted: str
    axis: str
    contour: str
    panel: str
    field: tuple[str, ...]
    surface: tuple[str, ...]
    marker: str
    pair_index: int = 0  # which of the (dark, light) colour pairs above this theme takes
    contour_opacity: float = 0.45

    def racer(self, name: str) -> str:
        return RACER_COLORS[name][self.pair_index]

    def symbol(self, name: str) -> str:
        return SYMBOL_COLORS[name][self.pair_index]


THEMES: dict[str, Theme] = {
    "dark": Theme(
        name="dark", background="#111418", text="#ECEFF4", muted="#9AA3B2", axis="#C9D1DC",
        contour="#DDE6F0", panel="#1B2028",
        field=("#0B1D3A", "#1D3D63", "#3A5F7D", "#6C8294", "#A5ABB3"),
        surface=("#173A5E", "#2D6E8E", "#5FA6A6", "#B9D6A0", "#F2E8B8"),
        marker="#FFFFFF", pair_index=0,
    ),
    "light": Theme(
        name="light", background="#FFFFFF", text="#1B1F24", muted="#5A6270", axis="#2E3440",
        contour="#2E3440", panel="#F2F4F7",
        field=("#6E9CCB", "#A9C6E3", "#D6E4F1", "#EEF3F8", "#FFFFFF"),
        surface=("#1F4E79", "#3C7FB1", "#7FB7D6", "#C7E2D8", "#F4EFD2"),
        marker="#000000", pair_index=1, contour_opacity=0.35,
    ),
}


def mix(a: str, b: str, t: float) -> str:
    """The colour ``t`` of the way from ``a`` to ``b`` (``#RRGGBB`` strings)."""
    ca, cb = ([int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in (a, b))
    return "#" + "".join(f"{round(x + t * (y - x)):02X}" for x, y in zip(ca, cb, strict=True))


def optimizer_color(optimizer: str, theme: Theme, shade: int = 0, shades: int = 1) -> str:
    """The colour of ``optimizer`` (a key of optim_core's registry) in ``theme``: the
    ``shade``-th of ``shades`` racers drawn in it (the first keeps the table's colour, the
    others are mixed towards the text colour, so they stay legible)."""
    return shade_of(theme.racer(OPTIMIZER_COLORS[optimizer]), theme, shade, shades)


def shade_of(color: str, theme: Theme, shade: int, shades: int) -> str:
    return mix(color, theme.text, SHADE_SPREAD * shade / max(shades - 1, 1))


def optimizer_colors(racers: dict[str, Any], theme: Theme) -> dict[str, str]:
    """Each racer's colour (anything with ``optimizer`` and ``color``, a palette name or
    "auto"): its own palette colour, else its optimizer's; racers of one colour get its
    shades, in order."""
    spare = iter([c for c in RACER_COLORS if c not in OPTIMIZER_COLORS.values()]
                 + list(RACER_COLORS))  # an optimizer the table does not know yet
    names = {key: r.color if r.color != "auto" else
             OPTIMIZER_COLORS.get(r.optimizer) or next(spare) for key, r in racers.items()}
    counts = Counter(names.values())
    seen: Counter = Counter()
    out = {}
    for key, name in names.items():
        out[key] = shade_of(theme.racer(name), theme, seen[name], counts[name])
        seen[name] += 1
    return out
