"""Who may see what (Scope) and what the user chose to look at (Filters), applied in SQL.

Every read in queries/ takes a Scope and builds its WHERE clause through `enterprise_where`, so a
page cannot forget the viewer's jurisdiction. Values reach SQL only as bound parameters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, true
from sqlalchemy.sql.elements import ColumnElement

from queries.schema import enterprise

SCOPE_LEVELS = ("province", "city", "county", "park")


@dataclass(frozen=True)
class Scope:
    """The viewer's jurisdiction: the whole province, one city, one county or one park."""

    level: str = "province"
    code: str | None = None  # adcode, or park_id as text; None for the whole province

    def __post_init__(self):
        if self.level not in SCOPE_LEVELS:
            raise ValueError(f"unknown scope level {self.level!r}")
        if self.level != "province" and not self.code:
            raise ValueError(f"scope level {self.level!r} needs a code")


PROVINCE = Scope()


@dataclass(frozen=True)
class Filters:
    """The shared sidebar filters. Empty tuples mean 'all'."""

    cities: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    parks: tuple[int, ...] = ()
    listing_years: tuple[int, ...] = ()
    period_id: int | None = None
    as_of: dt.date = field(default_factory=dt.date.today)


def scope_where(scope: Scope, ent=enterprise) -> ColumnElement[bool]:
    if scope.level == "province":
        return true()
    if scope.level == "city":
        return ent.c.city_adcode == scope.code
    if scope.level == "county":
        return ent.c.county_adcode == scope.code
    return ent.c.park_id == int(scope.code)


def enterprise_where(scope: Scope, filters: Filters | None = None, ent=enterprise
                     ) -> ColumnElement[bool]:
    """Scope AND the enterprise-level filters (city, industry, park) on the enterprise table."""
    clauses = [scope_where(scope, ent)]
    if filters is not None:
        if filters.cities:
            clauses.append(ent.c.city_adcode.in_(filters.cities))
        if filters.industries:
            clauses.append(ent.c.industry_code.in_(filters.industries))
        if filters.parks:
            clauses.append(ent.c.park_id.in_(filters.parks))
    return and_(*clauses)
