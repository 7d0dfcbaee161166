"""A mypy plugin (`[tool.mypy] plugins` in pyproject.toml): django-ninja's ``Schema`` is a
pydantic model whose metaclass carries its own ``dataclass_transform``, so mypy would give
every schema a constructor typed field by field, before pydantic's plugin sees it. Pydantic
coerces what a form sends ("2024-05-01" for a date, "12" for an int), and its own plugin
types a model's constructor that way; this treats ninja's metaclass as pydantic's plugin
treats pydantic's own: it drops the metaclass's transform and lets pydantic's plugin build
the constructor. The schemas' fields keep their types."""

from __future__ import annotations

from collections.abc import Callable

from mypy.plugin import ClassDefContext, Plugin

NINJA_METACLASS = "ninja.schema.ResolverMetaclass"


def _leave_to_pydantic(ctx: ClassDefContext) -> None:
    metaclass = ctx.cls.info.declared_metaclass
    if metaclass is not None and getattr(metaclass.type, "dataclass_transform_spec", None):
        metaclass.type.dataclass_transform_spec = None


class NinjaSchemaPlugin(Plugin):
    def get_metaclass_hook(self, fullname: str) -> Callable[[ClassDefContext], None] | None:
        return _leave_to_pydantic if fullname == NINJA_METACLASS else None


def plugin(version: str) -> type[Plugin]:
    return NinjaSchemaPlugin
