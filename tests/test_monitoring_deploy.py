"""The monitoring deployment cannot drift from the bot: compose's ``monitoring`` profile, the
Prometheus config and alerts, the Grafana dashboard and provisioning, and the README's table.

Every ``digestbot_*`` name in an alert or a dashboard query is one the bot exports, label values
are ones it uses, and compose, Prometheus and the Dockerfile agree on where the bot is scraped.
Where ``promtool`` is installed the Prometheus files and every query are also parsed by it, and
the alerts are run against made-up series.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml

from digestbot.config import parse_address
from digestbot.model import Lang
from digestbot.monitoring.metrics import Client, FailReason, Metrics, RetryReason
from digestbot.monitoring.store_metrics import STORE_METRIC_NAMES
from digestbot.store.models import OutboxState, SubscriberState
from tests.support.dockerfile import parse_dockerfile, words

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
PROMETHEUS_DIR = DEPLOY / "prometheus"
GRAFANA_DIR = DEPLOY / "grafana"
DASHBOARD_FILE = GRAFANA_DIR / "digestbot-dashboard.json"
PROFILE = "monitoring"


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


COMPOSE: dict[str, Any] = load_yaml(ROOT / "compose.yaml")
PROMETHEUS: dict[str, Any] = load_yaml(PROMETHEUS_DIR / "prometheus.yml")
ALERTS: dict[str, Any] = load_yaml(PROMETHEUS_DIR / "alerts.yml")
DASHBOARD: dict[str, Any] = json.loads(DASHBOARD_FILE.read_text(encoding="utf-8"))
RUNTIME = parse_dockerfile((ROOT / "Dockerfile").read_text(encoding="utf-8"))[-1]
README = (ROOT / "README.md").read_text(encoding="utf-8")

EXPORTED = Metrics().names() | STORE_METRIC_NAMES
METRIC_NAME = re.compile(r"\bdigestbot_\w+")
SELECTOR = re.compile(r"\b(digestbot_\w+)\s*\{([^}]*)\}")
MATCHER = re.compile(r"(\w+)\s*(=~|!~|!=|=)\s*\"([^\"]*)\"")
# The values a label takes (enums in the code); None: any (method, handler, kind, instance).
LABEL_VALUES: dict[str, set[str]] = {
    "reason": {r.value for r in (*FailReason, *RetryReason)},
    "client": {c.value for c in Client},
    "language": {lang.value for lang in Lang},
    "state": {s.value for s in (*OutboxState, *SubscriberState)},
}
OUTBOX_STATES = {OutboxState.PENDING.value, OutboxState.SENDING.value}  # the open ones


def walk_panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every panel, those inside (collapsed) rows included."""
    for panel in panels:
        yield panel
        yield from walk_panels(panel.get("panels", []))


def alert_rules() -> list[dict[str, Any]]:
    return [rule for group in ALERTS["groups"] for rule in group["rules"]]


def expressions() -> dict[str, str]:
    """Where -> PromQL of every alert and every dashboard query (Grafana macros left in)."""
    found = {f"alert {rule['alert']}": str(rule["expr"]) for rule in alert_rules()}
    for panel in walk_panels(DASHBOARD["panels"]):
        for target in panel.get("targets", []):
            found[f"panel {panel['title']!r} {target['refId']}"] = target["expr"]
    for variable in DASHBOARD["templating"]["list"]:
        if variable["type"] == "query":
            found[f"variable ${variable['name']}"] = variable["query"]["query"]
    return found


EXPRESSIONS = expressions()


def plain_promql(expr: str) -> str:
    """A dashboard query as Prometheus gets it: ``label_values(S, l)`` as ``S``, Grafana's
    ``$__rate_interval`` and variables such as ``$instance`` filled in."""
    expr = re.sub(r"^label_values\((.*),\s*\w+\)$", r"\1", expr.strip())
    return re.sub(r"\$\w+", ".*", expr.replace("$__rate_interval", "1m"))


def promql_names() -> dict[str, str]:
    """Each metric family the bot exports, as PromQL names it (counters with ``_total``), with
    its help text; histograms by their base name."""
    families = {}
    for family in Metrics().registry.collect():
        suffix = "_total" if family.type == "counter" else ""
        families[f"{family.name}{suffix}"] = family.documentation
    return families | dict.fromkeys(STORE_METRIC_NAMES, "")


