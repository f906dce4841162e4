"""CSV answers of the API: the rendering itself is shared (`logbog_es.exports`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from fastapi.responses import Response

from logbog_es.exports import DEPARTMENT_OVERVIEW, HISTORY, REGION_REGISTER, csv_text

__all__ = ["DEPARTMENT_OVERVIEW", "HISTORY", "REGION_REGISTER", "csv_response", "wants_csv"]


def wants_csv(accept: str | None) -> bool:
    return bool(accept) and "text/csv" in str(accept).lower()


def csv_response(
    rows: Iterable[dict[str, Any]],
    columns: list[tuple[str, str, Callable[[Any], str] | None]],
    filename: str,
    specialties: dict[str, str] | None = None,
) -> Response:
    return Response(
        content=csv_text(rows, columns, specialties),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
