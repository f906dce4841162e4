"""Where imported events came from: one record per legacy file (issue 17, item 3).

Every imported event's command id names its source, `import:<first 12 hex of the file's
SHA-256>:<line>`; this record names the file that prefix stands for, so the history can say of
each legacy entry which file it came from, and that it was not given in Logbog.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from logbog_es.domain.base import Created, LogbogAggregate, Meta, stable_id


def import_source_id(source: str) -> UUID:
    """`source`: the 12 hex characters the imported events' command ids carry."""
    return stable_id("import-source", source)


def source_of(command_id: str) -> str | None:
    """The import source an event's command id names, if it was imported."""
    parts = command_id.split(":")
    return parts[1] if len(parts) >= 3 and parts[0] == "import" else None


class ImportSource(LogbogAggregate):
    TOPIC = "logbog:ImportSource"

    if TYPE_CHECKING:
        source: str
        file_sha256: str
        file_name: str

    class Recorded(Created):
        TOPIC = "logbog:ImportSource.Recorded"
        source: str
        file_sha256: str
        file_name: str  # the file's name as given to the importer (no directory)

        def apply(self, aggregate: Any) -> None:
            aggregate.source = self.source
            aggregate.file_sha256 = self.file_sha256
            aggregate.file_name = self.file_name

    @classmethod
    def record(cls, file_sha256: str, file_name: str, meta: Meta) -> ImportSource:
        source = file_sha256[:12]
        return cls._start(
            cls.Recorded,
            import_source_id(source),
            meta,
            source=source,
            file_sha256=file_sha256,
            file_name=file_name,
        )
