"""Who may do what: one pure module deciding (actor, action, target, date) into allowed or a reason.

The application loads the facts a decision needs from the event store (never from read models,
which may lag) and passes them in as a `Target`. A refusal carries a message code; the API turns
it into 403 with that reason. Rules: R2 (access chain), R3 (trainee access), R4 (approvals),
R10 (verification of paper attestations).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from logbog_es.domain.access import DepartmentAccess
from logbog_es.domain.errors import NotAllowed
from logbog_es.domain.staff import StaffGrant
from logbog_es.domain.values import Capacity, Region, StaffRole


class Action(StrEnum):
    GRANT_STAFF = "grant staff roles"
    REVOKE_STAFF = "revoke staff roles"
    REGISTER_SPECIALTY = "register a specialty"
    RETIRE_SPECIALTY = "retire a specialty"
    PUBLISH_CURRICULUM = "publish a curriculum version"
    REGISTER_DEPARTMENT = "register a department"
    REGISTER_DOCTOR = "register a doctor"
    START_PROGRAMME = "start a programme"
    ADD_EMPLOYMENT = "add an employment"
    CHANGE_CURRICULUM_VERSION = "move a programme to another curriculum version"
    APPOINT_UAO = "appoint a UAO or tutor"
    END_UAO_APPOINTMENT = "end a UAO or tutor appointment"
    GRANT_SUPERVISOR_ACCESS = "grant supervisor access"
    REVOKE_SUPERVISOR_ACCESS = "revoke supervisor access"
    REQUEST_ASSESSMENT = "request an assessment"
    APPROVE_COMPETENCY = "approve a competency"
    DECLINE_ASSESSMENT = "decline an assessment request"
    WITHDRAW_APPROVAL = "withdraw an approval"
    RECORD_COURSE_COMPLETION = "record a course completion"
    REGISTER_PRIOR_ATTESTATION = "register a prior attestation"
    VERIFY_PRIOR_ATTESTATION = "verify a prior attestation"
    RECORD_ABSENCE = "record absence"
    CHANGE_EMPLOYMENT_FRACTION = "change an employment's part time"
    EXTEND_EMPLOYMENT = "extend an employment"
    ATTEST_EMPLOYMENT_TIME = "attest an employment's time"
    SUBMIT_DOCUMENTATION = "submit documentation to STPS"
    READ_SUBMISSION = "read submitted documentation"
    SUBMIT_EVALUATION = "evaluate a training site"
    RESPOND_TO_EVALUATIONS = "respond to a department's evaluations"
    READ_EVALUATION_COMMENTS = "read a department's evaluation comments"
    READ_HISTORY = "read a doctor's history"
    READ_DOCTOR = "read a doctor's profile"
    READ_PROGRAMME = "read a programme"
    READ_REGION_REGISTER = "read a region's register"
    READ_DEPARTMENT = "read a department's overview"
    CHOOSE_REMINDER_MAIL = "choose how your reminders are mailed"
    REVOKE_IDENTITY_LINK = "revoke a login's link to a doctor"
    SEARCH_DOCTORS = "search the registered doctors"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: a token subject, the doctor it is (if any) and the staff roles it holds."""

    subject: str
    doctor_id: UUID | None = None
    grants: frozenset[StaffGrant] = frozenset()
    operator: bool = False
    trainee_access_from: date | None = None

    def holds(self, role: StaffRole) -> bool:
        return any(g.role is role for g in self.grants)

    def secretariat_regions(self) -> frozenset[Region]:
        return frozenset(
            g.region for g in self.grants if g.role is StaffRole.SECRETARIAT and g.region
        )

    def describe(self) -> str:
        parts = [str(g) for g in sorted(self.grants)]
        if self.operator:
            parts.append("operator")
        if self.doctor_id is not None:
            return f"a doctor with {', '.join(parts)}" if parts else "a doctor with no staff role"
        return ", ".join(parts) if parts else "a user with no registered role"


@dataclass(frozen=True, slots=True)
class Target:
    """The facts about the target of an action that a decision needs.

    `region`: the region whose secretariat is responsible; `regions`: every region the doctor
    trains in (history reads). `doctor_id`: the doctor the target belongs to; `trainee_id`:
    whose logbook, with `trainee_access_from` their access day (R3). `rosters`: the access
    chains of the departments concerned, the first being where the action happens (an
    approval's department). `addressed_to`: the supervisor an assessment request names.
    `has_submission`: the doctor has sent documentation to STPS (auditors may then read).
    """

    region: Region | None = None
    doctor_id: UUID | None = None
    regions: frozenset[Region] = field(default_factory=frozenset)
    rosters: tuple[DepartmentAccess, ...] = ()
    trainee_id: UUID | None = None
    trainee_access_from: date | None = None
    addressed_to: UUID | None = None
    has_submission: bool = False


