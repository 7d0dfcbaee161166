from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import template
from django.contrib.messages.storage.base import Message
from django.template.context import Context

register = template.Library()


@register.filter
def get_item(mapping: Mapping[str, Any] | None, key: str) -> Any:
    """``{{ errors|get_item:name }}``: a dict lookup with a variable key."""
    if not mapping:
        return ""
    return mapping.get(key, "")


@register.filter
def zip_anchors(values: Iterable[Any], anchors: Iterable[Any]) -> list[tuple[Any, Any]]:
    """Pair an item's allowed values with their anchor texts."""
    return list(zip(values, anchors, strict=False))


# --- the form mechanism (core/web.py) ------------------------------------------------------
@register.simple_tag(takes_context=True)
def form_values(context: Context, key: str) -> Any:
    """``{% form_values "discharge" as f %}``: the refused state of form ``key`` on this page
    (what was typed, the field errors), or an empty state when another form (or none) was
    submitted: ``f.values.reason``, ``f.lists.targets``, ``f.errors.reason``."""
    from waypoint.core.web import EMPTY_FORM

    form = context.get("form")
    if form is not None and getattr(form, "key", None) == key:
        return form
    return EMPTY_FORM


@register.inclusion_tag("core/_form_status.html", takes_context=True)
def form_status(context: Context, key: str) -> dict[str, Any]:
    """The place beside form ``key``: its error summary after a refused submit (focused by
    forms.js), or the sentence of its accepted submit (a message tagged with the key)."""
    from waypoint.core.web import FORM_TAG, status_anchor

    form = context.get("form")
    # a form state with no problem is a prefilled form (values only), not a refusal
    refusal = (
        form if form is not None and getattr(form, "key", None) == key and form.errors else None
    )
    if refusal is not None:
        refusal.shown = True
    request = context.get("request")
    if request is not None:
        shown: set[str] = getattr(request, "_form_keys_shown", set())
        shown.add(key)
        request._form_keys_shown = shown
    done = [
        str(m)
        for m in context.get("messages") or ()
        if (m.extra_tags or "").split(" ")[0] == FORM_TAG + key
    ]
    return {"key": key, "anchor": status_anchor(key), "refusal": refusal, "done": done}


@register.filter
def page_message(message: Message) -> bool:
    """Whether a message belongs at the top of the page (not beside one form)."""
    from waypoint.core.web import FORM_TAG

    return not (message.extra_tags or "").startswith(FORM_TAG)


@register.filter
def concat(value: object, arg: object) -> str:
    """``{{ "decide-"|concat:la.id }}``: two values joined as text (a form's key)."""
    return f"{value}{arg}"


@register.inclusion_tag("core/_form_status.html", takes_context=True)
def form_fallback(context: Context) -> dict[str, Any]:
    """After the page's content: a refused form's summary that no ``form_status`` placed
    (the form is no longer on the page), so that a refusal is never silent."""
    from waypoint.core.web import FORM_TAG, status_anchor

    form = context.get("form")
    refusal = (
        form
        if form is not None and hasattr(form, "shown") and not form.shown and form.errors
        else None
    )
    key = getattr(refusal, "key", "") if refusal else ""
    request = context.get("request")
    shown: set[str] = getattr(request, "_form_keys_shown", set()) if request is not None else set()
    done = [
        str(m)
        for m in context.get("messages") or ()
        if (m.extra_tags or "").startswith(FORM_TAG)
        and (m.extra_tags or "").split(" ")[0][len(FORM_TAG) :] not in shown
    ]
    return {"key": key, "anchor": status_anchor(key), "refusal": refusal, "done": done}


@register.filter
def page_messages(messages: Iterable[Message] | None) -> list[Message]:
    """The messages that belong at the top of the page (not beside one form)."""
    return [m for m in messages or () if page_message(m)]
