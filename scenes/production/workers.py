"""Jobs run in parallel worker processes, and interrupts: Ctrl-C and SIGTERM stop a run the
same way (workers stopped, work removed, one line)."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
from functools import partial
from typing import Any

from scenes.production.jobs import DiskFull, Job, Result, render
from scenes.production.progress import Reporter


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
            yield render_reported(job)
        return
    with report.progress([job.scene_key for job in jobs], workers) as queue:
        with sigint_ignored():
            pool = multiprocessing.get_context("spawn").Pool(workers, initializer=worker_init,
                                                             initargs=(queue, os.getpid()))
        try:
            yield from pool.imap_unordered(render_reported, jobs)
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


def report_beat(queue: Any, scene_key: str, beat: Any) -> None:
    """Tell the progress board a beat is done (its scene, number and end in seconds)."""
    queue.put((scene_key, beat.index, beat.end))


def render_reported(job: Job) -> Result:
    """Render one job; an exception becomes a failed result (other scenes carry on)."""
    on_beat = None if PROGRESS is None else partial(report_beat, PROGRESS, job.scene_key)
    try:
        return render(job, on_beat=on_beat)
    except (KeyboardInterrupt, DiskFull):
        raise  # the whole run stops
    except Exception as exc:  # noqa: BLE001 - reported per scene, one line
        return Result(job.scene_key, job.target, 0.0, f"{type(exc).__name__}: {exc}")
