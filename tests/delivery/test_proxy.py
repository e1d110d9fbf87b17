"""Bot API calls through a proxy: which proxy applies (pure), and real sends through real pproxy
servers on 127.0.0.1, the sender's bot and python-telegram-bot's own Bot alike."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import Bot
from telegram.error import NetworkError
from telegram.request import HTTPXRequest

from digestbot.delivery.proxy import ptb_request
from digestbot.delivery.tick import standalone_bot
from digestbot.errors import ConfigError
from digestbot.proxies import bot_api_proxy
from digestbot.sandbox.emulator import Emulator
from tests.support.proxy import StartProxy
from tests.support.sandbox import free_port

SANDBOX = "http://127.0.0.1:8081"
SELF_SIGNED = (
    "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=127.0.0.1"
    " -addext subjectAltName=IP:127.0.0.1"
)
PASSWORD = "s3cret-pw"

# -- which proxy applies (pure) ---------------------------------------------------------------


def test_nothing_in_the_environment_goes_direct() -> None:
    assert bot_api_proxy("", "", {}) is None
    assert bot_api_proxy("", "", {"PATH": "/usr/bin", "NO_PROXY": "example.com"}) is None


def test_the_configured_proxy_wins_and_no_proxy_does_not_touch_it() -> None:
    env = {"HTTPS_PROXY": "http://10.0.0.1:3128", "NO_PROXY": "*"}
    assert bot_api_proxy("socks5://127.0.0.1:1080", "", env) == "socks5://127.0.0.1:1080"


@pytest.mark.parametrize(
    ("api_url", "env", "expected"),
    [
        # Telegram's server is https: HTTPS_PROXY, never HTTP_PROXY
        ("", {"HTTPS_PROXY": "http://10.0.0.1:3128"}, "http://10.0.0.1:3128"),
        ("", {"HTTP_PROXY": "http://10.0.0.1:3128"}, None),
        (SANDBOX, {"HTTP_PROXY": "http://10.0.0.2:3128"}, "http://10.0.0.2:3128"),
        (SANDBOX, {"HTTPS_PROXY": "http://10.0.0.1:3128"}, None),
        # then ALL_PROXY, SOCKS included
        ("", {"ALL_PROXY": "socks5h://10.0.0.3:1080"}, "socks5h://10.0.0.3:1080"),
        (
            "",
            {"ALL_PROXY": "socks5://10.0.0.3:1080", "HTTPS_PROXY": "http://10.0.0.1:3128"},
            "http://10.0.0.1:3128",
        ),
        # lower case wins; an empty lower-case value unsets the upper-case one
        (
            "",
            {"HTTPS_PROXY": "http://10.0.0.1:3128", "https_proxy": "http://10.0.0.4:3128"},
            "http://10.0.0.4:3128",
        ),
        ("", {"HTTPS_PROXY": "http://10.0.0.1:3128", "https_proxy": ""}, None),
        ("", {"HTTPS_PROXY": ""}, None),
        # a value without a scheme is an HTTP proxy
        ("", {"https_proxy": "10.0.0.1:3128"}, "http://10.0.0.1:3128"),
        # NO_PROXY: the host, a domain it is in, host:port, "*"; other hosts keep the proxy
        ("", {"HTTPS_PROXY": "http://10.0.0.1:3128", "NO_PROXY": "api.telegram.org"}, None),
        ("", {"HTTPS_PROXY": "http://10.0.0.1:3128", "no_proxy": "a.com, .telegram.org"}, None),
        ("", {"HTTPS_PROXY": "http://10.0.0.1:3128", "NO_PROXY": "Telegram.ORG"}, None),
        ("", {"HTTPS_PROXY": "http://10.0.0.1:3128", "NO_PROXY": "*"}, None),
        ("", {"HTTPS_PROXY": "http://10.0.0.1:3128", "NO_PROXY": "api.telegram.org:443"}, None),
        (SANDBOX, {"HTTP_PROXY": "http://10.0.0.2:3128", "NO_PROXY": "localhost,127.0.0.1"}, None),
        (SANDBOX, {"HTTP_PROXY": "http://10.0.0.2:3128", "NO_PROXY": "127.0.0.1:8081"}, None),
        (
            "http://[::1]:8081",
            {"HTTP_PROXY": "http://10.0.0.2:3128", "NO_PROXY": "::1"},
            None,
        ),
        (
            "",
            {"HTTPS_PROXY": "http://10.0.0.1:3128", "NO_PROXY": "legram.org,example.com"},
            "http://10.0.0.1:3128",
        ),
        (
            SANDBOX,
            {"HTTP_PROXY": "http://10.0.0.2:3128", "NO_PROXY": "127.0.0.1:9999"},
            "http://10.0.0.2:3128",
        ),
    ],
)
def test_the_environment_is_read_as_curl_and_urllib_read_it(
    api_url: str, env: dict[str, str], expected: str | None
) -> None:
    assert bot_api_proxy("", api_url, env) == expected


def test_a_bad_proxy_in_the_environment_is_named_without_its_password() -> None:
    with pytest.raises(ConfigError, match="HTTPS_PROXY") as caught:
        bot_api_proxy("", "", {"https_proxy": f"ftp://user:{PASSWORD}@10.0.0.1:21"})
    assert PASSWORD not in str(caught.value)


proxy_urls = st.builds(
    "{}://{}:{}".format,
    st.sampled_from(["http", "https", "socks5", "socks5h"]),
    st.sampled_from(["127.0.0.1", "proxy.example.cn", "[::1]"]),
    st.integers(1, 65535),
)
api_urls = st.sampled_from(["", "https://api.telegram.org", SANDBOX, "https://bots.example.com"])
variable_names = st.sampled_from(
    ["HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy", "all_proxy"]
)
environments = st.builds(
    lambda proxies, others: {**proxies, **others},
    st.dictionaries(variable_names, st.one_of(proxy_urls, st.just(""))),
    st.dictionaries(
        st.sampled_from(["NO_PROXY", "no_proxy", "PATH"]),
        st.sampled_from(["", "*", "example.com", "127.0.0.1", ".telegram.org"]),
    ),
)


@given(proxy_urls, api_urls, environments)
def test_a_configured_proxy_always_applies(proxy: str, api_url: str, env: dict[str, str]) -> None:
    assert bot_api_proxy(proxy, api_url, env) == proxy


@given(api_urls, st.dictionaries(variable_names, proxy_urls), st.sampled_from(["*", " * "]))
def test_no_proxy_star_excludes_every_server(api_url: str, env: dict[str, str], star: str) -> None:
    assert bot_api_proxy("", api_url, {**env, "NO_PROXY": star}) is None


@given(api_urls, st.dictionaries(st.sampled_from(["HTTPS", "HTTP", "ALL", "NO"]), proxy_urls))
def test_upper_and_lower_case_names_mean_the_same(api_url: str, env: dict[str, str]) -> None:
    upper = {f"{name}_PROXY": value for name, value in env.items()}
    lower = {f"{name.lower()}_proxy": value for name, value in env.items()}
    assert bot_api_proxy("", api_url, upper) == bot_api_proxy("", api_url, lower)


@given(environments, proxy_urls)
def test_the_other_schemes_variable_never_matters(env: dict[str, str], other: str) -> None:
    assert bot_api_proxy("", "", {**env, "HTTP_PROXY": other, "http_proxy": other}) == (
        bot_api_proxy("", "", {**env, "HTTP_PROXY": "", "http_proxy": ""})
    )
    assert bot_api_proxy("", SANDBOX, {**env, "HTTPS_PROXY": other, "https_proxy": other}) == (
        bot_api_proxy("", SANDBOX, {**env, "HTTPS_PROXY": "", "https_proxy": ""})
    )


labels = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)


@given(st.lists(labels, min_size=1, max_size=3), st.lists(labels, max_size=2), proxy_urls)
def test_no_proxy_excludes_a_domain_and_every_host_in_it(
    domain: list[str], sub: list[str], proxy: str
) -> None:
    name = ".".join(domain)
    api_url = f"https://{'.'.join([*sub, name])}"
    assert bot_api_proxy("", api_url, {"HTTPS_PROXY": proxy, "NO_PROXY": name}) is None
    assert bot_api_proxy("", api_url, {"HTTPS_PROXY": proxy, "NO_PROXY": f"x{name}"}) == proxy


# -- through real proxies ---------------------------------------------------------------------


def emulator_address(emulator: Emulator) -> str:
    """``127.0.0.1:PORT``, as the proxy's log names the emulator."""
    return emulator.base_url.removeprefix("http://")


