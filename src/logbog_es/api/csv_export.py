"""CSV answers of the API: the rendering itself is shared (`logbog_es.exports`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from fastapi.responses import StreamingResponse

from logbog_es.exports import DEPARTMENT_OVERVIEW, HISTORY, REGION_REGISTER, csv_chunks

__all__ = ["DEPARTMENT_OVERVIEW", "HISTORY", "REGION_REGISTER", "csv_response", "wants_csv"]


def wants_csv(accept: str | None) -> bool:
    return bool(accept) and "text/csv" in str(accept).lower()


def csv_response(
    rows: Iterable[dict[str, Any]],
    columns: list[tuple[str, str, Callable[[Any], str] | None]],
    filename: str,
    specialties: dict[str, str] | None = None,
) -> StreamingResponse:
    """Streamed as the rows come (a lazy `rows` is read a page at a time, in a worker thread),
    so a region's whole register neither waits for its last row nor sits in memory."""
    return StreamingResponse(
        content=csv_chunks(rows, columns, specialties),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
