"""`logbog dossier`: a submission as stored, or its PDF, at the server."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import typer

if TYPE_CHECKING:
    pass

from logbog_es.cli.base import (
    _container_for_projections,
    cli,
)


@cli.command()
def dossier(
    submission_id: Annotated[str, typer.Argument(help="The submission's id.")],
    pdf: Annotated[str | None, typer.Option("--pdf", help="Write the PDF to this file.")] = None,
) -> None:
    """Show a submitted package's hash and whether it is reproducible; optionally write its PDF."""

    from logbog_es import dossier_pdf
    from logbog_es.application import queries
    from logbog_es.domain.errors import LogbogError
    from logbog_es.domain.policy import Actor
    from logbog_es.edge import submission_document

    container = _container_for_projections()
    try:
        try:
            view = queries.read_submission(
                container.app, Actor(subject="operator:cli", operator=True), UUID(submission_id)
            )
        except (LogbogError, ValueError) as error:
            print(getattr(error, "message", str(error)), file=sys.stderr)
            raise typer.Exit(1) from error
        body = submission_document(container, view)
        print(f"submission {submission_id}: {body['kind']} submitted {body['submitted_on']}")
        if view.submission.imported:
            package = view.submission.package
            print(
                f"imported from the old logbook (its id there: {package.get('legacy_id')}; the "
                f"old package's SHA-256: {package.get('legacy_sha256') or 'not known'}); the "
                "document is in the old system's archive, so it is not rebuilt here"
            )
            if pdf:
                print("no PDF: there is no package here to print", file=sys.stderr)
                raise typer.Exit(1)
            return
        print(
            f"sha256 {body['sha256']}; rebuilt from the events: "
            + ("identical" if view.reproducible else "DIFFERENT")
        )
        if pdf:
            from pathlib import Path

            Path(pdf).write_bytes(dossier_pdf.render(body))
            print(f"wrote {pdf}")
        if not view.reproducible:
            raise typer.Exit(1)
    finally:
        container.close()
