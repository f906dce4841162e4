"""The `logbog` command line: a package of command groups (serve, admin, projections, audit,
import, dossier, reminders and mail) over the application layer and the composition root; an
import-linter contract keeps it away from the HTTP API's and the web app's modules."""

from logbog_es.cli import (  # noqa: F401 - each module registers its commands
    admin,
    audit,
    dossier,
    importing,
    mail,
    projections,
    serve,
)
from logbog_es.cli.base import cli


def main() -> None:
    cli()


__all__ = ["cli", "main"]
