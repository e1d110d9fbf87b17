"""Pytest fixtures for real proxy servers on 127.0.0.1: pproxy (HTTP and SOCKS5) in a subprocess.

A test reads: ``proxy = start_proxy("socks5")``, send through ``proxy.url``, then
``assert f"127.0.0.1:{port}" in proxy.targets()``: pproxy's verbose log names every connection it
relayed (``socks5 127.0.0.1:51602 -> 127.0.0.1:37637``), which proves the traffic went through it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.sandbox import free_port

__all__ = ["ProxyServer", "StartProxy"]

READY_SECONDS = 10.0


@dataclass(frozen=True)
class ProxyServer:
    """A running pproxy: the URL to give clients (with the login, if any) and its log file."""

    url: str
    log: Path

    def targets(self) -> list[str]:
        """``host:port`` of every connection relayed so far, in order."""
        lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        return [line.rsplit(" -> ", 1)[1] for line in lines if " -> " in line]


StartProxy = Callable[..., ProxyServer]


@pytest.fixture
def start_proxy(tmp_path: Path) -> Iterator[StartProxy]:
    """Start pproxy for ``scheme`` ("http" or "socks5"), optionally asking for ``login``
    ("user:password"); every one started is stopped at teardown."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(scheme: str, *, login: str = "") -> ProxyServer:
        for attempt in range(3):  # free_port() may lose a race for the port
            port = free_port()
            log = tmp_path / f"pproxy-{scheme}-{port}.log"
            listen = f"{scheme}://127.0.0.1:{port}" + (f"#{login}" if login else "")
            with log.open("wb") as out:
                process = subprocess.Popen(
                    # --auth 0: ask every connection for the login, not once per client address
                    [sys.executable, "-m", "pproxy", "-l", listen, "-v", "--auth", "0"],
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env={**os.environ, "PYTHONUNBUFFERED": "1"},
                )
            processes.append(process)
            if _wait_until_serving(process, log) or attempt == 2:
                break
        text = log.read_text(encoding="utf-8", errors="replace")
        assert "Serving on" in text, f"pproxy did not start:\n{text}"
        assert process.poll() is None, f"pproxy stopped:\n{text}"
        credentials = f"{login}@" if login else ""
        return ProxyServer(f"{scheme}://{credentials}127.0.0.1:{port}", log)

    yield start
    for process in processes:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_serving(process: subprocess.Popen[bytes], log: Path) -> bool:
    """Whether pproxy says it listens before it exits or READY_SECONDS pass."""
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        text = log.read_text(encoding="utf-8", errors="replace")
        if "Start server failed" in text or process.poll() is not None:
            return False
        if "Serving on" in text:
            return True
        time.sleep(0.05)
    return False
