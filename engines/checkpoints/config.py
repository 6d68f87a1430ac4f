"""The one bounded reader of a checkpoint's JSON config (torch-free: the window reads what a file declares
before any engine is loaded)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from engines.errors import InputError
from engines.files import regular_file

MAX_JSON_BYTES = 1 << 20


def read_json_config(path: Path) -> dict[str, Any]:
    """A JSON object from ``path`` (at most MAX_JSON_BYTES); InputError for anything else."""
    regular_file(path, "checkpoint config")
    try:
        size = path.stat().st_size
        if size > MAX_JSON_BYTES:
            raise InputError(f"{path.name} is {size} bytes; a checkpoint config is at most {MAX_JSON_BYTES}")
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"{path} does not exist (moved or deleted?)") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path.name} is not a readable checkpoint config (JSON): {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(f"{path.name} is not a checkpoint config (expected a JSON object)")
    return data
