"""Scene 12: the recap. Algorithm 1 once more, each line tagged with the idea it came from; the
one rule to remember, measured on a real run; what each of α, β₁, β₂, ε controls.

    manim -ql scenes/recap.py AdamRecap
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Create, FadeIn, FadeOut, SurroundingRectangle, VGroup

from optim_core import adam, run
from optim_core.optimizers import hyperparameters
from scenes.catalog import CATALOG
from scenes.framework.captions import first_fitting
from scenes.framework.notation import IDEAS, algorithm_one
from scenes.framework.numbers import readable
from scenes.framework.scene import ExplainerScene
from scenes.framework.style import (
    FRAME_LEFT,
    FRAME_RIGHT,
    MARGIN,
    PICTURE_BOTTOM,
    PICTURE_TOP,
    fit_width,
    formula,
    point_text,
    scene_title,
    text,
)
from scenes.moments import memory

WITHIN = 1.1  # a step "at most about α" long: up to 10 % over (m̂ and √v̂ are noisy averages)
MATTERS = 0.01  # ε matters where it shortens a step by 1 % or more
ASIDE = 0.55  # opacity of a knob not being spoken of: set back, still legible on a projector

# Where each update line of Algorithm 1 was shown in the explainer (same order as IDEAS).
CAME_FROM = ("the hiker", "the ravine", "the ravine", "bias correction", "the race and the saddle")


@dataclass(frozen=True)
class StepSizes:
    """How long Adam's steps were, per weight, in units of α (one run)."""

    ratio: np.ndarray  # |Δθ_i| / α for every step and weight, shape (steps, 2)
    gradient: np.ndarray  # |g_i| for the same steps

    @property
    def largest(self) -> float:
        return float(self.ratio.max())

    @property
    def share_within(self) -> float:
        return float(np.mean(self.ratio <= WITHIN))

    def median_per_weight(self, values: np.ndarray) -> np.ndarray:
        return np.median(values, axis=0)

    @property
    def gradient_spread(self) -> float:
        """How many times larger one weight's typical gradient was than the other's (inf when
        one is zero, or when the ratio is beyond a float)."""
        return spread(self.median_per_weight(self.gradient))

    @property
    def step_spread(self) -> float:
        return spread(self.median_per_weight(self.ratio))

    @property
    def still(self) -> bool:
        """Whether one weight's typical gradient or step was exactly zero (it never moved)."""
        return bool(self.median_per_weight(self.gradient).min() == 0
                    or self.median_per_weight(self.ratio).min() == 0)


def spread(values: np.ndarray) -> float:
    """max / min of non-negative values: inf when the least is zero or the ratio overflows."""
    if values.min() == 0:
        return float("inf")
    with np.errstate(over="ignore"):
        return float(values.max() / values.min())


def step_sizes(traj, lr: float) -> StepSizes:
    """Every step of a run measured in α: Δθ_t = θ_t − θ_{t−1} for t = 1 .. the last finite."""
    last = traj.valid_steps
    moved = np.abs(np.diff(traj.position[:last], axis=0)) / lr
    return StepSizes(moved, np.abs(traj.grad[: last - 1]))


def in_alpha(ratio: float) -> str:
    """A step length in units of α, as read: ``1.00α``, ``0.57α``, ``2.3 × 10⁴α``."""
    return f"{ratio:.2f}α" if ratio < 100 else f"{readable(ratio)}α"


def rule_captions(sizes: StepSizes) -> list[str]:
    """The one rule, as this run shows it; then why it lets one α suit every weight."""
    largest = in_alpha(sizes.largest)
    if sizes.largest <= 1:
        first = "The rule to remember: each weight moves at most about α a step; here never more."
    elif sizes.largest <= WITHIN:
        first = f"The rule to remember: each weight moves at most about α a step (here {largest})."
    else:
        share = f"{100 * sizes.share_within:.0f} %"
        first = first_fitting(
            f"The rule: a weight moves about α a step or less; here {share} did, the largest "
            f"{largest}.",
            f"Here {share} of the steps were at most about α; the largest was {largest}.")
    grads, steps = sizes.gradient_spread, sizes.step_spread
    if sizes.still:
        second = "One weight's gradient was exactly zero here, so it never moved."
    elif not np.isfinite(grads):  # beyond a float, not zero
        second = "The two weights' gradients differed by a factor too large for a float."
    elif not np.isfinite(steps):
        second = "One weight barely moved: its steps were smaller by more than a float holds."
    elif grads >= 2 * steps:
        second = first_fitting(
            f"The two weights' gradients differed {readable(grads, 2)}x in size; their steps "
            f"only {readable(steps, 2)}x.",
            f"Gradients differed {readable(grads, 2)}x between the weights; steps only "
            f"{readable(steps, 2)}x.")
    else:
        second = first_fitting(
            f"The two weights' gradients were similar here ({readable(grads, 2)}x apart); so "
            "were their steps.",
            f"Both weights' gradients were similar ({readable(grads, 2)}x apart); so were the "
            "steps.")
    return [first, second]


