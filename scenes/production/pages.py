"""Interactive pages (`render.py explore`): a scene's surface in 3D with its racers' paths, a
slider over the steps and a few learning rates per racer, in one self-contained HTML file that
works offline (plotly, with plotly.js inside the file).

Every path on a page is computed as the scene computes it: each racer's optimizer from
:mod:`optim_core` with the racer's own hyperparameters, from the scene's start, for the scene's
steps (all of a racer's rates in one batched run), coloured as in the video. The words are the
scene's own: the legend states each racer's caption at the rate chosen, and the note under the
plot the video's captions at the racers' own rates.

This module draws nothing with Manim; it takes the scenes' caption functions (their modules
import Manim, as every scene does).
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from optim_core import HYPERPARAMETERS, Surface, Trajectory, make, run
from optim_core.analysis import escape_outcomes, focus_point, outcomes
from optim_core.optimizers import hyperparameters
from scenes.framework.palette import Theme, optimizer_colors
from scenes.framework.plot2d import value_scale
from scenes.framework.racers import start_caption
from scenes.framework.style import point_text
from scenes.production.files import replacing
from scenes.race import outcome_captions
from scenes.saddle import escape_captions

RATE_FACTORS = (0.1, 0.3, 1.0, 3.0, 10.0)  # each racer's own learning rate times these
GRID = 120  # surface samples per side (a Rosenbrock valley narrower than that would hide paths)
MAX_POSITIONS = 100  # slider positions at most; every step when a scene takes fewer
DIV_ID = "explore"  # the plot's element id (the tests find it by this)
LR = HYPERPARAMETERS["lr"]


@dataclass(frozen=True)
class Run:
    """One racer at one learning rate: what the scenes' outcome functions read."""

    name: str
    traj: Trajectory


def race_captions(runs: list[Run], surface: Surface, p: Any) -> list[str]:
    return outcome_captions(outcomes(runs, surface, p.tolerance), p.steps, p.tolerance)


def saddle_captions(runs: list[Run], surface: Surface, p: Any) -> list[str]:
    return escape_captions(escape_outcomes(runs, surface, p.radius), p.steps, p.radius,
                           focus_point(surface))


# The scenes that have a page: their captions, as the scene states them (the first line of a
# one-racer list is that racer's own line).
CAPTIONS: dict[str, Callable[[list[Run], Surface, Any], list[str]]] = {
    "race": race_captions, "saddle": saddle_captions}


def own_rate(racer: Any) -> float:
    return racer.lr if racer.lr is not None else hyperparameters(racer.optimizer)["lr"]


def rates(racer: Any) -> list[float]:
    """The racer's own learning rate and a few around it (3 significant figures), those the
    core accepts."""
    own = own_rate(racer)
    out = []
    for factor in RATE_FACTORS:
        rate = own if factor == 1 else float(f"{own * factor:.3g}")
        try:
            out.append(LR.check(rate))
        except ValueError:  # beyond the core's range for lr
            continue
    return out


def racer_runs(racer: Any, lrs: list[float], surface: Surface, start: Any,
               steps: int) -> list[Run]:
    """The racer at every rate of ``lrs``: one batched run of the core (rates on the batch
    axis), each row the same as the scene's own run at that rate."""
    opt = make(racer.optimizer, **{**racer.hyper(), "lr": np.asarray(lrs)[:, None]})
    traj = run(opt, surface, np.broadcast_to(np.asarray(start, dtype=float), (len(lrs), 2)),
               steps)
    return [Run(racer.name, traj[i]) for i in range(len(lrs))]


def short(values: np.ndarray) -> list[float | None]:
    """Numbers as 6 significant figures for the page's JSON; NaN as null (a gap)."""
    return [float(f"{v:.6g}") if np.isfinite(v) else None for v in values.tolist()]


