"""The composition root: builds the application, the read store and the projections.

Nothing connects, reads settings or configures logging at import time; `bootstrap(settings)`
does it all, and tests build their fakes through it too.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import structlog
from psycopg.conninfo import make_conninfo
from psycopg.sql import SQL, Identifier

from logbog_es.application import Logbog, chain, cipher
from logbog_es.application.app import copenhagen_today
from logbog_es.application.checkpoints import Checkpoints
from logbog_es.application.handlers import HANDLERS
from logbog_es.domain.calendar import is_working_day
from logbog_es.domain.reminders import ReminderRules
from logbog_es.keys import load_or_create_ed25519
from logbog_es.projections.access_directory import AccessDirectory
from logbog_es.projections.catalogue import Catalogue
from logbog_es.projections.department_overview import DepartmentOverview
from logbog_es.projections.evaluation_people import EvaluationPeople
from logbog_es.projections.evaluation_results import EvaluationResults
from logbog_es.projections.programme_progress import ProgrammeProgress
from logbog_es.projections.region_register import RegionRegister
from logbog_es.projections.reminders import Reminders
from logbog_es.projections.required_time import RequiredTime
from logbog_es.projections.runner import Projection, Runner
from logbog_es.projections.store import PostgresReadStore, ReadStore, SQLiteReadStore
from logbog_es.projections.submissions import Submissions
from logbog_es.projections.supervisor_requests import SupervisorRequests
from logbog_es.reminders import (
    Delivery,
    MaildirMailer,
    Mailer,
    ReminderService,
    SmtpMailer,
)
from logbog_es.settings import Settings, Storage
from logbog_es.tokens import TokenVerifier

log = structlog.get_logger("logbog.checkpoints")


def all_projections() -> list[Projection]:
    return [
        Catalogue(),
        AccessDirectory(),
        SupervisorRequests(),
        ProgrammeProgress(),
        DepartmentOverview(),
        RegionRegister(),
        Submissions(),
        EvaluationResults(),
        EvaluationPeople(),
        RequiredTime(),
        Reminders(),
    ]


def event_store_env(storage: Storage, settings: Settings) -> dict[str, str]:
    """The eventsourcing library's environment for our storage choice."""
    env: dict[str, str] = {}
    if storage.kind == "memory":
        env["PERSISTENCE_MODULE"] = chain.MEMORY_FACTORY
    elif storage.kind == "sqlite":
        assert storage.sqlite_events is not None
        storage.sqlite_events.parent.mkdir(parents=True, exist_ok=True)
        env.update(
            PERSISTENCE_MODULE="eventsourcing.sqlite",
            SQLITE_DBNAME=str(storage.sqlite_events),
            SQLITE_LOCK_TIMEOUT="30",
        )
    else:
        pg = storage.pg
        env.update(
            PERSISTENCE_MODULE="eventsourcing.postgres",
            POSTGRES_DBNAME=pg["dbname"],
            POSTGRES_HOST=pg["host"],
            POSTGRES_PORT=pg["port"],
            POSTGRES_USER=pg["user"],
            POSTGRES_PASSWORD=pg["password"],
            POSTGRES_SCHEMA=pg["schema"],
            # The library's insert function skips the table lock, so notification ids could
            # become visible out of order (a projection would skip an event) and the hash
            # chain could not be ordered; the locked path is used instead. See README.
            POSTGRES_ENABLE_DB_FUNCTIONS="n",
            POSTGRES_POOL_SIZE=str(settings.postgres_pool_size),
            POSTGRES_CONNECT_TIMEOUT="2",
            # Check a pooled connection before use, so a restarted server heals by itself
            # (the chained recorder narrows it to connections idle for over a second).
            POSTGRES_PRE_PING="y",
        )
    # Aggregates are cached and fast-forwarded from the store on every read (correct across
    # processes); replaying a long programme on every command would dominate command latency.
    env.update(
        AGGREGATE_CACHE_MAXSIZE=str(settings.aggregate_cache_size),
        AGGREGATE_CACHE_FASTFORWARD="y",
        DEEPCOPY_FROM_AGGREGATE_CACHE="y",
    )
    # Every recorder writes the audit hash chain in the same transaction as the events.
    if env["PERSISTENCE_MODULE"] in chain.TOPICS:
        env["APPLICATION_RECORDER_TOPIC"] = chain.TOPICS[env["PERSISTENCE_MODULE"]]
    if settings.cipher_key:
        env.update(CIPHER_TOPIC=cipher.TOPIC, CIPHER_KEY=settings.cipher_key)
        if settings.cipher_previous_keys:
            env[cipher.PREVIOUS_KEYS] = settings.cipher_previous_keys
    return env


def pg_conninfo(pg: dict[str, str]) -> str:
    return make_conninfo(
        dbname=pg["dbname"],
        host=pg["host"],
        port=pg["port"],
        user=pg["user"],
        password=pg["password"] or None,
        connect_timeout=5,
    )


