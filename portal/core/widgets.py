"""A <select> rendered in Python, for the public pages' filter and registration forms.

Django renders a select through its template engine with one include per option and
another per attribute list: on the agenda that was a third of the page's time. This
widget writes the same markup (attributes and escaping as in django/forms/widgets/
select.html, select_option.html and attrs.html) without the templates.
"""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


def _options(options: list[dict]) -> SafeString:
    return format_html_join(
        "",
        '\n  <option value="{}"{}>{}</option>',
        ((str(option["value"]), flatatt(option["attrs"]), option["label"]) for option in options),
    )


class Select(forms.Select):
    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        groups = (
            format_html('\n  <optgroup label="{}">{}\n  </optgroup>', label, _options(options))
            if label
            else _options(options)
            for label, options, _index in widget["optgroups"]
        )
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            format_html_join("", "{}", ((group,) for group in groups)),
        )