def section(title: str) -> str:
    return README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def service(name: str) -> dict[str, Any]:
    return COMPOSE["services"][name]  # type: ignore[no-any-return]


def bind_mounts(name: str) -> dict[str, str]:
    """Container path -> host path (from the repository's root) of a service's bind mounts."""
    mounts = {}
    for volume in service(name).get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith("./"):
            mounts[target] = source
    return mounts


def image_monitoring_address() -> tuple[str, int]:
    pairs = (w.partition("=") for i in RUNTIME.all("ENV") for w in words(i.arguments))
    env = {name: value for name, _, value in pairs}
    return parse_address(env["DIGESTBOT_MONITORING_ADDRESS"], "the image's address")


@pytest.mark.parametrize("where", list(EXPRESSIONS))
def test_every_metric_in_a_query_is_one_the_bot_exports(where: str) -> None:
    expr = EXPRESSIONS[where]
    names = set(METRIC_NAME.findall(expr))
    assert names or re.search(r"\bup\b", expr), f"{where} reads no digestbot metric: {expr}"
    assert names <= EXPORTED, f"{where}: the bot exports no {sorted(names - EXPORTED)}"


def test_no_file_names_a_metric_the_bot_does_not_export() -> None:
    """Descriptions and comments too: a renamed metric must not linger anywhere."""
    files = [
        *PROMETHEUS_DIR.glob("*.yml"),
        *GRAFANA_DIR.rglob("*.json"),
        *GRAFANA_DIR.rglob("*.yml"),
    ]
    assert len(files) >= 5
    for path in files:
        unknown = set(METRIC_NAME.findall(path.read_text(encoding="utf-8"))) - EXPORTED
        assert not unknown, f"{path.relative_to(ROOT)}: {sorted(unknown)}"


@pytest.mark.parametrize("where", list(EXPRESSIONS))
def test_label_values_in_queries_are_ones_the_bot_uses(where: str) -> None:
    for metric, matchers in SELECTOR.findall(EXPRESSIONS[where]):
        for label, op, value in MATCHER.findall(matchers):
            allowed = LABEL_VALUES.get(label)
            if allowed is None or op in ("=~", "!~"):
                continue
            if metric == "digestbot_outbox_messages":
                allowed = OUTBOX_STATES
            assert value in allowed, f"{where}: {metric}{{{label}{op}{value!r}}}"


def test_quantiles_are_taken_over_buckets_summed_by_le() -> None:
    quantiles = {w: e for w, e in EXPRESSIONS.items() if "histogram_quantile" in e}
    assert len(quantiles) >= 6  # Bot API, tick and search latency, p50 and p95 each
    for where, expr in quantiles.items():
        assert re.search(r"sum by \(le\b[^)]*\) \(rate\(digestbot_\w+_bucket\{", expr), where


def test_the_dashboard_shows_every_metric_the_bot_exports() -> None:
    shown = {name for expr in EXPRESSIONS.values() for name in METRIC_NAME.findall(expr)}
    for family in promql_names():
        series = {family, f"{family}_bucket"}
        assert series & shown, f"the dashboard shows nothing of {family}"


