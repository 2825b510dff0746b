"""Checking an uploaded evidence file (佐证材料): size and type, the type read from the content.

The name a browser sends proves nothing (a renamed ``.exe`` is still a program), so the type is
decided by the file's first bytes: ``%PDF``, JPEG's ``FF D8 FF``, PNG's signature, and for
``.docx`` / ``.xlsx`` a zip archive holding ``word/`` or ``xl/``.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .uploads import DOCUMENT, check_office_file

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class EvidenceType:
    extension: str
    content_type: str


PDF = EvidenceType(".pdf", "application/pdf")
JPEG = EvidenceType(".jpg", "image/jpeg")
PNG = EvidenceType(".png", "image/png")
DOCX = EvidenceType(".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = EvidenceType(".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _office_type(file) -> EvidenceType | None:
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if any(name.startswith("word/") for name in names):
        return DOCX
    if any(name.startswith("xl/") for name in names):
        return XLSX
    return None


def detect_evidence_type(file) -> EvidenceType | None:
    """The accepted type the content shows, or None; the file is read from its start and rewound."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    found = None
    if head.startswith(b"%PDF"):
        found = PDF
    elif head.startswith(b"\xff\xd8\xff"):
        found = JPEG
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        found = PNG
    elif head.startswith(b"PK\x03\x04"):
        found = _office_type(file)
        file.seek(0)
    return found


def check_evidence_file(file) -> EvidenceType:
    """The type of an acceptable evidence file; ValidationError with a sentence the user can act on."""
    name = getattr(file, "name", "") or _("文件")
    if file.size > MAX_EVIDENCE_BYTES:
        raise ValidationError(
            _("“%(name)s”大小为 %(size).1f MB，超过 20 MB 的上限。") % {"name": name, "size": file.size / 1024 / 1024}
        )
    if file.size == 0:
        raise ValidationError(_("“%(name)s”是空文件。") % {"name": name})
    found = detect_evidence_type(file)
    if found is None:
        raise ValidationError(
            _("“%(name)s”的内容不是 PDF、JPG、PNG、DOCX 或 XLSX 文件（按文件内容判断，而非扩展名）。") % {"name": name}
        )
    if found in (DOCX, XLSX):  # zip bombs, macros, entity declarations (performance.uploads)
        check_office_file(file, kind=DOCUMENT, name=name, allow_formulas=True)
    return found
