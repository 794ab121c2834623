"""One scene rendered to finished files: a job (everything a worker needs), Manim's
config for it, the render in the job's private work folder, and publishing its outputs with
their record. Manim's text and LaTeX caches are shared between runs (``.cache/media/<scene>``)
but only ever read by linking into the private folder and written by renaming finished files
in, so concurrent or killed renders cannot corrupt them. Manim's global config is only changed
inside ``tempconfig``.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scenes.production.deck import record_ideas
from scenes.production.files import is_disk_full, make_folder, replacing
from scenes.production.media import add_narration
from scenes.production.narration import (
    Narration,
    is_narrated,
)
from scenes.production.outputs import FORMATS
from scenes.production.store import Records, file_digest, publish, publish_folder


@dataclass(frozen=True)
class Job:
    """Everything a worker process needs to render one scene (picklable)."""

    scene_key: str
    params: Any
    theme: str
    width: int
    height: int
    fps: int
    format: str
    transparent: bool
    encoder_preset: str
    cache_dir: str  # Manim's text and LaTeX caches for this scene, shared between runs
    run_dir: str  # this run's private work area (removed when the run ends)
    target: str  # final output path
    show_progress: bool
    key: str = ""  # what the output is made from (parameters, settings, code), for the cache
    narration: str | None = None  # folder of recordings, DIR/<scene>/<beat name>.wav
    voice: str = "none"  # draft voice for beats without a recording ("neural")
    voice_cache: str = ""  # where the voice's speech is kept between runs (by voice and text)
    captions: bool = True  # the caption band on screen
    strict: bool = False  # a recording made for an older caption is an error

    @property
    def narrated(self) -> bool:
        return is_narrated(self.narration, self.voice)

    def shared_cache(self, sub: str) -> Path:
        return shared_cache(Path(self.cache_dir), sub)

    @property
    def work_dir(self) -> Path:
        return Path(self.run_dir) / self.scene_key

    @property
    def deck_dir(self) -> Path | None:
        """Where the scene's slide clips and presentation JSON are kept (videos only)."""
        if not FORMATS[self.format].clips:
            return None
        target = Path(self.target)
        return target.parent / ".cache" / "slides" / target.stem


@dataclass(frozen=True)
class Result:
    scene_key: str
    target: str
    seconds: float
    error: str | None = None
    warnings: tuple[str, ...] = ()  # e.g. recordings made for an older caption


def manim_config(job: Job) -> dict[str, Any]:
    cfg: dict[str, Any] = {
        "pixel_width": job.width, "pixel_height": job.height, "frame_rate": job.fps,
        "media_dir": str(job.work_dir / "media"), "disable_caching": True,
        "transparent": job.transparent,
        "verbosity": "WARNING", "progress_bar": "display" if job.show_progress else "none",
        "max_inflight_encoders": 2,
        "max_files_cached": -1,  # the deck's clips are made from every partial movie
    }
    cfg["format"] = job.format  # "png" saves the last frame instead of a movie
    if not FORMATS[job.format].movie:
        cfg["save_last_frame"] = True
    elif job.format == "mp4":
        # H.264 in yuv420p plays in PowerPoint, Keynote, browsers and LMS pages.
        cfg["video_encoder_options"] = {"preset": job.encoder_preset}
    return cfg


