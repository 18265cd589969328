"""The back office's spreadsheet exports through django-import-export, the one way: CSV with
semicolons or XLSX by the portal's own writer, a text a spreadsheet would run as a formula
guarded in both (portal.core.sheets.writing), and the widgets the apps' resources share.
An export's columns carry the import's labels, so that a file exported, corrected and
imported back updates the same records."""

from __future__ import annotations

import tablib
from django.db.models import TextChoices
from django.utils.translation import gettext, pgettext
from import_export import widgets
from import_export.formats import base_formats

from portal.core.sheets.writing import Column, Sheet, Table, guard, xlsx_build

# Widgets -------------------------------------------------------------------------


class TextWidget(widgets.CharWidget):
    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class YesNoWidget(widgets.Widget):
    def render(self, value, obj=None, **kwargs):
        return gettext("yes") if value else gettext("no")


class ChoiceLabelWidget(widgets.Widget):
    """A choice written as its label (« Association »), as the imports read it."""

    def __init__(self, choices: type[TextChoices]):
        super().__init__(coerce_to_string=True)
        self.choices = choices

    def render(self, value, obj=None, **kwargs):
        return str(self.choices(value).label) if value else ""


# Formats -----------------------------------------------------------------------


def _guarded(dataset: tablib.Dataset) -> tablib.Dataset:
    return tablib.Dataset(
        *([guard(cell) if isinstance(cell, str) else cell for cell in row] for row in dataset),
        headers=dataset.headers,
    )


class CSV(base_formats.CSV):
    """CSV separated by semicolons, as French spreadsheets read them; a text that would run
    as a formula gets a leading apostrophe (which the imports remove)."""

    def export_data(self, dataset, **kwargs):
        kwargs.setdefault("delimiter", ";")
        return super().export_data(_guarded(dataset), **kwargs)


class XLSX(base_formats.XLSX):
    """Written by the portal's own writer: text never runs as a formula."""

    def export_data(self, dataset, **kwargs):
        title = str(dataset.title or pgettext("spreadsheet", "Export"))
        columns = tuple(Column(str(header)) for header in dataset.headers or ())
        return xlsx_build([Sheet(title, (Table(title, columns, tuple(dataset)),))])


FORMATS = [CSV, XLSX]
