"""Logins and doctors (domain/identity.py): the documented rule a login is linked by, applied
when someone logs in, and the secretariat's revocation (a command)."""

from __future__ import annotations

from uuid import uuid4

from eventsourcing.persistence import IntegrityError

from logbog_es.application.app import Logbog
from logbog_es.domain.base import Meta
from logbog_es.domain.doctor import Doctor, check_authorisation_id, doctor_id
from logbog_es.domain.errors import InvalidInput, NotAllowed
from logbog_es.domain.identity import RULE_AUTHORISATION_CLAIM, IdentityLink, identity_link_id
from logbog_es.domain.values import Capacity

SYSTEM = "system:identity"


def login_subject(app: Logbog, issuer: str, subject: str, authorisation_id: object) -> str:
    """The subject a login acts as: the linked doctor's id; on a first login whose token names
    a registered doctor's authorisation id, that doctor (and the link is recorded); else the
    provider's subject itself (staff, whose roles the operator granted to it). A revoked link
    refuses the login (NotAllowed)."""
    link = app.find(IdentityLink, identity_link_id(issuer, subject))
    if link is not None:
        if not link.active:
            raise NotAllowed("identity.revoked")
        return str(link.doctor_id)
    if not isinstance(authorisation_id, str) or not authorisation_id:
        return subject
    try:
        found = doctor_id(check_authorisation_id(authorisation_id))
    except InvalidInput:
        return subject
    doctor = app.find(Doctor, found)
    if doctor is None:
        return subject
    meta = Meta(SYSTEM, Capacity.SYSTEM, f"identity:{uuid4()}")
    new = IdentityLink.link(
        issuer=issuer,
        subject=subject,
        doctor_id=doctor.id,
        rule=RULE_AUTHORISATION_CLAIM,
        meta=meta,
    )
    doctor.record_identity_link(
        link_id=new.id, issuer=issuer, rule=RULE_AUTHORISATION_CLAIM, meta=meta
    )
    try:
        app.save(new, doctor)
    except IntegrityError:  # two first logins at once: the other one recorded it
        return login_subject(app, issuer, subject, None)
    return str(doctor.id)
