"""The operator's first five minutes, from a fresh folder outside the repository with no settings:
the installed ``digestbot`` runs the README's first session on the demo that comes with it, and
the operator commands then see what the sandbox did."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.sandbox import free_port

DIGESTBOT = Path(sys.executable).with_name("digestbot")  # the console script pip installed
READER = 1001
WAIT = 20.0


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An empty working folder: no config, no articles, no data."""
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    return fresh


def environment() -> dict[str, str]:
    """No digestbot setting from the environment (token, database, config, data folder)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGESTBOT_")}
    env["DIGESTBOT_MONITORING_ADDRESS"] = ""  # tests may run several bots on this machine
    return env


def digestbot(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``digestbot ARGS`` in ``folder``, to the end."""
    return subprocess.run(
        [str(DIGESTBOT), *args],
        cwd=folder,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=180,
    )


class Sandbox:
    """``digestbot sandbox`` running in a folder, driven over its /sandbox/ API."""

    def __init__(self, folder: Path) -> None:
        port = free_port()
        self.root = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [str(DIGESTBOT), "sandbox", "--port", str(port)],
            cwd=folder,
            env=environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.announced: list[str] = []
        while not any("Press Ctrl-C" in line for line in self.announced):
            line = self.process.stdout.readline()
            assert line, f"exited: {self.announced} {self.stderr()}"
            self.announced.append(line.rstrip("\n"))

    def stderr(self) -> str:
        """What the process wrote on stderr (once it has exited)."""
        return self.process.stderr.read() if self.process.stderr else ""

    def chat(self) -> list[dict[str, object]]:
        """The reader's chat, oldest first."""
        return list(httpx.get(f"{self.root}/sandbox/chats/{READER}/messages").json())

    def answer_to(self, action: str, body: dict[str, object]) -> dict[str, object]:
        """POST ``action`` for the reader; the bot's next new message in their chat."""
        before = len(self.chat())
        reply = httpx.post(f"{self.root}/sandbox/users/{READER}/{action}", json=body)
        assert reply.status_code == 200, reply.text
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            new = [m for m in self.chat()[before:] if m["from_bot"]]
            if new:
                return new[0]
            time.sleep(0.2)  # another process: there is no event to await
        pytest.fail(f"no answer to {action} {body} within {WAIT} s")

    def say(self, text: str) -> dict[str, object]:
        """The reader writes ``text``; the bot's answer."""
        return self.answer_to("messages", {"text": text})

    def interrupt(self) -> tuple[int, str, str]:
        """Ctrl-C; exit status, the rest of stdout, stderr."""
        self.process.send_signal(signal.SIGINT)
        out, err = self.process.communicate(timeout=30)
        return self.process.returncode, out, err


@pytest.fixture
def sandbox(folder: Path) -> Iterator[Sandbox]:
    running = Sandbox(folder)
    try:
        yield running
    finally:
        if running.process.poll() is None:
            running.process.kill()
            running.process.communicate()


def press(sandbox: Sandbox, message: dict[str, object], label: str) -> None:
    """Press the button labelled ``label`` under ``message``."""
    markup = message["reply_markup"]
    assert isinstance(markup, dict)
    data = next(
        b["callback_data"] for row in markup["inline_keyboard"] for b in row if b["text"] == label
    )
    httpx.post(
        f"{sandbox.root}/sandbox/users/{READER}/callbacks",
        json={"message_id": message["message_id"], "data": data},
    )


def test_sandbox_check_passes_on_the_packaged_demo(folder: Path) -> None:
    done = digestbot(folder, "sandbox", "--check")
    assert done.returncode == 0, done.stdout + done.stderr
    first, *_, last = done.stdout.splitlines()
    assert first.startswith("ok   articles: the demo that comes with digestbot (")
    assert first.endswith("loaded 16 new, 0 updated, 0 unchanged, 0 rejected")
    assert last == "sandbox check passed"


def test_the_readme_first_session_then_the_operator_commands(
    folder: Path, sandbox: Sandbox
) -> None:
    demo_line = sandbox.announced[0]
    assert demo_line.startswith("no [paths] articles_dir set: showing the demo articles")
    demo = Path(demo_line.rsplit("(", 1)[1].rstrip(")"))
    assert "articles: loaded 16 new, 0 updated, 0 unchanged, 0 rejected" in sandbox.announced

    httpx.post(
        f"{sandbox.root}/sandbox/users",
        json={"id": READER, "first_name": "魏", "language_code": "zh-hans"},
    )
    greeting = sandbox.say("/start")  # 1. choose a language
    assert "魏" in str(greeting["text"])
    before = len(sandbox.chat())
    press(sandbox, greeting, "简体中文")
    deadline = time.monotonic() + WAIT
    while not [m for m in sandbox.chat()[before:] if m["from_bot"]]:  # 2. the tag list
        assert time.monotonic() < deadline, "no tag list after 中文"
        time.sleep(0.2)
    results = sandbox.say("/search 阿里巴巴")  # 3. search
    assert "<b>阿里巴巴</b>" in str(results["html"])
    article = sandbox.say("/read_1")  # 4. read
    assert "阿里巴巴" in str(article["text"])
    sent = httpx.post(f"{sandbox.root}/sandbox/digests/send", json={}).json()  # 5. a digest
    assert sent["planned"] == 1
    deadline = time.monotonic() + WAIT
    while not any("的文章摘要" in str(m["text"]) for m in sandbox.chat()):
        assert time.monotonic() < deadline, "no digest"
        time.sleep(0.2)

    status, out, err = sandbox.interrupt()
    assert status == 0
    assert out.splitlines()[-1] == "digestbot stopped"
    assert "Traceback" not in err
    assert not list((folder / "data").glob("*.sender-lock"))

    found = digestbot(folder, "search", "阿里巴巴")
    assert found.returncode == 0, found.stderr
    assert "阿里巴巴" in found.stdout
    stats = digestbot(folder, "stats")
    assert "subscribers: 1 active" in stats.stdout
    loaded = digestbot(folder, "load", str(demo))
    assert loaded.stdout.splitlines()[-1] == "loaded 0 new, 0 updated, 16 unchanged, 0 rejected"
    chinese = digestbot(folder, "digest", "preview", "--lang", "zh", "--tags", "world")
    assert chinese.returncode == 0, chinese.stderr
    assert "标签：国际" in chinese.stdout  # the demo's labels, not the raw tag
    english = digestbot(folder, "digest", "preview", "--lang", "en", "--tags", "world")
    assert "Tags: World" in english.stdout
