"""Scene 4: Algorithm 1 of Kingma & Ba, line by line, with the live numbers of a real run.

    manim -ql scenes/algorithm.py AdamAlgorithm
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    DashedLine,
    FadeIn,
    FadeOut,
    Indicate,
    SurroundingRectangle,
    UpdateFromAlphaFunc,
    VGroup,
    VMobject,
    linear,
)

from optim_core import adam, run
from scenes.catalog import CATALOG
from scenes.framework.captions import first_fitting
from scenes.framework.notation import algorithm_one
from scenes.framework.numbers import readable
from scenes.framework.plot2d import PlaneMap, plot_frame, set_polyline, ticks
from scenes.framework.scene import ExplainerScene
from scenes.framework.style import (
    Readout,
    above_paths,
    fit_above,
    formula,
    point_text,
    scene_title,
    text,
)

# (row name, symbol colour, state key) of the number table; "g" is the gradient of step t.
ROWS = (("g", "g"), ("m", "m"), ("v", "v"), ("m̂", "m_hat"), ("v̂", "v_hat"), ("Δθ", "lr"),
        ("θ", None))
LINE_ROWS = ((0,), (1,), (2,), (3, 4), (5, 6))  # which table rows each algorithm line fills


def eps_captions(lr: float, eps: float, sqrt_v_hat_min: float) -> list[str]:
    """What ε does, and what it did in this run, from the smallest √v̂ the run met."""
    lines = ["ε keeps the division safe where v̂ is tiny.",
             f"The step per unit of m̂, α / (√v̂ + ε), is capped at α / ε = {readable(lr / eps)}."]
    if sqrt_v_hat_min > 100 * eps:
        lines.append(f"Here √v̂ never fell below {readable(sqrt_v_hat_min)}: ε changed the steps "
                     "by under 1 %.")
    else:
        lines.append(f"Here √v̂ fell to {readable(sqrt_v_hat_min)}, where ε = {readable(eps)} "
                     "shortens the step noticeably.")
    return lines


SAME_STEP = 0.005  # steps within 0.5 % of α are "α" (they print as α at 3 figures)
SPREAD = 1.5  # gradients this many times apart are "different" ("yet each weight steps α")


def plain_step(t: int) -> str:
    return f"Step {t}, line by line: g, then m and v, then m̂ and v̂, then θ."


def step_caption(t: int, grad: np.ndarray, update: np.ndarray, lr: float) -> str:
    """Step ``t``'s beat. At step 1, m̂ / √v̂ = g / (|g| + ε): every weight steps α whatever
    its gradient, the reason Adam divides by √v̂. Said when this run shows it (every step
    within 0.5 % of α), with the gradients when they differ; otherwise the plain line."""
    plain = plain_step(t)
    sizes, slopes = np.abs(update), np.abs(grad)
    if t != 1 or not np.allclose(sizes, lr, rtol=SAME_STEP, atol=0):
        return plain
    a = f"α = {readable(lr)}"
    if slopes.max() < SPREAD * slopes.min():
        return first_fitting(f"Step 1: each weight steps {a}, as m̂/√v̂ = g/|g| = ±1.",
                             f"Step 1: each weight steps {a}.", plain)
    gradients = " and ".join(readable(g, 4) for g in grad)  # as the table shows them
    return first_fitting(f"Step 1: gradients {gradients}, yet each weight steps {a}: "
                         "m̂/√v̂ = ±1.",
                         f"Step 1: gradients {gradients}, yet each weight steps {a}.", plain)


def sign_caption(update: np.ndarray, lr: float) -> str:
    """Why a negative m̂/√v̂ moves θ up: line 5 subtracts. Said with the sign every weight's
    step took (all down, all up), or in general words when they differ."""
    a = readable(lr)
    if np.all(update > 0):
        return f"Line 5 subtracts: m̂/√v̂ = −1, so θ moves −{a} × (−1) = +{a}, against g."
    if np.all(update < 0):
        return f"Line 5 subtracts: m̂/√v̂ = +1, so θ moves −{a} × (+1) = −{a}, against g."
    return "Line 5 subtracts α × m̂/√v̂: each weight moves against its own gradient."


class AdamAlgorithm(ExplainerScene):
    entry = CATALOG["algorithm"]  # its key, title, description and Params

    def construct(self) -> None:
        p, th = self.params, self.theme
        surface, start = p.resolved(), p.start_point()
        traj = run(adam(p.lr, p.beta1, p.beta2, p.eps), surface, start, p.steps)
        title = scene_title(self.title, th)

        # Beat 1: the five lines of Algorithm 1.
        self.idea("Algorithm 1 on a real run", "steps_run", "first_update")
        lines = algorithm_one(th).next_to(title, DOWN, buff=0.45)
        fit_above(lines.to_edge(LEFT, buff=0.6))
        table, cells, step = self.table(lines)
        with self.beat("algorithm",
                       "Algorithm 1 of Kingma & Ba: a gradient, two averages, a correction, "
                       "a step."):
            self.play(FadeIn(title), FadeIn(lines), run_time=1.0)

        # Beat 2: the run the numbers come from.
        with self.beat("run",
                       first_fitting(f"A real run on the {surface.title}: α = {p.lr:g}, from "
                                     f"{point_text(start)}.",
                                     f"A real run: α = {p.lr:g}, from {point_text(start)}.")):
            self.play(FadeIn(table), run_time=0.8)

        # Beats 3+: a few steps in detail, each line lit while its numbers appear.
        box = SurroundingRectangle(lines[1], color=th.symbol("lr"), buff=0.08)
        last = min(p.detailed_steps, traj.valid_steps - 1)
        for t in range(1, last + 1):
            with self.beat(f"step-{t}", step_caption(t, traj.grad[t - 1], traj.update[t], p.lr)):
                if t == 1:
                    self.play(Create(box), run_time=0.4)
                step.set_text(f"{t}")
                for i, rows in enumerate(LINE_ROWS):
                    target = SurroundingRectangle(lines[1 + i], color=th.symbol("lr"),
                                                  buff=0.08)
                    self.play(box.animate.become(target), run_time=0.35)
                    for r in rows:
                        self.fill_row(cells[r], r, traj, t)
                    self.wait(0.45)
            if t == 1 and step_caption(1, traj.grad[0], traj.update[1], p.lr) != plain_step(1):
                with self.beat("sign", sign_caption(traj.update[1], p.lr)):
                    self.play(Indicate(VGroup(*cells[5]), color=th.symbol("lr")), run_time=1.0)

        # Beat: many steps fast, the readouts ticking.
        with self.beat("fast",
                       f"Then {traj.valid_steps - 1 - last} more steps, fast; every number is "
                       "the run's own."):
            self.play(FadeOut(box), run_time=0.3)
            self.play(self.fast(cells, step, traj, last), run_time=5, rate_func=linear)
        self.clear_stage(title)

        # Beats: epsilon caps the step where v_hat is tiny.
        self.idea("ε guards the step; next, the evidence", "sqrt_v_hat_min", "step_cap")
        self.epsilon(traj, title)

        # Beat: what comes next (the case for Adam is made with data, not asserted).
        with self.beat("next",
                       "Next, with data: a valley, a saddle and a sweep of learning rates."):
            self.play(FadeIn(self.next_up(), shift=0.2 * UP), run_time=0.8)

    # --- helpers ------------------------------------------------------------------------------

    def table(self, lines: VGroup):
        th = self.theme
        left = lines.get_right()[0] + 0.6
        top = lines.get_top()[1] - 0.05
        header = VGroup(text("step", th, 26, color=th.muted, letters=True),  # its baseline
                        text("x", th, 26, color=th.muted), text("y", th, 26, color=th.muted))
        cols = (left + 0.85, left + 3.3)
        header[0].move_to([left, top + 0.1, 0], aligned_edge=LEFT)
        step = Readout("", th.text, size=26).place([left + 0.95, header[0][0].get_bottom()[1], 0])
        header[1].move_to([cols[0] + 0.85, top - 0.5, 0])
        header[2].move_to([cols[1] + 0.85, top - 0.5, 0])
        names, cells = VGroup(), []
        for i, (name, symbol) in enumerate(ROWS):
            y = top - 1.05 - 0.66 * i
            color = th.symbol(symbol) if symbol else th.text
            names.add(text(name, th, 26, color=color).move_to([left, y, 0], aligned_edge=LEFT))
            cells.append([Readout("", color, size=24).place([c, y - 0.09, 0]) for c in cols])
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
        # g and m̂ to 4 figures: m̂₁ = g₁ exactly (the bias beat says so) must print alike
        # (-1,955, not -1,960 beside -1,950 from a last-bit difference); the others to 3, so
        # that "8.07 × 10⁻⁴" fits its column
        digits = 4 if ROWS[r][1] in ("g", "m_hat") else 3
        for readout, value in zip(row, self.row_values(r, traj, t), strict=True):
            readout.set_text(readable(value, digits))

    def fast(self, cells, step, traj, first: int) -> UpdateFromAlphaFunc:
        last = traj.valid_steps - 1
        movers = VGroup(step, *(c for row in cells for c in row))

        def update(group, alpha: float) -> None:
            t = int(round(first + alpha * (last - first)))
            step.set_text(f"{t}")
            for r, row in enumerate(cells):
                self.fill_row(row, r, traj, t)

        return UpdateFromAlphaFunc(movers, update)

    def epsilon(self, traj, *keep) -> None:
        p, th = self.params, self.theme
        sqrt_v = np.sqrt(traj.state["v_hat"][1: traj.valid_steps])
        # log10 of sqrt(v_hat), a decade past this run's smallest, so its mark stands inside
        right = max(2.0, float(np.ceil(np.log10(sqrt_v.min()))) + 1.0)
        x = np.linspace(-10, right, 200)
        eps_values = sorted({p.eps, 1e-4, 1e-1})
        ys = {e: np.log10(p.lr / (10**x + e)) for e in eps_values}
        lo = min(float(v.min()) for v in ys.values())
        hi = max(float(v.max()) for v in ys.values())
        box = (-10, right, np.floor(lo), np.ceil(hi))
        pm = PlaneMap.stretch(box, 7.6, 3.9, np.array([-1.9, 0.35, 0]))
        frame = VGroup(plot_frame(box, pm, th, 14, x_numbers=False, y_numbers=False))
        for k in ticks(box[2], box[3])[1:]:  # log scales: label the powers of ten (the
            frame.add(text(readable(10.0 ** k), th, 16, color=th.muted)
                      .next_to(pm(np.array([box[0], k])), LEFT, buff=0.08))  # corner's: x's)
        for k in ticks(box[0], box[1]):
            frame.add(text(readable(10.0 ** k), th, 16, color=th.muted)
                      .next_to(pm(np.array([k, box[2]])), DOWN, buff=0.08))
        x_label = formula(th, r"\sqrt{", (r"\hat{v}", "v_hat"), "}", r"\ \text{(log)}",
                          size=26).next_to(frame, DOWN, buff=0.4)
        y_label = formula(th, (r"\alpha", "lr"), r"/ (\sqrt{", (r"\hat{v}", "v_hat"), "} +",
                          (r"\epsilon", "eps"), ")", r"\ \text{(log)}", size=26)
        y_label.next_to(frame, UP, buff=0.15)
        curves, names = VGroup(), VGroup()
        palette = [th.racer(c) for c in ("sky", "orange", "purple")]
        for (e, y), color in zip(ys.items(), palette, strict=False):
            curves.add(set_polyline(VMobject(), [pm(np.column_stack([x, y]))])
                       .set_stroke(color, width=3.5))
            names.add(text(f"ε = {readable(e)}", th, 22, color=color))
        names.arrange(DOWN, aligned_edge=LEFT).next_to(frame, RIGHT, buff=0.5).align_to(frame, UP)
        self.facts.update(steps_run=traj.valid_steps - 1, sqrt_v_hat_min=float(sqrt_v.min()),
                          step_cap=p.lr / p.eps, first_update=traj.update[1])
        captions = eps_captions(p.lr, p.eps, float(sqrt_v.min()))
        self.eps_captions = captions  # for tests
        with self.beat("eps-1", captions[0]):  # the chart with its curves: never bare axes
            self.play(FadeIn(frame), FadeIn(x_label), FadeIn(y_label), FadeIn(names),
                      run_time=0.8)
            self.play(*(Create(c, rate_func=linear) for c in curves), run_time=2.0)
        cap, floor = self.eps_marks(pm, box, float(sqrt_v.min()))
        with self.beat("eps-2", captions[1]):
            self.play(FadeIn(cap), run_time=0.5)
        with self.beat("eps-3", captions[2]):
            self.play(FadeIn(floor), run_time=0.6)
        self.clear_stage(*keep)

    def eps_marks(self, pm: PlaneMap, box, sqrt_v_hat_min: float) -> tuple[VGroup, VGroup]:
        """The cap α/ε (a dashed line at its height) and this run's smallest √v̂ (a dashed line
        at its place on the x axis, or an arrow at the edge when it lies off the chart)."""
        p, th = self.params, self.theme
        level = np.log10(p.lr / p.eps)
        cap = VGroup(DashedLine(pm(np.array([box[0], level])), pm(np.array([box[1], level])),
                                color=th.symbol("eps"), dash_length=0.08))
        cap.add(text(f"cap α / ε = {readable(p.lr / p.eps)}", th, 18, color=th.symbol("eps"))
                .next_to(cap[0], UP, buff=0.06).align_to(cap[0], RIGHT))
        at = float(np.clip(np.log10(sqrt_v_hat_min), box[0], box[1]))
        floor = VGroup(DashedLine(pm(np.array([at, box[2]])), pm(np.array([at, box[3]])),
                                  color=th.symbol("v_hat"), dash_length=0.08))
        floor.add(above_paths(text(f"this run's smallest √v̂ = {readable(sqrt_v_hat_min)}", th,
                                   18, color=th.symbol("v_hat")), th)
                  .next_to(pm(np.array([at, box[2]])), UP, buff=0.15)
                  .shift(0.1 * RIGHT).align_to(floor[0], RIGHT if at > -4 else LEFT))
        return cap, floor

    def next_up(self) -> VGroup:
        th = self.theme
        rows = VGroup(text("Next, with data:", th, 36, color=th.muted),
                      text("• the race on the Rosenbrock valley", th, 36),
                      text("• escaping a saddle point", th, 36),
                      text("• why Adam is the default", th, 36))
        return rows.arrange(DOWN, aligned_edge=LEFT, buff=0.4).move_to([0, 0.2, 0])