@contextlib.contextmanager
def pg_set_up_alone(pg: dict[str, str]) -> Iterator[None]:
    """Create the schema and hold a lock while the caller creates tables in it: processes
    starting at once (the API's workers on a new database) then take turns. Otherwise two
    `CREATE ... IF NOT EXISTS` of one object race, PostgreSQL refuses the second with a unique
    violation on its catalogue, and a worker dies at start. The lock goes with the connection."""
    with psycopg.connect(pg_conninfo(pg), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (f"logbog:setup:{pg['schema']}",))
        conn.execute(SQL("CREATE SCHEMA IF NOT EXISTS {}").format(Identifier(pg["schema"])))
        yield


@dataclass
class Container:
    settings: Settings
    app: Logbog
    read_store: ReadStore
    runner: Runner
    checkpoints: Checkpoints
    verifier: TokenVerifier | None = None
    extra: dict[str, object] = field(default_factory=dict)
    _stop_checkpoints: threading.Event = field(default_factory=threading.Event)

    def start_checkpoints(self) -> None:
        """Sign the chain head every `checkpoint_minutes` while it moves (for the process that
        runs the projections: one signer is enough)."""
        interval = self.settings.checkpoint_minutes * 60

        def loop() -> None:
            signed = -1
            while not self._stop_checkpoints.wait(interval):
                try:
                    if self.app.position() != signed:
                        signed = self.checkpoints.at_head(self.app.recorder).position
                except Exception as error:  # the database may be down: try again next time
                    log.warning("checkpoint not written", error_type=type(error).__name__)

        threading.Thread(target=loop, name="checkpoints", daemon=True).start()

    def reminder_service(
        self, count: Callable[[str, int], None] = lambda _what, _n: None
    ) -> ReminderService:
        """The reminder process's service: SMTP when `LOGBOG_SMTP_URL` is set, else a maildir
        under var/mail (see application/reminders.py)."""
        settings = self.settings
        mailer: Mailer = (
            SmtpMailer(settings.smtp_url)
            if settings.smtp_url
            else MaildirMailer(Path(settings.var_dir) / "mail")
        )
        rules = ReminderRules(
            assessment_days=settings.remind_assessment_days,
            escalate_days=settings.remind_escalate_days,
            evaluation_closing_days=settings.remind_evaluation_closing_days,
            uao_ending_days=settings.remind_uao_ending_days,
        )
        domain = urlsplit(settings.public_url).hostname or "logbog.localhost"
        return ReminderService(
            self.app,
            self.read_store,
            rules,
            mailer,
            Delivery(settings.mail_from, settings.public_url, domain),
            catch_up=self._catch_up,
            count=count,
        )

    def _catch_up(self) -> None:
        self.runner.catch_up()

    def start_reminders(self, count: Callable[[str, int], None] = lambda _w, _n: None) -> None:
        """Run the reminder process every `reminder_minutes` in a thread (for the process that
        runs the projections); a failing pass (the database, the mail server) is tried again
        next time and never holds up commands."""
        service = self.reminder_service(count)
        interval = self.settings.reminder_minutes * 60

        def loop() -> None:
            while True:
                try:
                    service.run_once()
                except Exception as error:
                    log.warning("reminder pass failed", error_type=type(error).__name__)
                if self._stop_checkpoints.wait(interval):
                    return

        threading.Thread(target=loop, name="reminders", daemon=True).start()

    def close(self) -> None:
        self._stop_checkpoints.set()
        self.runner.stop()
        self.read_store.close()
        self.app.close()


def bootstrap(
    settings: Settings,
    *,
    storage: Storage | None = None,
    today: Callable[[], date] = copenhagen_today,
    with_tokens: bool = True,
) -> Container:
    """Wire the whole service for `settings` (or an explicit `storage`, e.g. in memory)."""
    storage = storage or settings.storage
    fixed = settings.today
    if fixed is not None and today is copenhagen_today:  # development and trials only

        def today() -> date:
            assert fixed is not None
            return fixed

    alone = pg_set_up_alone(storage.pg) if storage.kind == "postgres" else contextlib.nullcontext()
    with alone:
        app = Logbog(
            env=event_store_env(storage, settings),
            today=today,
            evaluation_window_days=settings.evaluation_window_days,
            handlers=HANDLERS,
        )
        read_store: ReadStore
        if storage.kind == "postgres":
            read_store = PostgresReadStore(
                pg_conninfo(storage.pg),
                storage.pg["read_schema"],
                pool_size=settings.postgres_pool_size,
            )
        else:
            read_path = storage.sqlite_read or Path(settings.var_dir) / "readmodels.sqlite"
            read_store = SQLiteReadStore(read_path)
        runner = Runner(app.recorder, app.mapper, read_store, all_projections())
        runner.create_tables()
    verifier = TokenVerifier(settings) if with_tokens else None
    key_path = settings.checkpoint_key_path
    if settings.checkpoint_key_file is not None and not key_path.exists():
        raise ValueError(f"LOGBOG_CHECKPOINT_KEY_FILE {key_path} does not exist")
    checkpoints = Checkpoints(load_or_create_ed25519(key_path), settings.checkpoint_directory)
    is_working_day(today())  # loads this year's public holidays now, not in a first command
    return Container(
        settings=settings,
        app=app,
        read_store=read_store,
        runner=runner,
        checkpoints=checkpoints,
        verifier=verifier,
    )
