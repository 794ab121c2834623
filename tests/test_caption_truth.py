"""Randomized: every outcome sentence is true of the trajectories it was written from.

Hypothesis draws parameters across the declared ranges (learning rates over decades, betas,
starts anywhere in the domain, every named surface, 1 to 4 racers). The captions are built by the
scenes' own caption functions, without rendering; each sentence is then parsed and checked
against a predicate computed here, from the raw trajectory arrays, independently of the code that
wrote it. A sentence no predicate recognises fails the test too.

CI draws a few dozen cases per scene; ``make bench`` runs the same tests with
``CAPTION_DRAWS=300`` and prints how many draws and claims were checked.
"""

from __future__ import annotations

import os
import re
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from optim_core import accumulate, adam, run, sgd, surfaces
from optim_core.analysis import Walk, escape_outcomes, focus_point, outcomes
from optim_core.surfaces import mountain
from scenes.framework.contenders import Racer
from scenes.framework.numbers import readable
from scenes.framework.palette import THEMES
from scenes.framework.racers import run_racers
from scenes.mountain import FLOOR_TOLERANCE, limit_captions, lr_caption
from scenes.race import outcome_captions
from scenes.saddle import escape_captions

DRAWS = int(os.environ.get("CAPTION_DRAWS", "25"))
CHECKED: Counter = Counter()
SETTINGS = settings(max_examples=DRAWS, deadline=None, derandomize=DRAWS <= 25,
                    suppress_health_check=[HealthCheck.too_slow])
NAMES = ("Ann", "Bob", "Cy", "Dee")
OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam")


@st.composite
def races(draw, surface_names=tuple(surfaces.SURFACES)):
    surface = surfaces.get(draw(st.sampled_from(surface_names)))
    x0, x1, y0, y1 = surface.domain
    start = (draw(st.floats(x0, x1)), draw(st.floats(y0, y1)))
    racers = {}
    for name in NAMES[: draw(st.integers(1, 4))]:
        optimizer = draw(st.sampled_from(OPTIMIZERS))
        beta1 = (draw(st.sampled_from([None, 0.0, 0.5, 0.9, 0.99]))
                 if optimizer in ("momentum", "adam") else None)
        racers[name] = Racer(optimizer, lr=10 ** draw(st.floats(-4, 0.3)), beta1=beta1,
                             label=name)
    steps = draw(st.integers(1, 300))
    tolerance = draw(st.sampled_from([0.01, 0.05, 0.2, 1.0]))
    runs = run_racers(racers, surface, start, steps, THEMES["dark"])
    return surface, runs, steps, tolerance


def fmt(v: float) -> str:
    return f"{v:.3g}"


def finite_rows(traj) -> np.ndarray:
    return np.all(np.isfinite(traj.position), axis=-1)


def last_row(traj) -> int:
    """The last step with a finite position (the run's own record, read directly)."""
    return int(np.flatnonzero(finite_rows(traj))[-1])


def dist(traj, point) -> np.ndarray:
    pos = traj.position[: last_row(traj) + 1]
    return np.hypot(pos[:, 0] - point[0], pos[:, 1] - point[1])


def first_outside(traj, domain) -> int | None:
    x0, x1, y0, y1 = domain
    pos = traj.position
    out = ~finite_rows(traj) | (pos[:, 0] < x0) | (pos[:, 0] > x1) | (pos[:, 1] < y0) | \
        (pos[:, 1] > y1)
    hits = np.flatnonzero(out)
    return int(hits[0]) if hits.size else None


def minimum_named(surface, text: str):
    """The minimum whose printed coordinates are ``text`` ("1, 1")."""
    found = [c.point for c in surface.minima
             if ", ".join(fmt(v) for v in c.point) == text]
    assert found, f"no minimum of the surface prints as ({text})"
    return np.array(found[0])


def first_within_any(traj, surface, tol) -> int | None:
    steps = [np.flatnonzero(dist(traj, c.point) <= tol) for c in surface.minima]
    steps = [int(s[0]) for s in steps if s.size]
    return min(steps) if steps else None


# --- the race ---------------------------------------------------------------------------------

def check_race_sentence(sentence: str, surface, runs, steps: int, tol: float) -> str:
    """Assert the sentence; return which kind of claim it was."""
    by = {r.name: r.traj for r in runs}
    finished = {n: t for n, t in by.items() if np.all(finite_rows(t))}
    left_re = r"(?: \(it left the plot at step (?P<left>\d+)\))?"
    if m := re.fullmatch(r"(\w+) diverged at step (\d+)\.", sentence):
        traj, k = by[m[1]], int(m[2])
        assert np.all(finite_rows(traj)[:k]) and not finite_rows(traj)[k]
        return "diverged"
    if m := re.fullmatch(rf"(?P<n>\w+) reached \((?P<p>[^)]*)\) \(within (?P<t>[^)]*)\) at step "
                         rf"(?P<k>\d+){left_re}\.", sentence):
        traj, k = by[m["n"]], int(m["k"])
        d = dist(traj, minimum_named(surface, m["p"]))
        assert d[k] <= tol and first_within_any(traj, surface, tol) == k
        check_left(traj, surface, m["left"])
        return "reached"
    if m := re.fullmatch(rf"(?P<n>\w+) ends (?P<d>\S+) from \((?P<p>[^)]*)\) after (?P<s>\d+) "
                         rf"steps?{left_re}\.", sentence):
        traj = by[m["n"]]
        point = minimum_named(surface, m["p"])
        end = traj.position[-1]
        nearest = min(surface.minima, key=lambda c: np.hypot(*(end - np.array(c.point))))
        assert np.allclose(nearest.point, point) and int(m["s"]) == steps
        assert fmt(np.hypot(*(end - point))) == m["d"]
        assert first_within_any(traj, surface, tol) is None  # else it would say "reached"
        check_left(traj, surface, m["left"])
        return "distance"
    if m := re.fullmatch(r"(\w+) ends with a loss (of 0|below 10⁻¹²); (\w+) with (\S+)\.",
                         sentence):
        losses = sorted((t.loss[-1], n) for n, t in finished.items())
        (lo, best), (hi, runner) = losses[:2]
        assert (best, runner) == (m[1], m[3]) and 0 <= lo < 1e-12 < hi and fmt(hi) == m[4]
        assert (lo == 0) == (m[2] == "of 0")
        return "tiny loss"
    if m := re.fullmatch(r"(\w+) ends (\S+)x lower in loss than (\w+)\.", sentence):
        losses = sorted((t.loss[-1], n) for n, t in finished.items())
        (lo, best), (hi, runner) = losses[:2]
        assert (best, runner) == (m[1], m[3]) and lo > 0 and hi / lo >= 1.05
        assert fmt(hi / lo) == m[2]
        return "loss ratio"
    if m := re.fullmatch(r"(\w+) ends (\S+) lower in loss than (\w+)\.", sentence):
        losses = sorted((t.loss[-1], n) for n, t in finished.items())
        (lo, best), (hi, runner) = losses[:2]
        assert (best, runner) == (m[1], m[3]) and lo <= 0 < hi - lo and fmt(hi - lo) == m[2]
        return "loss gap"
    if m := re.fullmatch(r"(\w+) and (\w+) end level in loss\.", sentence):
        lo, hi = by[m[1]].loss[-1], by[m[2]].loss[-1]
        assert lo <= hi and (hi <= 1.05 * lo if lo > 0 else hi - lo <= 1e-9 * max(1, abs(lo)))
        return "level"
    if m := re.fullmatch(r"(\w+) arrived first, (\d+) steps? before (\w+)\.", sentence):
        a, b = (first_within_any(by[n], surface, tol) for n in (m[1], m[3]))
        others = [first_within_any(t, surface, tol) for t in finished.values()]
        assert None not in others and a == min(others) and b - a == int(m[2]) > 0
        return "arrival"
    if m := re.fullmatch(r"(\w+) and (\w+) arrived at the same step\.", sentence):
        a, b = (first_within_any(by[n], surface, tol) for n in (m[1], m[2]))
        assert a is not None and a == b
        return "arrival"
    if m := re.fullmatch(r"No racer came within (\S+) of (?:a|the) minimum in (\d+) steps?\.",
                         sentence):
        assert len(runs) > 1 and all(first_within_any(t, surface, tol) is None
                                     for t in by.values())
        return "none reached"
    if m := re.fullmatch(r"(\w+) did not come within (\S+) of (?:a|the) minimum in (\d+) steps?\.",
                         sentence):
        assert all(first_within_any(t, surface, tol) is None for t in by.values())
        return "none reached"
    raise AssertionError(f"no predicate recognises {sentence!r}")


def check_left(traj, surface, left: str | None) -> None:
    assert first_outside(traj, surface.domain) == (int(left) if left else None)


@SETTINGS
@given(races(tuple(n for n in surfaces.SURFACES if surfaces.get(n).minima)))
def test_every_race_caption_is_true(race):
    surface, runs, steps, tol = race
    one = len(surface.minima) == 1
    lines = outcome_captions(outcomes(runs, surface, tol), steps, tol, one)
    assert len(lines) >= len(runs)  # one sentence per racer at least
    assert not any(("a minimum" if one else "the minimum") in line for line in lines)
    for line in lines:
        CHECKED["race: " + check_race_sentence(line, surface, runs, steps, tol)] += 1
    CHECKED["race draws"] += 1


# --- the saddle -------------------------------------------------------------------------------

