"""Scene 3: bias correction. m and v start at zero; m_hat and v_hat undo the lag.

    manim -ql scenes/bias.py BiasCorrection
"""

from __future__ import annotations

from typing import Any

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Create,
    DashedVMobject,
    Dot,
    FadeIn,
    FadeOut,
    Indicate,
    Rectangle,
    VGroup,
    VMobject,
    Write,
    linear,
)

from optim_core import accumulate, adam, adam_uncorrected, run, surfaces
from optim_core.analysis import step_ratio
from scenes.catalog import CATALOG, BiasParams
from scenes.framework.captions import first_fitting
from scenes.framework.numbers import decade, readable, tex_number
from scenes.framework.palette import Theme, optimizer_color
from scenes.framework.plot2d import (
    PlaneMap,
    contour_lines,
    field_raster,
    plot_frame,
    set_polyline,
    small,
)
from scenes.framework.scene import ExplainerScene
from scenes.framework.style import fit_width, formula, scene_title, text


def stream(p: BiasParams) -> np.ndarray:
    rng = np.random.default_rng(p.seed)
    return p.trend + p.noise * rng.standard_normal(max(p.m_steps, p.v_steps))


class BiasCorrection(ExplainerScene):
    entry = CATALOG["bias"]  # its key, title, description and Params

    def construct(self) -> None:
        p, th = self.params, self.theme
        g = stream(p)
        acc = accumulate(adam(beta1=p.beta1, beta2=p.beta2), g)
        title = scene_title(self.title, th)
        n1, n2 = p.m_steps, p.v_steps
        mean_g = np.cumsum(g[:n1]) / np.arange(1, n1 + 1)
        mean_g2 = np.cumsum(g[:n2] ** 2) / np.arange(1, n2 + 1)
        top = self.chart(n1, [mean_g, acc["m"][1:n1 + 1], acc["m_hat"][1:n1 + 1]],
                         ["running mean of g", "mₜ", "m̂ₜ"], ["muted", "m", "m_hat"],
                         np.array([0.0, 0.95, 0]))
        bottom = self.chart(n2, [mean_g2, acc["v"][1:n2 + 1], acc["v_hat"][1:n2 + 1]],
                            ["running mean of g²", "vₜ", "v̂ₜ"], ["muted", "v", "v_hat"],
                            np.array([0.0, -1.65, 0]))
        self.lag_captions = lag_captions(acc, mean_g, mean_g2, n1, n2)
        self.facts.update(m=acc["m"][1:n1 + 1], mean_g=mean_g, v=acc["v"][1:n2 + 1],
                          mean_g2=mean_g2, m_hat_1=acc["m_hat"][1], g_1=g[0])

        # Beat 1: m and v start at zero.
        self.idea("m and v start at zero, so they lag", "g_1", "mean_g", "m", "mean_g2", "v")
        with self.beat("zero-start",
                       "m and v start at zero, so at first they lag behind what they average."):
            self.play(FadeIn(title), FadeIn(top[0]), FadeIn(bottom[0]), run_time=0.8)

        # Beats 2-3: the raw averages against the true running means, with the numbers.
        for name, chart, caption in zip(("lag-m", "lag-v"), (top, bottom), self.lag_captions,
                                        strict=True):
            with self.beat(name, caption):
                self.play(*(Create(line, rate_func=linear) for line in chart[1][:2]),
                          run_time=2.0)

        # Beat 4: dividing by 1 - beta^t removes the lag.
        rules = VGroup(
            formula(th, (r"\hat{m}_t", "m_hat"), "=", r"\frac{", ("m_t", "m"), "}{1 -",
                    (r"\beta_1^t", "beta1"), "}", size=34),
            formula(th, (r"\hat{v}_t", "v_hat"), "=", r"\frac{", ("v_t", "v"), "}{1 -",
                    (r"\beta_2^t", "beta2"), "}", size=34)).arrange(RIGHT, buff=1.5)
        rules.next_to(title, DOWN, buff=0.15).set_x(1.5)
        self.idea("Bias correction: dividing by 1 − βᵗ", "g_1", "m_hat_1")
        with self.beat("correction", "Dividing by 1 − βᵗ undoes the pull toward zero."):
            self.play(Write(rules), run_time=1.2)
        with self.beat("corrected", "m̂ and v̂ start where the gradients are, not at zero."):
            self.play(*(Create(c[1][2], rate_func=linear) for c in (top, bottom)), run_time=2.0)
        self.clear_stage(title)

        # Beat 6: the factor 1 / (1 - beta^t).
        factor = self.factor_chart()
        with self.beat("factor",
                       f"The factor 1/(1 − βᵗ) starts at {1 / (1 - p.beta1):.3g} for β₁ and "
                       f"{1 / (1 - p.beta2):.4g} for β₂, then falls toward 1."):
            self.play(FadeIn(factor), run_time=1.0)

        # Beats 7-8: step 1 worked out with real numbers.
        g1, m1, mh1 = g[0], acc["m"][1], acc["m_hat"][1]
        worked = VGroup(
            formula(th, ("m_1", "m"), "= (1 -", (r"\beta_1", "beta1"), f") \\times {g1:.4f} =",
                    f"{m1:.4f}", size=34),
            formula(th, (r"\hat{m}_1", "m_hat"), "=", f"\\frac{{{m1:.4f}}}{{1 - {p.beta1:g}}} =",
                    f"{mh1:.4f}", "=", ("g_1", "g"), size=34),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.5)
        fit_width(worked, 6.0).next_to(factor, RIGHT, buff=0.9)
        with self.beat("step-1", f"Step 1 with real numbers: m₁ = (1 − β₁) g₁ = {m1:.4f}."):
            self.play(Write(worked[0]), run_time=1.0)
        with self.beat("step-1-corrected", f"m̂₁ = m₁ / (1 − β₁) = {mh1:.4f}: exactly g₁."):
            self.play(Write(worked[1]), run_time=1.0)
        self.clear_stage(title)

        # Beats 9+: without correction the first steps are the wrong size.
        self.idea("The first steps without correction", "m_share_at_step_1",
                  "sqrt_v_share_at_step_1", "uncorrected_step_ratio", "rosenbrock_first_step",
                  "rosenbrock_first_step_uncorrected")
        self.without_correction(g)

    # --- helpers ------------------------------------------------------------------------------

    def chart(self, n: int, series, names, colors, center) -> VGroup:
        """A small time chart: static frame and legend, and one line per series."""
        th = self.theme
        values = np.concatenate(series)
        lo, hi = min(0.0, float(values.min())), float(values.max()) * 1.08
        pm = PlaneMap.stretch((0, n, lo, hi), 11.0, 1.9, center)
        frame = plot_frame((0, n, lo, hi), pm, th, 16)
        legend = VGroup()
        lines = VGroup()
        for values_i, name, color in zip(series, names, colors, strict=True):
            c = th.muted if color == "muted" else th.symbol(color)
            pts = pm(np.column_stack([np.arange(1, n + 1), values_i]))
            lines.add(set_polyline(VMobject(), [pts]).set_stroke(c, width=3.5))
            legend.add(text(name, th, 20, color=c))
        legend.arrange(RIGHT, buff=0.5).next_to(frame[0], UP, buff=0.08, aligned_edge=LEFT)
        return VGroup(VGroup(frame, legend), lines)

    def factor_chart(self) -> VGroup:
        p, th = self.params, self.theme
        n = p.v_steps
        t = np.arange(1, n + 1)
        f1, f2 = 1 / (1 - p.beta1**t), 1 / (1 - p.beta2**t)
        top = float(np.log10(max(f1.max(), f2.max()))) + 0.2
        pm = PlaneMap.stretch((0, n, 0, top), 6.0, 3.9, np.array([-3.2, -0.1, 0]))
        frame = VGroup(plot_frame((0, n, 0, top), pm, th, 16, y_numbers=False),
                       step_axis_title(pm, n, th))
        for k in range(int(np.floor(top)) + 1):  # log scale: label the whole decades
            frame.add(text(decade(k), th, 16, color=th.muted)
                      .next_to(pm(np.array([0, k])), LEFT, buff=0.1))
        curves = VGroup()
        for f, name in ((f1, "beta1"), (f2, "beta2")):
            pts = pm(np.column_stack([t, np.log10(f)]))
            curves.add(set_polyline(VMobject(), [pts]).set_stroke(th.symbol(name), width=3.5))
        label = formula(th, r"\frac{1}{1 - \beta^t}", size=30).next_to(frame, UP, buff=0.1)
        names = VGroup(formula(th, (rf"\beta_1 = {p.beta1:g}", "beta1"), size=26),
                       formula(th, (rf"\beta_2 = {p.beta2:g}", "beta2"), size=26))
        names.arrange(DOWN, aligned_edge=RIGHT).move_to(pm(np.array([n * 0.8, top * 0.7])))
        return VGroup(frame, curves, label, names)

    def step_one_shares(self) -> VGroup:
        """m₁ and √v₁ as shares of the gradient, and their ratio (right half, where the
        Rosenbrock run comes later)."""
        p, th = self.params, self.theme
        m, v, ratio = shares_at_step_one(p.beta1, p.beta2)
        lines = VGroup(
            formula(th, ("m_1", "m"), r"= (1 - \beta_1)\, g_1 =", rf"{m}\, g_1", size=32),
            formula(th, (r"\sqrt{v_1}", "v"), r"= \sqrt{1 - \beta_2}\, |g_1| =",
                    rf"{v}\, |g_1|", size=32),
            formula(th, (r"\frac{m_1}{\sqrt{v_1}}", "m"), f"= \\frac{{{m}}}{{{v}}} \\cdot",
                    r"\frac{g_1}{|g_1|} =", f"{ratio}", r"\cdot \frac{g_1}{|g_1|}", size=32),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.45)
        return fit_width(lines, 5.6).move_to([3.9, 0.2, 0])

    def share_bars(self, center: np.ndarray, length: float = 5.0) -> VGroup:
        """Step 1 as bars: |g₁| whole, and the shares of it m₁ and √v₁ hold (both too small,
        √v₁ the smaller), each labelled with its share."""
        p, th = self.params, self.theme
        rows = VGroup()
        for share, symbol, name in ((1.0, "g", "|g₁|"), (1 - p.beta1, "m", "m₁"),
                                    ((1 - p.beta2) ** 0.5, "v", "√v₁")):
            bar = Rectangle(width=max(length * share, 0.02), height=0.32, stroke_width=0,
                            fill_color=th.symbol(symbol), fill_opacity=0.9)
            said = name if share == 1 else f"{name}: {readable(100 * share)} % of |g₁|"
            rows.add(VGroup(bar, text(said, th, 22, color=th.symbol(symbol))
                            .next_to(bar, RIGHT, buff=0.15)))
        rows.arrange(DOWN, aligned_edge=LEFT, buff=0.5)
        return rows.move_to(center)

    def without_correction(self, g: np.ndarray) -> None:
        p, th = self.params, self.theme
        ratio = step_ratio(p.beta1, p.beta2, g[: p.m_steps])
        n = len(ratio)
        pm = PlaneMap.stretch((0, n, 0, float(ratio.max()) * 1.15), 6.0, 3.9,
                              np.array([-3.2, -0.1, 0]))
        frame = plot_frame((0, n, 0, float(ratio.max()) * 1.15), pm, th, 16)
        frame.add(step_axis_title(pm, n, th))
        curve = set_polyline(VMobject(), [pm(np.column_stack([np.arange(1, n + 1), ratio]))])
        curve.set_stroke(th.symbol("g"), width=4)
        label = formula(th, r"\frac{1 - \beta_1^t}{\sqrt{1 - \beta_2^t}}", size=30)
        label.next_to(frame, UP, buff=0.1)

        rosen = surfaces.get("rosenbrock")
        runs = [(name, color, run(opt, rosen, rosen.start, p.race_steps)) for name, color, opt in
                (("Adam", optimizer_color("adam", th, 0, 2), adam(p.lr, p.beta1, p.beta2)),
                 ("without correction", optimizer_color("adam_uncorrected", th, 1, 2),
                  adam_uncorrected(p.lr, p.beta1, p.beta2)))]
        pm2 = PlaneMap.fit(rosen.domain, 4.6, 4.6, np.array([3.9, -0.1, 0]))
        field = field_raster(rosen, pm2, th)
        static = VGroup(contour_lines(rosen, pm2, th), plot_frame(rosen.domain, pm2, th, 14))
        paths = VGroup()
        for i, (_, color, traj) in enumerate(runs):
            inside = traj.position[: traj.valid_steps]
            inside = inside[rosen.in_domain(inside)]
            path = set_polyline(VMobject(), [pm2(inside)]).set_stroke(color, width=3)
            paths.add(DashedVMobject(path, num_dashes=80) if i else path)  # without: dashed
        first = [float(np.linalg.norm(traj.update[1])) for _, _, traj in runs]
        self.facts.update(uncorrected_step_ratio=ratio, rosenbrock_first_step=first[0],
                          rosenbrock_first_step_uncorrected=first[1])
        names = VGroup(*(VGroup(text(name, th, 20, color=color),
                                text(f"{dashed}first step {length:.3g}", th, 20, color=color)
                                ).arrange(RIGHT, buff=0.15)
                         for (name, color, _), dashed, length in zip(
                             runs, ("", "(dashed), "), first, strict=True)))
        names.arrange(DOWN, aligned_edge=LEFT, buff=0.12).next_to(static, UP, buff=0.12)
        steps = first_step_arrows(pm2, [(traj, color) for _, color, traj in runs], first)
        self.ratio_captions = ratio_captions(ratio, p.lr, first)
        diagonal = diagonal_caption(runs[0][2].update[1], p.lr)
        paradox = paradox_captions(p.beta1, p.beta2, float(ratio[0]))
        self.facts.update(m_share_at_step_1=1 - p.beta1,
                          sqrt_v_share_at_step_1=(1 - p.beta2) ** 0.5)
        worked = self.step_one_shares()
        shares = self.share_bars(np.array([-3.2, -0.1, 0]))
        with self.beat("paradox", paradox[0]):  # the two shares drawn; the chart with its curve
            self.play(FadeIn(worked[0]), FadeIn(worked[1]), FadeIn(shares), run_time=0.8)
        with self.beat("ratio-1", paradox[1]):
            self.play(FadeOut(shares), FadeIn(worked[2]), FadeIn(frame), FadeIn(label),
                      run_time=0.6)
            self.play(Create(curve, rate_func=linear), run_time=1.5)
            self.play(FadeIn(marked(pm, 1, float(ratio[0]), th)), run_time=0.5)
        peak = int(np.argmax(ratio))
        with self.beat("ratio-2", self.ratio_captions[1]):
            if 0 < peak < n - 1:  # a peak inside the curve: marked where the caption says
                self.play(FadeIn(marked(pm, peak + 1, float(ratio[peak]), th, with_step=True)),
                          run_time=0.5)
        with self.beat("ratio-3", self.ratio_captions[2]):
            self.remove(*worked)  # a cut: the Rosenbrock run takes its place
            self.add(field)
            self.play(FadeIn(static), FadeIn(names), run_time=0.8)
            self.play(*(Create(path, rate_func=linear) for path in paths), run_time=2.0)
            self.play(FadeIn(steps), run_time=0.6)
        if diagonal:
            with self.beat("ratio-4", diagonal):
                self.play(Indicate(names[0], color=th.text), run_time=1.0)