def worst_case(beta1: float, beta2: float) -> float:
    """The factor (1 − β₁)/√(1 − β₂) of Kingma & Ba (2015, section 2.1): where it exceeds 1,
    a step can reach that many α (a large gradient after many small ones); else at most α."""
    return (1 - beta1) / (1 - beta2) ** 0.5


def bound_caption(beta1: float, beta2: float) -> str:
    """The rule's honest limit, from Adam's default β₁ and β₂."""
    factor = worst_case(beta1, beta2)
    if factor > 1:
        return first_fitting(
            f"Not a hard limit: a big gradient after small ones can step {readable(factor)}α.",
            f"Not a hard limit: a step can reach {readable(factor)}α.")
    return f"With these β's a step never exceeds α: (1 − β₁)/√(1 − β₂) = {readable(factor)}."


def knob_captions(defaults: dict[str, float]) -> list[str]:
    """What each hyperparameter controls, from the defaults the core declares for Adam."""
    lr, b1, b2, eps = (defaults[k] for k in ("lr", "beta1", "beta2", "eps"))
    values = (f"α = {readable(lr)}, β₁ = {readable(b1, 4)}, β₂ = {readable(b2, 4)}, "
              f"ε = {readable(eps)}.")
    return [
        first_fitting(f"Four knobs. The paper's defaults: {values}", f"The defaults: {values}"),
        f"β₁ = {readable(b1, 4)} remembers about {readable(memory(b1))} steps of gradients; "
        f"β₂ = {readable(b2, 4)} about {readable(memory(b2))}.",
        f"ε = {readable(eps)} changes a step by 1 % or more only where √v̂ is below "
        f"{readable(eps * (1 - MATTERS) / MATTERS)}.",
    ]