@dataclass(frozen=True, slots=True)
class Allowed:
    capacity: Capacity
    delegated_by: UUID | None = None


@dataclass(frozen=True, slots=True)
class Refused:
    code: str
    params: dict[str, Any]


Decision = Allowed | Refused

_CURRICULUM_ADMIN_ACTIONS = {
    Action.REGISTER_SPECIALTY,
    Action.RETIRE_SPECIALTY,
    Action.PUBLISH_CURRICULUM,
}
_REGIONAL_SECRETARIAT_ACTIONS = {
    Action.REGISTER_DEPARTMENT,
    Action.START_PROGRAMME,
    Action.ADD_EMPLOYMENT,
    Action.CHANGE_CURRICULUM_VERSION,
    Action.APPOINT_UAO,
    Action.END_UAO_APPOINTMENT,
    Action.CHANGE_EMPLOYMENT_FRACTION,
    Action.EXTEND_EMPLOYMENT,
}
_UAO_OF_DEPARTMENT_ACTIONS = {
    Action.RESPOND_TO_EVALUATIONS,
    Action.READ_EVALUATION_COMMENTS,
    Action.ATTEST_EMPLOYMENT_TIME,
    Action.GRANT_SUPERVISOR_ACCESS,
    Action.REVOKE_SUPERVISOR_ACCESS,
    Action.WITHDRAW_APPROVAL,
    Action.VERIFY_PRIOR_ATTESTATION,
}
_TRAINEE_ACTIONS = {
    Action.SUBMIT_EVALUATION,
    Action.REQUEST_ASSESSMENT,
    Action.REGISTER_PRIOR_ATTESTATION,
    Action.SUBMIT_DOCUMENTATION,
}


def decide(actor: Actor, action: Action, target: Target, on: date) -> Decision:
    """Decide whether `actor` may do `action` to `target` on day `on`."""
    who = {"action": action.value, "actor": actor.describe()}
    if action in (Action.GRANT_STAFF, Action.REVOKE_STAFF):
        if actor.operator:
            return Allowed(Capacity.OPERATOR)
        command = "grant-staff" if action is Action.GRANT_STAFF else "revoke-staff"
        return Refused("auth.operator_only", {"action": action.value, "command": command})
    if action in _CURRICULUM_ADMIN_ACTIONS:
        if actor.holds(StaffRole.CURRICULUM_ADMIN):
            return Allowed(Capacity.CURRICULUM_ADMIN)
        return Refused("auth.curriculum_admin_only", who)
    if action in _REGIONAL_SECRETARIAT_ACTIONS:
        return _regional_secretariat(actor, target, who)
    if action in (Action.REGISTER_DOCTOR, Action.SEARCH_DOCTORS):
        if actor.secretariat_regions():
            return Allowed(Capacity.SECRETARIAT)
        return Refused("auth.secretariat_only", who)
    if action in _UAO_OF_DEPARTMENT_ACTIONS:
        return _uao_of_department(actor, target, on, who)
    if action in _TRAINEE_ACTIONS:
        return _own_logbook(actor, target, on, who)
    if action is Action.APPROVE_COMPETENCY:
        return approver(actor, target, on)
    if action is Action.DECLINE_ASSESSMENT:
        if actor.doctor_id is not None and actor.doctor_id == target.addressed_to:
            return Allowed(Capacity.SUPERVISOR)
        return _uao_of_department(actor, target, on, who)
    if action is Action.READ_HISTORY:
        return _read_history(actor, target, who)
    if action is Action.READ_SUBMISSION:
        return _read_submission(actor, target, who)
    if action in (Action.RECORD_COURSE_COMPLETION, Action.RECORD_ABSENCE):
        if target.region is not None and target.region in actor.secretariat_regions():
            return Allowed(Capacity.SECRETARIAT)
        return _uao_of_department(actor, target, on, who)
    if action is Action.REVOKE_IDENTITY_LINK:
        # The secretariat of a region the doctor trains in (any, before a first programme).
        regions = actor.secretariat_regions()
        if regions and (not target.regions or regions & target.regions):
            return Allowed(Capacity.SECRETARIAT)
        if regions:
            named = ", ".join(sorted(r.value for r in target.regions))
            return Refused("auth.secretariat_region", {**who, "region": named})
        return Refused("auth.secretariat_only", who)
    if action is Action.CHOOSE_REMINDER_MAIL:
        if actor.doctor_id is not None or actor.grants:
            return Allowed(Capacity.PERSON)
        return Refused("auth.person_only", who)
    if action is Action.READ_DOCTOR:
        return _read_doctor(actor, target, on)
    if action is Action.READ_PROGRAMME:
        return _read_programme(actor, target, on)
    if action is Action.READ_REGION_REGISTER:
        return _regional_secretariat(actor, target, who)
    if action is Action.READ_DEPARTMENT:
        return _read_department(actor, target, on, who)
    raise AssertionError(f"no rule for {action}")  # pragma: no cover - every action has one


