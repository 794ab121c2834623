"""Scene 2: moment accumulation. Adam's m and v as moving averages; momentum and RMSProp.

    manim -ql scenes/moments.py MomentAccumulation
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Brace,
    Create,
    DashedLine,
    FadeIn,
    Indicate,
    Line,
    UpdateFromAlphaFunc,
    VGroup,
    VMobject,
    Write,
    linear,
)

from optim_core import accumulate, adam, momentum, rmsprop, run, sgd, surfaces
from optim_core.analysis import overshoot, zigzags
from scenes.catalog import CATALOG, MomentParams
from scenes.framework.captions import first_fitting
from scenes.framework.palette import optimizer_color
from scenes.framework.plot2d import PlaneMap, contour_lines, field_raster, plot_frame, set_polyline
from scenes.framework.scene import ExplainerScene
from scenes.framework.style import (
    Readout,
    above_paths,
    fit_above,
    formula,
    number,
    scene_title,
    text,
)


def gradient_stream(p: MomentParams) -> np.ndarray:
    """The gradients g_1..g_N the scene averages (from a seeded generator, or a real run)."""
    if p.source == "rosenbrock":
        traj = run(adam(0.1), surfaces.get("rosenbrock"), (-1.5, -1.0), p.steps)
        return traj.grad[: p.steps, 0]
    rng = np.random.default_rng(p.seed)
    t = np.arange(p.steps)
    return p.trend * (1 + 0.5 * np.sin(t / 6)) + p.noise * rng.standard_normal(p.steps)


def stream_caption(p: MomentParams) -> str:
    """What the stream is, from the parameters it is generated from (noise only if there is
    some, a wave only if its height is not zero)."""
    if p.source == "rosenbrock":
        what = "gradient gₜ: the x-gradients of Adam on Rosenbrock"
    elif p.noise > 0:
        what = ("noisy gradient gₜ (random noise around a slow wave)" if p.trend != 0 else
                "noisy gradient gₜ (random noise around zero)")
    else:
        what = ("gradient gₜ (a slow wave, no noise)" if p.trend != 0 else
                "gradient gₜ: zero, with no wave and no noise")
    return f"Each step brings a new {what}."


def memory(beta: float) -> float:
    """The effective window of an EMA: the weights (1 - b) b^k sum to 1 with mean age b/(1-b),
    and fall below 1/e of the newest after about 1/(1 - b) steps."""
    return 1 / (1 - beta)


class MomentAccumulation(ExplainerScene):
    entry = CATALOG["moments"]  # its key, title, description and Params

    def construct(self) -> None:
        p, th = self.params, self.theme
        g = gradient_stream(p)
        acc = accumulate(adam(beta1=p.beta1, beta2=p.beta2), g)  # Adam's own m and v
        title = scene_title(self.title, th)
        m_rule = formula(th, ("m_t", "m"), "=", (r"\beta_1", "beta1"), ("m_{t-1}", "m"), "+",
                         "(1 -", (r"\beta_1", "beta1"), ")", ("g_t", "g"), size=34)
        v_rule = formula(th, ("v_t", "v"), "=", (r"\beta_2", "beta2"), ("v_{t-1}", "v"), "+",
                         "(1 -", (r"\beta_2", "beta2"), ")", ("g_t^2", "g"), size=34)
        VGroup(m_rule, v_rule).arrange(RIGHT, buff=1.2).next_to(title, DOWN, buff=0.3).set_x(0)
        top, bottom = self.panels()
        g_bars, m_line, m_read = self.series(top, g, acc["m"], "g", "m", "g_t", "m_t")
        m_items = [(g_bars, m_line, m_read, top, g, acc["m"])]

        # Beat 1: a stream of gradients arrives, one per step.
        self.idea("m and v: moving averages of the gradients", "v_final", "mean_g2")
        with self.beat("stream", stream_caption(p)):
            self.play(FadeIn(title), FadeIn(top.frame), run_time=1.0)
            self.play(self.grow(g, m_items, average=False), run_time=3, rate_func=linear)

        # Beat 2: m_t, their moving average, drawn over them as it accumulates.
        with self.beat("first-moment",
                       f"The first moment mₜ is their moving average, with β₁ = {p.beta1:g}."):
            self.play(FadeIn(m_rule), run_time=0.8)
            self.play(self.grow(g, m_items, bars=False), run_time=4, rate_func=linear)

        # Beat 3: v_t, the average of g_t^2, in its own panel.
        g2_bars, v_line, v_read = self.series(bottom, g * g, acc["v"], "g", "v", "g_t^2", "v_t")
        with self.beat("second-moment",
                       f"The second moment vₜ averages gₜ² the same way, with β₂ = "
                       f"{p.beta2:g}."):
            self.play(FadeIn(v_rule), FadeIn(bottom.frame), run_time=0.8)
            self.play(self.grow(g, [(g2_bars, v_line, v_read, bottom, g * g, acc["v"])]),
                      run_time=4, rate_func=linear)

        # Beat 4: how far v_t is from the plain mean of g_t^2 after the stream.
        v_end, mean_g2 = float(acc["v"][-1]), float(np.mean(g * g))
        self.facts.update(v_final=v_end, mean_g2=mean_g2, memory_m=memory(p.beta1),
                          memory_v=memory(p.beta2))
        with self.beat("v-vs-mean", v_caption(len(g), v_end, mean_g2)):
            self.play(FadeIn(bottom.level(mean_g2, f"mean of g² = {number(mean_g2)}", th)),
                      Indicate(v_read, color=th.symbol("v")), run_time=1.0)

        # Beats 5-6: the weights of the average, a decaying kernel sliding along the stream.
        kernel = self.kernel(top)
        self.idea("How far back m and v remember", "memory_m", "memory_v")
        with self.beat("weights", "mₜ weighs the gradient from k steps back by (1 − β₁)β₁ᵏ."):
            self.play(FadeIn(kernel[1]), run_time=0.8)
            self.play(self.slide(kernel, top, len(g)), run_time=4, rate_func=linear)
        with self.beat("memory",
                       f"So mₜ remembers about 1/(1 − β₁) = {memory(p.beta1):.3g} steps; "
                       f"vₜ about {memory(p.beta2):.4g}."):
            pass
        self.clear_stage(title)

        # Beats 7+: momentum as a heavy ball, RMSProp as a per-coordinate step size.
        self.idea("Momentum and RMSProp in a ravine", "crossings_sgd", "crossings_momentum",
                  "momentum_overshoot", "first_step_sgd", "first_step_rmsprop")
        self.ravine_beats(title)

        # Last beat: Adam = both ideas.
        self.idea("Adam: momentum's direction, RMSProp's scale")
        self.adam_beat()

    # --- panels and series ------------------------------------------------------------------

    def panels(self):
        p = self.params
        width, height = 12.0, 1.9
        return (Panel(width, height, np.array([0.3, 0.95, 0]), p.steps, self.theme),
                Panel(width, height, np.array([0.3, -1.62, 0]), p.steps, self.theme))

    def series(self, panel, bars, line, bar_symbol, line_symbol, bar_tex, line_tex):
        th = self.theme
        panel.fit(np.concatenate([bars, line]))
        bar_mob = VMobject(fill_color=th.symbol(bar_symbol), fill_opacity=0.45, stroke_width=0)
        line_mob = VMobject().set_stroke(th.symbol(line_symbol), width=4)
        legend = VGroup(formula(th, (bar_tex, bar_symbol), size=28),
                        formula(th, (line_tex, line_symbol), "=", size=28))
        legend.arrange(RIGHT, buff=0.5).move_to(
            [panel.left, panel.y0 + panel.height / 2 + 0.25, 0], aligned_edge=LEFT)
        read = Readout("", th.symbol(line_symbol), size=22)
        read.place(legend[1].get_corner(RIGHT + DOWN) + 0.15 * RIGHT)
        panel.frame.add(legend)
        return bar_mob, line_mob, read

    def grow(self, g, items, bars: bool = True, average: bool = True) -> UpdateFromAlphaFunc:
        """Bars appear one by one and/or the average's line follows, with its live value."""
        movers = VGroup(*(m for b, line, read, *_ in items
                          for m, on in ((b, bars), (line, average), (read, average)) if on))

        def update(group, alpha: float) -> None:
            t = alpha * len(g)
            for bar_mob, line, read, panel, values, average_values in items:
                n = int(np.ceil(t))
                if bars:
                    set_polyline(bar_mob, [panel.bar(k, values[k]) for k in range(n)])
                if average:
                    # row k + 1 is the state after g_{k+1}: row 0 is the zero it starts from.
                    set_polyline(line, [panel.points(average_values[: n + 1])])
                    read.set_text(f"{average_values[n]:+.4f}" if n else "+0.0000")

        update(movers, 0.0)
        self.add(movers)
        return UpdateFromAlphaFunc(movers, update)

    def kernel(self, panel) -> VGroup:
        th = self.theme
        curve = VMobject().set_stroke(th.symbol("beta1"), width=4)
        label = formula(th, "(1 -", (r"\beta_1", "beta1"), ")", (r"\beta_1", "beta1"), "^k",
                        size=28)
        label.move_to([panel.left + panel.width - 1.2, panel.y0 + panel.height / 2 + 0.25, 0])
        return VGroup(curve, label)

    def slide(self, kernel, panel, n) -> UpdateFromAlphaFunc:
        beta = self.params.beta1
        curve = kernel[0]
        top = panel.max_value

        def update(group, alpha: float) -> None:
            t = max(1, int(round(1 + alpha * (n - 1))))
            ks = np.arange(t)
            weights = beta**ks * top  # (1 - b) b^k, scaled so the newest weight is full height
            pts = np.column_stack([panel.x(t - 1 - ks), panel.y0 + weights])
            set_polyline(curve, [np.column_stack([pts, np.zeros(len(pts))])])

        update(kernel, 0.0)
        self.add(curve)
        return UpdateFromAlphaFunc(kernel, update)

    # --- momentum and RMSProp on the ravine -------------------------------------------------

    def ravine_beats(self, title) -> None:
        p, th = self.params, self.theme
        ravine = surfaces.get("ravine")
        runs = {
            "sgd": run(sgd(p.lr_sgd), ravine, ravine.start, p.ravine_steps),
            "momentum": run(momentum(p.lr_momentum, p.beta1), ravine, ravine.start,
                            p.ravine_steps),
            "rmsprop": run(rmsprop(p.lr_rmsprop, p.rmsprop_beta2), ravine, ravine.start,
                           p.ravine_steps),
        }
        colors = {key: optimizer_color(key, th) for key in runs}
        groups = []
        for other, label in (("momentum", "Momentum"), ("rmsprop", "RMSProp")):
            pm = PlaneMap.fit(ravine.domain, 10.6, 4.7, np.array([0.0, 0.1, 0]))
            paths = VGroup()
            for key in ("sgd", other):
                traj = runs[key]
                pts = pm(traj.position[: traj.valid_steps])
                paths.add(set_polyline(VMobject(), [pts]).set_stroke(colors[key], width=4))
            names = VGroup(text("Gradient descent", th, 28, color=colors["sgd"]),
                           text(label, th, 28, color=colors[other]))
            names.arrange(RIGHT, buff=0.5).next_to(pm(np.array(ravine.domain[1::2])), UP, 0.12)
            names.align_to(pm(np.array(ravine.domain[0::2])), LEFT)
            groups.append((VGroup(contour_lines(ravine, pm, th),
                                  plot_frame(ravine.domain, pm, th, 18), names), paths,
                           field_raster(ravine, pm, th)))
        n = p.ravine_steps
        z_m, z_s = zigzags(runs["momentum"]), zigzags(runs["sgd"])
        roll = overshoot(runs["momentum"], ravine)
        u_sgd, u_rms = np.abs(runs["sgd"].update[1]), np.abs(runs["rmsprop"].update[1])
        self.facts.update(crossings_momentum=z_m, crossings_sgd=z_s, momentum_overshoot=roll,
                          first_step_sgd=u_sgd, first_step_rmsprop=u_rms)
        self.ravine_captions = ravine_captions(n, z_m, z_s, roll, u_sgd, u_rms)
        (m_static, m_paths, m_field), (r_static, r_paths, r_field) = groups
        with self.beat("ravine", self.ravine_captions[0]):
            self.add(m_field)
            self.play(FadeIn(m_static), run_time=0.6)
            self.play(*(Create(path, rate_func=linear) for path in m_paths), run_time=2.5)
        for i, caption in enumerate(self.ravine_captions[1:-2], start=2):
            with self.beat(f"ravine-{i}", caption):
                pass
        with self.beat("rmsprop", self.ravine_captions[-2]):
            self.clear_stage(title)
            self.add(r_field)
            self.play(FadeIn(r_static), run_time=0.6)
            self.play(*(Create(path, rate_func=linear) for path in r_paths), run_time=2.5)
        with self.beat("rmsprop-verdict", self.ravine_captions[-1]):
            pass
        self.clear_stage(title)

    def adam_beat(self) -> None:
        th = self.theme
        update = formula(th, r"\theta_t", "=", r"\theta_{t-1}", "-", (r"\alpha", "lr"),
                         r"\frac{", (r"\hat{m}_t", "m_hat"), "}{", r"\sqrt{", (r"\hat{v}_t",
                                                                               "v_hat"),
                         "}", "+", (r"\epsilon", "eps"), "}", size=60)
        update.move_to([0, 0.8, 0])
        top = Brace(update[6], UP, color=th.symbol("m"))
        bottom = Brace(VGroup(update[8], update[9], update[10]), DOWN, color=th.symbol("v"))
        top_label = text("momentum: the average direction", th, 26,
                         color=th.symbol("m")).next_to(top, UP, buff=0.12)
        bottom_label = text("RMSProp: each coordinate's own scale", th, 26,
                            color=th.symbol("v")).next_to(bottom, DOWN, buff=0.12)
        with self.beat("adam",
                       "Adam joins both: m's average direction, divided per coordinate by √v."):
            self.play(Write(update), run_time=1.5)
            self.play(FadeIn(VGroup(top, top_label)), run_time=0.8)
            self.play(FadeIn(VGroup(bottom, bottom_label)), run_time=0.8)
        units = VGroup(text("m̂: in the gradient's units", th, 24, color=th.symbol("m_hat")),
                       text("√v̂ = √(an average of g²): in the gradient's units too", th, 24,
                            color=th.symbol("v_hat")),
                       text("m̂ / √v̂: no units at all", th, 24, color=th.text))
        units.arrange(DOWN, buff=0.12).next_to(bottom_label, DOWN, buff=0.35)
        fit_above(units)
        with self.beat("units", "v averages g², so √v̂ is back in g's units: m̂/√v̂ has none."):
            self.play(FadeIn(units, lag_ratio=0.3), run_time=1.2)


