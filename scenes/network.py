"""Scene 8: Adam on a real network, real data.

    manim -ql scenes/network.py NetworkTraining

A one-hidden-layer tanh network learns scikit-learn's bundled handwritten digits
(:mod:`optim_core.network`). Every optimizer of a declared table trains it at every learning rate
of a log-spaced sweep from a few initialisation seeds, all on the same batches (the rates and
seeds are batch axes of one core call per optimizer). The scene shows where each optimizer works
(median test accuracy above a threshold, in the tuning scene's chart grammar) and where the usual
α = 10⁻³ stands; each optimizer's training at its best α; how large a step each takes per weight
in each layer, in units of α; and what moves when the loss is summed over the batch instead of
averaged (gradients ``batch`` times larger). Every caption is computed from the core's arrays,
with a true sentence for every other case (nobody works, ties, divergence).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    DashedLine,
    DashedVMobject,
    Dot,
    FadeIn,
    Line,
    Rectangle,
    UpdateFromAlphaFunc,
    VGroup,
    VMobject,
    linear,
)

from optim_core import accumulate, adam
from optim_core.network import (
    GROUP_NAMES,
    GROUPS,
    StepCauses,
    Training,
    gradient_history,
    gradient_sizes,
    group_median,
    init_weights,
    spread,
    step_causes,
    steps_over_lr,
    train,
    train_all,
)
from optim_core.optimizers import REGISTRY, hyperparameters
from optim_core.sweep import Sweep, Verdict, verdict
from scenes.catalog import CATALOG, NetworkParams
from scenes.framework.captions import first_fitting, names_list
from scenes.framework.numbers import decade, rate_range, readable
from scenes.framework.palette import optimizer_colors
from scenes.framework.plot2d import dot_cloud, small
from scenes.framework.scene import ExplainerScene
from scenes.framework.style import (
    FRAME_LEFT,
    FRAME_RIGHT,
    MARGIN,
    PICTURE_BOTTOM,
    PICTURE_TOP,
    above_paths,
    fit_width,
    line_height,
    scene_title,
    stack,
    swatch,
    text,
)
from scenes.moments import memory
from scenes.tuning import (
    CHART_BOTTOM,
    CHART_TOP,
    DIVERGED_Y,
    STRIP_BOTTOM,
    RateChart,
    Strip,
    boxes,
    sweep_legend,
    widest_range,
)

CURVE_EVERY = 10  # the best-α trainings are tested every this many steps


def sweep_all(p: NetworkParams, reduction: str = "mean") -> list[Training]:
    """One batched training per optimizer of the table (all rates, all seeds)."""
    jobs = [(c.optimizer, c.hyper()) for c in p.optimizers.values()]
    return train_all(jobs, p.rates(), np.arange(p.seeds), p.setup(reduction))


# --- numbers in words -----------------------------------------------------------------------------

def alpha(v: float) -> str:
    return f"α = {readable(v)}"


def pct(accuracy: float) -> str:
    return f"{100 * accuracy:.0f} %"


def times(factor: float) -> str:
    """A factor: ``2.1x``, ``56x``, ``178x`` (never e-notation)."""
    return f"{factor:.2g}x" if factor < 10 else f"{factor:,.0f}x"


def coefficient(v: float) -> str:
    """A multiple of α: ``0.14α``, ``1.2 × 10⁻⁵ α``."""
    s = readable(v, 2)
    return f"{s} α" if "×" in s else f"{s}α"


def all_diverge_from(sweep: Sweep) -> int | None:
    """The first rate from which on every run of every higher rate diverged; None if the
    highest rate has a run that did not."""
    share = sweep.diverged_share
    if share[-1] < 1:
        return None
    i = len(share) - 1
    while i > 0 and share[i - 1] >= 1:
        i -= 1
    return i


def verdict_caption(name: str, v: Verdict, sweep: Sweep) -> str:
    """Where one optimizer works (median test accuracy above the threshold), then where its
    runs start to diverge."""
    need = 1 - v.threshold
    if not v.works:
        if np.isinf(v.best_median):
            works = f"{name} never works: most runs diverge at every α."
        else:
            works = (f"{name} never gets above {pct(need)}; at best {pct(1 - v.best_median)}, "
                     f"at {alpha(v.best_lr)}.")
            works = first_fitting(works, f"{name} never gets above {pct(need)}; at best "
                                         f"{pct(1 - v.best_median)}.")
    elif len(v.works) == 1:
        works = f"{name} works only at {alpha(v.works[0])}."
    elif v.contiguous:
        works = f"{name} works from {rate_range(v.works[0], v.works[-1])}."
    else:
        works = (f"{name} works at {len(v.works)} of {len(sweep.lrs)} rates, "
                 f"{alpha(v.works[0])} to {readable(v.works[-1])}.")
    every = all_diverge_from(sweep)
    if v.first_diverged is None:
        diverges = "No run diverges."
    elif every is not None and float(sweep.lrs[every]) == v.first_diverged:
        diverges = f"From {alpha(v.first_diverged)} on, every run diverges."
    else:
        diverges = f"First divergence at {alpha(v.first_diverged)}."
    return first_fitting(f"{works} {diverges}", works)


def widest_caption(names: dict[str, str], verdicts: list[Verdict]) -> str:
    return widest_range(names, verdicts, f"None of them gets above "
                        f"{pct(1 - verdicts[0].threshold)} test accuracy, at any α.")


def reference_index(lrs: np.ndarray, reference: float) -> int:
    """The grid rate nearest ``reference`` on the log scale (the lower one on a tie)."""
    return int(np.argmin(np.abs(np.log10(lrs) - np.log10(reference))))


def reference_caption(names: dict[str, str], sweeps: list[Sweep], threshold: float,
                      reference: float) -> str:
    """Who works at the marked rate (the grid rate nearest ``reference``), with the median
    test accuracies if they fit."""
    lrs = sweeps[0].lrs
    i = reference_index(lrs, reference)
    at = alpha(float(lrs[i]))
    if np.isclose(float(lrs[i]), 0.001, rtol=1e-9) and np.isclose(reference, 0.001, rtol=1e-9):
        where = f"At {at}, the usual default,"
    elif np.isclose(float(lrs[i]), reference, rtol=1e-9):
        where = f"At the marked {at},"
    else:
        where = f"At {at}, the rate nearest {readable(reference)},"
    works = [names[s.optimizer] for s in sweeps if s.works(1 - threshold)[i]]
    if not works:
        verdict_ = "none of them works."
    elif len(works) == len(sweeps):
        verdict_ = "all of them work." if len(works) > 2 else f"{names_list(works)} work."
    else:
        verdict_ = f"only {names_list(works)} work{'s' if len(works) == 1 else ''}."
    scores = []
    for s in sweeps:
        median = float(s.median[i])
        scores.append(f"{names[s.optimizer]} {'diverges' if np.isinf(median) else pct(1 - median)}")
    return first_fitting(f"{where} {verdict_} ({', '.join(scores)})", f"{where} {verdict_}")


def curves_caption(names: dict[str, str], finals: dict[str, float]) -> str:
    """Who ends highest when each trains at its best α (the median over the seeds; ties are
    judged on the percentages shown)."""
    shown = {k: round(100 * a) for k, a in finals.items() if np.isfinite(a)}
    if not shown:
        return "At its best α, every optimizer's runs diverge."
    top = max(shown.values())
    best = [names[k] for k, a in shown.items() if a == top]
    if len(best) == len(finals) and len(best) > 1:
        return f"At its best α, each ends at {top} % test accuracy."
    if len(best) > 1:
        return first_fitting(f"At their best α, {names_list(best)} tie: {top} % test accuracy.",
                             f"At their best α, {len(best)} tie at {top} % test accuracy.")
    return f"At its best α, {best[0]} ends highest: {top} % test accuracy."


def gradient_caption(name: str, sizes: np.ndarray) -> str:
    """How different the groups' gradients are along one run (``name``'s, at its best α)."""
    factor = spread(sizes)
    if not np.isfinite(factor):
        return f"{name}'s runs diverged before their gradients could be compared."
    if factor >= 1.5:
        hi, lo = (GROUP_NAMES[GROUPS[i]] for i in (int(np.argmax(sizes)), int(np.argmin(sizes))))
        return first_fitting(f"Per weight, {hi} get {times(factor)} the gradient of {lo} "
                             f"({name}'s run).", f"Per weight, {hi} get {times(factor)} the "
                                                  f"gradient of {lo}.",
                             f"Gradients per weight differ {times(factor)} across the network.")
    return f"Here every group's gradients are within {times(factor)} of each other."


def step_caption(name: str, optimizer: str, sizes: np.ndarray) -> str:
    """How large one optimizer's steps per weight are, in units of α, over the groups."""
    if not np.all(np.isfinite(sizes)):
        return f"{name}'s runs at its best α diverged before a step could be measured."
    lo, hi = float(sizes.min()), float(sizes.max())
    span = (f"{coefficient(lo)} per weight in every layer" if f"{lo:.2g}" == f"{hi:.2g}" else
            f"{coefficient(lo)} to {coefficient(hi)} per weight")
    why = {"sgd": "α times the gradient", "momentum": "α times the averaged gradient"}.get(
        optimizer, "m̂, the averaged gradient, over its own √v̂" if adam_like(optimizer)
        else "each gradient over its own √v")
    return first_fitting(f"{name} steps {span}: {why}.", f"{name} steps {span}.")


