"""Demo publications drawn from the 2023 activity report (../shared/seeds), moved to last year.

Each has a small generated PDF whose text holds its summary and a paragraph, so the
search finds them; a few have a generated cover. Idempotent by slug: what exists is
left alone (only links to actions of the events demo are added when found).
"""

from __future__ import annotations

import io
import textwrap
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw, ImageFont

from events.models import Action
from members.models import Organisation
from portal.core.models import Department, SiteSettings, Theme
from portal.core.pdf import render_pdf
from publications.models import MEDIA_KINDS, Publication, PublicationKind, PublicationStatus
from publications.services import publication_save

K = PublicationKind
RNCRPV = "Réseau national des centres de ressources politique de la ville"
MEDIA = "https://media.demo.test/pole-ressources/"
SHEET_BODY = (
    "La fiche décrit le contexte local, les partenaires mobilisés, le déroulement de l'action et "
    "les premiers effets observés, puis donne des conseils à qui voudrait lancer une démarche "
    "comparable sur son territoire."
)

# title, kind, (month, day), theme slugs, département codes, summary, body, extras.
# Dates are in the demo year (last year); summaries are written from the report's facts.
# fmt: off
LAST_YEAR = [
    ("Recueil fiches expériences {year}", K.EXPERIENCE_COLLECTION, (12, 18),
     "jeunesse sante participation-des-habitantes logement-et-renovation-urbaine "
     "egalite-femmes-hommes", "95 78 92",
     "Les dix fiches expériences publiées au fil de l'année dans la lettre Résonances, réunies "
     "en un document : des initiatives de l'ouest francilien sur la jeunesse, la santé mentale, "
     "la participation, le logement et l'égalité entre femmes et hommes.",
     "Chaque fiche situe l'initiative, présente ses porteurs et ses moyens, puis tire des "
     "enseignements utiles à d'autres territoires ; villes, intercommunalités et associations "
     "alternent pour montrer la diversité des pratiques.", {"cover": True}),
    ("Actes — Participation des habitant·es et quartiers populaires", K.PROCEEDINGS, (4, 14),
     "participation-des-habitantes coconstruction-et-cooperations", "92 95",
     "Ce que le séminaire de Nanterre a fait ressortir sur la place de la parole habitante dans "
     "les futurs contrats de ville : conditions, obstacles et leviers pour que la participation "
     "pèse vraiment sur leur élaboration, leur mise en œuvre et leur suivi.",
     "Les apports de deux sociologues y sont restitués avec des démarches de terrain variées : "
     "budgets participatifs, diagnostics en marchant, banquets citoyens, approche d'ATD Quart "
     "Monde. Des repères de méthode concluent le document.",
     {"cover": True, "coproducers": ["Infusion collective"],
      "actions": ["participation des habitant"]}),
    ("Synthèse — Journée des adultes-relais des Yvelines", K.SYNTHESIS, (6, 20),
     "developpement-social emploi-et-developpement-economique", "78",
     "Retour sur la journée départementale des médiatrices et médiateurs adultes-relais des "
     "Yvelines et de leurs employeurs, préparée avec les services de l'État : état des lieux du "
     "dispositif, professionnalisation, formation et échanges entre pairs.",
     "La synthèse reprend les constats partagés sur les missions de médiation sociale, les "
     "besoins de formation exprimés et les pistes retenues pour mieux outiller les structures "
     "employeuses.", {"coproducers": ["Préfecture des Yvelines"], "actions": ["adultes-relais"]}),
    ("Dossier de presse — Éclairages sur les révoltes urbaines", K.PRESS_KIT, (9, 12),
     "prevention-et-tranquillite-publique egalite-et-justice-sociale jeunesse", "",
     "Une sélection d'articles, de tribunes et d'entretiens parus après les révoltes urbaines "
     "qui ont suivi la mort de Nahel lors d'un contrôle de police, pour comprendre les lectures "
     "qu'en ont proposées journalistes et chercheur·es.",
     "Le dossier suit trois temps : le récit des événements, les analyses de leurs causes "
     "sociales et urbaines, puis les réactions des élu·es locaux et des associations des "
     "quartiers.", {"cover": True}),
    ("Accès à une alimentation durable et de qualité", K.SYNTHESIS, (5, 25),
     "transition-ecologique sante", "95",
     "La troisième journée du cycle « Transition écologique et quartiers populaires », "
     "consacrée à l'alimentation : comment permettre aux habitant·es des quartiers, plus "
     "exposé·es à l'obésité et au diabète, de se nourrir sainement et durablement.",
     "Épiceries solidaires, jardins partagés, groupements d'achat, éducation nutritionnelle : "
     "la publication décrit des leviers concrets et insiste sur la coopération entre "
     "collectivités, associations et acteurs de santé.", {"actions": ["alimentation"]}),
    ("Économie circulaire dans les quartiers populaires et solidaires", K.DOSSIER, (11, 8),
     "transition-ecologique economie-sociale-et-solidaire", "95 78 92",
     "Les éclairages d'expert·es et les expériences locales présentés lors des webinaires sur "
     "l'économie circulaire : ses enjeux sociaux, économiques et environnementaux pour des "
     "territoires et des habitant·es touchés par la précarité.",
     "Réemploi, recycleries, ateliers de réparation et emplois d'insertion montrent comment "
     "créer de l'activité locale tout en réduisant les dépenses contraintes des ménages.",
     {"actions": ["économie circulaire"]}),
    ("Kit Limit's", K.TEACHING_KIT, (10, 3),
     "prevention-et-tranquillite-publique jeunesse", "95",
     "Un livret et des capsules vidéo pour sensibiliser les plus jeunes aux risques de l'entrée "
     "dans les trafics de stupéfiants, issus d'une expérimentation menée à Sarcelles avec la "
     "MILDECA et la préfecture du Val-d'Oise.",
     "Le livret guide les animatrices et animateurs : séances à conduire en groupe, questions "
     "pour ouvrir la discussion, repères sur les mécanismes de recrutement et contacts pour "
     "orienter jeunes et familles.",
     {"cover": True, "authors": "Association Projet 2014",
      "coproducers": ["Ville de Sarcelles", "Préfecture du Val-d'Oise", "Projet 2014"]}),
    ("Recettes saines et gourmandes", K.BOOKLET, (7, 4),
     "sante participation-des-habitantes", "95",
     "Les recettes imaginées et cuisinées par des habitant·es de l'est du Val-d'Oise lors de "
     "défis culinaires sur l'alimentation saine, dans la démarche participative de la "
     "coopérative d'acteurs nutrition 95.",
     "Entrées, plats et desserts à petit budget sont accompagnés des astuces des "
     "participant·es : une cuisine équilibrée peut rester simple, économique et conviviale.", {}),
    ("Priorité aux quartiers : de l'observation à la contractualisation", K.PODCAST, (11, 20),
     "ingenierie-territoriale", "",
     "Un podcast enregistré après le deuxième rendez-vous du cycle « Les territoires à la "
     "loupe » : un doctorant en sociologie et une chargée d'étude partagent des méthodes "
     "d'observation pour préparer les nouveaux contrats de ville.",
     "Croiser statistiques et connaissance de terrain, choisir des indicateurs à suivre, "
     "associer les habitant·es au diagnostic : l'échange donne des exemples réutilisables.",
     {"authors": "Hugo Botton (Le Compas), Hélène Joinet (Institut Paris Région)",
      "media_url": MEDIA + "priorite-aux-quartiers", "actions": ["à la loupe"],
      "transcript": "Bienvenue dans ce podcast du Pôle ressources. Aujourd'hui, nous parlons "
      "d'observation des quartiers : comment croiser les chiffres de l'Insee avec ce que "
      "disent les habitant·es et les équipes de terrain ?\n\nPremier conseil : choisir peu "
      "d'indicateurs, mais les suivre dans le temps."}),
    ("Inégalités et mal-logement : de quoi parle-t-on ?", K.REPLAY, (2, 9),
     "logement-et-renovation-urbaine egalite-et-justice-sociale", "",
     "Le replay d'un webinaire qui fait le point sur les inégalités, la pauvreté et la "
     "précarité et sur leur évolution, pour en anticiper les effets dans les territoires.",
     "Les intervenant·es d'une fondation engagée contre le mal-logement et d'un observatoire "
     "des inégalités relient les tendances nationales aux politiques publiques locales.",
     {"media_url": MEDIA + "inegalites-et-mal-logement",
      "coproducers": ["Fondation Abbé Pierre", "Observatoire des inégalités"]}),
    ("Recueil des fiches transversales du réseau — cités éducatives", K.NETWORK_CONTRIBUTION,
     (3, 15), "education ingenierie-territoriale", "",
     "Des fiches rédigées par les centres de ressources du réseau national pour accompagner les "
     "cités éducatives ; le Pôle ressources a écrit celles sur la gouvernance, l'évaluation et "
     "les compétences psychosociales.",
     "Chaque fiche propose des repères, des questions à se poser et des exemples pour les "
     "équipes opérationnelles des cités éducatives.", {"coproducers": [RNCRPV]}),
    ("La place des enfants dans la (co)production de la ville", K.NETWORK_CONTRIBUTION, (5, 10),
     "education participation-des-habitantes logement-et-renovation-urbaine", "",
     "Les enseignements d'une journée d'étude du groupe « questions urbaines » du réseau "
     "national sur la manière d'associer les enfants à la fabrique de la ville.",
     "Aménagement des cours d'école, rues aux enfants, concertations adaptées : des expériences "
     "montrent ce que change le regard des plus jeunes sur l'espace public.",
     {"coproducers": [RNCRPV]}),
    ("Quelle place du sport dans la future contractualisation de la politique de la ville ?",
     K.NETWORK_CONTRIBUTION, (6, 5), "jeunesse sante", "",
     "La synthèse d'un webinaire du réseau national sur le sport dans les quartiers et sur la "
     "façon de l'inscrire dans les nouveaux contrats de ville.",
     "Clubs, équipements de proximité et éducateurs sportifs y sont présentés comme des appuis "
     "pour la santé, l'insertion et le lien social.", {"coproducers": [RNCRPV]}),
    ("Économies de subsistance : quels leviers pour l'action publique ?",
     K.NETWORK_CONTRIBUTION, (9, 28),
     "emploi-et-developpement-economique prevention-et-tranquillite-publique", "",
     "Des clés pour distinguer les notions employées à propos des économies des quartiers "
     "populaires : souterraines, informelles, illicites, non déclarées, de subsistance.",
     "La publication propose ensuite des pistes d'action publique pour reconnaître les "
     "compétences mises en œuvre et ouvrir des passerelles vers l'emploi déclaré.",
     {"coproducers": [RNCRPV]}),
    ("Emploi et transitions dans les quartiers politique de la ville", K.NETWORK_CONTRIBUTION,
     (10, 17), "emploi-et-developpement-economique transition-ecologique", "",
     "Un décryptage du club des développeurs économiques du réseau sur l'évolution de l'emploi "
     "dans les quartiers face à la transition écologique.",
     "Métiers de la rénovation énergétique, du recyclage et de la mobilité : le document repère "
     "les filières qui recrutent et les formations qui y mènent.", {"coproducers": [RNCRPV]}),
    ("Enjeux de santé dans les quartiers prioritaires", K.NETWORK_CONTRIBUTION, (11, 28),
     "sante", "", "Des données clés réunies par le groupe santé du réseau national pour mesurer "
     "les principaux enjeux de santé des habitant·es des quartiers prioritaires.",
     "Espérance de vie, renoncement aux soins, maladies chroniques et santé mentale sont mis en "
     "regard des moyennes nationales.", {"coproducers": [RNCRPV]}),
]
# The monthly experience sheets of the newsletter: month, title, themes, départements.
SHEETS = [
    (1, "Aller vers les jeunes filles par les réseaux sociaux", "jeunesse egalite-femmes-hommes",
     "95"),
    (2, "Les Jeudis de l'emploi à Vernouillet", "emploi-et-developpement-economique", "78"),
    (3, "Repérer les jeunes éloignés de l'emploi", "jeunesse emploi-et-developpement-economique",
     "95"),
    (4, "Un conseil local de santé mentale ouvert aux habitant·es",
     "sante participation-des-habitantes", "92"),
    (5, "Une permanence logement au pied des immeubles", "logement-et-renovation-urbaine", "95"),
    (6, "Des marches exploratoires de femmes", "egalite-femmes-hommes participation-des-habitantes",
     "78"),
    (9, "Un conseil citoyen qui anime le diagnostic du quartier", "participation-des-habitantes",
     "92"),
    (10, "Premiers secours en santé mentale pour les acteurs jeunesse", "sante jeunesse", "95"),
    (11, "Habiter sa maison, son quartier", "egalite-femmes-hommes", "95"),
    (12, "Accompagner les locataires pendant la rénovation urbaine",
     "logement-et-renovation-urbaine", "92"),
]
# fmt: on


