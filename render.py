"""Adam, animated: render the explainer or single scenes, or export optimizer traces.

    python render.py                      # the whole explainer (every scene + one joined video)
    python render.py list                 # the scenes, in explainer order
    python render.py params race          # every parameter of a scene
    python render.py render race --set race.racers.adam.lr=0.05 -q l
    python render.py slides               # a lecture deck: a slide per idea, notes, handout
    python render.py facts race           # every caption and the numbers behind it (JSON)
    python render.py explore race saddle  # interactive 3D pages: one offline HTML file each
    python render.py script               # the narration script: one line to record per beat
    python render.py --narration narration  # the explainer timed to the recordings
    python render.py --voice none         # the explainer without the neural voice (silent)
    python render.py trace --surface rosenbrock --optimizer adam --lr 0.1 --start -1.5 -1
    python render.py train --optimizer sgd --lr 0.1 --out sgd.csv   # one network training

Every error is one line on stderr and exit code 2; nothing half-written is left behind.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys


def stopped_while_starting(signum, frame) -> None:
    os.write(2, b"render.py: interrupted while starting; nothing was written\n")
    os._exit(130)


# Started as the program (python render.py, or the adam-animated console script, which imports
# this module first; not a worker process, which a spawned pool starts with the same argv):
# Ctrl-C or kill while the imports below run (Manim takes a second).
if (__name__ == "__main__" or os.path.basename(sys.argv[0]) in ("adam-animated",
                                                                "adam-animated.exe")) \
        and multiprocessing.parent_process() is None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(sig) is not signal.SIG_IGN:  # a background job's SIGINT stays ignored
            signal.signal(sig, stopped_while_starting)

import argparse
import contextlib
import csv
import dataclasses
import errno
import hashlib
import importlib.metadata
import importlib.util
import io
import json
import math
import shutil
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

from optim_core import (
    HYPERPARAMETERS,
    OPTIMIZERS,
    SURFACES,
    network,
    optimizers,
    run,
    surfaces,
)
from optim_core.trajectory import DEFAULT_BOUND
from scenes.catalog import CATALOG
from scenes.framework.assets import ASSETS
from scenes.framework.palette import THEMES
from scenes.framework.params import (
    TOO_MANY_DIGITS,
    ParamDoc,
    ParamError,
    add_flags,
    build,
    describe,
    did_you_mean,
    json_schema,
    merge,
    nest,
    param,
    parse_assignment,
    shown,
    to_data,
)
from scenes.production import voice
from scenes.production.deck import build_deck
from scenes.production.facts import build_facts
from scenes.production.files import make_folder, read_regular, replacing, write_atomically
from scenes.production.jobs import DiskFull, Job
from scenes.production.media import chapter_text, join_srt, join_videos
from scenes.production.narration import (
    MANIFEST,
    VOICES,
    NarrationError,
    check_folder,
    is_narrated,
    recordings,
    updated_manifest,
)
from scenes.production.outputs import (
    ALPHA_FORMATS,
    CLIP_FORMATS,
    ENCODER_PRESETS,
    FORMATS,
    QUALITY_DOC,
    QUALITY_FLAGS,
    quality,
)
from scenes.production.progress import Reporter
from scenes.production.spoken import spoken
from scenes.production.store import Records, RunArea, file_digest
from scenes.production.workers import (
    Interrupted,
    RenderFailed,
    interrupts_as_exceptions,
    run_jobs,
)

MAX_TRACE_STEPS = 100_000


class UsageError(Exception):
    """A user mistake: reported as one line and exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse, but errors raise UsageError instead of printing usage and exiting."""

    def error(self, message: str):  # noqa: D401 - argparse's name
        raise UsageError(message)


def finite_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def whole_number(low: int, high: int):
    """An argparse type: a whole number in [low, high]."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is out of range: allowed {low}..{high}")
        return value

    return parse


step_count = whole_number(1, MAX_TRACE_STEPS)


