"""Translatable names for the fields and models that Django names after themselves.

Django names a field after itself ("customer_code" → "customer code") and a model after
its class, and never translates those names. Naming them in their definitions would change
every such field's migration state (and call for a migration that changes nothing in the
database), so the admin's and the forms' names are given once the classes exist: Django's
pages read them, migrations keep the names as first written.
"""

from typing import Any

from django.db import models


def name_fields(model: type[models.Model], **names: Any) -> None:
    """Give `model`'s fields the (lazily translated) names people read: field=name."""
    for field_name, name in names.items():
        field = model._meta.get_field(field_name)
        if not isinstance(field, models.Field):
            raise TypeError(f"{model.__name__}.{field_name} is not a field of its own")
        field.verbose_name = name


def name_model(model: type[models.Model], singular: Any, plural: Any) -> None:
    """Give `model` the (lazily translated) names people read."""
    model._meta.verbose_name = singular
    model._meta.verbose_name_plural = plural
