"""Which cached aggregates are still current, from one read of the log's tail.

The library's aggregate cache brings a cached aggregate up to date with a query per load
(fast-forward), and an aggregate that does not exist (a trainee's staff record, a command's
receipt) costs two queries every time: five or six round trips per command before it saves.
`Tail` reads instead, once per command, the positions, stream ids and versions of the events
appended since this process last looked (by any process), and so knows for the streams it
tracks their latest version, or that they still have no events. A load whose cached aggregate
is at that version, or whose stream is known to be empty, needs no query.

Why this is as fresh as a query per load: events become visible in position order (an append
holds the events table's lock until it commits), so a tail read that started after a moment
has seen every event committed before that moment. `catch_up(not_before)` returns once such a
read has finished; a read another thread started late enough serves every command that began
before it (one round trip for several concurrent commands).

What is known of a stream is learnt in two ways: from a load (`loading`/`loaded`, which also
catch the tail rows read while the load ran, so a load that raced an append never records an
old version as the latest) and from the tail (for streams already known). When the tail is
longer than a page (an import, a process idle for long), the read jumps to the log's head and
everything known is forgotten: the next loads query as the library would.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from uuid import UUID

from logbog_es.application.positions import TailRead

#: Streams whose latest version is remembered (a bounded map; the oldest are forgotten).
KNOWN_STREAMS = 200_000
PAGE = 1_000


class Tail:
    """The log's tail as this process has read it; thread-safe."""

    def __init__(
        self,
        read: TailRead,
        head: Callable[[], int],
        *,
        capacity: int = KNOWN_STREAMS,
        page: int = PAGE,
    ) -> None:
        """`read(after, limit)`: the tail rows after a position; `head()`: the log's last
        position now (the first read starts there)."""
        self._read = read
        self._head = head
        self._capacity = capacity
        self._page = page
        self._cond = threading.Condition()
        self._seen: int | None = None  # None until the first read
        self._known: OrderedDict[UUID, int] = OrderedDict()
        self._loading: dict[UUID, int] = {}  # stream -> loads in progress
        self._during: dict[UUID, int] = {}  # stream -> newest version read while loading
        self._generation = 0  # bumped when everything known is forgotten
        self._reading_since: float | None = None  # start of the read in progress
        self._last_read_started = float("-inf")

    @property
    def seen(self) -> int | None:
        """The last position read (None before the first read)."""
        with self._cond:
            return self._seen

    def catch_up(self, not_before: float) -> None:
        """Return once a tail read that started at or after `not_before` (a `time.monotonic()`
        value) has been applied."""
        with self._cond:
            while self._last_read_started < not_before:
                if self._reading_since is None:
                    break
                # A read is under way: if it started late enough it serves this caller too;
                # if not, wait for it to finish and read anew.
                self._cond.wait()
            else:
                return
            started = time.monotonic()
            self._reading_since = started
            after = self._seen
        rows: list[tuple[int, UUID, int]] = []
        head: int | None = None
        try:
            if after is None:
                head = self._head()
            else:
                rows = self._read(after, self._page)
                head = self._head() if len(rows) >= self._page else None
        except BaseException:
            with self._cond:
                self._reading_since = None
                self._cond.notify_all()
            raise
        with self._cond:
            self._reading_since = None
            if head is None:
                self._apply(rows)
            else:
                # More appended than is worth reading (an import, a long idle): jump to the
                # head and forget what is known. A load announced from now on sees the head;
                # one announced before is not believed (the generation changed).
                self._seen = max(self._seen or 0, head)
                self._forget()
            self._last_read_started = max(self._last_read_started, started)
            self._cond.notify_all()

    def _apply(self, rows: list[tuple[int, UUID, int]]) -> None:
        for position, stream, version in rows:
            if position <= (self._seen or 0):
                continue
            if stream in self._known and version > self._known[stream]:
                self._known[stream] = version
            if stream in self._loading:
                self._during[stream] = max(self._during.get(stream, 0), version)
            self._seen = position

    def _forget(self) -> None:
        self._known.clear()
        self._during.clear()
        self._generation += 1

    def latest(self, stream: UUID) -> int | None:
        """The stream's latest version as of the tail read (0: no events), or None if unknown."""
        with self._cond:
            return self._known.get(stream)

    def loading(self, stream: UUID) -> int:
        """A load of `stream` from the store starts; pass what this returns to `loaded`."""
        with self._cond:
            self._loading[stream] = self._loading.get(stream, 0) + 1
            return self._generation

    def loaded(self, stream: UUID, version: int | None, token: int) -> None:
        """The load that `loading` announced found `version` (0: no events; None: it failed,
        so nothing is learnt)."""
        with self._cond:
            count = self._loading[stream] - 1
            during = self._during.get(stream, 0)
            if count:
                self._loading[stream] = count
            else:
                del self._loading[stream]
                self._during.pop(stream, None)
            if version is None or token != self._generation:
                return  # failed, or forgotten meanwhile (what it saw may have been skipped)
            self._known[stream] = max(version, during, self._known.get(stream, 0))
            self._known.move_to_end(stream)
            while len(self._known) > self._capacity:
                self._known.popitem(last=False)

    def saved(self, stream: UUID, version: int) -> None:
        """This process saved `version` of `stream`: a stream already known is known at least
        at that version (a later load in the same block of freshness then finds it). An
        unknown one stays unknown: a tail read may have passed it while it was not followed."""
        with self._cond:
            known = self._known.get(stream)
            if known is not None and version > known:
                self._known[stream] = version

    def forget_stream(self, stream: UUID) -> None:
        """What is known of `stream` may be old (a save found a version taken): ask the store."""
        with self._cond:
            self._known.pop(stream, None)

    def forget(self) -> None:
        """Forget every stream's version (the next load of each asks the store)."""
        with self._cond:
            self._forget()
