"""Logbog: the event-sourced logbook for Danish postgraduate medical training."""

__version__ = "0.1.0"
