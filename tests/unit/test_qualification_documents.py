"""Certificates on disk: the type told by the first bytes, refusals in order (empty, too big,
wrong type, disk nearly full), the file written whole under a random name, never a path out."""

from __future__ import annotations

from collections import namedtuple
from pathlib import Path

import pytest

from server.errors import DomainError
from server.qualifications import documents

Usage = namedtuple("Usage", "total used free")


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.7\n", ("application/pdf", "pdf")),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", ("image/jpeg", "jpg")),
        (b"\x89PNG\r\n\x1a\n\x00\x00", ("image/png", "png")),
        (b"GIF89a", None),
        (b"<html><script>", None),
        (b"PK\x03\x04", None),  # a .docx or a zip renamed .pdf
    ],
)
def test_the_type_is_told_by_the_first_bytes(head: bytes, kind) -> None:
    assert documents.sniff(head + b"rest") == kind


@pytest.mark.parametrize(
    ("content", "free", "status"),
    [
        (b"", 10**12, 400),
        (b"%PDF-" + b"0" * 100, 10**12, 413),
        (b"BM not accepted", 10**12, 400),
        (b"%PDF-1.4", 10**6 + 5, 507),
    ],
)
def test_refusals(tmp_path: Path, monkeypatch, content: bytes, free: int, status: int) -> None:
    monkeypatch.setattr(documents.shutil, "disk_usage", lambda path: Usage(0, 0, free))
    with pytest.raises(DomainError) as refused:
        documents.check(content, max_bytes=50, data_dir=tmp_path, margin=10**6)
    assert refused.value.status == status and refused.value.field == "document"


def test_written_whole_under_a_random_name(tmp_path: Path) -> None:
    relative = documents.write(b"%PDF-1.4 x", data_dir=tmp_path, extension="pdf")
    stored = documents.resolve(tmp_path, relative)
    assert stored.read_bytes() == b"%PDF-1.4 x"
    assert [p.name for p in (tmp_path / documents.FOLDER).iterdir()] == [stored.name]  # no temp
    assert relative != documents.write(b"%PDF-1.4 x", data_dir=tmp_path, extension="pdf")


def test_a_path_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DomainError):
        documents.resolve(tmp_path, "documents/../astreinte.db")