def heights(surface: Surface, z: np.ndarray) -> tuple[Callable[[np.ndarray], np.ndarray], dict]:
    """The height a loss is drawn at and the z axis that labels it: for a surface whose values
    span decades (``levels="log"``), the scale the scenes colour it with, ticks at decades of
    the loss; else the loss itself."""
    if surface.levels != "log":
        return (lambda v: v), {"title": {"text": "loss"}}
    to_unit, _ = value_scale(z, "log")
    zmin = float(np.min(z))
    top = int(np.floor(np.log10(max(float(np.max(z)) - zmin, 1e-12))))
    ticks = [(u, f"{10.0 ** k:,g}") for k in range(top - 6, top + 1)  # decades above the floor
             if (u := float(to_unit(np.array(zmin + 10.0 ** k)))) >= 0.05]
    return to_unit, {"title": {"text": "loss (log scale)"}, "tickvals": [t[0] for t in ticks],
                     "ticktext": [t[1] for t in ticks]}


def camera(p: Any) -> dict:
    """The video's view where the scene has one (the saddle's azimuth and elevation)."""
    az, el = np.radians(getattr(p, "azimuth", -60.0)), np.radians(getattr(p, "elevation", 35.0))
    eye = 2.0 * np.array([np.cos(az) * np.cos(el), np.sin(az) * np.cos(el), np.sin(el)])
    return {"eye": dict(zip("xyz", eye.tolist(), strict=True))}


def slider_steps(steps: int) -> list[int]:
    return sorted({int(round(k)) for k in np.linspace(0, steps, min(steps, MAX_POSITIONS) + 1)})


def page_data(key: str, p: Any, theme: Theme) -> dict:
    """Everything a page shows, computed: the surface grid, each racer's paths at each rate
    with its caption, the video's captions, and the slider's steps."""
    surface, start = p.resolved(), p.start_point()
    X, Y, Z = surface.grid(GRID)
    to_height, zaxis = heights(surface, Z)
    H = to_height(Z)
    lift = 0.01 * float(np.ptp(H))  # paths just above the mesh, not inside it
    colors = optimizer_colors(p.racers, theme)
    captions = CAPTIONS[key]
    racers, own_runs = [], []
    for rkey, racer in p.racers.items():
        lrs = rates(racer)
        runs = racer_runs(racer, lrs, surface, start, p.steps)
        own = lrs.index(own_rate(racer))
        own_runs.append(runs[own])
        variants = []
        for i, (rate, r) in enumerate(zip(lrs, runs, strict=True)):
            n = r.traj.valid_steps
            pos, loss = r.traj.position[:n], r.traj.loss[:n]
            inside = surface.in_domain(pos)
            shown = np.where(inside[:, None], pos, np.nan)
            variants.append({
                "lr": rate, "own": i == own,
                "caption": captions([r], surface, p)[0],
                "x": short(shown[:, 0]), "y": short(shown[:, 1]),
                "z": short(np.where(inside, to_height(loss) + lift, np.nan)),
                "loss": short(loss)})
        racers.append({"key": rkey, "name": racer.name, "color": colors[rkey], "own": own,
                       "variants": variants})
    return {"surface": surface, "start": start, "grid": (X, Y, Z, H), "height": to_height,
            "zaxis": zaxis,
            "racers": racers, "steps": p.steps, "positions": slider_steps(p.steps),
            "video": [start_caption(own_runs, start), *captions(own_runs, surface, p)],
            "camera": camera(p)}


def esc(text: str) -> str:
    """Plain text for plotly's labels (which read a little HTML): shown as typed."""
    return html.escape(text, quote=False)


def legend_name(variant: dict) -> str:
    return esc(f"{LR.symbol} {variant['lr']:g} · {variant['caption']}")


def hover(name: str, variant: dict) -> str:
    return (f"<b>{esc(name)}</b>, {LR.symbol} {variant['lr']:g}<br>step %{{customdata[0]}}"
            "<br>(x, y) = (%{x:.4g}, %{y:.4g})<br>loss %{customdata[1]:.4g}<extra></extra>")