def v_caption(n: int, v_end: float, mean_g2: float) -> str:
    """Where the second moment stands after the stream, against the plain mean of g²."""
    relation = ("lags far below it" if v_end < 0.5 * mean_g2 else
                "sits below it" if v_end < mean_g2 else "is not below it")
    return (f"After {n} steps vₜ = {number(v_end)}; the mean of gₜ² is {number(mean_g2)}: "
            f"vₜ {relation}.")


def ravine_captions(n: int, z_m: int, z_s: int, roll: float, u_sgd: np.ndarray,
                    u_rms: np.ndarray) -> list[str]:
    """What the ravine runs show, each claim from the runs' own numbers."""
    if z_m < z_s:
        lines = [first_fitting(f"Momentum averages the zig-zag away: {z_m} floor crossings; "
                               f"plain gradient descent: {z_s}.",
                               f"Momentum averages the zig-zag away: {z_m} floor crossings, "
                               f"gradient descent {z_s}.")]
    else:
        lines = [first_fitting(f"In {n} steps momentum crosses the valley floor {z_m} times; "
                               f"plain gradient descent {z_s}.",
                               f"In {n} steps momentum crosses the floor {z_m} times; gradient "
                               f"descent {z_s}.")]
    if roll > 0.01:
        lines.append(f"Like a heavy ball it keeps rolling: {roll:.3g} past the minimum along x.")
    ratio_sgd, ratio_rms = u_sgd[1] / u_sgd[0], u_rms[1] / u_rms[0]
    lines.append(first_fitting(f"Gradient descent's first step is {ratio_sgd:.3g}x longer across "
                               "the ravine than along it.",
                               f"Gradient descent's first step: {ratio_sgd:.3g}x longer across "
                               "than along."))
    if f"{ratio_rms:.3g}" == "1":  # each coordinate's step is α·g/|g|: as long both ways
        lines.append(first_fitting("RMSProp divides each coordinate by its own √v: its first "
                                   "step is as long across as along.",
                                   "RMSProp divides by √v: its first step is as long across "
                                   "as along."))
    else:
        lines.append(f"RMSProp divides each coordinate by its own √v: its first step's ratio is "
                     f"{ratio_rms:.3g}x.")
    return lines


