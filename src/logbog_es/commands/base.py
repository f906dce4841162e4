"""The base of every command model: input only, strict, with an optional command id."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from logbog_es.domain.messages import render
from logbog_es.domain.values import MULTILINE_FIELDS, forbidden_character

COMMAND_ID_PATTERN = r"^[\x21-\x7e]{1,200}$"


def _refuse_characters(value: Any, multiline: bool, where: str = "") -> None:
    if isinstance(value, str):
        found = forbidden_character(value, multiline=multiline)
        if found is not None:
            index, char = found
            params = {
                "char": f"U+{ord(char):04X}",
                "position": index + 1,
                "where": f", {where}" if where else "",
            }
            # The message in words; its code and parameters go along (a page translates them).
            message = render("text.control_character", **params).replace("{", "{{")
            raise PydanticCustomError("control_character", message.replace("}", "}}"), params)
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_characters(key, False, where)
            _refuse_characters(item, multiline, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            _refuse_characters(item, multiline, f"{where}[{index}]")


class Input(BaseModel):
    """Every model of input (commands and what they nest): strict, and refusing characters
    that text in the logbook may not hold, named in a 422 before anything is decided."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _characters(cls, value: Any, info: ValidationInfo) -> Any:
        _refuse_characters(value, info.field_name in MULTILINE_FIELDS)
        return value


class Command(Input):
    """A request to change the logbook. `NAME` is its kebab-case name in `POST /commands/{name}`."""

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