def check_writable(path: Path) -> None:
    folder = path.parent
    if not folder.is_dir():
        raise UsageError(f"cannot write {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"cannot write {path}: folder {folder} is not writable")
    if path.is_dir():
        raise UsageError(f"cannot write {path}: it is a folder")


# --- trace ---------------------------------------------------------------------------------------

def add_trace(sub) -> None:
    p = sub.add_parser(
        "trace", help="run one optimizer on one surface and export the trajectory (CSV or JSON)",
        description="Run one optimizer on one surface; write every step (position, loss, "
                    "gradient, optimizer state, update) as CSV (default, to stdout) or JSON.")
    p.add_argument("--surface", default="rosenbrock", metavar="NAME_OR_FORMULA",
                   help=f"loss surface: {', '.join(SURFACES)} (default: rosenbrock), or a "
                        "formula in x and y, e.g. \"x**2 + 10*y**2\" (see the README's "
                        "Custom surfaces)")
    p.add_argument("--domain", type=finite_float, nargs=4, metavar=("XMIN", "XMAX", "YMIN", "YMAX"),
                   help="plotting window (default: the surface's; [-3, 3, -3, 3] for a formula)")
    p.add_argument("--optimizer", default="adam", choices=list(OPTIMIZERS), metavar="NAME",
                   help=f"optimizer: {', '.join(OPTIMIZERS)} (default: adam)")
    p.add_argument("--start", type=finite_float, nargs=2, metavar=("X", "Y"),
                   help="start point (default: the surface's, e.g. -1.5 -1 for rosenbrock)")
    p.add_argument("--steps", type=step_count, default=1000,
                   help=f"number of updates, 1..{MAX_TRACE_STEPS} (default: 1000)")
    for h in HYPERPARAMETERS.values():  # declared once, in optim_core/optimizers.py
        p.add_argument("--" + h.name.replace("_", "-"), type=finite_float, dest=h.name,
                       metavar=h.name.upper(), help=f"{h.doc}, in {h.interval} (default: the "
                       "optimizer's own)")
    p.add_argument("--out", type=Path, metavar="FILE",
                   help="write to FILE.csv or FILE.json instead of CSV on stdout")
    p.set_defaults(func=cmd_trace)


def cmd_trace(args: argparse.Namespace) -> int:
    if args.out is not None:
        if args.out.suffix.lower() not in (".csv", ".json"):
            raise UsageError(f"--out {args.out}: the file must end in .csv or .json")
        check_writable(args.out)
    hyper = {k: getattr(args, k) for k in HYPERPARAMETERS if getattr(args, k) is not None}
    try:
        opt = optimizers.make(args.optimizer, **hyper)
    except ValueError as exc:
        raise UsageError(str(exc).replace("weight_decay", "weight-decay")) from None
    try:
        surface = surfaces.resolve(args.surface, args.domain)
    except ValueError as exc:
        raise UsageError(f"--surface: {exc}") from None
    start = args.start if args.start is not None else surface.start
    if max(abs(c) for c in start) > DEFAULT_BOUND:
        raise UsageError(f"--start {start[0]:g} {start[1]:g}: outside ±{DEFAULT_BOUND:g}, where "
                         "a run counts as diverged; start inside it")
    traj = run(opt, surface, start, args.steps)
    if args.out is None:
        sys.stdout.write(traj.to_csv())
    else:
        try:
            write_atomically(args.out, traj.dumps(args.out))
        except OSError as exc:
            raise UsageError(f"--out {args.out}: cannot write it ({exc.strerror})") from None
    if traj.diverged:
        print(f"note: the run diverged at step {int(traj.diverged_at)}; "
              f"the rows stop at step {traj.valid_steps - 1}", file=sys.stderr)
    return 0


# --- train: one run of the network scene's classifier -------------------------------------------

MAX_SEED = 2**31 - 1
seed_number = whole_number(0, MAX_SEED)


def add_train(sub) -> None:
    p = sub.add_parser(
        "train", help="train the network scene's digit classifier once and export its log (CSV)",
        description="Train the network scene's classifier (scikit-learn's 8x8 digits; its "
                    "[network] parameters hidden, steps, batch and data_seed, from --preset, "
                    "--config and --set) once, with one optimizer and learning rate; write a row "
                    "per step (batch loss, test loss and accuracy where evaluated, the RMS of "
                    "the gradient and of the update per layer) as CSV, to stdout or --out.")
    p.add_argument("--optimizer", default="adam", choices=list(OPTIMIZERS), metavar="NAME",
                   help=f"optimizer: {', '.join(OPTIMIZERS)} (default: adam)")
    for h in HYPERPARAMETERS.values():  # declared once, in optim_core/optimizers.py
        default = (f"{network.DEFAULT_LR:g}, deep learning's usual" if h.name == "lr"
                   else "the optimizer's own")
        p.add_argument("--" + h.name.replace("_", "-"), type=finite_float, dest=h.name,
                       metavar=h.name.upper(), help=f"{h.doc}, in {h.interval} (default: "
                       f"{default})")
    p.add_argument("--seed", type=seed_number, default=0,
                   help=f"seed of the initial weights, 0..{MAX_SEED} (default: 0)")
    p.add_argument("--every", type=step_count, default=10,
                   help="evaluate on the test set every N steps (default: 10)")
    p.add_argument("--out", type=Path, metavar="FILE", dest="out_file",  # not [render]'s out
                   help="write to FILE.csv instead of CSV on stdout")
    add_config_options(p, "the network's parameters ([network] of presets and configs, e.g. "
                       "--set network.hidden=64)")
    p.set_defaults(func=cmd_train)


def cmd_train(args: argparse.Namespace) -> int:
    if args.out_file is not None:
        if args.out_file.suffix.lower() != ".csv":
            raise UsageError(f"--out {args.out_file}: the file must end in .csv")
        check_writable(args.out_file)
    hyper = {k: getattr(args, k) for k in HYPERPARAMETERS if getattr(args, k) is not None}
    lr = hyper.pop("lr", network.DEFAULT_LR)
    try:
        optimizers.make(args.optimizer, lr=lr, **hyper)  # checks names and ranges
    except ValueError as exc:
        raise UsageError(str(exc).replace("weight_decay", "weight-decay")) from None
    setup = load_config(args).scenes["network"].setup(eval_every=args.every)
    log = network.train(args.optimizer, [lr], [args.seed], setup, **hyper)
    if args.out_file is None:
        sys.stdout.write(log.to_csv())
    else:
        try:
            write_atomically(args.out_file, log.to_csv())
        except OSError as exc:
            raise UsageError(f"--out {args.out_file}: cannot write it ({exc.strerror})") from None
    if log.diverged[0, 0]:
        print(f"note: the training diverged at step {int(log.diverged_at[0, 0])}; the rows stop "
              "there", file=sys.stderr)
    return 0


# --- settings and configuration layers ------------------------------------------------------------

PRESET_DIR = ASSETS / "presets"


# Manim lays text out on a page of the frame's pixel size, from (30, 20): below about 32x22 the
# text is empty and the scenes fail. 64x36 (16:9, and what --width 64 gives) renders them all.
MIN_WIDTH, MIN_HEIGHT = 64, 36


@dataclass(frozen=True)
class RenderSettings:
    """The [render] table: how and where scenes are rendered."""

    quality: str = param("h", f"Manim quality: {QUALITY_DOC}", choices=QUALITY_FLAGS)
    fps: int | None = param(None, "frames per second", interval="[1, 120]",
                            none_means="the quality's")
    width: int | None = param(None, "frame width in pixels (height follows 16:9 unless set)",
                              interval=f"[{MIN_WIDTH}, 7680]", none_means="the quality's")
    height: int | None = param(None, "frame height in pixels", interval=f"[{MIN_HEIGHT}, 4320]",
                               none_means="the quality's")
    format: str = param("mp4", "output format (png: the last frame)", choices=tuple(FORMATS))
    transparent: bool = param(False, "transparent background (webm, gif, png)")
    theme: str = param("dark", "colour theme (light suits slides)", choices=tuple(THEMES))
    out: str = param("out", "output folder")
    jobs: int = param(0, "scenes rendered in parallel (0: one per CPU core)", interval="[0, 64]")
    encoder_preset: str = param("superfast", "H.264 speed/size trade-off for mp4 (quality is "
                                "the same crf; slower presets make smaller files)",
                                choices=ENCODER_PRESETS)
    narration: str | None = param(None, "folder of recorded narration, one file per beat: "
                                  "DIR/<scene>/<beat>.wav (.flac, .mp3, .ogg, .opus, .m4a); "
                                  "file names from `render.py script`", none_means="none")
    voice: str | None = param(None, "voice for beats without a recording (neural: Piper's "
                              "en_US-joe-medium, offline; none: silent)", choices=VOICES,
                              none_means="neural for `render` and `explainer` in mp4 or webm; "
                              "none for the deck, gif and png")
    strict: bool = param(False, "a recording made for a caption that has changed since is an "
                         "error (default: a warning)")
    captions: str | None = param(None, "the caption band on screen (off suits a narrated video; "
                                 "the .srt and the deck's notes stay)", choices=("on", "off"),
                                 none_means="on for videos; off for the deck (the lecturer "
                                 "speaks, the notes hold the words)")

    def check(self) -> None:
        if not self.out.strip():
            raise ValueError("out: the output folder name is empty")
        if self.transparent and not FORMATS[self.format].alpha:
            raise ValueError(f"transparent needs format {', '.join(ALPHA_FORMATS[:-1])} or "
                             f"{ALPHA_FORMATS[-1]} (H.264 has no alpha)")
        w, h, _ = self.size()
        if FORMATS[self.format].movie and (w % 2 or h % 2):
            raise ValueError(f"frame {w}x{h}: {self.format} needs an even width and height "
                             f"(e.g. --width {w - w % 2} --height {h - h % 2}); png may be odd")
        if self.narrated and FORMATS[self.format].sound is None:
            raise ValueError(f"narration needs format mp4 or webm ({self.format} has no sound)")
        if self.narration is not None and not self.narration.strip():
            raise ValueError("narration: the folder name is empty")

    @property
    def narrated(self) -> bool:
        return is_narrated(self.narration, self.voice)

    def size(self) -> tuple[int, int, int]:
        w, h, fps = quality(self.quality)
        if self.width and not self.height:
            w, h = self.width, round(self.width * 9 / 16 / 2) * 2
        elif self.height and not self.width:
            w, h = round(self.height * 16 / 9 / 2) * 2, self.height
        elif self.width and self.height:
            w, h = self.width, self.height
        return w, h, self.fps or fps


TABLES = {"render": RenderSettings, **{k: e.Params for k, e in CATALOG.items()}}


def presets() -> list[str]:
    return sorted(p.stem for p in PRESET_DIR.glob("*.toml"))


MAX_CONFIG_BYTES = 1_000_000  # a config is a few kB


def read_toml(path: Path, what: str) -> dict:
    """A TOML file's tables; only regular files of sane size (not /dev/zero, not a FIFO)."""
    try:
        return tomllib.loads(read_regular(path, MAX_CONFIG_BYTES).decode())
    except OSError as exc:
        raise UsageError(f"{what} {path}: cannot read it ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise UsageError(f"{what} {path}: not UTF-8 text (TOML files are UTF-8)") from None
    except RecursionError:
        raise UsageError(f"{what} {path}: nested too deeply to be a config") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{what} {path}: not valid TOML ({exc})") from None
    except ValueError:  # tomllib reads a whole number of more than 4300 digits with int()
        raise UsageError(f"{what} {path}: it holds {TOO_MANY_DIGITS}") from None


@dataclass(frozen=True)
class Config:
    settings: RenderSettings
    scenes: dict[str, object]  # scene key -> validated params
    label: dict[str, str]  # scene key -> preset name or parameter hash (for file names)


def load_config(args: argparse.Namespace) -> Config:
    """Built-in defaults < preset < config file < --set < explicit flags."""
    layers: list[dict] = []
    preset = getattr(args, "preset", None) or "default"
    if preset not in presets():
        raise UsageError(f"--preset {preset}: no such preset{did_you_mean(preset, presets())} "
                         f"(available: {', '.join(presets())})")
    layers.append(read_toml(PRESET_DIR / f"{preset}.toml", "preset"))
    preset_data = merge({}, layers[0])
    if getattr(args, "config", None):
        layers.append(read_toml(Path(args.config), "config file"))
    for text in [*getattr(args, "set_before", []), *getattr(args, "set", [])]:
        keys, value = parse_assignment(text)
        layers.append(nest(keys, value))
    layers.append({"render": {f.name: getattr(args, f.name) for f in
                              dataclasses.fields(RenderSettings) if hasattr(args, f.name)}})
    data: dict = {}
    for layer in layers:
        for table in layer:
            if table not in TABLES:
                raise ParamError(f"{table}: unknown table{did_you_mean(table, TABLES)} "
                                 f"(valid: {', '.join(TABLES)})")
            if not isinstance(layer[table], dict):
                raise ParamError(f"{table}: expected a table of settings, got "
                                 f"{shown(layer[table])} (e.g. {table}.KEY=VALUE)")
        data = merge(data, layer)
    settings = build(RenderSettings, data.get("render", {}), "render")
    if settings.voice is None:
        settings = dataclasses.replace(settings, voice=default_voice(args, settings))
    if settings.captions is None:
        command = getattr(args, "command", None)
        settings = dataclasses.replace(settings, captions="off" if command == "slides" else "on")
    scenes, label = {}, {}
    for key, entry in CATALOG.items():
        scenes[key] = build(entry.Params, data.get(key, {}), key)
        same = to_data(scenes[key]) == to_data(build(entry.Params, preset_data.get(key, {}), key))
        label[key] = preset if same else "p" + digest(to_data(scenes[key]))[:8]
    return Config(settings, scenes, label)


SPEAKING = (None, "render", "explainer", "script")  # the commands that speak by default
VOICE_VARIABLE = "ADAM_ANIMATED_VOICE"  # the default voice, if set (the tests set none)


def default_voice(args: argparse.Namespace, settings: RenderSettings) -> str:
    """The voice when no layer names one: the neural voice for the videos of ``render`` and
    ``explainer`` (and the script, which says what they would speak); none for the deck (a
    lecturer speaks over it) and for formats without sound. ``$ADAM_ANIMATED_VOICE`` changes
    it."""
    chosen = os.environ.get(VOICE_VARIABLE, voice.NAME)
    if chosen not in VOICES:
        raise UsageError(f"${VOICE_VARIABLE}={chosen!r}: not a voice (choose one of: "
                         f"{', '.join(VOICES)})")
    speaks = (getattr(args, "command", None) in SPEAKING
              and FORMATS[settings.format].sound is not None)
    return chosen if speaks else "none"


def digest(data: object) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def code_fingerprint() -> str:
    """Changes whenever the code that draws a scene changes (cache invalidation)."""
    h = hashlib.sha256()
    import optim_core
    import scenes

    for folder in (Path(optim_core.__file__).parent, Path(scenes.__file__).parent, ASSETS):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".svg") and "__pycache__" not in str(path):
                h.update(path.read_bytes())
    h.update(importlib.metadata.version("manim").encode())
    return h.hexdigest()


# --- rendering ----------------------------------------------------------------------------------

def check_system() -> None:
    """Manim's LaTeX and cairo needs, found before a render rather than deep inside one."""
    apt = ("apt-get install --no-install-recommends texlive-latex-base texlive-latex-recommended "
           "texlive-latex-extra texlive-fonts-recommended dvisvgm")
    missing = [tool for tool in ("latex", "dvisvgm") if shutil.which(tool) is None]
    if missing:
        raise SystemProblem(f"{' and '.join(missing)} not found (Manim needs them for formulas); "
                            f"install with: sudo {apt}")
    try:
        import cairo  # noqa: F401
        import manimpango  # noqa: F401
    except ImportError as exc:
        raise SystemProblem(f"cairo/pango bindings are missing ({exc}); run: make setup") from None


class SystemProblem(Exception):
    """The machine lacks something: one line and exit code 3."""


def render_tag(s: RenderSettings) -> str:
    """What an output's name says about how it was rendered: ``1080p60-dark``, with the width
    when the frame is not 16:9 (``400x108p5``), ``-alpha``, a non-default encoder preset,
    ``-narrated`` (recordings) or ``-neural`` (the neural voice only), and ``-nocaptions``."""
    w, h, fps = s.size()
    size = f"{h}p{fps}" if w == round(h * 16 / 9 / 2) * 2 else f"{w}x{h}p{fps}"
    preset = (f"-{s.encoder_preset}" if s.format == "mp4"
              and s.encoder_preset != RenderSettings.encoder_preset else "")
    sound = "-narrated" if s.narration else f"-{s.voice}" if s.narrated else ""
    captions = "-nocaptions" if s.captions == "off" else ""
    return f"{size}-{s.theme}{'-alpha' if s.transparent else ''}{preset}{sound}{captions}"


def output_name(key: str, config: Config, ext: str) -> str:
    return f"{key}-{config.label[key]}-{render_tag(config.settings)}.{ext}"


CACHE_VARIABLE = "ADAM_ANIMATED_CACHE"  # one folder for Manim's caches, for every --out


def media_cache(out: Path) -> Path:
    """Where Manim's caches of typeset formulas and laid-out text are kept: ``OUT/.cache/media``,
    or ``$ADAM_ANIMATED_CACHE``, shared by every output folder (a new --out typesets nothing
    again; the tests share one)."""
    chosen = os.environ.get(CACHE_VARIABLE, "")
    if not chosen:
        return out / ".cache" / "media"
    folder = Path(chosen)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"${CACHE_VARIABLE}={chosen}: cannot use it as a folder "
                         f"({exc.strerror}); unset it or give a writable folder") from None
    if not os.access(folder, os.W_OK):
        raise UsageError(f"${CACHE_VARIABLE}={chosen}: the folder is not writable; unset it or "
                         "give a writable folder")
    return folder


