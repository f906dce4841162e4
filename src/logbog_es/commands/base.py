"""The base of every command model: input only, strict, with an optional command id."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

COMMAND_ID_PATTERN = r"^[\x21-\x7e]{1,200}$"


class Command(BaseModel):
    """A request to change the logbook. `NAME` is its kebab-case name in `POST /commands/{name}`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    NAME: ClassVar[str]
    EXAMPLE: ClassVar[dict[str, Any]]
    # Issued by operators on the server (`logbog admin ...`); over HTTP always refused, so the
    # route is left out of the API documentation.
    OPERATOR_ONLY: ClassVar[bool] = False

    command_id: str | None = Field(
        default=None,
        pattern=COMMAND_ID_PATTERN,
        description=(
            "Idempotency key (1-200 visible ASCII characters). A retried command with the same "
            "key records nothing new and returns the first result. The Idempotency-Key header "
            "does the same and wins when both are given."
        ),
    )
