"""Reads compiled to SQL once per process, then run with new parameter values.

The customer 360 view and the customer list run the same few reads over and over, differing
only in the values they compare with: a customer's id, a status, a search prefix. Building
a queryset and compiling it to SQL cost Django more CPU than sending the statement and
converting its rows (about 60% of the time of the 360 view's reads), so a busy server spent
most of a request re-deriving SQL text it had derived a moment before. These classes do that
work once per shape of query: they build the queryset with stand-in values for the
parameters, compile it, note where each stand-in landed among the SQL parameters, and from
then on only substitute the values, execute, and convert the rows exactly as
``QuerySet.values()`` would.

The rule for a build function: parameters may only be compared with (filter values). A value
computed from a parameter (``prefix + "z"``, ``owner_id or None``) or a shape chosen by one
(``if``, slicing) would be frozen into the SQL, and the compiled query would then answer
another question than the one asked: a parameter turned into ``None`` compiles to
``owner_id IS NULL`` and finds other people's customers. So each build is compiled twice,
with two different sets of stand-ins (negative and positive numbers, two texts), and is
refused, at its first use, unless both give the same SQL text and every parameter's stand-in
sits in the same places of both parameter lists, and nowhere else anything derived from one.
"""

import functools
import inspect
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from threading import Lock

from django.db import connections
from django.db.models import QuerySet
from django.db.models.sql import Query
from django.db.models.sql.compiler import SQLCompiler

# Two sets of stand-ins, different in value, sign and length, that no constant of a query is
# likely to equal; no text a build writes itself contains U+FFFF.
_STAND_INS = {
    int: (lambda k: -1_000_000_007 - k, lambda k: 2_000_000_011 + k),
    str: (lambda k: f"\uffff{k}\uffff", lambda k: f"\uffff{k}\ufffe\ufffe\uffff"),
}


class UnsafeBuild(ValueError):
    """A build function whose SQL would not compare with the values it is given."""


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    # parameter name -> (position in ``params``, the type the backend wrapped the value in)
    slots: dict[str, list[tuple[int, type]]]
    names: list[str]  # the row's keys, as values() names them
    compiler: SQLCompiler  # applies the converters; it only reads its compiled state
    converters: dict  # column position -> the ORM's converters of its values

    def _bound(self, params: dict[str, int | str]) -> list:
        values = list(self.params)
        for name, positions in self.slots.items():
            value = params[name]
            for position, kind in positions:
                values[position] = value if type(value) is kind else kind(value)
        return values

    def rows(self, using: str, params: dict[str, int | str]) -> list[dict]:
        with connections[using].cursor() as cursor:
            cursor.execute(self.sql, self._bound(params))
            rows = cursor.fetchall()
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        return [dict(zip(self.names, row, strict=True)) for row in rows]

    def count(self, using: str, params: dict[str, int | str]) -> int:
        # The checked SQL inside a derived table: its parameters stay exactly where they
        # were checked to be, and a LIMIT in it bounds the count.
        with connections[using].cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM ({self.sql}) counted", self._bound(params))
            return int(cursor.fetchone()[0])


def _is_stand_in(value, stand_in: int | str) -> bool:
    # PostgreSQL's backend hands some numbers over typed (psycopg's Int4, an int).
    return isinstance(value, type(stand_in)) and not isinstance(value, bool) and value == stand_in


def _compile_with(build: Callable[..., QuerySet], stand_ins: dict, using: str):
    query = build(**stand_ins).query
    compiler = query.get_compiler(using)
    sql, params = compiler.as_sql()
    return query, compiler, sql, tuple(params)


def _slots(name: str, params: tuple, other_params: tuple, first: dict, second: dict) -> dict:
    """Where each parameter sits among the SQL parameters, or ``UnsafeBuild``."""
    slots: dict[str, list[tuple[int, type]]] = {key: [] for key in first}
    stand_ins = [*first.values(), *second.values()]
    for position, (value, other) in enumerate(zip(params, other_params, strict=True)):
        keys = [
            k for k in first if _is_stand_in(value, first[k]) and _is_stand_in(other, second[k])
        ]
        if keys:
            slots[keys[0]].append((position, type(value)))
            continue
        constant = type(value) is type(other) and value == other
        derived = isinstance(value, str) and "\uffff" in value
        if not constant or derived or any(_is_stand_in(value, s) for s in stand_ins):
            raise UnsafeBuild(f"{name} cannot be compiled: a parameter is computed with")
    unused = [key for key, positions in slots.items() if not positions]
    if unused:
        raise UnsafeBuild(
            f"{name} cannot be compiled: {', '.join(unused)} never reaches the SQL as a value"
            " (turned into None or a shape, or unused)"
        )
    return slots


