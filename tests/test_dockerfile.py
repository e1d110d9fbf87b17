"""The Dockerfile and compose.yaml run the commands the Makefile, README and CLI define.

Docker cannot run here, so the image is checked by reading it: the same pip install as the
Makefile, the README's start command, a non-root user, /data as a volume, a health check that is a
real ``digestbot`` command asking the bot's own monitoring endpoint (not Telegram), and only
settings digestbot knows. tests/test_monitoring_deploy.py checks the ``monitoring`` profile.
"""

from __future__ import annotations

import fnmatch
import re
import subprocess
import threading
import tomllib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url

from digestbot.cli import main
from digestbot.cli.parser import build_parser
from digestbot.config import load_settings, parse_address
from digestbot.errors import ConfigError
from tests.support.dockerfile import (
    Stage,
    parse_dockerfile,
    shell_commands,
    split_flags,
    words,
)

ROOT = Path(__file__).resolve().parents[1]
STAGES = parse_dockerfile((ROOT / "Dockerfile").read_text(encoding="utf-8"))
BUILD, RUNTIME = STAGES[0], STAGES[-1]
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
README = (ROOT / "README.md").read_text(encoding="utf-8")
CONFIG = ROOT / "config" / "digestbot.toml"


def run_commands(stage: Stage) -> list[list[str]]:
    """Every simple command the stage's RUN instructions execute."""
    found = []
    for run in stage.all("RUN"):
        _, script = split_flags(run.arguments)
        found += shell_commands(script)
    return found


def env(stage: Stage) -> dict[str, str]:
    """The stage's ENV settings (``NAME=value`` pairs)."""
    pairs = (word.partition("=") for i in stage.all("ENV") for word in words(i.arguments))
    return {name: value for name, _, value in pairs}


def makefile_pip_commands() -> list[list[str]]:
    """The Makefile's pip commands, with ``$(BIN)/python`` read as ``python``."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if " -m pip " in line]
    return [words(line.replace("$(BIN)/python", "python")) for line in lines]


def project_install(command: list[str]) -> tuple[list[str], str, set[str]]:
    """A pip command reduced to what installs the project: (pip words, project, extras).

    Editable mode and where the wheels come from or go (``--no-index``, ``--find-links``,
    ``--wheel-dir``) are left out; ``pip wheel`` counts as ``pip install``; ``.`` and the
    project's name are the same project.
    """
    kept: list[str] = []
    skip_next = False
    for word in command:
        if skip_next:
            skip_next = False
        elif word in ("--find-links", "--wheel-dir"):
            skip_next = True
        elif word not in ("-e", "--editable", "--no-index"):
            kept.append("install" if word == "wheel" else word)
    target = kept.pop()
    match = re.fullmatch(r"([\w.-]+)(?:\[([\w,]+)\])?", target)
    assert match, target
    name = PYPROJECT["project"]["name"] if match[1] == "." else match[1]
    return kept, name, set((match[2] or "").split(",")) - {""}


def digestbot_args(command: list[str]) -> list[str]:
    """The arguments after ``digestbot`` in a command that runs it."""
    assert command[0] == "digestbot", command
    return command[1:]


def assert_is_a_command(args: list[str]) -> None:
    """``digestbot ARGS`` parses and names a command with a handler."""
    try:
        parsed = build_parser().parse_args(args)
    except SystemExit:
        pytest.fail(f"`digestbot {' '.join(args)}` is not a digestbot command")
    assert getattr(parsed, "handler", None) is not None, args


def is_a_setting(name: str, value: str) -> bool:
    """Whether the settings loader reads the environment variable ``name``."""
    try:
        return load_settings(None, {name: value}) != load_settings(None, {})
    except ConfigError:  # it read the value and refused it (a config file absent here)
        return True


SAMPLE = """\
# syntax=docker/dockerfile:1
ARG BASE=python:3.11-slim
FROM --platform=linux/amd64 python:3.11-slim AS build
RUN apt-get update \\
# a comment inside a continuation
\\
    && apt-get install -y git