class Panel:
    """A time axis with value scale: bars for a stream, a line for its average."""

    def __init__(self, width: float, height: float, center: np.ndarray, steps: int, theme):
        self.width, self.height, self.center, self.steps = width, height, center, steps
        self.left = center[0] - width / 2
        self.y0 = center[1]
        self.max_value = height / 2
        self.scale = 1.0
        axis = Line([self.left, self.y0, 0], [self.left + width, self.y0, 0])
        axis.set_stroke(theme.axis, width=1.5)
        t_label = text("t", theme, 20, color=theme.muted).next_to(axis, RIGHT, buff=0.1)
        self.frame = VGroup(axis, t_label)

    def fit(self, values: np.ndarray) -> None:
        """Choose the value scale so every value fits (zero in the middle)."""
        top = float(np.max(np.abs(values))) or 1.0
        self.scale = (self.height / 2) / top

    def x(self, k) -> np.ndarray:
        return self.left + (np.asarray(k) + 0.5) * self.width / self.steps

    def bar(self, k: int, value: float) -> np.ndarray:
        half = 0.36 * self.width / self.steps
        x, top = float(self.x(k)), self.y0 + value * self.scale
        return np.array([[x - half, self.y0, 0], [x + half, self.y0, 0], [x + half, top, 0],
                         [x - half, top, 0], [x - half, self.y0, 0]])

    def level(self, value: float, label: str, theme) -> VGroup:
        """A dashed line across the panel at ``value``, labelled at its right end."""
        y = self.y0 + value * self.scale
        line = DashedLine([self.left, y, 0], [self.left + self.width, y, 0], dash_length=0.1)
        words = text(label, theme, 18, color=theme.text)
        return VGroup(line.set_stroke(theme.text, width=2), above_paths(
            words.next_to([self.left + self.width, y, 0], UP + LEFT, buff=0.1), theme))

    def points(self, values: np.ndarray) -> np.ndarray:
        """A line through an average's rows: row 0 (the zero it starts from) at the left edge,
        row k over bar k - 1 (the gradient that made it)."""
        k = np.arange(len(values)) - 1
        xs = np.where(k < 0, self.left, self.x(np.maximum(k, 0)))
        return np.column_stack([xs, self.y0 + values * self.scale, np.zeros(len(values))])
