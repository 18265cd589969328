"""The OAI-PMH 2.0 endpoint: protocol rules through the test client, harvests with sickle."""

import re
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from sickle import Sickle, oaiexceptions
from sickle.iterator import OAIResponseIterator

from members.models import Organisation, OrganisationKind
from portal.core.models import Department, SiteSettings
from publications.models import Publication, PublicationKind, PublicationStatus
from publications.oai import protocol
from publications.oai.protocol import DC_NS, OAI_DC_NS, OAI_DC_SCHEMA, OAI_NS, OAI_SCHEMA, XSI_NS
from tests.publications.oai_factories import PublicationFactory, ThemeFactory

pytestmark = pytest.mark.urls("tests.publications.oai_factories")

SITE = "https://ressources.example.org"
NS = {"oai": OAI_NS, "oai_dc": OAI_DC_NS, "dc": DC_NS}
UTC_SECONDS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


@pytest.fixture(autouse=True)
def _site(settings, tmp_path):
    settings.SITE_URL = SITE
    settings.MEDIA_ROOT = tmp_path


def ident(publication: Publication, host: str = "ressources.example.org") -> str:
    return f"oai:{host}:publication:{publication.pk}"


def oai(client, method: str = "get", **params) -> ElementTree.Element:
    """The parsed response, checked to be a well-formed OAI-PMH 2.0 document."""
    response = getattr(client, method)("/oai", params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{{{OAI_NS}}}OAI-PMH"
    assert root.get(f"{{{XSI_NS}}}schemaLocation") == f"{OAI_NS} {OAI_SCHEMA}"
    assert UTC_SECONDS.fullmatch(root.findtext("oai:responseDate", namespaces=NS))
    assert root.findtext("oai:request", namespaces=NS) == f"{SITE}/oai"
    return root


def error_code(root: ElementTree.Element) -> str:
    (error,) = root.findall("oai:error", NS)
    assert error.text  # a human-readable message
    return error.get("code")


def request_attrs(root: ElementTree.Element) -> dict[str, str]:
    return dict(root.find("oai:request", NS).attrib)


def header_ids(root: ElementTree.Element) -> list[str]:
    return [h.findtext("oai:identifier", namespaces=NS) for h in root.iter(f"{{{OAI_NS}}}header")]


def set_updated(publication: Publication, moment: datetime) -> None:
    Publication.objects.filter(pk=publication.pk).update(updated_at=moment)


# Identify, ListMetadataFormats, ListSets -----------------------------------------------


@pytest.mark.django_db
def test_identify_describes_the_repository(client):
    site = SiteSettings.load()
    site.name, site.email = "Pôle ressources & ville", "doc@ressources.example.org"
    site.save()
    first = PublicationFactory(published_on=date(2023, 1, 1))
    set_updated(first, datetime(2023, 5, 4, 10, 30, 15, 250000, tzinfo=UTC))
    PublicationFactory()
    draft = PublicationFactory(status=PublicationStatus.DRAFT)
    set_updated(draft, datetime(2020, 1, 1, tzinfo=UTC))

    root = oai(client, verb="Identify")

    assert request_attrs(root) == {"verb": "Identify"}
    identify = root.find("oai:Identify", NS)
    assert [child.tag.split("}")[1] for child in identify][:7] == [
        "repositoryName", "baseURL", "protocolVersion", "adminEmail",
        "earliestDatestamp", "deletedRecord", "granularity",
    ]  # fmt: skip
    text = {child.tag.split("}")[1]: child.text for child in identify}
    assert text["repositoryName"] == "Pôle ressources & ville"
    assert text["baseURL"] == f"{SITE}/oai"
    assert text["protocolVersion"] == "2.0"
    assert text["adminEmail"] == "doc@ressources.example.org"
    assert text["earliestDatestamp"] == "2023-05-04T10:30:15Z"  # drafts do not count
    assert text["deletedRecord"] == "no"
    assert text["granularity"] == "YYYY-MM-DDThh:mm:ssZ"
    sample = identify.findtext(
        ".//{http://www.openarchives.org/OAI/2.0/oai-identifier}sampleIdentifier"
    )
    assert sample == "oai:ressources.example.org:publication:1"


@pytest.mark.django_db
def test_identify_falls_back_to_the_default_sender_address_and_accepts_post(client, settings):
    settings.DEFAULT_FROM_EMAIL = "Pôle ressources <contact@ressources.example.org>"
    root = oai(client, "post", verb="Identify")
    assert root.findtext("oai:Identify/oai:adminEmail", namespaces=NS) == (
        "contact@ressources.example.org"
    )


@pytest.mark.django_db
def test_list_metadata_formats_offers_oai_dc_for_the_repository_and_an_item(client):
    publication = PublicationFactory()
    for params in ({}, {"identifier": ident(publication)}):
        root = oai(client, verb="ListMetadataFormats", **params)
        (fmt,) = root.findall("oai:ListMetadataFormats/oai:metadataFormat", NS)
        assert fmt.findtext("oai:metadataPrefix", namespaces=NS) == "oai_dc"
        assert fmt.findtext("oai:schema", namespaces=NS) == OAI_DC_SCHEMA
        assert fmt.findtext("oai:metadataNamespace", namespaces=NS) == OAI_DC_NS


@pytest.mark.django_db
def test_list_sets_has_one_set_per_kind_under_a_root_set(client):
    root = oai(client, verb="ListSets")
    sets = {
        s.findtext("oai:setSpec", namespaces=NS): s.findtext("oai:setName", namespaces=NS)
        for s in root.findall("oai:ListSets/oai:set", NS)
    }
    assert set(sets) == {"kind"} | {f"kind:{kind}" for kind in PublicationKind.values}
    assert sets["kind:proceedings"] == str(PublicationKind.PROCEEDINGS.label)


# GetRecord and the Dublin Core mapping ---------------------------------------------------


@pytest.mark.django_db
def test_get_record_maps_the_publication_to_dublin_core(client):
    site = SiteSettings.load()
    site.name = "Pôle ressources"
    site.save()
    theme = ThemeFactory(name="Emploi & insertion", slug="emploi")
    department = Department.objects.create(code="95", name="Val-d'Oise")
    coproducer = Organisation.objects.create(name="Ville <de> Cergy", kind=OrganisationKind.COMMUNE)
    publication = PublicationFactory(
        title='Actes : "la ville" & <ses> quartiers\x0b',
        kind=PublicationKind.PROCEEDINGS,
        summary="Résumé en texte brut.",
        authors="Marie Dupont ; Karim Benali;",
        published_on=date(2024, 3, 15),
        themes=[theme],
    )
    publication.departments.add(department)
    publication.coproducers.add(coproducer)
    publication.file.save("actes.pdf", ContentFile(b"%PDF-1.4"), save=True)

    root = oai(client, verb="GetRecord", identifier=ident(publication), metadataPrefix="oai_dc")

    assert request_attrs(root) == {
        "verb": "GetRecord", "identifier": ident(publication), "metadataPrefix": "oai_dc",
    }  # fmt: skip
    record = root.find("oai:GetRecord/oai:record", NS)
    assert record.findtext("oai:header/oai:identifier", namespaces=NS) == ident(publication)
    assert UTC_SECONDS.fullmatch(record.findtext("oai:header/oai:datestamp", namespaces=NS))
    assert record.findtext("oai:header/oai:setSpec", namespaces=NS) == "kind:proceedings"
    dc = record.find("oai:metadata/oai_dc:dc", NS)
    assert dc.get(f"{{{XSI_NS}}}schemaLocation") == f"{OAI_DC_NS} {OAI_DC_SCHEMA}"

    def values(name):
        return [element.text for element in dc.findall(f"dc:{name}", NS)]

    assert values("title") == ['Actes : "la ville" & <ses> quartiers']
    assert values("creator") == ["Marie Dupont", "Karim Benali"]
    assert values("subject") == ["Emploi & insertion"]
    assert values("description") == ["Résumé en texte brut."]
    assert values("publisher") == ["Pôle ressources"]
    assert values("contributor") == ["Ville <de> Cergy"]
    assert values("date") == ["2024-03-15"]
    assert values("type") == [str(PublicationKind.PROCEEDINGS.label), "Text"]
    assert values("format") == ["application/pdf"]
    assert values("identifier") == [f"{SITE}/publications/{publication.slug}/"]
    assert values("language") == ["fr"]
    assert values("coverage") == ["Val-d'Oise"]


@pytest.mark.django_db
def test_datestamp_is_when_the_record_became_public_if_later_than_its_last_change(client):
    today = timezone.localdate()
    publication = PublicationFactory(published_on=today)
    set_updated(publication, timezone.now() - timedelta(days=3))
    midnight = timezone.make_aware(datetime.combine(today, time.min))

    root = oai(client, verb="GetRecord", identifier=ident(publication), metadataPrefix="oai_dc")

    datestamp = root.findtext(".//oai:header/oai:datestamp", namespaces=NS)
    assert datestamp == protocol.format_datestamp(midnight)


# Protocol errors ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [{}, {"verb": "Harvest"}, {"verb": ""}, {"verb": ["Identify", "Identify"]}],
    ids=["missing", "illegal", "empty", "repeated"],
)
def test_bad_verb(client, params):
    root = oai(client, **params)
    assert error_code(root) == "badVerb"
    assert request_attrs(root) == {}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"verb": "Identify", "set": "kind"},
        {"verb": "ListRecords"},
        {"verb": "ListIdentifiers", "metadataPrefix": ["oai_dc", "oai_dc"]},
        {"verb": "ListIdentifiers", "metadataPrefix": ""},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-02-30"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "15/03/2024"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-03-15T10:00:00"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-03-15T10:00:00+01:00"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-03-15T25:00:00Z"},
        {
            "verb": "ListRecords",
            "metadataPrefix": "oai_dc",
            "from": "2024-03-15",
            "until": "2024-03-16T00:00:00Z",
        },
        {
            "verb": "ListRecords",
            "metadataPrefix": "oai_dc",
            "from": "2024-03-15",
            "until": "2024-03-14",
        },
        {"verb": "ListRecords", "resumptionToken": "abc", "metadataPrefix": "oai_dc"},
        {"verb": "GetRecord", "metadataPrefix": "oai_dc"},
        {"verb": "GetRecord", "identifier": "oai:ressources.example.org:publication:1"},
        {"verb": "ListSets", "metadataPrefix": "oai_dc"},
        {"verb": "ListMetadataFormats", "identifier": "x", "metadataPrefix": "oai_dc"},
    ],
    ids=[
        "illegal-argument",
        "missing-prefix",
        "repeated-argument",
        "empty-argument",
        "impossible-date",
        "date-syntax",
        "datetime-without-z",
        "datetime-with-offset",
        "impossible-hour",
        "mixed-granularity",
        "until-before-from",
        "token-not-exclusive",
        "get-record-without-identifier",
        "get-record-without-prefix",
        "list-sets-argument",
        "formats-argument",
    ],
)
def test_bad_argument(client, params):
    root = oai(client, **params)
    assert error_code(root) == "badArgument"
    assert request_attrs(root) == {}


