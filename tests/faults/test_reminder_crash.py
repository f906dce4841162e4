"""The reminder process killed (SIGKILL) between sending a mail and recording it, then started
again: no mail is lost; over SMTP the one in flight is sent again with the same Message-ID
(what a receiver drops a copy by; see README, Reminders); into the maildir exactly once."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

from logbog_es.bootstrap import bootstrap
from logbog_es.domain.reminders import Digest, digest_id
from logbog_es.reminders import MaildirMailer
from logbog_es.settings import Settings
from tests.faults.conftest import CLI, service_env
from tests.helpers import World
from tests.reminder_helpers import Inbox, smtp

__all__ = ["smtp"]
TODAY = date(2026, 12, 1)


def _prepare(env: dict[str, str]) -> tuple[str, str]:
    """A trainee in the last month of an employment at a department with a UAO: two digests
    are due on TODAY (the UAO's attestation, the trainee's evaluation)."""
    settings = Settings(var_dir=Path(env["LOGBOG_VAR_DIR"]), demo_data=False, log_format="json")
    container = bootstrap(settings, with_tokens=False, today=lambda: TODAY)
    try:
        w = World(container.app)
        w.specialty("kbu", ("kbu",))
        w.curriculum("2019", date(2019, 2, 1))
        department = w.department("D1", "nord")
        trainee = w.doctor("TR001", "Trine Trainee")
        uao = w.doctor("UA001", "Ulla UAO")
        programme = w.programme(trainee, date(2026, 1, 1))
        w.employ(programme, department, date(2026, 1, 1), date(2026, 12, 31))
        w.appoint(department, uao, date(2025, 1, 1))
        return str(trainee), str(uao)
    finally:
        container.close()


def _once(env: dict[str, str], *, kill: bool) -> int:
    run_env = {**env, **({"LOGBOG_TEST_KILL_AFTER_SEND": "1"} if kill else {})}
    done = subprocess.run(
        [*CLI, "reminders", "once", "--today", TODAY.isoformat()],
        env=run_env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    return done.returncode


def _delivered(env: dict[str, str], people: tuple[str, str]) -> list[Digest]:
    settings = Settings(var_dir=Path(env["LOGBOG_VAR_DIR"]), demo_data=False, log_format="json")
    container = bootstrap(settings, with_tokens=False)
    try:
        found = [container.app.repository.get(digest_id(p, TODAY)) for p in people]
        return [d for d in found if d.delivered_at is not None]
    finally:
        container.close()


def test_smtp_crash_between_send_and_record(tmp_path: Path, smtp: tuple[Inbox, str]) -> None:
    inbox, url = smtp
    env = service_env(tmp_path) | {"LOGBOG_SMTP_URL": url}
    people = _prepare(env)
    assert _once(env, kill=True) == -9  # killed right after the first mail was accepted
    assert len(inbox.messages) == 1
    in_flight = inbox.ids()[0]
    assert _once(env, kill=False) == 0
    assert _once(env, kill=False) == 0  # and again: nothing more
    digests = _delivered(env, people)
    assert len(digests) == 2  # both recorded as delivered: none lost
    assert set(inbox.ids()) == {d.message_id for d in digests}
    assert len(inbox.messages) == 3  # the one in flight twice, with the same Message-ID
    assert inbox.ids().count(in_flight) == 2


def test_maildir_crash_between_write_and_record(tmp_path: Path) -> None:
    env = service_env(tmp_path)
    people = _prepare(env)
    box = MaildirMailer(Path(env["LOGBOG_VAR_DIR"]) / "mail")
    assert _once(env, kill=True) == -9
    assert len(box.names()) == 1
    assert _once(env, kill=False) == 0
    assert len(_delivered(env, people)) == 2
    assert len(box.names()) == 2  # exactly once each
