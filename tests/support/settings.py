"""Settings for a bot under test: the defaults, with the monitoring endpoint on a free port (so
tests never meet a bot already serving 127.0.0.1:9464 on this machine)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from digestbot.config import MonitoringSettings, Settings

__all__ = ["FREE_PORT_MONITORING", "local_settings"]

FREE_PORT_MONITORING = MonitoringSettings(address="127.0.0.1:0")


def local_settings(**sections: Any) -> Settings:
    """``Settings()`` with monitoring on a free port and the given sections replaced."""
    return replace(Settings(), monitoring=FREE_PORT_MONITORING, **sections)