def test_the_dashboard_queries_the_chosen_prometheus_and_instances() -> None:
    variables = {v["name"]: v for v in DASHBOARD["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    assert variables["instance"]["includeAll"] is True
    panels = [p for p in walk_panels(DASHBOARD["panels"]) if p["type"] != "row"]
    assert len(panels) >= 15
    assert len({p["id"] for p in walk_panels(DASHBOARD["panels"])}) == sum(
        1 for _ in walk_panels(DASHBOARD["panels"])
    )
    for panel in panels:
        targets = panel["targets"]
        assert targets, panel["title"]
        for ref in [panel["datasource"], *(t["datasource"] for t in targets)]:
            assert ref == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        for target in targets:
            if METRIC_NAME.search(target["expr"]) or "up{" in target["expr"]:
                assert 'instance=~"$instance"' in target["expr"], panel["title"]


def test_the_alerts_cover_the_ways_the_bot_stops_delivering() -> None:
    rules = {rule["alert"]: rule for rule in alert_rules()}
    assert set(rules) >= {
        "DigestbotDown",
        "DigestbotNoTick",
        "DigestbotOutboxBehind",
        "DigestbotMessagesFailing",
        "DigestbotFloodWaits",
    }
    assert re.fullmatch(r'up\{job="digestbot"\} == 0', rules["DigestbotDown"]["expr"])
    no_tick = rules["DigestbotNoTick"]["expr"]
    assert re.search(r"time\(\) - max\(digestbot_last_tick_timestamp_seconds\) > 300", no_tick)
    behind = rules["DigestbotOutboxBehind"]
    assert "digestbot_outbox_oldest_due_age_seconds" in behind["expr"]
    assert behind["expr"].endswith("> 300")
    assert behind["for"] == "5m"
    assert "digestbot_messages_failed_total" in rules["DigestbotMessagesFailing"]["expr"]
    assert "rate(digestbot_flood_wait_seconds_total" in rules["DigestbotFloodWaits"]["expr"]
    for name, rule in rules.items():
        assert rule["labels"]["severity"] in ("critical", "warning"), name
        assert rule["annotations"]["summary"], name
    assert [PROMETHEUS_DIR / f for f in PROMETHEUS["rule_files"]] == [PROMETHEUS_DIR / "alerts.yml"]


def test_prometheus_scrapes_the_bot_where_the_image_listens() -> None:
    host, port = image_monitoring_address()
    assert host == "0.0.0.0"  # reachable from the prometheus container
    exposed = {int(p) for i in RUNTIME.all("EXPOSE") for p in words(i.arguments)}
    assert port in exposed
    (job,) = PROMETHEUS["scrape_configs"]
    assert job["job_name"] == "digestbot"
    assert job.get("metrics_path", "/metrics") == "/metrics"
    ((target,),) = [c["targets"] for c in job["static_configs"]]
    target_host, target_port = parse_address(target, "the scrape target")
    assert (target_host, target_port) == ("bot", port)
    assert PROMETHEUS["global"]["scrape_interval"] == "15s"
    bot = service(target_host)
    assert "profiles" not in bot  # the bot runs with and without the profile
    override = bot.get("environment", {}).get("DIGESTBOT_MONITORING_ADDRESS")
    assert override is None or parse_address(override, "compose") == (host, port)


def test_the_monitoring_profile_runs_pinned_prometheus_and_grafana_with_these_files() -> None:
    profiled = {n for n, s in COMPOSE["services"].items() if "profiles" in s}
    assert profiled == {"prometheus", "grafana"}
    for name in profiled:
        assert service(name)["profiles"] == [PROFILE]
        assert re.fullmatch(r"[\w./-]+:v?\d+\.\d+\.\d+", service(name)["image"]), name
        for source in bind_mounts(name).values():
            assert (ROOT / source).exists(), source
        binds = [v for v in service(name)["volumes"] if v.startswith("./")]
        assert all(v.endswith(":ro") for v in binds), binds  # the containers only read them
    prometheus = service("prometheus")
    assert prometheus["image"].startswith("prom/prometheus:")
    flags = dict(flag.removeprefix("--").split("=", 1) for flag in prometheus["command"])
    config = PurePosixPath(flags["config.file"])
    assert bind_mounts("prometheus")[str(config.parent)] == "./deploy/prometheus"
    assert (PROMETHEUS_DIR / config.name).is_file()


def test_grafana_gets_this_prometheus_and_this_dashboard() -> None:
    grafana = service("grafana")
    assert grafana["image"].startswith("grafana/grafana:")
    mounts = bind_mounts("grafana")
    provisioning = GRAFANA_DIR / "provisioning"
    for kind in ("datasources", "dashboards"):
        assert (
            mounts[f"/etc/grafana/provisioning/{kind}"] == f"./deploy/grafana/provisioning/{kind}"
        )
    (source,) = load_yaml(provisioning / "datasources" / "prometheus.yml")["datasources"]
    assert source["type"] == "prometheus"
    assert source["isDefault"] is True
    host, port = parse_address(source["url"].removeprefix("http://"), "the data source url")
    assert host in COMPOSE["services"]
    assert f"127.0.0.1:{port}:{port}" in service(host)["ports"]  # Prometheus' own port, 9090
    assert source["jsonData"]["timeInterval"] == PROMETHEUS["global"]["scrape_interval"]
    (provider,) = load_yaml(provisioning / "dashboards" / "digestbot.yml")["providers"]
    assert provider["type"] == "file"
    folder = provider["options"]["path"]
    dashboards = {
        t: s for t, s in mounts.items() if PurePosixPath(t).parent == PurePosixPath(folder)
    }
    assert list(dashboards.values()) == [f"./{DASHBOARD_FILE.relative_to(ROOT)}"]


def test_the_readme_documents_monitoring_and_every_metric() -> None:
    text = section("Monitoring")
    for phrase in (
        "GET /healthz",
        "GET /readyz",
        "GET /metrics",
        "[monitoring] address",
        "DIGESTBOT_MONITORING_ADDRESS",
        "digestbot healthcheck",
        f"docker compose --profile {PROFILE} up -d",
        str(DASHBOARD_FILE.relative_to(ROOT)),
        "deploy/prometheus/alerts.yml",
    ):
        assert phrase in text, phrase
    rows = set(re.findall(r"^\| `(digestbot_\w+)`", text, flags=re.MULTILINE))
    assert rows == set(promql_names())
    assert README.index("\n## Docker\n") < README.index("\n## Monitoring\n")


PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason="promtool is not installed")


def promtool(*args: str, cwd: Path) -> None:
    assert PROMTOOL is not None
    done = subprocess.run(
        [PROMTOOL, *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


@needs_promtool
def test_promtool_accepts_the_config_the_rules_and_every_dashboard_query(tmp_path: Path) -> None:
    promtool("check", "config", "prometheus.yml", cwd=PROMETHEUS_DIR)  # alerts.yml included
    queries = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [
                    {"record": f"dashboard:query_{i}", "expr": plain_promql(expr)}
                    for i, expr in enumerate(EXPRESSIONS.values())
                ],
            }
        ]
    }
    (tmp_path / "queries.yml").write_text(yaml.safe_dump(queries), encoding="utf-8")
    promtool("check", "rules", "queries.yml", cwd=tmp_path)