def make_jobs(keys: list[str], config: Config, out: Path, run_dir: Path,
              show_progress: bool) -> list[Job]:
    s = config.settings
    w, h, fps = s.size()
    fingerprint = code_fingerprint()
    cache = media_cache(out)
    jobs = [Job(scene_key=k, params=config.scenes[k], theme=s.theme, width=w, height=h,
                fps=fps, format=s.format, transparent=s.transparent,
                encoder_preset=s.encoder_preset, cache_dir=str(cache / k),
                run_dir=str(run_dir), target=str(out / output_name(k, config, s.format)),
                show_progress=show_progress, narration=s.narration, voice=s.voice,
                voice_cache=str(out / ".cache" / "voice"), captions=s.captions == "on",
                strict=s.strict)
            for k in keys]
    return [dataclasses.replace(j, key=cache_key(j, fingerprint)) for j in jobs]


def cache_key(job: Job, fingerprint: str) -> str:
    return digest({"params": to_data(job.params), "theme": job.theme, "size": [job.width,
                   job.height, job.fps], "format": job.format, "transparent": job.transparent,
                   "preset": job.encoder_preset, "code": fingerprint,
                   "narration": narration_digest(job), "captions": job.captions})


def narration_digest(job: Job) -> object:
    """What a scene's narration is made from: its recordings' contents and the manifest (a
    re-recorded beat renders again), and the voice (its speech is cached by its text)."""
    if not job.narrated:
        return None
    files = recordings(Path(job.narration), job.scene_key) if job.narration else {}
    manifest = Path(job.narration or ".") / MANIFEST
    return {"voice": job.voice, "files": {n: file_digest(f) for n, f in files.items()},
            "manifest": file_digest(manifest) if job.narration and manifest.exists()
            else None}


