"""All configuration, from `LOGBOG_*` environment variables, in one pydantic-settings class.

Development defaults need nothing set up (SQLite under var/, a local signing key). Production
(`LOGBOG_ENV=production`) refuses to start on an insecure default: it needs the identity
provider's public keys and the cipher key for personal data at rest.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs, unquote, urlparse

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _port(parsed: Any) -> int | None:
    """The URL's port; the error never quotes the text (a password with an unescaped / ? or #
    is split there, and its first part would be taken for the port)."""
    try:
        return int(parsed.port) if parsed.port is not None else None
    except ValueError:
        raise ValueError(
            "LOGBOG_DATABASE_URL: the port is not a number; if the password holds / ? # @ or :, "
            "percent-encode them (e.g. / as %2F)"
        ) from None


_SCHEMA = re.compile(r"^[a-z][a-z0-9_]{0,50}$")
ALLOWED_JWT_ALGORITHMS = frozenset({"EdDSA", "RS256", "RS384", "RS512", "ES256", "ES384", "PS256"})


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class LogFormat(StrEnum):
    AUTO = "auto"
    JSON = "json"
    CONSOLE = "console"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LOGBOG_", extra="ignore")

    env: Environment = Environment.DEVELOPMENT
    var_dir: Path = Field(default=Path("var"), description="Where the embedded store keeps files.")
    database_url: str | None = Field(
        default=None,
        description="sqlite:///PATH or postgresql://USER:PASSWORD@HOST:PORT/DB[?schema=S]. "
        "Unset: SQLite files under var_dir.",
    )
    jwt_issuer: str = "logbog-local"
    jwt_audience: str = "logbog"
    jwt_algorithms: list[str] = Field(default_factory=lambda: ["EdDSA"])
    jwt_jwks_url: str | None = Field(default=None, description="The identity provider's JWKS.")
    jwt_public_key_file: Path | None = Field(default=None, description="A PEM public key.")
    jwt_leeway_seconds: int = 30
    cipher_key: str | None = Field(
        default=None, description="AES key (base64) encrypting event and snapshot state."
    )
    cipher_previous_keys: str | None = Field(
        default=None,
        description="Earlier cipher keys, comma-separated, still needed to read older events.",
    )
    cors_origins: list[str] = Field(default_factory=list)
    log_format: LogFormat = LogFormat.AUTO
    log_level: str = "INFO"
    demo_data: bool = Field(default=True, description="Load demo data into an empty store.")
    postgres_pool_size: int = 5
    evaluation_window_days: int = Field(
        default=90, ge=0, description="How long after an employment ends it may be evaluated."
    )
    aggregate_cache_size: int = Field(
        default=10_000, ge=0, description="Aggregates kept in memory per process (fast-forwarded)."
    )
    ready_max_lag: int = Field(
        default=1000, description="/readyz answers 503 when a read model lags more events."
    )
    ready_max_behind_seconds: float = Field(
        default=30.0,
        gt=0,
        description="/readyz answers 503 when an event has waited longer for a read model.",
    )
    in_process_projections: bool = Field(
        default=True, description="Run the projections inside `logbog serve` (single process)."
    )
    read_wait_seconds: float = Field(
        default=5.0, description="How long a query with ?after= waits for its read model."
    )
    checkpoint_key_file: Path | None = Field(
        default=None,
        description="Ed25519 key (PEM) signing checkpoints of the audit chain; kept out of the "
        "database. Unset in development: var_dir/checkpoint-key.pem, created.",
    )
    checkpoint_dir: Path | None = Field(
        default=None,
        description="Where signed checkpoints are appended (checkpoints.jsonl); best on other "
        "storage than the database. Unset: var_dir/checkpoints.",
    )
    checkpoint_minutes: float = Field(
        default=60.0, gt=0, description="How often the projections' process signs the chain head."
    )
    metrics_token: str | None = Field(
        default=None,
        description="/metrics answers only `Authorization: Bearer <this>`; required in production.",
    )
    max_body_bytes: int = Field(
        default=2 * 1024 * 1024,
        ge=1024,
        description="A request body larger than this is refused with 413 before it is read.",
    )
    today: date | None = Field(
        default=None,
        description=(
            "Development and trials only: the day the service takes as today (YYYY-MM-DD), to "
            "walk through a logbook's year; refused with LOGBOG_ENV=production."
        ),
    )
    smtp_url: str | None = Field(
        default=None,
        description=(
            "Where reminder mails go: smtp://user:password@host:587 (STARTTLS) or smtps://... "
            "(TLS from the start); unset: a maildir under var/mail that `logbog mail` reads."
        ),
    )
    mail_from: str = Field(
        default="Logbog <noreply@logbog.localhost>", description="The From of reminder mails."
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The web app's address as users reach it, for the links in mails.",
    )
    remind_assessment_days: int = Field(
        default=14, ge=1, description="An assessment request waiting this long: the supervisor."
    )
    remind_escalate_days: int = Field(
        default=28, ge=1, description="Waiting this long: also the department's UAO/tutor."
    )
    remind_evaluation_closing_days: int = Field(
        default=7, ge=1, description="Days before an evaluation window closes: a last reminder."
    )
    remind_uao_ending_days: int = Field(
        default=30, ge=1, description="A UAO/tutor appointment ending within this: the secretariat."
    )
    reminder_minutes: float = Field(
        default=15.0, gt=0, description="How often the reminder process looks for what is due."
    )
    web_session_hours: float = Field(
        default=12.0, gt=0, le=24 * 7, description="How long a web login lasts at most."
    )
    web_idle_minutes: float = Field(
        default=60.0, gt=0, description="A web login unused this long ends (a shared ward PC)."
    )
    oidc_issuer: str | None = Field(
        default=None,
        description="The OpenID Connect provider's issuer URL (its discovery document is at "
        "ISSUER/.well-known/openid-configuration): the web login in production.",
    )
    oidc_client_id: str | None = Field(default=None, description="Our client id at the IdP.")
    oidc_client_secret: str | None = Field(
        default=None, description="Our client secret at the IdP (unset: a public PKCE client)."
    )
    oidc_redirect_url: str | None = Field(
        default=None,
        description="Our callback URL as registered at the IdP: https://HOST/log-ind/oidc/svar.",
    )
    oidc_scopes: str = Field(default="openid", description="Scopes asked for at login.")
    oidc_algorithms: list[str] = Field(
        default_factory=lambda: ["RS256", "PS256", "ES256", "EdDSA"],
        description="Algorithms accepted for the provider's ID tokens (asymmetric only).",
    )
    oidc_authorisation_claim: str | None = Field(
        default=None,
        description=(
            "The ID token claim that carries a doctor's STPS authorisation id: a first login "
            "with it is linked to that registered doctor (README: Identity)."
        ),
    )
    oidc_subject_claim: str = Field(
        default="sub",
        description="The ID token claim that carries the subject the API's tokens carry.",
    )

    @model_validator(mode="after")
    def _refuse_insecure(self) -> Self:
        asked = set(self.jwt_algorithms) | set(self.oidc_algorithms)
        bad = sorted(asked - ALLOWED_JWT_ALGORITHMS)
        if bad:
            raise ValueError(
                "LOGBOG_JWT_ALGORITHMS and LOGBOG_OIDC_ALGORITHMS may only name "
                f"{sorted(ALLOWED_JWT_ALGORITHMS)}; "
                f"not {bad} (never 'none' or a shared-secret HS* algorithm)"
            )
        if self.env is Environment.PRODUCTION:
            if not (self.jwt_jwks_url or self.jwt_public_key_file):
                raise ValueError(
                    "production needs LOGBOG_JWT_JWKS_URL or LOGBOG_JWT_PUBLIC_KEY_FILE: the "
                    "identity provider's public keys (the local signing key is for development)"
                )
            if not self.cipher_key:
                raise ValueError(
                    "production needs LOGBOG_CIPHER_KEY so personal data is encrypted at rest; "
                    "create one with `logbog admin create-cipher-key`"
                )
            if self.jwt_issuer == "logbog-local":
                raise ValueError(
                    "production needs LOGBOG_JWT_ISSUER: the identity provider's issuer"
                )
            if self.demo_data:
                raise ValueError("production must not load demo data: set LOGBOG_DEMO_DATA=false")
            if self.today is not None:
                raise ValueError(
                    "LOGBOG_TODAY is for development and trials only: production takes today "
                    "from the clock; unset it"
                )
            if self.checkpoint_key_file is None:
                raise ValueError(
                    "production needs LOGBOG_CHECKPOINT_KEY_FILE: the Ed25519 key that signs "
                    "checkpoints of the audit chain, kept out of the database (README: Audit trail)"
                )
        if self.oidc_issuer and not (self.oidc_client_id and self.oidc_redirect_url):
            raise ValueError(
                "LOGBOG_OIDC_ISSUER needs LOGBOG_OIDC_CLIENT_ID and LOGBOG_OIDC_REDIRECT_URL "
                "(the callback registered at the identity provider, ending in /log-ind/oidc/svar)"
            )
        Storage.parse(self.database_url, self.var_dir)  # a bad URL is a configuration error
        return self

    @property
    def storage(self) -> Storage:
        return Storage.parse(self.database_url, self.var_dir)

    @property
    def development(self) -> bool:
        """Development conveniences (cookies without Secure, the demo login) are on."""
        return self.env is Environment.DEVELOPMENT

    @property
    def demo_login(self) -> bool:
        """The web's demo user picker: in development, and never beside a real login."""
        return self.development and not self.oidc_issuer

    @property
    def checkpoint_key_path(self) -> Path:
        return self.checkpoint_key_file or self.var_dir / "checkpoint-key.pem"

    @property
    def checkpoint_directory(self) -> Path:
        return self.checkpoint_dir or self.var_dir / "checkpoints"

    @property
    def signing_key_file(self) -> Path:
        return self.var_dir / "jwt-signing-key.pem"