class AdamRecap(ExplainerScene):
    entry = CATALOG["recap"]  # its key, title, description and Params

    def construct(self) -> None:
        title = scene_title(self.title, self.theme)
        self.idea("Adam, line by line")
        lines = self.tagged_lines(title)
        self.idea("The rule to remember", "run", "largest_step_in_alpha", "share_within",
                  "gradient_spread", "step_spread")
        self.the_rule(lines, title)
        self.idea("The four knobs, and the whole story", "defaults", "memory_m", "memory_v")
        self.knobs(title)
        self.closing()

    # --- beats --------------------------------------------------------------------------------

    def tagged_lines(self, title) -> VGroup:
        th = self.theme
        lines = algorithm_one(th, size=36, width=7.0)
        room = PICTURE_TOP - PICTURE_BOTTOM - 0.5
        if lines.height > room:
            lines.scale_to_fit_height(room)
        lines.move_to([FRAME_LEFT + MARGIN, PICTURE_TOP - 0.3, 0], aligned_edge=UP + LEFT)
        tags = VGroup()
        for idea, where, line in zip(IDEAS, CAME_FROM, lines[1:], strict=True):
            tag = VGroup(text(idea, th, 24, weight="BOLD"),
                         text(f"seen in {where}", th, 18, color=th.muted))
            tag.arrange(DOWN, aligned_edge=LEFT, buff=0.06)
            tag.move_to([lines.get_right()[0] + 0.5, line.get_center()[1], 0], aligned_edge=LEFT)
            tags.add(fit_width(tag, FRAME_RIGHT - MARGIN - tag.get_left()[0]))
        with self.beat("lines", "Adam once more: each line is one idea of this video."):
            self.play(FadeIn(title), FadeIn(lines), run_time=1.0)
            self.play(FadeIn(tags, lag_ratio=0.3), run_time=1.5)
        self.tags = tags
        return lines

    def the_rule(self, lines: VGroup, title) -> None:
        p, th = self.params, self.theme
        surface, start = p.resolved(), p.start_point()
        traj = run(adam(p.lr), surface, start, p.steps)
        sizes = step_sizes(traj, p.lr)
        captions = rule_captions(sizes)
        self.facts.update(run=dict(surface=p.surface, start=list(start), lr=p.lr,
                                   steps=traj.valid_steps - 1),
                          largest_step_in_alpha=sizes.largest, share_within=sizes.share_within,
                          gradient_spread=sizes.gradient_spread, step_spread=sizes.step_spread)
        step_line = lines[-1]
        where = text(f"measured: Adam, α = {readable(p.lr)}, {traj.valid_steps - 1} steps on the "
                     f"{surface.title} from {point_text(start)}", th, 28, color=th.muted)
        numbers = self.rule_numbers(sizes)
        panel = VGroup(where, numbers).arrange(DOWN, aligned_edge=LEFT, buff=0.45)
        fit_width(panel, FRAME_RIGHT - FRAME_LEFT - 2 * MARGIN)
        panel.move_to([0, -0.5, 0])
        with self.beat("rule", captions[0]):
            self.play(FadeOut(self.tags), FadeOut(lines[:-1]), run_time=0.6)
            self.play(step_line.animate.scale(1.8).move_to([0, PICTURE_TOP - 1.0, 0]),
                      run_time=0.8)
            box = SurroundingRectangle(step_line, color=th.symbol("lr"), buff=0.15)
            self.play(Create(box), FadeIn(where), FadeIn(numbers[0]), run_time=0.8)
        with self.beat("why-rule", captions[1]):
            self.play(FadeIn(numbers[1]), run_time=0.7)
        b1, b2 = (hyperparameters("adam")[k] for k in ("beta1", "beta2"))
        bound = bound_caption(b1, b2)
        self.facts["worst_case_in_alpha"] = worst_case(b1, b2)
        worst = text(f"Kingma & Ba's bound: (1 − β₁)/√(1 − β₂) = {readable(worst_case(b1, b2))}"
                     f" with β₁ = {readable(b1, 4)}, β₂ = {readable(b2, 4)}", th, 28,
                     color=th.muted)
        fit_width(worst, FRAME_RIGHT - FRAME_LEFT - 2 * MARGIN)
        worst.next_to(panel, DOWN, buff=0.4).align_to(panel, LEFT)
        with self.beat("bound", bound):
            self.play(FadeIn(worst), run_time=0.6)
        self.clear_stage(title)

    def rule_numbers(self, sizes: StepSizes) -> VGroup:
        th = self.theme
        share = ("every step of both weights" if sizes.share_within == 1 else
                 f"{100 * sizes.share_within:.0f} % of the steps")
        steps = text(f"{share}: at most about α, the largest {in_alpha(sizes.largest)}", th, 36,
                     color=th.symbol("lr"))
        grads = VGroup(
            text(f"typical gradients of the two weights: {readable(sizes.gradient_spread, 2)}x "
                 "apart", th, 36, color=th.symbol("g")),
            text(f"their typical steps: {readable(sizes.step_spread, 2)}x apart", th, 36,
                 color=th.symbol("lr"))).arrange(DOWN, aligned_edge=LEFT, buff=0.35)
        return VGroup(steps, grads).arrange(DOWN, aligned_edge=LEFT, buff=0.35)

    def knobs(self, title) -> None:
        th = self.theme
        defaults = hyperparameters("adam")
        captions = knob_captions(defaults)
        self.facts.update(defaults=defaults, memory_m=memory(defaults["beta1"]),
                          memory_v=memory(defaults["beta2"]))
        rows = [
            ((r"\alpha", "lr"), readable(defaults["lr"]), "step length, in the weights' own units"),
            ((r"\beta_1", "beta1"), readable(defaults["beta1"], 4),
             f"memory of m: about {readable(memory(defaults['beta1']))} steps"),
            ((r"\beta_2", "beta2"), readable(defaults["beta2"], 4),
             f"memory of v: about {readable(memory(defaults['beta2']))} steps"),
            ((r"\epsilon", "eps"), readable(defaults["eps"]),
             "guard of the division: matters only where √v̂ is tiny"),
        ]
        table = VGroup()
        for symbol, value, role in rows:
            table.add(VGroup(formula(th, symbol, size=48), text(value, th, 34),
                             text(role, th, 26, color=th.muted)))
        for row in table:
            row[1].next_to(row[0], RIGHT, buff=0).set_x(FRAME_LEFT + MARGIN + 1.1, LEFT)
            row[2].set_x(FRAME_LEFT + MARGIN + 3.3, LEFT)
            row[0].set_x(FRAME_LEFT + MARGIN + 0.3, LEFT)
            for part in row[1:]:
                part.align_to(row[0], DOWN)
        table.arrange(DOWN, aligned_edge=LEFT, buff=0.75)
        fit_width(table, FRAME_RIGHT - FRAME_LEFT - 2 * MARGIN)
        table.next_to(title, DOWN, buff=0.7).set_x(FRAME_LEFT + MARGIN, LEFT)
        heading = text("usual default", th, 22, color=th.muted).next_to(table[0][1], UP, buff=0.3)
        heading.align_to(table[0][1], LEFT)
        with self.beat("knobs", captions[0]):
            self.play(FadeIn(heading), FadeIn(table, lag_ratio=0.2), run_time=1.2)
        with self.beat("memory", captions[1]):
            self.play(table[0].animate.set_opacity(ASIDE), table[3].animate.set_opacity(ASIDE),
                      run_time=0.5)
        with self.beat("eps", captions[2]):
            self.play(table[1:3].animate.set_opacity(ASIDE), table[3].animate.set_opacity(1),
                      run_time=0.5)
        self.clear_stage()

    def closing(self) -> None:
        th = self.theme
        words = VGroup(text("momentum's direction", th, 36, color=th.symbol("m")),
                       text("RMSProp's scale", th, 36, color=th.symbol("v")),
                       text("corrected from the first step", th, 36, color=th.symbol("m_hat")))
        words.arrange(DOWN, buff=0.35).move_to(0.4 * UP)
        name = text("= Adam", th, 44, weight="BOLD").next_to(words, DOWN, buff=0.5)
        with self.beat("end", "Momentum's direction and RMSProp's scale, corrected from step "
                              "1: Adam."):
            self.play(FadeIn(words, lag_ratio=0.4, shift=0.2 * RIGHT), run_time=1.5)
            self.play(FadeIn(name, shift=0.2 * UP), run_time=0.6)
