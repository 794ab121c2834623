"""Optimizers as pure ``(init, update)`` pairs over numpy arrays of any leading batch shape.

Every optimizer is an :class:`Optimizer`: ``init(params) -> state`` and
``update(grads, state, params) -> (updates, new_state)`` with ``new_params = params + updates``.
States are small NamedTuples; nothing is mutated. ``observe(state)`` names the state variables a
trajectory records (``m``, ``v``, ``m_hat``, ``v_hat``, ``v_max``).

Hyperparameters may be floats or arrays that broadcast against the parameters, so one call
advances many runs at once (e.g. ``lr=np.array([[0.01], [0.1]])`` with params of shape ``(2, 2)``).

Formulas follow Kingma & Ba (2015), Algorithm 1, and ``torch.optim`` (eps outside the square root;
AdamW's decoupled decay ``p *= 1 - lr * wd``; AMSGrad keeps the running maximum of the raw ``v``).

References:
    Kingma, D. P. & Ba, J. (2015). Adam: A Method for Stochastic Optimization. ICLR.
    Loshchilov, I. & Hutter, F. (2019). Decoupled Weight Decay Regularization. ICLR.
    Reddi, S. J., Kale, S. & Kumar, S. (2018). On the Convergence of Adam and Beyond. ICLR.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

Array = np.ndarray
State = Any  # each optimizer's own NamedTuple of arrays (StepState, AdamState, ...)


class Optimizer(NamedTuple):
    """A named pure optimizer: ``init``, ``update`` and ``observe`` plus its hyperparameters."""

    name: str
    hyperparams: dict[str, Any]
    init: Callable[[Array], State]
    update: Callable[[Array, State, Array], tuple[Array, State]]
    observe: Callable[[State], dict[str, Array]]


class StepState(NamedTuple):
    t: int  # updates done (Algorithm 1's timestep)


class MomentState(NamedTuple):
    t: int  # updates done (Algorithm 1's timestep)
    m: Array


class SecondMomentState(NamedTuple):
    t: int  # updates done (Algorithm 1's timestep)
    v: Array


class AdamState(NamedTuple):
    t: int  # updates done (Algorithm 1's timestep)
    m: Array  # first moment (EMA of g)
    v: Array  # second raw moment (EMA of g**2)


class AMSGradState(NamedTuple):
    t: int  # updates done (Algorithm 1's timestep)
    m: Array
    v: Array
    v_max: Array  # running maximum of v (before bias correction, as torch.optim)


# --- hyperparameters, declared once -------------------------------------------------------------

@dataclass(frozen=True)
class Hyperparameter:
    """A hyperparameter as every interface shows and checks it (trace's flags, the scenes'
    parameter tables and legends, the README): range, on-screen symbol, one-line doc."""

    name: str
    symbol: str
    doc: str
    low: float
    high: float
    low_closed: bool
    high_closed: bool

    @property
    def interval(self) -> str:
        """The range in interval notation, e.g. ``(0, 100]``."""
        return (f"{'[' if self.low_closed else '('}{self.low:g}, "
                f"{self.high:g}{']' if self.high_closed else ')'}")

    def check(self, value: Any) -> Any:
        """``value`` (a number or an array of them) if every entry is in range, else ValueError."""
        a = np.asarray(value, dtype=float)
        above = a >= self.low if self.low_closed else a > self.low
        below = a <= self.high if self.high_closed else a < self.high
        if not (np.all(np.isfinite(a)) and np.all(above & below)):
            raise ValueError(f"{self.name}={value!r} is out of range: {self.name} must be in "
                             f"{self.interval}")
        return value


HYPERPARAMETERS: dict[str, Hyperparameter] = {h.name: h for h in (
    Hyperparameter("lr", "α", "learning rate", 0, 100, False, True),
    Hyperparameter("beta1", "β₁", "first-moment decay (momentum, Adam family)", 0, 1, True, False),
    Hyperparameter("beta2", "β₂", "second-moment decay (RMSProp, Adam family)", 0, 1, True,
                   False),
    Hyperparameter("eps", "ε", "denominator guard (RMSProp, Adam family)", 0, 1, False, True),
    Hyperparameter("weight_decay", "wd", "decoupled weight decay (AdamW)", 0, 1, True, True),
)}


def _checked(**values: Any) -> None:
    for name, value in values.items():
        if value is not None:
            HYPERPARAMETERS[name].check(value)


# --- the registry --------------------------------------------------------------------------------

@dataclass(frozen=True)
class OptimizerSpec:
    """An optimizer as the interfaces know it: its key, its display name and its factory (whose
    keyword arguments, with their defaults, are its hyperparameters)."""

    name: str
    display: str
    factory: Callable[..., Optimizer]
    scale_free: bool = False  # divides by its own √v: the loss times c leaves its steps alone

    @property
    def defaults(self) -> dict[str, float]:
        return {p.name: p.default
                for p in inspect.signature(self.factory).parameters.values()}

    @property
    def doc(self) -> str:
        return (self.factory.__doc__ or "").strip().splitlines()[0]


REGISTRY: dict[str, OptimizerSpec] = {}
OPTIMIZERS: dict[str, Callable[..., Optimizer]] = {}  # name -> factory, in registration order


def register(display: str, scale_free: bool = False
             ) -> Callable[[Callable[..., Optimizer]], Callable[..., Optimizer]]:
    """Declare an optimizer: ``@register("NAdam")`` over its factory, whose name is its key and
    whose keyword arguments (each a declared hyperparameter) are its hyperparameters. Nothing
    else is needed for it to appear in ``render.py trace``, in the scenes' racers and in
    ``render.py params``. ``scale_free``: its step divides by its own √v, so multiplying the
    loss by a constant leaves its steps unchanged (ε aside); the captions that say why rely
    on it, and ``tests/test_optimizers.py`` checks it."""
    def add(factory: Callable[..., Optimizer]) -> Callable[..., Optimizer]:
        unknown = set(inspect.signature(factory).parameters) - set(HYPERPARAMETERS)
        if unknown:
            raise TypeError(f"{factory.__name__}: undeclared hyperparameters {sorted(unknown)}; "
                            "declare them in HYPERPARAMETERS")
        REGISTRY[factory.__name__] = OptimizerSpec(factory.__name__, display, factory, scale_free)
        OPTIMIZERS[factory.__name__] = factory
        return factory

    return add


def _no_state(state: NamedTuple) -> dict[str, Array]:
    return {}


# --- the optimizers ------------------------------------------------------------------------------

@register("SGD")
def sgd(lr: float = 0.01) -> Optimizer:
    """Plain gradient descent: ``p <- p - lr * g``."""
    _checked(lr=lr)

    def init(params: Array) -> StepState:
        return StepState(0)

    def update(grads: Array, state: StepState, params: Array) -> tuple[Array, StepState]:
        return -lr * grads, StepState(state.t + 1)

    return Optimizer("sgd", {"lr": lr}, init, update, _no_state)


@register("Momentum")
def momentum(lr: float = 0.01, beta1: float = 0.9) -> Optimizer:
    """Momentum in the EMA form used to explain Adam: ``m <- b1 m + (1-b1) g; p <- p - lr m``.

    With ``beta1 = 0`` it is exactly :func:`sgd`. (torch's SGD momentum sums ``m <- b1 m + g``,
    which is this with the learning rate scaled by ``1 / (1 - b1)``.)
    """
    _checked(lr=lr, beta1=beta1)

    def init(params: Array) -> MomentState:
        return MomentState(0, np.zeros_like(params, dtype=float))

    def update(grads: Array, state: MomentState, params: Array) -> tuple[Array, MomentState]:
        m = beta1 * state.m + (1 - beta1) * grads
        return -lr * m, MomentState(state.t + 1, m)

    return Optimizer("momentum", {"lr": lr, "beta1": beta1}, init, update,
                     lambda s: {"m": s.m})


@register("RMSProp", scale_free=True)
def rmsprop(lr: float = 0.01, beta2: float = 0.99, eps: float = 1e-8) -> Optimizer:
    """RMSProp as torch.optim.RMSprop: ``v <- b2 v + (1-b2) g^2; p <- p - lr g / (sqrt(v) + eps)``.

    torch calls ``beta2`` ``alpha`` (default 0.99).
    """
    _checked(lr=lr, beta2=beta2, eps=eps)

    def init(params: Array) -> SecondMomentState:
        return SecondMomentState(0, np.zeros_like(params, dtype=float))

    def update(grads: Array, state: SecondMomentState, params: Array):
        v = beta2 * state.v + (1 - beta2) * grads * grads
        return -lr * grads / (np.sqrt(v) + eps), SecondMomentState(state.t + 1, v)

    return Optimizer("rmsprop", {"lr": lr, "beta2": beta2, "eps": eps}, init, update,
                     lambda s: {"v": s.v})


def _adam_core(name: str, *, lr, beta1, beta2, eps, weight_decay=None, amsgrad=False,
               bias_correction=True):
    """Shared body of Adam, AdamW, AMSGrad and uncorrected Adam (Algorithm 1 and its variants)."""

    def corrections(count: int) -> tuple[float, float]:
        if not bias_correction:
            return 1.0, 1.0
        return 1 - beta1**count, 1 - beta2**count

    def init(params: Array):
        zeros = np.zeros_like(params, dtype=float)
        if amsgrad:
            return AMSGradState(0, zeros, zeros, zeros)
        return AdamState(0, zeros, zeros)

    def update(grads: Array, state, params: Array):
        t = state.t + 1
        m = beta1 * state.m + (1 - beta1) * grads
        v = beta2 * state.v + (1 - beta2) * grads * grads
        c1, c2 = corrections(t)
        new_state: State
        if amsgrad:
            v_max = np.maximum(state.v_max, v)
            denom = np.sqrt(v_max / c2) + eps
            new_state = AMSGradState(t, m, v, v_max)
        else:
            denom = np.sqrt(v / c2) + eps
            new_state = AdamState(t, m, v)
        updates = -lr * (m / c1) / denom
        if weight_decay is not None:
            updates = updates - lr * weight_decay * params
        return updates, new_state

    def observe(state) -> dict[str, Array]:
        out = {"m": state.m, "v": state.v}
        if bias_correction:
            c1, c2 = corrections(state.t) if state.t else (1.0, 1.0)
            out["m_hat"] = state.m / c1
            out["v_hat"] = state.v / c2
        if amsgrad:
            out["v_max"] = state.v_max
        return out

    hyper = {"lr": lr, "beta1": beta1, "beta2": beta2, "eps": eps}
    if weight_decay is not None:
        hyper["weight_decay"] = weight_decay
    return Optimizer(name, hyper, init, update, observe)


@register("Adam", scale_free=True)
def adam(lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
         eps: float = 1e-8) -> Optimizer:
    """Adam, Kingma & Ba (2015), Algorithm 1::

        m <- b1 m + (1-b1) g          v <- b2 v + (1-b2) g^2
        m_hat = m / (1 - b1^t)        v_hat = v / (1 - b2^t)
        p <- p - lr * m_hat / (sqrt(v_hat) + eps)

    eps is added outside the square root, as in the paper and torch.optim.Adam (optax's
    ``eps_root`` is a different knob).
    """
    _checked(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    return _adam_core("adam", lr=lr, beta1=beta1, beta2=beta2, eps=eps)


@register("Adam (uncorrected)", scale_free=True)
def adam_uncorrected(lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                     eps: float = 1e-8) -> Optimizer:
    """Adam with bias correction switched off: ``p <- p - lr * m / (sqrt(v) + eps)``.

    Only for showing what the correction does: with the default betas the first step is
    ``(1 - b1) / sqrt(1 - b2)`` (about 3.2) times the corrected one.
    """
    _checked(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    return _adam_core("adam_uncorrected", lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                      bias_correction=False)


@register("AdamW", scale_free=True)
def adamw(lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
          weight_decay: float = 0.01) -> Optimizer:
    """AdamW as torch.optim.AdamW: Adam plus decoupled decay ``p <- p - lr * wd * p``."""
    _checked(lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay)
    return _adam_core("adamw", lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                      weight_decay=weight_decay)


@register("AMSGrad", scale_free=True)
def amsgrad(lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
            eps: float = 1e-8) -> Optimizer:
    """AMSGrad as torch.optim.Adam(amsgrad=True): the denominator uses ``max_t v_t``."""
    _checked(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    return _adam_core("amsgrad", lr=lr, beta1=beta1, beta2=beta2, eps=eps, amsgrad=True)


def hyperparameters(name: str) -> dict[str, float]:
    """The hyperparameters the optimizer ``name`` takes, with their defaults."""
    return REGISTRY[name].defaults


def make(name: str, **hyper: Any) -> Optimizer:
    """Build an optimizer by name; unknown names and hyperparameters raise ValueError."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of: {', '.join(OPTIMIZERS)}")
    allowed = hyperparameters(name)
    extra = sorted(set(hyper) - set(allowed))
    if extra:
        raise ValueError(f"optimizer {name} takes no {', '.join(extra)} "
                         f"(it takes: {', '.join(allowed)})")
    return OPTIMIZERS[name](**hyper)
