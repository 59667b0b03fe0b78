"""Checks on an .xlsx file before openpyxl parses it, and the opening itself.

An .xlsx file is a ZIP of XML parts. Before anything is parsed: the file size, the number
of parts, their total uncompressed size, the compression ratio of each large part and the
size and count of the shared strings are bounded, encrypted parts are refused, and no XML
part may carry a document type declaration (`<!DOCTYPE`, `<!ENTITY`: entity expansion).
Zipfile stops decompressing a part at its declared size, so bounding the declared sizes
bounds the memory. A file that fails anywhere, even later while its rows are read, gives a
French `Problem`, never a traceback.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from mutualis.sheets.problems import Problem, SheetsError, file_problem

MIB = 1024 * 1024
CHUNK = 64 * 1024
FORBIDDEN_MARKUP = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")


@dataclass(frozen=True)
class Limits:
    """What a workbook may weigh. The defaults suit a 158-member inventory many times over."""

    max_file_bytes: int = 5 * MIB
    max_parts: int = 1000
    max_uncompressed_bytes: int = 100 * MIB
    max_ratio: int = 100  # uncompressed / compressed, for parts over `ratio_floor_bytes`
    ratio_floor_bytes: int = MIB
    max_shared_strings_bytes: int = 20 * MIB
    max_shared_strings: int = 500_000
    max_rows: int = 20_000  # data rows per sheet
    max_columns: int = 100


DEFAULT_LIMITS = Limits()


def _megabytes(size: int) -> str:
    return f"{size / MIB:.3g}".replace(".", ",")


def size_problem(size: int, limits: Limits = DEFAULT_LIMITS) -> Problem | None:
    """The refusal of a file larger than `limits.max_file_bytes` (checked before reading)."""
    if size <= limits.max_file_bytes:
        return None
    return file_problem(
        f"Le fichier dépasse la taille maximale de {_megabytes(limits.max_file_bytes)} Mo."
    )


def not_xlsx(name: str) -> Problem:
    return file_problem(f"« {name} » n'est pas un classeur Excel au format .xlsx.")


def damaged(name: str, detail: str = "") -> Problem:
    suffix = f" ({detail})" if detail else ""
    return file_problem(
        f"Le classeur « {name} » est endommagé, tronqué ou mal formé{suffix} : "
        "enregistrez-le de nouveau depuis votre tableur au format .xlsx."
    )


def _scan_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> str:
    """Refuse DTDs in an XML part and count shared strings; '' when the part is fine."""
    is_strings = info.filename.lower().endswith("sharedstrings.xml")
    strings = 0
    tail = b""
    with archive.open(info) as part:
        while chunk := part.read(CHUNK):
            window = tail + chunk
            if any(marker in window for marker in FORBIDDEN_MARKUP):
                return "déclaration de type de document (DTD) refusée"
            if is_strings:
                strings += len(SHARED_STRING.findall(window)) - len(SHARED_STRING.findall(tail))
                if strings > limits.max_shared_strings:
                    return f"plus de {limits.max_shared_strings} textes partagés"
            tail = window[-32:]
    return ""


def check_archive(data: bytes, name: str, limits: Limits = DEFAULT_LIMITS) -> list[Problem]:
    """Every reason not to hand `data` to openpyxl; [] when it may be parsed."""
    if (too_large := size_problem(len(data), limits)) is not None:
        return [too_large]
    if not name.lower().endswith(".xlsx") or not zipfile.is_zipfile(io.BytesIO(data)):
        return [not_xlsx(name)]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _check_parts(archive, name, limits)
    except Exception:  # zlib and friends on a crafted archive: still only a bad file
        return [damaged(name)]


def _check_parts(archive: zipfile.ZipFile, name: str, limits: Limits) -> list[Problem]:
    parts = archive.infolist()
    if len(parts) > limits.max_parts:
        return [damaged(name, f"plus de {limits.max_parts} parties")]
    total = sum(info.file_size for info in parts)
    if total > limits.max_uncompressed_bytes:
        return [
            file_problem(
                f"Le classeur « {name} » occupe {_megabytes(total)} Mo une fois décompressé, "
                f"plus que les {_megabytes(limits.max_uncompressed_bytes)} Mo acceptés."
            )
        ]
    for info in parts:
        if info.flag_bits & 0x1:
            return [
                file_problem(
                    f"Le classeur « {name} » est chiffré : enregistrez-le sans mot de passe."
                )
            ]
        is_strings = info.filename.lower().endswith("sharedstrings.xml")
        if is_strings and info.file_size > limits.max_shared_strings_bytes:
            return [
                file_problem(
                    f"Le classeur « {name} » contient "
                    f"{_megabytes(info.file_size)} Mo de textes, plus que les "
                    f"{_megabytes(limits.max_shared_strings_bytes)} Mo acceptés."
                )
            ]
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_floor_bytes and ratio > limits.max_ratio:
            return [damaged(name, f"taux de compression suspect dans « {info.filename} »")]
    for info in parts:
        if info.filename.lower().endswith((".xml", ".rels", ".vml")) and (
            reason := _scan_part(archive, info, limits)
        ):
            return [damaged(name, reason)]
    return []


@contextmanager
def open_workbook(
    source: bytes | Path, name: str = "", limits: Limits = DEFAULT_LIMITS
) -> Iterator[Any]:
    """A read-only openpyxl workbook (values, not formulas), closed on exit.

    Raises `SheetsError` with French problems when the file is refused or unreadable.
    """
    if isinstance(source, Path):
        name = name or source.name
        try:
            if (too_large := size_problem(source.stat().st_size, limits)) is not None:
                raise SheetsError([too_large])
            data = source.read_bytes()
        except FileNotFoundError:
            raise SheetsError([file_problem(f"Le fichier « {source} » est introuvable.")]) from None
        except OSError:
            raise SheetsError([file_problem(f"Le fichier « {source} » est illisible.")]) from None
    else:
        data = source
    if problems := check_archive(data, name, limits):
        raise SheetsError(problems)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl on a malformed part raises anything: a bad file
        raise SheetsError([damaged(name)]) from None
    try:
        yield workbook
    finally:
        workbook.close()
