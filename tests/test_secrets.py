"""No output of digestbot shows a secret, whatever goes wrong.

Every run uses a recognizable token, database password, webhook secret and proxy password and
fails when any of them (the token's part after the colon) shows in stdout, stderr (text or JSON
logs, at DEBUG level), the outbox table, the monitoring endpoint or an admin's alert: the real
``digestbot`` command against the sandbox, with a rejected token, an unreachable server, 5xx
answers, a proxy that fails, a database that fails or whose URL is malformed, ``doctor``, a full
webhook run with faults, and a crash.
"""

from __future__ import annotations

import asyncio
import signal
import string
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from digestbot.logs import redact
from digestbot.sandbox.emulator import Emulator
from digestbot.sandbox.faults import FaultKind, FaultRule
from digestbot.store.db import create_engine_for
from digestbot.store.models import OutboxMessage
from tests.support.databases import postgres_schema
from tests.support.processes import ROOT, digestbot_process, wait_until
from tests.support.sandbox import free_port

TOKEN = "123456:SECRET-TOKEN-abcdefghijklmnop"
DB_PASSWORD = "DB-PASSWORD-qrstuvwxyz"
WEBHOOK_SECRET = "WEBHOOK-SECRET-0123456789"
PROXY_PASSWORD = "PROXY-PASSWORD-zyxwvuts"
SECRETS = {
    "the token": TOKEN.partition(":")[2],
    "the database password": DB_PASSWORD,
    "the webhook secret": WEBHOOK_SECRET,
    "the proxy password": PROXY_PASSWORD,
}
ADMIN, READER = 4242, 501
FORMATS = ["text", "json"]


def assert_no_secret(where: str, text: str) -> None:
    """Fail naming the secret ``text`` shows, whole or its first or last 12 characters."""
    leaked = [
        name
        for name, secret in SECRETS.items()
        if any(part in text for part in (secret, secret[:12], secret[-12:]))
    ]
    assert not leaked, f"{where} shows {', '.join(leaked)}:\n{text}"


SECRET_CHARACTERS = string.ascii_letters + string.digits + "_-"


@given(
    before=st.text(),
    between=st.text(),
    after=st.text(),
    bot_id=st.integers(min_value=1, max_value=10**10),
    half=st.text(SECRET_CHARACTERS, min_size=8, max_size=46),
    secret=st.text(SECRET_CHARACTERS, min_size=8, max_size=64),
)
def test_redact_hides_the_token_its_secret_half_and_every_secret(
    before: str, between: str, after: str, bot_id: int, half: str, secret: str
) -> None:
    token = f"{bot_id}:{half}"
    text = f"{before}{token}{between}{bot_id}%3A{half}{secret}{after}"  # %3A: a URL's colon
    shown = redact(text, token, [secret])
    assert token not in shown
    assert half not in shown
    assert secret not in shown


def write_config(tmp_path: Path, *, webhook_port: int, log_format: str, extra: str = "") -> Path:
    """Settings with the webhook URL holding the token, a webhook secret and an admin."""
    config = tmp_path / "digestbot.toml"
    config.write_text(
        f'[paths]\ndata_dir = "{tmp_path / "data"}"\n{extra}'
        f'[telegram]\nwebhook_url = "http://127.0.0.1:{webhook_port}/bot{TOKEN}"\n'
        f'webhook_secret = "{WEBHOOK_SECRET}"\nwebhook_port = {webhook_port}\n'
        f"admin_ids = [{ADMIN}]\n"
        f'[logging]\nformat = "{log_format}"\n',
        encoding="utf-8",
    )
    return config


async def finished(process: asyncio.subprocess.Process) -> tuple[str, str]:
    """stdout and stderr of ``process`` once it has exited by itself."""
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    return out.decode(), err.decode()


