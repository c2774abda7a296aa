"""The SQL of a page of the customer list: scope, filters, search, sort and page window.

The list is the busiest read after the 360 view, and Django spent more CPU building and
compiling its nested search query than the database spent answering it. Its SQL depends on
few things — which terms of the viewer's record scope apply, which filters are set, the
search's shape, the sort and the page window — so each such shape is compiled once per
process (``ShapedQuery``) and requests only bind the values, the scope's among them. Lists
of a saved-filter group, whose definition lives in the database and may change, are built
afresh each time, and a saved filter's search is exact (``apply_list_filter``).

With a finished analysis run, the run's scores are joined as ``current`` (its id is a value
compared with; which analytics filters apply is part of the shape, see ``list_analytics``),
and ``_count_query`` counts the same filtered query, up to ``COUNT_LIMIT``.
"""

from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OrderBy,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf

from guanxi import policy
from guanxi.compiled_query import ShapedQuery
from guanxi.customers.list_analytics import ANALYTICS_SORTS
from guanxi.customers.models import Customer, CustomerGroup, GroupKind
from guanxi.customers.search import SearchCondition, search_condition, search_terms
from guanxi.policy.rules import teammates_of

SORTS: dict[str, tuple[str | OrderBy, str | OrderBy]] = {
    "name": ("name_pinyin", "id"),
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
    "-lifetime_revenue": ("-lifetime_revenue", "-id"),
    "-last_purchase_at": ("-last_purchase_at", "-id"),
    # By a score of the current analysis run (``list_analytics``); customers without one last.
    **{
        sort: (
            F(f"current__{column}").desc(nulls_last=True)
            if sort.startswith("-")
            else F(f"current__{column}").asc(nulls_last=True),
            "-id" if sort.startswith("-") else "id",
        )
        for sort, column in ANALYTICS_SORTS.items()
    },
}
SEARCH_CANDIDATES = 20_000
# A list counts its matches up to this many; beyond, it says "at least" (as "1,000+"):
# counting every one of a million customers would cost more than the page itself, and
# even 10,000 cost each list request five times the page's own query.
COUNT_LIMIT = 1_000
# What a row shows of the current run's scores (None for a customer without them).
SHOWN_SCORES = {
    name: F(f"current__{column}")
    for name, column in (
        ("rfm_segment", "rfm_segment"),
        ("pyramid_level", "pyramid_level"),
        ("churn_warning", "churn_warning"),
        ("churn_priority", "churn_priority"),
        ("value_at_risk", "value_at_risk"),
        ("score", "score"),
        ("value", "value"),
        ("aum", "aum"),
        ("profit_12m", "profit_12m"),
        ("unprofitable", "unprofitable"),
    )
}
# The branch's and owner's names as rows show them, read in the customer's own statement.
SHOWN_NAMES = {
    "branch_name": F("branch__name"),
    "owner_name": Coalesce(NullIf("owner__profile__display_name", Value("")), "owner__username"),
}
# What a list row shows, fetched as plain values: a 50-row page then costs no model instances.
LIST_VALUES = (
    *("id", "kind", "name", "phone", "id_number", "email", "status", "value_tier"),
    *("lifetime_revenue", "last_purchase_at", "version", "branch_id", "owner_id"),
    *SHOWN_NAMES,
)
COMPARED = ("status", "value_tier", "branch_id", "owner_id")
# A saved filter may name a group whose filter names a group, and no deeper.
MAX_GROUP_NESTING = 2


def _narrowed(customers: QuerySet, key: str, value: int | str) -> QuerySet:
    """Customers with one filter of the list applied (a static group by its id)."""
    if key == "tag":
        return customers.filter(tags__name=value)
    if key == "static_group":
        return customers.filter(groupmembership__group_id=value)
    return customers.filter(**{key: value})


def apply_list_filter(customers: QuerySet, clean: dict, depth: int = 0) -> QuerySet:
    """Narrow a queryset by a cleaned filter (values as given, not compiled).

    The result is exact: every customer matching a saved filter's search is in it, however
    many there are (a campaign audience must not lose members), unlike a list page's search,
    which ranks a bounded number of candidates.
    """
    for key in (*COMPARED, "tag"):
        if key in clean:
            customers = _narrowed(customers, key, clean[key])
    if "group_id" in clean:
        # A saved filter may name a group deleted since: it then matches nobody.
        group = CustomerGroup.objects.filter(pk=clean["group_id"]).first()
        customers = _in_group(customers, group, depth) if group else customers.none()
    terms = search_terms(clean.get("q", ""))
    if terms is not None:
        customers = customers.filter(terms.condition().any)
    return customers


