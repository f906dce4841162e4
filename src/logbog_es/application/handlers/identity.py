"""The handler of a secretariat's revocation of a login's link to a doctor."""

from __future__ import annotations

from logbog_es.application.handlers.registry import handles
from logbog_es.application.handling import Context, Decided
from logbog_es.commands import RevokeIdentityLink
from logbog_es.domain.doctor import Doctor
from logbog_es.domain.errors import NotFound
from logbog_es.domain.identity import IdentityLink
from logbog_es.domain.policy import Action, Target
from logbog_es.domain.programme import Programme


@handles(RevokeIdentityLink)
def revoke_identity_link(cmd: RevokeIdentityLink, ctx: Context) -> Decided:
    doctor = ctx.app.load(Doctor, cmd.doctor_id, message="doctor.unknown", doctor_id=cmd.doctor_id)
    programmes = [ctx.app.find(Programme, p.programme_id) for p in doctor.programmes]
    meta = ctx.authorise(
        Action.REVOKE_IDENTITY_LINK,
        Target(doctor_id=doctor.id, regions=frozenset(p.region for p in programmes if p)),
    )
    link = ctx.app.find(IdentityLink, cmd.link_id)
    if link is None or link.doctor_id != doctor.id:
        raise NotFound("identity.unknown", link_id=cmd.link_id)
    reason = link.revoke(cmd.reason, ctx.today, meta)
    doctor.record_identity_revoked(link_id=link.id, issuer=link.issuer, reason=reason, meta=meta)
    return Decided((link, doctor), link)
