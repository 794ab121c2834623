"""The opening and the recap, and the notation they share: what they state is what the core and
the explainer's own order say; numbers are written as a viewer reads them."""

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optim_core import adam, run
from optim_core.optimizers import hyperparameters
from optim_core.surfaces import get
from scenes import SCENES
from scenes.catalog import OpeningParams, RecapParams
from scenes.framework.captions import cue_lines
from scenes.framework.notation import IDEAS
from scenes.framework.numbers import readable
from scenes.framework.params import ParamError, build
from scenes.opening import AdamOpening
from scenes.recap import WITHIN, AdamRecap, knob_captions, rule_captions, step_sizes

SUPERSCRIPT = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def parsed(shown: str) -> float:
    """The number ``readable`` wrote, read back: ``1.78 × 10⁻⁵``, ``10⁷``, ``1,800``."""
    found = re.fullmatch(r"(-?)(?:([\d.]+) × )?10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)", shown)
    if found:
        sign = -1 if found[1] else 1
        return sign * float(found[2] or 1) * 10 ** int(found[3].translate(SUPERSCRIPT))
    return float(shown.replace(",", ""))


@given(st.floats(1e-300, 1e300) | st.floats(-1e300, -1e-300))
def test_readable_says_the_number_to_three_figures_without_e_notation(v):
    shown = readable(v)
    assert "e" not in shown and "E" not in shown, shown
    assert parsed(shown) == pytest.approx(v, rel=5.01e-3), shown


@pytest.mark.parametrize(("v", "shown"), [(1e-3, "10⁻³"), (1e-8, "10⁻⁸"), (1.78e-5, "1.78 × 10⁻⁵"),
                                      (1800, "1,800"), (0.0562, "0.0562"), (1e7, "10⁷"),
                                      (9.9996e-7, "10⁻⁶"), (-2.5e-4, "-2.5 × 10⁻⁴"), (0.9, "0.9"),
                                      (1.0, "1")])
def test_readable_examples(v, shown):
    assert readable(v) == shown


def test_the_opening_names_the_ideas_and_maps_the_explainer(construct):
    scene = construct(AdamOpening, OpeningParams())
    chapters = [cls.title for cls in SCENES if cls.key not in ("opening", "recap")]
    assert SCENES[0] is AdamOpening and SCENES[-1] is AdamRecap
    assert scene.facts["chapters"] == chapters
    captions = {b.name: b.caption for b in scene.beats}
    assert f"{len(chapters)} parts" in captions["map"]
    assert f"then {len(IDEAS)} lines run once per step" in captions["algorithm"]
    for i, name in enumerate(("gradient", "momentum", "rmsprop", "bias", "step"), start=1):
        assert captions[name].startswith(f"Line {i} ")


@pytest.mark.parametrize("bad", ["", "   ", "tab\there", "x" * 81])
def test_the_opening_refuses_a_title_that_cannot_be_shown(bad):
    with pytest.raises(ParamError):
        build(OpeningParams, {"title": bad}, "opening")


@settings(max_examples=25, deadline=None)
@given(lr=st.floats(1e-3, 1.0), steps=st.integers(5, 400),
       x=st.floats(-1.8, 1.8), y=st.floats(-0.8, 2.8),
       surface=st.sampled_from(["rosenbrock", "saddle", "ravine"]))
def test_the_rule_caption_says_what_the_run_did(lr, steps, x, y, surface):
    """Recomputed from the run's positions: the largest step per weight in units of α, the share
    at most about α, and the two weights' gradient and step spreads."""
    traj = run(adam(lr), get(surface), (x, y), steps)
    sizes = step_sizes(traj, lr)
    first, second = rule_captions(sizes)
    cue_lines(first), cue_lines(second)  # each fits one cue
    moved = np.abs(np.diff(traj.position[: traj.valid_steps], axis=0)) / lr
    largest = float(moved.max())
    if "here never more" in first:
        assert largest <= 1
    elif "(here " in first:
        assert 1 < largest <= WITHIN and f"{largest:.2f}α" in first
    else:
        assert largest > WITHIN
        assert f"{100 * np.mean(moved <= WITHIN):.0f} %" in first
    grads = np.median(np.abs(traj.grad[: traj.valid_steps - 1]), axis=0)
    steps_med = np.median(moved, axis=0)
    with np.errstate(over="ignore"):
        beyond = [not np.isfinite(v.max() / v.min()) if v.min() > 0 else False
                  for v in (grads, steps_med)]
    if grads.min() == 0 or steps_med.min() == 0:
        assert "exactly zero" in second
    elif beyond[0]:
        assert "too large for a float" in second
    elif beyond[1]:
        assert "barely moved" in second
    elif "differed" in second:
        assert grads.max() / grads.min() >= 2 * steps_med.max() / steps_med.min()
    else:
        assert grads.max() / grads.min() < 2 * steps_med.max() / steps_med.min()


def test_adam_steps_at_most_about_alpha_with_the_paper_defaults():
    """The recap's one rule on its default run: no step per weight longer than α."""
    p = RecapParams()
    traj = run(adam(p.lr), p.resolved(), p.start_point(), p.steps)
    assert step_sizes(traj, p.lr).largest <= 1 + 1e-12
    assert rule_captions(step_sizes(traj, p.lr))[0].endswith("here never more.")


@given(b1=st.floats(0.5, 0.999), b2=st.floats(0.9, 0.99999), eps=st.floats(1e-12, 1e-2))
def test_the_knob_captions_follow_the_defaults(b1, b2, eps):
    knobs, memories, guard = knob_captions({"lr": 1e-3, "beta1": b1, "beta2": b2, "eps": eps})
    for caption in (knobs, memories, guard):
        cue_lines(caption)
    assert f"ε = {readable(eps)}" in knobs and "α = 10⁻³" in knobs
    assert f"about {readable(1 / (1 - b1))} steps" in memories
    assert memories.endswith(f"about {readable(1 / (1 - b2))}.")
    # ε shortens a step m̂/(√v̂ + ε) against m̂/√v̂ by ε/(√v̂ + ε): 1 % exactly at the threshold.
    threshold = parsed(guard.split("below ")[1].rstrip("."))
    assert eps / (threshold + eps) == pytest.approx(0.01, rel=1e-2)


def test_the_recap_uses_the_cores_adam_defaults(construct):
    scene = construct(AdamRecap, RecapParams())
    assert scene.facts["defaults"] == hyperparameters("adam")
    assert scene.facts["memory_v"] == pytest.approx(1 / (1 - hyperparameters("adam")["beta2"]))
    assert math.isclose(scene.facts["largest_step_in_alpha"], 1, rel_tol=1e-6)
    assert [b.name for b in scene.beats] == ["lines", "rule", "why-rule", "bound", "knobs",
                                             "memory", "eps", "end"]


@pytest.mark.parametrize(("gradient", "ratio", "said"), [
    ([1.0, 0.0], [1.0, 0.0], "exactly zero"),
    ([1.0, 1e-309], [1.0, 0.5], "too large for a float"),  # not zero: its spread overflows
    ([1.0, 0.5], [1.0, 1e-309], "barely moved"),
])
def test_a_spread_beyond_a_float_is_not_called_zero(gradient, ratio, said):
    from scenes.recap import StepSizes

    sizes = StepSizes(ratio=np.array([ratio] * 3), gradient=np.array([gradient] * 3))
    with np.errstate(all="raise"):  # no overflow warning either
        assert said in rule_captions(sizes)[1]