def saved_filter_nesting(group_id: int | None) -> int:
    """How many saved-filter groups a list filtered by this group goes through."""
    nesting = 0
    while group_id is not None and nesting <= MAX_GROUP_NESTING:
        group = CustomerGroup.objects.filter(pk=group_id).values("kind", "filter").first()
        if group is None or group["kind"] == GroupKind.STATIC:
            break
        nesting += 1
        group_id = group["filter"].get("group_id")
    return nesting


def _in_group(customers: QuerySet, group: CustomerGroup, depth: int) -> QuerySet:
    if group.kind == GroupKind.STATIC:
        return _narrowed(customers, "static_group", group.pk)
    if depth >= MAX_GROUP_NESTING:  # refused when saved; kept as a guard for older groups
        return customers.none()
    return apply_list_filter(customers, group.filter, depth + 1)


def _fenced(customers: QuerySet, condition: Q) -> QuerySet:
    # The matches are found first, by index lookups, and sorted afterwards. Left to itself
    # PostgreSQL walks the sort index hoping to meet a page of matches early, which scans
    # most of a million rows for a rare prefix; a LIMITed subquery cannot be flattened, so
    # it is computed first. Beyond SEARCH_CANDIDATES matches a query is too vague to rank:
    # the page then ranks that many of them and says so (``_past_fence``).
    return customers.filter(condition).values("pk")[:SEARCH_CANDIDATES]


def _past_fence(customers: QuerySet, condition: SearchCondition, order: tuple) -> Case:
    """Whether a search's fenced part has more matches than were ranked.

    Counting past the fence among the viewer's customers costs another pass over them, as
    much as the search itself; among all customers it is a walk of the search's indexes,
    and seldom goes far. So the first is asked only when the second says it may be so.
    """
    fenced = condition.rest if condition.pinyin is not None and order == SORTS["name"] else None
    fenced = condition.any if fenced is None else fenced
    beyond = slice(SEARCH_CANDIDATES, SEARCH_CANDIDATES + 1)
    anywhere = Exists(Customer.objects.filter(fenced).values("pk")[beyond])
    here = Exists(customers.filter(fenced).values("pk")[beyond])
    return Case(When(anywhere, then=here), default=Value(False))


def _search_page(
    customers: QuerySet, condition: SearchCondition, order: tuple, needed: int
) -> QuerySet:
    """Customers matching a search, for a list sorted by ``order`` showing ``needed`` rows.

    In name order, the pinyin matches come straight from their index, ``needed`` of them,
    instead of all of them being fetched to be sorted: a common prefix ("zhangl") has
    thousands. The other matches are fenced.
    """
    if condition.pinyin is None or order != SORTS["name"]:
        return customers.model.objects.filter(pk__in=_fenced(customers, condition.any))
    first = customers.filter(condition.pinyin).order_by(*order).values("pk")[:needed]
    rest = _fenced(customers, condition.rest)
    if connection.features.supports_slicing_ordering_in_compound:
        return customers.model.objects.filter(pk__in=first.union(rest, all=True))
    # SQLite cannot LIMIT the parts of a UNION; it looks up an OR of id lists just as well.
    return customers.model.objects.filter(Q(pk__in=first) | Q(pk__in=rest))


def scope_terms(viewer: policy.Viewer) -> tuple[tuple[str, ...], dict[str, int]]:
    """The viewer's record scope for a list page: which terms of ``policy.scope_condition``
    can match (part of the page's shape) and their values (compared with).

    ``("everyone",)`` for a viewer who sees every customer; no terms for one who sees none.
    A term whose value is 0 matches nobody and is left out, so that each term left can be
    answered from its own index, in the list's order, instead of an OR of them all scanned.
    """
    values = policy.scope_values(viewer)
    if values["everyone"]:
        return ("everyone",), {}
    terms = tuple(key for key in ("own_id", "branch_id", "team_of") if values[key])
    # Named apart from the list's own branch and owner filters, which may be set too.
    return terms, {f"scope_{key}": values[key] for key in terms}