def _regional_secretariat(actor: Actor, target: Target, who: dict[str, str]) -> Decision:
    if target.region is None:
        return Refused("auth.secretariat_only", who)
    if target.region in actor.secretariat_regions():
        return Allowed(Capacity.SECRETARIAT)
    return Refused("auth.secretariat_region", {**who, "region": target.region.value})


def _uao_of_department(actor: Actor, target: Target, on: date, who: dict[str, str]) -> Decision:
    """R2: the UAO/tutor of (one of) the target's departments, holding the appointment on `on`."""
    if actor.doctor_id is not None:
        for roster in target.rosters:
            appointment = roster.uao_on(actor.doctor_id, on)
            if appointment is not None:
                return Allowed(appointment.capacity)
    return Refused("auth.uao_only", who)


def _own_logbook(actor: Actor, target: Target, on: date, who: dict[str, str]) -> Decision:
    """R3: the trainee, in their own logbook, from the first working day of their first job."""
    if actor.doctor_id is None or actor.doctor_id != target.trainee_id:
        return Refused("auth.own_logbook_only", who)
    if target.trainee_access_from is None or target.trainee_access_from > on:
        starts = str(target.trainee_access_from) if target.trainee_access_from else "not yet"
        return Refused("auth.trainee_access_not_yet", {"starts": starts})
    return Allowed(Capacity.TRAINEE)


def actions_at_department(*, uao: bool, supervisor: bool, approves: bool) -> frozenset[Action]:
    """The actions department access opens (R2, R4), to tell users what they may do: `uao` an
    appointment as UAO/tutor, `supervisor` a supervisor grant, `approves` a grant that lets its
    holder approve (see `grant_approves`). Each action is still decided on its target."""
    actions: set[Action] = set()
    if uao:
        actions |= _UAO_OF_DEPARTMENT_ACTIONS | {
            Action.APPROVE_COMPETENCY,
            Action.DECLINE_ASSESSMENT,
            Action.RECORD_COURSE_COMPLETION,
            Action.RECORD_ABSENCE,
        }
    if supervisor:
        actions.add(Action.DECLINE_ASSESSMENT)
    if approves:
        actions.add(Action.APPROVE_COMPETENCY)
    return frozenset(actions)


def grant_approves(*, delegated: bool, main_supervisor_for: object) -> bool:
    """R4: a supervisor grant lets its holder approve when it carries the delegated right or
    makes them a trainee's main supervisor (for that trainee; `approver` decides per trainee)."""
    return delegated or main_supervisor_for is not None


def approver(actor: Actor, target: Target, day: date) -> Decision:
    """R4 for an approval on `day` at the department in `target.rosters[0]`.

    The UAO/tutor and the trainee's main supervisor may always approve; a day-to-day supervisor
    only with the delegated right. Each must hold the access on the day of the approval.
    """
    if actor.doctor_id is None or not target.rosters or target.trainee_id is None:
        return Refused("auth.approver_no_access", {"day": str(day)})
    roster = target.rosters[0]
    appointment = roster.uao_on(actor.doctor_id, day)
    if appointment is not None:
        return Allowed(appointment.capacity)
    grant = roster.supervisor_grant(actor.doctor_id, target.trainee_id, day)
    if grant is None:
        return Refused("auth.approver_no_access", {"day": str(day)})
    if grant.main_supervisor_for == target.trainee_id:
        return Allowed(Capacity.MAIN_SUPERVISOR)
    if grant.delegated:
        return Allowed(Capacity.SUPERVISOR, delegated_by=grant.granted_by)
    return Refused("auth.not_delegated", {"day": str(day)})


