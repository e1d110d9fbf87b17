"""Routes added to the ``/sandbox/`` API by whoever runs the emulator, and the page's redirects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from digestbot.sandbox.emulator import Emulator


async def test_an_added_route_gets_the_json_body_and_answers_json(emulator: Emulator) -> None:
    async def echo(body: dict[str, Any]) -> dict[str, Any]:
        return {"got": body}

    async def fail(body: dict[str, Any]) -> None:
        raise ValueError("speed must be a number")

    emulator.control.add_route("POST", "things/echo", echo)
    emulator.control.add_route("POST", "fail", fail)
    async with httpx.AsyncClient(base_url=emulator.base_url) as client:
        answer = await client.post("/sandbox/things/echo", json={"a": "中文"})
        assert (answer.status_code, answer.json()) == (200, {"got": {"a": "中文"}})
        empty = await client.post("/sandbox/things/echo")
        assert empty.json() == {"got": {}}
        wrong_verb = await client.get("/sandbox/things/echo")
        assert wrong_verb.status_code == 405
        failed = await client.post("/sandbox/fail", json={})
        assert (failed.status_code, failed.json()) == (400, {"error": "speed must be a number"})
        not_json = await client.post("/sandbox/things/echo", content=b"[1]")
        assert not_json.status_code == 400


@pytest.mark.parametrize("name", ["", "/clock", "Clock", "a//b", "../x", "users/(.*)"])
async def test_a_route_name_must_be_plain_words(emulator: Emulator, name: str) -> None:
    async def nothing(body: dict[str, Any]) -> None:
        return None

    with pytest.raises(ValueError, match="route name"):
        emulator.control.add_route("POST", name, nothing)


async def test_a_served_route_cannot_be_added_twice(emulator: Emulator) -> None:
    async def nothing(body: dict[str, Any]) -> None:
        return None

    emulator.control.add_route("POST", "clock", nothing)
    with pytest.raises(ValueError, match="already served"):
        emulator.control.add_route("POST", "clock", nothing)
    with pytest.raises(ValueError, match="already served"):
        emulator.control.add_route("POST", "users", nothing)


async def test_root_and_bare_ui_path_redirect_to_the_page(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<h1>chat</h1>", encoding="utf-8")
    async with (
        Emulator(ui_files=tmp_path) as emu,
        httpx.AsyncClient(base_url=emu.base_url) as client,
    ):
        for path in ("/", "/sandbox/ui"):
            response = await client.get(path)
            assert response.status_code == 302
            assert response.headers["location"] == "/sandbox/ui/"
        page = await client.get("/", follow_redirects=True)
        assert page.text == "<h1>chat</h1>"


async def test_the_package_ships_the_chat_page(emulator: Emulator) -> None:
    async with httpx.AsyncClient(base_url=emulator.base_url) as client:
        page = await client.get("/", follow_redirects=True)
        assert page.status_code == 200
        assert '<script src="/sandbox/ui/app.js"' in page.text
        for name, kind in (("app.js", "javascript"), ("style.css", "text/css")):
            asset = await client.get(f"/sandbox/ui/{name}")
            assert asset.status_code == 200
            assert kind in asset.headers["content-type"]


async def test_the_driver_root_lists_added_routes_with_what_they_do(emulator: Emulator) -> None:
    async def send(body: dict[str, Any]) -> None:
        """Plan a digest for everyone."""

    async def spin(body: dict[str, Any]) -> None:
        return None

    emulator.control.add_route("POST", "digests/send", send)
    emulator.control.add_route("POST", "spin", spin, "spin the wheel")
    async with httpx.AsyncClient(base_url=emulator.base_url) as client:
        listing = (await client.get("/sandbox/")).json()["endpoints"]
    described = {(e["method"], e["path"]): e["description"] for e in listing}
    assert described[("POST", "/sandbox/digests/send")] == "Plan a digest for everyone."
    assert described[("POST", "/sandbox/spin")] == "spin the wheel"


async def test_the_favicon_is_an_image_where_the_page_and_browsers_look(
    emulator: Emulator,
) -> None:
    async with httpx.AsyncClient(base_url=emulator.base_url) as client:
        page = (await client.get("/sandbox/ui/")).text
        assert '<link rel="icon" href="/sandbox/ui/favicon.svg"' in page
        for path in ("/sandbox/ui/favicon.svg", "/favicon.ico"):
            icon = await client.get(path)
            assert icon.status_code == 200, path
            assert icon.headers["content-type"] == "image/svg+xml"
            assert icon.text.lstrip().startswith("<svg")