COPY --from=build /a /b
FROM build
CMD ["digestbot", "run"]
"""


def test_the_reader_joins_continuations_and_splits_stages_and_commands() -> None:
    first, second = parse_dockerfile(SAMPLE)
    assert (first.base, first.name, second.base, second.name) == (
        "python:3.11-slim",
        "build",
        "build",
        "",
    )
    (run,) = first.all("RUN")
    assert run.line == 4
    assert shell_commands(run.arguments) == [
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "git"],
    ]
    (copy,) = first.all("COPY")
    assert split_flags(copy.arguments) == ({"from": "build"}, "/a /b")
    assert words(second.all("CMD")[0].arguments) == ["digestbot", "run"]
    with pytest.raises(ValueError, match="line 1: RUN before the first FROM"):
        parse_dockerfile("RUN true\nFROM scratch\n")


def test_two_stages_wheels_then_a_slim_runtime() -> None:
    assert [(s.base, s.name) for s in STAGES] == [
        ("python:3.11-slim", "build"),
        ("python:3.11-slim", "runtime"),
    ]
    assert any(c[:4] == ["python", "-m", "pip", "wheel"] for c in run_commands(BUILD))
    copied = [words(split_flags(c.arguments)[1])[0] for c in RUNTIME.all("COPY")]
    assert "src" not in copied  # the runtime gets the package from the wheels only
    mounts = [split_flags(r.arguments)[0].get("mount", "") for r in RUNTIME.all("RUN")]
    assert "type=bind,from=build,source=/wheels,target=/wheels" in mounts


def test_pip_upgrade_and_project_install_are_the_makefiles() -> None:
    upgrade, install = makefile_pip_commands()
    assert upgrade in run_commands(BUILD)
    docker = [c for c in run_commands(BUILD) + run_commands(RUNTIME) if c[2:3] == ["pip"]]
    projects = [project_install(c) for c in docker if c != upgrade]
    pip_words, name, extras = project_install(install)
    assert extras == {"dev"}
    assert len(projects) == 2  # the wheel in the build stage, the install in the runtime
    for docker_words, docker_name, docker_extras in projects:
        assert (docker_words, docker_name) == (pip_words, name)
        assert docker_extras == {"postgres"}
        assert docker_extras <= set(PYPROJECT["project"]["optional-dependencies"])


def test_the_image_starts_the_readmes_run_command() -> None:
    (entrypoint,) = RUNTIME.all("ENTRYPOINT")
    (cmd,) = RUNTIME.all("CMD")
    command = words(entrypoint.arguments) + words(cmd.arguments)
    assert command == ["digestbot", "run"]
    assert "digestbot" in PYPROJECT["project"]["scripts"]
    assert "`digestbot run --config config/digestbot.toml`" in README
    assert "$(BIN)/digestbot run --config" in (ROOT / "Makefile").read_text(encoding="utf-8")
    assert_is_a_command(command[1:])


def test_the_runtime_user_is_not_root_and_owns_the_data_volume() -> None:
    user = words(RUNTIME.all("USER")[-1].arguments)[0]
    assert user not in ("root", "0")
    created = [c for c in run_commands(RUNTIME) if c[0] == "useradd"]
    assert [command[-1] for command in created] == [user]
    data_dir = env(RUNTIME)["DIGESTBOT_DATA_DIR"]
    volumes = [v for i in RUNTIME.all("VOLUME") for v in words(i.arguments)]
    assert volumes == [data_dir] == ["/data"]
    assert ["chown", f"{user}:{user}", data_dir] in run_commands(RUNTIME)


def test_the_image_config_is_the_shipped_one_with_container_folders(tmp_path: Path) -> None:
    (rewrite,) = [c for c in run_commands(BUILD) if c[0] == "sed"]
    source, redirect, target = rewrite[-3:]
    assert redirect == ">"
    done = subprocess.run([*rewrite[:-3], str(CONFIG)], capture_output=True, text=True, check=True)
    text = done.stdout
    assert text.splitlines()[0] == CONFIG.read_text(encoding="utf-8").splitlines()[0]
    image_config = Path(target)
    copies = [words(split_flags(c.arguments)[1]) for c in RUNTIME.all("COPY")]
    assert [str(image_config), env(RUNTIME)["DIGESTBOT_CONFIG"]] in copies
    assert ["seeds", "/articles"] in copies
    (tmp_path / "image.toml").write_text(text, encoding="utf-8")
    settings = load_settings(tmp_path / "image.toml", {})
    assert settings.paths.articles_dir == Path("/articles")
    assert settings.telegram.webhook_listen == "0.0.0.0"
    assert settings.digest == load_settings(CONFIG, {}).digest  # everything else as shipped
    assert source == "digestbot.toml"


@pytest.fixture
def ready_endpoint() -> Iterator[tuple[int, list[str]]]:
    """A stand-in for the bot's monitoring endpoint on 127.0.0.1: 200 to every GET; its port and
    the paths asked."""
    asked: list[str] = []

    class Ready(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            body = b'{"ready": true, "checks": {}}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Ready)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], asked
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def seconds(duration: str) -> float:
    """A HEALTHCHECK duration such as ``10s`` or ``1m30s`` in seconds."""
    parts = re.fullmatch(r"(?:(\d+)m)?(?:(\d+)s)?", duration)
    assert duration, duration
    assert parts, duration
    return 60 * int(parts[1] or 0) + int(parts[2] or 0)


def test_the_health_check_asks_the_bots_readiness_endpoint(
    ready_endpoint: tuple[int, list[str]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (health,) = RUNTIME.all("HEALTHCHECK")
    flags, rest = split_flags(health.arguments)
    assert set(flags) == {"interval", "timeout", "start-period", "retries"}
    keyword, _, command = rest.partition(" ")
    assert keyword == "CMD"
    args = digestbot_args(words(command))
    assert args == ["healthcheck"]
    assert_is_a_command(args)
    own_timeout = build_parser().parse_args(args).timeout
    assert seconds(flags["timeout"]) >= own_timeout + 3  # time to start Python, then to ask
    # The image's address, with this test's port: a 0.0.0.0 listen address is asked on 127.0.0.1.
    host, _ = parse_address(env(RUNTIME)["DIGESTBOT_MONITORING_ADDRESS"], "image")
    port, asked = ready_endpoint
    for name in ("TOKEN", "TOKEN_FILE", "DATABASE_URL", "CONFIG"):
        monkeypatch.delenv(f"DIGESTBOT_{name}", raising=False)
    monkeypatch.setenv("DIGESTBOT_MONITORING_ADDRESS", f"{host}:{port}")
    monkeypatch.setenv("DIGESTBOT_API_URL", "http://127.0.0.1:9")  # nothing listens there
    assert main([*args, "--config", str(CONFIG)]) == 0
    assert capsys.readouterr().out == "ready\n"
    assert asked == ["/readyz"]


def test_every_digestbot_command_in_the_image_and_compose_exists() -> None:
    (entrypoint,) = RUNTIME.all("ENTRYPOINT")
    prefix = words(entrypoint.arguments)
    bot = COMPOSE["services"]["bot"]
    commands = [prefix + words(RUNTIME.all("CMD")[0].arguments), prefix + bot["command"]]
    commands += [c for s in STAGES for c in run_commands(s) if c[0] == "digestbot"]
    for command in commands:
        assert_is_a_command(digestbot_args(command))


def test_copied_files_exist_and_are_in_the_build_context() -> None:
    ignored = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for stage in STAGES:
        for copy in stage.all("COPY"):
            flags, rest = split_flags(copy.arguments)
            if "from" in flags:
                continue
            for source in words(rest)[:-1]:
                assert (ROOT / source).exists(), source
                assert not any(fnmatch.fnmatch(source, pattern) for pattern in ignored), source


def test_image_environment_names_are_settings() -> None:
    names = [name for name in env(RUNTIME) if name.startswith("DIGESTBOT_")]
    assert names == ["DIGESTBOT_CONFIG", "DIGESTBOT_DATA_DIR", "DIGESTBOT_MONITORING_ADDRESS"]
    assert all(is_a_setting(name, value) for name, value in env(RUNTIME).items() if name in names)
    exposed = [int(port) for i in RUNTIME.all("EXPOSE") for port in words(i.arguments)]
    image = load_settings(
        CONFIG, {"DIGESTBOT_MONITORING_ADDRESS": env(RUNTIME)["DIGESTBOT_MONITORING_ADDRESS"]}
    )
    monitoring = image.monitoring.host_port
    assert monitoring == ("0.0.0.0", 9464)  # every interface: Prometheus scrapes from outside
    assert exposed == [image.telegram.webhook_port, monitoring[1]]


def _expand(value: str) -> str:
    """``${NAME:-default}`` as compose reads it with NAME unset."""
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", value)


def test_compose_runs_the_bot_on_a_healthy_postgres() -> None:
    services = {n: s for n, s in COMPOSE["services"].items() if "profiles" not in s}
    assert set(services) == {"bot", "postgres"}  # the rest only with --profile monitoring
    postgres, bot = services["postgres"], services["bot"]
    assert postgres["image"] == "postgres:16"
    assert postgres["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL")
    assert any(v.endswith(":/var/lib/postgresql/data") for v in postgres["volumes"])
    assert bot["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert bot["build"] == "."
    assert f"bot-data:{env(RUNTIME)['DIGESTBOT_DATA_DIR']}" in bot["volumes"]

    environment = {name: _expand(value) for name, value in bot["environment"].items()}
    assert all(is_a_setting(name, value) for name, value in environment.items())
    url = make_url(environment["DIGESTBOT_DATABASE_URL"])
    database = {name: _expand(value) for name, value in postgres["environment"].items()}
    assert url.drivername == "postgresql+psycopg"
    assert url.host == "postgres"
    assert (url.username, url.password, url.database) == (
        database["POSTGRES_USER"],
        database["POSTGRES_PASSWORD"],
        database["POSTGRES_DB"],
    )
    (secret,) = bot["secrets"]
    assert environment["DIGESTBOT_TOKEN_FILE"] == f"/run/secrets/{secret}"
    assert "file" in COMPOSE["secrets"][secret]


def test_the_readme_documents_the_image() -> None:
    section = README.split("## Docker", 1)[1].split("\n## ", 1)[0]
    for phrase in ("docker compose up", "secrets/telegram_token", "digestbot healthcheck"):
        assert phrase in section
    (useradd,) = [c for c in run_commands(RUNTIME) if c[0] == "useradd"]
    uid = useradd[useradd.index("--uid") + 1]
    assert f"chown {uid} secrets/telegram_token" in section  # the user that must read the token
