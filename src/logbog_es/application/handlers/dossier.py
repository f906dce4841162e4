"""Handlers sending documentation to STPS (R8, R11)."""

from __future__ import annotations

from logbog_es.application import chain
from logbog_es.application.dossier import gather, introduction_of, package_for
from logbog_es.application.handlers.registry import handles
from logbog_es.application.handlers.shared import curriculum, programme, trainee
from logbog_es.application.handling import Context, Decided
from logbog_es.commands import SubmitDocumentation, SubmitSupplementaryDocumentation
from logbog_es.domain.base import stable_id
from logbog_es.domain.dossier import supplement_package
from logbog_es.domain.errors import Conflict, NotFound
from logbog_es.domain.policy import Action, Target
from logbog_es.domain.readiness import readiness
from logbog_es.domain.submission import Submission, submission_id


@handles(SubmitDocumentation)
def submit_documentation(cmd: SubmitDocumentation, ctx: Context) -> Decided:
    prog = programme(ctx, cmd.programme_id)
    doctor = trainee(ctx, prog)
    meta = ctx.authorise(
        Action.SUBMIT_DOCUMENTATION,
        Target(trainee_id=prog.doctor_id, trainee_access_from=doctor.access_from),
    )
    version = curriculum(ctx, prog)
    introduction = introduction_of(ctx.app, doctor, prog)
    ready = readiness(cmd.kind, prog, version, ctx.today, has_introduction=introduction is not None)
    if not ready.ready:
        raise Conflict(
            "dossier.not_ready",
            kind=cmd.kind.value,
            summary=", ".join(sorted({f"{m.what}" for m in ready.missing})),
            extra={
                "missing": [
                    {"what": m.what, "item": m.item, "detail": m.detail} for m in ready.missing
                ],
                "earliest": ready.earliest.isoformat() if ready.earliest else None,
            },
        )
    sources = gather(ctx.app, prog, doctor, version, introduction)
    package = package_for(cmd.kind, ctx.today, sources, prog, doctor, version, introduction)
    submission = Submission.submit(
        new_id=submission_id(ctx.command_id),
        programme_id=prog.id,
        doctor_id=doctor.id,
        kind=cmd.kind,
        submitted_on=ctx.today,
        package=package,
        sources=sources.versions(),
        chain_head=chain.head(ctx.app.recorder),
        meta=meta,
    )
    prog.record_submission(submission.id, cmd.kind.value, meta)
    return Decided((submission, prog), submission)


@handles(SubmitSupplementaryDocumentation)
def submit_supplementary(cmd: SubmitSupplementaryDocumentation, ctx: Context) -> Decided:
    submission = ctx.app.find(Submission, cmd.submission_id)
    if submission is None:
        raise NotFound("dossier.unknown", submission_id=cmd.submission_id)
    prog = programme(ctx, submission.programme_id)
    doctor = trainee(ctx, prog)
    meta = ctx.authorise(
        Action.SUBMIT_DOCUMENTATION,
        Target(trainee_id=prog.doctor_id, trainee_access_from=doctor.access_from),
    )
    sources = gather(ctx.app, prog, doctor, curriculum(ctx, prog), None)
    package = supplement_package(
        submission_id=submission.id,
        submitted_on=ctx.today,
        programme=prog,
        departments=sources.departments(),
        doctors=sources.doctors(),
        already=submission.attested_employments(),
    )
    if not package["employments"]:
        raise Conflict("dossier.nothing_new")
    submission.supplement(
        supplement_id=stable_id("supplement", ctx.command_id),
        submitted_on=ctx.today,
        package=package,
        sources=sources.versions(),
        meta=meta,
    )
    return Decided((submission,), submission)
