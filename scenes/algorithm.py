"""Scene 4: Algorithm 1 of Kingma & Ba, line by line, with the live numbers of a real run.

    manim -ql scenes/algorithm.py AdamAlgorithm
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    SurroundingRectangle,
    UpdateFromAlphaFunc,
    VGroup,
    VMobject,
    linear,
)

from optim_core import adam, run
from scenes.base import (
    DOMAIN_DEFAULT,
    DOMAIN_DOC,
    SURFACE_DOC,
    ExplainerScene,
    SurfaceChoice,
)
from scenes.params import param
from scenes.plot2d import PlaneMap, plot_frame, set_polyline, ticks
from scenes.style import Readout, fit_width, formula, paragraph, text

# (row name, symbol colour, state key) of the number table; "g" is the gradient of step t.
ROWS = (("g", "g"), ("m", "m"), ("v", "v"), ("m̂", "m_hat"), ("v̂", "v_hat"), ("Δθ", "lr"),
        ("θ", None))
LINE_ROWS = ((0,), (1,), (2,), (3, 4), (5, 6))  # which table rows each algorithm line fills


@dataclass(frozen=True)
class AlgorithmParams(SurfaceChoice):
    surface: str = param("rosenbrock", SURFACE_DOC)
    domain: tuple[float, float, float, float] | None = param(None, DOMAIN_DOC,
                                                             none_means=DOMAIN_DEFAULT)
    start: tuple[float, float] | None = param(None, "start point [x, y]",
                                              none_means="the surface's start")
    lr: float = param(0.1, "learning rate α", interval="(0, 10]")
    beta1: float = param(0.9, "first-moment decay β₁", interval="[0, 1)")
    beta2: float = param(0.999, "second-moment decay β₂", interval="[0, 1)")
    eps: float = param(1e-8, "ε", interval="(0, 1]")
    detailed_steps: int = param(2, "steps shown line by line", interval="[1, 5]")
    steps: int = param(200, "steps run in total (the rest fast)", interval="[5, 20000]")


def eps_cap_lines(lr: float, eps: float, sqrt_v_hat_min: float) -> list[str]:
    """What ε did in this run, from the smallest √v̂ it met."""
    lines = [f"ε keeps the division safe: where v̂ is tiny, the step per unit of m̂, "
             f"α / (√v̂ + ε), is capped at α / ε = {lr / eps:.3g}."]
    if sqrt_v_hat_min > 100 * eps:
        lines.append(f"In this run √v̂ never fell below {sqrt_v_hat_min:.3g}, "
                     f"so ε = {eps:g} changed the steps by less than 1 %.")
    else:
        lines.append(f"In this run √v̂ fell to {sqrt_v_hat_min:.3g}, where ε = {eps:g} "
                     f"shortens the step noticeably.")
    return lines


class AdamAlgorithm(ExplainerScene):
    key = "algorithm"
    title = "The full algorithm, with live numbers"
    description = "Algorithm 1 of Kingma & Ba lit line by line on a real run; the role of ε"
    Params = AlgorithmParams

    def construct(self) -> None:
        p, th = self.params, self.theme
        surface, start = p.resolved(), p.start_point()
        traj = run(adam(p.lr, p.beta1, p.beta2, p.eps), surface, start, p.steps)
        title = text(self.title, th, 34, weight="BOLD").to_edge(UP, buff=0.3)

        # Beat 1: the five lines of Algorithm 1.
        lines = self.algorithm().next_to(title, DOWN, buff=0.9).to_edge(LEFT, buff=0.6)
        table, cells, step = self.table(lines)
        self.subtitle("Algorithm 1 of Kingma & Ba: the gradient, two moving averages, their "
                      f"bias correction, and the update. Here on the {surface.title}, "
                      f"α = {p.lr:g}, from {tuple(float(c) for c in start)}.", 6)
        self.play(FadeIn(title), FadeIn(lines), run_time=1.0)
        self.play(FadeIn(table), run_time=0.8)

        # Beat 2: a few steps in detail, each line lit while its numbers appear.
        box = SurroundingRectangle(lines[0], color=th.symbol("lr"), buff=0.08)
        self.play(Create(box), run_time=0.5)
        last = min(p.detailed_steps, traj.valid_steps - 1)
        for t in range(1, last + 1):
            step.set_text(f"{t}")
            for i, rows in enumerate(LINE_ROWS):
                target = SurroundingRectangle(lines[i], color=th.symbol("lr"), buff=0.08)
                self.play(box.animate.become(target), run_time=0.4)
                for r in rows:
                    self.fill_row(cells[r], r, traj, t)
                self.wait(0.5)
        self.subtitle(f"Then {traj.valid_steps - 1 - last} more steps, fast; every number is "
                      "the run's own.", 5)

        # Beat 3: many steps fast, the readouts ticking.
        self.play(FadeOut(box), run_time=0.3)
        self.play(self.fast(cells, step, traj, last), run_time=5, rate_func=linear)
        self.wait(1.0)

        # Beat 4: epsilon caps the step where v_hat is tiny.
        self.play(FadeOut(lines), FadeOut(table), *(FadeOut(c) for row in cells for c in row),
                  FadeOut(step), run_time=0.6)
        self.epsilon(traj)

        # Beat 5: why Adam is the default choice, each reason from something shown.
        self.reasons(traj, title)

    # --- helpers ------------------------------------------------------------------------------

    def algorithm(self) -> VGroup:
        th = self.theme
        rows = [
            formula(th, ("g_t", "g"), r"\leftarrow \nabla f(\theta_{t-1})", size=32),
            formula(th, ("m_t", "m"), r"\leftarrow", (r"\beta_1", "beta1"), ("m_{t-1}", "m"),
                    "+ (1 -", (r"\beta_1", "beta1"), ")", ("g_t", "g"), size=32),
            formula(th, ("v_t", "v"), r"\leftarrow", (r"\beta_2", "beta2"), ("v_{t-1}", "v"),
                    "+ (1 -", (r"\beta_2", "beta2"), ")", ("g_t^2", "g"), size=32),
            formula(th, (r"\hat{m}_t", "m_hat"), r"\leftarrow", ("m_t", "m"), "/ (1 -",
                    (r"\beta_1^t", "beta1"), r"), \quad", (r"\hat{v}_t", "v_hat"), r"\leftarrow",
                    ("v_t", "v"), "/ (1 -", (r"\beta_2^t", "beta2"), ")", size=32),
            formula(th, r"\theta_t \leftarrow \theta_{t-1} -", (r"\alpha", "lr"),
                    (r"\hat{m}_t", "m_hat"), r"/ (\sqrt{", (r"\hat{v}_t", "v_hat"), "} +",
                    (r"\epsilon", "eps"), ")", size=32),
        ]
        return fit_width(VGroup(*rows).arrange(DOWN, aligned_edge=LEFT, buff=0.55), 6.3)

    def table(self, lines: VGroup):
        th = self.theme
        left = lines.get_right()[0] + 0.6
        top = lines.get_top()[1] - 0.05
        header = VGroup(text("step", th, 22, color=th.muted),
                        text("x", th, 22, color=th.muted), text("y", th, 22, color=th.muted))
        cols = (left + 0.7, left + 2.85)
        header[0].move_to([left, top + 0.1, 0], aligned_edge=LEFT)
        step = Readout("", th.text, size=22).place([left + 0.8, header[0][0].get_bottom()[1], 0])
        header[1].move_to([cols[0] + 0.7, top - 0.45, 0])
        header[2].move_to([cols[1] + 0.7, top - 0.45, 0])
        names, cells = VGroup(), []
        for i, (name, symbol) in enumerate(ROWS):
            y = top - 0.95 - 0.55 * i
            color = th.symbol(symbol) if symbol else th.text
            names.add(text(name, th, 22, color=color).move_to([left, y, 0], aligned_edge=LEFT))
            cells.append([Readout("", color, size=20).place([c, y - 0.08, 0]) for c in cols])
        self.add(step, *(c for row in cells for c in row))
        return VGroup(header, names), cells, step

    def row_values(self, r: int, traj, t: int) -> np.ndarray:
        key = ("grad", "m", "v", "m_hat", "v_hat", "update", "position")[r]
        if key == "grad":
            return traj.grad[t - 1]  # g_t is the gradient at theta_{t-1}
        if key in ("update", "position"):
            return getattr(traj, key)[t]
        return traj.state[key][t]

    def fill_row(self, row: list[Readout], r: int, traj, t: int) -> None:
        for readout, value in zip(row, self.row_values(r, traj, t), strict=True):
            readout.set_text(f"{value:+.3e}")

    def fast(self, cells, step, traj, first: int) -> UpdateFromAlphaFunc:
        last = traj.valid_steps - 1
        movers = VGroup(step, *(c for row in cells for c in row))

        def update(group, alpha: float) -> None:
            t = int(round(first + alpha * (last - first)))
            step.set_text(f"{t}")
            for r, row in enumerate(cells):
                self.fill_row(row, r, traj, t)

        return UpdateFromAlphaFunc(movers, update)

    def epsilon(self, traj) -> None:
        p, th = self.params, self.theme
        x = np.linspace(-10, 2, 200)  # log10 of sqrt(v_hat)
        eps_values = sorted({p.eps, 1e-4, 1e-1})
        ys = {e: np.log10(p.lr / (10**x + e)) for e in eps_values}
        lo = min(float(v.min()) for v in ys.values())
        hi = max(float(v.max()) for v in ys.values())
        box = (-10, 2, np.floor(lo), np.ceil(hi))
        pm = PlaneMap.stretch(box, 6.4, 3.3, np.array([-2.6, 0.85, 0]))
        frame = VGroup(plot_frame(box, pm, th, 14, x_numbers=False, y_numbers=False))
        for k in ticks(box[2], box[3]):  # log scales: label the powers of ten
            frame.add(text(f"1e{int(k)}", th, 16, color=th.muted)
                      .next_to(pm(np.array([box[0], k])), LEFT, buff=0.08))
        for k in ticks(box[0], box[1]):
            frame.add(text(f"1e{int(k)}", th, 16, color=th.muted)
                      .next_to(pm(np.array([k, box[2]])), DOWN, buff=0.08))
        x_label = formula(th, r"\sqrt{", (r"\hat{v}", "v_hat"), "}", r"\ \text{(log)}",
                          size=26).next_to(frame, DOWN, buff=0.45)
        y_label = formula(th, (r"\alpha", "lr"), r"/ (\sqrt{", (r"\hat{v}", "v_hat"), "} +",
                          (r"\epsilon", "eps"), ")", size=26).next_to(frame, UP, buff=0.1)
        curves, names = VGroup(), VGroup()
        palette = [th.racer(c) for c in ("sky", "orange", "purple")]
        for (e, y), color in zip(ys.items(), palette, strict=False):
            curves.add(set_polyline(VMobject(), [pm(np.column_stack([x, y]))])
                       .set_stroke(color, width=3.5))
            names.add(text(f"ε = {e:g}", th, 20, color=color))
        names.arrange(DOWN, aligned_edge=LEFT).next_to(frame, RIGHT, buff=0.4).align_to(frame, UP)
        sqrt_v = np.sqrt(traj.state["v_hat"][1: traj.valid_steps])
        lines = eps_cap_lines(p.lr, p.eps, float(sqrt_v.min()))
        caption = paragraph(lines, th, 22, width=13).to_edge(DOWN, buff=0.35)
        self.subtitle(" ".join(lines), 7)
        self.play(FadeIn(frame), FadeIn(x_label), FadeIn(y_label), FadeIn(names), run_time=0.8)
        self.play(*(Create(c, rate_func=linear) for c in curves), run_time=2.0)
        self.play(FadeIn(caption), run_time=0.6)
        self.wait(3.5)
        self.play(*(FadeOut(m) for m in (frame, x_label, y_label, names, curves, caption)),
                  run_time=0.6)

    def reasons(self, traj, title) -> None:
        p, th = self.params, self.theme
        first = np.abs(traj.update[1])
        items = [
            "Momentum: m averages the gradients, so zig-zags cancel (Moments).",
            "Per-coordinate scale: dividing by √v̂ makes the first step "
            f"({first[0]:.3g}, {first[1]:.3g}), about α = {p.lr:g} in every coordinate, "
            "however steep the slope (this run).",
            "Bias correction: m̂ and v̂ are right from step 1 (Bias correction).",
            f"Defaults that travel: β₁ = {p.beta1:g}, β₂ = {p.beta2:g}, ε = {p.eps:g} ran "
            "every Adam in this video.",
        ]
        heading = text("Why Adam is the default choice", th, 30, weight="BOLD")
        body = paragraph([f"• {s}" for s in items], th, 24, width=12.0, buff=0.16)
        block = VGroup(heading, body).arrange(DOWN, aligned_edge=LEFT, buff=0.4)
        block.next_to(title, DOWN, buff=0.6)
        self.subtitle(" ".join(items), 8)
        self.play(FadeIn(heading), run_time=0.6)
        self.play(FadeIn(body, shift=0.2 * UP), run_time=1.2)
        self.wait(5.0)
