"""The render pipeline: jobs rendered in worker processes, each scene to a finished file; the
records that say what is up to date; one run's private work area; the joined explainer with its
chapters and subtitles; the lecture deck. ``render.py`` is the command line and the config
layers on top of it.

Every file appears only when complete: Manim renders into a work folder private to one run and
one scene, then the result is renamed into place. Manim's text and LaTeX caches are shared
between runs (``.cache/media/<scene>``) but only ever read by copying into the private folder
and written by renaming finished files in, so concurrent or killed renders cannot corrupt them.
Manim's global config is only changed inside ``tempconfig``.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import json
import multiprocessing
import os
import secrets
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from filelock import FileLock, Timeout

from scenes.files import is_disk_full, make_folder, open_regular, read_regular, replacing
from scenes.narration import (
    RATE,
    Narration,
    add_track,
    decoded_track,
    encode,
    fit,
    mux,
    soundtrack,
)
from scenes.video import copy_video, video_duration

QUALITIES: dict[str, tuple[int, int, int]] = {  # Manim's quality letters: width, height, fps
    "l": (854, 480, 15),
    "m": (1280, 720, 30),
    "h": (1920, 1080, 60),
    "p": (2560, 1440, 60),
    "k": (3840, 2160, 60),
}
FORMATS = ("mp4", "webm", "gif", "png")
ENCODER_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow")


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
        return self.narration is not None or self.voice != "none"

    def shared_cache(self, sub: str) -> Path:
        """Where Manim's cache ``sub`` of this scene is shared between runs. Formulas (Tex) are
        shared across sizes; text is laid out on a page the frame's size in pixels, so its
        drawings are kept per size (a small render's wrapped text is not reused at 1080p)."""
        folder = Path(self.cache_dir)
        return folder / sub if sub == "Tex" else folder / f"{sub}-{self.width}x{self.height}"

    @property
    def work_dir(self) -> Path:
        return Path(self.run_dir) / self.scene_key

    @property
    def deck_dir(self) -> Path | None:
        """Where the scene's slide clips and presentation JSON are kept (videos only)."""
        if self.format not in ("mp4", "webm"):
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
    if job.format == "png":
        cfg["save_last_frame"] = True
    elif job.format == "mp4":
        # H.264 in yuv420p plays in PowerPoint, Keynote, browsers and LMS pages.
        cfg["video_encoder_options"] = {"preset": job.encoder_preset}
    return cfg


def render(job: Job, on_beat: Callable[[Any], None] | None = None) -> Result:
    """Render ``job`` and move its outputs into place (video or PNG, the .srt, the slides);
    ``on_beat`` is called with each beat as it is finished (progress)."""
    from manim import tempconfig

    from scenes import SCENES

    start = time.perf_counter()
    cls = {c.key: c for c in SCENES}[job.scene_key]
    media, work = job.work_dir / "media", job.work_dir / "work"
    job.work_dir.mkdir()  # not parents: a run folder removed (its run died) stays removed
    work.mkdir()
    for sub in CACHED:
        seed_cache(job.shared_cache(sub), media / sub)
    deck = work / job.deck_dir.name if job.deck_dir else None
    narration = (Narration(job.narration, job.voice, job.voice_cache, job.strict)
                 if job.narrated else None)
    try:
        with tempconfig({**manim_config(job), "video_dir": str(work), "images_dir": str(work)}):
            scene = cls(params=job.params, theme=job.theme, deck_folder=deck,
                        narration=narration, captions=job.captions)
            scene.on_beat = on_beat
            scene.render()
            writer = scene.renderer.file_writer
            produced = Path(writer.image_file_path if job.format == "png"
                            else writer.movie_file_path)
        target = Path(job.target)
        outputs = [(produced, target)]
        if produced.with_suffix(".srt").exists():
            outputs.append((produced.with_suffix(".srt"), target.with_suffix(".srt")))
        if narration is not None:
            narration.check_names(job.scene_key, [b.name for b in scene.beats])
            outputs[0] = (add_narration(produced, scene.beats, deck), target)
        digests = {str(t): file_digest(p) for p, t in outputs}
        if deck is not None:
            digests |= {str(job.deck_dir / f.relative_to(deck)): file_digest(f)
                        for f in sorted(deck.rglob("*")) if f.is_file()}
        for sub in CACHED:
            keep_cache(media / sub, job.shared_cache(sub))
        # The record first: a file published without it would be rendered again, never
        # served; a record without its files is not fresh either (their digests differ).
        Records(target.parent).write(target, job.key, digests)
        if deck is not None:
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


def add_narration(video: Path, beats: list[Any], deck: Path | None) -> Path:
    """Mux the beats' narration into the scene's video and into each of its slide clips (one
    slide per beat); returns the narrated video."""
    track = soundtrack([(b.start, b.clip) for b in beats if b.clip is not None],
                       video_duration(video))
    narrated = video.with_name(f"{video.stem}-narrated{video.suffix}")
    mux(video, track, narrated)
    if deck is not None:
        slides = json.loads(next(deck.glob("*.json")).read_text())["slides"]
        if len(slides) != len(beats):
            raise RuntimeError(f"{len(slides)} slides for {len(beats)} beats")
        for slide, beat in zip(slides, beats, strict=True):
            clip = deck.parent / slide["file"]
            samples = track[round(beat.start * RATE): round(beat.end * RATE)]
            with replacing(clip) as part:
                mux(clip, fit(samples, video_duration(clip)), part)
    return narrated


CACHED = ("Tex", "texts")  # Manim's caches of typeset formulas and text, by content hash


def seed_cache(shared: Path, private: Path) -> None:
    """Give a render the shared cache's files (hard links: Manim never rewrites a cached file)."""
    private.mkdir(parents=True, exist_ok=True)
    if not shared.is_dir():
        return
    for f in shared.iterdir():
        if f.is_file() and not f.name.startswith("."):
            try:
                os.link(f, private / f.name)
            except OSError:
                shutil.copyfile(f, private / f.name)


def keep_cache(private: Path, shared: Path) -> None:
    """Add a finished render's new cache files to the shared cache, each by an atomic rename."""
    make_folder(shared)
    for f in private.iterdir():
        if f.is_file() and not (shared / f.name).exists():
            with replacing(shared / f.name) as tmp:
                shutil.copyfile(f, tmp)


MAX_OUTPUT_BYTES = 1 << 36  # 64 GiB: far more than a 4K explainer
MAX_RECORD_BYTES = 1_000_000  # a record lists a few dozen files


def file_digest(path: Path, limit: int = MAX_OUTPUT_BYTES) -> str:
    """The sha256 of a regular file of at most ``limit`` bytes; else OSError."""
    h = hashlib.sha256()
    with open_regular(path, limit) as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            if fh.tell() > limit:  # it grew after it was opened
                raise OSError(errno.EFBIG, f"more than {limit} bytes", str(path))
    return h.hexdigest()


def build_facts(scene_key: str, params: Any, theme: str) -> dict[str, Any]:
    """Build a scene without rendering a frame (Manim's dry run) and return its beats (id,
    caption, start and end in seconds) and the values its captions were computed from."""
    from manim import tempconfig

    from scenes import SCENES

    cls = {c.key: c for c in SCENES}[scene_key]
    with tempfile.TemporaryDirectory(prefix="facts-") as media, tempconfig({
            "dry_run": True, "pixel_width": 160, "pixel_height": 90, "frame_rate": 15,
            "media_dir": media, "disable_caching": True, "verbosity": "ERROR",
            "progress_bar": "none"}):
        scene = cls(params=params, theme=theme)
        scene.render()
    return {"scene": scene_key, "title": cls.title,
            "beats": [{"id": f"{scene_key}/{b.name}", "caption": b.caption,
                       "start": round(b.start, 3), "end": round(b.end, 3)}
                      for b in scene.beats],
            "facts": jsonable(scene.facts)}


def jsonable(value: Any) -> Any:
    """Facts as JSON values: dataclasses as objects, arrays as lists, NaN and inf as null."""
    import dataclasses

    if dataclasses.is_dataclass(value):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def publish(source: Path, target: Path) -> None:
    """Move a finished file into place atomically (a rename: the work area is on the same
    file system; otherwise a copy to a hidden temporary, then a rename)."""
    try:
        os.replace(source, target)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    with replacing(target) as tmp:
        shutil.copyfile(source, tmp)


def publish_folder(source: Path, target: Path) -> None:
    """Move a finished folder into place: the old one (if any) is renamed away, then removed.
    Another run may be publishing the same folder: then the last one to arrive wins."""
    target.parent.mkdir(parents=True, exist_ok=True)
    olds = [target.with_name(f".{target.name}.old-{os.getpid()}-{i}") for i in range(10)]
    try:
        for old in olds:
            with contextlib.suppress(FileNotFoundError):
                os.replace(target, old)
            try:
                os.replace(source, target)
                return
            except OSError as exc:  # another run's folder arrived in between
                if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                    raise
        raise OSError(errno.EBUSY, f"cannot publish {target}: other runs keep replacing it")
    finally:
        for old in olds:
            shutil.rmtree(old, ignore_errors=True)


# --- joining -------------------------------------------------------------------------------------

def join_videos(parts: list[tuple[str, Path]], target: Path) -> list[tuple[float, str]]:
    """Concatenate same-format videos without re-encoding the picture (FFmpeg's concat demuxer,
    as Manim joins its partial movies), with a chapter at each part and the parts' narration,
    if any, as one sound track. Returns ``[(start s, title)]``."""
    import av

    chapters, offset, durations = [], 0.0, []
    for title, path in parts:
        chapters.append((offset, title))
        durations.append(video_duration(path))
        offset += durations[-1]
    # Narrated parts: one sound track, each part's cut or padded to its video's length, so
    # the sound stays in step across the joins (re-encoded: AAC priming would add up).
    tracks = [decoded_track(path) for _, path in parts]
    sound = (np.concatenate([fit(tr, d) for tr, d in zip(tracks, durations, strict=True)])
             if any(len(tr) for tr in tracks) else None)
    manifest = "".join(f"file '{path.resolve()}'\n" for _, path in parts)
    with (replacing(target) as tmp,
          av.open(io.BytesIO(manifest.encode()), format="concat", options={"safe": "0"}) as src,
          av.open(str(tmp), "w") as out):
        stream = out.add_stream_from_template(src.streams.video[0])
        audio = add_track(out, target.suffix) if sound is not None else None
        copy_video(src, out, stream)
        if audio is not None:
            encode(out, audio, sound)
        if target.suffix == ".mp4":
            ends = [start for start, _ in chapters[1:]] + [offset]
            out.set_chapters([
                {"id": i + 1, "start": round(start * 1000), "end": round(end * 1000),
                 "time_base": Fraction(1, 1000), "metadata": {"title": title}}
                for i, ((start, title), end) in enumerate(zip(chapters, ends, strict=True))])
    return chapters


def chapter_text(chapters: list[tuple[float, str]]) -> str:
    """Timestamps ready to paste into a video description (``0:00 Title``)."""
    def stamp(t: float) -> str:
        m, s = divmod(int(t), 60)
        h, m = divmod(m, 60)
        return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"

    return "".join(f"{stamp(t)} {title}\n" for t, title in chapters)


# --- the lecture deck ---------------------------------------------------------------------------

# The files of reveal.js the manim-slides template loads (fetched from npm at setup, never a CDN).
REVEAL_FILES = ("dist/reveal.css", "dist/reveal.js", "dist/theme/black.css",
                "dist/theme/white.css", "dist/plugin/notes.js", "dist/plugin/markdown.js",
                "dist/plugin/highlight/zenburn.css")


def build_deck(decks: list[Path], target: Path, theme: str, reveal: Path,
               work: Path) -> list[Path]:
    """One deck from the scenes' slide folders (each the clips and JSON of one render): an
    offline reveal.js HTML with its assets folder, a .pptx and a .pdf, named after ``target``
    (``target.html``, ``target_assets/``, ``target.pptx``, ``target.pdf``), built in ``work``
    (a new folder in the run's area, on the same file system). Returns the files."""
    from manim_slides.config import PresentationConfig
    from manim_slides.convert import PDF, PowerPoint, RevealJS

    configs = [PresentationConfig.from_file(next(d.glob("*.json"))) for d in decks]
    html, assets = target.with_suffix(".html"), target.with_name(f"{target.name}_assets")
    work.mkdir()
    try:
        staged = work / html.name
        vendored = work / assets.name / "reveal.js"
        for name in REVEAL_FILES:
            (vendored / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(reveal / name, vendored / name)
        # The converters draw a progress bar per scene on stderr; the caller reports the files.
        with contextlib.redirect_stderr(io.StringIO()):
            RevealJS(presentation_configs=configs, cdn_url=f"{assets.name}/reveal.js",
                     reveal_theme="black" if theme == "dark" else "white",
                     title=target.stem).convert_to(staged)
            PowerPoint(presentation_configs=configs).convert_to(work / f"{target.name}.pptx")
            PDF(presentation_configs=configs).convert_to(work / f"{target.name}.pdf")
        publish_folder(work / assets.name, assets)
        outputs = [html, assets]
        for suffix in (".pptx", ".pdf"):
            os.replace(work / f"{target.name}{suffix}", target.with_name(target.name + suffix))
            outputs.append(target.with_name(target.name + suffix))
        os.replace(staged, html)
        return outputs
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --- subtitles -----------------------------------------------------------------------------------

def parse_srt(text: str) -> list[tuple[float, float, str]]:
    """Cues as ``(start s, end s, text)`` (the ``srt`` package, which Manim itself uses)."""
    import srt

    return [(c.start.total_seconds(), c.end.total_seconds(), c.content)
            for c in srt.parse(text)]


def join_srt(parts: list[tuple[Path, float]]) -> str:
    """One .srt from per-scene files, each shifted by its scene's start time."""
    from datetime import timedelta

    import srt

    cues = []
    for path, offset in parts:
        if path.exists():
            shift = timedelta(seconds=offset)
            cues += [srt.Subtitle(0, c.start + shift, c.end + shift, c.content)
                     for c in srt.parse(path.read_text())]
    return srt.compose(cues)  # numbers the cues 1, 2, ... in order


# --- the run: records, work area, worker pool, progress ------------------------------------

def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder, then rename."""
    with replacing(path) as tmp:
        tmp.write_text(text)


class Reporter:
    """Status lines on stderr; on a terminal, a live board of the scenes rendering in parallel
    (rich, which Manim brings). Plain lines only when stderr is not a terminal (CI, logs)."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.board = None  # a rich Progress while parallel workers render on a terminal
        self.tasks: dict[str, int] = {}  # its row per scene

    def finished(self, key: str, status: str) -> None:
        """A scene's row on the board, if shown, says how it ended."""
        if self.board is not None and key in self.tasks:
            self.board.update(self.tasks[key], total=1, completed=1, status=status)

    def warn(self, message: str) -> None:
        """Shown even with --quiet."""
        self._print(f"warning: {message}")

    def say(self, message: str) -> None:
        if not self.quiet:
            self._print(message)

    def _print(self, message: str) -> None:
        if self.board is not None:
            self.board.console.print(message, markup=False, highlight=False, soft_wrap=True)
        else:
            print(message, file=sys.stderr, flush=True)

    @contextlib.contextmanager
    def progress(self, jobs: list[Job], workers: int):
        """A progress board (one row per scene: beats done, seconds of video, time) fed by
        ``(scene, beat, seconds)`` messages; yields its queue, or None when not shown."""
        from rich.console import Console

        console = Console(stderr=True)
        if self.quiet or workers <= 1 or not console.is_terminal or not jobs:
            yield None
            return
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        queue = multiprocessing.get_context("spawn").Queue()
        board = Progress(SpinnerColumn(finished_text="✓"), TextColumn("{task.description:<10}"),
                         TextColumn("{task.fields[status]}"), TimeElapsedColumn(),
                         console=console, transient=True)
        tasks = {j.scene_key: board.add_task(j.scene_key, total=None, status="waiting")
                 for j in jobs}

        def follow() -> None:
            while (message := queue.get()) is not None:
                key, beat, seconds = message
                board.update(tasks[key], status=f"beat {beat}, {seconds:5.1f} s of video")

        reader = threading.Thread(target=follow, daemon=True)
        self.board, self.tasks = board, tasks
        with board:
            reader.start()
            try:
                yield queue
            finally:
                queue.put(None)
                reader.join(timeout=5)
                self.board = None


class Records:
    """What each output in the folder was made from, one small JSON file per output in
    ``.cache/records``: the cache key and the sha256 of every file written for it (video,
    subtitles, slide clips). An output is up to date only if its key matches and every file is
    still the one recorded, so a truncated, replaced or half-published file is rendered again,
    and concurrent renders never overwrite each other's records."""

    def __init__(self, out: Path):
        self.out = out
        self.folder = out / ".cache" / "records"

    def _path(self, target: Path) -> Path:
        return self.folder / f"{target.name}.json"

    def fresh(self, target: Path, key: str) -> bool:
        try:
            record = json.loads(read_regular(self._path(target), MAX_RECORD_BYTES))
        except (OSError, ValueError, RecursionError):  # missing, not a file, edited by hand
            return False
        if (not isinstance(record, dict) or record.get("key") != key
                or not isinstance(record.get("files"), dict) or not record["files"]):
            return False
        try:
            return all(file_digest(self.out / name) == digest_
                       for name, digest_ in record["files"].items())
        except (OSError, ValueError):  # missing, not a regular file, a NUL in its name
            return False

    def write(self, target: Path, key: str, digests: dict[str, str]) -> None:
        files = {str(Path(p).relative_to(self.out)): d for p, d in digests.items()}
        path = self._path(target)
        make_folder(self.folder)
        if path.is_dir():  # anything in our cache's way is ours
            shutil.rmtree(path)
        write_atomically(path, json.dumps({"key": key, "files": files}, indent=1))


class RunArea:
    """This run's private work folder, ``.cache/runs/<pid>-<random>``, held under its lock
    ``<pid>-<random>.lock`` while the run lives. Each run removes only its own folder; a folder
    whose lock is free, or that has no lock, belongs to a run that died (SIGKILL, power loss)
    and is removed by the next run. Taking the lock and making the folder is one step no other
    run can see half done: both happen, as the clean-up does, under ``.cache/runs.lock``.
    (filelock: flock on POSIX, msvcrt on Windows.)"""

    def __init__(self, out: Path):
        self.runs = out / ".cache" / "runs"
        make_folder(self.runs)
        with FileLock(self.runs.with_name("runs.lock")):
            self.remove_dead_runs()
            self.lock, self.path = self._create()

    def _create(self) -> tuple[FileLock, Path]:
        name = f"{os.getpid()}-{secrets.token_hex(4)}"
        lock = FileLock(self.runs / f"{name}.lock")
        lock.acquire(timeout=0)
        path = self.runs / name
        path.mkdir()
        return lock, path

    def remove_dead_runs(self) -> None:
        for entry in list(self.runs.iterdir()):
            if entry.suffix == ".lock":
                lock = FileLock(entry)
                try:
                    lock.acquire(timeout=0)
                except Timeout:
                    continue  # its run is alive
                lock.release()
                shutil.rmtree(entry.with_suffix(""), ignore_errors=True)
                entry.unlink(missing_ok=True)
            elif not entry.with_name(f"{entry.name}.lock").exists():  # no lock: it died early
                if entry.is_dir():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        self.lock.release()
        Path(self.lock.lock_file).unlink(missing_ok=True)


class Interrupted(Exception):
    pass


class RenderFailed(Exception):
    pass


def run_jobs(jobs: list[Job], workers: int, report: Reporter):
    """Yield results as scenes finish; in parallel worker processes when workers > 1.

    Workers ignore Ctrl-C from their first instruction (they are started with SIGINT ignored,
    which Python keeps), so a Ctrl-C to the whole process group while they import Manim prints
    nothing of theirs; the main process stops them all at once (``terminate``), so an interrupt
    does not wait for the scenes in flight.
    """
    for i, job in enumerate(jobs, start=1):
        report.say(f"rendering:  {job.scene_key} ({i}/{len(jobs)}) at {job.width}x{job.height}, "
                   f"{job.fps} fps, {job.format}")
    if workers <= 1:
        for job in jobs:
            yield guarded(job)
        return
    with report.progress(jobs, workers) as queue:
        with sigint_ignored():
            pool = multiprocessing.get_context("spawn").Pool(workers, initializer=worker_init,
                                                             initargs=(queue, os.getpid()))
        try:
            yield from pool.imap_unordered(guarded, jobs)
            pool.close()
        except BaseException:
            pool.terminate()
            raise
        finally:
            pool.join()


PROGRESS = None  # in a worker: where each finished beat is reported (or None)


def worker_init(progress=None, parent: int | None = None) -> None:
    """Workers leave Ctrl-C to the main process, and die with it (even by SIGKILL) instead of
    rendering on as orphans; they report each finished beat to ``progress`` if given."""
    global PROGRESS
    PROGRESS = progress
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Manim's progress bars are tqdm's, whose default lock is a multiprocessing semaphore: a
    # worker stopped by terminate() would leave it to the resource tracker, which then warns
    # of a "leaked semaphore" after the run's last line. A thread lock is all a worker needs.
    from tqdm import tqdm

    tqdm.set_lock(threading.RLock())
    if sys.platform == "linux":
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    # A parent killed while this worker was starting (before the line above) is already gone:
    # the tasks still in the pipe would be rendered into a run folder nobody owns.
    if parent is not None and os.getppid() != parent:
        os._exit(1)


@contextlib.contextmanager
def sigint_ignored():
    """SIGINT ignored while worker processes are started: they inherit it, and Python keeps an
    ignored SIGINT ignored, so no worker has a moment in which Ctrl-C prints its traceback."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def interrupts_as_exceptions():
    """Ctrl-C (SIGINT) and ``kill`` (SIGTERM) both raise KeyboardInterrupt while the block runs,
    so either stops a run the same way: workers stopped, work removed, one line. A SIGINT that
    was ignored when the program started (a background job) stays ignored."""
    def stop(signum, frame):
        raise KeyboardInterrupt

    try:
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        if previous[signal.SIGINT] is not signal.SIG_IGN:
            signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread (an embedding application): leave it alone
        yield
        return
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def guarded(job: Job) -> Result:
    """Render one job; an exception becomes a failed result (other scenes carry on)."""
    def on_beat(beat) -> None:
        PROGRESS.put((job.scene_key, beat.index, beat.end))

    try:
        return render(job, on_beat=on_beat if PROGRESS is not None else None)
    except (KeyboardInterrupt, DiskFull):
        raise  # the whole run stops
    except Exception as exc:  # noqa: BLE001 - reported per scene, one line
        return Result(job.scene_key, job.target, 0.0, f"{type(exc).__name__}: {exc}")
