"""Reading the entries of a zip archive held in memory, safely: bounded sizes, no paths on disk.

:func:`zip_entries` yields ``(name, data, error)`` for each file entry of an archive. Entry names are only
ever used as text: they are normalised (backslashes to ``/``, empty, ``.`` and ``..`` segments dropped) so an
entry named ``../evil.png`` becomes the origin suffix ``evil.png`` and can never point outside the archive,
and nothing is written anywhere. Zip bombs are bounded three ways: the number of entries read, the
uncompressed size of one entry (checked from the header and again while inflating, since headers can lie),
and the total uncompressed bytes of one archive.

Example::

    for name, data, error in zip_entries(zip_bytes):
        image = None if error else decode_image(data)
"""

from __future__ import annotations

import io
import zipfile
from typing import Iterator, Optional, Tuple

MAX_ENTRY_BYTES = 256 * 1024 * 1024
"""Default largest uncompressed size of one entry."""
MAX_ENTRIES = 100_000
"""Default largest number of entries read from one archive."""
MAX_TOTAL_BYTES = 4 * 1024 * 1024 * 1024
"""Default largest total uncompressed bytes read from one archive."""

Entry = Tuple[str, Optional[bytes], Optional[str]]


class ZipArchiveError(ValueError):
    """The bytes are not a readable zip archive (the message says why)."""


def safe_entry_name(name: str) -> str:
    """``name`` with ``\\`` as ``/`` and no empty, ``.`` or ``..`` segments (``../a/./b.png`` -> ``a/b.png``)."""
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    return "/".join(parts) or "_"


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    # Read one byte past the limit: the header's file_size may understate what inflating really produces.
    with archive.open(info) as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"zip entry inflates to more than {limit} bytes (limit maxZipEntryBytes)")
    return data


def zip_entries(
    data: bytes,
    max_entry_bytes: int = MAX_ENTRY_BYTES,
    max_entries: int = MAX_ENTRIES,
    max_total_bytes: int = MAX_TOTAL_BYTES,
) -> Iterator[Entry]:
    """``(safe name, bytes or None, error or None)`` for each file entry of the zip archive ``data``.

    :param max_entry_bytes: an entry larger than this gives an error instead of its bytes.
    :param max_entries: entries after this many give one final error entry and are not read.
    :param max_total_bytes: once this many uncompressed bytes were read, the rest give one final error.
    :raises ZipArchiveError: when ``data`` is not a zip archive at all (corrupt or truncated directory).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as e:
        raise ZipArchiveError(f"corrupt or unreadable zip file: {e}") from e
    total = 0
    with archive:
        for index, info in enumerate(infos):
            name = safe_entry_name(info.filename)
            if index >= max_entries:
                yield (
                    name,
                    None,
                    (f"zip has {len(infos)} entries; only the first {max_entries} were read (limit maxZipEntries)"),
                )
                return
            if total >= max_total_bytes:
                yield name, None, f"zip inflates to more than {max_total_bytes} bytes; the rest was not read"
                return
            if info.file_size > max_entry_bytes:
                yield (
                    name,
                    None,
                    (
                        f"zip entry is {info.file_size} bytes uncompressed, over the limit of "
                        f"{max_entry_bytes} (maxZipEntryBytes)"
                    ),
                )
                continue
            try:
                entry = _read_bounded(archive, info, min(max_entry_bytes, max_total_bytes - total))
            except (zipfile.BadZipFile, ValueError, RuntimeError, EOFError, OSError, NotImplementedError) as e:
                yield name, None, f"zip entry could not be read: {e}"
                continue
            total += len(entry)
            yield name, entry, None
