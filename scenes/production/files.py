"""Files read and written safely: nothing half-written is seen, nothing but a regular file is read.

A name can stand for a FIFO (reading blocks for ever), a device (``/dev/zero`` never ends) or a
file of any size. :func:`open_regular` opens a file only if it is a regular file (after
symlinks) of at most a given size, without blocking, so nothing else is ever read; the cache's
folders are made by :func:`make_folder`, which removes whatever else is in their way. Files
are written through :func:`replacing` (a temporary renamed into place), and a failure is told
apart as a full disk by :func:`is_disk_full`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


def open_regular(path: Path, limit: int) -> BinaryIO:
    """``path`` open for reading, or OSError (its ``strerror`` one line saying why) if it is
    not a regular file of at most ``limit`` bytes. Opened without blocking and checked
    before a byte is read, so a FIFO cannot hang it."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        if info.st_size > limit:
            raise OSError(errno.EFBIG, f"{info.st_size} bytes; at most {limit} expected",
                          str(path))
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (see :func:`open_regular`)."""
    with open_regular(path, limit) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:  # it grew after it was opened
        raise OSError(errno.EFBIG, f"more than {limit} bytes", str(path))
    return data


def make_folder(folder: Path) -> None:
    """``folder`` made if missing; a file (or a symlink, a FIFO) in its place is removed first:
    the cache's folders are ours."""
    if os.path.lexists(folder) and not folder.is_dir():
        folder.unlink()
    folder.mkdir(parents=True, exist_ok=True)


@contextlib.contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target`` to write the new file to; renamed onto ``target``
    when the block ends, removed if it raises (a full disk, Ctrl-C): nobody ever sees a half
    file under ``target``'s name. The temporary keeps the suffix, so writers that go by the
    suffix (PyAV, Pillow) choose the right format."""
    tmp = target.with_name(f".{target.stem}.{os.getpid()}-{secrets.token_hex(3)}.part"
                           f"{target.suffix}")
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def is_disk_full(exc: BaseException, folder: Path) -> bool:
    """Whether ``exc`` (or what caused it) came from a full disk: ENOSPC or EDQUOT anywhere in
    its chain, or under a megabyte left where ``folder`` lives (the writers that hit it, Manim's
    LaTeX and text caches among them, often report a truncated file instead)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        seen = seen.__cause__ or seen.__context__
    try:
        return shutil.disk_usage(folder).free < LOW_SPACE
    except OSError:
        return False


LOW_SPACE = 1 << 20


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder, then rename."""
    with replacing(path) as tmp:
        tmp.write_text(text)