@pytest.mark.django_db
def test_cannot_disseminate_format(client):
    publication = PublicationFactory()
    for params in (
        {"verb": "ListRecords", "metadataPrefix": "marc21"},
        {"verb": "ListIdentifiers", "metadataPrefix": "mods"},
        {"verb": "GetRecord", "metadataPrefix": "marc21", "identifier": ident(publication)},
    ):
        root = oai(client, **params)
        assert error_code(root) == "cannotDisseminateFormat"
        assert request_attrs(root) == params  # echoed for errors other than bad verb/argument


@pytest.mark.django_db
def test_id_does_not_exist_for_unknown_draft_or_future_publications(client):
    draft = PublicationFactory(status=PublicationStatus.DRAFT)
    future = PublicationFactory(published_on=timezone.localdate() + timedelta(days=1))
    scheduled = PublicationFactory(status=PublicationStatus.SCHEDULED)
    published = PublicationFactory()
    unknown = [
        ident(draft), ident(future), ident(scheduled),
        "oai:ressources.example.org:publication:999999",
        "oai:ressources.example.org:publication:99999999999999999999999",
        ident(published, host="other.example.org"),
        f"oai:ressources.example.org:publication:{published.pk}x",
        "not an identifier",
    ]  # fmt: skip
    for identifier in unknown:
        root = oai(client, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
        assert error_code(root) == "idDoesNotExist", identifier
        root = oai(client, verb="ListMetadataFormats", identifier=identifier)
        assert error_code(root) == "idDoesNotExist", identifier


@pytest.mark.django_db
def test_no_records_match(client):
    PublicationFactory(kind=PublicationKind.STUDY)
    for params in ({"set": "kind:podcast"}, {"set": "kind:unknown"}, {"from": "2999-01-01"}):
        for verb in ("ListRecords", "ListIdentifiers"):
            root = oai(client, verb=verb, metadataPrefix="oai_dc", **params)
            assert error_code(root) == "noRecordsMatch"


@pytest.mark.django_db
def test_bad_resumption_token(client, monkeypatch):
    monkeypatch.setattr(protocol, "PAGE_SIZE", 1)
    PublicationFactory.create_batch(3)
    first = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = first.findtext(".//oai:resumptionToken", namespaces=NS)
    assert token

    for verb, bad in [
        ("ListIdentifiers", "not-a-token"),
        ("ListIdentifiers", token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")),
        ("ListRecords", token),  # issued for another verb
        ("ListSets", token),  # ListSets never issues tokens
    ]:
        root = oai(client, verb=verb, resumptionToken=bad)
        assert error_code(root) == "badResumptionToken"
        assert request_attrs(root) == {"verb": verb, "resumptionToken": bad}

    monkeypatch.setattr(protocol, "TOKEN_MAX_AGE", timedelta(seconds=-1))
    root = oai(client, verb="ListIdentifiers", resumptionToken=token)
    assert error_code(root) == "badResumptionToken"  # expired


@pytest.mark.django_db
def test_other_http_methods_are_refused(client):
    assert client.put("/oai?verb=Identify").status_code == 405


# Paging ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_carry_cursor_and_size_and_list_a_record_added_meanwhile_once(client, monkeypatch):
    monkeypatch.setattr(protocol, "PAGE_SIZE", 3)
    published = PublicationFactory.create_batch(7)
    PublicationFactory.create_batch(2, status=PublicationStatus.DRAFT)

    seen, pages, params = [], [], {"metadataPrefix": "oai_dc"}
    while True:
        root = oai(client, verb="ListRecords", **params)
        seen += header_ids(root)
        token = root.find(".//oai:resumptionToken", NS)
        pages.append(token.attrib if token is not None else None)
        if len(pages) == 1:
            published.append(PublicationFactory())  # published during the harvest
        if token is None or not token.text:
            break
        assert UTC_SECONDS.fullmatch(token.get("expirationDate"))
        params = {"resumptionToken": token.text}

    assert sorted(seen) == sorted(ident(p) for p in published)
    assert len(seen) == len(set(seen)) == 8
    assert [(p["cursor"], p["completeListSize"]) for p in pages] == [
        ("0", "7"), ("3", "8"), ("6", "8"),
    ]  # fmt: skip
    assert "expirationDate" not in pages[-1]


@pytest.mark.django_db
def test_a_list_that_fits_in_one_page_has_no_resumption_token(client):
    PublicationFactory.create_batch(2)
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert len(header_ids(root)) == 2
    assert root.find(".//oai:resumptionToken", NS) is None


@pytest.mark.django_db
def test_list_records_query_count_does_not_grow_with_the_page(
    client, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(protocol, "PAGE_SIZE", 50)
    SiteSettings.load()
    theme = ThemeFactory()
    department = Department.objects.create(code="93", name="Seine-Saint-Denis")
    for size in (5, 20):
        Publication.objects.all().delete()
        for publication in PublicationFactory.create_batch(size, themes=[theme]):
            publication.departments.add(department)
        SiteSettings.load()  # kept under the content version, which the writes moved on
        # The page, its themes, départements and coproducers.
        with django_assert_num_queries(4):
            root = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
        assert len(header_ids(root)) == size


# Harvesting with a real OAI-PMH client --------------------------------------------------------


@pytest.fixture
def catalogue(transactional_db):
    """10 published records of three kinds on distinct days, and what must never show."""
    kinds = [PublicationKind.STUDY] * 4 + [PublicationKind.PROCEEDINGS] * 3
    kinds += [PublicationKind.PODCAST] * 3
    published = []
    for day, kind in enumerate(kinds, start=1):
        publication = PublicationFactory(kind=kind, published_on=date(2020, 1, day))
        set_updated(publication, datetime(2024, 1, day, 12, 0, 0, 500000, tzinfo=UTC))
        published.append(publication)
    PublicationFactory.create_batch(3, status=PublicationStatus.DRAFT)
    PublicationFactory(status=PublicationStatus.SCHEDULED, published_on=date(2020, 1, 1))
    PublicationFactory(published_on=timezone.localdate() + timedelta(days=5))
    return published


@pytest.fixture
def endpoint(live_server, settings, monkeypatch):
    settings.SITE_URL = live_server.url
    monkeypatch.setattr(protocol, "PAGE_SIZE", 3)
    return f"{live_server.url}/oai"


def expected_ids(publications, live_url: str) -> set[str]:
    return {ident(p, host=urlsplit(live_url).hostname) for p in publications}


@pytest.mark.parametrize("http_method", ["GET", "POST"])
def test_sickle_harvests_every_published_record_exactly_once(catalogue, endpoint, http_method):
    sickle = Sickle(endpoint, http_method=http_method, timeout=10)
    expected = expected_ids(catalogue, endpoint)

    records = list(sickle.ListRecords(metadataPrefix="oai_dc"))
    identifiers = [header.identifier for header in sickle.ListIdentifiers(metadataPrefix="oai_dc")]

    for harvested in ([record.header.identifier for record in records], identifiers):
        assert len(harvested) == 10
        assert set(harvested) == expected
    first = records[0]
    assert first.header.datestamp == "2024-01-01T12:00:00Z"
    assert first.header.setSpecs == ["kind:study"]
    assert first.metadata["title"] == [catalogue[0].title]
    assert first.metadata["creator"] == ["Marie Dupont", "Karim Benali"]
    assert first.metadata["language"] == ["fr"]

    responses = list(
        Sickle(endpoint, iterator=OAIResponseIterator, timeout=10).ListIdentifiers(
            metadataPrefix="oai_dc"
        )
    )
    assert len(responses) == 4  # 3 + 3 + 3 + 1


def test_sickle_selective_harvesting_by_set_and_dates(catalogue, endpoint):
    sickle = Sickle(endpoint, timeout=10)

    def harvest(**params):
        return {h.identifier for h in sickle.ListIdentifiers(metadataPrefix="oai_dc", **params)}

    assert harvest(set="kind:proceedings") == expected_ids(catalogue[4:7], endpoint)
    assert harvest(set="kind") == expected_ids(catalogue, endpoint)
    assert harvest(**{"from": "2024-01-03", "until": "2024-01-05"}) == expected_ids(
        catalogue[2:5], endpoint
    )
    # Seconds granularity, both bounds inclusive (datestamps are truncated to the second).
    assert harvest(**{"from": "2024-01-03T12:00:00Z", "until": "2024-01-05T12:00:00Z"}) == (
        expected_ids(catalogue[2:5], endpoint)
    )
    assert harvest(**{"from": "2024-01-03T12:00:01Z", "until": "2024-01-05T11:59:59Z"}) == (
        expected_ids(catalogue[3:4], endpoint)
    )
    assert harvest(set="kind:study", **{"from": "2024-01-04"}) == expected_ids(
        catalogue[3:4], endpoint
    )
    assert harvest(**{"until": "2024-01-02"}) == expected_ids(catalogue[:2], endpoint)

    sets = {s.setSpec: s.setName for s in sickle.ListSets()}
    assert sets["kind:podcast"] == str(PublicationKind.PODCAST.label)
    with pytest.raises(oaiexceptions.NoRecordsMatch):
        sickle.ListIdentifiers(metadataPrefix="oai_dc", set="kind:booklet")


def test_sickle_identify_get_record_and_errors(catalogue, endpoint):
    sickle = Sickle(endpoint, timeout=10)
    drafts = Publication.objects.exclude(pk__in=[p.pk for p in catalogue])
    (podcast_id,) = expected_ids(catalogue[7:8], endpoint)

    identify = sickle.Identify()
    assert identify.baseURL == endpoint
    assert identify.protocolVersion == "2.0"
    assert identify.earliestDatestamp == "2024-01-01T12:00:00Z"
    assert [f.metadataPrefix for f in sickle.ListMetadataFormats()] == ["oai_dc"]

    record = sickle.GetRecord(identifier=podcast_id, metadataPrefix="oai_dc")
    assert record.header.identifier == podcast_id
    assert record.metadata["type"] == [str(PublicationKind.PODCAST.label), "Sound"]

    for draft in drafts:
        with pytest.raises(oaiexceptions.IdDoesNotExist):
            sickle.GetRecord(identifier=f"{podcast_id.rsplit(':', 1)[0]}:{draft.pk}",
                             metadataPrefix="oai_dc")  # fmt: skip
    with pytest.raises(oaiexceptions.CannotDisseminateFormat):
        sickle.GetRecord(identifier=podcast_id, metadataPrefix="marc21")
    with pytest.raises(oaiexceptions.BadArgument):
        sickle.ListRecords(metadataPrefix="oai_dc", **{"from": "hier"})
    with pytest.raises(oaiexceptions.BadVerb):
        OAIResponseIterator(sickle, {"verb": "Harvest"})