def first_step_arrows(pm: PlaneMap, runs: list[tuple[Any, str]],
                      lengths: list[float]) -> VGroup:
    """Each run's first step as an arrow from the start (the legend gives their lengths). They
    point the same way: the shorter is drawn on top."""
    shorter = int(np.argmin(lengths))
    out = VGroup()
    for i, (traj, color) in enumerate(runs):
        arrow = Arrow(pm(traj.position[0]), pm(traj.position[1]), buff=0, color=color,
                      stroke_width=7, max_tip_length_to_length_ratio=0.45)
        out.add(arrow.set_z_index(2 if i == shorter else 1))
    return out


def diagonal_caption(update: np.ndarray, lr: float) -> str | None:
    """Why the corrected first step is longer than α: every weight stepped α (within 0.5 %),
    so the step's length is √d × α. None when the weights' steps differ (or the two numbers
    would print differently)."""
    d, length = len(update), float(np.linalg.norm(update))
    if (not np.allclose(np.abs(update), lr, rtol=0.005, atol=0)
            or f"{length:.3g}" != f"{d ** 0.5 * lr:.3g}"):  # "=" only where it prints equal
        return None
    weights = "both weights" if d == 2 else f"each of the {d} weights"
    return f"{length:.3g} = √{d} × {readable(lr)}: {weights} stepped α = {readable(lr)}."


