"""Staff roles registered by an operator: curriculum administrators, secretariats, auditors.

Who a user is comes from their token's subject; what they may do comes from these events.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from uuid import UUID

from logbog_es.domain.base import CopiedOneLevel, Created, Event, LogbogAggregate, Meta, stable_id
from logbog_es.domain.errors import Conflict, InvalidInput
from logbog_es.domain.values import Region, StaffRole


@lru_cache(maxsize=4096)  # asked on every request (a SHA-1 each)
def staff_member_id(subject: str) -> UUID:
    return stable_id("staff", subject)


@dataclass(frozen=True, slots=True, order=True)
class StaffGrant:
    role: StaffRole
    region: Region | None

    def __str__(self) -> str:
        return f"{self.role.value}" + (f" ({self.region.value})" if self.region else "")


def check_grant(role: StaffRole, region: Region | None) -> StaffGrant:
    """A secretariat acts for exactly one region; the other roles are national."""
    if role is StaffRole.SECRETARIAT and region is None:
        raise InvalidInput("staff.region_required", field="region")
    if role is not StaffRole.SECRETARIAT and region is not None:
        raise InvalidInput("staff.region_not_allowed", field="region", role=role.value)
    return StaffGrant(role, region)


class StaffMember(CopiedOneLevel, LogbogAggregate):
    """The staff roles held by one login subject."""

    TOPIC = "logbog:StaffMember"

    if TYPE_CHECKING:
        subject: str
        grants: frozenset[StaffGrant]

    class Enrolled(Created):
        TOPIC = "logbog:StaffMember.Enrolled"
        subject: str

        def apply(self, aggregate: Any) -> None:
            aggregate.subject = self.subject
            aggregate.grants = frozenset()

    class RoleGranted(Event):
        TOPIC = "logbog:StaffMember.RoleGranted"
        role: str
        region: str | None

        def apply(self, aggregate: Any) -> None:
            grant = StaffGrant(StaffRole(self.role), Region(self.region) if self.region else None)
            aggregate.grants = aggregate.grants | {grant}

    class RoleRevoked(Event):
        TOPIC = "logbog:StaffMember.RoleRevoked"
        role: str
        region: str | None

        def apply(self, aggregate: Any) -> None:
            grant = StaffGrant(StaffRole(self.role), Region(self.region) if self.region else None)
            aggregate.grants = aggregate.grants - {grant}

    @classmethod
    def enrol(cls, subject: str, meta: Meta) -> StaffMember:
        return cls._start(cls.Enrolled, staff_member_id(subject), meta, subject=subject)

    def grant(self, grant: StaffGrant, meta: Meta) -> None:
        if grant in self.grants:
            raise Conflict("staff.already_granted", subject=self.subject, grant=str(grant))
        self._record(
            self.RoleGranted,
            meta,
            role=grant.role.value,
            region=grant.region.value if grant.region else None,
        )

    def revoke(self, grant: StaffGrant, meta: Meta) -> None:
        if grant not in self.grants:
            raise Conflict("staff.not_granted", subject=self.subject, grant=str(grant))
        self._record(
            self.RoleRevoked,
            meta,
            role=grant.role.value,
            region=grant.region.value if grant.region else None,
        )