@SETTINGS
@given(races(), st.sampled_from([0.1, 0.5, 1.0, 2.0]))
def test_every_saddle_caption_is_true(race, radius):
    surface, runs, steps, _ = race
    focus = focus_point(surface)
    lines = escape_captions(escape_outcomes(runs, surface, radius), steps, radius, focus,
                            surface.domain, any(r.traj.diverged for r in runs))
    by = {r.name: r.traj for r in runs}
    out = {n: first_outside(t, surface.domain) for n, t in by.items()}
    x0, x1, y0, y1 = surface.domain
    beyond = {n: f"|{n}| > {readable(hi)}" if lo == -hi else
              f"{n} < {readable(lo)} or {n} > {readable(hi)}" for n, lo, hi in (("x", x0, x1),
                                                                                ("y", y0, y1))}
    diverged = any(r.traj.diverged for r in runs)
    edge = (f"A × marks where a path leaves the plot{' or diverges' if diverged else ''}: "
            f"{beyond['x']} or {beyond['y']}.")
    assert (lines[0] == edge) == any(v is not None for v in out.values())
    for line in lines[1:] if lines[0] == edge else lines:
        if m := re.fullmatch(r"(\w+): (?:(\d+) steps? within (\S+) of the (\w+); )?"
                             r"(?:left the plot at step (\d+)|still on the plot after (\d+) "
                             r"steps)\.", line):
            traj = by[m[1]]
            if m[2] is not None:
                assert m[4] == focus.kind and int(m[2]) == int(np.sum(dist(traj, focus.point)
                                                                      <= radius))
            assert out[m[1]] == (int(m[5]) if m[5] else None)
            kind = "per racer"
        elif m := re.fullmatch(r"(\w+) left the plot first, (\d+) steps before (\w+)\.", line):
            assert None not in out.values() and out[m[3]] - out[m[1]] == int(m[2]) > 0
            assert out[m[1]] == min(out.values())
            kind = "order"
        elif m := re.fullmatch(r"Both left the plot at step (\d+)\.", line):
            assert len(out) == 2 and set(out.values()) == {int(m[1])}
            kind = "order"
        elif m := re.fullmatch(r"(?:Neither|No racer) left the plot in (\d+) steps\.", line):
            assert len(out) > 1 and all(v is None for v in out.values())
            kind = "none escaped"
        elif m := re.fullmatch(r"(\w+) did not leave the plot in (\d+) steps\.", line):
            assert len(out) == 1 and out[m[1]] is None
            kind = "none escaped"
        elif m := re.fullmatch(r"Only (\w+) left the plot in (\d+) steps\.", line):
            assert [n for n, v in out.items() if v is not None] == [m[1]]
            kind = "order"
        elif m := re.fullmatch(r"First out: (.*)\.", line):
            named = re.findall(r"(\w+) \(step (\d+)\)", m[1]) or \
                [(m[1].split(",")[0], None)]
            order = sorted((v, n) for n, v in out.items() if v is not None)
            assert [n for n, _ in named] == [n for _, n in order][: len(named)]
            kind = "order"
        else:
            raise AssertionError(f"no predicate recognises {line!r}")
        CHECKED["saddle: " + kind] += 1
    CHECKED["saddle draws"] += 1


# --- the mountain -----------------------------------------------------------------------------

def floor_gap(land, traj) -> float:
    """How far the walk's last finite θ is from the valley floor nearest it."""
    floors = np.array([c.x for c in land.minima])
    end = traj.position[last_row(traj), 0]
    return float(np.min(np.abs(floors - end)))


def check_lr_caption(caption: str, land, walks) -> str:
    """The compared walk's verdict (walks: the main one, then the compared one): it "works"
    only if it ends within the scene's tolerance of a valley floor, "also" only if the main
    walk does too."""
    theta = walks[1].position[:, 0]
    if m := re.fullmatch(r"α = \S+ is too large: the walk diverges at step (\d+)\.", caption):
        assert not np.isfinite(theta[int(m[1])]) and np.all(np.isfinite(theta[: int(m[1])]))
        return "diverges"
    floors = np.array([c.x for c in land.minima])
    floor = floors[np.argmin(np.abs(floors - theta[-1]))]
    gap = abs(theta[-1] - floor)
    crossings = int(np.sum(np.diff(np.sign(theta - floor)) != 0))
    if m := re.fullmatch(r"α = \S+ is too large: (\d+) jumps across the floor, still (\S+) "
                         r"away\.", caption):
        assert gap > FLOOR_TOLERANCE and crossings == int(m[1]) > 0 and f"{gap:.2g}" == m[2]
        return "too large"
    if m := re.fullmatch(r"α = \S+ is too small: after (\d+) steps still (\S+) from the "
                         r"floor\.", caption):
        assert gap > FLOOR_TOLERANCE and crossings == 0 and f"{gap:.2g}" == m[2]
        return "too small"
    if m := re.fullmatch(r"α = \S+( also)? works: after (\d+) steps it is (below 10⁻¹²|\S+) "
                         r"from the valley floor\.", caption):
        assert gap <= FLOOR_TOLERANCE
        main_works = not walks[0].diverged and floor_gap(land, walks[0]) <= FLOOR_TOLERANCE
        assert bool(m[1]) == main_works
        assert 0 < gap < 1e-12 if m[3] == "below 10⁻¹²" else f"{gap:.2g}" == m[3]
        return "works"
    raise AssertionError(f"no predicate recognises {caption!r}")


@pytest.mark.parametrize(("steps", "lr"), [(1, 0.1), (1, 0.3), (2, 0.3), (30, 0.05), (30, 0.2)])
def test_a_walk_that_misses_the_floor_does_not_work(steps, lr):
    """The main walk (α = 0.4) misses the floor too after so few steps: missing by less than
    twice as much is still missing."""
    land = mountain()
    walks = [run(sgd(a), land, (4.5, 0.0), steps) for a in (0.4, lr)]
    caption = lr_caption(Walk.of(walks[1], land, lr), Walk.of(walks[0], land, 0.4))
    check_lr_caption(caption, land, walks)


@SETTINGS
@given(st.floats(0.01, 1.0), st.floats(0.0, 3.0), st.floats(0.2, 5.0), st.floats(-5.5, 5.5),
       st.lists(st.floats(-3, 1), min_size=2, max_size=2), st.integers(1, 200))
def test_every_mountain_caption_is_true(bowl, ripple, frequency, start, log_lrs, steps):
    land = mountain(bowl, ripple, frequency)
    assume(land.minima)  # MountainParams refuses a range without a valley floor
    walks = [run(sgd(10 ** lr), land, (start, 0.0), steps) for lr in log_lrs]
    main = Walk.of(walks[0], land, 10 ** log_lrs[0])
    caption = lr_caption(Walk.of(walks[1], land, 10 ** log_lrs[1]), main)
    CHECKED["mountain: " + check_lr_caption(caption, land, walks)] += 1
    floors = np.array([c.x for c in land.minima])


    end = walks[0].position[-1, 0]
    if np.isfinite(end):
        near = floors[np.argmin(np.abs(floors - end))]
        low = min(land.minima, key=lambda c: land.f(c.x, 0.0)).x
        first, *rest = limit_captions(land, steps, float(end), float(walks[0].grad[-1, 0]))
        if "rests on" in first:
            assert abs(end - near) <= FLOOR_TOLERANCE
            assert ("the lowest valley floor" in first) == (near == low)
        else:
            assert f"{abs(end - near):.3g} from a valley floor" in first
        assert bool(rest) == (near != low)
        CHECKED["mountain: where it ends"] += 1


@pytest.fixture(scope="module", autouse=True)
def report_counts():
    yield
    if DRAWS > 25:
        draws = sum(v for k, v in CHECKED.items() if k.endswith("draws"))
        claims = sum(v for k, v in CHECKED.items() if not k.endswith("draws"))
        print(f"\ncaption truth: {DRAWS} draws per test, {draws} race/saddle draws, "
              f"{claims} claims checked")
        for key, n in sorted(CHECKED.items()):
            print(f"  {key}: {n}")


# --- moments, bias correction, the algorithm ----------------------------------------------------

def adam_reference(g: np.ndarray, b1: float, b2: float, eps: float, corrected: bool):
    """Kingma & Ba's Algorithm 1 on a 1D gradient stream, written out plainly (the reference
    the core's `accumulate` is checked against): the update of every step, lr = 1."""
    m = v = 0.0
    out = []
    for t, gt in enumerate(g, start=1):
        m, v = b1 * m + (1 - b1) * gt, b2 * v + (1 - b2) * gt * gt
        mh, vh = (m / (1 - b1**t), v / (1 - b2**t)) if corrected else (m, v)
        out.append(-mh / (np.sqrt(vh) + eps))
    return np.array(out)


@SETTINGS
@given(st.floats(0.0, 0.99), st.floats(0.0, 0.9999), st.integers(5, 200),
       st.sampled_from(["noisy", "rosenbrock"]), st.integers(0, 1000), st.floats(-10, 10),
       st.floats(0, 10), st.integers(2, 200), st.floats(0.001, 1), st.floats(0.0, 0.99))
