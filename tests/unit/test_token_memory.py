"""A verified token is remembered until it expires (issue 16: a signature check per request
cost more than reading a command), and never past its time limits."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from logbog_es.settings import Settings
from logbog_es.tokens import InvalidToken, LocalIssuer, TokenVerifier


def _settings(tmp_path: Path) -> Settings:
    return Settings(var_dir=tmp_path / "var", database_url=None, demo_data=False)


def test_a_remembered_token_is_refused_once_it_expires(tmp_path: Path) -> None:
    settings = _settings(tmp_path).model_copy(update={"jwt_leeway_seconds": 0})
    token = LocalIssuer(settings).issue("someone", ttl_seconds=2)
    verifier = TokenVerifier(settings)
    assert verifier.remembered(token) is None  # not verified yet
    assert verifier.verify(token)["sub"] == "someone"
    assert verifier.remembered(token) == verifier.verify(token)
    time.sleep(2.1)  # past its expiry (whole seconds) whatever the fraction at issue
    assert verifier.remembered(token) is None
    with pytest.raises(InvalidToken, match="expired"):
        verifier.verify(token)


def test_a_remembered_token_is_not_checked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path)
    token = LocalIssuer(settings).issue("someone")
    verifier = TokenVerifier(settings)
    checks: list[str] = []
    real = verifier._verify

    def counted(value: str) -> dict[str, object]:
        checks.append(value)
        return real(value)

    monkeypatch.setattr(verifier, "_verify", counted)
    for _ in range(3):
        verifier.verify(token)
    assert checks == [token]
