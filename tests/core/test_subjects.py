"""The helpers every app's privacy module shares (portal.core.subjects)."""

from datetime import UTC, date, datetime
from decimal import Decimal

from django.utils import translation

from members.models import ActorType, Person
from portal.core.subjects import DataSubject, identifiers_pattern, row_from, text_scrub, value_json


def test_identifiers_are_found_in_their_usual_spellings():
    person = Person(
        first_name="Léonie",
        last_name="Vasseur-Quintal",
        email="Leonie.VQ@exemple.fr",
        phone="06 12 34 56 78",
    )
    pattern = identifiers_pattern(subject=DataSubject(email="leonie.vq@exemple.fr", person=person))
    text = (
        "Merci à Léonie VASSEUR-QUINTAL (leonie.vq@exemple.fr, 06.12.34.56.78 ou "
        "+33 6 12 34 56 78) ; Vasseur-Quintal Léonie a relu. Léonie-Anne et Vasseur restent."
    )

    scrubbed = text_scrub(text, pattern=pattern, placeholder="[…]")

    assert scrubbed == ("Merci à […] ([…], […] ou […]) ; […] a relu. […]-Anne et Vasseur restent.")


def test_a_subject_without_identifiers_has_no_pattern_and_texts_stay():
    pattern = identifiers_pattern(subject=DataSubject(email="", person=None))

    assert pattern is None
    assert text_scrub("Rien à cacher", pattern=pattern, placeholder="[…]") == "Rien à cacher"


def test_values_are_json_ready_in_local_time():
    moment = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)

    assert value_json(moment) == "2026-03-02T00:30:00+01:00"
    assert value_json(date(2026, 3, 1)) == "2026-03-01"
    assert value_json(Decimal("12.50")) == "12.50"
    assert value_json(None) is None
    assert value_json(True) is True


def test_a_row_is_named_by_the_field_labels_with_choice_labels():
    person = Person(first_name="Léonie", last_name="Vasseur-Quintal", actor_type=ActorType.RESIDENT)

    with translation.override("fr"):
        row = row_from(person, ["first_name", "actor_type"], Extra=Decimal("1.5"))

    assert row == {"Prénom": "Léonie", "Type d'acteur": "Habitant·e", "Extra": "1.5"}