def test_every_moments_caption_is_true(b1, b2, steps, source, seed, trend, noise, ravine_steps,
                                       lr, rms_b2):
    from optim_core import accumulate, adam, momentum, rmsprop
    from scenes.catalog import MomentParams
    from scenes.moments import gradient_stream, overshoot, ravine_captions, v_caption, zigzags

    p = MomentParams(beta1=b1, beta2=b2, steps=steps, source=source, seed=seed, trend=trend,
                     noise=noise, ravine_steps=ravine_steps, lr_sgd=lr, lr_momentum=lr,
                     lr_rmsprop=lr, rmsprop_beta2=rms_b2)
    g = gradient_stream(p)
    v = accumulate(adam(beta1=b1, beta2=b2), g)["v"][-1]
    num = r"(below 10⁻¹²|\S+)"
    m = re.fullmatch(rf"After (\d+) steps vₜ = {num}; the mean of gₜ² is {num}: vₜ "
                     r"(lags far below it|sits below it|is not below it)\.",
                     v_caption(len(g), float(v), float(np.mean(g * g))))
    v_ref = sum((1 - b2) * b2 ** (len(g) - k) * gk * gk for k, gk in enumerate(g, start=1))
    mean = float(np.mean(g * g))
    assert int(m[1]) == len(g) and np.isclose(v, v_ref, rtol=1e-9, atol=1e-300)
    expected = ("lags far below it" if v_ref < 0.5 * mean else
                "sits below it" if v_ref < mean else "is not below it")
    on_a_boundary = np.isclose(v_ref, 0.5 * mean) or np.isclose(v_ref, mean)
    assert m[4] == expected or on_a_boundary
    CHECKED["moments: v against the mean"] += 1

    ravine = surfaces.get("ravine")
    runs = {"sgd": run(sgd(lr), ravine, ravine.start, ravine_steps),
            "momentum": run(momentum(lr, b1), ravine, ravine.start, ravine_steps),
            "rmsprop": run(rmsprop(lr, rms_b2), ravine, ravine.start, ravine_steps)}
    if any(t.diverged for t in runs.values()):
        return
    u_sgd, u_rms = (np.abs(runs[k].update[1]) for k in ("sgd", "rmsprop"))
    lines = ravine_captions(ravine_steps, zigzags(runs["momentum"]), zigzags(runs["sgd"]),
                            overshoot(runs["momentum"], ravine), u_sgd, u_rms)

    def crossings(traj):
        side = np.sign(traj.position[:, 1])  # signs, not products: those underflow to 0
        return int(np.sum(side[1:] * side[:-1] < 0))

    for line in lines:
        if m := re.fullmatch(r"Momentum averages the zig-zag away: (\d+) floor crossings"
                             r"(?:; plain gradient descent:|, gradient descent) (\d+)\.",
                             line):
            a, b = crossings(runs["momentum"]), crossings(runs["sgd"])
            assert (a, b) == (int(m[1]), int(m[2])) and a < b
        elif m := re.fullmatch(r"In (\d+) steps momentum crosses the (?:valley )?floor (\d+) "
                               r"times; (?:plain )?gradient descent (\d+)\.",
                               line):
            a, b = crossings(runs["momentum"]), crossings(runs["sgd"])
            assert (a, b) == (int(m[2]), int(m[3])) and a >= b
        elif m := re.fullmatch(r"Like a heavy ball it keeps rolling: (\S+) past the minimum "
                               r"along x\.", line):
            x = runs["momentum"].position[:, 0]
            past = float(np.max(x * np.sign(-x[0])))  # the minimum is at x = 0
            assert past > 0.01 and fmt(past) == m[1]
        elif m := re.fullmatch(r"Gradient descent's first step(?: is|:) (\S+)x longer across "
                               r"(?:the ravine than along it|than along)\.", line):
            u = runs["sgd"].position[1] - runs["sgd"].position[0]
            assert fmt(abs(u[1] / u[0])) == m[1]
        elif m := re.fullmatch(r"RMSProp divides each coordinate by its own √v: its first "
                               r"step's ratio is (\S+)x\.", line):
            u = runs["rmsprop"].position[1] - runs["rmsprop"].position[0]
            assert fmt(abs(u[1] / u[0])) == m[1] != "1"
        elif re.fullmatch(r"RMSProp divides (?:each coordinate )?by (?:its own )?√v: its first "
                          r"step is as long across as along\.", line):
            u = runs["rmsprop"].position[1] - runs["rmsprop"].position[0]
            assert fmt(abs(u[1] / u[0])) == "1"
        else:
            raise AssertionError(f"no predicate recognises {line!r}")
        CHECKED["moments: ravine"] += 1


@SETTINGS
@given(st.floats(0.0, 0.99), st.floats(0.5, 0.9999), st.integers(5, 300), st.integers(0, 1000),
       st.floats(-10, 10), st.floats(0, 10))
def test_every_bias_caption_is_true(b1, b2, m_steps, seed, trend, noise):
    from optim_core.analysis import step_ratio
    from scenes.bias import ratio_captions, stream
    from scenes.catalog import BiasParams

    p = BiasParams(beta1=b1, beta2=b2, m_steps=m_steps, seed=seed, trend=trend, noise=noise)
    g = stream(p)[:m_steps]
    assume(np.all(np.abs(g) > 1e-6))
    ref = np.abs(adam_reference(g, b1, b2, 1e-8, False) / adam_reference(g, b1, b2, 1e-8, True))
    lines = ratio_captions(step_ratio(p.beta1, p.beta2, g), 0.1, [1.0, 2.0])
    m = re.fullmatch(r"Without correction, step 1 is (?:(\S+)x too (large|small)|about right)\.",
                     lines[0])
    if m[2] == "large":
        assert ref[0] > 1.05 and fmt(ref[0]) == m[1]
    elif m[2] == "small":
        assert ref[0] < 0.95 and fmt(ref[0]) == m[1]
    else:
        assert 0.95 <= ref[0] <= 1.05
    peak = int(np.argmax(ref))
    rises, falls = ref[peak] > 1.01 * ref[0], ref[peak] > 1.01 * ref[-1]
    if m := re.fullmatch(r"The ratio peaks at step (\d+), (\S+)x, then decays\.", lines[1]):
        assert int(m[1]) == peak + 1 and rises and falls and fmt(ref[peak]) == m[2]
    elif m := re.fullmatch(r"The ratio is largest at step 1 and falls to (\S+)x by step "
                           r"(\d+)\.", lines[1]):
        assert not rises and ref[0] > 1.01 * ref[-1] and fmt(ref[-1]) == m[1]
    elif m := re.fullmatch(r"The ratio grows to (\S+)x by step (\d+), the last shown\.",
                           lines[1]):
        assert rises and not falls and fmt(ref[-1]) == m[1] and int(m[2]) == len(ref)
    else:
        m = re.fullmatch(r"The ratio stays near (\S+)x for all (\d+) steps shown\.", lines[1])
        assert m and not rises and ref[0] <= 1.01 * ref[-1] and fmt(ref[0]) == m[1]
    CHECKED["bias: uncorrected step"] += 2


@SETTINGS
@given(st.tuples(st.floats(0.0, 0.99), st.floats(0.5, 0.9999)), st.floats(0.001, 1),
       st.floats(-2, 2), st.floats(-1, 3))
def test_the_first_step_is_root_two_alpha_only_when_each_weight_steps_alpha(betas, lr, x, y):
    """"0.141 = √2 × 0.1: both weights stepped α" from the core's own first update, only when
    each coordinate moved α (to 0.5 %) and the length is the one written."""
    from scenes.bias import diagonal_caption
    from scenes.framework.numbers import readable

    rosen = surfaces.get("rosenbrock")
    update = run(adam(lr, *betas), rosen, (x, y), 1).update[1]
    line = diagonal_caption(update, lr)
    each = np.abs(np.abs(update) / lr - 1) <= 0.005
    if line is None:
        assert not each.all() or fmt(float(np.hypot(*update))) != fmt(np.sqrt(2) * lr)
    else:
        assert each.all() and line == (f"{fmt(float(np.hypot(*update)))} = √2 × {readable(lr)}:"
                                       f" both weights stepped α = {readable(lr)}.")
        assert fmt(float(np.hypot(*update))) == fmt(np.sqrt(2) * lr)
    CHECKED["bias: first step"] += 1


def first_steps(b1: float, b2: float, lr: float) -> tuple[float, float]:
    """The length of Adam's first step from Rosenbrock's start, corrected and not, written out
    (m₁ = (1 − β₁) g₁, v₁ = (1 − β₂) g₁², corrected by dividing each by its own factor)."""
    rosen = surfaces.get("rosenbrock")
    g = rosen.gradient(np.array(rosen.start))
    m, v = (1 - b1) * g, (1 - b2) * g * g
    corrected = lr * (m / (1 - b1)) / (np.sqrt(v / (1 - b2)) + 1e-8)
    raw = lr * m / (np.sqrt(v) + 1e-8)
    return float(np.linalg.norm(corrected)), float(np.linalg.norm(raw))


@SETTINGS
@given(st.one_of(st.just((0.99, 0.9999)), st.tuples(st.floats(0.0, 0.99),
                                                    st.floats(0.5, 0.9999))),
       st.floats(0.001, 1))
def test_the_first_step_sentence_compares_two_different_lengths(betas, lr):
    """With β₁ = 0.99, β₂ = 0.9999 the two first steps are equally long: no "X, not X"."""
    from scenes.bias import ratio_captions

    corrected, raw = first_steps(*betas, lr)
    line = ratio_captions(np.ones(3), lr, [corrected, raw])[2]
    if m := re.fullmatch(r"On Rosenbrock \(α = \S+\) the first step is (\S+) long with or "
                         r"without correction\.", line):
        assert fmt(raw) == fmt(corrected) == m[1]
    else:
        m = re.fullmatch(r"On Rosenbrock \(α = \S+\) the first step is (\S+) long without "
                         r"correction, not (\S+)\.", line)
        assert m and (m[1], m[2]) == (fmt(raw), fmt(corrected)) and m[1] != m[2]
    CHECKED["bias: first step"] += 1


@pytest.mark.parametrize("noise", [0.0, 1.0])
@pytest.mark.parametrize("trend", [0.0, 2.0])
def test_the_stream_is_called_noisy_only_when_it_is(noise, trend):
    """Noise is there if another seed gives another stream; a wave if the noiseless stream is
    not zero."""
    from dataclasses import replace

    from scenes.catalog import MomentParams
    from scenes.moments import gradient_stream, stream_caption

    p = MomentParams(noise=noise, trend=trend)
    noisy = not np.array_equal(gradient_stream(p), gradient_stream(replace(p, seed=p.seed + 1)))
    wave = bool(np.any(gradient_stream(replace(p, noise=0.0)) != 0))
    line = stream_caption(p)
    assert ("noise" in line and "no noise" not in line) == noisy
    assert ("wave" in line and "no wave" not in line) == wave
    assert ("zero" in line) == (not wave)


