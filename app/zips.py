"""Office packages (.docx, .xlsx) are zip archives: the checks every reader makes before a
library inflates one (48 KB on the wire can declare gigabytes). Pure: no database, no web
framework; each caller words the refusal for its own users."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator

CHUNK = 1 << 20

# Reads a member's inflated bytes chunk by chunk; raises Refused to refuse the package.
Scan = Callable[[zipfile.ZipInfo, Iterator[bytes]], None]


class PackageError(Exception):
    """Why a package is refused, before any library parses it."""


class TooLarge(PackageError):
    """Its members declare more than the limit once uncompressed."""


class Refused(PackageError):
    """A scan refused a member; the message says why."""


class Damaged(PackageError):
    """Not a zip archive, or a member that cannot be inflated; the message names the error."""


def check_package(data: bytes, *, max_inflated: int, scan: Scan | None = None) -> None:
    """Refuse a package whose members declare more than ``max_inflated`` bytes, then stream
    every member through ``scan``; raises a ``PackageError`` subclass."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if sum(info.file_size for info in members) > max_inflated:
                raise TooLarge(f"more than {max_inflated // 2**20} MiB once uncompressed")
            if scan is not None:
                for info in members:
                    with archive.open(info) as member:
                        scan(info, iter(lambda m=member: m.read(CHUNK), b""))  # type: ignore[misc]
    except PackageError:
        raise
    except Exception as exc:  # BadZipFile, zlib.error, EOFError, NotImplementedError, …
        raise Damaged(type(exc).__name__) from exc
