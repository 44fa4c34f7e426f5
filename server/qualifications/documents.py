"""Certificates of qualifications in the data folder: checked (size, type by magic bytes, free
space left), then written atomically (temp file, fsync, rename) so no file is ever half there.
The row pointing to the file is written by the caller in one transaction after the rename; a
file whose transaction fails is removed again (`discard`)."""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

from server.errors import DomainError, InvalidInput
from server.i18n import gettext as _

# What the first bytes of an accepted file are; the name and the browser's type are not trusted.
_MAGIC = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
FOLDER = "documents"


class TooLarge(DomainError):
    status = 413
    code = "too-large"


class NoSpace(DomainError):
    status = 507
    code = "insufficient-storage"


def sniff(content: bytes) -> tuple[str, str] | None:
    """(media type, extension) from the file's first bytes, or None when not accepted."""
    for magic, media, extension in _MAGIC:
        if content.startswith(magic):
            return media, extension
    return None


def check(content: bytes, *, max_bytes: int, data_dir: Path, margin: int) -> tuple[str, str]:
    """The file's (media type, extension) when it may be kept; a clear refusal otherwise."""
    if not content:
        raise InvalidInput(_("Choose a file (PDF, JPEG or PNG)."), field="document")
    if len(content) > max_bytes:
        megabytes = f"{max_bytes / 1_000_000:g}"
        raise TooLarge(
            _("The file is too large (%(mb)s MB at most).", mb=megabytes), field="document"
        )
    kind = sniff(content)
    if kind is None:
        raise InvalidInput(
            _("This file is not a PDF, JPEG or PNG (its content was checked, not its name)."),
            field="document",
        )
    if shutil.disk_usage(data_dir).free - len(content) < margin:
        raise NoSpace(
            _("The server's disk is nearly full: the file was not kept. Tell your administrator."),
            field="document",
        )
    return kind


def write(content: bytes, *, data_dir: Path, extension: str) -> str:
    """The file written whole under an unguessable name; its path relative to the data folder."""
    folder = data_dir / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{extension}"
    temp = folder / f".{name}.tmp"
    try:
        with open(temp, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, folder / name)
    finally:
        temp.unlink(missing_ok=True)
    # The rename is durable once the folder's entry is.
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return f"{FOLDER}/{name}"


def resolve(data_dir: Path, relative: str) -> Path:
    """The stored file's path; never outside the documents folder."""
    path = (data_dir / relative).resolve()
    if path.parent != (data_dir / FOLDER).resolve():
        raise InvalidInput(_("This document does not exist."))
    return path


def discard(data_dir: Path, relative: str | None) -> None:
    if relative:
        resolve(data_dir, relative).unlink(missing_ok=True)
