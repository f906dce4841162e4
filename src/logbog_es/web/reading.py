"""Reading a logbook for the pages, through the application's queries (never deciding)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from logbog_es.application import queries
from logbog_es.domain.curriculum import CurriculumVersion
from logbog_es.domain.doctor import Doctor
from logbog_es.domain.errors import LogbogError, NotFound
from logbog_es.domain.logbook import AttestationKind, RequestStatus
from logbog_es.domain.programme import Programme
from logbog_es.domain.readiness import done_codes
from logbog_es.domain.specialty import Specialty, specialty_id
from logbog_es.domain.values import Competency, DoctorRole
from logbog_es.web.core import Web, WebUser, link

#: The staff commands a programme's pages link to (each item's own commands stand beside it).
PROGRAMME_ACTIONS = (
    "add-employment",
    "change-curriculum-version",
    "record-absence",
    "change-employment-fraction",
    "extend-employment",
    "record-course-completion",
)


@dataclass
class CompetencyRow:
    code: str
    title: str
    status: str  # approved | credited (a verified paper attestation, R10) | requested | open
    approval: dict[str, Any] | None
    waiting_for: list[str] = field(default_factory=list)


@dataclass
class Group:
    role: str
    competencies: list[CompetencyRow]


class CompetencyTitles:
    """Competency titles by curriculum version, kept for the process: a published version
    never changes (R1), so it is read once instead of once per row of a list."""

    def __init__(self, web: Web) -> None:
        self.app = web.container.app
        self.known: dict[UUID, dict[str, str]] = {}

    def title(self, curriculum_id: UUID, code: str) -> str:
        if curriculum_id not in self.known:
            found = self.app.find(CurriculumVersion, curriculum_id, shared=True)
            if found is None:
                return ""
            self.known[curriculum_id] = {c.code: c.title for c in found.competencies}
        return self.known[curriculum_id].get(code, "")


def parse_id(value: str, message: str, **params: Any) -> UUID:
    """An id from a page's address; anything else names nothing (404)."""
    try:
        return UUID(value)
    except ValueError:
        raise NotFound(message, **params) from None


class Logbooks:
    def __init__(self, web: Web) -> None:
        self.app = web.container.app

    def programme(self, user: WebUser, programme_id: str) -> Programme:
        """The programme, if the policy lets `user` read it (403/404 otherwise)."""
        found = parse_id(programme_id, "programme.unknown", programme_id=programme_id)
        return queries.read_programme(self.app, user.actor, found)

    def curriculum(self, programme: Programme) -> CurriculumVersion:
        return queries.read_curriculum(self.app, programme.curriculum_id)

    def competency(self, curriculum: CurriculumVersion, code: str) -> Competency:
        found = curriculum.competency(code)
        if found is None:
            raise NotFound("logbook.unknown_competency", code=code, label=curriculum.label)
        return found

    def header(self, user: WebUser, programme: Programme) -> dict[str, Any]:
        """Whose logbook, which specialty and stage, the curriculum version it follows, and the
        doctor's other programmes that `user` may read too."""
        doctor = self.app.find(Doctor, programme.doctor_id, shared=True)
        others = []
        for ref in doctor.programmes if doctor is not None else ():
            try:
                other = queries.read_programme(self.app, user.actor, ref.programme_id)
            except LogbogError:
                continue
            others.append(
                {
                    "programme_id": other.id,
                    "stage": other.stage.value,
                    "specialty": self.specialty_name(other.specialty_code),
                    "current": other.id == programme.id,
                }
            )
        allowed = queries.programme_actions(self.app, user.actor, programme)
        return {
            "programme_id": programme.id,
            "trainee_name": doctor.name if doctor else "",
            "specialty": self.specialty_name(programme.specialty_code),
            "stage": programme.stage.value,
            "curriculum_label": programme.curriculum_label,
            "programmes": others,
            # The staff commands the user may issue on this programme (the policy decides).
            "allowed": allowed,
            "actions": [
                (name, link(name, programme_id=programme.id))
                for name in PROGRAMME_ACTIONS
                if name in allowed
            ],
        }

    def specialty_name(self, code: str) -> str:
        found = self.app.find(Specialty, specialty_id(code), shared=True)
        return found.name if found else code

    def department_name(self, department_id: UUID) -> str:
        return queries.department_name(self.app, department_id)

    def approval_of(self, programme: Programme, code: str) -> dict[str, Any] | None:
        approval = programme.active_approval(code)
        if approval is None:
            return None
        ids = [approval.approver_id, *([approval.delegated_by] if approval.delegated_by else [])]
        people = queries.names(self.app, ids)
        return {
            "approval_id": approval.approval_id,
            "approver": people.get(approval.approver_id, ""),
            "capacity": approval.capacity.value,
            "delegated_by": people.get(approval.delegated_by) if approval.delegated_by else None,
            "method": approval.method.value,
            "assessed_on": approval.assessed_on,
            "department": self.department_name(approval.department_id),
        }

    @staticmethod
    def credited(programme: Programme) -> tuple[set[str], set[str]]:
        """Competency and course codes that count (approvals, completions, and verified paper
        attestations, R10): the same rule readiness uses."""
        return (
            done_codes(programme, AttestationKind.COMPETENCY),
            done_codes(programme, AttestationKind.COURSE),
        )

    def groups(self, programme: Programme, curriculum: CurriculumVersion) -> list[Group]:
        """Competencies grouped by the doctor role each trains first, in the curriculum's order
        (a curriculum version lists no other grouping)."""
        waiting: dict[str, list[UUID]] = {}
        for request in programme.requests.values():
            if request.status is RequestStatus.OPEN:
                waiting.setdefault(request.competency_code, []).append(request.supervisor_id)
        people = queries.names(self.app, [s for ids in waiting.values() for s in ids])
        done, _ = self.credited(programme)
        by_role: dict[DoctorRole, list[CompetencyRow]] = {}
        for competency in curriculum.competencies:
            approval = self.approval_of(programme, competency.code)
            asked = [people.get(s, "") for s in waiting.get(competency.code, [])]
            status = (
                "approved"
                if approval
                else "credited"
                if competency.code in done
                else "requested"
                if asked
                else "open"
            )
            row = CompetencyRow(competency.code, competency.title, status, approval, asked)
            by_role.setdefault(competency.roles[0], []).append(row)
        return [Group(role.value, by_role[role]) for role in DoctorRole if role in by_role]
