"""What is still missing before a doctor may apply to STPS (R8 after KBU, R11 after main).

Pure: it reads a programme, its pinned curriculum version and today's date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from logbog_es.domain.curriculum import CurriculumVersion
from logbog_es.domain.logbook import AttestationKind
from logbog_es.domain.programme import Programme
from logbog_es.domain.training_time import add_months
from logbog_es.domain.values import Stage


class SubmissionKind(StrEnum):
    INDEPENDENT_PRACTICE = "independent-practice"  # tilladelse til selvstændigt virke (R8)
    SPECIALIST_RECOGNITION = "specialist-recognition"  # speciallægeanerkendelse (R11)


REQUIRED_STAGE = {
    SubmissionKind.INDEPENDENT_PRACTICE: Stage.KBU,
    SubmissionKind.SPECIALIST_RECOGNITION: Stage.MAIN,
}


@dataclass(frozen=True, slots=True)
class Missing:
    """One thing missing; `what` is a stable kind, `item` the code or id concerned."""

    what: str
    item: str
    detail: str


@dataclass(frozen=True, slots=True)
class Readiness:
    kind: SubmissionKind
    earliest: date | None
    missing: tuple[Missing, ...]

    @property
    def ready(self) -> bool:
        return not self.missing


def done_codes(programme: Programme, kind: AttestationKind) -> set[str]:
    """Codes credited: approvals (competencies) or completions (courses), and verified prior
    attestations (R10)."""
    if kind is AttestationKind.COMPETENCY:
        codes = {a.competency_code for a in programme.approvals if not a.withdrawn}
    else:
        codes = set(programme.courses)
    codes |= {p.code for p in programme.prior_attestations.values() if p.kind is kind and p.counts}
    return codes


def earliest_date(kind: SubmissionKind, programme: Programme) -> date | None:
    """R8: the first day of KBU's last month. R11: 6 months before the end of training."""
    if not programme.employments:
        return None
    last_end = max(e.end for e in programme.employments)
    if kind is SubmissionKind.INDEPENDENT_PRACTICE:
        return last_end.replace(day=1)
    return add_months(last_end + timedelta(days=1), -6)


def readiness(
    kind: SubmissionKind,
    programme: Programme,
    curriculum: CurriculumVersion,
    today: date,
    *,
    has_introduction: bool = True,
) -> Readiness:
    missing: list[Missing] = []
    stage = REQUIRED_STAGE[kind]
    if programme.stage is not stage:
        missing.append(
            Missing(
                "stage", programme.stage.value, f"{kind.value} follows a {stage.value} programme"
            )
        )
    earliest = earliest_date(kind, programme)
    if earliest is None:
        missing.append(Missing("employment", "", "the programme has no employments"))
    elif today < earliest:
        missing.append(Missing("too_early", earliest.isoformat(), f"not before {earliest}"))
    approved = done_codes(programme, AttestationKind.COMPETENCY)
    for competency in curriculum.competencies:
        if competency.code not in approved:
            missing.append(Missing("competency", competency.code, competency.title))
    completed = done_codes(programme, AttestationKind.COURSE)
    for course in curriculum.courses:
        if course.code not in completed:
            missing.append(Missing("course", course.code, course.title))
    for employment in programme.employments:
        if employment.employment_id in programme.time_attestations:
            continue
        last_month = employment.end.replace(day=1)
        # R11: attestations that can only be issued later go in a supplementary submission.
        if kind is SubmissionKind.SPECIALIST_RECOGNITION and today < last_month:
            continue
        missing.append(
            Missing(
                "time_attestation",
                str(employment.employment_id),
                f"employment {employment.start} to {employment.end}",
            )
        )
        time = programme.time_report(employment.employment_id, today)
        if time.extension_missing:  # R5/R6: the attestation waits for this extension
            missing.append(
                Missing("extension", str(employment.employment_id), time.required_end.isoformat())
            )
    for attestation in programme.prior_attestations.values():
        if not attestation.counts:
            missing.append(
                Missing(
                    "prior_attestation",
                    str(attestation.attestation_id),
                    f"{attestation.kind.value} {attestation.code} not yet verified (R10)",
                )
            )
    if kind is SubmissionKind.SPECIALIST_RECOGNITION and not has_introduction:
        missing.append(Missing("introduction_programme", "", "no introduction programme recorded"))
    return Readiness(kind, earliest, tuple(missing))