def _entries(today: date) -> list[dict]:
    year = today.year - 1
    entries = []
    for title, kind, (month, day), themes, departments, summary, body, extras in LAST_YEAR:
        entries.append({"title": title.format(year=year), "kind": kind, "summary": summary,
                        "body": body, "on": date(year, month, day), "themes": themes,
                        "departments": departments, **extras})  # fmt: skip
    for month, topic, themes, departments in SHEETS:
        entries.append(_sheet(topic, date(year, month, 15), themes, departments))
    this_year = [
        ("Un point d'accès au numérique au centre social", "developpement-social", "95", 25),
        ("Une bourse aux projets de jeunes", "jeunesse", "78", 53),
    ]
    for topic, themes, departments, day_of_year in this_year:
        on = min(today, date(today.year, 1, 1) + timedelta(days=day_of_year))
        entries.append(_sheet(topic, on, themes, departments))
    scheduled = _sheet("Des ateliers parents dans les écoles", today + timedelta(days=21),
                       "parentalite education", "92")  # fmt: skip
    scheduled["status"] = PublicationStatus.SCHEDULED
    draft = {
        "title": "Actes — Participation des habitant·es : donner du sens à la participation",
        "kind": K.PROCEEDINGS, "on": today + timedelta(days=45),
        "themes": "participation-des-habitantes", "departments": "95",
        "status": PublicationStatus.DRAFT, "actions": ["participation des habitant"],
        "summary": "Les actes en préparation de la deuxième rencontre du cycle, à Argenteuil : "
        "mobiliser les habitant·es, coopérer entre acteurs, mesurer l'effet de la participation.",
        "body": "Démarches nationales de recueil de la parole habitante et expériences locales "
        "d'associations et de villes du Val-d'Oise y seront présentées.",
    }  # fmt: skip
    return [*entries, scheduled, draft]