def eps_share(t: Training, i: int) -> float:
    """ε over the smallest group's typical gradient (median over steps and seeds) at the
    ``i``-th rate: how much ε weighs in the step's denominator."""
    eps = {**hyperparameters(t.optimizer), **t.hyperparams}.get("eps", 0.0)
    typical = np.nanmedian(t.grad_rms[:, i], axis=(0, 1))
    return float(eps / np.min(typical)) if np.all(typical > 0) else float("inf")


def adam_like(optimizer: str) -> bool:
    """An optimizer that averages g (an m, with β₁) and divides by its own √v: Adam's kind."""
    return REGISTRY[optimizer].scale_free and "beta1" in hyperparameters(optimizer)


NOISY = 0.5  # |m̂| under this share of the gradients' size: the gradients it averaged disagree
MEMORY = 0.8  # recent gradients under this share of √v̂: √v̂'s long memory shortens the step
NOISE_EXPLAINED = ("adam", "adamw")  # m̂ over √v̂ is the step (AdamW: besides a small decay)
SMALL_EPS = 0.01  # ε at most this share of the gradients' size: the step is m over √v
MIN_BETA1 = 0.8  # m̂ averages about 5 steps or more: noise and trend can be told apart


def spread_of(values: np.ndarray) -> str:
    """A range of per-group values in words: ``0.14 to 0.19``, or one value."""
    lo, hi = readable(float(np.min(values)), 2), readable(float(np.max(values)), 2)
    return lo if lo == hi else f"{lo} to {hi}"


def explained(causes: StepCauses, eps_share: float, beta1: float) -> bool:
    """Whether |m̂|/√v̂ is the step (ε negligible), measured in every group, and m̂ averages
    enough steps (β₁ >= 0.8: about 5) to tell batch-to-batch noise from a trend (with
    β₁ = 0, m̂ is the last gradient, |m̂| equals their RMS, and the noise would be counted
    as memory)."""
    return (eps_share <= SMALL_EPS and beta1 >= MIN_BETA1
            and bool(np.all(np.isfinite(causes.agreement)))
            and bool(np.all(np.isfinite(causes.memory))))


def noise_caption(name: str, causes: StepCauses, eps_share: float, beta1: float) -> str | None:
    """The first reason Adam steps under α on a network: its batches' gradients disagree, so
    their average m̂ is a small share of their size. Said only when that share is under 0.5 in
    every group and ε is negligible (``eps_share``: ε over the smallest group's typical
    gradient); None otherwise."""
    if not explained(causes, eps_share, beta1) or float(causes.agreement.max()) >= NOISY:
        return None
    share = spread_of(causes.agreement)
    return first_fitting(f"Smaller than α: batches' gradients disagree, so |m̂| is {share} of "
                         "them.", f"Smaller than α: batches disagree; |m̂| is {share} of |g|.")


def memory_caption(name: str, causes: StepCauses, eps_share: float, beta1: float, beta2: float,
                   steps: int, shrank: bool) -> str | None:
    """The second reason: the gradients shrink as the network learns (``shrank``: in every
    group, measured), and √v̂ averages about 1/(1 - β₂) steps of them (all the run's, when the
    run is shorter), so recent gradients are a share of √v̂. Said only when that share is
    under 0.8 in every group and √v̂ remembers at least twice as many steps as m̂."""
    if not explained(causes, eps_share, beta1) or not shrank \
            or float(causes.memory.max()) >= MEMORY \
            or memory(beta2) <= 2 * memory(beta1):  # √v̂'s memory must be the longer one
        return None
    share = spread_of(causes.memory)
    shortest = f"Gradients shrink; recent ones are {share} of √v̂."
    if memory(beta2) >= steps:
        return first_fitting(f"And gradients shrink, but √v̂ averages all {steps:,} steps: recent "
                             f"ones are {share} of it.",
                             f"Gradients shrink; √v̂ averages all {steps:,} steps: recent ones are "
                             f"{share} of it.", shortest)
    remembers = f"{memory(beta2):,.0f}"
    return first_fitting(f"And gradients shrink, but √v̂ remembers about {remembers} steps: "
                         f"recent ones are {share} of it.",
                         f"Gradients shrink; √v̂ remembers about {remembers} steps, so recent "
                         f"ones are {share} of it.",
                         f"Gradients shrink; √v̂ remembers {remembers} steps: recent ones are "
                         f"{share} of it.", shortest)


