"""Reads in one plain statement, for the few reads every view of a busy page makes (a draft with its product and
rubric version, its answers, a product's certifications): building those queries through the ORM cost more than
running them. The rows come back as model instances made as the ORM makes them (Model.from_db, after the ORM's own
converters for each column), with the fields not read left deferred. Callers write their own tenancy conditions.
"""

from functools import cache

from django.db import connection
from django.db.models import Model

# Each part: a model and the fields (attnames) read of it, its primary key first; the statement joins them.
Parts = tuple[tuple[type[Model], tuple[str, ...]], ...]


@cache
def _columns(parts: Parts) -> tuple[str, list[list[tuple]]]:
    """The SELECT list of `parts`, and each value's column with the converters the ORM would apply to it (times
    made aware on SQLite, JSON parsed, decimals to Decimal). Each part's columns come in its model's field order,
    the order Model.from_db takes values in; its primary key first."""
    names, converters = [], []
    for model, attnames in parts:
        part = []
        for field in model._meta.concrete_fields:
            if field.attname in attnames:
                column = field.get_col(model._meta.db_table)
                names.append(f"{model._meta.db_table}.{field.column}")
                part.append((field.attname, column,
                             connection.ops.get_db_converters(column) + column.get_db_converters(connection)))
        if len(part) != len(attnames) or part[0][0] != model._meta.pk.attname:
            raise ValueError(f"{model.__name__}: read its primary key and only fields it has, not {attnames}")
        converters.append(part)
    return ", ".join(names), converters


def read_rows(parts: Parts, joins: str, where: str, params: list, order: str = "") -> list[list[Model | None]]:
    """The rows of `parts` as model instances (None for a part whose id is NULL: a LEFT JOIN that found nothing)."""
    select, converters = _columns(parts)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select} FROM {parts[0][0]._meta.db_table} {joins} WHERE {where}"
                       + (f" ORDER BY {order}" if order else ""), params)
        rows = cursor.fetchall()
    found = []
    for row in rows:
        instances: list[Model | None] = []
        start = 0
        for (model, _attnames), part in zip(parts, converters, strict=True):
            converted = []
            for (_attname, column, functions), value in zip(part, row[start:start + len(part)], strict=True):
                for function in functions:
                    value = function(value, column, connection)
                converted.append(value)
            start += len(part)
            names = [attname for attname, _column, _functions in part]
            instances.append(None if converted[0] is None else model.from_db(connection.alias, names, converted))
        found.append(instances)
    return found


def read_row(parts: Parts, joins: str, where: str, params: list) -> list[Model | None] | None:
    """The one row of `parts` (a read by primary key), or None."""
    rows = read_rows(parts, joins, where, params)
    return rows[0] if rows else None