@SETTINGS
@given(st.floats(0.0, 0.999), st.floats(0.5, 0.99999), st.floats(0.1, 100).map(float))
def test_the_worked_first_step_is_the_cores_first_step(b1, b2, g):
    """The bias scene writes m₁ = (1 − β₁) g₁, √v₁ = √(1 − β₂)|g₁| and their ratio: the core's
    uncorrected first step against its corrected one, for any gradient (ε aside)."""
    from optim_core import adam_uncorrected
    from scenes.bias import shares_at_step_one
    from scenes.framework.numbers import tex_number

    grads = np.array([[g, -g]])
    plain = accumulate(adam_uncorrected(0.1, b1, b2, 1e-12), grads)
    fixed = accumulate(adam(0.1, b1, b2, 1e-12), grads)
    assert np.allclose(plain["m"][1], (1 - b1) * grads[0], rtol=1e-12)
    assert np.allclose(np.sqrt(plain["v"][1]), np.sqrt(1 - b2) * np.abs(grads[0]), rtol=1e-12)
    ratio = plain["update"][1] / fixed["update"][1]
    assert np.allclose(ratio, (1 - b1) / np.sqrt(1 - b2), rtol=1e-6)
    m, v, r = shares_at_step_one(b1, b2)
    assert (m, v, r) == (tex_number(1 - b1), tex_number(np.sqrt(1 - b2)),
                         tex_number((1 - b1) / np.sqrt(1 - b2)))


@SETTINGS
@given(st.floats(-10, 10), st.floats(-10, 10), st.floats(1e-3, 1e3), st.floats(1e-3, 100))
def test_the_loss_scale_cancels_in_adams_step(g1, g2, scale, lr):
    """The reason the tuning scene gives, checked on Algorithm 1 itself: with every gradient
    times c, Adam's updates are the same (ε aside) and SGD's are c times larger."""
    assume(min(abs(g1), abs(g2)) > 1e-3)
    g = np.array([[g1, g2], [g2, g1], [0.5 * g1, -g2]])
    # ε = 10⁻¹² against √v̂ of at least 10⁻⁶: "ε aside" to a part in 10⁵
    plain, scaled = (accumulate(adam(lr, 0.9, 0.999, 1e-12), c * g) for c in (1.0, scale))
    assert np.allclose(scaled["update"][1:], plain["update"][1:], rtol=1e-5)
    sgd_plain, sgd_scaled = (accumulate(sgd(lr), c * g) for c in (1.0, scale))
    assert np.allclose(sgd_scaled["update"][1:], scale * sgd_plain["update"][1:], rtol=1e-9)


@SETTINGS
@given(st.floats(-2, 2), st.floats(-1, 3), st.floats(1e-3, 2), st.floats(1e-10, 1e-2),
       st.sampled_from(["rosenbrock", "saddle", "ravine"]))
def test_the_first_step_says_why_adam_divides_by_its_root_v(x, y, lr, eps, name):
    """"each weight steps α" only when every coordinate's first step is α to 0.5 %; "yet" (the
    gradients differ) only when they are at least 1.5x apart, with the run's own gradients."""
    from scenes.algorithm import sign_caption, step_caption
    from scenes.framework.numbers import readable

    traj = run(adam(lr, 0.9, 0.999, eps), surfaces.get(name), (x, y), 2)
    assume(not traj.diverged and traj.valid_steps > 2)
    grad, update = traj.grad[0], traj.update[1]
    line = step_caption(1, grad, update, lr)
    steps = np.abs(update) / lr
    if "each weight steps" in line:
        assert f"α = {readable(lr)}" in line and np.all(np.abs(steps - 1) <= 0.005)
        # and it is so because m̂/√v̂ = g/(|g| + ε) at step 1, by Algorithm 1
        assert np.allclose(steps, np.abs(grad) / (np.abs(grad) + eps), rtol=1e-9)
        gs = np.abs(grad)
        if "yet" in line:
            assert gs.max() >= 1.5 * gs.min()
            assert " and ".join(readable(g, 4) for g in grad) in line
        else:
            assert gs.max() < 1.5 * gs.min()
        # the sign beat: line 5 subtracts, so θ moves against g, by the run's own signs
        sign = sign_caption(update, lr)
        assert np.all(np.sign(update) == -np.sign(grad))
        if np.all(update > 0):
            assert "m̂/√v̂ = −1" in sign and f"= +{readable(lr)}" in sign
        elif np.all(update < 0):
            assert "m̂/√v̂ = +1" in sign and f"= −{readable(lr)}" in sign
        else:
            assert "each weight moves against its own gradient" in sign
    else:
        assert line.startswith("Step 1, line by line")
        assert not np.all(np.abs(steps - 1) <= 0.005)
    assert step_caption(2, traj.grad[1], traj.update[2], lr).startswith("Step 2, line by line")
    CHECKED["algorithm: first step"] += 1


@SETTINGS
@given(st.floats(1e-4, 10), st.floats(1e-10, 1), st.floats(1e-12, 1e3))
def test_every_epsilon_caption_is_true(lr, eps, sqrt_v_min):
    from scenes.algorithm import eps_captions
    from scenes.framework.numbers import readable

    cap, run_line = eps_captions(lr, eps, sqrt_v_min)[1:]
    assert cap.endswith(f"capped at α / ε = {readable(lr / eps)}.")
    shortening = eps / (sqrt_v_min + eps)  # how much ε shortened the least-damped step
    if "never fell below" in run_line:
        assert shortening < 0.01
    else:
        assert "shortens the step noticeably" in run_line and shortening >= 0.0099
    CHECKED["algorithm: epsilon"] += 2


# --- the learning-rate sweep ----------------------------------------------------------------

@st.composite
def tunings(draw):
    from scenes.catalog import TuningParams
    from scenes.framework.contenders import Contender

    names = NAMES[: draw(st.integers(1, 4))]
    contenders = {n: Contender(draw(st.sampled_from(OPTIMIZERS)), label=n) for n in names}
    lo = draw(st.floats(-5, -1))
    return TuningParams(
        surface=draw(st.sampled_from([n for n in surfaces.SURFACES if surfaces.get(n).minima])),
        starts=draw(st.integers(1, 9)), seed=draw(st.integers(0, 99)),
        steps=draw(st.integers(1, 200)), lr_min=10 ** lo,
        lr_max=10 ** min(lo + draw(st.floats(0.5, 4)), 2.0),  # lr_max's range ends at 100
        lr_count=draw(st.integers(2, 9)), threshold=10 ** draw(st.floats(-6, 1)),
        optimizers=contenders)


def raw_medians(p, surface, starts, contender) -> tuple[np.ndarray, list[bool]]:
    """Per rate, from one plain `run` per rate (not the batched sweep): the median loss above
    the lowest minimum, a diverged run counting as worse than any (the ceil(n/2)-th smallest),
    and whether any run diverged."""
    from optim_core import make

    floor = min(float(surface.f(c.x, c.y)) for c in surface.minima)
    medians, diverged = [], []
    for lr in p.rates():
        traj = run(make(contender.optimizer, lr=float(lr)), surface, starts, p.steps)
        ranked = sorted(float(v) - floor if traj.diverged_at[j] < 0 else np.inf
                        for j, v in enumerate(traj.loss[-1]))
        medians.append(ranked[int(np.ceil(len(ranked) / 2)) - 1])
        diverged.append(bool(np.any(traj.diverged_at >= 0)))
    return np.array(medians), diverged


@SETTINGS
@given(tunings())
def test_every_tuning_caption_is_true(p):
    from optim_core.sweep import random_starts, verdict
    from scenes.tuning import sweep_all, verdict_caption, widest_caption

    surface = p.resolved()
    starts = random_starts(surface.domain, p.starts, p.seed)
    lrs = p.rates()
    verdicts = [verdict(s, p.threshold) for s in sweep_all(p, surface, starts)]
    works_n = {}
    for name, v in zip(p.optimizers, verdicts, strict=True):
        medians, diverged = raw_medians(p, surface, starts, p.optimizers[name])
        works = [i for i, m in enumerate(medians) if m < p.threshold]
        works_n[name] = (len(works), np.log10(lrs[works[-1]] / lrs[works[0]]) if works else 0)
        line = verdict_caption(name, v, len(lrs))
        if m := re.fullmatch(rf"{name} works from α = (.+?) to (.+?), a (.+?)x range\.( .*|)",
                             line):
            assert len(works) > 1 and works == list(range(works[0], works[-1] + 1))
            assert (readable(lrs[works[0]]), readable(lrs[works[-1]])) == (m[1], m[2])
            assert readable(lrs[works[-1]] / lrs[works[0]]) == m[3]
        elif m := re.fullmatch(rf"{name} works only at α = (.+?)\.( .*|)", line):
            assert len(works) == 1 and readable(lrs[works[0]]) == m[1]
        elif m := re.fullmatch(rf"{name} works at (\d+) of (\d+) rates, α = (.+?) to (.+?)\.( .*|)",
                               line):
            assert int(m[1]) == len(works) < works[-1] - works[0] + 1 and int(m[2]) == len(lrs)
            assert (readable(lrs[works[0]]), readable(lrs[works[-1]])) == (m[3], m[4])
        elif m := re.fullmatch(rf"{name} never ends below (.+?); at best (.+?)\.( .*|)", line):
            assert not works and readable(min(medians)) == m[2] and np.isfinite(min(medians))
        elif m := re.fullmatch(rf"{name} never ends below (.+?): most runs diverge\.( .*|)", line):
            assert not works and np.all(np.isinf(medians))
        else:
            raise AssertionError(f"no predicate recognises {line!r}")
        rest = m.groups()[-1].strip()
        if rest == "No run diverges.":
            assert not any(diverged)
        elif d := re.fullmatch(r"First divergence at α = (.+)\.", rest):
            assert readable(lrs[diverged.index(True)]) == d[1]
        else:
            assert rest == ""  # the short form, when both sentences do not fit
        CHECKED["tuning: optimizer"] += 1
    line = widest_caption({n: n for n in p.optimizers}, verdicts, p.steps)
    top = max(works_n.values())
    if re.fullmatch(r"None of them ends below .+? in \d+ steps, at any α\.", line):
        assert top[0] == 0
    elif m := re.fullmatch(r"Only (\w+) works at any α here\.", line):
        assert [n for n, w in works_n.items() if w[0]] == [m[1]]
    elif m := re.fullmatch(r"(.+) tie for the widest range of working α\.", line):
        tied = re.split(r", | and ", m[1])
        assert len(tied) > 1 and all(np.allclose(works_n[n], top) for n in tied)
        assert all(n in tied for n, w in works_n.items() if np.allclose(w, top))
    elif m := re.fullmatch(r"(\d) optimizers tie for the widest range of α\.", line):
        assert int(m[1]) == sum(np.allclose(w, top) for w in works_n.values()) > 1
    else:
        m = re.fullmatch(r"(\w+) works over the widest range of α: (a \S+x range|\d+ rates)\.",
                         line)
        assert m and [n for n, w in works_n.items() if np.allclose(w, top)] == [m[1]]
    CHECKED["tuning: widest"] += 1