def shares_at_step_one(beta1: float, beta2: float) -> tuple[str, str, str]:
    """Step 1 without correction, as the paradox beat writes it (TeX): the share of g₁ that m₁ holds
    (1 − β₁), the share of |g₁| that √v₁ holds (√(1 − β₂)), and their ratio, the factor by
    which the uncorrected step m₁/√v₁ differs from the corrected g₁/|g₁| (ε aside)."""
    m, v = first_shares(beta1, beta2)
    return tex_number(m), tex_number(v), tex_number(m / v)


def first_shares(beta1: float, beta2: float) -> tuple[float, float]:
    """At step 1, the share of g₁ that m₁ holds, 1 − β₁, and of |g₁| that √v₁ holds, √(1 − β₂)."""
    return 1 - beta1, (1 - beta2) ** 0.5


def lag_captions(acc, mean_g: np.ndarray, mean_g2: np.ndarray, n1: int, n2: int) -> list[str]:
    """m after 10 steps and v after 100 steps (or the last shown) against the true means."""
    k1, k2 = min(10, n1), min(100, n2)
    m, v = float(acc["m"][k1]), float(acc["v"][k2])
    return [f"After {k1} steps m = {m:.3g}, while the gradients average "
            f"{mean_g[k1 - 1]:.3g}.",
            f"After {k2} steps v = {v:.3g}, while the squared gradients average "
            f"{mean_g2[k2 - 1]:.3g}."]


