"""Read models: `logbog projections status|run|rebuild`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    pass

from logbog_es.cli.base import (
    _check_names,
    _container_for_projections,
    projections,
)


@projections.command("status")
def projections_status() -> None:
    """Each read model's generation, position, lag behind the event log (in events and in
    seconds), and the events it could not apply (quarantined), with their errors."""
    container = _container_for_projections()
    try:
        print(
            f"{'read model':<22} {'gen':>4} {'position':>10} {'head':>10} {'lag':>8} "
            f"{'behind s':>9} {'quarantined':>12}"
        )
        for status in container.runner.status():
            print(
                f"{status.name:<22} {status.generation:>4} {status.position:>10} "
                f"{status.head:>10} {status.lag:>8} {status.behind_seconds:>9.1f} "
                f"{status.quarantined:>12}"
            )
        held = container.runner.quarantine()
        if held:
            print("\nquarantined events (fix the cause, then `logbog projections rebuild NAME`):")
            for q in held:
                print(f"  {q.projection} position {q.position} ({q.topic}): {q.error}")
    finally:
        container.close()


@projections.command("run")
def projections_run(
    names: Annotated[
        list[str] | None, typer.Argument(help="Read models to run (default: all).")
    ] = None,
    poll_seconds: Annotated[float, typer.Option(help="Polling interval when idle.")] = 0.5,
    batch_size: Annotated[int, typer.Option(help="Events per transaction.")] = 1000,
    gather_ms: Annotated[
        float, typer.Option(help="Under a stream of events, gather them this long per batch.")
    ] = 10,
) -> None:
    """Keep read models up to date, as a process of its own (stop with Ctrl-C or SIGTERM).
    On PostgreSQL it hears new events at once (LISTEN); polling is the fallback."""
    import signal

    import structlog

    from logbog_es.heap import settle_heap

    container = _container_for_projections(one_shot=False)
    _check_names(container, names or [])
    container.runner.batch_size = batch_size
    log = structlog.get_logger("logbog.projections")

    def stop(*_args: object) -> None:
        container.runner.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("projections running", names=names or list(container.runner.projections))
    settle_heap()
    try:
        container.start_checkpoints()
        container.runner.run_forever(
            names or None,
            poll_seconds=poll_seconds,
            min_interval=gather_ms / 1000,
            on_error=lambda e: log.error("projection batch failed", error_type=type(e).__name__),
        )
    finally:
        container.close()


@projections.command("rebuild")
def projections_rebuild(
    name: Annotated[str, typer.Argument(help="The read model to rebuild.")],
) -> None:
    """Rebuild a read model into fresh tables from the first event, then switch over."""
    import time

    container = _container_for_projections()
    try:
        _check_names(container, [name])
        started = time.perf_counter()
        generation = container.runner.rebuild(name)
        took = time.perf_counter() - started
        print(f"{name}: generation {generation} is live ({took:.1f} s)")
    finally:
        container.close()
