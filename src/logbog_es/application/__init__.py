"""The service layer: the eventsourcing Application with one handler per command."""

from logbog_es.application.app import CommandResult, EventRef, Logbog

__all__ = ["CommandResult", "EventRef", "Logbog"]