def _scoped(customers: QuerySet, terms: tuple[str, ...], values: dict) -> QuerySet:
    # policy.scope_condition without the terms the shape knows match nobody.
    if "everyone" in terms:
        return customers
    condition = Q()
    if "own_id" in terms:
        condition |= Q(owner_id=values["scope_own_id"])
    if "branch_id" in terms:
        condition |= Q(branch_id=values["scope_branch_id"])
    if "team_of" in terms:
        condition |= Q(owner_id__in=teammates_of(values["scope_team_of"]))
    return customers.filter(condition)


def _with_scores(customers: QuerySet, run_id: int | str) -> QuerySet:
    """Customers with the current run's scores joinable as ``current`` (one row or none:
    one score per customer and run)."""
    current = FilteredRelation("scores", condition=Q(scores__run_id=run_id))
    return customers.annotate(current=current)


def _analytics_filtered(customers: QuerySet, analytics: tuple, values: dict) -> QuerySet:
    # The flags and the churn kind are few fixed values, so they are part of the shape.
    # A flag is compared with a value (``= true``), not tested bare as Django writes a
    # boolean filter: SQLite looks a bare column up in no index.
    true = Value(True)
    for key in analytics:
        if key in ("churn_warning", "churn_priority"):
            customers = customers.filter(**{f"current__{key}": true})
        elif key.startswith("churn_kind:"):
            code = key.removeprefix("churn_kind:")
            customers = customers.filter(
                current__churn_warning=true, current__churn_reason_codes__icontains=f'"{code}"'
            )
        elif key == "min_score":
            at_least = Value(values["min_score"], output_field=IntegerField())
            customers = customers.filter(current__score__gte=at_least)
        else:  # segment, pyramid_level
            column = "rfm_segment" if key == "segment" else key
            customers = customers.filter(**{f"current__{column}": values[key]})
    return customers


def _filtered(shape: tuple, values: dict) -> QuerySet:
    """Customers in the shape's scope matching its filters, before any search."""
    scope, filters, analytics = shape[0], shape[1], shape[-1]
    customers = _scoped(Customer.objects.all(), scope, values)
    for key in filters:
        if key == "saved_group":
            customers = _in_group(customers, CustomerGroup.objects.get(pk=values["group_id"]), 0)
        else:
            value = values["group_id" if key == "static_group" else key]
            customers = _narrowed(customers, key, value)
    if analytics is not None:
        customers = _analytics_filtered(
            _with_scores(customers, values["run_id"]), analytics, values
        )
    return customers


def _page(shape: tuple, **values: int | str) -> QuerySet:
    """The page query of a shape (see ``page_rows``), comparing with ``values``.

    Every value, the record scope's included, is compared with; none decides the SQL.
    """
    scope, filters, search, sort, start, stop, analytics = shape
    customers = _filtered(shape, values)
    order, window = SORTS[sort], slice(start, stop)
    if analytics and sort in ANALYTICS_SORTS:
        # Filtered by the scores, every customer listed has one: ties go by the score's own
        # customer column, so that an index of the run's scores in this order serves it all
        # (insights' ``score_run_risk``) instead of sorting every warning for one page.
        tie = F("current__customer_id")
        order = (order[0], tie.desc() if sort.startswith("-") else tie.asc())
    shown = dict(SHOWN_NAMES)
    if analytics is not None:
        shown.update(SHOWN_SCORES)
    if search is not None:
        # The page is chosen among the matches before anything is joined to them: a common
        # name matches hundreds, and joining branch and owner to each cost more than the rest.
        condition = search_condition(search, values)
        matches = _search_page(customers, condition, order, stop)
        if sort in ANALYTICS_SORTS:
            matches = _with_scores(matches, values["run_id"])
        on_page = matches.order_by(*order).values("pk")[window]
        shown["search_capped"] = _past_fence(customers, condition, order)
        customers, window = Customer.objects.filter(pk__in=on_page), slice(None)
        if analytics is not None:
            customers = _with_scores(customers, values["run_id"])
    extra = [name for name in shown if name not in SHOWN_NAMES]
    return customers.order_by(*order).annotate(**shown).values(*LIST_VALUES, *extra)[window]


_compiled_page = ShapedQuery(_page)