def start_chat(emulator: Emulator) -> None:
    """Reader 1 starts the bot, so that the bot may write to them."""
    emulator.driver.create_user(1, "Ann", None, "en")
    emulator.driver.send_text(1, "/start")


@pytest.mark.parametrize(
    ("listen", "scheme"), [("http", "http"), ("socks5", "socks5"), ("socks5", "socks5h")]
)
async def test_the_sender_delivers_through_the_proxy(
    emulator: Emulator, start_proxy: StartProxy, listen: str, scheme: str
) -> None:
    proxy = start_proxy(listen)
    url = proxy.url.replace(f"{listen}://", f"{scheme}://", 1)
    start_chat(emulator)
    async with standalone_bot(emulator.token, emulator.base_url, proxy=url) as bot:
        assert bot.pool_size == 8
        await bot.post_text(1, "hi")
    message = await emulator.driver.next_bot_message(1, timeout=10)
    assert message["text"] == "hi"
    assert emulator_address(emulator) in proxy.targets()


@pytest.mark.parametrize("listen", ["http", "socks5"])
async def test_the_sender_logs_in_to_the_proxy(
    emulator: Emulator, start_proxy: StartProxy, listen: str
) -> None:
    proxy = start_proxy(listen, login=f"ann:{PASSWORD}")
    start_chat(emulator)
    async with standalone_bot(emulator.token, emulator.base_url, proxy=proxy.url) as bot:
        await bot.post_text(1, "hi")
    assert (await emulator.driver.next_bot_message(1, timeout=10))["text"] == "hi"
    assert emulator_address(emulator) in proxy.targets()