def row_names(query: Query) -> list[str]:
    """The keys of a ``values()`` query's rows, in the order of its SQL's columns."""
    names = list(query.selected or [])
    return names or [*query.extra_select, *query.values_select, *query.annotation_select]


def _compile(name: str, build: Callable[..., QuerySet], types: dict, using: str) -> _Compiled:
    first, second = (
        {key: _STAND_INS[kind][which](k) for k, (key, kind) in enumerate(types.items())}
        for which in (0, 1)
    )
    query, compiler, sql, params = _compile_with(build, first, using)
    _query, _compiler, other_sql, other_params = _compile_with(build, second, using)
    if sql != other_sql or len(params) != len(other_params) or compiler.has_extra_select:
        raise UnsafeBuild(f"{name} cannot be compiled: a parameter shapes its SQL")
    slots = _slots(name, params, other_params, first, second)
    names = row_names(query)
    converters = compiler.get_converters([column for column, *_ in compiler.select])
    return _Compiled(sql, params, slots, names, compiler, converters)


class CompiledQuery:
    """A ``values()`` query whose shape never changes, compiled once per database.

    Used as a decorator on a function that takes keyword parameters annotated ``int`` or
    ``str`` and returns the queryset; every parameter must reach the query::

        @CompiledQuery
        def holdings_of(customer_id: int) -> QuerySet:
            return Holding.objects.filter(customer_id=customer_id).values("id", "balance")

        holdings_of.rows(customer_id=42)
    """

    def __init__(self, build: Callable[..., QuerySet]) -> None:
        self.__name__ = build.__name__
        self.__doc__ = build.__doc__
        self.__wrapped__ = build
        self._build = build
        self._types = {}
        for name, parameter in inspect.signature(build, eval_str=True).parameters.items():
            if parameter.annotation not in _STAND_INS:
                raise TypeError(f"parameter {name!r} of a compiled query must be int or str")
            self._types[name] = parameter.annotation
        self._compiled: dict[str, _Compiled] = {}

    def rows(self, using: str = "default", /, **params: int | str) -> list[dict]:
        """The query's rows for these parameter values, as ``values()`` gives them."""
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = _compile(self.__name__, self._build, self._types, using)
            self._compiled[using] = compiled
        return compiled.rows(using, params)


class ShapedQuery:
    """A ``values()`` query with a few shapes, each compiled once per database.

    ``build(shape, **params)`` returns the queryset. ``shape`` is a hashable value that,
    with the names and types (``int`` or ``str``) of the parameters given, decides the SQL
    completely: which filters, which sort, which page. Every parameter given must be compared
    with in the shape's SQL (pass only those it uses). The newest ``max_shapes`` shapes are
    kept.
    """

    def __init__(self, build: Callable[..., QuerySet], max_shapes: int = 256) -> None:
        self.__name__ = build.__name__
        self.__doc__ = build.__doc__
        self.__wrapped__ = build
        self._build = build
        self._max_shapes = max_shapes
        self._compiled: OrderedDict[Hashable, _Compiled] = OrderedDict()
        self._lock = Lock()

    def rows(self, shape: Hashable, using: str = "default", /, **params: int | str) -> list[dict]:
        """The rows of the query of this shape for these parameter values."""
        return self._compiled_for(shape, using, params).rows(using, params)

    def count(self, shape: Hashable, using: str = "default", /, **params: int | str) -> int:
        """How many rows the query of this shape has for these values (a LIMIT bounds it)."""
        return self._compiled_for(shape, using, params).count(using, params)

    def _compiled_for(self, shape: Hashable, using: str, params: dict) -> _Compiled:
        types = {name: type(value) for name, value in params.items()}
        key = (using, shape, tuple(types.items()))
        with self._lock:
            compiled = self._compiled.get(key)
            if compiled is not None:
                self._compiled.move_to_end(key)
        if compiled is None:
            if any(kind not in _STAND_INS for kind in types.values()):
                raise TypeError(f"parameters of {self.__name__} must be int or str")
            build = functools.partial(self._build, shape)
            compiled = _compile(self.__name__, build, types, using)
            with self._lock:
                self._compiled[key] = compiled
                if len(self._compiled) > self._max_shapes:
                    self._compiled.popitem(last=False)
        return compiled
