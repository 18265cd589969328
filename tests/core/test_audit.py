"""The audit trail speaks French: every action the code logs has a label, and an entry
reads with its fields named, amounts, dates, people and statuses formatted."""

from __future__ import annotations

import ast
import importlib
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from portal.core.audit import audit_actions, audit_lines
from portal.core.formats import NARROW_NBSP
from portal.core.models import AuditEntry
from portal.core.services import audit_log

BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCT = ["members", "events", "publications", "infodoc", "newsletter", "portal"]

# Actions built at run time: the f-string as written → every value it can take. An
# f-string action not listed here fails the test, so that its values get labels.
DYNAMIC_FAMILIES: dict[str, list[str]] = {}


def _constants(node: ast.expr, path: Path) -> list[str]:
    """The action strings an `action=` argument can be."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _constants(node.body, path) + _constants(node.orelse, path)
    if isinstance(node, ast.JoinedStr):
        written = ast.unparse(node)
        assert written in DYNAMIC_FAMILIES, (
            f"{path}: the action {written} is built at run time: list its values in "
            "DYNAMIC_FAMILIES and give each a label on its app's AppConfig"
        )
        return DYNAMIC_FAMILIES[written]
    return []  # a variable: its values are literals where the wrapper is called


def logged_actions() -> dict[str, Path]:
    """Every action string passed as `action=` in the product's code."""
    found = {}
    for folder in PRODUCT:
        for path in (BASE_DIR / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if not isinstance(node, ast.Call):
                    continue
                if isinstance(node.func, ast.Attribute) and node.func.attr in {
                    "add_argument",  # argparse's action="store_true"
                    "consume",  # allauth's rate limits: action="login_failed"
                }:
                    continue
                for keyword in node.keywords:
                    if keyword.arg == "action":
                        for action in _constants(keyword.value, path):
                            found[action] = path.relative_to(BASE_DIR)
    return found


def test_the_source_scan_finds_the_actions():
    actions = logged_actions()
    assert {"invoice.issued", "info_request.status", "newsletter.ready"} <= set(actions)
    assert "store_true" not in actions
    assert len(actions) > 60


def test_every_action_the_code_logs_has_a_french_label():
    declared = audit_actions()
    missing = {action: str(path) for action, path in logged_actions().items()}
    missing = {action: path for action, path in missing.items() if action not in declared}
    assert not missing, (
        "actions logged without a label: declare them in `audit_actions` on their app's "
        f"AppConfig (<app>/apps.py): {missing}"
    )


def test_no_label_is_left_for_an_action_nobody_logs():
    stale = set(audit_actions()) - set(logged_actions())
    assert not stale, f"labels of actions no code logs any more: {sorted(stale)}"


# Reading entries -------------------------------------------------------------------------


def _line(entry: AuditEntry):
    [line] = audit_lines([AuditEntry.objects.get(pk=entry.pk)])
    return line


@pytest.mark.django_db
@pytest.mark.time_machine("2026-12-06 10:00 +01:00", tick=False)
def test_an_invoice_and_its_payment_read_in_french(staff_user):
    from members.models import PaymentMethod
    from members.services.billing import invoice_issue, payment_record
    from tests.members.factories import MembershipFactory, OrganisationFactory

    staff_user.first_name, staff_user.last_name = "Claire", "Mercier"
    staff_user.save()
    membership = MembershipFactory(
        organisation=OrganisationFactory(name="Ville d'Antony"), amount=Decimal("2510.40")
    )
    invoice = invoice_issue(membership=membership, issued_by=staff_user)
    payment_record(
        invoice=invoice, amount=Decimal("839.20"), method=PaymentMethod.TRANSFER,
        paid_on=invoice.issued_on, recorded_by=staff_user,
    )  # fmt: skip

    issued, paid = audit_lines(AuditEntry.objects.for_object(invoice).order_by("id"))
    assert (issued.action, issued.who, issued.subject) == (
        "Facture émise",
        "Claire Mercier",
        "Facture",
    )
    changes = dict(issued.changes)
    assert changes["Montant"] == f"2{NARROW_NBSP}510,40\u00a0€"
    assert changes["Adhésion"] == f"Ville d'Antony — {membership.year}"
    assert changes["Numéro"] == invoice.number
    assert issued.when == "6 décembre 2026 à 10\u00a0h"
    assert paid.action == "Paiement enregistré"
    assert dict(paid.changes) == {
        "Montant": "839,20\u00a0€",
        "Mode de paiement": "Virement",
        "Payé le": "6 décembre 2026",
        "Reçu": paid.entry.changes["receipt"],
    }


@pytest.mark.django_db
def test_a_status_change_reads_from_label_to_label(staff_user):
    from infodoc.models import RequestStatus
    from infodoc.services.requests import info_request_transition
    from tests.infodoc.factories import InfoRequestFactory

    request = InfoRequestFactory(status=RequestStatus.NEW)
    info_request_transition(request=request, to_status=RequestStatus.IN_PROGRESS, actor=None)
    line = audit_lines(AuditEntry.objects.filter(action="info_request.status"))[0]
    assert line.action == "Statut de la demande modifié"
    assert line.who == "système"
    assert line.changes == [("Statut", "Nouvelle → En cours")]  # no empty note
    change = request.status_changes.get()
    assert str(change) == f"{request.reference}\u00a0: Nouvelle → En cours"


@pytest.mark.django_db
def test_numbers_references_and_counts_read_in_french(staff_user):
    from tests.events.factories import SessionFactory
    from tests.members.factories import PersonFactory

    session = SessionFactory(capacity=20)
    capacity = audit_log(
        actor=staff_user, obj=session, action="session.capacity",
        changes={"from": 20, "to": 1500},
    )  # fmt: skip
    assert _line(capacity).changes == [("Nombre de places", f"20 → 1{NARROW_NBSP}500")]

    person = PersonFactory(first_name="Nadia", last_name="Benali")
    erased = audit_log(
        actor=staff_user, obj=person, action="privacy.subject_erased",
        changes={"counts": {"members.person": 1, "events.registration": 3}, "reason": "Écrit"},
    )  # fmt: skip
    changes = dict(_line(erased).changes)
    assert changes["Lignes modifiées"] == "Personnes\u00a0: 1 ; Inscriptions\u00a0: 3"
    assert changes["Motif"] == "Écrit"

    staff_user.first_name, staff_user.last_name = "Claire", "Mercier"
    staff_user.save()
    linked = audit_log(
        actor=staff_user, obj=person, action="person.account_linked",
        changes={"user": staff_user.pk},
    )  # fmt: skip
    assert _line(linked).changes == [("Compte utilisateur", "Claire Mercier")]  # by name


@pytest.mark.django_db
def test_an_action_or_key_nobody_declared_stays_as_logged(staff_user):
    """So that the admin pages' test sees it, rather than a guess."""
    from tests.members.factories import PersonFactory

    entry = audit_log(
        actor=staff_user, obj=PersonFactory(), action="person.teleported",
        changes={"planet_name": "Mars"},
    )  # fmt: skip
    line = _line(entry)
    assert (line.action, line.changes) == ("person.teleported", [("Planet_name", "Mars")])


# The back office ------------------------------------------------------------------------


def _invoices(staff_user, count: int) -> None:
    from members.services.billing import invoice_issue
    from tests.members.factories import MembershipFactory, OrganisationFactory

    for number in range(count):
        organisation = OrganisationFactory(name=f"Structure {number}")
        invoice_issue(membership=MembershipFactory(organisation=organisation), issued_by=staff_user)


@pytest.mark.django_db
def test_the_audit_trail_list_reads_in_french(staff_client, staff_user):
    _invoices(staff_user, 2)
    response = staff_client.get(reverse("admin:core_auditentry_changelist"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Facture émise" in page
    assert "150,00\u00a0€" in page
    assert "invoice.issued" not in page.replace('value="invoice.issued"', "").replace(
        "action=invoice.issued", ""
    )

    searched = staff_client.get(reverse("admin:core_auditentry_changelist"), {"q": "émise"})
    assert searched.context["cl"].result_count == 2


@pytest.mark.django_db
def test_the_audit_trail_list_reads_its_references_in_one_query_per_kind(
    staff_client, staff_user, django_assert_max_num_queries
):
    """Two entries or twelve: the same queries (the memberships named are read at once)."""
    url = reverse("admin:core_auditentry_changelist")
    _invoices(staff_user, 2)
    staff_client.get(url)  # warms the content types' cache
    with django_assert_max_num_queries(100) as small:
        staff_client.get(url)
    _invoices(staff_user, 10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        staff_client.get(url)


@pytest.mark.django_db
def test_an_object_page_shows_its_trail_in_french(staff_client, staff_user):
    from members.models import Invoice

    _invoices(staff_user, 1)
    invoice = Invoice.objects.get()
    page = staff_client.get(reverse("admin:members_invoice_change", args=[invoice.pk]))
    text = page.content.decode()
    assert "Facture émise" in text
    assert "Montant&nbsp;: 150,00" in text
    entry = AuditEntry.objects.get(action="invoice.issued")
    detail = staff_client.get(reverse("admin:core_auditentry_change", args=[entry.pk]))
    assert "Facture émise" in detail.content.decode()
    assert "invoice.issued" not in detail.content.decode()


@pytest.mark.django_db
def test_the_history_import_export_wrote_in_english_is_rewritten_in_french(staff_user):
    from django.apps import apps
    from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    migration = importlib.import_module(
        "portal.core.migrations.0010_import_export_history_in_french"
    )
    content_type = ContentType.objects.get_for_model(staff_user)
    added, changed, ours = (
        LogEntry.objects.create(
            user=staff_user,
            content_type=content_type,
            object_id="1",
            object_repr="x",
            action_flag=flag,
            change_message=message,
        )
        for flag, message in [
            (ADDITION, "new through import_export"),
            (CHANGE, "update through import_export"),
            (CHANGE, '[{"changed": {"fields": ["Nom"]}}]'),
        ]
    )
    migration.rewrite(apps, None)
    for entry in (added, changed, ours):
        entry.refresh_from_db()
    assert added.get_change_message() == "Ajout par l’import d’un tableau."  # noqa: RUF001
    assert "import_export" not in changed.get_change_message()
    assert ours.change_message == '[{"changed": {"fields": ["Nom"]}}]'  # Django's own: kept