class Storage:
    """Where events and read models live."""

    def __init__(
        self,
        kind: str,
        *,
        sqlite_events: Path | None = None,
        sqlite_read: Path | None = None,
        pg: dict[str, str] | None = None,
    ) -> None:
        self.kind = kind
        self.sqlite_events = sqlite_events
        self.sqlite_read = sqlite_read
        self.pg = pg or {}

    @classmethod
    def parse(cls, url: str | None, var_dir: Path) -> Storage:
        if not url:
            return cls(
                "sqlite",
                sqlite_events=var_dir / "events.sqlite",
                sqlite_read=var_dir / "readmodels.sqlite",
            )
        parsed = urlparse(url)
        if parsed.scheme == "sqlite":
            if not url.startswith("sqlite:///"):
                raise ValueError(
                    f"LOGBOG_DATABASE_URL {url!r}: write sqlite:///relative/path or "
                    "sqlite:////absolute/path"
                )
            path = Path(unquote(url[len("sqlite:///") :]))
            if not path.name:
                raise ValueError(f"LOGBOG_DATABASE_URL {url!r} names no file")
            read = path.with_name(path.stem + "-readmodels" + (path.suffix or ".sqlite"))
            return cls("sqlite", sqlite_events=path, sqlite_read=read)
        if parsed.scheme in ("postgresql", "postgres"):
            query = parse_qs(parsed.query)
            schema = query.get("schema", ["public"])[0]
            for given in (schema, *query.get("read_schema", [])):
                if not _SCHEMA.match(given):
                    raise ValueError(
                        f"LOGBOG_DATABASE_URL: schema {given!r} must be lower-case letters, "
                        "digits and underscores, starting with a letter (e.g. ?schema=logbog)"
                    )
            return cls(
                "postgres",
                pg={
                    "dbname": (parsed.path or "/").lstrip("/") or "postgres",
                    "host": parsed.hostname or "127.0.0.1",
                    "port": str(_port(parsed) or 5432),
                    "user": unquote(parsed.username or "postgres"),
                    "password": unquote(parsed.password or ""),
                    "schema": schema,
                    "read_schema": query.get("read_schema", [f"{schema}_read"])[0]
                    if schema != "public"
                    else query.get("read_schema", ["logbog_read"])[0],
                },
            )
        raise ValueError(
            "LOGBOG_DATABASE_URL must start with sqlite:/// or postgresql://, "
            f"not {parsed.scheme!r}"
        )
