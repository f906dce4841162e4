"""The command -> handler table the API and CLI dispatch through."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from logbog_es.application.handling import Context, Decided, Handler
from logbog_es.commands import Command

HANDLERS: dict[type[Command], Handler] = {}
C = TypeVar("C", bound=Command)


def handles(command: type[C]) -> Callable[[Callable[[C, Context], Decided]], Handler]:
    """Register the decorated function as the handler of `command`."""

    def register(func: Callable[[C, Context], Decided]) -> Handler:
        HANDLERS[command] = func
        return func

    return register