async def stopped(process: asyncio.subprocess.Process) -> tuple[str, str]:
    """stdout and stderr of ``process`` after SIGTERM; it must have exited 0."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    out, err = await finished(process)
    assert process.returncode == 0, err
    return out, err


def with_password(url: str) -> str:
    """A PostgreSQL test URL with :data:`DB_PASSWORD` in it (the test server trusts anyone)."""
    return url.replace("postgres@", f"postgres:{DB_PASSWORD}@", 1)


START_FAILURES = {
    "rejected-token": ({"DIGESTBOT_TOKEN": TOKEN}, None),
    "unreachable-server": ({"DIGESTBOT_API_URL": "http://127.0.0.1:{closed}"}, None),
    "bot-api-5xx": ({}, FaultKind.SERVER_ERROR),
    "bot-api-502": ({}, FaultKind.BAD_GATEWAY),
    "proxy-failure": (
        {"DIGESTBOT_PROXY_URL": f"http://digest:{PROXY_PASSWORD}@127.0.0.1:{{closed}}"},
        None,
    ),
    "database-unreachable": (
        {
            "DIGESTBOT_DATABASE_URL": (
                f"postgresql+psycopg://postgres:{DB_PASSWORD}@127.0.0.1:{{closed}}/test"
            )
        },
        None,
    ),
    "database-url-malformed": (
        {"DIGESTBOT_DATABASE_URL": f"postgresql://postgres:{DB_PASSWORD}@127.0.0.1:port/test"},
        None,
    ),
}


@pytest.mark.parametrize("log_format", FORMATS)
@pytest.mark.parametrize("failure", list(START_FAILURES))
async def test_a_start_that_fails_shows_no_secret(
    tmp_path: Path, failure: str, log_format: str
) -> None:
    environment, fault = START_FAILURES[failure]
    closed = str(free_port())
    env = {name: value.replace("{closed}", closed) for name, value in environment.items()}
    # the server knows its own token: TOKEN is rejected unless it is the server's
    token = "654321:AAsandbox-another-token-0000000000" if failure == "rejected-token" else TOKEN
    async with Emulator(token=token) as emulator:
        if fault is not None:
            emulator.faults.add(FaultRule(fault))
        config = write_config(tmp_path, webhook_port=free_port(), log_format=log_format)
        process = await digestbot_process(emulator, "run", "-v", "--config", str(config), env=env)
        out, err = await finished(process)
    assert process.returncode == 1, err
    assert err.rstrip().splitlines()[-1].startswith("digestbot: error: ")  # one line, no crash
    assert_no_secret("stdout", out)
    assert_no_secret("stderr", err)


async def test_doctor_shows_no_secret(emulator: Emulator, tmp_path: Path) -> None:
    extra = (
        f'[database]\nurl = "postgresql+psycopg://postgres:{DB_PASSWORD}@127.0.0.1:'
        f'{free_port()}/test"\n'
    )
    config = write_config(tmp_path, webhook_port=free_port(), log_format="text", extra=extra)
    env = {
        "DIGESTBOT_TOKEN": TOKEN,
        "DIGESTBOT_PROXY_URL": f"http://digest:{PROXY_PASSWORD}@127.0.0.1:{free_port()}",
    }
    for args in (("doctor",), ("doctor", "--quick")):
        process = await digestbot_process(emulator, *args, "--config", str(config), env=env)
        out, err = await finished(process)
        assert "FAIL database" in out
        assert "webhook: http://127.0.0.1:" in out  # the URL is shown, without the token
        assert_no_secret(f"{' '.join(args)}'s stdout", out)
        assert_no_secret(f"{' '.join(args)}'s stderr", err)


def test_a_crash_traceback_shows_no_secret() -> None:
    crash = (
        "from digestbot.logs import configure_logging\n"
        f"configure_logging('debug', {TOKEN!r}, [{DB_PASSWORD!r}])\n"
        f"raise RuntimeError('failed with ' + {TOKEN!r} + ' and ' + {DB_PASSWORD!r})\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", crash], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert ran.returncode == 1
    assert "RuntimeError: failed with <token> and ***" in ran.stderr  # the traceback is there
    assert_no_secret("a crash's stderr", ran.stdout + ran.stderr)


def outbox_text(url: str) -> str:
    """Every outbox row, every column, as text."""
    engine = create_engine_for(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(OutboxMessage.__table__)).all()
    finally:
        engine.dispose()
    assert rows
    return "\n".join(repr(tuple(row)) for row in rows)


def alerts_to(emulator: Emulator, chat_id: int) -> list[str] | None:
    """The bot's messages to ``chat_id`` after its reply to /start, once there are some."""
    texts = [m["text"] for m in emulator.driver.transcript(chat_id) if m["from_bot"]]
    return texts[1:] or None


@pytest.mark.postgres
@pytest.mark.parametrize("log_format", FORMATS)
async def test_a_webhook_run_with_faults_shows_no_secret_anywhere(
    tmp_path: Path, log_format: str
) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "good.md").write_text("---\ntitle: Good\n---\n# Good\n\nFine.\n", "utf-8")
    hook, monitoring = free_port(), free_port()
    with postgres_schema() as plain_url:
        url = with_password(plain_url)
        extra = f'articles_dir = "{articles}"\n[database]\nurl = "{url}"\n'
        config = write_config(tmp_path, webhook_port=hook, log_format=log_format, extra=extra)
        env = {"DIGESTBOT_MONITORING_ADDRESS": f"127.0.0.1:{monitoring}"}
        async with Emulator(token=TOKEN) as emulator, httpx.AsyncClient() as client:
            driver = emulator.driver
            driver.create_user(ADMIN, "Ada", None, "en")
            driver.create_user(READER, "Reader", None, "en")
            process = await digestbot_process(
                emulator, "run", "-v", "--config", str(config), env=env
            )
            try:
                driver.send_text(ADMIN, "/start")
                await driver.next_bot_message(ADMIN, timeout=30)
                # 5xx from the Bot API for the next sends: a reply fails, the alert is retried
                emulator.faults.add(
                    FaultRule(FaultKind.SERVER_ERROR, method="sendMessage", count=2)
                )
                driver.send_text(READER, "/start")
                (articles / "broken.md").write_text("---\ntitle: [unclosed\n---\nx\n", "utf-8")
                alerts = await wait_until(lambda: alerts_to(emulator, ADMIN), timeout=60)
                forged = await client.post(
                    f"http://127.0.0.1:{hook}/bot{TOKEN}", json={"update_id": 1}
                )
                metrics = (await client.get(f"http://127.0.0.1:{monitoring}/metrics")).text
                ready = (await client.get(f"http://127.0.0.1:{monitoring}/readyz")).text
            finally:
                out, err = await stopped(process)
            outbox = outbox_text(url)
    assert forged.status_code == 403
    assert "broken.md" in alerts[0]
    assert "setWebhook" in err  # the debug log of the call that carries the secret
    assert "digestbot_messages_sent_total" in metrics
    for where, text in [
        ("stdout", out),
        ("stderr", err),
        ("the outbox table", outbox),
        ("/metrics", metrics),
        ("/readyz", ready),
        ("the admin's alerts", "\n".join(alerts)),
    ]:
        assert_no_secret(where, text)
