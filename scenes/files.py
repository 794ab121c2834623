"""Files a user or an earlier run left behind, read only if they are what they claim to be.

A name can stand for a FIFO (reading blocks for ever), a device (``/dev/zero`` never ends) or a
file of any size. :func:`open_regular` opens a file only if it is a regular file (after
symlinks) of at most a given size, without blocking, so nothing else is ever read; the cache's
folders are made by :func:`make_folder`, which removes whatever else is in their way.
"""

from __future__ import annotations

import errno
import os
import stat
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
