"""Every spreadsheet the back office exports neutralises formula injection (issue 18):
a name typed as « =HYPERLINK(…) », « +33… », « -1+1 » or « @SUM(…) » in a public form comes
out as text, never as a formula, in CSV and in XLSX."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.contrib import admin
from django.urls import reverse

from events.models import Attendance
from tests.events.factories import RegistrationFactory
from tests.members.factories import MembershipFactory, OrganisationFactory, PersonFactory
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

HOSTILE = ('=HYPERLINK("http://evil.example","clic")', "+33 1 23", "-1+1", "@SUM(A1)")
FORMULA_START = ("=", "+", "-", "@")
EXPORTS = [
    "members_organisation", "members_person", "members_membership", "events_registration",
    "events_attendance", "newsletter_subscriber",
]  # fmt: skip
CSV_FORMAT, XLSX_FORMAT = "0", "1"


@pytest.fixture
def hostile_records():
    organisation = OrganisationFactory(name=HOSTILE[0])
    person = PersonFactory(
        first_name=HOSTILE[1], last_name=HOSTILE[2], job_title=HOSTILE[3], organisation=organisation
    )
    MembershipFactory(organisation=organisation)
    registration = RegistrationFactory(person=person)
    Attendance.objects.create(session=registration.session, person=person, present=True)
    SubscriberFactory(first_name=HOSTILE[1], last_name=HOSTILE[2], organisation=HOSTILE[0])


def export(client, name: str, file_format: str):
    model = next(
        m for m in admin.site._registry if f"{m._meta.app_label}_{m._meta.model_name}" == name
    )
    resource = admin.site._registry[model].get_export_resource_classes(None)[0]
    data = {"format": file_format, "resource": "0"}
    data |= {
        f"{resource.__name__.lower()}_{field}": "on" for field in resource().get_export_order()
    }
    response = client.post(reverse(f"admin:{name}_export"), data)
    assert response.status_code == 200, name
    return response


@pytest.mark.parametrize("name", EXPORTS)
def test_hostile_text_is_exported_as_text(admin_client, hostile_records, name):
    rows = list(
        csv.reader(
            io.StringIO(export(admin_client, name, CSV_FORMAT).content.decode("utf-8-sig")),
            delimiter=";",
        )
    )
    cells = [cell for row in rows[1:] for cell in row]
    assert any(cell.startswith("'") for cell in cells), f"{name}: no hostile text exported"
    assert not [cell for cell in cells if cell.startswith(FORMULA_START)], name

    sheet = openpyxl.load_workbook(
        io.BytesIO(export(admin_client, name, XLSX_FORMAT).content)
    ).active
    texts = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value]
    assert any(str(cell.value).startswith(FORMULA_START) for cell in texts), name
    assert not [cell.coordinate for cell in texts if cell.data_type == "f"], name
