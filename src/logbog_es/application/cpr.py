"""One CPR number, one doctor: the one place that decides it, for a registration and an import.

See `domain/cpr.py` for the claims; `Logbog.cpr_indexes` makes their keyed ids."""

from __future__ import annotations

from collections.abc import MutableMapping
from uuid import UUID

from logbog_es.application.app import Logbog
from logbog_es.domain.base import Meta
from logbog_es.domain.cpr import CprClaim, cpr_claim_id
from logbog_es.domain.doctor import Doctor
from logbog_es.domain.errors import Conflict


def claim_cpr(
    app: Logbog,
    doctor: Doctor,
    meta: Meta,
    pending: MutableMapping[UUID, UUID] | None = None,
) -> CprClaim | None:
    """The claim to save with `doctor` (None when they hold their number already, or have
    none); Conflict `doctor.cpr_taken` when another doctor holds it, in the store or among
    `pending` claims not yet saved (claim id -> doctor id, which this adds to). The number is
    never echoed."""
    if doctor.cpr is None:
        return None
    indexes = app.cpr_indexes(doctor.cpr)
    for claim_id in (cpr_claim_id(i) for i in indexes):
        holder = (pending or {}).get(claim_id)
        if holder is None:
            found = app.find(CprClaim, claim_id)
            holder = found.doctor_id if found else None
        if holder is not None and holder != doctor.id:
            raise Conflict("doctor.cpr_taken", field="cpr")
        if holder == doctor.id:
            return None
    claim = CprClaim.claim(indexes[0], doctor.id, meta)
    if pending is not None:
        pending[claim.id] = doctor.id
    return claim
