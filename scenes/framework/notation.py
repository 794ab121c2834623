"""The explainer's one notation: Algorithm 1 as every scene draws it, and numbers as a viewer
reads them (``10⁻³``, ``1.78 × 10⁻⁵``; never e-notation).

Kingma & Ba (2015), Algorithm 1, in the storyboard's symbols: θ the weights, J the loss, g_t the
gradient, α the learning rate, β₁ and β₂ the decays, ε the guard.
"""

from __future__ import annotations

import math

from manim import DOWN, LEFT, RIGHT, VGroup

from scenes.framework.palette import Theme
from scenes.framework.style import fit_width, formula, text

# What each update line of Algorithm 1 is, in the order the lines are drawn (after the line
# that starts the loop): the idea of the explainer it comes from.
IDEAS = ("the slope underfoot", "momentum", "RMSProp", "bias correction", "the step")

SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def readable(v: float, digits: int = 3) -> str:
    """A number as a caption or label says it, to ``digits`` significant figures: ``0.001``
    and ``1e-08`` become ``10⁻³`` and ``10⁻⁸``, ``1.78e-05`` becomes ``1.78 × 10⁻⁵``, ``1800``
    becomes ``1,800``, ``0.0562`` stays."""
    if v == 0 or not math.isfinite(v):
        return f"{v:g}"
    exponent = math.floor(math.log10(abs(v)))
    if -2 <= exponent < 6:
        rounded = float(f"{v:.{digits}g}")
        shown = f"{rounded:,.{max(digits - 1 - exponent, 0)}f}"
        return shown.rstrip("0").rstrip(".") if "." in shown else shown
    mantissa = float(f"{v / 10**exponent:.{digits}g}")
    if abs(mantissa) >= 10:  # 9.999 rounded up to 10
        mantissa, exponent = mantissa / 10, exponent + 1
    power = "10" + str(exponent).translate(SUPERSCRIPT)
    if mantissa == 1:
        return power
    if mantissa == -1:
        return "-" + power
    return f"{mantissa:g} × {power}"


def tex_number(v: float, digits: int = 3) -> str:
    """:func:`readable` in TeX, for a number inside a formula: ``10^{-3}``,
    ``1.78 \\times 10^{-5}``, ``1{,}800``."""
    shown = readable(v, digits)
    if "10" in shown and any(c in shown for c in "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"):
        mantissa, _, power = shown.rpartition("10")
        exponent = power.translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789"))
        lead = mantissa.replace(" × ", r" \times ")
        return f"{lead}10^{{{exponent}}}"
    return shown.replace(",", "{,}")


def algorithm_one(theme: Theme, size: float = 38, width: float = 6.8) -> VGroup:
    """Algorithm 1: the line that starts the loop, then its five update lines (one per entry of
    :data:`IDEAS`), each numbered as captions name them ("Line 5") and each piece of a symbol
    in that symbol's colour. ``result[0]`` is the loop line; ``result[1 + i]`` is the line of
    ``IDEAS[i]``, its number its last part."""
    th = theme
    start = formula(th, ("m_0", "m"), r"\leftarrow 0,\ ", ("v_0", "v"),
                    r"\leftarrow 0; \quad \text{for } t = 1, 2, \dots:", size=size)
    rows = [
        formula(th, ("g_t", "g"), r"\leftarrow \nabla J(\theta_{t-1})", size=size),
        formula(th, ("m_t", "m"), r"\leftarrow", (r"\beta_1", "beta1"), ("m_{t-1}", "m"),
                "+ (1 -", (r"\beta_1", "beta1"), ")", ("g_t", "g"), size=size),
        formula(th, ("v_t", "v"), r"\leftarrow", (r"\beta_2", "beta2"), ("v_{t-1}", "v"),
                "+ (1 -", (r"\beta_2", "beta2"), ")", ("g_t^2", "g"), size=size),
        formula(th, (r"\hat{m}_t", "m_hat"), r"\leftarrow", ("m_t", "m"), "/ (1 -",
                (r"\beta_1^t", "beta1"), r"), \quad", (r"\hat{v}_t", "v_hat"), r"\leftarrow",
                ("v_t", "v"), "/ (1 -", (r"\beta_2^t", "beta2"), ")", size=size),
        formula(th, r"\theta_t \leftarrow \theta_{t-1} -", (r"\alpha", "lr"),
                (r"\hat{m}_t", "m_hat"), r"/ (\sqrt{", (r"\hat{v}_t", "v_hat"), "} +",
                (r"\epsilon", "eps"), ")", size=size),
    ]
    body = VGroup(*rows).arrange(DOWN, aligned_edge=LEFT, buff=0.75 * size / 38)
    lines = VGroup(start, *body)
    body.next_to(start, DOWN, aligned_edge=LEFT, buff=0.6 * size / 38).shift(0.5 * RIGHT)
    for i, line in enumerate(body, start=1):
        line.add(text(f"{i}", th, 24 * size / 44, color=th.muted).next_to(line, LEFT, buff=0.3)
                 .set_x(start.get_left()[0] + 0.1))
    return fit_width(lines, width)


def rate_range(low: float, high: float) -> str:
    """A range of learning rates as a caption says it: ``α = 0.1 to 3.16, a 31.6x range``
    (never "decades": the factor from one end to the other)."""
    return f"α = {readable(low)} to {readable(high)}, a {readable(high / low)}x range"
