"""The audit trail and tamper evidence: `logbog audit trail|checkpoint|verify`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    pass

from logbog_es.cli.base import (
    _container_for_projections,
    _parse_day,
    _parse_doctor,
    _parse_uuid,
    audit,
)


@audit.command("trail")
def audit_trail(
    doctor_id: Annotated[
        str, typer.Argument(help="The doctor's id, or their authorisation id (e.g. AB12C).")
    ],
    programme: Annotated[str | None, typer.Option(help="Only this programme's entries.")] = None,
    from_: Annotated[
        str | None, typer.Option("--from", help="YYYY-MM-DD: entries in effect from this day.")
    ] = None,
    to: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD: entries in effect up to this day.")
    ] = None,
    as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD: as recorded by that day.")] = None,
    position: Annotated[
        int | None, typer.Option(min=0, help="As recorded up to this log position.")
    ] = None,
    effective_on: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD: what was in force that day.")
    ] = None,
    csv: Annotated[bool, typer.Option("--csv", help="CSV as the HTTP export gives it.")] = False,
) -> None:
    """Print a doctor's full history from the event store (the operator's view, not recorded
    as a read)."""
    from logbog_es.application.history import history
    from logbog_es.domain.errors import LogbogError

    doctor = _parse_doctor("DOCTOR", doctor_id)
    programme_id = _parse_uuid("--programme", programme) if programme else None
    days = {
        name: _parse_day(name, value)
        for name, value in (
            ("--from", from_),
            ("--to", to),
            ("--as-of", as_of),
            ("--effective-on", effective_on),
        )
    }
    container = _container_for_projections()
    try:
        result = history(
            container.app,
            doctor,
            programme_id=programme_id,
            period=(days["--from"], days["--to"]),
            as_of=days["--as-of"],
            as_of_position=position,
            effective_on=days["--effective-on"],
        )
    except LogbogError as error:
        print(error.message, file=sys.stderr)
        raise typer.Exit(1) from error
    finally:
        container.close()
    if csv:
        from dataclasses import asdict

        from logbog_es.exports import HISTORY, csv_text

        sys.stdout.write(csv_text((asdict(e) for e in result.entries), HISTORY))
        return
    for e in result.entries:
        who = e.actor_name or e.actor_id
        origin = f"  [imported from the old logbook: {e.imported_from}]" if e.imported_from else ""
        print(
            f"{e.position:>8}  {e.recorded_at:%Y-%m-%d %H:%M}  effective {e.effective_on}  "
            f"{who} ({e.capacity}): {e.text}{origin}"
        )


@audit.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign the chain head now and append it to the checkpoints (run it from cron, or let the
    projections' process do it every LOGBOG_CHECKPOINT_MINUTES)."""
    container = _container_for_projections()
    try:
        done = container.checkpoints.at_head(container.app.recorder)
        print(
            f"signed position {done.position} sha256 {done.sha256} with key {done.key_id} "
            f"into {container.checkpoints.path}"
        )
    finally:
        container.close()


@audit.command("verify")
def audit_verify(
    doctor: Annotated[
        str | None,
        typer.Option(help="Only this doctor's streams (id or authorisation id)."),
    ] = None,
) -> None:
    """Recompute the hash chain; name every event altered, removed or inserted. Exit 1 if any."""

    from logbog_es.application.chain import verify
    from logbog_es.application.history import base_streams, broken_anchors, streams_of
    from logbog_es.domain.doctor import Doctor

    doctor_id = _parse_doctor("--doctor", doctor) if doctor else None
    container = _container_for_projections()
    try:
        streams: set[str] | None = None
        if doctor_id:
            found = container.app.find(Doctor, doctor_id)
            if found is None:
                print(f"no doctor with id {doctor_id}", file=sys.stderr)
                raise typer.Exit(2)
            try:
                streams = {str(s) for s in streams_of(container.app, found)[0]}
            except Exception:  # an altered event may not decode at all
                print(
                    "some of the doctor's programme events do not decode; checking the doctor's"
                    " profile, programmes and departments without their submissions",
                    file=sys.stderr,
                )
                streams = {str(s) for s in base_streams(found)}
        result = verify(container.app.recorder, streams)
        for finding in result.findings:
            print(str(finding))
        signed = container.checkpoints.read()
        mismatches = container.checkpoints.check(container.app.recorder)
        for problem in mismatches:
            print(problem)
        broken = broken_anchors(container.app, streams or set()) if doctor_id else []
        for submission in broken:
            print(
                f"submission {submission.id}: the chain head it recorded "
                f"(position {submission.chain_head['position']}) no longer matches"
            )
        scope = f"doctor {doctor_id}" if doctor_id else "the whole log"
        print(
            f"checked {result.checked} events ({scope}); chain head position "
            f"{result.head_position} sha256 {result.head_sha256}"
        )
        print(
            f"{len(signed)} signed checkpoint(s) in {container.checkpoints.path}, "
            f"{len(mismatches)} not matching"
        )
        if result.findings or broken or mismatches:
            print(
                f"{len(result.findings)} finding(s), {len(broken)} submission anchor(s) "
                f"broken, {len(mismatches)} signed checkpoint(s) not matching: the store was "
                "changed behind the service",
                file=sys.stderr,
            )
            raise typer.Exit(1)
        print("intact")
    finally:
        container.close()