def _sheet(topic: str, on: date, themes: str, departments: str) -> dict:
    return {
        "title": f"Fiche expérience — {topic}", "kind": K.EXPERIENCE_SHEET, "on": on,
        "themes": themes, "departments": departments, "body": SHEET_BODY,
        "summary": f"Fiche expérience de la lettre Résonances : {topic[0].lower()}{topic[1:]}, "
        "une initiative locale de l'ouest francilien racontée par ses acteurs.",
    }  # fmt: skip


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A system font with French accents and dashes; Pillow's own font otherwise."""
    for name in ("LiberationSans-Bold.ttf", "DejaVuSans-Bold.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def _cover(title: str, index: int) -> bytes:
    """A plain poster: a coloured page, a band and the title."""
    colours = ["#7a1f3d", "#1f4e7a", "#2e6b3a", "#8a4b0f", "#4b2e7a"]
    image = Image.new("RGB", (900, 1270), colours[index % len(colours)])
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 860, 900, 1270), fill="#f6f0f2")
    font = _font(64)
    lines = textwrap.wrap(title, width=22)[:6]
    for number, line in enumerate(lines):
        draw.text((60, 120 + number * 86), line, fill="white", font=font)
    draw.text((60, 1120), "Pôle ressources", fill="#1a1a1a", font=_font(44))
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=85)
    return output.getvalue()


