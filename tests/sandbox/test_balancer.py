"""The webhook's load balancer: updates round robin to several URLs, failing over like one."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from digestbot.sandbox.driver import DriverError
from digestbot.sandbox.emulator import Emulator
from tests.sandbox.test_webhook import Receiver
from tests.support.sandbox import BotApi


@pytest.fixture
async def api(emulator: Emulator) -> AsyncIterator[BotApi]:
    emulator.driver.create_user(1, "Ann")
    async with httpx.AsyncClient(timeout=60) as client:
        yield BotApi(emulator, client)


Hooks = tuple[Receiver, Receiver, Receiver]


@pytest.fixture
async def receivers(api: BotApi) -> AsyncIterator[Hooks]:
    """Two servers to balance over, and the webhook the bot set (with a secret) as the third."""
    three = (Receiver(), Receiver(), Receiver())
    for hook in three:
        await hook.server.start()
    await api.ok("setWebhook", url=three[2].url, secret_token="s3cret")
    yield three
    for hook in three:
        await hook.server.stop()


def texts(hook: Receiver) -> list[str]:
    return [json.loads(request.body)["message"]["text"] for request in hook.requests]


async def all_delivered(emulator: Emulator) -> None:
    await emulator.driver.wait_for(lambda: not emulator.state.updates or None, timeout=10)


async def test_updates_alternate_between_the_balanced_urls(api: BotApi, receivers: Hooks) -> None:
    first, second, own = receivers
    emu = api.emulator
    assert emu.driver.balance_webhook([first.url, second.url]) == {
        "urls": [first.url, second.url],
        "delivered": [0, 0],
    }
    for n in range(5):
        emu.driver.send_text(1, f"m{n}")
    await all_delivered(emu)
    assert texts(first) == ["m0", "m2", "m4"]
    assert texts(second) == ["m1", "m3"]
    assert own.requests == []
    assert all(r.headers.get("x-telegram-bot-api-secret-token") == "s3cret" for r in first.requests)
    assert emu.driver.webhook_balance()["delivered"] == [3, 2]


async def test_no_urls_deliver_to_the_webhook_again(api: BotApi, receivers: Hooks) -> None:
    first, _, own = receivers
    emu = api.emulator
    emu.driver.balance_webhook([first.url])
    emu.driver.send_text(1, "balanced")
    await all_delivered(emu)
    emu.driver.balance_webhook([])
    emu.driver.send_text(1, "direct")
    await all_delivered(emu)
    assert (texts(first), texts(own)) == (["balanced"], ["direct"])


async def test_a_url_that_fails_is_passed_over_and_nothing_is_lost(
    api: BotApi, receivers: Hooks
) -> None:
    first, second, own = receivers
    emu = api.emulator
    first.status = 502
    emu.driver.balance_webhook([first.url, second.url])
    for n in range(3):
        emu.driver.send_text(1, f"m{n}")
    await all_delivered(emu)
    assert texts(second) == ["m0", "m1", "m2"]  # each tried on the failing one first, then here
    assert emu.driver.webhook_balance()["delivered"] == [0, 3]
    assert own.requests == []


async def test_the_balancer_over_http(api: BotApi, receivers: Hooks) -> None:
    first, second, own = receivers
    emu = api.emulator
    control = f"{emu.base_url}/sandbox/webhook/balance"
    async with httpx.AsyncClient() as client:
        set_up = await client.post(control, json={"urls": [first.url, second.url]})
        assert set_up.status_code == 200
        emu.driver.send_text(1, "one")
        emu.driver.send_text(1, "two")
        await all_delivered(emu)
        shown = (await client.get(control)).json()
        bad = await client.post(control, json={"urls": "http://127.0.0.1:1/"})
        not_http = await client.post(control, json={"urls": ["ftp://127.0.0.1/hook"]})
        index = (await client.get(f"{emu.base_url}/sandbox/")).json()
    assert shown == {"urls": [first.url, second.url], "delivered": [1, 1]}
    assert (texts(first), texts(second), own.requests) == (["one"], ["two"], [])
    assert bad.status_code == 400
    assert not_http.status_code == 400
    paths = {(e["method"], e["path"]) for e in index["endpoints"]}
    assert {("POST", "/sandbox/webhook/balance"), ("GET", "/sandbox/webhook/balance")} <= paths


def test_the_driver_refuses_what_is_not_a_url(emulator: Emulator) -> None:
    with pytest.raises(DriverError, match="not an http"):
        emulator.driver.balance_webhook(["127.0.0.1:8080/hook"])
