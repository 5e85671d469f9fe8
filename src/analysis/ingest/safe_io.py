"""Open input files safely: inside the corpus folder, read-only, no symlinks, bounded size."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


class InputRejected(Exception):
    """An input cannot be used; the message is the reason shown to the user."""


def _within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def check_entry(path: Path, *, root: Path) -> None:
    """Check a directory entry before anything is read from it.

    Symbolic links are never followed, whether they point inside the corpus folder
    or outside it; only regular files are read.

    Args:
        path: The entry, as found by walking ``root``.
        root: The corpus folder, already resolved.

    Raises:
        InputRejected: for a symbolic link, a device, socket or FIFO, or an entry outside ``root``.
    """
    try:
        st = os.lstat(path)
    except OSError as exc:
        raise InputRejected(f"cannot inspect file: {exc.strerror or exc}") from None
    if stat.S_ISLNK(st.st_mode):
        try:
            target = Path(os.readlink(path))
        except OSError:
            target = Path("?")
        if not target.is_absolute():
            target = path.parent / target
        target = Path(os.path.normpath(target))
        if _within(target, root):
            raise InputRejected("symbolic link inside the corpus folder; not followed (its target is read directly)")
        raise InputRejected("symbolic link pointing outside the corpus folder; not followed")
    if not stat.S_ISREG(st.st_mode):
        raise InputRejected("not a regular file (device, socket or pipe); not read")
    if not _within(Path(os.path.normpath(path)), root):
        raise InputRejected("file lies outside the corpus folder; not read")


def open_binary(path: Path):
    """Open a regular file read-only without following a final symbolic link.

    Returns:
        A binary file object (the caller closes it).

    Raises:
        InputRejected: if the file is a symlink, not a regular file, or cannot be read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputRejected("symbolic link; not followed") from None
        raise InputRejected(f"cannot read: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InputRejected("not a regular file (device, socket or pipe); not read")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bytes(path: Path, *, max_bytes: int) -> bytes:
    """Read a whole file, refusing files over ``max_bytes``.

    Raises:
        InputRejected: if the file is too large, unreadable, a symlink or not a regular file.
    """
    with open_binary(path) as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > max_bytes:
            raise InputRejected(f"file is {size:,} bytes, over the {max_bytes:,}-byte limit")
        try:
            data = fh.read(max_bytes + 1)
        except OSError as exc:
            raise InputRejected(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputRejected(f"file is over the {max_bytes:,}-byte limit")
    return data
