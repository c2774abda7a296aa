"""Administrative division codes for resident ID numbers, read from python-stdnum's database.

python-stdnum validates the first six digits of an ID against the divisions that existed in
the holder's birth year, so birthplaces are drawn per birth year from the same database.
"""

import re
from dataclasses import dataclass
from functools import cache

import numpy as np
from stdnum import numdb

_ALTERNATIVE = re.compile(r"^(?:\[(\d*)-(\d*)\])?(.+)$")
_OPEN_END = 9999
# Birthplaces are redrawn this many times before falling back to divisions valid in any year.
_REDRAWS = 24


@dataclass(frozen=True)
class RegionTable:
    """One row per (division code, name, years it existed)."""

    codes: np.ndarray
    first_year: np.ndarray
    last_year: np.ndarray
    names: tuple[str, ...]

    def rows_under(self, prefix: str) -> np.ndarray:
        """Row indexes of divisions whose code starts with a 2- or 4-digit prefix."""
        scale = 10 ** (6 - len(prefix))
        return np.flatnonzero(self.codes // scale == int(prefix))

    def current_districts(self, prefix: str) -> list[str]:
        """Names of today's urban districts under a city prefix, for addresses."""
        return sorted(
            {
                self.names[i]
                for i in self.rows_under(prefix)
                if self.last_year[i] == _OPEN_END and self.names[i].endswith("区")
            }
        )

    def draw_birthplaces(
        self,
        rng: np.random.Generator,
        *,
        city_rows: list[np.ndarray],
        city: np.ndarray,
        year: np.ndarray,
    ) -> np.ndarray:
        """A region code valid in each birth year: mostly the customer's city, else anywhere."""
        local = rng.random(city.size) < 0.6
        chosen = np.full(city.size, -1, dtype=np.int64)
        for _attempt in range(_REDRAWS):
            todo = np.flatnonzero(chosen < 0)
            if todo.size == 0:
                break
            rows = self._candidates(rng, city_rows, city[todo], local[todo])
            ok = (self.first_year[rows] <= year[todo]) & (year[todo] <= self.last_year[rows])
            chosen[todo[ok]] = rows[ok]
        todo = np.flatnonzero(chosen < 0)
        always = np.flatnonzero((self.first_year == 0) & (self.last_year == _OPEN_END))
        chosen[todo] = rng.choice(always, todo.size)
        return self.codes[chosen]

    def _candidates(
        self,
        rng: np.random.Generator,
        city_rows: list[np.ndarray],
        city: np.ndarray,
        local: np.ndarray,
    ) -> np.ndarray:
        """A random division per person: anywhere, or in their city for the local ones."""
        rows = rng.integers(0, self.codes.size, city.size)
        for index, candidates in enumerate(city_rows):
            here = np.flatnonzero(local & (city == index))
            if here.size and candidates.size:
                rows[here] = rng.choice(candidates, here.size)
        return rows


@cache
def region_table() -> RegionTable:
    """Every county-level division in stdnum's database with the years it was in use."""
    codes, first, last, names = [], [], [], []
    for _len, province, _high, _props, counties in numdb.get("cn/loc").prefixes:
        for _clen, county, _chigh, props, _children in counties:
            if county.endswith("00") or "county" not in props:
                continue  # province and prefecture rows are not birthplaces
            for alternative in props["county"].split(","):
                start, end, name = _ALTERNATIVE.match(alternative).groups()
                if name in ("市辖区", "市区", "郊区"):
                    continue  # bookkeeping divisions, never printed on a real ID
                codes.append(int(province + county))
                first.append(int(start) if start else 0)
                last.append(int(end) if end else _OPEN_END)
                names.append(name)
    return RegionTable(
        codes=np.array(codes, dtype=np.int64),
        first_year=np.array(first),
        last_year=np.array(last),
        names=tuple(names),
    )