CACHE_FOLDERS = ("runs", "records", "media", "slides", "voice")  # in OUT/.cache


def prepare_out(config: Config) -> Path:
    out = Path(config.settings.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot create the folder ({exc.strerror})") from None
    if not os.access(out, os.W_OK):
        raise UsageError(f"--out {out}: the folder is not writable")
    cache = out / ".cache"
    try:  # a file in the way of the cache's folders is removed: they are ours
        for folder in (cache, *(cache / sub for sub in CACHE_FOLDERS)):
            make_folder(folder)
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot make its cache folder {folder} "
                         f"({exc.strerror})") from None
    return out


def render_scenes(keys: list[str], config: Config, report: Reporter) -> list[Job]:
    """Render what is not up to date; returns the jobs (each with its output's path)."""
    check_system()
    if config.settings.narration is not None:
        check_folder(Path(config.settings.narration), list(CATALOG))
    if config.settings.voice == voice.NAME and (problem := voice.missing()):
        raise SystemProblem(problem)
    out = prepare_out(config)
    records = Records(out)
    jobs_n = config.settings.jobs or os.cpu_count() or 1
    failures, finished = [], []
    with RunArea(out) as run_dir:
        jobs = make_jobs(keys, config, out, run_dir,
                         show_progress=not report.quiet and jobs_n == 1)
        todo = []
        for job in jobs:
            if records.fresh(Path(job.target), job.key):
                report.say(f"up to date: {job.target} (same parameters and code; not rendered "
                           "again)")
            else:
                todo.append(job)
        try:
            for result in run_jobs(todo, min(jobs_n, max(len(todo), 1)), report):
                report.finished(result.scene_key, "failed" if result.error else
                                f"done in {result.seconds:.1f} s")
                if result.error:
                    failures.append(result)
                    report.say(f"failed:     {result.scene_key}: {result.error}")
                else:
                    finished.append(result.scene_key)
                    report.say(f"rendered:   {result.target} in {result.seconds:.1f} s")
                for warning in result.warnings:
                    report.warn(warning)
        except KeyboardInterrupt:
            done = ", ".join(finished) or "none"
            raise Interrupted(f"interrupted; finished scenes kept: {done}") from None
    if failures:
        raise RenderFailed(f"{len(failures)} scene(s) failed: "
                           + "; ".join(f"{f.scene_key}: {f.error}" for f in failures))
    return jobs


