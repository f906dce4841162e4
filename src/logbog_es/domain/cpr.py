"""One CPR number, one doctor (issue 15, item 8).

A claim is an aggregate whose id derives from a keyed digest of the CPR number (a blind index):
saved in the same transaction as the doctor who holds the number, so a second doctor with it is
refused, also when two registrations race (the second save meets the first's id). The digest is
made by the application with the cipher key (see `Logbog.cpr_indexes`): without the key, the
claims' ids say nothing about the numbers, which are never stored here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from logbog_es.domain.base import Created, LogbogAggregate, Meta, stable_id


def cpr_claim_id(index: str) -> UUID:
    return stable_id("cpr-claim", index)


class CprClaim(LogbogAggregate):
    TOPIC = "logbog:CprClaim"

    if TYPE_CHECKING:
        doctor_id: UUID

    class Claimed(Created):
        TOPIC = "logbog:CprClaim.Claimed"
        doctor_id: UUID

        def apply(self, aggregate: Any) -> None:
            aggregate.doctor_id = self.doctor_id

    @classmethod
    def claim(cls, index: str, doctor_id: UUID, meta: Meta) -> CprClaim:
        return cls._start(cls.Claimed, cpr_claim_id(index), meta, doctor_id=doctor_id)