def _pdf(entry: dict, publisher: str) -> bytes:
    return render_pdf(
        "publications/demo_pdf.html",
        {
            "title": entry["title"],
            "kind": PublicationKind(entry["kind"]).label,
            "publisher": publisher,
            "authors": entry.get("authors", ""),
            "published_on": entry["on"],
            "summary": entry["summary"],
            "paragraphs": [entry["body"]],
        },
    )


def _create(entry: dict, slug: str, index: int, publisher: str) -> Publication:
    today = timezone.localdate()
    status = entry.get("status") or (
        PublicationStatus.PUBLISHED if entry["on"] <= today else PublicationStatus.SCHEDULED
    )
    publication = Publication(
        title=entry["title"], slug=slug, kind=entry["kind"], summary=entry["summary"],
        body=f"<p>{entry['body']}</p>", authors=entry.get("authors", ""),
        published_on=entry["on"], status=status, media_url=entry.get("media_url", ""),
        transcript=entry.get("transcript", ""),
    )  # fmt: skip
    if entry["kind"] not in MEDIA_KINDS:
        publication.file.save(f"{slug}.pdf", ContentFile(_pdf(entry, publisher)), save=False)
    if entry.get("cover"):
        publication.cover.save(f"{slug}.jpg", ContentFile(_cover(entry["title"], index)), False)
    publication_save(publication=publication, actor=None)
    publication.themes.set(Theme.objects.filter(slug__in=entry["themes"].split()))
    publication.departments.set(Department.objects.filter(code__in=entry["departments"].split()))
    names = entry.get("coproducers", [])
    if names:
        publication.coproducers.set(Organisation.objects.filter(name__in=names))
    return publication


def _actions_link(publication: Publication, keywords: list[str]) -> None:
    for keyword in keywords:
        found = Action.objects.filter(title__icontains=keyword).order_by("pk")[:3]
        publication.actions.add(*found)


@transaction.atomic
def load_demo() -> None:
    entries = _entries(timezone.localdate())
    slugs = [slugify(entry["title"])[:250] for entry in entries]
    existing = {
        publication.slug: publication for publication in Publication.objects.filter(slug__in=slugs)
    }
    publisher = SiteSettings.objects.filter(pk=1).values_list("short_name", flat=True).first()
    publisher = publisher or "Pôle ressources"
    for index, (entry, slug) in enumerate(zip(entries, slugs, strict=True)):
        publication = existing.get(slug) or _create(entry, slug, index, publisher)
        _actions_link(publication, entry.get("actions", []))
