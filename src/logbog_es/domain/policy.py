"""Who may do what: one pure module deciding (actor, action, target, date) into allowed or a reason.

The application loads the facts a decision needs from the event store (never from read models,
which may lag) and passes them in as a `Target`. A refusal carries a message code; the API turns
it into 403 with that reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from uuid import UUID

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
    READ_DOCTOR = "read a doctor's profile"
    READ_PROGRAMME = "read a programme"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: a token subject, the doctor it is (if any) and the staff roles it holds."""

    subject: str
    doctor_id: UUID | None = None
    grants: frozenset[StaffGrant] = frozenset()
    operator: bool = False

    def holds(self, role: StaffRole) -> bool:
        return any(g.role is role for g in self.grants)

    def secretariat_regions(self) -> frozenset[Region]:
        return frozenset(
            g.region for g in self.grants if g.role is StaffRole.SECRETARIAT and g.region
        )

    def describe(self) -> str:
        parts = [str(g) for g in sorted(self.grants)]
        if self.doctor_id is not None:
            parts.append("doctor")
        if self.operator:
            parts.append("operator")
        return ", ".join(parts) if parts else "a user with no registered role"


@dataclass(frozen=True, slots=True)
class Target:
    """The facts about the target of an action that a decision needs."""

    region: Region | None = None
    doctor_id: UUID | None = None
    regions: frozenset[Region] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class Allowed:
    capacity: Capacity


@dataclass(frozen=True, slots=True)
class Refused:
    code: str
    params: dict[str, str]


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
}


def decide(actor: Actor, action: Action, target: Target, on: date) -> Decision:  # noqa: ARG001
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
        assert target.region is not None, f"{action} needs the target's region"
        if target.region in actor.secretariat_regions():
            return Allowed(Capacity.SECRETARIAT)
        return Refused("auth.secretariat_region", {**who, "region": target.region.value})
    if action is Action.REGISTER_DOCTOR:
        if actor.secretariat_regions():
            return Allowed(Capacity.SECRETARIAT)
        return Refused("auth.secretariat_only", who)
    if action is Action.READ_DOCTOR:
        if actor.doctor_id is not None and actor.doctor_id == target.doctor_id:
            return Allowed(Capacity.TRAINEE)
        regions = actor.secretariat_regions()
        # A secretariat sees doctors of its region, and doctors with no programme yet (whom
        # a secretariat has just registered and must be able to find to start one).
        if regions and (not target.regions or regions & target.regions):
            return Allowed(Capacity.SECRETARIAT)
        return Refused("auth.read_doctor", {})
    if action is Action.READ_PROGRAMME:
        if actor.doctor_id is not None and actor.doctor_id == target.doctor_id:
            return Allowed(Capacity.TRAINEE)
        if target.region is not None and target.region in actor.secretariat_regions():
            return Allowed(Capacity.SECRETARIAT)
        return Refused("auth.read_programme", {})
    raise AssertionError(f"no rule for {action}")  # pragma: no cover - every action has one


def require(actor: Actor, action: Action, target: Target, on: date) -> Capacity:
    """The capacity `actor` acts in, or NotAllowed with the reason."""
    decision = decide(actor, action, target, on)
    if isinstance(decision, Refused):
        raise NotAllowed(decision.code, **decision.params)
    return decision.capacity