def marked(pm: PlaneMap, step: int, value: float, theme: Theme, with_step: bool = False) -> VGroup:
    """A point of the ratio curve, marked: a dot and its value (and its step)."""
    dot = Dot(pm(np.array([step, value])), radius=0.07, color=theme.text)
    words = f"step {step}: {value:.3g}x" if with_step else f"{value:.3g}x"
    return VGroup(dot, text(words, theme, 20).next_to(dot, UP + RIGHT, buff=0.08))


def paradox_captions(beta1: float, beta2: float, ratio_1: float) -> list[str]:
    """Why the uncorrected first step is off although m and v both start too small: the share
    of g that m holds at step 1 (1 − β₁), against the share of |g| that √v holds (√(1 − β₂));
    the step is their ratio (``ratio_1``, as the core measured it)."""
    m, v = first_shares(beta1, beta2)
    held = f"m holds {readable(100 * m)} % of g, √v {readable(100 * v)} % of |g|"
    if m < 1 and v < 1:
        first = f"Both start too small: at step 1 {held}."
    elif m < 1 or v < 1:  # one of them starts whole (its β is 0)
        which, share, of = ("√v", v, "|g|") if v < 1 else ("m", m, "g")
        first = first_fitting(f"Only {which} starts too small: at step 1 {held}.",
                              f"Only {which} starts too small: {readable(100 * share)} % of {of}.")
    else:
        first = f"Neither starts too small: at step 1 {held}."
    if m == 1 and v == 1:
        why = "Neither is shrunk, so m / √v, the step, is right from the start."
    elif ratio_1 > 1.05:
        why = f"√v is shrunk more than m, so m / √v, the step, is {ratio_1:.3g}x too large."
    elif ratio_1 < 0.95:
        why = f"m is shrunk more than √v, so m / √v, the step, is {ratio_1:.3g}x too small."
    else:
        why = "Both are shrunk alike, so m / √v, the step, is about right."
    return [first, why]


