"""What is on disk between runs: the records that say which outputs are up to date, the
digests they hold, publishing finished files and folders, and one run's private work area."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import secrets
import shutil
from pathlib import Path

from filelock import FileLock, Timeout

from scenes.production.files import (
    make_folder,
    open_regular,
    read_regular,
    replacing,
    write_atomically,
)

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

