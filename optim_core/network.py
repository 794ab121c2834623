"""A tiny network on real data: a one-hidden-layer tanh classifier of handwritten digits.

The data are scikit-learn's bundled digits (1,797 images of 8 x 8 pixels, shipped inside the
package: nothing is downloaded), scaled to [0, 1] and split once into a training and a test set
with a fixed seed. The network is ``softmax(tanh(x W1 + b1) W2 + b2)`` with the cross-entropy
loss, averaged over the batch (``reduction="mean"``, as torch's default) or summed over it
(``"sum"``: the same loss times the batch size, so gradients ``batch`` times larger).

Forward and backward are written out in numpy and **batched over runs**: every learning rate
and every initialisation seed of a sweep trains in one call, through the very optimizers the 2D
scenes use (:func:`optim_core.optimizers.make`; the learning rates are a batch axis of shape
``(n_lr, 1, 1)`` against weights of shape ``(n_lr, n_seed, n_weights)``). All runs see the same
batches in the same order (a fixed data seed), so rates and optimizers differ in nothing else.

Every run's weights are one flat vector (:class:`Shape` says where W1, b1, W2 and b2 lie in it);
layer 1 is ``W1, b1`` (pixels to hidden units), layer 2 is ``W2, b2`` (hidden units to the ten
digit scores). Per step, the size (root mean square) of the gradient and of the update over each
of these four groups is recorded: how different the layers' gradients are, and how large a step
each optimizer takes per weight in each of them.

A run diverges when its loss or weights stop being finite or a weight leaves ±``bound`` (as the
2D trajectories); it is then frozen at its last valid weights and recorded, never raised.
"""

from __future__ import annotations

import csv
import io
import os
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from .optimizers import make
from .sweep import Sweep
from .trajectory import DEFAULT_BOUND

Array = np.ndarray

REDUCTIONS = ("mean", "sum")
# The weight groups whose gradient and update sizes are recorded: each layer's weights and biases
GROUPS = ("W1", "b1", "W2", "b2")
GROUP_NAMES = {"W1": "layer 1 weights", "b1": "layer 1 biases", "W2": "layer 2 weights",
               "b2": "layer 2 biases"}


# --- the data ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Digits:
    """The digits, split: inputs in [0, 1] (n, 64) and labels 0-9 (n,)."""

    x_train: Array
    y_train: Array
    x_test: Array
    y_test: Array

    @property
    def inputs(self) -> int:
        return self.x_train.shape[1]

    @property
    def classes(self) -> int:
        return int(max(self.y_train.max(), self.y_test.max())) + 1

    @property
    def size(self) -> int:
        return len(self.y_train) + len(self.y_test)


DIGITS_IMAGES = 1797  # images in scikit-learn's bundled digits (tests/test_network.py checks)


def held_out(test_fraction: float) -> int:
    """How many of the digits are held out for testing at ``test_fraction``."""
    return int(round(test_fraction * DIGITS_IMAGES))


@lru_cache(maxsize=8)
def digits(test_fraction: float = 0.25, seed: int = 0) -> Digits:
    """scikit-learn's bundled digits (no download), pixels scaled from 0-16 to [0, 1], split
    once at random with ``seed``: ``test_fraction`` of the images are held out for testing."""
    from sklearn.datasets import load_digits

    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    data = load_digits()
    x = np.asarray(data.data, dtype=float) / 16.0
    y = np.asarray(data.target, dtype=np.int64)
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = held_out(test_fraction)
    test, train = order[:n_test], order[n_test:]
    out = Digits(x[train], y[train], x[test], y[test])
    for a in (out.x_train, out.y_train, out.x_test, out.y_test):
        a.flags.writeable = False  # shared by every caller of the cache
    return out


