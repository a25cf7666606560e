"""Files out of a zip, without trusting the zip: how many files it says it holds is checked
before Python reads its directory, and a file is read only up to MAX_UNZIPPED, whatever size
the zip claims for it (a zip bomb claims little and inflates to gigabytes)."""

from __future__ import annotations

import io
import posixpath
import struct
import zipfile

from strata.analytics.imports.limits import MAX_MEMBERS, MAX_UNZIPPED, megabytes
from strata.analytics.imports.problems import refuse

END_OF_DIRECTORY = b"PK\x05\x06"
ZIP64_LOCATOR = b"PK\x06\x07"
MAX_NAME = 1024  # bytes of a file's path in the zip, on average, for the directory's bound


def is_zip(data: bytes) -> bool:
    return data.startswith((b"PK\x03\x04", END_OF_DIRECTORY))


class Archive:
    def __init__(self, data: bytes, name: str) -> None:
        self.name = name
        _check_directory(data, name)
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
            raise refuse(name, f"the zip cannot be opened ({exc}); download the export again") from None
        self.members = {
            posixpath.basename(info.filename): info for info in self._zip.infolist() if not info.is_dir() and not _hidden(info.filename)
        }

    def read(self, member: str) -> bytes:
        """One file's bytes, refused past MAX_UNZIPPED or when the zip is damaged or encrypted."""
        info = self.members[member]
        where = f"{self.name}/{member}"
        if info.flag_bits & 0x1:
            raise refuse(where, "the file is encrypted; export it again without a password")
        try:
            with self._zip.open(info) as handle:
                data = handle.read(MAX_UNZIPPED + 1)
        except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError) as exc:
            raise refuse(where, f"the file cannot be unpacked ({exc}); download the export again") from None
        if len(data) > MAX_UNZIPPED:
            raise refuse(where, f"unpacked, the file is over {megabytes(MAX_UNZIPPED)}; export fewer days at a time")
        return data


def _hidden(path: str) -> bool:
    """What macOS adds when it zips a folder: __MACOSX/… and ._name files."""
    return path.startswith("__MACOSX/") or posixpath.basename(path).startswith("._")


def _check_directory(data: bytes, name: str) -> None:
    """Refuse a zip whose directory names more than MAX_MEMBERS files, before zipfile makes an
    object for each (a small zip64 file can name millions)."""
    at = data.rfind(END_OF_DIRECTORY, max(0, len(data) - 65_557))
    if at < 0 or at + 22 > len(data):
        raise refuse(name, "the file is not a zip archive that can be read; download the export again")
    entries, directory_size = struct.unpack_from("<HI", data, at + 10)
    zip64 = at >= 20 and data[at - 20 : at - 16] == ZIP64_LOCATOR
    # A directory entry is 46 bytes and its name: the directory's size bounds how many files
    # zipfile would read, whatever the count says.
    if zip64 or entries == 0xFFFF or entries > MAX_MEMBERS or directory_size > MAX_MEMBERS * (46 + MAX_NAME):
        raise refuse(name, f"the zip holds more than {MAX_MEMBERS} files; a Plausible export holds about a dozen")
