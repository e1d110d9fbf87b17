"""``digestbot healthcheck`` as Docker runs it: a real process asking a real HTTP server.

The server is a small ``http.server`` in a thread standing in for the bot's monitoring endpoint:
it answers ``/readyz`` with 200, 503 and JSON, 503 and HTML, or bytes that are not HTTP at all.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from digestbot.cli.health import probe_url, read_answer

ROOT = Path(__file__).resolve().parents[2]

READY = {
    "ready": True,
    "checks": {
        name: {"ok": True, "detail": "fine"}
        for name in ("database", "runtime", "sender", "tick", "bot_api")
    },
}
NOT_READY = {
    "ready": False,
    "checks": {
        "database": {"ok": False, "detail": "cannot connect:\n  connection refused"},
        "runtime": {"ok": True, "detail": "started"},
        "sender": {"ok": True, "detail": "running"},
        "tick": {"ok": False, "detail": "no tick for 7 minutes"},
        "bot_api": {"ok": True, "detail": "answered 3 s ago"},
    },
}


class Endpoint:
    """What the stand-in endpoint answers next (``raw``: bytes instead of HTTP), what it was
    asked, and its port."""

    def __init__(self) -> None:
        self.status = 200
        self.body = json.dumps(READY).encode()
        self.content_type = "application/json"
        self.raw: bytes | None = None
        self.paths: list[str] = []
        self.port = 0


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    """A monitoring endpoint on 127.0.0.1 (a free port), served from a thread."""
    state = Endpoint()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.paths.append(self.path)
            if state.raw is not None:
                self.wfile.write(state.raw)
                self.close_connection = True
                return
            self.send_response(state.status)
            self.send_header("Content-Type", state.content_type)
            self.send_header("Content-Length", str(len(state.body)))
            self.end_headers()
            self.wfile.write(state.body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the test reads the command's output, not the server's."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port on 127.0.0.1 that is bound but does not listen: connecting is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) but never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(4)
        yield sock.getsockname()[1]


def healthcheck(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m digestbot healthcheck ARGS`` with no DIGESTBOT_* variables but ``env``."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DIGESTBOT_")}
    done = subprocess.run(
        [sys.executable, "-m", "digestbot", "healthcheck", *args],
        capture_output=True, text=True, timeout=60, cwd=ROOT, env={**environ, **(env or {})},
    )  # fmt: skip
    assert "Traceback" not in done.stderr
    return done


def write_config(tmp_path: Path, address: str) -> Path:
    """A settings file with only ``[monitoring] address``."""
    config = tmp_path / "digestbot.toml"
    config.write_text(f'[monitoring]\naddress = "{address}"\n', encoding="utf-8")
    return config


def test_ready_is_exit_0_and_asks_readyz_past_any_proxy(
    endpoint: Endpoint, closed_port: int
) -> None:
    proxy = f"http://127.0.0.1:{closed_port}"  # a proxy that would refuse: it must not be used
    done = healthcheck(
        "--address", f"127.0.0.1:{endpoint.port}", env={"HTTP_PROXY": proxy, "http_proxy": proxy}
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "ready\n", "")
    assert endpoint.paths == ["/readyz"]


def test_not_ready_names_each_failing_check_with_its_detail_on_one_line(
    endpoint: Endpoint,
) -> None:
    endpoint.status, endpoint.body = 503, json.dumps(NOT_READY).encode()
    done = healthcheck("--address", f"127.0.0.1:{endpoint.port}")
    assert done.returncode == 1
    assert done.stdout == (
        "not ready: database: cannot connect: connection refused; tick: no tick for 7 minutes\n"
    )


def test_an_answer_that_is_not_the_readiness_json_is_shown_briefly(endpoint: Endpoint) -> None:
    endpoint.status, endpoint.content_type = 503, "text/html"
    endpoint.body = b"<html>\n<body>Service Unavailable</body>\n</html>" + b" " * 500 + b"x" * 500
    done = healthcheck("--address", f"127.0.0.1:{endpoint.port}")
    assert done.returncode == 1
    line = done.stdout.removesuffix("\n")
    assert "\n" not in line
    assert line.startswith("not ready: HTTP 503: <html> <body>Service Unavailable</body> </html> x")
    assert line.endswith("…")
    assert len(line) < 250


def test_bytes_that_are_not_http_mean_unreachable(endpoint: Endpoint) -> None:
    endpoint.raw = b"SSH-2.0-OpenSSH_9.6\r\n"
    done = healthcheck("--address", f"127.0.0.1:{endpoint.port}")
    assert done.returncode == 1
    assert done.stdout == (
        f"cannot reach the monitoring endpoint at http://127.0.0.1:{endpoint.port}/readyz: "
        "not an HTTP answer: 'SSH-2.0-OpenSSH_9.6'\n"
    )


def test_a_port_nobody_listens_on_is_unreachable(closed_port: int) -> None:
    done = healthcheck("--address", f"127.0.0.1:{closed_port}")
    assert done.returncode == 1
    assert done.stdout == (
        f"cannot reach the monitoring endpoint at http://127.0.0.1:{closed_port}/readyz: "
        "Connection refused\n"
    )


def test_an_endpoint_that_never_answers_times_out(silent_port: int) -> None:
    done = healthcheck("--address", f"127.0.0.1:{silent_port}", "--timeout", "0.5")
    assert done.returncode == 1
    assert done.stdout == (
        f"cannot reach the monitoring endpoint at http://127.0.0.1:{silent_port}/readyz: "
        "no answer within 0.5 s\n"
    )


def test_the_address_comes_from_the_settings_and_every_interface_means_loopback(
    endpoint: Endpoint, tmp_path: Path
) -> None:
    config = write_config(tmp_path, f"0.0.0.0:{endpoint.port}")
    done = healthcheck("--config", str(config))
    assert (done.returncode, done.stdout) == (0, "ready\n")
    from_env = healthcheck(
        "--config",
        str(write_config(tmp_path, "127.0.0.1:1")),
        env={"DIGESTBOT_MONITORING_ADDRESS": f"0.0.0.0:{endpoint.port}"},
    )
    assert (from_env.returncode, from_env.stdout) == (0, "ready\n")
    assert endpoint.paths == ["/readyz", "/readyz"]


def test_monitoring_off_is_exit_1_and_says_so(tmp_path: Path) -> None:
    done = healthcheck("--config", str(write_config(tmp_path, "")))
    assert done.returncode == 1
    assert done.stdout == (
        "monitoring is off ([monitoring] address is empty): there is no endpoint to ask\n"
    )
    by_option = healthcheck("--address", "")
    assert by_option.returncode == 1
    assert by_option.stdout.startswith("monitoring is off (--address is empty)")


@pytest.mark.parametrize("args", [["--address", "localhost"], ["--timeout", "0"]])
def test_bad_options_are_usage_errors(args: list[str]) -> None:
    done = healthcheck(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "usage: digestbot healthcheck" in done.stderr


@pytest.mark.parametrize(
    ("address", "url"),
    [
        ("127.0.0.1:9464", "http://127.0.0.1:9464/readyz"),
        ("0.0.0.0:9464", "http://127.0.0.1:9464/readyz"),
        ("[::]:9464", "http://[::1]:9464/readyz"),
        ("[::1]:9000", "http://[::1]:9000/readyz"),
        ("bot:9464", "http://bot:9464/readyz"),
    ],
)
def test_the_url_asked_for_a_listen_address(address: str, url: str) -> None:
    assert probe_url(address) == url


def test_the_status_decides_and_the_body_explains() -> None:
    assert read_answer(200, b"").ready
    assert read_answer(200, json.dumps(NOT_READY).encode()).ready  # HTTP status is the contract
    assert read_answer(503, b"").line == "not ready: HTTP 503"
    assert read_answer(404, b"not found\n").line == "not ready: HTTP 404: not found"
    no_detail = {"ready": False, "checks": {"sender": {"ok": False}, "tick": {"ok": True}}}
    assert read_answer(503, json.dumps(no_detail).encode()).line == "not ready: sender"
    all_ok = json.dumps(READY).encode()
    assert read_answer(503, all_ok).line.startswith("not ready: HTTP 503: {")
