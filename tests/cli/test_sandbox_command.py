"""``digestbot sandbox`` as an operator runs it: a process that serves until Ctrl-C, on the database
the other commands use, keeping its chats beside it."""

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


def _env(tmp_path: Path) -> dict[str, str]:
    """The environment of an operator with no token, database or config set, data in tmp_path."""
    env = {**os.environ, "DIGESTBOT_DATA_DIR": str(tmp_path / "data")}
    for name in ("TOKEN", "TOKEN_FILE", "API_URL", "DATABASE_URL", "CONFIG"):
        env.pop(f"DIGESTBOT_{name}", None)
    env["DIGESTBOT_MONITORING_ADDRESS"] = ""  # several sandboxes may run at once in tests
    return env


def _start(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "digestbot", *args, "--port", str(port)],
        cwd=ROOT,
        env=_env(tmp_path),
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
    status, _, err = _interrupt(process)
    return status, err


def _interrupt(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    """Ctrl-C; the exit status and the rest of stdout and stderr."""
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=20)
    return process.returncode, out, err


def _digestbot(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Another operator command in the same folder, with the same (default) settings."""
    return subprocess.run(
        [sys.executable, "-m", "digestbot", *args],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )


def _say(root: str, user_id: int, text: str, language: str = "zh-hans") -> list[dict[str, object]]:
    """The user (created if new) writes ``text``; the chat once the bot has answered it."""
    httpx.post(
        f"{root}/sandbox/users",
        json={"id": user_id, "first_name": f"User {user_id}", "language_code": language},
    )
    before = len(httpx.get(f"{root}/sandbox/chats/{user_id}/messages").json())
    httpx.post(f"{root}/sandbox/users/{user_id}/messages", json={"text": text})
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        chat = list(httpx.get(f"{root}/sandbox/chats/{user_id}/messages").json())
        if any(message["from_bot"] for message in chat[before:]):
            return chat
        time.sleep(0.2)  # another process: there is no event to await
    pytest.fail(f"the bot did not answer {text!r} within 20 s")


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


def test_make_run_then_the_operator_commands_see_the_same_database(tmp_path: Path) -> None:
    process, root = _start(
        tmp_path, "run", "--config", "config/digestbot.toml", "--sandbox-without-token"
    )
    try:
        _say(root, 1001, "/start")
    finally:
        status, _ = _stop(process)
    assert status == 0
    found = _digestbot(tmp_path, "search", "阿里巴巴")  # no --config: the default lookup
    assert found.returncode == 0, found.stderr
    assert "阿里巴巴" in found.stdout
    stats = _digestbot(tmp_path, "stats")
    assert "subscribers: 1 active" in stats.stdout


def test_ctrl_c_says_it_stopped_and_leaves_no_lock_file(tmp_path: Path) -> None:
    process, root = _start(tmp_path, "sandbox")
    _say(root, 1001, "/start")  # the sender is running, holding its lock
    assert list((tmp_path / "data").glob("*.sender-lock"))
    status, out, err = _interrupt(process)
    assert status == 0
    assert out.splitlines()[-1] == "digestbot stopped"
    assert "Traceback" not in err
    assert not list((tmp_path / "data").glob("*.sender-lock"))


def test_a_restarted_sandbox_shows_its_earlier_chats(tmp_path: Path) -> None:
    process, root = _start(tmp_path, "sandbox")
    try:
        first = _say(root, 1001, "/start")
    finally:
        _stop(process)
    assert (tmp_path / "data" / "digestbot.sqlite3.sandbox-chats.json").is_file()
    process, root = _start(tmp_path, "sandbox")
    try:
        users = httpx.get(f"{root}/sandbox/users").json()
        assert [user["id"] for user in users] == [1001]
        assert httpx.get(f"{root}/sandbox/chats/1001/messages").json() == first
        fresh = _say(root, 1002, "/start")  # the page's next user: a new id, a new reader
        assert "欢迎回来" not in str(fresh[-1]["text"])
    finally:
        status, _ = _stop(process)
    assert status == 0


def test_a_database_with_readers_the_sandbox_never_saw_is_refused(tmp_path: Path) -> None:
    process, root = _start(tmp_path, "sandbox")
    try:
        _say(root, 1001, "/start")
    finally:
        _stop(process)
    (tmp_path / "data" / "digestbot.sqlite3.sandbox-chats.json").unlink()  # as a bot's own DB
    refused = _digestbot(tmp_path, "sandbox", "--port", str(free_port()))
    assert refused.returncode == 1
    assert "holds 1 reader(s) the sandbox has no chat with" in refused.stderr
    assert "--database" in refused.stderr
    assert "Traceback" not in refused.stderr
