"""Logins linked to doctors (issue 17, item 5).

An identity provider's subject (`sub`) is not a doctor's id. On a first login whose ID token
carries the doctor's STPS authorisation id (in the claim `LOGBOG_OIDC_AUTHORISATION_CLAIM`), and
a doctor is registered with it, the login is linked to that doctor: an `IdentityLink` keyed by
the provider and the subject, and an event in the doctor's own stream, so the history shows it.
Later logins by the same subject act as that doctor, also without the claim. A secretariat
revokes a link (the next login by that subject is refused) with a reason, also in the history.
Staff logins are not linked: the operator grants staff roles to the provider's subject.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from logbog_es.domain.base import Created, Event, LogbogAggregate, Meta, stable_id
from logbog_es.domain.errors import Conflict
from logbog_es.domain.values import check_text

#: The documented rule a link was made by.
RULE_AUTHORISATION_CLAIM = "authorisation-id-claim"


def identity_link_id(issuer: str, subject: str) -> UUID:
    return stable_id("identity-link", issuer, subject)


class IdentityLink(LogbogAggregate):
    TOPIC = "logbog:IdentityLink"

    if TYPE_CHECKING:
        issuer: str
        subject: str
        doctor_id: UUID
        rule: str
        revoked_on: date | None

    class Linked(Created):
        TOPIC = "logbog:IdentityLink.Linked"
        issuer: str
        subject: str
        doctor_id: UUID
        rule: str

        def apply(self, aggregate: Any) -> None:
            aggregate.issuer = self.issuer
            aggregate.subject = self.subject
            aggregate.doctor_id = self.doctor_id
            aggregate.rule = self.rule
            aggregate.revoked_on = None

    class Revoked(Event):
        TOPIC = "logbog:IdentityLink.Revoked"
        reason: str
        revoked_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.revoked_on = self.revoked_on

    @classmethod
    def link(
        cls, *, issuer: str, subject: str, doctor_id: UUID, rule: str, meta: Meta
    ) -> IdentityLink:
        return cls._start(
            cls.Linked,
            identity_link_id(issuer, subject),
            meta,
            issuer=issuer,
            subject=subject,
            doctor_id=doctor_id,
            rule=rule,
        )

    @property
    def active(self) -> bool:
        return self.revoked_on is None

    def revoke(self, reason: str, today: date, meta: Meta) -> str:
        if self.revoked_on is not None:
            raise Conflict("identity.already_revoked", on=self.revoked_on)
        text = check_text(reason, "reason", max_length=2000)
        self._record(self.Revoked, meta, reason=text, revoked_on=today)
        return text
