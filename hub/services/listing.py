"""One page of a list query, as the API's lists return them."""
from __future__ import annotations

from typing import Any, Callable

import sqlalchemy as sa

from hub.extensions import db


def page_of(query: sa.Select, page: int, per_page: int,
            serialize: Callable[[Any], dict]) -> dict[str, Any]:
    """`{"items": [...], "total": N}`: page `page` (from 1) of `per_page` rows of `query`."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page))
    return {"items": [serialize(row) for row in rows], "total": total or 0}
