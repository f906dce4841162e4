"""Logins linked to doctors as events (issue 17, item 5): a provider's subject is not a doctor's
id; the first login whose ID token carries a registered doctor's authorisation id links the
two; later logins act as that doctor; a secretariat revokes the link; the history shows both."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient

from logbog_es.bootstrap import bootstrap
from logbog_es.commands import RevokeIdentityLink
from logbog_es.domain.identity import IdentityLink, identity_link_id
from logbog_es.server import create_app
from logbog_es.settings import Settings, Storage
from tests.conftest import Clock
from tests.helpers import World
from tests.web.conftest import text_of
from tests.web.test_login import (
    ISSUER,
    FakeIdp,
    Service,
    oidc_login,
    production_settings,
)

CLAIM = "dk_stps_authorisation_id"


@pytest.fixture
def service(tmp_path: Path, clock: Clock, idp: FakeIdp) -> Iterator[tuple[Service, object]]:
    settings = Settings(
        **{**production_settings(tmp_path).model_dump(), "oidc_authorisation_claim": CLAIM}
    )
    container = bootstrap(
        settings, storage=Storage("memory", sqlite_read=tmp_path / "read.sqlite"), today=clock
    )
    app = create_app(container, oidc_transport=httpx2.MockTransport(idp.handle))
    with TestClient(app, base_url="https://testserver") as client:
        yield Service(client, World(container.app)), container
    container.close()


@pytest.fixture
def idp() -> FakeIdp:
    return FakeIdp()


def test_link_on_first_login_then_revoke(service: tuple[Service, object], idp: FakeIdp) -> None:
    svc, container = service
    app = container.app  # type: ignore[attr-defined]
    doctor = svc.world.doctor("ID001", "Ida Identitet")
    # Without the claim an unknown subject is nobody here.
    first = oidc_login(svc, idp, "opaque-42")
    assert first.status_code == 303
    assert "Ida Identitet" not in svc.client.get("/").text
    assert app.find(IdentityLink, identity_link_id(ISSUER, "opaque-42")) is None
    # With the claim naming a registered doctor: linked, and acting as her.
    idp.extra = {CLAIM: "id001"}
    assert oidc_login(svc, idp, "opaque-42").status_code == 303
    assert "Logget ind som Ida Identitet" in svc.client.get("/").text
    link = app.find(IdentityLink, identity_link_id(ISSUER, "opaque-42"))
    assert link is not None and link.doctor_id == doctor
    # Later logins need no claim: the link decides.
    idp.extra = {}
    oidc_login(svc, idp, "opaque-42")
    assert "Logget ind som Ida Identitet" in svc.client.get("/").text
    # A claim naming nobody registered links nothing.
    idp.extra = {CLAIM: "ZZ999"}
    oidc_login(svc, idp, "opaque-other")
    assert app.find(IdentityLink, identity_link_id(ISSUER, "opaque-other")) is None
    # The secretariat revokes the link: the next login is refused, in words.
    app.execute(
        RevokeIdentityLink(doctor_id=doctor, link_id=link.id, reason="Ikke Idas login"),
        svc.world.sek["nord"],
    )
    idp.extra = {}
    refused = oidc_login(svc, idp, "opaque-42")
    assert refused.status_code == 403
    assert "fjernet af sekretariatet" in text_of(refused.text)
    # The doctor's history tells both.
    from logbog_es.application.history import history

    texts = [e.text for e in history(app, doctor).entries]
    assert any("linked to Ida Identitet (rule: authorisation-id-claim)" in t for t in texts)
    assert any("revoked: Ikke Idas login" in t for t in texts)


def test_only_the_doctors_region_revokes(service: tuple[Service, object], idp: FakeIdp) -> None:
    from logbog_es.domain.errors import NotAllowed

    svc, container = service
    app = container.app  # type: ignore[attr-defined]
    w = svc.world
    w.specialty("kbu", ("kbu",))
    from datetime import date

    w.curriculum("2019", date(2019, 2, 1))
    doctor = w.doctor("ID002", "Ib Identitet")
    w.programme(doctor, date(2026, 1, 1))  # in training in nord
    idp.extra = {CLAIM: "ID002"}
    oidc_login(svc, idp, "opaque-ib")
    link = identity_link_id(ISSUER, "opaque-ib")
    before = app.position()
    with pytest.raises(NotAllowed):
        app.execute(RevokeIdentityLink(doctor_id=doctor, link_id=link, reason="x"), w.sek["syd"])
    assert app.position() == before