# --- the loss's scale -------------------------------------------------------------------------

def raw_rates(contender, surface, starts, steps, lrs, threshold):
    """From one plain `run` per rate of a loss surface: the indices of the rates where the
    median loss above the lowest minimum is below ``threshold``, and of the best rate (lowest
    median, then fewest diverged)."""
    from optim_core import make

    floor = min(float(surface.f(c.x, c.y)) for c in surface.minima)
    medians, shares = [], []
    for lr in lrs:
        traj = run(make(contender.optimizer, lr=float(lr)), surface, starts, steps)
        ranked = sorted(float(v) - floor if traj.diverged_at[j] < 0 else np.inf
                        for j, v in enumerate(traj.loss[-1]))
        medians.append(max(ranked[int(np.ceil(len(ranked) / 2)) - 1], 0.0))
        shares.append(float(np.mean(traj.diverged_at >= 0)))
    works = [i for i, m in enumerate(medians) if m < threshold]
    return works, int(np.lexsort((shares, medians))[0])


def times_the_loss(surface, scale):
    """The surface with its loss multiplied by ``scale``, written out here."""
    from dataclasses import replace

    f, df = surface.f, surface.df
    return replace(surface, f=lambda x, y: scale * f(x, y),
                   df=lambda x, y: (scale * df(x, y)[0], scale * df(x, y)[1]))


NUM = r"(?:-?[\d.,]+(?: × 10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?|10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)"
MOVE = rf"(none left|unchanged|now {NUM}(?: to {NUM})?|{NUM}x lower|{NUM}x higher)"


def check_move(phrase: str, before: list[int], after: list[int], grid) -> None:
    from scenes.framework.numbers import readable

    if phrase == "none left":
        assert not after
    elif phrase == "unchanged":
        assert after == before
    else:
        ratios = grid[before] / grid[after] if len(after) == len(before) else np.array([])
        one = ratios.size and np.allclose(ratios, ratios[0], rtol=1e-6) and after != before
        if m := re.fullmatch(rf"({NUM})x (lower|higher)", phrase):
            assert one
            f = float(np.median(ratios))
            assert readable(f if m[2] == "lower" else 1 / f) == m[1] and (f > 1) == (m[2] ==
                                                                               "lower")
        else:
            assert not one and after and after != before