def shrinking(t: Training, i_lr: int) -> bool:
    """Whether every group's typical gradient is smaller in the run's last tenth of steps than
    in its first tenth (median over those steps and the seeds)."""
    tenth = max(1, t.setup.steps // 10)
    first = group_median(t.grad_rms[:tenth, i_lr])
    last = group_median(t.grad_rms[-tenth:, i_lr])
    return bool(np.all(np.isfinite(first) & np.isfinite(last)) and np.all(last < first))


def weight_share(rate: float, step: float, typical: float) -> float:
    """A step of ``step`` α at ``rate``, in per cent of a typical weight."""
    return 100 * rate * step / typical


def default_caption(name: str, reference: float, grid_rate: float, typical: float,
                    sizes: np.ndarray) -> str | None:
    """How much one optimizer changes a typical weight a step at the marked rate (Kingma & Ba's
    default when it is 10⁻³): its typical step per weight there (``sizes``, in units of α,
    one per group) times α, over the typical weight. None when the marked rate is not on
    the sweep's grid or its runs diverged."""
    if not np.isclose(grid_rate, reference, rtol=1e-9) or not np.all(np.isfinite(sizes)):
        return None
    step = float(np.median(sizes))
    share = weight_share(reference, step, typical)
    who = ("Kingma & Ba's α = 10⁻³" if np.isclose(reference, 1e-3, rtol=1e-9)
           else alpha(reference))
    return first_fitting(f"At {who}, {name} steps {coefficient(step)}: {readable(share, 2)} % "
                         "of a typical weight.", f"At {alpha(reference)}, {name}: "
                                                 f"{readable(share, 2)} % of a weight a step.")


def weight_caption(typical: float, reference: float) -> str:
    """How large the marked rate is against a typical weight of the network at the start."""
    share = reference / typical
    if share < 1:
        return (f"A typical weight here is {readable(typical, 2)}: a step of "
                f"{readable(reference)} is {readable(100 * share, 2)} % of it.")
    return (f"A typical weight here is {readable(typical, 2)}: a step of {readable(reference)} is "
            f"{times(share)} as large.")


@dataclass(frozen=True)
class Moved:
    """What the loss scale did to one optimizer's best rate and working range."""

    key: str
    best_mean: float
    best_sum: float
    works_mean: bool
    works_sum: bool

    @property
    def factor(self) -> float:
        """How many times lower the best rate is with the summed loss (< 1: higher)."""
        return self.best_mean / self.best_sum

    @property
    def stayed(self) -> bool:
        return self.best_mean == self.best_sum


def moved(key: str, mean: Verdict, summed: Verdict) -> Moved:
    return Moved(key, mean.best_lr, summed.best_lr, bool(mean.works), bool(summed.works))


def moved_caption(name: str, m: Moved) -> str:
    if not (m.works_mean or m.works_sum):
        return f"{name} works at no α, averaged or summed."
    only = ""
    if m.works_mean != m.works_sum:
        only = f" It works only {'averaged' if m.works_mean else 'summed'}."
    if m.stayed:
        line = f"{name}'s best α stays at {readable(m.best_mean)}."
    elif m.factor > 1:
        line = (f"{name}'s best α moves {times(m.factor)} lower: {readable(m.best_mean)} to "
                f"{readable(m.best_sum)}.")
    else:
        line = (f"{name}'s best α moves {times(1 / m.factor)} higher: {readable(m.best_mean)} to "
                f"{readable(m.best_sum)}.")
    return first_fitting(line + only, line)


def beyond_grid(name: str, m: Moved, ratio: float, spacing: float,
                summed: Sweep) -> str | None:
    """For a best α that went down further than the gradients grew (by more than one step of
    the grid, ``spacing``, beyond ``ratio``): how close to its best the summed training is at
    the rate the gradients' growth predicts (the grid rate nearest ``best_mean / ratio``, and
    how far below ``best_mean`` that rate really is). None for a best α that moved as
    predicted or less, stayed, or went up."""
    if m.stayed or m.factor <= ratio * spacing:  # moved less, or as the gradients grew
        return None
    lx = np.log10(summed.lrs)
    i = int(np.argmin(np.abs(lx - np.log10(m.best_mean / ratio))))
    accuracy = 1 - summed.median
    gap = 100 * float(np.nanmax(accuracy) - accuracy[i])
    rate = readable(float(summed.lrs[i]))
    if np.isfinite(gap) and gap < 1:
        how = "ties its best" if gap == 0 else f"is {readable(gap, 2)} % under its best"
        below = f"{times(m.best_mean / float(summed.lrs[i]))} below {readable(m.best_mean)}"
        return first_fitting(f"At α = {rate}, {below}, {name} {how}: a flat top.",
                             f"At α = {rate}, {below}, {name} {how}.")
    return first_fitting(f"{name}'s best moved {times(m.factor)}, more than the gradients' "
                         f"{times(ratio)}.", f"{name}'s best moved more than {times(ratio)}.")


def scale_lesson(names: dict[str, str], moves: list[Moved]) -> str:
    stayed = [names[m.key] for m in moves if m.stayed]
    went = [names[m.key] for m in moves if not m.stayed]
    if not went:
        return "Every optimizer's best α stayed where it was."
    if not stayed:
        return "Every optimizer's best α moved: each needs tuning again."
    verb = "keeps its" if len(stayed) == 1 else "keep their"
    return first_fitting(f"{names_list(stayed)} {verb} best α; {names_list(went)} must be "
                         "tuned again.", f"{len(stayed)} keep their best α; {len(went)} "
                                         "must be tuned again.")


# --- the scene -----------------------------------------------------------------------------------

# The chart's places are the tuning scene's (one chart grammar for both sweeps).


class NetworkTraining(ExplainerScene):
    entry = CATALOG["network"]  # its key, title, description and Params

    def construct(self) -> None:
        p, th = self.params, self.theme
        lrs, setup = p.rates(), p.setup()
        data, shape = setup.data(), setup.shape()
        colors = optimizer_colors(p.optimizers, th)
        names = {k: r.name for k, r in p.optimizers.items()}
        keys = list(p.optimizers)
        trainings = dict(zip(keys, sweep_all(p), strict=True))
        sweeps = [trainings[k].sweep(k) for k in keys]
        verdicts = [verdict(s, 1 - p.threshold) for s in sweeps]
        runs = len(keys) * len(lrs) * p.seeds
        title = scene_title(self.title, th)

        # The task: digits, then the network.
        self.idea("A real network: recognising digits", "digits", "train", "test", "weights")
        with self.beat("task", first_fitting(
                f"{data.size:,} handwritten digits, {side(data.inputs)} pixels each: which "
                "digit is it?", f"{data.size:,} handwritten digits to recognise.")):
            digits_row = self.digits_row(data)
            self.play(FadeIn(title), FadeIn(digits_row), run_time=0.6)
        with self.beat("network", first_fitting(
                f"A network: {shape.inputs} pixels → {shape.hidden} tanh units → "
                f"{shape.outputs} scores: {shape.size:,} weights.",
                f"A network with {shape.size:,} weights.")):
            self.play(FadeIn(self.diagram(shape)), run_time=0.8)
        with self.beat("data", first_fitting(
                f"It learns from {len(data.y_train):,} images, {p.batch} per step, and is "
                f"tested on {len(data.y_test):,} others.",
                f"Trained on {len(data.y_train):,} images, tested on {len(data.y_test):,}.")):
            self.wait(0.1)
        if any(c.optimizer == "sgd" for c in p.optimizers.values()):
            with self.beat("sgd", first_fitting(
                    "Gradient descent on one batch per step is SGD: stochastic gradient "
                    "descent.", "SGD: gradient descent on one batch per step.")):
                self.wait(0.1)

        # The sweep.
        self.idea("The sweep on the network", "runs", "median_accuracy", "diverged_share",
                  "reference_rate")
        chart = AccuracyChart(sweeps, colors, p.threshold, th)
        strip = Strip(sweeps, verdicts, colors, names, chart, th, axis="α", axis_size=24)
        legend = self.legend(p, colors, names, shape)
        with self.beat("sweep", first_fitting(
                f"{runs:,} trainings: {len(keys)} optimizers × {len(lrs)} rates × "
                f"{p.seeds} seed{'s' if p.seeds > 1 else ''}.",
                f"{runs:,} trainings of {p.steps} steps each.")):
            self.clear_stage(title)
            self.play(FadeIn(chart.frame), FadeIn(strip.frame), FadeIn(legend), run_time=0.5)
        seeds = f"over {p.seeds} seeds" if p.seeds > 1 else "of one seed"
        with self.beat("chart", f"Each line: the test accuracy {seeds}, after {p.steps} steps."
                       if p.seeds == 1 else
                       f"Each line: the median test accuracy {seeds}, after {p.steps} steps."):
            self.add(chart.curves)
            self.play(chart.fill(), run_time=p.fill_time, rate_func=linear)
        with self.beat("works", f"Works: median test accuracy above {pct(p.threshold)}."):
            self.play(FadeIn(chart.threshold_line), run_time=0.6)
        for i, (v, s) in enumerate(zip(verdicts, sweeps, strict=True)):
            with self.beat(f"verdict-{v.optimizer}", verdict_caption(names[v.optimizer], v, s)):
                self.play(FadeIn(strip.rows[i]), chart.highlight(i), run_time=0.8)
        with self.beat("widest", widest_caption(names, verdicts)):
            self.play(chart.highlight(None), run_time=0.6)
        marker = chart.marker(p.reference_lr, strip)
        with self.beat("reference", reference_caption(names, sweeps, p.threshold,
                                                      p.reference_lr)):
            self.play(FadeIn(marker), run_time=0.6)

        # Each at its best rate, step by step.
        self.idea("Each at its best rate: accuracy and step sizes", "best_rate_accuracy",
                  "gradient_per_weight", "gradient_spread", "step_over_lr", "typical_weight")
        best = {v.optimizer: v.best_lr for v in verdicts}
        curves = {k: train(p.optimizers[k].optimizer, [best[k]], np.arange(p.seeds),
                           p.setup(eval_every=CURVE_EVERY), **p.optimizers[k].hyper())
                  for k in keys}
        finals = {k: float(np.median(np.where(t.diverged[0], -np.inf, t.test_accuracy[-1, 0])))
                  for k, t in curves.items()}
        finals = {k: (a if np.isfinite(a) else float("nan")) for k, a in finals.items()}
        with self.beat("curves", curves_caption(names, finals)):
            self.clear_stage(title)
            progress = TrainingCurves(curves, colors, names, best, th)
            self.play(FadeIn(progress.frame), FadeIn(progress.legend), run_time=0.4)
            self.add(progress.lines)
            self.play(progress.reveal(), run_time=2.5, rate_func=linear)

        # Steps per weight, layer by layer, in units of α.
        i_best = {k: int(np.flatnonzero(lrs == best[k])[0]) for k in keys}
        at_best = {k: steps_over_lr(trainings[k], i_best[k]) for k in keys}
        plain = next((k for k in keys if p.optimizers[k].optimizer == "sgd"), keys[0])
        grad_sizes = gradient_sizes(trainings[plain], i_best[plain])
        bars = StepBars(at_best, colors, names, th)
        with self.beat("layers", gradient_caption(names[plain], grad_sizes)):
            self.clear_stage(title)
            self.play(FadeIn(bars.frame), FadeIn(bars.bars[plain]), run_time=0.6)
        order = [plain, *(k for k in keys if k != plain)]  # the plain optimizer's bars first
        for n, k in enumerate(order):
            with self.beat(f"steps-{k}", step_caption(names[k], p.optimizers[k].optimizer,
                                                      at_best[k])):
                self.play(FadeIn(bars.bars[k]) if k != plain else bars.indicate(k),
                          run_time=0.6)
            if p.optimizers[k].optimizer in NOISE_EXPLAINED:
                self.why_under_alpha(k, names[k], trainings[k], i_best[k], bars,
                                     order[:n + 1], title)
        typical = float(np.median(np.abs(init_weights(shape, np.arange(p.seeds)))))
        with self.beat("weights", weight_caption(typical, p.reference_lr)):
            self.play(FadeIn(bars.reference(p.reference_lr, typical)), run_time=0.6)
        i_ref = reference_index(lrs, p.reference_lr)
        for k in keys:
            sizes = steps_over_lr(trainings[k], i_ref)
            if adam_like(p.optimizers[k].optimizer) and (said := default_caption(
                        names[k], p.reference_lr, float(lrs[i_ref]), typical,
                        sizes)) is not None:
                step = float(np.median(sizes))
                with self.beat(f"default-{k}", said):
                    self.play(FadeIn(bars.at_rate(names[k], p.reference_lr, step, weight_share(
                                      p.reference_lr, step, typical))),
                              run_time=0.4)

        # The loss's scale: summed over the batch instead of averaged.
        self.idea("Sum instead of average: who must be re-tuned", "summed_gradient_ratio",
                  "summed_median_accuracy")
        summed = dict(zip(keys, sweep_all(p, "sum"), strict=True))
        sum_sweeps = [summed[k].sweep(k) for k in keys]
        sum_verdicts = [verdict(s, 1 - p.threshold) for s in sum_sweeps]
        moves = [moved(k, a, b) for k, a, b in zip(keys, verdicts, sum_verdicts, strict=True)]
        ratio = float(np.median(summed[keys[0]].grad_rms[0] / trainings[keys[0]].grad_rms[0]))
        panels = ScalePanels(sweeps, sum_sweeps, verdicts, sum_verdicts, colors, names,
                             p.threshold, th)
        with self.beat("scale", first_fitting(
                f"Now sum the loss over each batch instead of averaging: gradients "
                f"{ratio:.3g}x larger.", f"Summed, not averaged: gradients {ratio:.3g}x larger.")):
            self.clear_stage(title)
            self.play(FadeIn(panels.frame), FadeIn(panels.mean_lines), run_time=0.6)
        for i, m in enumerate(moves):
            with self.beat(f"moved-{m.key}", moved_caption(names[m.key], m)):
                self.play(FadeIn(panels.sum_lines[i]), run_time=0.6)
        with self.beat("grid", first_fitting(
                f"The rates tried are {readable(float(lrs[1] / lrs[0]))}x apart: a best α can "
                "only move by whole steps of the grid.", "A best α moves by whole grid steps.")):
            self.wait(0.1)
        for m, s in zip(moves, sum_sweeps, strict=True):
            if (far := beyond_grid(names[m.key], m, ratio, float(lrs[1] / lrs[0]), s)):
                with self.beat(f"far-{m.key}", far):
                    self.wait(0.1)
        with self.beat("lesson", scale_lesson(names, moves)):
            self.wait(0.1)

        self.facts.update(
            digits=data.size, train=len(data.y_train), test=len(data.y_test),
            weights=shape.size, runs=runs, rates=lrs, verdicts=verdicts,
            median_accuracy={s.optimizer: 1 - s.median for s in sweeps},
            diverged_share={s.optimizer: s.diverged_share for s in sweeps},
            reference_rate=float(lrs[reference_index(lrs, p.reference_lr)]),
            best_rate_accuracy=finals,
            gradient_per_weight={"run": plain, **dict(zip(GROUPS, grad_sizes, strict=True))},
            gradient_spread=spread(grad_sizes),
            step_over_lr={k: dict(zip(GROUPS, v, strict=True)) for k, v in at_best.items()},
            typical_weight=typical, summed_gradient_ratio=ratio,
            summed_verdicts=sum_verdicts, moved=moves,
            summed_median_accuracy={s.optimizer: 1 - s.median for s in sum_sweeps})

    # --- helpers ---------------------------------------------------------------------------------

    def why_under_alpha(self, key: str, name: str, t: Training, i: int, bars: StepBars,
                        shown: list[str], title) -> None:
        """Why an Adam steps under α here, on one weight's gradients with m̂ and ±√v̂ over
        them: the batches disagree, and √v̂ remembers larger gradients than the recent ones
        (each beat only where the run measures it); then the step chart again."""
        hyper = {**hyperparameters(t.optimizer), **t.hyperparams}
        lr = float(t.lrs[i])
        grads = gradient_history(t.optimizer, lr, int(t.seeds[0]), t.setup, **t.hyperparams)
        causes = step_causes(t.shape, grads, hyper["beta1"], hyper["beta2"])
        share = eps_share(t, i)
        said = [(f"noise-{key}", noise_caption(name, causes, share, hyper["beta1"]), "agreement"),
                (f"memory-{key}", memory_caption(name, causes, share, hyper["beta1"],
                                                 hyper["beta2"], t.setup.steps, shrinking(t, i)),
                 "memory")]
        said = [(beat, line, what) for beat, line, what in said if line is not None]
        if not said:
            return
        chart = OneWeight(grads, adam(lr, hyper["beta1"], hyper["beta2"], hyper["eps"]),
                          t.shape, f"{name}, α = {readable(lr)}", self.theme)
        for n, (beat, line, what) in enumerate(said):
            with self.beat(beat, line):
                if n == 0:
                    self.clear_stage(title)
                    self.play(FadeIn(chart.frame), FadeIn(chart.curves), run_time=0.6)
                self.play(FadeIn(chart.note(what, getattr(causes, what))), run_time=0.4)
        self.clear_stage(title)
        self.add(bars.frame, *(bars.bars[k] for k in shown))

    def digits_row(self, data) -> VGroup:
        """One test image of each digit, drawn as its grid of pixels, with its label."""
        th = self.theme
        side_n = side_of(data.inputs)
        cells = VGroup()
        labels = np.unique(data.y_test)[:10]
        size, gap = 0.95, 0.32
        for label in labels:
            image = data.x_test[np.flatnonzero(data.y_test == label)[0]].reshape(side_n, side_n)
            px = size / side_n
            grid = VGroup()  # one mobject per grey level, its pixels as subpaths
            for level in np.unique(image[image > 0]):
                rows, cols = np.nonzero(image == level)
                grid.add(boxes([(c * px, -(r + 1) * px, px, px) for r, c in
                                zip(rows, cols, strict=True)]).set_fill(th.text, float(level)))
            grid.add(boxes([(0, -size, size, size)]).set_fill(opacity=0))  # the whole square
            box = Rectangle(width=size, height=size).set_stroke(th.muted, 1).move_to(grid)
            cells.add(VGroup(grid, box, small(str(label), th, 20).next_to(box, DOWN, 0.1)))
        cells.arrange(RIGHT, buff=gap)
        fit_width(cells, FRAME_RIGHT - FRAME_LEFT - 2 * MARGIN)
        return cells.move_to([0, PICTURE_TOP - 0.15 - cells.height / 2, 0])

    def diagram(self, shape) -> VGroup:
        """The network's three columns of units, a sample of its connections, and labels."""
        th = self.theme
        top, bottom = 0.75, -2.0
        columns = [(-4.2, shape.inputs, f"{shape.inputs} pixels"),
                   (0.0, shape.hidden, f"{shape.hidden} tanh units"),
                   (4.2, shape.outputs, f"{shape.outputs} scores")]
        dots, points = VGroup(), []
        for x, n, _ in columns:
            shown = min(n, 12)
            ys = np.linspace(top, bottom, shown) if shown > 1 else np.array([(top + bottom) / 2])
            points.append([np.array([x, y, 0.0]) for y in ys])
            dots.add(*(Dot(pt, radius=0.06, color=th.text) for pt in points[-1]))
        edges = VMobject().set_stroke(th.muted, width=0.8, opacity=0.35)
        for a, b in zip(points[:-1], points[1:], strict=True):
            for pa in a:
                for pb in b:
                    if edges.has_no_points():
                        edges.set_points_as_corners([pa, pb])
                    else:
                        edges.start_new_path(pa)
                        edges.add_points_as_corners([pb])
        labels = VGroup(*(text(label, th, 22).move_to([x, bottom - 0.4, 0])
                          for x, _, label in columns))
        drawn = VGroup(*(small(f"{len(pts)} of {n} drawn", th, 17).next_to(label, RIGHT, 0.15)
                         for (_, n, _), pts, label in zip(columns, points, labels, strict=True)
                         if n > len(pts)))
        return VGroup(edges, dots, labels, drawn)

    def legend(self, p: NetworkParams, colors, names, shape) -> VGroup:
        notes = [f"{shape.inputs}–{shape.hidden}–{shape.outputs} tanh network",
                 f"{p.steps} steps, batches of {p.batch}",
                 f"band: all {p.seeds} seeds" if p.seeds <= 3 else "band: 10–90 % of the seeds"]
        return sweep_legend(p.optimizers, colors, names, notes, self.theme)


def side_of(n: int) -> int:
    return int(round(np.sqrt(n)))


def side(n: int) -> str:
    return f"{side_of(n)} × {side_of(n)}"



class AccuracyChart(RateChart):
    """Test accuracy against the learning rate (log scale): per optimizer the median over the
    seeds and a band between the lowest and highest seed."""

    value_name = "median test accuracy"

    def y(self, accuracy):
        """Scene y of accuracies; a diverged one (-inf) goes to the diverged row."""
        a = np.asarray(accuracy, dtype=float)
        inside = CHART_BOTTOM + np.clip(a, 0, 1) * (CHART_TOP - CHART_BOTTOM)
        return np.where(np.isinf(a), DIVERGED_Y, inside)

    def bands(self, sweep: Sweep):
        accuracy = [1 - sweep.quantile(q) for q in (0.5, 0.9, 0.1)]  # median, low, high
        return tuple(self.y(a) for a in accuracy)

    def ticks(self):
        return [(float(self.y(a)), f"{100 * a:.0f} %") for a in (0.0, 0.25, 0.5, 0.75, 1.0)]

    def threshold_label(self, threshold: float):
        return above_paths(small(f"works above {pct(threshold)}", self.theme, 18), self.theme)

    def marker(self, rate: float, strip: Strip) -> VGroup:
        """A vertical line at ``rate`` through the chart and the strip, labelled."""
        th = self.theme
        lx = np.clip(np.log10(rate), self.lx[0], self.lx[-1])
        x = float(self.x(lx))
        line = DashedLine([x, STRIP_BOTTOM, 0], [x, DIVERGED_Y + 0.1, 0], dash_length=0.08)
        label = above_paths(text(alpha(rate), th, 20), th)
        label.next_to([x, DIVERGED_Y, 0], LEFT if x > 0 else RIGHT, buff=0.1)
        return VGroup(line.set_stroke(th.text, width=2), label)


class TrainingCurves:
    """Median test accuracy (over the seeds) against the step, each optimizer at its best
    rate, revealed as the clock runs."""

    LEFT, RIGHT, BOTTOM, TOP = -5.6, 2.2, -2.3, 2.5

    def __init__(self, curves: dict[str, Training], colors, names, best, theme):
        th = theme
        steps = next(iter(curves.values())).setup.steps
        self.steps = steps
        box = Rectangle(width=self.RIGHT - self.LEFT, height=self.TOP - self.BOTTOM)
        box.move_to([(self.LEFT + self.RIGHT) / 2, (self.BOTTOM + self.TOP) / 2, 0])
        frame = VGroup(box.set_stroke(th.axis, width=1.5))
        for a in (0.0, 0.25, 0.5, 0.75, 1.0):
            y = self.y(a)
            frame.add(small(f"{100 * a:.0f} %", th, 17).next_to([self.LEFT, y, 0], LEFT, 0.1))
            frame.add(Line([self.LEFT, y, 0], [self.LEFT + 0.1, y, 0]).set_stroke(th.axis, 1.5))
        for s in (0, steps):
            frame.add(small(f"{s}", th, 17).next_to([self.x(s), self.BOTTOM, 0], DOWN, 0.1))
        frame.add(small("step", th, 19).next_to([self.x(steps / 2), self.BOTTOM, 0], DOWN, 0.1))
        frame.add(small("median test accuracy", th, 19).rotate(np.pi / 2).move_to(
            [self.LEFT - 1.0, (self.BOTTOM + self.TOP) / 2, 0]))
        self.frame = frame
        self.paths, self.lines, rows = [], VGroup(), []
        for key, t in curves.items():
            acc = np.where(t.diverged[0][None, :] & (t.eval_steps[:, None] >= t.diverged_at[0]),
                           np.nan, t.test_accuracy[:, 0])
            median = np.array([np.median(r[np.isfinite(r)]) if np.any(np.isfinite(r))
                               else np.nan for r in acc])
            ok = np.isfinite(median)
            pts = np.column_stack([self.x(t.eval_steps[ok]), self.y(median[ok]),
                                   np.zeros(ok.sum())])
            line = VMobject().set_stroke(colors[key], width=3.5)
            self.paths.append((t.eval_steps[ok], pts, line))
            self.lines.add(line)
            end = f"{pct(median[ok][-1])}" if ok.any() else "diverged"
            head = VGroup(swatch(colors[key]), text(names[key], th, 24, color=colors[key],
                                                    weight="BOLD")).arrange(RIGHT, buff=0.15)
            rows.append(stack(head, small(f"{alpha(best[key])} · ends at {end}", th, 18)
                              .shift(0.3 * RIGHT), buff=0.06))
        legend = stack(*rows, buff=0.22)
        fit_width(legend, FRAME_RIGHT - MARGIN - (self.RIGHT + 0.45))
        self.legend = legend.move_to([self.RIGHT + 0.45, PICTURE_TOP - 0.2, 0],
                                     aligned_edge=UP + LEFT)

    def x(self, step):
        return self.LEFT + np.asarray(step, dtype=float) / self.steps * (self.RIGHT - self.LEFT)

    def y(self, accuracy):
        return self.BOTTOM + np.clip(accuracy, 0, 1) * (self.TOP - self.BOTTOM)

    def reveal(self) -> UpdateFromAlphaFunc:
        def update(group, a):
            s = a * self.steps
            for steps, pts, line in self.paths:
                k = int(np.searchsorted(steps, s, side="right"))
                if k >= 2:
                    line.set_points_as_corners(pts[:k])
                else:
                    line.clear_points()

        update(self.lines, 0.0)
        return UpdateFromAlphaFunc(self.lines, update)


class StepBars:
    """Per group of weights (layer 1's and layer 2's weights and biases), one bar per optimizer:
    its typical step per weight at its best rate, divided by that rate (log scale), with a
    dashed line where the step is exactly α."""

    LEFT, RIGHT, BOTTOM, TOP = -5.2, 3.3, -2.0, 2.4

    def __init__(self, sizes: dict[str, np.ndarray], colors, names, theme):
        th = self.theme = theme
        values = np.concatenate([v[np.isfinite(v) & (v > 0)] for v in sizes.values()]
                                + [np.array([1.0])])
        self.lo = float(np.floor(np.log10(values.min())))
        self.hi = max(float(np.ceil(np.log10(values.max()))), self.lo + 1)
        box = Rectangle(width=self.RIGHT - self.LEFT, height=self.TOP - self.BOTTOM)
        box.move_to([(self.LEFT + self.RIGHT) / 2, (self.BOTTOM + self.TOP) / 2, 0])
        frame = VGroup(box.set_stroke(th.axis, width=1.5))
        every = max(1, int(np.ceil((self.hi - self.lo) / 5)))
        for k in range(int(self.lo), int(self.hi) + 1, every):
            y = self.y(10.0 ** k)
            frame.add(Line([self.LEFT, y, 0], [self.LEFT + 0.1, y, 0]).set_stroke(th.axis, 1.5))
            tick = "α" if k == 0 else f"{decade(k)} α"
            frame.add(small(tick, th, 17).next_to([self.LEFT, y, 0], LEFT, 0.1))
        y1 = self.y(1.0)
        frame.add(DashedLine([self.LEFT, y1, 0], [self.RIGHT, y1, 0], dash_length=0.1)
                  .set_stroke(th.text, width=2))
        frame.add(above_paths(small("a step of α", th, 18), th).next_to(
            [self.RIGHT - 0.1, y1, 0], DOWN + LEFT, buff=0.08))
        frame.add(small("step per weight, each at its best α", th, 19).rotate(np.pi / 2).move_to(
            [self.LEFT - 1.25, (self.BOTTOM + self.TOP) / 2, 0]))
        n = len(sizes)
        group_w = (self.RIGHT - self.LEFT) / len(GROUPS)
        bar_w = 0.75 * group_w / n
        for j, g in enumerate(GROUPS):
            center = self.LEFT + (j + 0.5) * group_w
            frame.add(small(GROUP_NAMES[g], th, 18).next_to([center, self.BOTTOM, 0], DOWN, 0.12))
        self.frame, self.bars, self.notes = frame, {}, []
        for i, (key, v) in enumerate(sizes.items()):
            rects = []
            for j in range(len(GROUPS)):
                if not (np.isfinite(v[j]) and v[j] > 0):
                    continue
                x = self.LEFT + j * group_w + 0.125 * group_w + i * bar_w
                top = self.y(v[j])
                rects.append((x, self.BOTTOM, bar_w * 0.9, top - self.BOTTOM))
            self.bars[key] = boxes(rects).set_fill(colors[key], 0.95)
        legend = VGroup(*(VGroup(swatch(colors[k]), text(names[k], th, 20, color=colors[k]))
                          .arrange(RIGHT, buff=0.1) for k in sizes)).arrange(DOWN,
                                                                           aligned_edge=LEFT,
                                                                           buff=0.15)
        legend.move_to([self.RIGHT + 0.35, self.TOP, 0], aligned_edge=UP + LEFT)
        fit_width(legend, FRAME_RIGHT - MARGIN - self.RIGHT - 0.35)
        self.frame.add(legend)

    def y(self, v: float) -> float:
        t = (np.log10(max(v, 10.0 ** self.lo)) - self.lo) / (self.hi - self.lo)
        return float(self.BOTTOM + np.clip(t, 0, 1) * (self.TOP - self.BOTTOM))

    def indicate(self, key: str) -> UpdateFromAlphaFunc:
        bars = self.bars[key]

        def update(mob, a):
            mob.set_fill(opacity=0.95 - 0.5 * np.sin(np.pi * a))

        return UpdateFromAlphaFunc(bars, update)

    def reference(self, rate: float, typical: float) -> VGroup:
        """A note under the legend: the typical weight against the marked rate."""
        th = self.theme
        note = stack(small(f"typical weight: {readable(typical, 2)}", th, 18),
                     small(f"{alpha(rate)}: {readable(100 * rate / typical, 2)} % of it", th, 18),
                     buff=0.08)
        return self.note_below(note)

    def at_rate(self, name: str, rate: float, step: float, share: float) -> VGroup:
        """A note under the last: one optimizer's typical step at ``rate``, the number the
        caption states (its bar is at its best rate, not at this one)."""
        th = self.theme
        return self.note_below(stack(small(f"{name} at {alpha(rate)}:", th, 18),
                                     small(f"{coefficient(step)} a step, {readable(share, 2)} %",
                                           th, 18), buff=0.08))

    def note_below(self, note: VGroup) -> VGroup:
        fit_width(note, FRAME_RIGHT - MARGIN - self.RIGHT - 0.35)
        above = self.notes[-1] if self.notes else self.frame[-1]  # the legend
        self.notes.append(note.next_to(above, DOWN, buff=0.35, aligned_edge=LEFT))
        return note


class OneWeight:
    """One weight's gradient at every step of a run (dots), Adam's m̂ (a line) and ±√v̂
    (dashed) over them, and beside the chart the measured shares the captions state. The
    weight is the one whose median |m̂|/√v̂ is the median of all weights with a gradient."""

    LEFT, RIGHT, BOTTOM, TOP = -5.2, 1.9, -2.0, 2.2

    def __init__(self, grads: np.ndarray, optimizer, shape, run: str, theme):
        th = self.theme = theme
        self.window = memory(optimizer.hyperparams["beta1"])  # the steps m̂ averages
        grads = grads[np.all(np.isfinite(grads), axis=1)]
        acc = accumulate(optimizer, grads)
        m_hat, root_v = acc["m_hat"][1:], np.sqrt(acc["v_hat"][1:])
        live = np.all(root_v > 0, axis=0)
        ratio = np.median(np.abs(m_hat[:, live]) / root_v[:, live], axis=0)
        j = int(np.flatnonzero(live)[np.argmin(np.abs(ratio - np.median(ratio)))])
        g, m, r = grads[:, j], m_hat[:, j], root_v[:, j]
        self.steps = len(g)
        self.top = 1.1 * max(float(np.quantile(np.abs(g), 0.98)), float(r.max()))
        group = next(GROUP_NAMES[n] for n, (lo, hi) in zip(GROUPS, shape.group_bounds,
                                                           strict=True) if lo <= j < hi)
        box = Rectangle(width=self.RIGHT - self.LEFT, height=self.TOP - self.BOTTOM)
        box.move_to([(self.LEFT + self.RIGHT) / 2, (self.BOTTOM + self.TOP) / 2, 0])
        zero = Line([self.LEFT, self.y(0), 0], [self.RIGHT, self.y(0), 0])
        frame = VGroup(box.set_stroke(th.axis, width=1.5), zero.set_stroke(th.muted, 1),
                       small("0", th, 16).next_to([self.LEFT, self.y(0), 0], LEFT, 0.08))
        frame.add(small(f"one weight of {group} ({run})", th, 18).next_to(
            [self.LEFT, self.TOP, 0], UP + RIGHT, buff=0.08))
        for k in (0, self.steps):
            frame.add(small(f"{k:,}", th, 16).next_to([self.x(k), self.BOTTOM, 0], DOWN, 0.08))
        frame.add(small("step", th, 17).next_to([self.x(self.steps / 2), self.BOTTOM, 0], DOWN,
                                                0.08))
        xs = self.x(np.arange(1, self.steps + 1))
        inside = np.abs(g) <= self.top
        dots = dot_cloud(np.column_stack([xs[inside], self.y(g[inside]),
                                          np.zeros(int(inside.sum()))]), 0.022, th.symbol("g"))
        m_line = VMobject().set_points_as_corners(np.column_stack(
            [xs, self.y(m), np.zeros(self.steps)])).set_stroke(th.symbol("m_hat"), 3.5)
        bands = VGroup(*(DashedVMobject(VMobject().set_points_as_corners(np.column_stack(
            [xs, self.y(sign * r), np.zeros(self.steps)])), num_dashes=60)
            .set_stroke(th.symbol("v_hat"), 2.5) for sign in (1, -1)))
        self.curves = VGroup(dots, bands, m_line)
        legend = VGroup(*(VGroup(swatch(color), text(words, th, 19, color=color))
                          .arrange(RIGHT, buff=0.1)
                          for words, color in (("g: each batch's gradient", th.symbol("g")),
                                               ("m̂: their average", th.symbol("m_hat")),
                                               ("±√v̂: their RMS", th.symbol("v_hat")))))
        legend.arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        legend.move_to([self.RIGHT + 0.35, self.TOP, 0], aligned_edge=UP + LEFT)
        fit_width(legend, FRAME_RIGHT - MARGIN - self.RIGHT - 0.35)
        self.frame, self.legend = frame.add(legend), legend
        self.notes = VGroup()

    def x(self, step) -> np.ndarray:
        return self.LEFT + (np.asarray(step, dtype=float) / self.steps) * (self.RIGHT - self.LEFT)

    def y(self, value) -> np.ndarray:
        t = np.asarray(value, dtype=float) / self.top
        return (self.BOTTOM + self.TOP) / 2 + t * (self.TOP - self.BOTTOM) / 2

    def note(self, what: str, values: np.ndarray) -> VMobject:
        """The measured share a caption states, per layer, under the legend."""
        recent = f"|g| of the last ~{self.window:,.0f} steps"
        words = {"agreement": f"|m̂| ÷ {recent}", "memory": f"{recent} ÷ √v̂"}[what]
        note = stack(small(words, self.theme, 18),
                     small(f"{spread_of(values)} (per layer)", self.theme, 18), buff=0.08)
        fit_width(note, FRAME_RIGHT - MARGIN - self.RIGHT - 0.35)
        note.next_to(self.notes[-1] if len(self.notes) else self.legend, DOWN, buff=0.35,
                     aligned_edge=LEFT)
        self.notes.add(note)
        return note


class ScalePanels:
    """One small chart per optimizer: test accuracy against α with the loss averaged (solid)
    and summed over the batch (dashed), each with a dot at its best rate."""

    def __init__(self, means, sums, mean_v, sum_v, colors, names, threshold, theme):
        th = theme
        title_line = line_height(th, 22, weight="BOLD")
        n = len(means)
        cols = n if n <= 4 else 3
        rows = -(-n // cols)
        width = FRAME_RIGHT - FRAME_LEFT - 2 * MARGIN
        gap_x, gap_y = 0.95, 0.75
        w = (width - gap_x * (cols - 1) - 0.55) / cols
        h = min(4.1, (PICTURE_TOP - 0.4 - PICTURE_BOTTOM - 0.9 - gap_y * (rows - 1)) / rows)
        lx = np.log10(means[0].lrs)
        self.frame, self.mean_lines, self.sum_lines = VGroup(), VGroup(), []
        for i, (m, s, vm, vs) in enumerate(zip(means, sums, mean_v, sum_v, strict=True)):
            r, c = divmod(i, cols)
            left = FRAME_LEFT + MARGIN + 0.55 + c * (w + gap_x)
            top = PICTURE_TOP - 0.45 - r * (h + gap_y)
            bottom = top - h

            def x(v, left=left):
                return left + (np.asarray(v) - lx[0]) / (lx[-1] - lx[0]) * w

            def y(a, bottom=bottom):
                return bottom + np.clip(np.nan_to_num(a, nan=0, neginf=0), 0, 1) * h

            box = Rectangle(width=w, height=h).move_to([left + w / 2, bottom + h / 2, 0])
            panel = VGroup(box.set_stroke(th.axis, width=1.2))
            # Titles by their tops, one line high whatever their letters ("RMSProp"'s p).
            panel.add(text(names[m.optimizer], th, 22, color=colors[m.optimizer], weight="BOLD")
                      .move_to([left, top + 0.08 + title_line, 0], aligned_edge=UL))
            for a, edge in ((0.0, DOWN), (1.0, UP)):  # 0 % above the corner: the α labels' row
                panel.add(small(f"{100 * a:.0f} %", th, 15).next_to([left, y(a), 0], LEFT, 0.06)
                          .align_to([0, y(a), 0], edge))
            ty = y(threshold)
            panel.add(DashedLine([left, ty, 0], [left + w, ty, 0], dash_length=0.06)
                      .set_stroke(th.muted, width=1))
            first, last = int(np.ceil(lx[0] - 1e-9)), int(np.floor(lx[-1] + 1e-9))
            step = max(1, int(np.ceil((last - first) / 3)))
            for k in range(first, last + 1, step):
                panel.add(small(decade(k), th, 15).next_to([float(x(k)), bottom, 0], DOWN,
                                                                 0.06))
            self.frame.add(panel)
            for sweep, v, dashed in ((m, vm, False), (s, vs, True)):
                acc = 1 - sweep.median
                pts = np.column_stack([x(lx), y(acc), np.zeros(len(lx))])
                line = VMobject().set_points_as_corners(pts)
                line.set_stroke(colors[m.optimizer], width=3)
                if dashed:
                    line = dash(line, colors[m.optimizer])
                bi = int(np.flatnonzero(sweep.lrs == v.best_lr)[0])
                dot = Dot([float(x(lx[bi])), float(y(acc[bi])), 0], radius=0.08,
                          color=colors[m.optimizer])
                if dashed:
                    dot.set_fill(th.background).set_stroke(colors[m.optimizer], width=3)
                group = VGroup(line, dot)
                if dashed:
                    self.sum_lines.append(group)
                else:
                    self.mean_lines.add(group)
        key = VGroup(
            small("test accuracy by α:", th, 18),
            VGroup(Line(ORIGIN_LEFT, ORIGIN_LEFT + 0.5 * RIGHT).set_stroke(th.text, 3),
                   small("loss averaged over the batch", th, 18)).arrange(RIGHT, buff=0.12),
            VGroup(dash(VMobject().set_points_as_corners([ORIGIN_LEFT, ORIGIN_LEFT + 0.5 * RIGHT]),
                        th.text), small("summed", th, 18)).arrange(RIGHT, buff=0.12),
            VGroup(Dot(radius=0.07, color=th.text), small("best α", th, 18)).arrange(RIGHT,
                                                                                  buff=0.12),
            VGroup(Dot(radius=0.07).set_fill(th.background, 1).set_stroke(th.text, width=3),
                   small("best α, summed", th, 18)).arrange(RIGHT, buff=0.12),
        ).arrange(RIGHT, buff=0.4)
        fit_width(key, FRAME_RIGHT - FRAME_LEFT - 2 * MARGIN)
        key.next_to(self.frame, DOWN, buff=0.45)
        self.frame.add(key)


ORIGIN_LEFT = np.zeros(3)


def dash(line: VMobject, color: str) -> VMobject:
    """A dashed copy of a polyline (as one mobject)."""
    pts = np.asarray(line.get_anchors(), dtype=float)
    out = VMobject().set_stroke(color, width=3)
    seg = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(pts, axis=0), axis=1))])
    if seg[-1] <= 0:
        return out
    period, on = 0.16, 0.09
    starts = np.arange(0.0, seg[-1], period)
    for a in starts:
        b = min(a + on, seg[-1])
        piece = [np.array([np.interp(t, seg, pts[:, k]) for k in range(3)])
                 for t in np.concatenate([[a], seg[(seg > a) & (seg < b)], [b]])]
        if out.has_no_points():
            out.set_points_as_corners(piece)
        else:
            out.start_new_path(piece[0])
            out.add_points_as_corners(piece[1:])
    return out


__all__ = ["NetworkTraining"]