def joined_label(jobs: list[Job], config: Config) -> str:
    """The preset name if every scene uses it, else a hash of all the scenes' parameters."""
    labels = {config.label[j.scene_key] for j in jobs}
    return labels.pop() if len(labels) == 1 else "p" + digest(
        {j.scene_key: to_data(j.params) for j in jobs})[:8]


def join_explainer(jobs: list[Job], config: Config, report: Reporter) -> None:
    s = config.settings
    if not FORMATS[s.format].clips:
        report.say(f"no joined video for format {s.format} ({' and '.join(CLIP_FORMATS)} only)")
        return
    target = Path(s.out) / f"explainer-{joined_label(jobs, config)}-{render_tag(s)}.{s.format}"
    key = digest([j.key for j in jobs])  # the parts, in order: a re-rendered part rejoins
    records = Records(Path(s.out))
    if records.fresh(target, key):
        report.say(f"up to date: {target}")
        return
    parts = [(CATALOG[j.scene_key].title, Path(j.target)) for j in jobs]
    # Everything is written under temporary names, recorded, then renamed into place.
    with contextlib.ExitStack() as staging:
        staged = {target: staging.enter_context(replacing(target))}
        chapters = join_videos(parts, staged[target])
        extras = {target.with_suffix(".chapters.txt"): chapter_text(chapters),
                  target.with_suffix(".srt"): join_srt(
                      [(Path(j.target).with_suffix(".srt"), t)
                       for j, (t, _) in zip(jobs, chapters, strict=True)])}
        for path, text in extras.items():
            staged[path] = staging.enter_context(replacing(path))
            staged[path].write_text(text)
        records.write(target, key, {str(p): file_digest(t) for p, t in staged.items()})
    report.say(f"joined:     {target} ({len(jobs)} scenes; chapters in "
               f"{target.with_suffix('.chapters.txt').name})")


# --- commands ------------------------------------------------------------------------------------

def add_render_options(p: argparse.ArgumentParser, set_dest: str = "set") -> None:
    """The common options, on the main parser and on each command. They default to "absent"
    (SUPPRESS), so options given before the command survive the command's own parsing."""
    g = add_config_options(p, "render options (override the [render] table of presets/configs)",
                           set_dest)
    add_flags(g, RenderSettings, short={"quality": "-q"})
    g.add_argument("--quiet", action="store_true", help="print only errors")


def add_config_options(p: argparse.ArgumentParser, title: str, set_dest: str = "set"):
    """--preset, --config and --set: the layers of parameters under the flags."""
    g = p.add_argument_group(title)
    g.argument_default = argparse.SUPPRESS
    g.add_argument("--preset", metavar="NAME",
                   help="a preset from assets/presets (default: default); see `render.py presets`")
    g.add_argument("--config", metavar="FILE.toml",
                   help="a TOML file with a [render] table and scene tables")
    g.add_argument("--set", action="append", metavar="KEY=VALUE", dest=set_dest,
                   help="override one parameter, e.g. race.racers.adam.lr=0.05 (repeatable)")
    return g


def scene_keys(names: list[str]) -> list[str]:
    keys = []
    by_class = {entry.name.lower(): key for key, entry in CATALOG.items()}
    for name in names:
        key = name if name in CATALOG else by_class.get(name.lower())
        if key is None:
            valid = [*CATALOG, *(entry.name for entry in CATALOG.values())]
            raise UsageError(f"unknown scene {name!r}{did_you_mean(name, valid)} "
                             f"(scenes: {', '.join(CATALOG)})")
        keys.append(key)
    return keys


def cmd_list(args: argparse.Namespace) -> int:
    width = max(len(k) for k in CATALOG)
    name_width = max(len(entry.name) for entry in CATALOG.values())
    number_width = len(f"{len(CATALOG)}.")
    for i, (key, entry) in enumerate(CATALOG.items(), start=1):
        print(f"{f'{i}.':<{number_width}} {key:<{width}}  {entry.name:<{name_width}}  "
              f"{entry.description}")
    return 0


def cmd_presets(args: argparse.Namespace) -> int:
    for name in presets():
        first = (PRESET_DIR / f"{name}.toml").read_text().splitlines()[0].lstrip("# ")
        print(f"{name:<14} {first}")
    return 0


def param_rows(table: str) -> list[ParamDoc]:
    if table == "render":
        return describe(RenderSettings, "render")
    return describe(CATALOG[table].Params, table)


def cmd_params(args: argparse.Namespace) -> int:
    table = args.scene if args.scene == "render" else scene_keys([args.scene])[0]
    rows = param_rows(table)
    if args.output == "json":
        print(json.dumps([dataclasses.asdict(r) for r in rows], indent=1))
    elif args.output == "markdown":
        print(params_markdown(table))
    else:
        key_w = max(len(r.key) for r in rows)
        for r in rows:
            print(f"{r.key:<{key_w}}  {r.type:<7} default {r.default_text()}; "
                  f"allowed {r.allowed}\n{'':<{key_w}}  {r.doc}")
    return 0


def params_markdown(table: str) -> str:
    rows = [f"| `{r.key}` | {r.type} | {r.default_text()} | {r.allowed} | {r.doc} |"
            for r in param_rows(table)]
    return "\n".join(["| key | type | default | allowed | meaning |",
                      "| --- | --- | --- | --- | --- |", *rows])