def batch_order(n_train: int, batch: int, steps: int, seed: int = 0) -> Array:
    """The training examples of every step, ``(steps, batch)``: the training set shuffled once
    per epoch (a fixed seed) and cut into batches; an incomplete last batch of an epoch is
    dropped (as ``drop_last=True``), so every step averages over exactly ``batch`` examples."""
    if not 1 <= batch <= n_train:
        raise ValueError(f"batch must be in [1, {n_train}], got {batch}")
    per_epoch = n_train // batch
    rng = np.random.default_rng(seed)
    epochs = -(-steps // per_epoch)
    rows = [rng.permutation(n_train)[: per_epoch * batch].reshape(per_epoch, batch)
            for _ in range(epochs)]
    return np.concatenate(rows)[:steps] if rows else np.zeros((0, batch), dtype=np.int64)


# --- the network ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Shape:
    """Sizes of the network: ``inputs -> hidden (tanh) -> outputs (softmax)``."""

    inputs: int = 64
    hidden: int = 32
    outputs: int = 10

    @property
    def parts(self) -> dict[str, tuple[int, int, tuple[int, ...]]]:
        """name -> (start, stop, shape) of each parameter in the flat weight vector."""
        shapes = {"W1": (self.inputs, self.hidden), "b1": (self.hidden,),
                  "W2": (self.hidden, self.outputs), "b2": (self.outputs,)}
        out, at = {}, 0
        for name, shape in shapes.items():
            n = int(np.prod(shape))
            out[name] = (at, at + n, shape)
            at += n
        return out

    @property
    def size(self) -> int:
        """The number of weights (biases included)."""
        return self.parts["b2"][1]

    @property
    def group_bounds(self) -> tuple[tuple[int, int], ...]:
        """``(start, stop)`` of each of :data:`GROUPS` in the flat vector."""
        return tuple(self.parts[g][:2] for g in GROUPS)

    def unpack(self, theta: Array) -> dict[str, Array]:
        """Views of W1 (..., inputs, hidden), b1, W2 (..., hidden, outputs), b2 in ``theta``."""
        lead = theta.shape[:-1]
        return {name: theta[..., a:b].reshape(*lead, *shape)
                for name, (a, b, shape) in self.parts.items()}


def init_weights(shape: Shape, seeds: Any) -> Array:
    """One weight vector per seed, ``(n_seed, size)``: every W and b uniform in
    ``±1/sqrt(fan_in)``, as ``torch.nn.Linear`` initialises them."""
    seeds = np.atleast_1d(np.asarray(seeds, dtype=np.int64))
    out = np.empty((len(seeds), shape.size))
    fan_in = {"W1": shape.inputs, "b1": shape.inputs, "W2": shape.hidden, "b2": shape.hidden}
    for i, seed in enumerate(seeds):
        rng = np.random.default_rng(int(seed))
        for name, (a, b, _) in shape.parts.items():
            k = 1.0 / np.sqrt(fan_in[name])
            out[i, a:b] = rng.uniform(-k, k, b - a)
    return out


class Workspace:
    """Scratch arrays for :func:`loss_and_grad` on ``runs`` runs and batches of ``batch``
    examples, reused from step to step (a fresh 1 MB temporary per operation costs more
    than the arithmetic at these sizes)."""

    def __init__(self, shape: Shape, runs: int, batch: int):
        self.key = (shape, runs, batch)
        self.h = np.empty((runs, batch, shape.hidden))
        self.da = np.empty_like(self.h)
        self.z = np.empty((runs, batch, shape.outputs))
        self.p = np.empty_like(self.z)
        self.top = np.empty((runs, batch, 1))
        self.total = np.empty_like(self.top)


def _forward(shape: Shape, w: dict[str, Array], x: Array, work: Workspace) -> None:
    """Hidden activations into ``work.h`` (R, B, hidden), scores into ``work.z``."""
    np.matmul(x, w["W1"], out=work.h)
    work.h += w["b1"][:, None, :]
    np.tanh(work.h, out=work.h)
    np.matmul(work.h, w["W2"], out=work.z)
    work.z += w["b2"][:, None, :]


def _softmax(work: Workspace) -> Array:
    """Shifted scores in ``work.z``, softmax in ``work.p``; returns log(sum exp) (R, B, 1)."""
    np.max(work.z, axis=-1, keepdims=True, out=work.top)
    work.z -= work.top
    np.exp(work.z, out=work.p)
    np.sum(work.p, axis=-1, keepdims=True, out=work.total)
    work.p /= work.total
    return np.log(work.total)


def _picked(z: Array, y: Array) -> Array:
    """Each example's score of its own label, (R, B)."""
    return z[:, np.arange(len(y)), y]


def _runs(shape: Shape, theta: Array, batch: int,
          work: Workspace | None) -> tuple[Array, dict[str, Array], Workspace]:
    flat = theta.reshape(-1, shape.size)
    if work is None or work.key != (shape, len(flat), batch):
        work = Workspace(shape, len(flat), batch)
    return flat, shape.unpack(flat), work


def loss_and_grad(shape: Shape, theta: Array, x: Array, y: Array, reduction: str = "mean",
                  work: Workspace | None = None) -> tuple[Array, Array]:
    """Cross-entropy of every run on the batch ``(x, y)`` and its gradient, written out.

    ``theta`` is ``(..., size)``; returns the losses ``(...)`` and gradients ``(..., size)``
    (new arrays; ``work`` only holds scratch). With ``reduction="sum"`` both are exactly
    ``len(y)`` times those of ``"mean"``.
    """
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")
    lead = theta.shape[:-1]
    flat, w, work = _runs(shape, theta, len(y), work)
    _forward(shape, w, x, work)
    log_total = _softmax(work)
    loss = (log_total[..., 0] - _picked(work.z, y)).sum(axis=-1)
    # d loss / d scores: softmax minus the one-hot label (over the batch size for the mean)
    dz = work.p
    dz[:, np.arange(len(y)), y] -= 1.0
    if reduction == "mean":
        loss /= len(y)
        dz /= len(y)
    grad = np.empty_like(flat)
    g = shape.unpack(grad)
    h, da = work.h, work.da
    np.matmul(np.swapaxes(h, -1, -2), dz, out=g["W2"])
    np.sum(dz, axis=1, out=g["b2"])
    np.matmul(dz, np.swapaxes(w["W2"], -1, -2), out=da)
    h *= h
    np.subtract(1.0, h, out=h)
    da *= h  # back through tanh: d tanh(a) / da = 1 - tanh(a)^2
    np.matmul(x.T, da, out=g["W1"])
    np.sum(da, axis=1, out=g["b1"])
    return loss.reshape(lead), grad.reshape(*lead, shape.size)


def evaluate(shape: Shape, theta: Array, x: Array, y: Array,
             work: Workspace | None = None) -> tuple[Array, Array]:
    """Mean cross-entropy and accuracy (share of ``y`` predicted right) of every run."""
    lead = theta.shape[:-1]
    _, w, work = _runs(shape, theta, len(y), work)
    _forward(shape, w, x, work)
    right = work.z.argmax(axis=-1) == y[None, :]
    loss = (_softmax(work)[..., 0] - _picked(work.z, y)).mean(axis=-1)
    return loss.reshape(lead), right.mean(axis=-1).reshape(lead)


def group_rms(shape: Shape, values: Array) -> Array:
    """Root mean square of ``values`` (..., size) over each group of weights (..., groups)."""
    out = [np.einsum("...p,...p->...", values[..., lo:hi], values[..., lo:hi]) / (hi - lo)
           for lo, hi in shape.group_bounds]
    return np.sqrt(np.stack(out, axis=-1))


DEFAULT_LR = 1e-3  # deep learning's usual learning rate (PyTorch's default for Adam)


# --- training many runs at once ------------------------------------------------------------------

@dataclass(frozen=True)
class Setup:
    """Everything about a training run except the optimizer and its learning rate."""

    hidden: int = 32
    steps: int = 300
    batch: int = 64
    reduction: str = "mean"
    data_seed: int = 0  # the train/test split and the batch order
    test_fraction: float = 0.25
    eval_every: int = 0  # also evaluate every this many steps (0: only at the start and end)
    bound: float = DEFAULT_BOUND

    def check(self) -> None:
        if self.reduction not in REDUCTIONS:
            raise ValueError(f"reduction must be one of {REDUCTIONS}, got {self.reduction!r}")
        if self.hidden < 1 or self.steps < 1 or self.batch < 1 or self.eval_every < 0:
            raise ValueError("hidden, steps and batch must be at least 1, eval_every at least 0")

    def data(self) -> Digits:
        return digits(self.test_fraction, self.data_seed)

    def train_size(self) -> int:
        """How many images it trains on, without loading them (a parameter check's need)."""
        return DIGITS_IMAGES - held_out(self.test_fraction)

    def shape(self) -> Shape:
        d = self.data()
        return Shape(d.inputs, self.hidden, d.classes)

    def eval_steps(self) -> Array:
        if self.eval_every <= 0:
            return np.array([0, self.steps])
        return np.unique(np.append(np.arange(0, self.steps, self.eval_every), self.steps))


@dataclass(frozen=True)
class Training:
    """What a batch of runs did: one optimizer, rates x seeds, every step recorded.

    Row ``k`` of the per-step arrays is update ``k + 1``: the batch loss at the weights before
    it, the gradient's and the update's size per group of weights (:data:`GROUPS`). NaN from
    a run's divergence on.
    """

    optimizer: str
    hyperparams: dict[str, float]  # besides the learning rate
    lrs: Array  # (n_lr,)
    seeds: Array  # (n_seed,)
    setup: Setup
    shape: Shape
    batch_loss: Array  # (steps, n_lr, n_seed)
    grad_rms: Array  # (steps, n_lr, n_seed, groups): RMS of the gradient over each group
    update_rms: Array  # (steps, n_lr, n_seed, groups): RMS of the update over each group
    eval_steps: Array  # (n_eval,)
    train_loss: Array  # (n_eval, n_lr, n_seed): mean loss on the whole training set
    test_loss: Array  # (n_eval, n_lr, n_seed)
    test_accuracy: Array  # (n_eval, n_lr, n_seed)
    diverged_at: Array  # (n_lr, n_seed): the first update whose result was invalid, -1 if none
    final_weights: Array = field(repr=False)  # (n_lr, n_seed, size), the last valid weights

    @property
    def diverged(self) -> Array:
        return self.diverged_at >= 0

    @property
    def accuracy(self) -> Array:
        """Final test accuracy (n_lr, n_seed); NaN where the run diverged."""
        return np.where(self.diverged, np.nan, self.test_accuracy[-1])

    def sweep(self, name: str | None = None) -> Sweep:
        """The runs as a learning-rate sweep over the test error (1 - accuracy): works(t)
        is "median test accuracy above 1 - t", a diverged run worse than any."""
        return Sweep(name or self.optimizer, self.lrs, 1.0 - self.accuracy, self.diverged_at)

    def columns(self, i_lr: int = 0, i_seed: int = 0) -> dict[str, Array]:
        """One run as named columns per step, up to its divergence: a training log to read or
        plot. Row ``k`` holds the weights after ``k`` updates: the test loss and accuracy where
        they were evaluated (else NaN), then update ``k + 1``'s batch loss and the sizes of
        its gradient and update (NaN on the last row, after the last update)."""
        steps = self.setup.steps
        diverged = self.diverged_at[i_lr, i_seed] >= 0
        n = int(self.diverged_at[i_lr, i_seed]) if diverged else steps + 1
        acc = np.full(steps + 1, np.nan)
        test_loss = np.full(steps + 1, np.nan)
        acc[self.eval_steps] = self.test_accuracy[:, i_lr, i_seed]
        test_loss[self.eval_steps] = self.test_loss[:, i_lr, i_seed]

        def per_update(values: Array) -> Array:
            return np.append(values, np.nan)[:n]  # no update after the last row

        cols = {"step": np.arange(n), "test_loss": test_loss[:n], "test_accuracy": acc[:n],
                "batch_loss": per_update(self.batch_loss[:, i_lr, i_seed])}
        for j, tag in enumerate(GROUPS):
            cols[f"grad_rms_{tag}"] = per_update(self.grad_rms[:, i_lr, i_seed, j])
            cols[f"update_rms_{tag}"] = per_update(self.update_rms[:, i_lr, i_seed, j])
        return cols

    def to_csv(self, i_lr: int = 0, i_seed: int = 0) -> str:
        cols = self.columns(i_lr, i_seed)
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(cols)
        for row in zip(*cols.values(), strict=True):
            writer.writerow([int(row[0]), *(repr(float(v)) for v in row[1:])])
        return buf.getvalue()


_TRAINED: OrderedDict[tuple, Training] = OrderedDict()
CACHED = 64  # trainings kept: a scene built twice (facts, then render) trains once


def train(optimizer: str, lrs: Any, seeds: Any, setup: Setup = Setup(),
          **hyper: float) -> Training:
    """Train one network per (learning rate, seed) with ``optimizer`` (by name, with ``hyper``
    besides lr), all in one batched loop through the core's own update function.

    Results are deterministic, so the last few are kept (read-only) and a repeated call with
    the same arguments returns the same :class:`Training`."""
    setup.check()
    lrs = np.atleast_1d(np.asarray(lrs, dtype=float))
    seeds = np.atleast_1d(np.asarray(seeds, dtype=np.int64))
    key = (optimizer, tuple(sorted(hyper.items())), lrs.tobytes(), seeds.tobytes(), setup)
    if key in _TRAINED:
        _TRAINED.move_to_end(key)
        return _TRAINED[key]
    out = _train(optimizer, lrs, seeds, setup, hyper)
    for value in vars(out).values():
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
    _TRAINED[key] = out
    while len(_TRAINED) > CACHED:
        _TRAINED.popitem(last=False)
    return out


def _train(optimizer: str, lrs: Array, seeds: Array, setup: Setup,
           hyper: dict[str, float],
           fed: Callable[[int, Array], None] | None = None) -> Training:
    data, shape = setup.data(), setup.shape()
    opt = make(optimizer, lr=lrs[:, None, None], **hyper)
    order = batch_order(len(data.y_train), setup.batch, setup.steps, setup.data_seed)
    runs = (len(lrs), len(seeds))
    theta = np.array(np.broadcast_to(init_weights(shape, seeds), (*runs, shape.size)))
    state = opt.init(theta)
    steps, groups = setup.steps, len(GROUPS)
    batch_loss = np.full((steps, *runs), np.nan)
    grad_rms = np.full((steps, *runs, groups), np.nan)
    update_rms = np.full_like(grad_rms, np.nan)
    eval_steps = setup.eval_steps()
    evals = {k: np.full((len(eval_steps), *runs), np.nan) for k in ("train", "test", "acc")}
    diverged_at = np.full(runs, -1, dtype=int)
    alive = np.ones(runs, dtype=bool)

    work = Workspace(shape, int(np.prod(runs)), setup.batch)
    eval_work: dict[int, Workspace] = {}

    def record_eval(k: int, theta: Array) -> None:
        i = int(np.searchsorted(eval_steps, k))
        if i < len(eval_steps) and eval_steps[i] == k:
            for y in (data.y_train, data.y_test):
                if len(y) not in eval_work:
                    eval_work[len(y)] = Workspace(shape, int(np.prod(runs)), len(y))
            evals["train"][i] = evaluate(shape, theta, data.x_train, data.y_train,
                                         eval_work[len(data.y_train)])[0]
            evals["test"][i], evals["acc"][i] = evaluate(shape, theta, data.x_test,
                                                         data.y_test, eval_work[len(data.y_test)])
            for a in evals.values():
                a[i][~alive] = np.nan

    def valid(loss: Array, theta: Array) -> Array:
        # A finite loss at finite weights below the bound means a finite gradient too.
        far = np.maximum(theta.max(axis=-1), -theta.min(axis=-1))
        return np.isfinite(loss) & (far <= setup.bound)

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        record_eval(0, theta)
        idx = order[0]
        loss, grad = loss_and_grad(shape, theta, data.x_train[idx], data.y_train[idx],
                                   setup.reduction, work)
        alive &= valid(loss, theta)
        diverged_at[~alive] = 0
        for k in range(1, steps + 1):
            batch_loss[k - 1] = np.where(alive, loss, np.nan)
            grad_rms[k - 1] = np.where(alive[..., None], group_rms(shape, grad), np.nan)
            if fed is not None:
                fed(k, np.where(alive[..., None], grad, np.nan))
            update, state = opt.update(grad, state, theta)
            new = theta + update
            update_rms[k - 1] = np.where(alive[..., None], group_rms(shape, update), np.nan)
            if k < steps:
                idx = order[k]
                new_loss, new_grad = loss_and_grad(shape, new, data.x_train[idx],
                                                   data.y_train[idx], setup.reduction, work)
            else:  # after the last update only the weights need to be valid
                new_loss, new_grad = np.zeros(runs), grad
            ok = valid(new_loss, new)
            if np.all(ok) and np.all(alive):
                theta, loss, grad = new, new_loss, new_grad
            else:  # a run that diverges keeps its last valid weights from here on
                diverged_at[alive & ~ok] = k
                alive &= ok
                keep = alive[..., None]
                theta = np.where(keep, new, theta)
                loss, grad = np.where(alive, new_loss, loss), np.where(keep, new_grad, grad)
            record_eval(k, theta)
    return Training(optimizer, dict(hyper), lrs, seeds, setup, shape, batch_loss, grad_rms,
                    update_rms, eval_steps, evals["train"], evals["test"], evals["acc"],
                    diverged_at, theta)


# --- what the runs say ---------------------------------------------------------------------------

def gradient_history(optimizer: str, lr: float, seed: int, setup: Setup = Setup(),
                     **hyper: float) -> Array:
    """The gradients one training fed its optimizer, ``(steps, size)``: row ``k`` is update
    ``k + 1``'s (NaN from a divergence on). The run is the one :func:`train` makes."""
    setup.check()
    rows = np.full((setup.steps, setup.shape().size), np.nan)

    def keep(k: int, grad: Array) -> None:
        rows[k - 1] = grad[0, 0]

    _train(optimizer, np.array([float(lr)]), np.array([seed]), setup, hyper, keep)
    return rows


@dataclass(frozen=True)
class StepCauses:
    """Why a step of Adam's kind, α·m̂/√v̂, is shorter than α: per weight and step,
    |m̂|/√v̂ = agreement × memory, where r is the root of a β₁-average of g² (over the
    gradients m̂ averages), ``agreement`` = |m̂|/r (1 when their signs agree, less when they
    cancel) and ``memory`` = r/√v̂ (the recent gradients' size over √v̂, which averages over
    about 1/(1 - β₂) steps: under 1 when the gradients shrink). Medians over the run's steps
    and the weights of each group (a weight whose gradient is 0 left out)."""

    agreement: Array  # (groups,)
    memory: Array  # (groups,)
    ratio: Array  # (groups,): |m̂|/√v̂ itself


def step_causes(shape: Shape, grads: Array, beta1: float, beta2: float) -> StepCauses:
    """:class:`StepCauses` of the gradients ``grads`` (steps, size) one run fed its optimizer,
    with Adam's recurrences (m and v from zero, both corrected)."""
    grads = grads[np.all(np.isfinite(grads), axis=1)]
    m, v, s = (np.zeros(shape.size) for _ in range(3))
    parts: dict[str, list[Array]] = {"agreement": [], "memory": [], "ratio": []}
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        s = beta1 * s + (1 - beta1) * g * g
        m_hat = np.abs(m) / (1 - beta1 ** t)
        root_v = np.sqrt(v / (1 - beta2 ** t))
        r = np.sqrt(s / (1 - beta1 ** t))
        with np.errstate(divide="ignore", invalid="ignore"):
            parts["agreement"].append(np.where(r > 0, m_hat / r, np.nan))
            parts["memory"].append(np.where(root_v > 0, r / root_v, np.nan))
            parts["ratio"].append(np.where(root_v > 0, m_hat / root_v, np.nan))
    out = {}
    for name, rows in parts.items():
        values = np.array(rows) if rows else np.full((0, shape.size), np.nan)
        out[name] = np.array([np.nanmedian(values[:, lo:hi]) if np.any(
            np.isfinite(values[:, lo:hi])) else np.nan for lo, hi in shape.group_bounds])
    return StepCauses(**out)


def group_median(values: Array) -> Array:
    """Per group, the median over steps and seeds (NaN rows ignored) of ``values``
    (steps, n_seed, groups): the typical size; NaN for a group with no valid row."""
    flat = values.reshape(-1, values.shape[-1])
    out = np.full(flat.shape[-1], np.nan)
    for j in range(flat.shape[-1]):
        col = flat[:, j][np.isfinite(flat[:, j])]
        if col.size:
            out[j] = float(np.median(col))
    return out


def gradient_sizes(t: Training, i_lr: int) -> Array:
    """The typical gradient per weight in each group along the runs at rate ``i_lr``."""
    return group_median(t.grad_rms[:, i_lr])


def steps_over_lr(t: Training, i_lr: int) -> Array:
    """The typical update per weight in each group, divided by the learning rate, along the
    runs at rate ``i_lr``: SGD's is the gradient's own size; Adam's about 1 or a little less
    (|m̂ / √v̂| <= 1 when the gradients' signs agree, smaller when they are noisy)."""
    return group_median(t.update_rms[:, i_lr]) / t.lrs[i_lr]


def spread(sizes: Array) -> float:
    """How many times the largest of ``sizes`` is the smallest (>= 1); NaN when any is
    missing or zero."""
    sizes = np.asarray(sizes, dtype=float)
    if sizes.size == 0 or np.any(~np.isfinite(sizes)) or np.any(sizes <= 0):
        return float("nan")
    return float(sizes.max() / sizes.min())


def train_all(jobs: list[tuple[str, dict[str, float]]], lrs: Any, seeds: Any,
              setup: Setup = Setup(), workers: int | None = None) -> list[Training]:
    """:func:`train` for several optimizers ``(name, hyperparameters)`` over the same rates,
    seeds and batches, in threads (numpy releases the GIL in its loops, so on two cores two
    optimizers train at once). The results are exactly those of one :func:`train` each."""
    from concurrent.futures import ThreadPoolExecutor

    workers = workers or min(len(jobs), os.cpu_count() or 1)
    if workers <= 1 or len(jobs) <= 1:
        return [train(name, lrs, seeds, setup, **hyper) for name, hyper in jobs]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(train, name, lrs, seeds, setup, **hyper) for name, hyper in jobs]
        return [f.result() for f in futures]
