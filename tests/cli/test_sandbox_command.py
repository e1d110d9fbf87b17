"""``digestbot sandbox`` as an operator runs it: a process that serves until Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.sandbox import free_port

ROOT = Path(__file__).resolve().parents[2]


def _start(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    env = {**os.environ, "DIGESTBOT_DATA_DIR": str(tmp_path / "data")}
    env.pop("DIGESTBOT_TOKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "digestbot", *args, "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    seen = []
    while not any(str(port) in line for line in seen):  # blocks until it announces its address
        line = process.stdout.readline()
        assert line, (
            f"exited before listening: {seen} {process.stderr.read() if process.stderr else ''}"
        )
        seen.append(line)
    return process, f"http://127.0.0.1:{port}"


def _stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=20)
    return process.returncode, err


def _wait_for_reply(root: str, chat_id: int) -> list[dict[str, object]]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        messages = httpx.get(f"{root}/sandbox/chats/{chat_id}/messages").json()
        messages = messages.get("result", messages) if isinstance(messages, dict) else messages
        if any(message["from_bot"] for message in messages):
            return list(messages)
        time.sleep(0.2)  # another process: there is no event to await
    pytest.fail("the bot did not answer within 20 s")


def test_sandbox_runs_the_bot_with_the_seed_articles(tmp_path: Path) -> None:
    process, root = _start(
        tmp_path, "run", "--config", "config/digestbot.toml", "--sandbox-without-token"
    )
    try:
        assert process.stdout is not None
        assert f"{root}/sandbox/ui/" in process.stdout.readline()  # the chat page's address
        assert "/sandbox/ui/app.js" in httpx.get(f"{root}/", follow_redirects=True).text
        httpx.post(f"{root}/sandbox/users", json={"id": 7, "first_name": "Wei"})
        httpx.post(f"{root}/sandbox/users/7/messages", json={"text": "/read_1"})
        replies = [m for m in _wait_for_reply(root, 7) if m["from_bot"]]
        assert "Alibaba" in str(replies[0]["text"])
    finally:
        status, err = _stop(process)
    assert status == 0
    assert "Traceback" not in err


def test_sandbox_without_the_bot_serves_the_bot_api(tmp_path: Path) -> None:
    process, root = _start(tmp_path, "sandbox", "--no-bot", "--token", "42:test-token")
    try:
        me = httpx.get(f"{root}/bot42:test-token/getMe").json()
        assert me["ok"] is True
        assert me["result"]["username"]
        wrong = httpx.get(f"{root}/bot41:wrong/getMe")
        assert wrong.status_code == 401
    finally:
        status, err = _stop(process)
    assert status == 0
    assert "Traceback" not in err
