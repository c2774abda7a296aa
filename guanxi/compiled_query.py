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
computed from a parameter (``prefix + "z"``) or a shape chosen by one (``if``, slicing) would
be frozen into the SQL; it is caught where it can be (computed text, a parameter of a fixed
query that never appears) and must otherwise be passed in as a parameter of its own.
"""

import functools
import inspect
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from threading import Lock

from django.db import connections
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler

# Stand-ins no real parameter equals: ids are positive, and no text contains U+FFFF.
_STAND_INS = {int: lambda k: -1_000_000_007 - k, str: lambda k: f"\uffff{k}\uffff"}


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    slots: dict[str, list[int]]  # parameter name -> positions in ``params``
    names: list[str]  # the row's keys, as values() names them
    compiler: SQLCompiler  # applies the converters; it only reads its compiled state
    converters: dict  # column position -> the ORM's converters of its values

    def rows(self, using: str, params: dict[str, int | str]) -> list[dict]:
        values = list(self.params)
        for name, positions in self.slots.items():
            for position in positions:
                values[position] = params[name]
        with connections[using].cursor() as cursor:
            cursor.execute(self.sql, values)
            rows = cursor.fetchall()
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        return [dict(zip(self.names, row, strict=True)) for row in rows]


def _compile(name: str, build: Callable[..., QuerySet], types: dict, using: str) -> _Compiled:
    stand_ins = {key: _STAND_INS[kind](k) for k, (key, kind) in enumerate(types.items())}
    query = build(**stand_ins).query
    compiler = query.get_compiler(using)
    sql, params = compiler.as_sql()
    slots = {key: [i for i, p in enumerate(params) if p == v] for key, v in stand_ins.items()}
    computed = any(
        isinstance(p, str) and "\uffff" in p and p not in stand_ins.values() for p in params
    )
    if computed or compiler.has_extra_select:
        raise ValueError(f"{name} cannot be compiled: a parameter is computed with or shapes it")
    names = list(query.selected or [])
    names = names or [*query.extra_select, *query.values_select, *query.annotation_select]
    converters = compiler.get_converters([column for column, *_ in compiler.select])
    slots = {k: v for k, v in slots.items() if v}
    return _Compiled(sql, tuple(params), slots, names, compiler, converters)


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
        functools.update_wrapper(self, build)
        self._build = build
        self._types = {}
        for name, parameter in inspect.signature(build, eval_str=True).parameters.items():
            if parameter.annotation not in _STAND_INS:
                raise TypeError(f"parameter {name!r} of a compiled query must be int or str")
            self._types[name] = parameter.annotation
        self._compiled: dict[str, _Compiled] = {}

    def rows(self, using: str = "default", **params: int | str) -> list[dict]:
        """The query's rows for these parameter values, as ``values()`` gives them."""
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = _compile(self.__name__, self._build, self._types, using)
            if compiled.slots.keys() != self._types.keys():
                raise ValueError(f"{self.__name__} cannot be compiled: a parameter shapes it")
            self._compiled[using] = compiled
        return compiled.rows(using, params)


class ShapedQuery:
    """A ``values()`` query with a few shapes, each compiled once per database.

    ``build(shape, **params)`` returns the queryset. ``shape`` is a hashable value that,
    with the names and types (``int`` or ``str``) of the parameters given, decides the SQL
    completely: which filters, which sort, which page. A parameter a shape does not use is
    ignored. The newest ``max_shapes`` shapes are kept.
    """

    def __init__(self, build: Callable[..., QuerySet], max_shapes: int = 256) -> None:
        functools.update_wrapper(self, build)
        self._build = build
        self._max_shapes = max_shapes
        self._compiled: OrderedDict[Hashable, _Compiled] = OrderedDict()
        self._lock = Lock()

    def rows(self, shape: Hashable, using: str = "default", **params: int | str) -> list[dict]:
        """The rows of the query of this shape for these parameter values."""
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
        return compiled.rows(using, params)