@pytest.mark.parametrize("scheme", ["http", "socks5"])
async def test_python_telegram_bots_own_bot_goes_through_the_proxy(
    emulator: Emulator, start_proxy: StartProxy, scheme: str
) -> None:
    proxy = start_proxy(scheme)
    bot = Bot(emulator.token, base_url=emulator.bot_base_url, request=ptb_request(proxy.url))
    async with bot:
        assert (await bot.get_me()).username == bot.username
    assert emulator_address(emulator) in proxy.targets()


@pytest.mark.parametrize("scheme", ["http", "socks5"])
async def test_a_proxy_at_a_closed_port_is_a_network_error_naming_it(
    emulator: Emulator, scheme: str
) -> None:
    proxy = f"{scheme}://ann:{PASSWORD}@127.0.0.1:{free_port()}"
    with pytest.raises(NetworkError) as caught:
        async with standalone_bot(emulator.token, emulator.base_url, proxy=proxy):
            pass
    message = str(caught.value)
    assert f"through the proxy {scheme}://ann:***@127.0.0.1:" in message
    assert PASSWORD not in message
    assert emulator.token not in message


@pytest.mark.parametrize("listen", ["http", "socks5"])
@pytest.mark.parametrize("login", ["ann:wrong-pw", ""])
async def test_a_refused_login_is_a_network_error(
    emulator: Emulator, start_proxy: StartProxy, listen: str, login: str
) -> None:
    proxy = start_proxy(listen, login=f"ann:{PASSWORD}")
    url = proxy.url.replace(f"ann:{PASSWORD}@", f"{login}@" if login else "")
    with pytest.raises(NetworkError, match="through the proxy") as caught:
        async with standalone_bot(emulator.token, emulator.base_url, proxy=url):
            pass
    assert "wrong-pw" not in str(caught.value)
    assert emulator.token not in str(caught.value)
    assert emulator_address(emulator) not in proxy.targets()


async def test_the_environments_proxies_are_ignored_when_none_is_given(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, closed)
    async with Bot(emulator.token, base_url=emulator.bot_base_url, request=ptb_request(None)):
        pass
    start_chat(emulator)
    async with standalone_bot(emulator.token, emulator.base_url) as bot:
        await bot.post_text(1, "direct")
    assert (await emulator.driver.next_bot_message(1, timeout=10))["text"] == "direct"


def test_ptb_request_passes_httpxrequests_arguments_on() -> None:
    for proxy in (None, "socks5://127.0.0.1:1080"):
        request = ptb_request(proxy, connection_pool_size=3, read_timeout=7.0)
        assert isinstance(request, HTTPXRequest)
        assert request.read_timeout == 7.0


def test_the_senders_pool_size_is_the_same_on_either_transport() -> None:
    direct = standalone_bot("1:a")
    proxied = standalone_bot("1:a", proxy="http://127.0.0.1:3128")
    assert direct.pool_size == proxied.pool_size == 8


# -- https through the tunnel (HTTP CONNECT, SOCKS5), as to api.telegram.org ------------------


@pytest.fixture
def certificate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, trusted through SSL_CERT_FILE."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", *SELF_SIGNED.split(), "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    return cert, key


@pytest.fixture
async def https_emulator(emulator: Emulator, certificate: tuple[Path, Path]) -> AsyncIterator[str]:
    """``https://127.0.0.1:PORT``: TLS in front of the emulator, as Telegram's server is."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    port = int(emulator.base_url.rsplit(":", 1)[1])

    async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError):
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
        sink.close()

    async def relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", port)
        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))

    server = await asyncio.start_server(relay, "127.0.0.1", 0, ssl=context)
    yield f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    server.close()
    await server.wait_closed()


@pytest.mark.parametrize("scheme", ["http", "socks5"])
async def test_https_goes_through_the_tunnel(
    emulator: Emulator, https_emulator: str, start_proxy: StartProxy, scheme: str
) -> None:
    proxy = start_proxy(scheme, login=f"ann:{PASSWORD}")
    start_chat(emulator)
    async with standalone_bot(emulator.token, https_emulator, proxy=proxy.url) as bot:
        await bot.post_text(1, "over tls")
    assert (await emulator.driver.next_bot_message(1, timeout=10))["text"] == "over tls"
    assert https_emulator.removeprefix("https://") in proxy.targets()
