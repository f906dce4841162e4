"""The log's tail (`application.freshness.Tail`): what it says of a stream is never older than
the log as of the last read, whatever the order of appends, loads and reads (issue 16)."""

from __future__ import annotations

import threading
import time
from uuid import UUID, uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from logbog_es.application.freshness import Tail

STREAMS = [uuid4() for _ in range(4)]


class FakeLog:
    """An append-only log of (position, stream, version); counts the reads of its tail."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, UUID, int]] = []
        self.reads = 0

    def append(self, stream: UUID) -> None:
        self.rows.append((len(self.rows) + 1, stream, self.latest(stream) + 1))

    def latest(self, stream: UUID) -> int:
        return max((v for _, s, v in self.rows if s == stream), default=0)

    def read(self, after: int, limit: int) -> list[tuple[int, UUID, int]]:
        self.reads += 1
        return self.rows[after : after + limit]

    def head(self) -> int:
        return len(self.rows)


operations = st.lists(
    st.one_of(
        st.tuples(st.just("append"), st.integers(0, len(STREAMS) - 1)),
        st.tuples(st.just("announce"), st.integers(0, len(STREAMS) - 1)),
        st.tuples(st.just("finish"), st.integers(0, 7)),
        st.tuples(st.just("read"), st.just(0)),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(operations, st.integers(1, 4))
def test_what_the_tail_knows_is_the_latest_after_a_read(
    ops: list[tuple[str, int]], page: int
) -> None:
    """Loads are announced, see the log at some moment, and finish later, with appends and
    tail reads in between (and pages so small that the tail often jumps to the head). After a
    read that started once every append was made, every stream the tail claims to know is at
    its true latest version, and none is claimed empty that has events."""
    log = FakeLog()
    tail = Tail(log.read, log.head, page=page)
    loads: list[tuple[UUID, int, int]] = []  # stream, version seen, token
    for op, arg in ops:
        if op == "append":
            log.append(STREAMS[arg])
        elif op == "announce":
            stream = STREAMS[arg]
            token = tail.loading(stream)
            loads.append((stream, log.latest(stream), token))  # the load reads the log now
        elif op == "finish" and loads:
            stream, seen, token = loads.pop(arg % len(loads))
            tail.loaded(stream, seen, token)
        elif op == "read":
            tail.catch_up(time.monotonic())
    for stream, seen, token in loads:
        tail.loaded(stream, seen, token)
    tail.catch_up(time.monotonic())
    for stream in STREAMS:
        known = tail.latest(stream)
        assert known is None or known == log.latest(stream), (stream, known)


def test_a_known_stream_is_followed_without_loading_it_again() -> None:
    log = FakeLog()
    tail = Tail(log.read, log.head)
    a, b = STREAMS[:2]
    log.append(a)
    tail.catch_up(time.monotonic())
    tail.loaded(b, 0, tail.loading(b))  # b has no events: known empty
    tail.loaded(a, 1, tail.loading(a))
    log.append(a)
    log.append(b)
    assert tail.latest(a) == 1  # not read yet
    tail.catch_up(time.monotonic())
    assert (tail.latest(a), tail.latest(b)) == (2, 1)


def test_a_failed_load_teaches_nothing() -> None:
    log = FakeLog()
    tail = Tail(log.read, log.head)
    tail.catch_up(time.monotonic())
    stream = STREAMS[0]
    tail.loaded(stream, None, tail.loading(stream))
    assert tail.latest(stream) is None


def test_concurrent_callers_share_a_read_that_started_late_enough() -> None:
    """Threads that ask while a read is under way wait for it (if it started after they asked)
    or for the next one: fewer reads than callers, and each caller's read started after it."""
    log = FakeLog()
    release = threading.Event()

    def slow_read(after: int, limit: int) -> list[tuple[int, UUID, int]]:
        release.wait(5)
        return log.read(after, limit)

    tail = Tail(slow_read, log.head)
    tail.catch_up(time.monotonic())  # the first read only finds the head
    asked = time.monotonic()
    threads = [threading.Thread(target=tail.catch_up, args=(asked,)) for _ in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(0.05)
    release.set()
    for thread in threads:
        thread.join(5)
    assert not any(t.is_alive() for t in threads)
    assert log.reads == 1  # eight callers, one read (it started after all of them asked)


def test_the_memory_of_streams_is_bounded() -> None:
    log = FakeLog()
    tail = Tail(log.read, log.head, capacity=3)
    tail.catch_up(time.monotonic())
    streams = [uuid4() for _ in range(5)]
    for stream in streams:
        tail.loaded(stream, 0, tail.loading(stream))
    assert [tail.latest(s) for s in streams] == [None, None, 0, 0, 0]  # the oldest forgotten


def test_a_save_moves_a_known_stream_and_leaves_an_unknown_one_unknown() -> None:
    log = FakeLog()
    tail = Tail(log.read, log.head)
    tail.catch_up(time.monotonic())
    known, unknown = STREAMS[:2]
    tail.loaded(known, 0, tail.loading(known))
    tail.saved(known, 1)
    tail.saved(unknown, 1)
    assert (tail.latest(known), tail.latest(unknown)) == (1, None)