@settings(max_examples=max(DRAWS // 3, 5), deadline=None, derandomize=DRAWS <= 25,
          suppress_health_check=[HealthCheck.too_slow])
@given(tunings(), st.sampled_from([2.0, 10.0, 100.0]))
def test_every_loss_scale_caption_is_true(p, scale):
    """Each optimizer's rates are recomputed with one plain run per rate, on the loss as it is
    and on the loss times the scale and its inverse (threshold scaled alike)."""
    from dataclasses import replace

    from optim_core.optimizers import hyperparameters
    from optim_core.sweep import random_starts, shift, verdict, widened
    from scenes.framework.numbers import readable
    from scenes.tuning import (
        scale_lesson,
        scale_reason,
        scale_sweeps,
        shift_caption,
        sweep_all,
        usual_caption,
    )

    p = replace(p, loss_scale=scale, steps=min(p.steps, 60))
    surface, lrs = p.resolved(), p.rates()
    starts = random_starts(surface.domain, p.starts, p.seed)
    grid = widened(lrs, scale)
    step = np.log10(grid[1] / grid[0])
    i0 = int(np.flatnonzero(grid == lrs[0])[0])
    assert np.array_equal(grid[i0:i0 + len(lrs)], lrs)  # the sweep's own rates, exactly
    assert np.allclose(np.diff(np.log10(grid)), step)
    assert grid[0] <= lrs[0] / scale * (1 + 1e-9) and (grid[-1] >= lrs[-1] * scale / (1 + 1e-9)
                                                       or grid[-1] * 10 ** step > 100)
    verdicts = scale_sweeps(p, surface, starts, grid)
    shifts = {}
    for name, contender in p.optimizers.items():
        raw = {s: raw_rates(contender, times_the_loss(surface, s), starts, p.steps, grid,
                            p.threshold * s) for s in (1.0, scale, 1 / scale)}
        v = verdicts[name]
        shifts[name] = (shift(v[1.0], v[scale], scale), shift(v[1.0], v[1 / scale], 1 / scale))
        line = shift_caption(name, *shifts[name])
        kind = "working" if raw[1.0][0] else "best"

        def rates(s, kind=kind, raw=raw):
            return raw[s][0] if kind == "working" else [raw[s][1]]

        up, down = (f"J×{readable(s)}" for s in (scale, 1 / scale))
        if m := re.fullmatch(rf"{name}'s (working|best) α stays at ({NUM})(?: to ({NUM}))? (?:with "
                             rf"{up} and with {down}|at every scale)\.", line):
            assert m[1] == kind and rates(scale) == rates(1.0) == rates(1 / scale)
            shown = rates(1.0)
            assert readable(grid[shown[0]]) == m[2]
            assert (m[3] is None) == (len(shown) == 1)
        elif re.fullmatch(rf"{name}: unchanged at every scale\.", line):
            assert rates(scale) == rates(1.0) == rates(1 / scale)
        elif m := re.fullmatch(rf"(?:{name}'s (working|best) α|{name}): {MOVE} with {up}, "
                               rf"{MOVE} with {down}\.", line):
            assert m[1] in (None, kind)
            check_move(m[2], rates(1.0), rates(scale), grid)
            check_move(m[3], rates(1.0), rates(1 / scale), grid)
            assert not rates(scale) == rates(1.0) == rates(1 / scale)
        else:
            raise AssertionError(f"no predicate recognises {line!r}")
        CHECKED["tuning: loss scale"] += 1
        shifts[name] = (shifts[name], rates(scale) == rates(1.0) == rates(1 / scale))
    kept = [n for n, (_, k) in shifts.items() if k]
    line = scale_lesson({n: n for n in p.optimizers}, {n: s for n, (s, _) in shifts.items()})
    if line.startswith("Every optimizer keeps"):
        assert len(kept) == len(shifts)
    elif line.startswith("Every optimizer's α moves"):
        assert not kept
    else:
        m = re.fullmatch(r"(.+) keeps? (?:its|their) α at every scale; (.+) must be retuned\.",
                         line)
        assert m and m[1].replace(" and ", ", ").split(", ") == kept
    CHECKED["tuning: loss scale lesson"] += 1
    # The reason, said only when the raw sweeps agree with it: every optimizer that divides
    # by √v kept its rates at both scales, every other one's moved.
    kinds = {n: c.optimizer for n, c in p.optimizers.items()}
    reason = scale_reason(kinds, {n: s for n, (s, _) in shifts.items()})
    from optim_core.optimizers import REGISTRY

    dividers = [n for n in shifts if REGISTRY[kinds[n]].scale_free]
    agrees = bool(dividers) and set(dividers) <= set(kept) and set(kept) <= set(dividers)
    assert (reason is not None) == agrees
    if reason is not None:
        assert ("α·g" in reason) == (len(dividers) < len(shifts))
        CHECKED["tuning: loss scale reason"] += 1

    # Where the usual α stands against Adam's working rates (the sweep's own grid).
    usual = hyperparameters("adam")["lr"]
    adams = [n for n, c in p.optimizers.items() if c.optimizer == "adam"]
    line = usual_caption({n: n for n in p.optimizers},
                         [verdict(s, p.threshold) for s in sweep_all(p, surface, starts)],
                         p.optimizers)
    if not adams:
        assert line.endswith("this sweep has no Adam.")
        return
    works = [lrs[i] for i in raw_rates(p.optimizers[adams[0]], surface, starts, p.steps, lrs,
                                       p.threshold)[0]]
    if m := re.search(rf"is ({NUM})x (below|above)", line):
        edge = works[0] if m[2] == "below" else works[-1]
        assert works and (usual < works[0] if m[2] == "below" else usual > works[-1])
        assert readable(edge / usual if m[2] == "below" else usual / edge) == m[1]
    elif "lies inside" in line:
        assert works[0] <= usual <= works[-1]
        assert works == list(lrs[(lrs >= works[0]) & (lrs <= works[-1])])
    elif "is one of" in line:
        assert np.any(np.isclose(works, usual))
    elif "falls between" in line:
        assert works[0] < usual < works[-1] and not np.any(np.isclose(works, usual))
    else:
        assert "works at no α" in line and not works
    CHECKED["tuning: the usual α"] += 1


def shrunk_by_hand(surface, factor):
    """The surface with every distance divided by ``factor``, heights kept, written out."""
    from dataclasses import replace

    f, df = surface.f, surface.df
    return replace(surface, f=lambda x, y: f(factor * x, factor * y),
                   df=lambda x, y: (factor * df(factor * x, factor * y)[0],
                                    factor * df(factor * x, factor * y)[1]),
                   critical_points=tuple(replace(c, x=c.x / factor, y=c.y / factor)
                                         for c in surface.critical_points))


@settings(max_examples=max(DRAWS // 3, 5), deadline=None, derandomize=DRAWS <= 25,
          suppress_health_check=[HealthCheck.too_slow])
@given(tunings(), st.sampled_from([2.0, 10.0, 100.0]))
def test_every_shrunk_landscape_caption_is_true(p, factor):
    """Adam's rates on the surface shrunk ``factor`` times, recomputed with one plain run per
    rate from the starts shrunk alike; the usual α's line and the lesson against them."""
    from dataclasses import replace

    from optim_core.optimizers import hyperparameters
    from optim_core.sweep import random_starts, shift, widened
    from scenes.framework.numbers import readable
    from scenes.tuning import (
        scale_sweeps,
        shrink_caption,
        shrink_lesson,
        shrink_sweeps,
        shrunk_usual,
        unchanged,
    )

    p = replace(p, loss_scale=factor, steps=min(p.steps, 60))
    surface = p.resolved()
    starts = random_starts(surface.domain, p.starts, p.seed)
    grid = widened(p.rates(), factor)
    scales = scale_sweeps(p, surface, starts, grid)
    shrinks = shrink_sweeps(p, surface, starts, grid)
    adams = [n for n, c in p.optimizers.items() if c.optimizer == "adam"]
    assert list(shrinks) == adams
    usual = hyperparameters("adam")["lr"]
    loss_shifts = {n: (shift(v[1.0], v[factor], factor), shift(v[1.0], v[1 / factor],
                                                               1 / factor))
                   for n, v in scales.items()}
    moves, followed, raws = {}, {}, {}
    for name in adams:
        before = raw_rates(p.optimizers[name], surface, starts, p.steps, grid, p.threshold)
        after = raw_rates(p.optimizers[name], shrunk_by_hand(surface, factor), starts / factor,
                          p.steps, grid, p.threshold)
        raws[name] = after[0]
        kind = "working" if before[0] else "best"
        old, new = (before[0], after[0]) if kind == "working" else ([before[1]], [after[1]])
        moves[name] = shift(scales[name][1.0], shrinks[name], factor)
        line = shrink_caption(name, moves[name])
        ratios = grid[old] / grid[new] if len(new) == len(old) else np.array([])
        followed[name] = bool(ratios.size) and bool(np.allclose(ratios, factor, rtol=1e-6))
        if m := re.fullmatch(rf"{name}'s (working|best) α moves ({NUM})x lower, like the "
                             rf"distances(?:: ({NUM})(?: to ({NUM}))?)?\.", line):
            assert m[1] == kind and followed[name] and readable(factor) == m[2]
            assert (m[3] is None) == (not new)
            if m[3] is not None:
                assert readable(grid[new[0]]) == m[3]
                assert (m[4] is None) == (len(new) == 1)
        elif m := re.fullmatch(rf"{name}'s α moves ({NUM})x lower, like the distances\.", line):
            assert followed[name] and readable(factor) == m[1]
        elif m := re.fullmatch(rf"(?:{name}'s (working|best) α|{name}): {MOVE} with "
                               rf"J\(({NUM})θ\)\.", line):
            assert m[1] in (None, kind) and not followed[name] and readable(factor) == m[3]
            check_move(m[2], old, new, grid)
        else:
            raise AssertionError(f"no predicate recognises {line!r}")
        CHECKED["tuning: shrunk landscape"] += 1

    before = {n: raw_rates(p.optimizers[n], surface, starts, p.steps, grid, p.threshold)[0]
              for n in adams}
    fits = [n for n in adams if np.any(np.isclose(grid[raws[n]], usual, rtol=1e-9))
            and not np.any(np.isclose(grid[before[n]], usual, rtol=1e-9))]  # newly works
    line = shrunk_usual(usual, {n: scales[n][1.0] for n in adams}, shrinks, factor,
                        {n: n for n in p.optimizers})
    assert (line is None) == (not fits)
    if line is not None:
        assert f"usual α = {readable(usual)} works" in line
        assert (" for " in line) == (len(adams) > 1)
        assert line.endswith(("shorter.", " works.", f"works for {len(fits)} of them.")) or \
            f"works for {' and '.join(fits)}" in line
        CHECKED["tuning: shrunk landscape, usual α"] += 1

    lesson = shrink_lesson(loss_shifts, moves)
    holds = bool(adams) and all(followed[n] and unchanged(*loss_shifts[n]) for n in adams)
    assert (lesson is not None) == holds
    CHECKED["tuning: shrunk landscape lesson"] += int(holds)


@given(st.floats(0, 0.999), st.floats(0, 0.999999))
def test_the_bias_paradox_is_resolved_by_the_two_factors(b1, b2):
    """m holds (1 − β₁) of g at step 1, √v holds √(1 − β₂) of |g|; the uncorrected step is
    their ratio, too large exactly when √v is the one shrunk more."""
    from optim_core.analysis import step_ratio
    from scenes.bias import paradox_captions

    g = np.array([1.7, -0.4, 2.2])
    ratio = step_ratio(b1, b2, g)
    eps, size = 1e-8, abs(g[0])  # step 1 by hand, ε included: it counts when 1 − β₂ is tiny
    assert ratio[0] == pytest.approx((1 - b1) * (size + eps) / (np.sqrt(1 - b2) * size + eps),
                                     rel=1e-9)
    first, why = paradox_captions(b1, b2, float(ratio[0]))
    m, v = 1 - b1, np.sqrt(1 - b2)
    held = f"m holds {readable(100 * m)} % of g, √v {readable(100 * v)} % of |g|"
    if m < 1 and v < 1:
        assert first == f"Both start too small: at step 1 {held}."
    elif m < 1 or v < 1:
        which = "√v" if v < 1 else "m"
        assert first.startswith(f"Only {which} starts too small:")
    else:
        assert first.startswith("Neither starts too small") and why.startswith("Neither")
        return
    if ratio[0] > 1.05:  # √v holds less of |g| than m holds of g
        assert why.startswith("√v is shrunk more than m") and why.endswith(
            f"{ratio[0]:.3g}x too large.")
    elif ratio[0] < 0.95:
        assert why.startswith("m is shrunk more than √v") and "too small" in why
    else:
        assert why.startswith("Both are shrunk alike")
    CHECKED["bias: paradox"] += 1


@settings(max_examples=60, deadline=None)
@given(y=st.floats(1e-6, 0.5) | st.floats(-0.5, -1e-6) | st.just(0.0),
       gd_lr=st.floats(1e-3, 1.0), adam_lr=st.floats(1e-3, 1.0))
def test_the_saddle_says_why_one_racer_leaves_sooner(y, gd_lr, adam_lr):
    """On x² − y² the way out is y; the slope across is |2y|, gradient descent's first step
    across is α|2y| and Adam's is α |g| / (|g| + ε): recomputed by hand."""
    from optim_core.analysis import escape_direction, focus_point
    from scenes.saddle import across_captions

    surface = surfaces.get("saddle")
    assert np.allclose(np.abs(escape_direction(surface, focus_point(surface).point)), [0, 1])
    racers = {"gd": Racer("sgd", lr=gd_lr, label="GD"), "adam": Racer("adam", lr=adam_lr)}
    runs = run_racers(racers, surface, (-4.0, y), 5, THEMES["dark"])
    lines = across_captions(runs, np.array([0.0, 1.0]))
    slope = abs(2 * y)
    if slope == 0:
        assert lines == ["Across the ridge the slope at the start is exactly 0: nothing pushes "
                         "that way."]
        return
    assert lines[0].endswith(f"is only {readable(slope, 2)}.")
    steps = {"GD": gd_lr * slope, "Adam": adam_lr * slope / (slope + 1e-8)}
    (fast, big), (slow, small) = sorted(steps.items(), key=lambda kv: kv[1], reverse=True)
    if big >= 1.5 * small * (1 + 1e-9):
        # The caption prints the core's step; on a rounding edge (0.525) the hand value may
        # round the other way by a last-bit difference: either reading is the same number.
        assert any(readable(big * f, 2) in lines[1] for f in (1 - 1e-9, 1 + 1e-9))
        assert any(readable(small * f, 2) in lines[1] for f in (1 - 1e-9, 1 + 1e-9))
        assert lines[1].index(fast) < lines[1].index(slow)
        about = fast == "Adam" and 0.5 <= big / adam_lr <= 1.5
        assert (len(lines) == 3) == about
        if about:
            assert lines[2].startswith("Adam divides that slope by its own √v")
    elif big < 1.5 * small * (1 - 1e-9):
        assert lines[1].startswith("Their first steps across it are alike") and len(lines) == 2
    CHECKED["saddle: why"] += 1


@SETTINGS
@given(st.floats(0.01, 0.6), st.floats(0.01, 0.6), st.floats(-4, -0.5), st.floats(1e-4, 0.5))
def test_the_saddle_reruns_the_plain_racer_at_the_winners_rate(lr_gd, lr_adam, x, y):
    """"At Adam's α = A, Gradient descent leaves the plot at step K: sooner / still later",
    against gradient descent run again, by hand, at Adam's rate."""
    from optim_core.analysis import first_exit
    from scenes.saddle import same_rate_caption

    saddle = surfaces.get("saddle")
    runs = run_racers({"gd": Racer("sgd", lr=lr_gd, label="GD"),
                       "adam": Racer("adam", lr=lr_adam)}, saddle, (x, y), 50, THEMES["dark"])
    results = escape_outcomes(runs, saddle, 1.0)
    said = same_rate_caption(runs, saddle, 50, results, focus_point(saddle))
    if lr_gd == lr_adam:
        assert said is None
        return
    line, label = said.caption, said.line
    again = run(sgd(lr_adam), saddle, (x, y), 50)
    out, adams = first_exit(again, saddle.domain), results[1].escaped_at
    expected = None
    if out is None:
        assert "stays on the plot" in line or "is still on the plot after 50 steps" in line
    else:
        m = re.search(r"leaves (?:the plot )?at step (\d+)(?:: (sooner|at the same step|still "
                      r"later))?\.$", line)
        assert m and int(m[1]) == out
        expected = (None if adams is None else "sooner" if out < adams else
                    "at the same step" if out == adams else "still later")
        assert m[2] == expected
        assert label == f"GD at α = {readable(lr_adam)}: left the plot at step {out}"
    assert f"α = {readable(lr_adam)}" in line
    # The dashed line on the inset is that run's distance to the saddle.
    shown = again.valid_steps
    np.testing.assert_allclose(said.series[:shown], np.hypot(*again.position[:shown].T))
    # Why it is still slower: on x² − y², gradient descent's distance across the ridge (|y|)
    # grows by exactly 1 + 2α a step, from |y₀|, and is 1 out at the first k with |y_k| >= 1.
    if expected in ("still later", "at the same step"):
        slow = said.why[0]
        assert f"starts {readable(abs(y), 2)} out" in slow
        assert f"×(1 + 2α) = {readable(1 + 2 * lr_adam)} a step" in slow
        one = np.flatnonzero(np.abs(again.position[: again.valid_steps, 1]) >= 1)
        if "1 out" in slow:  # the long form says when it was 1 out
            assert one.size and abs(y) < 1 and slow.endswith(f": 1 out at step {one[0]}.")
        # Adam's half: when its |y| first reached 1, from its own run.
        adam = runs[1].traj
        theirs = np.flatnonzero(np.abs(adam.position[: adam.valid_steps, 1]) >= 1)
        if len(said.why) == 2:
            assert theirs.size and theirs[0] > 0
            assert said.why[1].endswith(f"1 out at step {theirs[0]}.")
        else:
            assert not theirs.size or theirs[0] == 0
    else:
        assert said.why == ()
    CHECKED["saddle: same rate"] += 1


@SETTINGS
@given(st.lists(st.integers(0, 64), min_size=1, max_size=6), st.booleans(), st.booleans())
@example([1, 1], True, True)  # Adam tied for the most: "... and Adam, 1." is not Adam behind
def test_the_best_rate_count_names_the_leader_and_adam_behind_it(below, with_adam, long):
    """"At its best α, X ends below 0.01 from the most starts: N of 64; Adam, M.": X has the
    most (or "K tie", when their names do not fit), N is it, and Adam's count is given exactly
    when Adam is behind; the caption fits one cue whatever the names' length."""
    from scenes.framework.captions import names_list
    from scenes.tuning import best_caption

    names = [f"{'Gradient descent ' if long else 'O'}{i}" for i in range(len(below))]
    if with_adam:
        names[-1] = "Adam"
    line = best_caption(names, below, 64, "below 0.01", {"Adam"} if with_adam else set())
    most = max(below)
    leaders = [n for n, b in zip(names, below, strict=True) if b == most]
    if most == 0:
        assert line == "At its best α, no optimizer ends below 0.01 from any of the 64 starts."
        return
    assert (names_list(leaders) in line or line.startswith(f"{len(leaders)} tie at their "
                                                           "best α: ")) and f"{most}" in line
    adam_behind = with_adam and below[-1] < most
    assert (f"; Adam, {below[-1]}." in line) == adam_behind  # not "... and Adam, 1." of a tie
    CHECKED["tuning: best rates"] += 1


@SETTINGS
@given(st.integers(1, 5000), st.integers(1, 256), st.integers(0, 1000),
       st.sampled_from(["rosenbrock", "saddle", "ravine", "himmelblau"]))
def test_the_usual_rate_reach_is_measured(steps, n, seed, name):
    """"1,000 steps of at most about α = 10⁻³ go about 1; minima are a median 1.85 away": the
    reach is steps × α, the distance the median over the starts of the nearest minimum, and it
    is said only when the reach falls short."""
    from optim_core.sweep import random_starts
    from scenes.tuning import reach_caption

    surface = surfaces.get(name)
    starts = random_starts(surface.domain, n, seed)
    line = reach_caption(1e-3, steps, starts, surface)
    if not surface.minima:
        assert line is None
        return
    gap = np.median([min(np.hypot(*(s - m.point)) for m in surface.minima) for s in starts])
    if steps * 1e-3 >= gap:
        assert line is None
    else:
        assert f"go about {readable(steps * 1e-3)}" in line or \
            f"go {readable(steps * 1e-3)}" in line
        assert (f"median {readable(gap)} away" in line or f"are {readable(gap)} away" in line or
                (len(surface.minima) == 1 and
                 (f"the minimum is a median {readable(gap)} from the starts" in line or
                  f"the minimum is {readable(gap)} away" in line)))
    CHECKED["tuning: usual reach"] += 1


@SETTINGS
@given(st.floats(1e-4, 0.3), st.floats(1e-3, 0.5), st.floats(-2, 2), st.floats(-1, 3),
       st.sampled_from(["rosenbrock", "ravine", "himmelblau"]))
def test_the_race_reruns_the_plain_racer_at_the_winners_rate(lr_sgd, lr_adam, x, y, name):
    """"At Adam's α = A, SGD diverges at step K / comes within T of a minimum at step K / ends
    D from the nearest minimum", against SGD run again, by hand, at Adam's rate."""
    from scenes.race import same_rate_caption

    surface = surfaces.get(name)
    runs = run_racers({"sgd": Racer("sgd", lr=lr_sgd), "adam": Racer("adam", lr=lr_adam)},
                      surface, (x, y), 200, THEMES["dark"])
    said = same_rate_caption(runs, surface, 200, 0.05)
    if lr_sgd == lr_adam:
        assert said is None
        return
    line, label = said.caption, said.line
    again = run(sgd(lr_adam), surface, (x, y), 200)
    assert line.startswith((f"At Adam's α = {readable(lr_adam)}, SGD ",
                            f"At α = {readable(lr_adam)}, SGD "))
    if again.diverged:
        assert line.endswith(f"diverges at step {again.diverged_at}.")
    else:
        ends = np.min([np.hypot(*(again.position[-1] - m.point)) for m in surface.minima])
        within = [k for k in range(again.valid_steps) if min(
            np.hypot(*(again.position[k] - m.point)) for m in surface.minima) <= 0.05]
        one = len(surface.minima) == 1  # "the minimum", else "a minimum", "the nearest"
        if within:
            assert line.endswith(f"comes within 0.05 of {'the' if one else 'a'} minimum at step "
                                 f"{within[0]}.")
        else:
            assert line.endswith(f"ends {fmt(ends)} from the {'' if one else 'nearest '}minimum.")
    assert label.startswith(f"SGD at α = {readable(lr_adam)}: ")
    # The dashed line on the inset: that run's loss above the lowest minimum, off the top after
    # a divergence.
    floor = min(float(surface.f(*m.point)) for m in surface.minima)
    shown = again.valid_steps
    np.testing.assert_allclose(said.series[:shown], again.loss[:shown] - floor)
    assert np.isinf(said.series[shown:]).all()
    CHECKED["race: same rate"] += 1


@SETTINGS
@given(st.floats(0.0, 0.99), st.floats(0.5, 0.9999), st.integers(1, 3000))
def test_the_worst_case_step_is_reached_and_not_passed(b1, b2, calm):
    """"Not a hard limit: a big gradient after small ones can step 3.16α": Algorithm 1, run on
    ``calm`` tiny gradients and then a large one, steps (1 − β₁)/√(1 − β₂) α at the large one
    (to 2 %, once β₂ᵗ has faded) and never more; where that factor is at most 1, never above α."""
    from scenes.recap import bound_caption, worst_case

    factor = (1 - b1) / np.sqrt(1 - b2)
    assert worst_case(b1, b2) == pytest.approx(factor, rel=1e-12)
    steps = np.abs(adam_reference(np.r_[np.full(calm, 1e-9), 1.0], b1, b2, 0.0, True))
    assert steps.max() <= max(factor, 1.0) * (1 + 1e-9)
    if factor > 1 and b2 ** (calm + 1) < 1e-3 and b1 ** (calm + 1) < 1e-3:
        assert steps[-1] == pytest.approx(factor, rel=0.02)  # the bound is reached
    line = bound_caption(b1, b2)
    if factor > 1:
        assert f"step {readable(factor)}α." in line or f"reach {readable(factor)}α." in line
    else:
        assert line.startswith("With these β's a step never exceeds α")
    CHECKED["recap: worst case"] += 1


@SETTINGS
@given(st.lists(st.floats(1e-6, 1e3), min_size=4, max_size=4))
def test_the_network_names_the_groups_whose_gradients_differ(sizes):
    """"Per weight, layer 1 biases get 2.1x the gradient of layer 1 weights": the group with
    the largest gradient per weight first, the smallest second, and their ratio."""
    from optim_core.network import GROUP_NAMES, GROUPS
    from scenes.network import gradient_caption, times

    sizes = np.array(sizes)
    line = gradient_caption("SGD", sizes)
    factor = sizes.max() / sizes.min()
    if factor >= 1.5:
        hi = GROUP_NAMES[GROUPS[int(np.argmax(sizes))]]
        lo = GROUP_NAMES[GROUPS[int(np.argmin(sizes))]]
        assert (f"{hi} get {times(factor)} the gradient of {lo}" in line
                or line == f"Gradients per weight differ {times(factor)} across the network.")
    else:
        assert line == f"Here every group's gradients are within {times(factor)} of each other."
    CHECKED["network: gradient groups"] += 1


@SETTINGS
@given(st.lists(st.floats(0, 1), min_size=9, max_size=9), st.integers(0, 8), st.integers(0, 8),
       st.sampled_from([2.0, 10.0, 64.0, 100.0]))
def test_a_best_rate_that_moved_past_the_gradients_is_said_with_its_measured_gap(
        errors, i_mean, i_sum, ratio):
    """"At α = R, 64x below B, Momentum ties its best / is G % under its best": said only for
    a best α that went down by more than one grid step beyond the gradients' growth; R is the
    grid rate nearest B / 64 and G the summed sweep's accuracy there under its best (under
    1 %); otherwise "its best moved F, more than the gradients' 64x"."""
    from optim_core.sweep import Sweep
    from scenes.network import Moved, beyond_grid, times

    lrs = np.logspace(-4, 0, 9)  # 3.16x apart
    summed = Sweep("o", lrs, np.array(errors)[:, None], np.full((9, 1), -1))
    m = Moved("o", float(lrs[i_mean]), float(lrs[i_sum]), True, True)
    line = beyond_grid("O", m, ratio, float(lrs[1] / lrs[0]), summed)
    spacing = lrs[1] / lrs[0]
    past = m.factor > ratio * spacing  # went down further than the gradients grew
    assert (line is not None) == past
    if line is None:
        return
    i = int(np.argmin(np.abs(np.log10(lrs) - np.log10(m.best_mean / ratio))))
    gap = 100 * (max(1 - e for e in errors) - (1 - errors[i]))
    if gap < 1:
        below = times(float(lrs[i_mean] / lrs[i]))  # how far below the averaged best, truly
        assert line.startswith(f"At α = {readable(float(lrs[i]))}, {below} below ")
        assert ("ties its best" in line) == (gap == 0)
        assert gap == 0 or f"is {readable(gap, 2)} % under its best" in line
    else:
        assert "more than" in line
    CHECKED["network: best moved past the gradients"] += 1


SHARES = st.lists(st.floats(1e-3, 1.5) | st.just(float("nan")), min_size=4, max_size=4)


@SETTINGS
@given(SHARES, SHARES, st.floats(0, 0.05) | st.just(float("inf")), st.booleans(),
       st.sampled_from([0.0, 0.5, 0.9, 0.99, 0.999, 0.9999]), st.sampled_from([60, 300, 5000]),
       st.sampled_from([0.0, 0.9, 0.99]))
def test_the_network_says_why_adams_steps_are_under_alpha_only_when_measured(
        agreement, memory, eps_share, shrank, beta2, steps, beta1):
    """"Smaller than α: batches' gradients disagree, so |m̂| is A of them": said exactly when
    |m̂| over the recent gradients' RMS is a number under 0.5 in every group and ε is at most
    1 % of the gradients' size, A their range; "And gradients shrink ... √v̂ remembers ~N
    steps: recent ones are B of it": exactly when, besides, the gradients shrank, the recent
    RMS over √v̂ is under 0.8 in every group and √v̂ remembers more than twice m̂'s steps,
    N = 1/(1 - β₂) ("averages all S steps" when N reaches the run's S)."""
    from optim_core.network import StepCauses
    from scenes.network import memory_caption, noise_caption

    causes = StepCauses(np.array(agreement), np.array(memory), np.full(4, np.nan))
    measured = bool(np.all(np.isfinite(causes.agreement)) and np.all(np.isfinite(causes.memory))
                    and eps_share <= 0.01 and beta1 >= 0.8)  # m̂ averages ~5 steps or more

    def spread(v):
        lo, hi = readable(float(v.min()), 2), readable(float(v.max()), 2)
        return lo if lo == hi else f"{lo} to {hi}"

    line = noise_caption("Adam", causes, eps_share, beta1)
    assert (line is not None) == (measured and causes.agreement.max() < 0.5)
    if line is not None:
        assert line.startswith("Smaller than α") and f" {spread(causes.agreement)} of " in line
        CHECKED["network: under alpha, batches"] += 1
    line = memory_caption("Adam", causes, eps_share, beta1, beta2, steps, shrank)
    longer = 1 / (1 - beta2) > 2 / (1 - beta1)  # √v̂ remembers more than twice m̂'s steps
    assert (line is not None) == (measured and shrank and causes.memory.max() < 0.8 and longer)
    if line is not None:
        if round(1 / (1 - beta2)) >= steps:  # it remembers more than the run: all of it
            assert f"√v̂ averages all {steps:,} steps" in line or \
                line == f"Gradients shrink; recent ones are {spread(causes.memory)} of √v̂."
        else:
            assert re.search(rf"remembers (about )?{round(1 / (1 - beta2)):,} steps", line) or \
            line == f"Gradients shrink; recent ones are {spread(causes.memory)} of √v̂."
        assert f"recent ones are {spread(causes.memory)} of it." in line
        CHECKED["network: under alpha, memory"] += 1


def test_the_gradients_recorded_are_the_ones_the_training_stepped_with():
    """gradient_history is the run `train` makes: Adam fed its gradients by hand gives the
    training's own update sizes, group by group, at every step."""
    from optim_core.network import Setup, gradient_history, group_rms, train

    setup = Setup(hidden=6, steps=40, batch=16)
    grads = gradient_history("adam", 0.01, 1, setup)
    trained = train("adam", [0.01], [1], setup)
    updates = accumulate(adam(0.01, 0.9, 0.999, 1e-8), grads)["update"][1:]
    assert np.allclose(group_rms(setup.shape(), updates), trained.update_rms[:, 0, 0],
                       rtol=1e-10, atol=0)
    assert np.allclose(group_rms(setup.shape(), grads), trained.grad_rms[:, 0, 0], rtol=1e-12)
    # "gradients shrink": every group's median over the last tenth under the first tenth's
    from scenes.network import shrinking

    rms = group_rms(setup.shape(), grads)
    assert shrinking(trained, 0) == bool(np.all(np.median(rms[-4:], axis=0)
                                                < np.median(rms[:4], axis=0)))


@SETTINGS
@given(st.integers(0, 10_000), st.sampled_from([0.0, 0.8, 0.9]),
       st.sampled_from([0.9, 0.99, 0.999]))
def test_the_step_splits_into_agreement_and_memory(seed, beta1, beta2):
    """Per weight and step |m̂|/√v̂ = (|m̂|/r)(r/√v̂), with m̂, v̂ from Adam itself and r
    written as an explicit weighted sum (β₁ weights, normalised); the medians per group are
    those of the explicit factors."""
    from optim_core.network import Shape, step_causes

    shape = Shape(3, 2, 2)
    rng = np.random.default_rng(seed)
    grads = rng.normal(0.1, 1.0, (25, shape.size)) * np.linspace(2, 0.5, 25)[:, None]
    acc = accumulate(adam(1e-3, beta1, beta2, 1e-12), grads)
    m_hat, root_v = np.abs(acc["m_hat"][1:]), np.sqrt(acc["v_hat"][1:])
    r = np.empty_like(grads)
    for t in range(1, len(grads) + 1):
        w = beta1 ** np.arange(t - 1, -1, -1)  # the newest weighs most
        r[t - 1] = np.sqrt(w @ grads[:t] ** 2 / w.sum())
    causes = step_causes(shape, grads, beta1, beta2)
    for j, (lo, hi) in enumerate(shape.group_bounds):
        assert causes.agreement[j] == pytest.approx(np.median(m_hat[:, lo:hi] / r[:, lo:hi]))
        assert causes.memory[j] == pytest.approx(np.median(r[:, lo:hi] / root_v[:, lo:hi]))
        assert causes.ratio[j] == pytest.approx(np.median(m_hat[:, lo:hi] / root_v[:, lo:hi]))
    assert np.allclose(m_hat / root_v, (m_hat / r) * (r / root_v))
    CHECKED["network: step split"] += 1


@SETTINGS
@given(st.lists(st.floats(1e-4, 2.0), min_size=4, max_size=4), st.sampled_from([1e-3, 0.01, 0.3]),
       st.booleans(), st.floats(1e-3, 1.0))
def test_the_network_measures_the_default_rates_share_of_a_weight(sizes, rate, on_grid, typical):
    """"At Kingma & Ba's α = 10⁻³, Adam steps 0.35α: P % of a typical weight": the median
    step per weight (in α) there, and P = α times it over the typical weight; Kingma & Ba are
    named only for 10⁻³; nothing is said of a rate the sweep did not run."""
    from scenes.network import default_caption

    sizes = np.array(sizes)
    line = default_caption("Adam", rate, rate if on_grid else rate * 1.2, typical, sizes)
    if not on_grid:
        assert line is None
        return
    share = readable(100 * rate * np.median(sizes) / typical, 2)
    assert f"{share} % " in line
    assert ("Kingma & Ba" in line) == (rate == 1e-3) or line.startswith(f"At α = {readable(rate)}:")
    if "Adam steps" in line:
        step = readable(float(np.median(sizes)), 2)
        assert f"Adam steps {step}α:" in line or f"Adam steps {step} α:" in line
    CHECKED["network: default rate"] += 1


@SETTINGS
@given(st.floats(1e-4, 0.01), st.floats(1e-3, 1.0), st.floats(-2, 2), st.floats(-1, 3))
def test_the_race_says_when_the_winner_took_the_lead(lr_sgd, lr_adam, x, y):
    """"Adam trails SGD in loss until step K, then stays ahead": K is the last step where the
    racer that ends lower was not below the other, from the raw losses."""
    from scenes.race import lead_caption

    rosen = surfaces.get("rosenbrock")
    runs = run_racers({"sgd": Racer("sgd", lr=lr_sgd), "adam": Racer("adam", lr=lr_adam)},
                      rosen, (x, y), 300, THEMES["dark"])
    line = lead_caption(runs)
    if any(r.traj.diverged for r in runs):
        assert line is None
        return
    sgd_loss, adam_loss = (run(opt, rosen, (x, y), 300).loss for opt in (sgd(lr_sgd),
                                                                          adam(lr_adam)))
    if sgd_loss[-1] == adam_loss[-1]:
        assert line is None
        return
    win, lose = ("Adam", "SGD") if adam_loss[-1] < sgd_loss[-1] else ("SGD", "Adam")
    w, v = (adam_loss, sgd_loss) if win == "Adam" else (sgd_loss, adam_loss)
    behind = [k for k in range(len(w)) if w[k] >= v[k]]
    if not behind:
        assert line == f"{win} is lower in loss than {lose} at every step."
    else:
        assert line in (f"{win} trails {lose} in loss until step {behind[-1]}, then stays ahead.",
                        f"{win} leads in loss only after step {behind[-1]}.")
    CHECKED["race: lead"] += 1
