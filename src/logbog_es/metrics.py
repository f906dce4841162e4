"""Prometheus metrics: commands by name and outcome, latencies, projection positions and lag.

With several worker processes, prometheus_client's multiprocess mode is used (the directory in
PROMETHEUS_MULTIPROC_DIR, set by `logbog serve --workers N`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from logbog_es.projections.runner import Runner

BUCKETS = (0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0)

COMMANDS = Counter(
    "logbog_commands_total", "Commands handled, by name and outcome", ["command", "outcome"]
)
COMMAND_SECONDS = Histogram(
    "logbog_command_duration_seconds", "Command latency", ["command"], buckets=BUCKETS
)
REMINDERS = Counter(
    "logbog_reminders_total",
    "Reminders decided, and digest mails sent or failed",
    ["what"],
)


def count_reminders(what: str, n: int) -> None:
    """The reminder process's counts (decided, sent, failed)."""
    if n:
        REMINDERS.labels(what).inc(n)


REQUEST_SECONDS = Histogram(
    "logbog_request_duration_seconds",
    "HTTP request latency",
    ["method", "route", "status"],
    buckets=BUCKETS,
)


class ProjectionCollector(Collector):
    """Read model positions and lag, read when scraped."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner

    def collect(self) -> Iterator[GaugeMetricFamily]:
        position = GaugeMetricFamily(
            "logbog_projection_position", "Last event applied", labels=["read_model"]
        )
        lag = GaugeMetricFamily(
            "logbog_projection_lag_events", "Events not yet applied", labels=["read_model"]
        )
        behind = GaugeMetricFamily(
            "logbog_projection_behind_seconds",
            "How long the oldest event not yet applied has waited",
            labels=["read_model"],
        )
        quarantined = GaugeMetricFamily(
            "logbog_projection_quarantined_events",
            "Events the read model could not apply",
            labels=["read_model"],
        )
        head = GaugeMetricFamily("logbog_event_log_head", "Position of the last stored event")
        try:
            statuses = self.runner.status()
        except Exception:
            return
        for status in statuses:
            position.add_metric([status.name], status.position)
            lag.add_metric([status.name], status.lag)
            behind.add_metric([status.name], status.behind_seconds)
            quarantined.add_metric([status.name], status.quarantined)
        head.add_metric([], statuses[0].head if statuses else 0)
        yield position
        yield lag
        yield behind
        yield quarantined
        yield head


def render(runner: Runner) -> tuple[bytes, str]:
    registry: Any
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        from prometheus_client import REGISTRY  # noqa: PLC0415

        registry = CollectorRegistry()
        for collector in list(REGISTRY._collector_to_names):
            registry.register(collector)
    registry.register(ProjectionCollector(runner))
    return generate_latest(registry), CONTENT_TYPE_LATEST
