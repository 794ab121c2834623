"""Scene 2: moment accumulation. Adam's m and v as moving averages; momentum and RMSProp.

    manim -ql scenes/moments.py MomentAccumulation
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Brace,
    Create,
    FadeIn,
    FadeOut,
    Line,
    UpdateFromAlphaFunc,
    VGroup,
    VMobject,
    Write,
    linear,
)

from optim_core import accumulate, adam, momentum, rmsprop, run, sgd, surfaces
from scenes.base import ExplainerScene
from scenes.params import param
from scenes.plot2d import PlaneMap, contour_lines, field_raster, plot_frame, set_polyline
from scenes.style import Readout, formula, paragraph, text

SOURCES = ("noisy", "rosenbrock")


@dataclass(frozen=True)
class MomentParams:
    beta1: float = param(0.9, "first-moment decay β₁", interval="[0, 1)")
    beta2: float = param(0.999, "second-moment decay β₂", interval="[0, 1)")
    steps: int = param(40, "gradients in the stream", interval="[5, 200]")
    source: str = param("noisy", "the gradient stream: noisy around a trend (seeded), or the "
                        "x-gradients of Adam on Rosenbrock", choices=SOURCES)
    seed: int = param(7, "noise seed", interval="[0, 1000000]")
    trend: float = param(1.0, "mean of the noisy stream", interval="[-10, 10]")
    noise: float = param(1.0, "spread of the noisy stream", interval="[0, 10]")
    ravine_steps: int = param(40, "steps of the momentum and RMSProp runs", interval="[2, 500]")
    lr_sgd: float = param(0.09, "SGD's learning rate on the ravine", interval="(0, 1]")
    lr_momentum: float = param(0.09, "Momentum's learning rate on the ravine", interval="(0, 1]")
    lr_rmsprop: float = param(0.05, "RMSProp's learning rate on the ravine", interval="(0, 1]")
    rmsprop_beta2: float = param(0.9, "RMSProp's decay on the ravine", interval="[0, 1)")


def gradient_stream(p: MomentParams) -> np.ndarray:
    """The gradients g_1..g_N the scene averages (from a seeded generator, or a real run)."""
    if p.source == "rosenbrock":
        traj = run(adam(0.1), surfaces.get("rosenbrock"), (-1.5, -1.0), p.steps)
        return traj.grad[: p.steps, 0]
    rng = np.random.default_rng(p.seed)
    t = np.arange(p.steps)
    return p.trend * (1 + 0.5 * np.sin(t / 6)) + p.noise * rng.standard_normal(p.steps)


def memory(beta: float) -> float:
    """The effective window of an EMA: the weights (1 - b) b^k sum to 1 with mean age b/(1-b),
    and fall below 1/e of the newest after about 1/(1 - b) steps."""
    return 1 / (1 - beta)


def zigzags(traj, axis: int = 1) -> int:
    """How often a run crosses zero in one coordinate (sign changes)."""
    y = traj.position[: traj.valid_steps, axis]
    return int(np.count_nonzero(np.sign(y[1:]) * np.sign(y[:-1]) < 0))


def overshoot(traj, surface) -> float:
    """How far a run travels past the minimum along x (the ravine's flat direction)."""
    start_x = traj.position[0, 0]
    target = surface.minima[0].x
    past = (traj.position[: traj.valid_steps, 0] - target) * np.sign(target - start_x)
    return float(max(past.max(), 0.0))


class MomentAccumulation(ExplainerScene):
    key = "moments"
    title = "Moments: averaging the gradients"
    description = "Adam's first and second moments as moving averages; momentum and RMSProp"
    Params = MomentParams

    def construct(self) -> None:
        p, th = self.params, self.theme
        g = gradient_stream(p)
        acc = accumulate(adam(beta1=p.beta1, beta2=p.beta2), g)  # Adam's own m and v

        # Beat 1: a stream of gradients, and m_t drawn over it as it accumulates.
        title = text(self.title, th, 34, weight="BOLD").to_edge(UP, buff=0.3)
        m_rule = formula(th, ("m_t", "m"), "=", (r"\beta_1", "beta1"), ("m_{t-1}", "m"), "+",
                         "(1 -", (r"\beta_1", "beta1"), ")", ("g_t", "g"), size=34)
        v_rule = formula(th, ("v_t", "v"), "=", (r"\beta_2", "beta2"), ("v_{t-1}", "v"), "+",
                         "(1 -", (r"\beta_2", "beta2"), ")", ("g_t^2", "g"), size=34)
        VGroup(m_rule, v_rule).arrange(RIGHT, buff=1.2).next_to(title, DOWN, buff=0.3)
        top, bottom = self.panels()
        g_bars, m_line, m_read = self.series(top, g, acc["m"], "g", "m", "g_t", "m_t")
        self.subtitle("Each step brings a new, noisy gradient g_t. The first moment m_t is "
                      f"their exponential moving average, with β₁ = {p.beta1:g}.", 7)
        self.play(FadeIn(title), FadeIn(m_rule), FadeIn(top.frame), run_time=1.0)
        self.play(self.grow(g, [(g_bars, m_line, m_read, top, g, acc["m"])]), run_time=5,
                  rate_func=linear)

        # Beat 2: v_t, the average of g_t^2, in its own panel.
        g2_bars, v_line, v_read = self.series(bottom, g * g, acc["v"], "g", "v", "g_t^2", "v_t")
        self.subtitle(f"The second moment v_t averages g_t² with β₂ = {p.beta2:g}, so slowly that "
                      f"after {len(g)} steps v_t = {acc['v'][-1]:.3g} while the mean of g_t² is "
                      f"{np.mean(g * g):.3g}: it starts at zero and lags (the next scene).", 6)
        self.play(FadeIn(v_rule), FadeIn(bottom.frame), run_time=0.8)
        self.play(self.grow(g, [(g2_bars, v_line, v_read, bottom, g * g, acc["v"])]),
                  run_time=4, rate_func=linear)

        # Beat 3: the weights of the average, a decaying kernel sliding along the stream.
        kernel, note = self.kernel(top, g)
        self.subtitle(note, 7)
        self.play(FadeIn(kernel[1]), run_time=0.8)
        self.play(self.slide(kernel, top, len(g)), run_time=4, rate_func=linear)
        self.wait(1.5)

        # Beat 4: momentum as a heavy ball, RMSProp as a per-coordinate step size.
        self.play(*(FadeOut(m) for m in self.mobjects if m is not title), run_time=0.8)
        self.ravine_beat(title)

        # Beat 5: Adam = both ideas.
        self.adam_beat(title)

    # --- panels and series ------------------------------------------------------------------

    def panels(self):
        p = self.params
        width, height = 12.0, 2.15
        return (Panel(width, height, np.array([0.3, 0.35, 0]), p.steps, self.theme),
                Panel(width, height, np.array([0.3, -2.5, 0]), p.steps, self.theme))

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

    def grow(self, g, items) -> UpdateFromAlphaFunc:
        """Bars appear one by one; the average's line follows, with its live value."""
        movers = VGroup(*(m for bars, line, read, *_ in items for m in (bars, line, read)))

        def update(group, alpha: float) -> None:
            t = alpha * len(g)
            for bars, line, read, panel, values, average in items:
                n = int(np.ceil(t))
                set_polyline(bars, [panel.bar(k, values[k]) for k in range(n)])
                # average[k + 1] is the state after g_{k+1}: row 0 is the zero it starts from.
                set_polyline(line, [panel.points(average[: n + 1])])
                read.set_text(f"{average[n]:+.4f}" if n else "+0.0000")

        update(movers, 0.0)
        self.add(movers)
        return UpdateFromAlphaFunc(movers, update)

    def kernel(self, panel, g):
        p, th = self.params, self.theme
        k1, k2 = memory(p.beta1), memory(p.beta2)
        curve = VMobject().set_stroke(th.symbol("beta1"), width=4)
        label = formula(th, "(1 -", (r"\beta_1", "beta1"), ")", (r"\beta_1", "beta1"), "^k",
                        size=28).next_to(panel.frame, RIGHT, buff=-2.2).shift(0.25 * DOWN)
        note = (f"m_t weighs the gradient k steps back by (1 − β₁)β₁ᵏ: it remembers about "
                f"1/(1 − β₁) = {k1:.3g} steps. v_t with β₂ = {p.beta2:g} remembers about "
                f"{k2:.4g} steps.")
        label.move_to([panel.left + panel.width - 1.2, panel.y0 + panel.height / 2 + 0.25, 0])
        return VGroup(curve, label), note

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

    def ravine_beat(self, title) -> None:
        p, th = self.params, self.theme
        ravine = surfaces.get("ravine")
        runs = {
            "sgd": run(sgd(p.lr_sgd), ravine, ravine.start, p.ravine_steps),
            "momentum": run(momentum(p.lr_momentum, p.beta1), ravine, ravine.start,
                            p.ravine_steps),
            "rmsprop": run(rmsprop(p.lr_rmsprop, p.rmsprop_beta2), ravine, ravine.start,
                           p.ravine_steps),
        }
        colors = {"sgd": th.racer("vermillion"), "momentum": th.racer("green"),
                  "rmsprop": th.racer("purple")}
        groups = []
        for i, (other, label) in enumerate((("momentum", "Momentum"), ("rmsprop", "RMSProp"))):
            center = np.array([-3.55 + 7.1 * i, 0.35, 0])
            pm = PlaneMap.fit(ravine.domain, 6.2, 3.6, center)
            paths = VGroup()
            for key in ("sgd", other):
                traj = runs[key]
                pts = pm(traj.position[: traj.valid_steps])
                paths.add(set_polyline(VMobject(), [pts]).set_stroke(colors[key], width=3))
            names = VGroup(text("SGD", th, 22, color=colors["sgd"]),
                           text(label, th, 22, color=colors[other]))
            names.arrange(RIGHT, buff=0.4).next_to(pm(np.array(ravine.domain[1::2])), UP, 0.1)
            names.align_to(pm(np.array(ravine.domain[0::2])), LEFT)
            groups.append((pm, VGroup(contour_lines(ravine, pm, th),
                                      plot_frame(ravine.domain, pm, th, 16), names), paths,
                           field_raster(ravine, pm, th)))
        n = p.ravine_steps
        u_sgd, u_rms = runs["sgd"].update[1], runs["rmsprop"].update[1]
        roll = overshoot(runs["momentum"], ravine)
        lines = [
            f"Momentum is a heavy ball: in {n} steps its path crosses the valley floor "
            f"{zigzags(runs['momentum'])} times, SGD's {zigzags(runs['sgd'])} times"
            + (f", and it keeps rolling along the flat direction, {roll:.3g} past the "
               "minimum." if roll > 0.01 else "."),
            f"RMSProp divides each coordinate by its own √v: its first step is "
            f"({u_rms[0]:+.3g}, {u_rms[1]:+.3g}) where SGD's is ({u_sgd[0]:+.3g}, "
            f"{u_sgd[1]:+.3g}): big where gradients are small, small where they are large.",
        ]
        caption = paragraph(lines, th, 21, width=13.2).to_edge(DOWN, buff=0.35)
        self.subtitle(" ".join(lines), 8)
        for _, static, paths, field in groups:
            self.add(field)
            self.play(FadeIn(static), run_time=0.6)
            self.play(*(Create(path, rate_func=linear) for path in paths), run_time=2.0)
        self.play(FadeIn(caption), run_time=0.8)
        self.wait(4.0)
        self.play(*(FadeOut(m) for m in self.mobjects if m is not title), run_time=0.8)

    def adam_beat(self, title) -> None:
        th = self.theme
        update = formula(th, r"\theta_t", "=", r"\theta_{t-1}", "-", (r"\alpha", "lr"),
                         r"\frac{", (r"\hat{m}_t", "m_hat"), "}{", r"\sqrt{", (r"\hat{v}_t",
                                                                               "v_hat"),
                         "}", "+", (r"\epsilon", "eps"), "}", size=52)
        update.move_to([0, 0.6, 0])
        top = Brace(update[6], UP, color=th.symbol("m"))
        bottom = Brace(VGroup(update[8], update[9], update[10]), DOWN, color=th.symbol("v"))
        top_label = text("momentum: the average direction", th, 22,
                         color=th.symbol("m")).next_to(top, UP, buff=0.1)
        bottom_label = text("RMSProp: each coordinate's own scale", th, 22,
                            color=th.symbol("v")).next_to(bottom, DOWN, buff=0.1)
        self.subtitle("Adam joins both ideas: the average direction of m, divided per "
                      "coordinate by the square root of v.", 6)
        self.play(Write(update), run_time=1.5)
        self.play(FadeIn(VGroup(top, top_label)), run_time=0.8)
        self.play(FadeIn(VGroup(bottom, bottom_label)), run_time=0.8)
        self.wait(3.0)


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

    def points(self, values: np.ndarray) -> np.ndarray:
        """A line through an average's rows: row 0 (the zero it starts from) at the left edge,
        row k over bar k - 1 (the gradient that made it)."""
        k = np.arange(len(values)) - 1
        xs = np.where(k < 0, self.left, self.x(np.maximum(k, 0)))
        return np.column_stack([xs, self.y0 + values * self.scale, np.zeros(len(values))])
