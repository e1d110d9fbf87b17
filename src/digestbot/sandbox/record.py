"""Every Bot API request and its answer, kept in memory and optionally in a JSON-lines file.

The bot token never reaches the record: entries name the method, not the URL path, and any
occurrence of the token inside parameters (a webhook URL, say) is replaced by ``<token>``.
"""

from __future__ import annotations

import json
import time
from collections import deque
from pathlib import Path
from typing import IO, Any

__all__ = ["Recorder"]

REDACTED = "<token>"


class Recorder:
    """Keeps the last ``keep`` exchanges; appends each to ``path`` (JSON lines) when set."""

    def __init__(self, token: str, path: Path | None = None, keep: int = 200) -> None:
        self.token = token
        self.path = path
        self.recent: deque[dict[str, Any]] = deque(maxlen=keep)
        self._file: IO[str] | None = None
        self._seq = 0

    def open(self) -> None:
        """Open the file for appending (creating its folder)."""
        if self.path is not None and self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("a", encoding="utf-8")

    def close(self) -> None:
        """Flush and close the file."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def record(
        self,
        method: str,
        params: dict[str, Any],
        status: int,
        response: dict[str, Any] | None,
        started: float,
    ) -> None:
        """Keep one exchange; ``response`` is None for a dropped connection."""
        self._seq += 1
        entry: dict[str, Any] = {
            "seq": self._seq,
            "time": round(time.time(), 3),
            "method": method,
            "params": params,
            "status": status,
            "ok": bool(response and response.get("ok")),
            "response": response,
            "ms": round((time.perf_counter() - started) * 1000, 2),
        }
        if self._file is not None or self._token_in(entry):
            line = json.dumps(entry, ensure_ascii=False, default=str)
            if self.token and self.token in line:
                line = line.replace(self.token, REDACTED)
                entry = json.loads(line)
            if self._file is not None:
                self._file.write(line + "\n")
                self._file.flush()
        self.recent.append(entry)

    def _token_in(self, entry: dict[str, Any]) -> bool:
        """True if the token may appear in the parameters (they are small; check the text)."""
        return bool(self.token) and self.token in repr(entry["params"])

    def entries(self, since: int = 0) -> list[dict[str, Any]]:
        """Kept exchanges with ``seq`` above ``since``, oldest first."""
        return [e for e in self.recent if e["seq"] > since]