def _count_query(shape: tuple, **values: int | str) -> QuerySet:
    """The ids a shape's count counts: the filtered list (a search: its matches), at most
    ``COUNT_LIMIT`` + 1, unsorted.

    Counted as ``SELECT count(*) FROM (... LIMIT n)``, which an index answers alone: the
    first form, a COUNT of the customers whose id is in such a subquery, joined every id
    back to its row and cost 30-170 ms a page at a million customers. A search is counted
    without its ranking fence, which only matters past ``SEARCH_CANDIDATES`` matches, far
    beyond the count's limit.
    """
    customers = _filtered(shape, values)
    if shape[2] is not None:
        customers = customers.filter(search_condition(shape[2], values).any)
    return customers.order_by().values("pk")[: COUNT_LIMIT + 1]


_compiled_count = ShapedQuery(_count_query)


def matching_ids(shape: tuple, values: dict, cap: int) -> QuerySet:
    """The ids of a page shape's whole list, unsorted, at most ``cap`` of them (built afresh:
    exports are rare). A search: its ranked candidates, as the list's count has them."""
    customers = _filtered(shape, values)
    if shape[2] is not None:
        condition = search_condition(shape[2], values)
        customers = Customer.objects.filter(pk__in=_fenced(customers, condition.any))
    return customers.order_by().values("pk")[:cap]


def page_shape(
    viewer: policy.Viewer,
    clean: dict,
    query: str,
    sort: str,
    window: slice,
    analytics: dict | None = None,
    run_id: int | None = None,
) -> tuple[tuple, dict[str, int | str], bool]:
    """What decides a list page's SQL, the values it compares with, and whether that SQL
    may be compiled once (not for a saved-filter group, whose definition may change).

    ``analytics`` are the cleaned analytics filters (``list_analytics``) and ``run_id`` the
    current run: without one, the scores are not joined, an analytics filter matches nobody
    (the caller answers it without a query) and an analytics sort is the name order.
    """
    scope, scope_values = scope_terms(viewer)
    values: dict[str, int | str] = dict(scope_values)
    filters = []
    for key in (*COMPARED, "tag"):
        if key in clean:
            filters.append(key)
            values[key] = clean[key]
    saved_group = False
    if "group_id" in clean:
        static = CustomerGroup.objects.filter(pk=clean["group_id"], kind=GroupKind.STATIC)
        saved_group = not static.exists()
        filters.append("saved_group" if saved_group else "static_group")
        values["group_id"] = clean["group_id"]
    terms = search_terms(query)
    if terms is not None:
        values.update(terms.values)
    search = terms.shape if terms is not None else None
    scores: tuple | None = None
    if run_id is not None:
        values["run_id"] = run_id
        scores = ()
        for key, value in sorted((analytics or {}).items()):
            if key == "churn_kind":
                scores += (f"churn_kind:{value}",)
            else:
                scores += (key,)
                if key not in ("churn_warning", "churn_priority"):
                    values[key] = value
    elif sort in ANALYTICS_SORTS:
        sort = "name"
    shape = (scope, tuple(filters), search, sort, window.start, window.stop, scores)
    return shape, values, not saved_group


def page_rows(
    viewer: policy.Viewer,
    clean: dict,
    query: str,
    sort: str,
    window: slice,
    analytics: dict | None = None,
    run_id: int | None = None,
) -> list[dict]:
    """The rows of a list page: customers in scope matching a cleaned filter and a search,
    sorted by one of ``SORTS``, the window's slice of them. With a search, each row also
    says (``search_capped``) whether the search matched more than ``SEARCH_CANDIDATES``, of
    which only that many were ranked. With a current run (``run_id``), each row has its
    scores (``SHOWN_SCORES``)."""
    shape, values, compilable = page_shape(viewer, clean, query, sort, window, analytics, run_id)
    if not shape[0] or (analytics and run_id is None):
        return []  # a viewer without a role that sees customers; no run to filter by
    if compilable:
        return _compiled_page.rows(shape, **values)
    return list(_page(shape, **values))


def page_count(
    viewer: policy.Viewer,
    clean: dict,
    query: str,
    analytics: dict | None = None,
    run_id: int | None = None,
) -> int:
    """How many customers the list has, at most ``COUNT_LIMIT`` + 1 (more: "at least")."""
    shape, values, compilable = page_shape(
        viewer, clean, query, "name", slice(0, 1), analytics, run_id
    )
    if not shape[0] or (analytics and run_id is None):
        return 0
    analytics_filters = shape[-1] or None  # without one, the count needs no scores
    if analytics_filters is None:
        values.pop("run_id", None)
    count_shape = (shape[0], shape[1], shape[2], analytics_filters)
    if compilable:
        return _compiled_count.count(count_shape, **values)
    return _count_query(count_shape, **values).count()
