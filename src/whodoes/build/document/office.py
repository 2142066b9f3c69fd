"""Old Office and WPS files (.doc, .wps, .et) -> .docx / .xlsx, converted by LibreOffice.

whodoes reads the converted copy; the original stays in the sources byte for byte
and its sha256 is the document's.  Without LibreOffice the file cannot be read:
one line says what to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from whodoes.build.sources import SourceError

TARGET = {"doc": "docx", "wps": "docx", "et": "xlsx"}
TIMEOUT = 180  # seconds for one conversion


def soffice() -> str | None:
    """The LibreOffice program, or None (``WHODOES_SOFFICE`` names another one)."""
    return os.environ.get("WHODOES_SOFFICE") or shutil.which("soffice") or shutil.which("libreoffice")


def convert(data: bytes, name: str, kind: str) -> tuple[bytes, str]:
    """The file converted to .docx (.doc, .wps) or .xlsx (.et): (its bytes, its format)."""
    program = soffice()
    target = TARGET[kind]
    if not program or not shutil.which(program):
        raise SourceError(
            f"{name}: reading .{kind} files needs LibreOffice (soffice), which is not installed: install it "
            f"(apt-get install libreoffice-writer-nogui libreoffice-calc-nogui) or save the file as .{target}"
        )
    with tempfile.TemporaryDirectory(prefix="whodoes-convert-") as tmp:
        src = Path(tmp) / f"input.{kind}"
        src.write_bytes(data)
        profile = Path(tmp) / "profile"
        try:
            subprocess.run(
                [
                    program,
                    f"-env:UserInstallation={profile.as_uri()}",
                    "--headless",
                    "--norestore",
                    "--convert-to",
                    target,
                    "--outdir",
                    tmp,
                    str(src),
                ],
                capture_output=True,
                timeout=TIMEOUT,
                check=False,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            raise SourceError(
                f"{name}: LibreOffice took over {TIMEOUT} s to convert it; save it as .{target}"
            ) from None
        except OSError as e:
            raise SourceError(f"{name}: cannot run LibreOffice ({program}): {e.strerror}") from None
        out = Path(tmp) / f"input.{target}"
        if not out.is_file() or out.stat().st_size == 0:
            raise SourceError(
                f"{name}: LibreOffice could not convert it (damaged or password-protected?); save it as .{target}"
            )
        return out.read_bytes(), target