def figure(data: dict, theme: Theme):
    """The plotly figure: surface, landmarks, one path and one head per racer (the racers' own
    rates, whole paths), a slider over the steps, a rate menu per racer and Play."""
    import plotly.graph_objects as go

    surface = data["surface"]
    X, Y, Z, H = data["grid"]
    ramp = theme.surface
    fig = go.Figure()
    fig.add_trace(go.Surface(
        x=X[0], y=Y[:, 0], z=H, customdata=Z, name=surface.title, showscale=False,
        colorscale=[[i / (len(ramp) - 1), c] for i, c in enumerate(ramp)], opacity=0.9,
        hovertemplate="(x, y) = (%{x:.3g}, %{y:.3g})<br>loss %{customdata:.4g}<extra></extra>",
        meta={"role": "surface"}))
    marks = [("start", *data["start"], "circle-open")] + [
        (c.kind, c.x, c.y, {"minimum": "diamond", "saddle": "x"}.get(c.kind, "square"))
        for c in surface.critical_points]
    to_height = data["height"]
    fig.add_trace(go.Scatter3d(
        x=[m[1] for m in marks], y=[m[2] for m in marks],
        z=to_height(surface.f(np.array([m[1] for m in marks]), np.array([m[2] for m in marks]))),
        mode="markers", name="start and " + ", ".join(sorted({m[0] for m in marks[1:]})),
        text=[f"{m[0]} {point_text((m[1], m[2]))}" for m in marks], hoverinfo="text",
        marker={"size": 5, "color": theme.marker, "symbol": [m[3] for m in marks]},
        meta={"role": "marks"}))
    for r in data["racers"]:
        v = r["variants"][r["own"]]
        fig.add_trace(go.Scatter3d(
            x=v["x"], y=v["y"], z=v["z"], customdata=list(enumerate(v["loss"])),
            mode="lines+markers", name=legend_name(v), legendgroup=r["key"],
            line={"color": r["color"], "width": 5}, marker={"color": r["color"], "size": 2},
            hovertemplate=hover(r["name"], v), meta={"role": "path", "racer": r["key"]}))
        fig.add_trace(go.Scatter3d(
            x=[], y=[], z=[], mode="markers", showlegend=False, legendgroup=r["key"],
            marker={"color": r["color"], "size": 7, "line": {"color": theme.marker, "width": 1}},
            hovertemplate=hover(r["name"], v), meta={"role": "head", "racer": r["key"]}))
    menus = [{"name": f"rate-{i}", "type": "dropdown", "active": r["own"], "direction": "down",
              "x": 0.0, "xanchor": "left", "y": 1.0 - 0.075 * i, "yanchor": "top",
              "bgcolor": theme.panel, "font": {"color": r["color"]},
              "buttons": [{"label": esc(f"{r['name']}: {LR.symbol} {v['lr']:g}"
                                        + (" (the video's)" if v["own"] else "")),
                           "method": "skip"} for v in r["variants"]]}
             for i, r in enumerate(data["racers"])]
    menus.append({"name": "play", "type": "buttons", "x": 0.0, "xanchor": "left", "y": 0.0,
                  "yanchor": "top", "pad": {"t": 40}, "bgcolor": theme.panel,
                  "font": {"color": theme.text}, "showactive": False,
                  "buttons": [{"label": "▶ Play", "method": "skip"}]})
    positions = data["positions"]
    axis = {"color": theme.axis, "gridcolor": theme.muted, "backgroundcolor": theme.background}
    x0, x1, y0, y1 = surface.domain
    side = max(x1 - x0, y1 - y0)
    racers = " vs ".join(r["name"] for r in data["racers"])
    fig.update_layout(
        title={"text": f"{esc(surface.title)}: {esc(racers)}<br><sup>"
                       f"{esc(surface.lesson)}; drag to turn, scroll to zoom, hover for numbers"
                       "</sup>", "x": 0.5},
        paper_bgcolor=theme.background, font={"color": theme.text},
        margin={"l": 0, "r": 0, "t": 70, "b": 90},
        legend={"x": 1.0, "xanchor": "right", "y": 1.0, "bgcolor": theme.panel},
        scene={"xaxis": {**axis, "title": {"text": "x"}, "range": [x0, x1]},
               "yaxis": {**axis, "title": {"text": "y"}, "range": [y0, y1]},
               "zaxis": {**axis, **data["zaxis"]}, "camera": data["camera"],
               "aspectmode": "manual",
               "aspectratio": {"x": (x1 - x0) / side, "y": (y1 - y0) / side, "z": 0.5}},
        updatemenus=menus,
        sliders=[{"active": len(positions) - 1, "x": 0.1, "len": 0.88, "y": 0.0,
                  "pad": {"t": 30}, "currentvalue": {"prefix": "step ", "font":
                                                     {"color": theme.text}},
                  "font": {"color": "rgba(0,0,0,0)"},  # 100 tick labels would overlap
                  "bgcolor": theme.panel, "activebgcolor": theme.muted,
                  "steps": [{"label": str(k), "value": str(k), "method": "skip"}
                            for k in positions]}],
        annotations=[{"text": "<br>".join(["In the video, each at its own rate:",
                                           *map(esc, data["video"])]),
                      "xref": "paper", "yref": "paper", "x": 0.0, "y": 0.02, "xanchor": "left",
                      "yanchor": "bottom", "showarrow": False, "align": "left",
                      "font": {"size": 12, "color": theme.muted}}])
    return fig