def config_schema() -> dict:
    """The JSON Schema of a config file (a preset, or a lecturer's --config): one table per
    scene and [render], every key declared once in code."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "adam-animated render configuration",
            "description": "A preset or --config file of render.py (README: Parameter reference)",
            "type": "object", "additionalProperties": False,
            "properties": {name: {**json_schema(cls), "description": (
                "how and where to render" if name == "render" else CATALOG[name].title)}
                for name, cls in TABLES.items()}}


def cmd_schema(args: argparse.Namespace) -> int:
    text = json.dumps(config_schema(), indent=1, ensure_ascii=False) + "\n"
    if args.out is None:
        sys.stdout.write(text)
        return 0
    check_writable(Path(args.out))
    write_atomically(Path(args.out), text)
    print(f"schema:     {args.out}", file=sys.stderr)
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    keys = scene_keys(args.scenes)
    config = load_config(args)
    render_scenes(keys, config, Reporter(getattr(args, "quiet", False)))
    return 0


def cmd_facts(args: argparse.Namespace) -> int:
    """Every caption of the scenes, with the values it was computed from, as JSON (no video)."""
    keys = scene_keys(args.scenes) if args.scenes else list(CATALOG)
    config = load_config(args)
    check_system()
    media = media_cache(Path(config.settings.out))
    fps = config.settings.size()[2]  # beats timed as this render would time them
    facts = [build_facts(k, config.scenes[k], config.settings.theme, media / k, fps)
             for k in keys]
    print(json.dumps(facts[0] if len(facts) == 1 else facts, indent=1, ensure_ascii=False))
    return 0


SCRIPT_FILES = ("script.txt", "script.csv")


def cmd_script(args: argparse.Namespace) -> int:
    """The narration script: every beat's id, caption and length at reading pace, as text and
    CSV, in the narration folder, with one sub-folder per scene for the recordings and the
    manifest of the captions they are made for."""
    keys = scene_keys(args.scenes) if args.scenes else list(CATALOG)
    config = load_config(args)
    folder = Path(config.settings.narration or "narration")
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--narration {folder}: it is a file; give a folder for the script "
                         "and the recordings")
    try:
        for key in keys:
            (folder / key).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--narration {folder}: cannot use it as a folder "
                         f"({exc.strerror})") from None
    check_system()
    report = Reporter(getattr(args, "quiet", False))
    media = media_cache(Path(config.settings.out))
    scenes = [build_facts(k, config.scenes[k], config.settings.theme, media / k) for k in keys]
    have = {f"{k}/{name}": path for k in keys for name, path in recordings(folder, k).items()}
    manifest, stale = updated_manifest(folder, [(b["id"], b["caption"])
                                                for s in scenes for b in s["beats"]], set(have))
    texts = dict(zip(SCRIPT_FILES, script_texts(scenes, folder, have, config.settings.voice),
                     strict=True))
    texts[MANIFEST] = json.dumps(manifest, indent=1, ensure_ascii=False) + "\n"
    try:
        for name, text in texts.items():
            write_atomically(folder / name, text)
    except OSError as exc:
        raise UsageError(f"--narration {folder}: cannot write the script "
                         f"({exc.strerror})") from None
    beats = [b["id"] for s in scenes for b in s["beats"]]
    recorded = sum(beat_id in have for beat_id in beats)
    spoken_by = (f", the {config.settings.voice} voice speaks the other {len(beats) - recorded}"
                 if config.settings.voice != "none" else "")
    report.say(f"script:     {folder / SCRIPT_FILES[0]} and {SCRIPT_FILES[1]}: {len(beats)} "
               f"beats, {recorded} recorded{spoken_by}; record each as {folder}/<id>.wav")
    for beat_id in stale:
        report.warn(f"narration {beat_id}: the caption has changed since it was recorded; "
                    "record it again")
    return 1 if stale and config.settings.strict else 0


def script_texts(scenes: list[dict], folder: Path, have: dict[str, Path],
                 voice_name: str = "none") -> tuple[str, str]:
    """The script to read from (plain text) and the same rows as CSV; ``have``: the recordings
    made so far, by beat id; ``voice_name``: the voice that speaks the beats not recorded (each
    row says who speaks it and, for the voice, the words it says)."""
    def clock(seconds: float) -> str:
        return f"{int(seconds // 60)}:{seconds % 60:04.1f}"

    total = sum(s["beats"][-1]["end"] for s in scenes if s["beats"])
    lines = [f"Narration script: {len(scenes)} scene(s), "
             f"{sum(len(s['beats']) for s in scenes)} beats, {clock(total)} at reading pace.",
             f"Record each beat as one file named after its id: {folder}/<id>.wav (or .flac, "
             ".mp3, .ogg, .opus, .m4a),", "then render with --narration " + str(folder) + ".", ""]
    rows = io.StringIO()
    writer = csv.writer(rows, lineterminator="\n")
    writer.writerow(["id", "scene", "number", "caption", "start_s", "seconds", "file",
                     "recorded", "voice", "spoken"])
    for s in scenes:
        lines += [f"== {s['scene']}: {s['title']}", ""]
        for number, b in enumerate(s["beats"], start=1):
            seconds = b["end"] - b["start"]
            done = b["id"] in have
            by = "recording" if done else voice_name
            said = spoken(b["caption"]) if by not in ("recording", "none") else ""
            mark = "  [recorded]" if done else f"  [{by} voice]" if said else ""
            lines += [f"{b['id']}  ({clock(b['start'])}, {seconds:.1f} s){mark}",
                      f"    {b['caption']}", *([f"    says: {said}"] if said else []), ""]
            writer.writerow([b["id"], s["scene"], number, b["caption"], f"{b['start']:.3f}",
                             f"{seconds:.3f}", str(have.get(b["id"], f"{folder}/{b['id']}.wav")),
                             "yes" if done else "no", by, said])
    return "\n".join(lines), rows.getvalue()


GALLERY = ASSETS / "gallery"  # the README's stills, tracked in git (in a checkout only)
GALLERY_LOOK = {"quality": "l", "theme": "light", "format": "png"}  # unless -q, --theme say


def gallery_config(args: argparse.Namespace) -> Config:
    for key, value in GALLERY_LOOK.items():
        if not hasattr(args, key):
            setattr(args, key, value)
    return load_config(args)


def gallery_look(config: Config) -> object:
    """What the stills depend on: every scene's parameters, the frame's size, rate and look."""
    return to_data(config.scenes), render_tag(config.settings)


def cmd_gallery(args: argparse.Namespace) -> int:
    """Last frames of every scene, 480p, light theme, 256 colours: the README's gallery. They go
    to --dir, else to --out, else to assets/gallery, which other settings than the gallery's
    own overwrite only with --force."""
    from PIL import Image

    if getattr(args, "format", "png") != "png":
        raise UsageError(f"--format {args.format}: the gallery is PNG stills; leave --format out")
    config = gallery_config(args)
    out = Path(config.settings.out)
    out_given = hasattr(args, "out") or config.settings.out != RenderSettings.out
    if args.dir and out_given and Path(args.dir).resolve() != out.resolve():
        raise UsageError(f"--dir {args.dir} and --out {out} disagree; give one of them (the "
                         "stills go to --dir, else to --out)")
    target = Path(args.dir) if args.dir else out if out_given else GALLERY
    flag = "--dir" if args.dir or not out_given else "--out"
    default = gallery_config(build_parser().parse_args(["gallery"]))
    if (target.resolve() == GALLERY.resolve() and not args.force
            and gallery_look(config) != gallery_look(default)):
        raise UsageError(f"{flag} {target}: the README's stills are rendered with the gallery's "
                         "own settings (-q l, light theme, default parameters); add --force to "
                         "overwrite them with these, or write elsewhere with --out DIR")
    if target.exists() and not target.is_dir():
        raise UsageError(f"{flag} {target}: it is a file; give a folder for the stills")
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # checked before six scenes are rendered, not after
        raise UsageError(f"{flag} {target}: cannot use it as a folder ({exc.strerror})") from None
    if not os.access(target, os.W_OK):
        raise UsageError(f"{flag} {target}: the folder is not writable")
    quiet = getattr(args, "quiet", False)
    with tempfile.TemporaryDirectory() as tmp:
        config = dataclasses.replace(config, settings=dataclasses.replace(config.settings,
                                                                          out=tmp))
        jobs = render_scenes(list(CATALOG), config, Reporter(quiet))
        for job in jobs:
            still = Image.open(job.target).convert("RGB").quantize(256)
            with replacing(target / f"{job.scene_key}.png") as tmp_png:
                still.save(tmp_png, format="PNG", optimize=True)
            Reporter(quiet).say(f"gallery:    {target / job.scene_key}.png")
    return 0


# reveal.js for the offline deck, in the environment's share/ folder: `make setup` fetches it
# from npm into .venv/share/reveal.js; an installed wheel finds it with the same command (README).
REVEAL_JS = Path(sys.prefix) / "share" / "reveal.js"


def cmd_slides(args: argparse.Namespace) -> int:
    """Render (or reuse) the scenes, then build the deck from their beats: no second render."""
    keys = scene_keys(args.scenes) if args.scenes else list(CATALOG)
    config = load_config(args)
    if not FORMATS[config.settings.format].clips:
        raise UsageError(f"--format {config.settings.format}: a deck is made of video clips; "
                         f"use {' or '.join(CLIP_FORMATS)}")
    if not (REVEAL_JS / "dist" / "reveal.js").is_file():
        raise SystemProblem(f"reveal.js not found in {REVEAL_JS}; run: make setup")
    report = Reporter(getattr(args, "quiet", False))
    jobs = render_scenes(keys, config, report)
    stem = (Path(jobs[0].target).stem if len(jobs) == 1 else
            f"explainer-{joined_label(jobs, config)}-{render_tag(config.settings)}")
    out = Path(config.settings.out)
    with RunArea(out) as run_dir:  # a deck half built when the run is killed is removed later
        outputs = build_deck([j.deck_dir for j in jobs], out / f"{stem}-deck",
                             config.settings.theme, REVEAL_JS, run_dir / "deck",
                             narrated=config.settings.narrated, one_file=args.one_file)
    report.say(f"deck:       {', '.join(str(o) for o in outputs)}")
    report.say(f"present:    open {outputs[0]} in a browser (Space or arrows to advance, S for "
               "the speaker view with the notes), or the .pptx in PowerPoint, Keynote or "
               "LibreOffice; the -handout.pdf is for the students")
    return 0


def cmd_explore(args: argparse.Namespace) -> int:
    """One interactive page per scene with racers on a surface (scenes/production/pages.py): no
    video is rendered."""
    from scenes.production import pages

    keys = (scene_keys(args.scenes) if args.scenes else
            [k for k in CATALOG if k in pages.CAPTIONS])
    for key in keys:
        if key not in pages.CAPTIONS:
            raise UsageError(f"scene {key!r} has no racers on a surface to explore (scenes "
                             f"with a page: {', '.join(pages.CAPTIONS)})")
    config = load_config(args)
    if importlib.util.find_spec("plotly") is None:
        raise SystemProblem("plotly not found (the interactive pages are drawn with it); "
                            "run: make setup")
    out = prepare_out(config)
    report = Reporter(getattr(args, "quiet", False))
    for key in keys:
        began = time.monotonic()
        target = out / f"{key}-{config.label[key]}-{config.settings.theme}-explore.html"
        pages.write_page(key, config.scenes[key], THEMES[config.settings.theme], target)
        report.say(f"page:       {target} in {time.monotonic() - began:.1f} s")
    report.say("open:       in any browser, offline; each page is one file to put on a course "
               "site")
    return 0


def cmd_explainer(args: argparse.Namespace) -> int:
    config = load_config(args)
    report = Reporter(getattr(args, "quiet", False))
    jobs = render_scenes(list(CATALOG), config, report)
    join_explainer(jobs, config, report)
    return 0


# --- main ----------------------------------------------------------------------------------------

def build_parser() -> Parser:
    parser = Parser(prog="render.py", description=__doc__.split("\n")[0],
                    epilog="Without a command: render the whole explainer (same as `explainer`).")
    add_render_options(parser, set_dest="set_before")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.add_parser("list", help="the scenes in explainer order").set_defaults(func=cmd_list)
    sub.add_parser("presets", help="the presets in assets/presets").set_defaults(func=cmd_presets)
    p = sub.add_parser("params", help="every parameter of a scene (or of [render])")
    p.add_argument("scene", help="a scene name from `list`, or 'render'")
    p.add_argument("--output", choices=("text", "json", "markdown"), default="text")
    p.set_defaults(func=cmd_params)
    p = sub.add_parser("schema", help="the JSON Schema of a config file, for editors",
                       description="Print (or write to --out) the JSON Schema of a TOML config "
                       "file: every table and key with its type, range, choices, default and "
                       "meaning, generated from the same declarations as `params`. Point an "
                       "editor's TOML support at it (e.g. a '#:schema FILE' first line for "
                       "Taplo / Even Better TOML) to complete and check a config while typing.")
    p.add_argument("--out", metavar="FILE", help="write the schema to FILE instead of stdout")
    p.set_defaults(func=cmd_schema)
    p = sub.add_parser("render", help="render some scenes")
    p.add_argument("scenes", nargs="+", metavar="SCENE", help="scene names from `list`")
    add_render_options(p)
    p.set_defaults(func=cmd_render)
    p = sub.add_parser("explainer", help="render every scene and join them into one video")
    add_render_options(p)
    p.set_defaults(func=cmd_explainer)
    p = scene_command(sub, "slides", cmd_slides, "a lecture deck (HTML, PPTX, PDF handout): "
                      "one slide per idea",
                      "Render the scenes (or reuse the videos already rendered with the same "
                      "settings) and build a deck from their ideas: each slide plays an idea's "
                      "beats through and stops on its last frame; its title is the idea, its "
                      "speaker notes the narration and the numbers behind it. Silent, captions "
                      "off, unless --voice or --captions say otherwise. Writes NAME-deck.html "
                      "(offline reveal.js; Space or arrows advance, S opens the speaker view), "
                      "NAME-deck.pptx and NAME-handout.pdf (each slide's last frame and notes, "
                      "as text) next to the videos.")
    p.add_argument("--one-file", action="store_true",
                   help="the HTML deck as one self-contained file, clips and reveal.js inside "
                        "(for a course site that takes one upload; larger, slower to open)")
    scene_command(sub, "explore", cmd_explore, "interactive 3D pages (offline HTML): the "
                  "surface, the paths, a step slider, a few learning rates",
                  "Write one self-contained HTML page per scene with racers on a surface "
                  "(default: all of them): the surface in 3D with each racer's path (drag to "
                  "turn, scroll to zoom, hover for step, position and loss), a slider over the "
                  "steps, and a menu per racer of learning rates around its own (x0.1 to x10), "
                  "each with its caption. Computed by the same core as the scenes; plotly.js "
                  "is inside the file, nothing is fetched. Writes "
                  "OUT/SCENE-LABEL-THEME-explore.html.")
    scene_command(sub, "facts", cmd_facts, "every caption and the numbers behind it, as JSON",
                  "Build the scenes without rendering video and print, as JSON, each beat (id, "
                  "caption, start and end in seconds) and the values its captions were computed "
                  "from: numbers a lecturer can cite, checked by the tests.")
    scene_command(sub, "script", cmd_script, "the narration script: one line to record per beat",
                  "Write the narration script to the narration folder (--narration DIR, default "
                  "./narration): script.txt to read from and script.csv, one row per beat with "
                  "its id, caption and length at reading pace; a folder per scene for the "
                  "recordings (DIR/<id>.wav, .flac, .mp3, .ogg, .opus or .m4a); and "
                  "manifest.json, the caption each "
                  "recording is made for. Beats recorded for a caption that has changed since "
                  "are listed.")
    p = sub.add_parser("gallery", help="stills of every scene for the README (assets/gallery)",
                       description="Render the last frame of every scene (-q l, light theme, "
                       "unless -q or --theme say otherwise) as PNG stills named SCENE.png.")
    p.add_argument("--dir", help="folder for the stills (default: --out if given, else "
                   "assets/gallery); giving both, they must be the same folder")
    p.add_argument("--force", action="store_true", help="overwrite assets/gallery with stills "
                   "rendered with other settings than the gallery's own (-q l, light theme, "
                   "default parameters)")
    add_render_options(p)
    p.set_defaults(func=cmd_gallery)
    add_trace(sub)
    add_train(sub)
    return parser


def scene_command(sub, name: str, func, help: str, description: str) -> argparse.ArgumentParser:
    """A command over some scenes (all by default, in explainer order) with the render
    options."""
    p = sub.add_parser(name, help=help, description=description)
    p.add_argument("scenes", nargs="*", metavar="SCENE",
                   help="scene names from `list` (default: all, in explainer order)")
    add_render_options(p)
    p.set_defaults(func=func)
    return p


def main(argv: list[str] | None = None) -> int:
    command = "render.py"
    try:
        with interrupts_as_exceptions():
            args = build_parser().parse_args(argv)
            command = f"render.py {args.command or 'explainer'}"
            return cmd_explainer(args) if args.command is None else args.func(args)
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    except (UsageError, ParamError, NarrationError) as exc:
        print(f"render.py: error: {exc}", file=sys.stderr)
        return 2
    except SystemProblem as exc:
        print(f"render.py: missing system dependency: {exc}", file=sys.stderr)
        return 3
    except RenderFailed as exc:
        print(f"render.py: {exc}", file=sys.stderr)
        return 1
    except DiskFull as exc:
        print(f"render.py: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a write the checks could not foresee (a full disk, a lost mount)
        where = f" ({exc.filename})" if exc.filename else ""
        reason = ("the disk is full; free some space and run again" if exc.errno in
                  (errno.ENOSPC, errno.EDQUOT) else exc.strerror or str(exc))
        print(f"render.py: error: {reason}{where}; nothing half-written is left", file=sys.stderr)
        return 1
    except Interrupted as exc:
        print(f"render.py: {exc}", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print(f"render.py: {command} interrupted; finished files are kept, nothing "
              "half-written is left", file=sys.stderr)
        return 130


def run_as_program() -> None:
    """``python render.py``: interrupts during the imports and after ``main`` are one line too,
    and the exit code is ``main``'s."""
    if hasattr(signal, "SIGPIPE"):  # POSIX: `render.py params race | head` ends quietly
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    code = main()
    for sig in (signal.SIGINT, signal.SIGTERM):  # while Python shuts down
        signal.signal(sig, lambda signum, frame: os._exit(code))
    sys.exit(code)


if __name__ == "__main__":
    run_as_program()
