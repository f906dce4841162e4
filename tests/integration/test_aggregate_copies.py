"""Commands get their own copy of a cached aggregate; readers may share the cached one."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from logbog_es.application import Logbog
from logbog_es.application.chain import MEMORY_FACTORY
from logbog_es.application.handlers import HANDLERS
from logbog_es.demo import load_demo
from logbog_es.domain.access import DepartmentAccess
from logbog_es.domain.base import CopiedOneLevel, Meta, SharedAggregateChanged
from logbog_es.domain.department import Department
from logbog_es.domain.doctor import Doctor
from logbog_es.domain.programme import Programme
from logbog_es.domain.staff import StaffMember
from logbog_es.domain.values import Capacity


@pytest.fixture
def demo() -> Logbog:
    env = {  # as bootstrap wires it: a cache, fast-forwarded, copied for commands
        "PERSISTENCE_MODULE": MEMORY_FACTORY,
        "AGGREGATE_CACHE_MAXSIZE": "1000",
        "AGGREGATE_CACHE_FASTFORWARD": "y",
        "DEEPCOPY_FROM_AGGREGATE_CACHE": "y",
    }
    app = Logbog(handlers=HANDLERS, env=env, today=lambda: date(2026, 6, 15))
    assert app.repository.cache is not None
    load_demo(app)
    return app


def _programmes(app: Logbog) -> list[Programme]:
    doctors = [
        app.find(Doctor, n.originator_id)
        for n in app.recorder.select_notifications(1, 100_000)
        if n.topic == "logbog:Doctor.Registered"
    ]
    found = [app.find(Programme, p.programme_id) for d in doctors if d for p in d.programmes]
    return [p for p in found if p is not None]


def _aggregates_copied_one_level(app: Logbog) -> list[CopiedOneLevel]:
    streams = {n.originator_id for n in app.recorder.select_notifications(1, 100_000)}
    found = (app.repository.get(stream) for stream in streams)
    return [a for a in found if isinstance(a, CopiedOneLevel)]


def test_a_copy_equals_the_aggregate_and_shares_no_container(demo: Logbog) -> None:
    """`CopiedOneLevel.__deepcopy__` copies one level: equal state, no dict or list in common,
    and every value below that level immutable (so sharing it is safe); on every aggregate of
    every class that copies so."""
    aggregates = _aggregates_copied_one_level(demo)
    kinds = {type(a) for a in aggregates}
    assert kinds == {Programme, Doctor, Department, DepartmentAccess, StaffMember}
    assert all(issubclass(k, CopiedOneLevel) for k in kinds)
    assert any(p.approval_map and p.absences for p in aggregates if isinstance(p, Programme))
    for aggregate in aggregates:
        clone = copy.deepcopy(aggregate)
        assert type(clone) is type(aggregate)
        assert vars(clone) == vars(aggregate)
        for key, value in vars(aggregate).items():
            if isinstance(value, dict | list | set):
                assert vars(clone)[key] is not value, key
                inner = value.values() if isinstance(value, dict) else value
                for item in inner:
                    assert not isinstance(item, dict | list | set), (key, item)
                    hash(item)  # frozen dataclasses, tuples, UUIDs, dates: hashable
            else:
                hash(value)  # an immutable value, shared by the copy


def test_changing_a_copy_leaves_the_cached_programme_as_it_was(demo: Logbog) -> None:
    programme = next(p for p in _programmes(demo) if p.active_by_code)
    shared = demo.find(Programme, programme.id, shared=True)
    assert shared is not None
    assert demo.find(Programme, programme.id, shared=True) is shared  # the cache's own
    before = copy.deepcopy(vars(shared))
    mine = demo.find(Programme, programme.id)
    assert mine is not None and mine is not shared
    approval = next(iter(mine.active_by_code.values()))
    mine.withdraw(approval_id=approval, reason="test", meta=Meta("t", Capacity.UAO, "c"))
    assert vars(demo.find(Programme, programme.id, shared=True)) == before


def test_a_shared_aggregate_refuses_to_change(demo: Logbog) -> None:
    """Reading code that called a command method on the cache's own instance would corrupt
    every later read: it raises instead."""
    programme = next(p for p in _programmes(demo) if p.active_by_code)
    shared = demo.find(Programme, programme.id, shared=True)
    assert shared is not None
    approval = next(iter(shared.active_by_code.values()))
    with pytest.raises(SharedAggregateChanged):
        shared.withdraw(approval_id=approval, reason="test", meta=Meta("t", Capacity.UAO, "c"))
    assert approval in shared.active_by_code.values()
    assert demo.find(Programme, programme.id) is not None  # a command's copy can change again
