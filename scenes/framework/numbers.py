"""Numbers as a viewer reads them, in captions, labels, legends and formulas: ``10⁻³``,
``1.78 × 10⁻⁵``, ``1,800``; never e-notation. No Manim: the parameter declarations use it too."""

from __future__ import annotations

import math

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


def decade(k: int) -> str:
    """The label of the power of ten ``k`` on a log axis, as captions write it: ``10⁻⁵``,
    ``0.01``, ``1``, ``1,000``, ``10⁶`` (never e-notation)."""
    return readable(10.0 ** k)


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


def rate_range(low: float, high: float) -> str:
    """A range of learning rates as a caption says it: ``α = 0.1 to 3.16, a 31.6x range``
    (never "decades": the factor from one end to the other)."""
    return f"α = {readable(low)} to {readable(high)}, a {readable(high / low)}x range"
