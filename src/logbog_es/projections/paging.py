"""Keyset (cursor) pagination over a base query, with a whitelisted sort column."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from logbog_es.projections.store import ReadStore, Row


class BadCursor(ValueError):
    """The cursor was not one this API handed out."""


@dataclass(frozen=True, slots=True)
class Sort:
    column: str  # an SQL column of the base query, from a whitelist
    descending: bool = False

    @classmethod
    def parse(cls, value: str, allowed: dict[str, str]) -> Sort:
        """'name' or '-name' -> Sort; ValueError naming the allowed keys otherwise."""
        descending = value.startswith("-")
        key = value.lstrip("-")
        if key not in allowed:
            raise ValueError(f"sort by one of {', '.join(sorted(allowed))} (prefix '-' to reverse)")
        return cls(allowed[key], descending)


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[Row]
    next_cursor: str | None


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps([str(v) if v is not None else "" for v in values]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError) as error:
        raise BadCursor("the cursor is not one this API returned; start without it") from error
    if not isinstance(values, list) or len(values) != 2:
        raise BadCursor("the cursor is not one this API returned; start without it")
    return [str(v) for v in values]


def keyset_page(
    store: ReadStore,
    base: str,
    base_params: list[Any],
    *,
    where: str,
    where_params: list[Any],
    sort: Sort,
    tiebreak: str,
    cursor: str | None,
    limit: int,
    plain_key: bool = False,
) -> Page:
    """Rows of `base` filtered by `where`, ordered by the sort column then `tiebreak`.

    `plain_key`: the sort column is never null, so it is compared as it is (an index can serve
    the order); otherwise it is compared as text with nulls first."""
    key = sort.column if plain_key else f"COALESCE(CAST({sort.column} AS TEXT), '')"
    sql = f"SELECT * FROM ({base}) t WHERE {where}"  # noqa: S608 - whitelisted identifiers only
    params = [*base_params, *where_params]
    if cursor:
        last_key, last_id = decode_cursor(cursor)
        op = "<" if sort.descending else ">"
        sql += f" AND ({key} {op} ? OR ({key} = ? AND {tiebreak} {op} ?))"
        params += [last_key, last_key, last_id]
    direction = "DESC" if sort.descending else "ASC"
    sql += f" ORDER BY {key} {direction}, {tiebreak} {direction} LIMIT ?"
    params.append(limit + 1)
    rows = store.fetchall(sql, params)
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        last = page[-1]
        next_cursor = encode_cursor([_key_text(last[_bare(sort.column)]), last[_bare(tiebreak)]])
    return Page(page, next_cursor)


def _bare(column: str) -> str:
    return column.rsplit(".", maxsplit=1)[-1]


def _key_text(value: Any) -> str:
    return "" if value is None else str(value)