# Runs after plotly has drawn the figure: the slider, the rate menus and Play redraw the paths
# up to the chosen step from the page's data. The element's data-explore says "ready" after.
SCRIPT = """
const gd = document.getElementById("{plot_id}");
const page = PAGE;
const traces = [];
gd.data.forEach((t, i) => { if (t.meta && t.meta.racer) traces.push(i); });
let step = page.positions[page.positions.length - 1];
let timer = null;
function draw() {
  const u = {x: [], y: [], z: [], customdata: [], name: [], hovertemplate: []};
  for (const r of page.racers) {
    const v = r.variants[r.chosen];
    const n = Math.min(step + 1, v.x.length);
    let h = n - 1;
    while (h >= 0 && v.x[h] === null) h--;
    const c = v.loss.slice(0, n).map((l, k) => [k, l]);
    u.x.push(v.x.slice(0, n), h < 0 ? [] : [v.x[h]]);
    u.y.push(v.y.slice(0, n), h < 0 ? [] : [v.y[h]]);
    u.z.push(v.z.slice(0, n), h < 0 ? [] : [v.z[h]]);
    u.customdata.push(c, h < 0 ? [] : [c[h]]);
    u.name.push(v.name, v.name);
    u.hovertemplate.push(v.hover, v.hover);
  }
  return Plotly.restyle(gd, u, traces);
}
function play(i) {
  if (i >= page.positions.length) { timer = null; return; }
  step = page.positions[i];
  Promise.all([Plotly.relayout(gd, {"sliders[0].active": i}), draw()])
    .then(() => { timer = setTimeout(() => play(i + 1), 60); });
}
gd.on("plotly_sliderchange", (e) => {
  if (e.interaction) { clearTimeout(timer); timer = null; }
  step = Number(e.step.value);
  draw();
});
gd.on("plotly_buttonclicked", (e) => {
  if (e.menu.name === "play") {
    clearTimeout(timer);
    play(0);
  } else if (e.menu.name.startsWith("rate-")) {
    page.racers[Number(e.menu.name.slice(5))].chosen = e.active;
    draw();
  }
});
draw().then(() => { gd.dataset.explore = "ready"; });
"""


def script(data: dict) -> str:
    page = {"positions": data["positions"], "racers": [
        {"chosen": r["own"], "variants": [
            {"name": legend_name(v), "hover": hover(r["name"], v), "x": v["x"], "y": v["y"],
             "z": v["z"], "loss": v["loss"]} for v in r["variants"]]}
        for r in data["racers"]]}
    # Every text in it went through esc: no "</script>" from a label can end the script.
    return SCRIPT.replace("PAGE", json.dumps(page, separators=(",", ":"), allow_nan=False))


def page_html(key: str, p: Any, theme: Theme) -> str:
    """One self-contained HTML page (plotly.js inside, nothing fetched) for the scene ``key``
    with validated parameters ``p``."""
    import plotly.io as pio

    data = page_data(key, p, theme)
    fig = figure(data, theme)
    body = pio.to_html(fig, include_plotlyjs=True, full_html=False, div_id=DIV_ID,
                       post_script=script(data), default_width="100%", default_height="100vh",
                       config={"displaylogo": False, "responsive": True})
    title = esc(f"{data['surface'].title}: " + " vs ".join(r["name"] for r in data["racers"]))
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{title}</title>\n<style>html, body {{ margin: 0; background: "
            f"{theme.background}; }}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def write_page(key: str, p: Any, theme: Theme, target: Path) -> None:
    """The page, written under a temporary name and renamed onto ``target``."""
    text = page_html(key, p, theme)
    with replacing(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