def ratio_captions(ratio: np.ndarray, lr: float, first: list[float]) -> list[str]:
    """How far off the uncorrected steps are, from the core's two optimizers."""
    at_one = (f"{ratio[0]:.3g}x too large" if ratio[0] > 1.05 else
              f"{ratio[0]:.3g}x too small" if ratio[0] < 0.95 else "about right")
    peak = int(np.argmax(ratio))
    # A change under 1 % is a plateau, not a peak or a fall (float rounding makes wiggles).
    rises, falls = ratio[peak] > 1.01 * ratio[0], ratio[peak] > 1.01 * ratio[-1]
    if rises and falls:
        second = f"The ratio peaks at step {peak + 1}, {ratio[peak]:.3g}x, then decays."
    elif rises:
        second = f"The ratio grows to {ratio[-1]:.3g}x by step {len(ratio)}, the last shown."
    elif ratio[0] > 1.01 * ratio[-1]:
        second = (f"The ratio is largest at step 1 and falls to {ratio[-1]:.3g}x by step "
                  f"{len(ratio)}.")
    else:
        second = f"The ratio stays near {ratio[0]:.3g}x for all {len(ratio)} steps shown."
    corrected, raw = f"{first[0]:.3g}", f"{first[1]:.3g}"
    on = f"On Rosenbrock (α = {readable(lr)}) the first step is"
    third = (f"{on} {raw} long with or without correction." if raw == corrected else
             f"{on} {raw} long without correction, not {corrected}.")
    return [f"Without correction, step 1 is {at_one}.", second, third]


def step_axis_title(pm: PlaneMap, n: int, theme) -> VMobject:
    """"step t" at the right end of a chart's time axis (its values are the formula above)."""
    return small("step t", theme, 16).next_to(pm(np.array([n, 0])), RIGHT, buff=0.3)