def render(job: Job, on_beat: Callable[[Any], None] | None = None) -> Result:
    """Render ``job`` and move its outputs into place (video or PNG, the .srt, the slides);
    ``on_beat`` is called with each beat as it is finished (progress)."""
    from manim import tempconfig

    from scenes.catalog import CATALOG

    start = time.perf_counter()
    cls = CATALOG[job.scene_key].load()
    media, work = job.work_dir / "media", job.work_dir / "work"
    job.work_dir.mkdir()  # not parents: a run folder removed (its run died) stays removed
    work.mkdir()
    deck = work / job.deck_dir.name if job.deck_dir else None
    narration = (Narration(job.narration, job.voice, job.voice_cache, job.strict)
                 if job.narrated else None)
    try:
        for sub in CACHED:  # a copy (another disk) may fill this one: said as a full disk
            seed_cache(job.shared_cache(sub), media / sub)
        with tempconfig({**manim_config(job), "video_dir": str(work), "images_dir": str(work)}):
            scene = cls(params=job.params, theme=job.theme, deck_folder=deck,
                        narration=narration, captions=job.captions)
            scene.on_beat = on_beat
            scene.render()
            writer = scene.renderer.file_writer
            produced = Path(writer.image_file_path if not FORMATS[job.format].movie
                            else writer.movie_file_path)
        target = Path(job.target)
        outputs = [(produced, target)]
        if produced.with_suffix(".srt").exists():
            outputs.append((produced.with_suffix(".srt"), target.with_suffix(".srt")))
        if deck is not None:
            record_ideas(deck, scene)
        if narration is not None:
            narration.check_names(job.scene_key, [b.name for b in scene.beats])
            outputs[0] = (add_narration(produced, scene.beats, deck), target)
        digests = {str(t): file_digest(p) for p, t in outputs}
        if deck is not None and job.deck_dir is not None:
            digests |= {str(job.deck_dir / f.relative_to(deck)): file_digest(f)
                        for f in sorted(deck.rglob("*")) if f.is_file()}
        for sub in CACHED:
            keep_cache(media / sub, job.shared_cache(sub))
        # The record first: a file published without it would be rendered again, never
        # served; a record without its files is not fresh either (their digests differ).
        Records(target.parent).write(target, job.key, digests)
        if deck is not None and job.deck_dir is not None:
            publish_folder(deck, job.deck_dir)
        for produced_file, target_file in outputs:
            publish(produced_file, target_file)
        return Result(job.scene_key, job.target, time.perf_counter() - start,
                      warnings=tuple(narration.warnings) if narration else ())
    except Exception as exc:
        if is_disk_full(exc, job.work_dir):
            raise DiskFull(Path(job.target).parent) from None
        raise
    finally:
        if narration is not None:
            narration.close()  # the voice's process, if it was started
        shutil.rmtree(job.work_dir, ignore_errors=True)


class DiskFull(Exception):
    """No room left to write a render: the whole run stops with one line."""

    def __init__(self, folder: Path):
        super().__init__(f"the disk is full where {folder} is; free some space and run again "
                         "(finished files are kept, nothing half-written is left)")


CACHED = ("Tex", "texts")  # Manim's caches of typeset formulas and text, by content hash


def shared_cache(folder: Path, sub: str) -> Path:
    """Where Manim's cache ``sub`` of a scene (``folder``) is shared between runs of every
    size: a formula is typeset, and a text laid out on one canvas (``internals.texts.CANVAS``),
    the same whatever the render's size. The texts' folder is named after that canvas, so the
    drawings of versions that laid a text out on a page the render's size (``texts-<w>x<h>``:
    a small render's could be wrapped onto two lines) are never read."""
    if sub == "Tex":
        return folder / sub
    from scenes.framework.internals.texts import CANVAS

    return folder / f"{sub}-{CANVAS[0]}x{CANVAS[1]}"


def seed_cache(shared: Path, private: Path) -> None:
    """Give a render copies of the shared cache's files. Copies, not hard links: a render does
    rewrite some cached files in place (measured: with links, two renders of the saddle at
    once left a text drawing empty in the shared cache, and the next render failed reading
    it), and a rewrite must never reach the shared file."""
    private.mkdir(parents=True, exist_ok=True)
    if not shared.is_dir():
        return
    for f in shared.iterdir():
        if f.is_file() and not f.name.startswith("."):
            shutil.copyfile(f, private / f.name)


def keep_cache(private: Path, shared: Path,
               wanted: Callable[[Path], bool] = lambda f: True) -> None:
    """Add a finished render's new cache files (those ``wanted``) to the shared cache, each by
    an atomic rename."""
    make_folder(shared)
    for f in private.iterdir():
        if f.is_file() and wanted(f) and not (shared / f.name).exists():
            with replacing(shared / f.name) as tmp:
                shutil.copyfile(f, tmp)

