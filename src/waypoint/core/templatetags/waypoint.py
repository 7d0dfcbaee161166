from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``{{ errors|get_item:name }}``: a dict lookup with a variable key."""
    if not mapping:
        return ""
    return mapping.get(key, "")


@register.filter
def zip_anchors(values, anchors):
    """Pair an item's allowed values with their anchor texts."""
    return list(zip(values, anchors, strict=False))
