"""`logbog serve` and `logbog token`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from logbog_es.settings import Environment

if TYPE_CHECKING:
    pass

from logbog_es.cli.base import (
    _settings,
    cli,
)


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(help="Worker processes (production: projections run separately).")
    ] = 1,
) -> None:
    """Serve the HTTP API. One worker runs the projections in-process; with several workers run
    `logbog projections run` beside them."""
    import os
    import shutil

    import uvicorn

    from logbog_es.bootstrap import bootstrap
    from logbog_es.demo import demo_users, load_demo
    from logbog_es.heap import settle_heap
    from logbog_es.logging import configure_logging
    from logbog_es.server import create_app
    from logbog_es.serving import CoalescingHttpTools, serve_workers
    from logbog_es.tokens import LocalIssuer

    settings = _settings()
    configure_logging(settings)
    if not settings.cipher_key:
        print(
            "warning: LOGBOG_CIPHER_KEY is not set, so names and CPR numbers are stored in"
            " clear text; fine for development, refused in production"
            " (see README, Personal data at rest)",
            file=sys.stderr,
        )
    container = bootstrap(settings)
    loaded = False
    if settings.demo_data and container.app.position() == 0:
        load_demo(container.app)
        loaded = True
    if workers == 1 and settings.in_process_projections:
        from logbog_es.metrics import count_reminders

        container.runner.catch_up()
        container.start_checkpoints()  # the process that runs the projections signs the head
        container.start_reminders(count_reminders)  # and decides and mails the reminders
    base = f"http://{host}:{port}"
    print(f"\nLogbog is serving at {base} ({workers} worker{'s' if workers > 1 else ''})")
    print(f"  web app: {base}/")
    print(f"  API documentation: {base}/docs   (click 'Authorize' and paste a token)")
    storage = settings.storage
    where = storage.sqlite_events if storage.kind == "sqlite" else "PostgreSQL"
    print(f"  event store: {where}")
    if workers > 1:
        print("  projections: not in these processes; run `logbog projections run` beside them")
    if settings.env is Environment.DEVELOPMENT and settings.demo_data:
        issuer = LocalIssuer(settings)
        print(
            "\nDemo users"
            + (" (demo data just loaded)" if loaded else "")
            + "; tokens valid 8 hours:"
        )
        for user in demo_users():
            print(f"  {user.label}:\n    {issuer.issue(user.subject)}")
        print(f"\nIn the web app, log in as any of them at {base}/log-ind (development only).")
        print("A token for any subject: .venv/bin/logbog token --sub SUBJECT")
        print(f"Try: curl -H 'Authorization: Bearer <token>' {base}/me\n")
    if workers == 1:
        app = create_app(container, run_projections=settings.in_process_projections)
        settle_heap()
        uvicorn.run(app, host=host, port=port, log_level="warning", http=CoalescingHttpTools)
        return
    container.close()
    metrics_dir = settings.var_dir / "prometheus-multiproc"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    os.environ["LOGBOG_IN_PROCESS_PROJECTIONS"] = "false"
    os.environ["LOGBOG_DEMO_DATA"] = "false"
    serve_workers("logbog_es.server:app_from_env", host=host, port=port, workers=workers)


@cli.command()
def token(
    sub: Annotated[str, typer.Option("--sub", help="The subject: a doctor id or a staff login.")],
    ttl_hours: Annotated[float, typer.Option(help="Lifetime in hours.")] = 8.0,
) -> None:
    """Print a token signed with the local development key."""
    from logbog_es.tokens import LocalIssuer

    settings = _settings()
    if settings.env is Environment.PRODUCTION:
        print("tokens come from the identity provider in production", file=sys.stderr)
        raise typer.Exit(2)
    if ttl_hours <= 0 or ttl_hours > 24 * 366:
        print(
            "--ttl-hours: give a lifetime above 0 and at most a year (8784 hours)", file=sys.stderr
        )
        raise typer.Exit(2)
    print(LocalIssuer(settings).issue(sub, ttl_seconds=max(1, int(ttl_hours * 3600))))
