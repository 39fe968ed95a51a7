"""Finding the dbt command that belongs to this project's environment."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def dbt_executable(explicit: str | Path | None = None) -> str:
    """`explicit`, else the dbt next to this Python (the project's venv), else dbt on PATH."""
    if explicit:
        return str(explicit)
    beside = Path(sys.executable).parent / "dbt"
    if beside.exists():
        return str(beside)
    found = shutil.which("dbt")
    if not found:
        raise FileNotFoundError("dbt is not installed next to this Python nor on PATH")
    return found
