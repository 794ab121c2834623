"""What a run says while it works: status lines on stderr, and a live board of the scenes
rendering in parallel on a terminal."""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
import threading
from typing import Any


class Reporter:
    """Status lines on stderr; on a terminal, a live board of the scenes rendering in parallel
    (rich, which Manim brings). Plain lines only when stderr is not a terminal (CI, logs)."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.board: Any = None  # a rich Progress while parallel workers render on a terminal
        self.tasks: dict[str, Any] = {}  # its row (a rich TaskID) per scene

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
    def progress(self, keys: list[str], workers: int):
        """A progress board (one row per scene: beats done, seconds of video, time) fed by
        ``(scene, beat, seconds)`` messages; yields its queue, or None when not shown."""
        from rich.console import Console

        console = Console(stderr=True)
        if self.quiet or workers <= 1 or not console.is_terminal or not keys:
            yield None
            return
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        queue = multiprocessing.get_context("spawn").Queue()
        board = Progress(SpinnerColumn(finished_text="✓"), TextColumn("{task.description:<10}"),
                         TextColumn("{task.fields[status]}"), TimeElapsedColumn(),
                         console=console, transient=True)
        tasks = {key: board.add_task(key, total=None, status="waiting") for key in keys}

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