ALERT_TESTS = """
rule_files: [alerts.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'up{job="digestbot", instance="bot:9464"}'
        values: '1x5 0x10'
      - series: 'digestbot_last_tick_timestamp_seconds{instance="bot:9464"}'
        values: '0+60x5 300x15'
      - series: 'digestbot_outbox_oldest_due_age_seconds{instance="bot:9464"}'
        values: '0x5 400x15'
    alert_rule_test:
      - {alertname: DigestbotDown, eval_time: 7m, exp_alerts: []}
      - alertname: DigestbotDown
        eval_time: 9m
        exp_alerts: [{exp_labels: {severity: critical, job: digestbot, instance: "bot:9464"}}]
      - {alertname: DigestbotNoTick, eval_time: 10m, exp_alerts: []}
      - alertname: DigestbotNoTick
        eval_time: 12m
        exp_alerts: [{exp_labels: {severity: critical}}]
      - {alertname: DigestbotOutboxBehind, eval_time: 10m, exp_alerts: []}
      - alertname: DigestbotOutboxBehind
        eval_time: 12m
        exp_alerts: [{exp_labels: {severity: warning}}]
  - interval: 1m
    input_series:
      - series: 'digestbot_messages_sent_total{instance="a"}'
        values: '0+10x40'
      - series: 'digestbot_messages_failed_total{instance="a", reason="blocked"}'
        values: '0+50x40'
      - series: 'digestbot_messages_failed_total{instance="a", reason="rejected"}'
        values: '0x20 0+2x20'
      - series: 'digestbot_flood_wait_seconds_total{instance="a", client="sender"}'
        values: '0+1x10 10+30x30'
    alert_rule_test:
      - {alertname: DigestbotMessagesFailing, eval_time: 20m, exp_alerts: []}
      - alertname: DigestbotMessagesFailing
        eval_time: 35m
        exp_alerts: [{exp_labels: {severity: warning}}]
      - {alertname: DigestbotFloodWaits, eval_time: 10m, exp_alerts: []}
      - alertname: DigestbotFloodWaits
        eval_time: 30m
        exp_alerts: [{exp_labels: {severity: warning, client: sender}}]
"""


@needs_promtool
def test_the_alerts_fire_when_they_should_and_not_before(tmp_path: Path) -> None:
    """Against made-up series; annotations are left out (promtool would compare their text)."""
    rules = json.loads(json.dumps(ALERTS))  # a deep copy
    for group in rules["groups"]:
        for rule in group["rules"]:
            rule.pop("annotations", None)
    (tmp_path / "alerts.yml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    (tmp_path / "alerts_test.yml").write_text(ALERT_TESTS, encoding="utf-8")
    promtool("test", "rules", "alerts_test.yml", cwd=tmp_path)