def _reads_as_colleague(actor: Actor, target: Target, on: date) -> Capacity | None:
    """A UAO/tutor of a department of the trainee's, or a supervisor with access to them."""
    if actor.doctor_id is None or target.trainee_id is None:
        return None
    for roster in target.rosters:
        appointment = roster.uao_on(actor.doctor_id, on)
        if appointment is not None:
            return appointment.capacity
        if roster.supervisor_grant(actor.doctor_id, target.trainee_id, on) is not None:
            return Capacity.SUPERVISOR
    return None


def _read_doctor(actor: Actor, target: Target, on: date) -> Decision:
    if actor.doctor_id is not None and actor.doctor_id == target.doctor_id:
        return Allowed(Capacity.TRAINEE)
    regions = actor.secretariat_regions()
    # A secretariat sees doctors of its region, and doctors with no programme yet (whom a
    # secretariat has just registered and must be able to find to start one).
    if regions and (not target.regions or regions & target.regions):
        return Allowed(Capacity.SECRETARIAT)
    colleague = _reads_as_colleague(actor, target, on)
    if colleague is not None:
        return Allowed(colleague)
    return Refused("auth.read_doctor", {})


def _read_programme(actor: Actor, target: Target, on: date) -> Decision:
    if actor.doctor_id is not None and actor.doctor_id == target.doctor_id:
        if target.trainee_access_from is None or target.trainee_access_from > on:
            starts = str(target.trainee_access_from) if target.trainee_access_from else "not yet"
            return Refused("auth.trainee_access_not_yet", {"starts": starts})
        return Allowed(Capacity.TRAINEE)
    if target.region is not None and target.region in actor.secretariat_regions():
        return Allowed(Capacity.SECRETARIAT)
    colleague = _reads_as_colleague(actor, target, on)
    if colleague is not None:
        return Allowed(colleague)
    return Refused("auth.read_programme", {})


def _read_department(actor: Actor, target: Target, on: date, who: dict[str, str]) -> Decision:
    """Its secretariat and UAO/tutor see all; a supervisor only the trainees they supervise."""
    if target.region is not None and target.region in actor.secretariat_regions():
        return Allowed(Capacity.SECRETARIAT)
    decision = _uao_of_department(actor, target, on, who)
    if isinstance(decision, Allowed) or actor.doctor_id is None:
        return decision
    if any(
        g.supervisor_id == actor.doctor_id and g.valid_on(on)
        for roster in target.rosters
        for g in roster.grants
    ):
        return Allowed(Capacity.SUPERVISOR)
    return Refused("auth.read_department", who)


def _read_history(actor: Actor, target: Target, who: dict[str, str]) -> Decision:
    """The doctor; STPS caseworkers once the doctor has submitted; the region's secretariat."""
    if actor.operator:
        return Allowed(Capacity.OPERATOR)
    if actor.doctor_id is not None and actor.doctor_id == target.doctor_id:
        return Allowed(Capacity.TRAINEE)
    if actor.holds(StaffRole.AUDITOR) and target.has_submission:
        return Allowed(Capacity.AUDITOR)
    if actor.secretariat_regions() & target.regions:
        return Allowed(Capacity.SECRETARIAT)
    return Refused("auth.read_history", who)


def _read_submission(actor: Actor, target: Target, who: dict[str, str]) -> Decision:
    """The trainee who submitted, STPS caseworkers (auditors), and the region's secretariat."""
    if actor.operator:
        return Allowed(Capacity.OPERATOR)
    if actor.doctor_id is not None and actor.doctor_id == target.doctor_id:
        return Allowed(Capacity.TRAINEE)
    if actor.holds(StaffRole.AUDITOR):
        return Allowed(Capacity.AUDITOR)
    if target.region is not None and target.region in actor.secretariat_regions():
        return Allowed(Capacity.SECRETARIAT)
    return Refused("auth.read_submission", who)


def supervised_trainees(
    actor: Actor, rosters: tuple[DepartmentAccess, ...], on: date
) -> frozenset[UUID] | None:
    """The trainees `actor` supervises at these departments on `on`; None means all of them."""
    trainees: set[UUID] = set()
    for roster in rosters:
        for grant in roster.grants:
            if grant.supervisor_id != actor.doctor_id or not grant.valid_on(on):
                continue
            if grant.trainees is None:
                return None
            trainees |= grant.trainees
            if grant.main_supervisor_for is not None:
                trainees.add(grant.main_supervisor_for)
    return frozenset(trainees)


def require(actor: Actor, action: Action, target: Target, on: date) -> Capacity:
    """The capacity `actor` acts in, or NotAllowed with the reason."""
    decision = decide(actor, action, target, on)
    if isinstance(decision, Refused):
        raise NotAllowed(decision.code, **decision.params)
    return decision.capacity
