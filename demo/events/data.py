"""The data of the events demo: formats, themes, partners and the year's actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from events.models import ActionFormat, RegistrationMode
from members.models import ActorType, OrganisationKind

SEED = 2023
PARTICIPANTS = 420
PARTICIPANT_DOMAIN = "participants.demo.test"
F = ActionFormat
STAFF, ASSO, RESIDENT = ActorType.COLLECTIVITY_STAFF, ActorType.ASSOCIATION, ActorType.RESIDENT
STATE, ELECTED, EXPERT = ActorType.STATE, ActorType.ELECTED, ActorType.RESEARCHER
OTHER = "other"  # a département outside the centre's three, or none

# Where participants come from, by the focus of an action.
FOCUS = {
    "95": {"95": 0.85, "78": 0.04, "92": 0.05, OTHER: 0.06},
    "78": {"78": 0.84, "95": 0.06, "92": 0.04, OTHER: 0.06},
    "92": {"92": 0.84, "95": 0.06, "78": 0.04, OTHER: 0.06},
    "all": {"95": 0.32, "78": 0.30, "92": 0.31, OTHER: 0.07},
    "region": {"95": 0.30, "78": 0.24, "92": 0.24, OTHER: 0.22},
}
# Who takes part, by the audience of an action.
PROFILE = {
    "pro": {STAFF: 0.70, ASSO: 0.09, STATE: 0.15, ELECTED: 0.02, EXPERT: 0.04},
    "mixed": {STAFF: 0.44, ASSO: 0.25, RESIDENT: 0.09, STATE: 0.12, ELECTED: 0.06, EXPERT: 0.04},
    "residents": {RESIDENT: 0.50, ASSO: 0.22, STAFF: 0.20, ELECTED: 0.06, STATE: 0.02},
    "elected": {ELECTED: 0.70, STAFF: 0.25, STATE: 0.05},
}
POOL = {  # the participants: départements, then kinds of actor
    "departments": {"95": 0.46, "78": 0.25, "92": 0.21, OTHER: 0.08},
    "actor_types": {
        STAFF: 0.50, ASSO: 0.18, RESIDENT: 0.14, STATE: 0.10, ELECTED: 0.05, EXPERT: 0.03
    },
}  # fmt: skip
OTHER_DEPARTMENTS = [("75", "Paris"), ("93", "Seine-Saint-Denis"), ("91", "Essonne"),
                     ("94", "Val-de-Marne"), ("60", "Oise")]  # fmt: skip

THEMES = {
    "social": "developpement-social",
    "coop": "coconstruction-et-cooperations",
    "equality": "egalite-et-justice-sociale",
    "women": "egalite-femmes-hommes",
    "health": "sante",
    "youth": "jeunesse",
    "education": "education",
    "parenting": "parentalite",
    "jobs": "emploi-et-developpement-economique",
    "ess": "economie-sociale-et-solidaire",
    "ecology": "transition-ecologique",
    "housing": "logement-et-renovation-urbaine",
    "residents": "participation-des-habitantes",
    "engineering": "ingenierie-territoriale",
    "prevention": "prevention-et-tranquillite-publique",
    "laicite": "laicite-et-valeurs-de-la-republique",
}
# Partners created when missing (the members demo creates the member cities, EPCIs and
# associations; these are partners, not members).
PARTNERS = {
    "CAF du Val-d'Oise": OrganisationKind.PUBLIC_AGENCY,
    "CAF des Yvelines": OrganisationKind.PUBLIC_AGENCY,
    "ARS Île-de-France": OrganisationKind.PUBLIC_AGENCY,
    "Préfecture du Val-d'Oise": OrganisationKind.STATE,
    "Préfecture des Yvelines": OrganisationKind.STATE,
    "Préfecture des Hauts-de-Seine": OrganisationKind.STATE,
    "Préfecture de la région Île-de-France": OrganisationKind.STATE,
    "DDETS du Val-d'Oise": OrganisationKind.STATE,
    "CU Grand Paris Seine & Oise": OrganisationKind.EPCI,
    "CA Saint-Quentin-en-Yvelines": OrganisationKind.EPCI,
    "Infusion collective": OrganisationKind.COMPANY,
    "Promotion Santé Île-de-France": OrganisationKind.ASSOCIATION,
    "Profession Banlieue": OrganisationKind.ASSOCIATION,
    "Ressources urbaines": OrganisationKind.ASSOCIATION,
    "Centre information jeunesse du Val-d'Oise": OrganisationKind.ASSOCIATION,
    "Action Education": OrganisationKind.ASSOCIATION,
    "Du Côté Des Femmes": OrganisationKind.ASSOCIATION,
    "Paroles Arc-en-Ciel Théâtre": OrganisationKind.ASSOCIATION,
    "Amicale du Nid": OrganisationKind.ASSOCIATION,
    "b.a-BA": OrganisationKind.ASSOCIATION,
    "Observatoire de la précarité et du mal-logement 92": OrganisationKind.ASSOCIATION,
    "Fédération des centres sociaux et socioculturels de France": OrganisationKind.ASSOCIATION,
    "Réseau national des centres de ressources politique de la ville": OrganisationKind.ASSOCIATION,
}
CAF95, CAF78, ARS = "CAF du Val-d'Oise", "CAF des Yvelines", "ARS Île-de-France"
PREF95, PREF78 = "Préfecture du Val-d'Oise", "Préfecture des Yvelines"
PREF92, PREFIDF = "Préfecture des Hauts-de-Seine", "Préfecture de la région Île-de-France"
FCS95 = "Fédération des Centres Sociaux du Val d'Oise"
RNCRPV = "Réseau national des centres de ressources politique de la ville"
CRPV_IDF = ["Profession Banlieue", "Ressources urbaines"]


@dataclass(frozen=True)
class Spec:
    """An action: `plan` has one character per session, its half-days ("1" or "2")."""

    title: str
    format: str
    themes: tuple[str, ...]
    partners: tuple[str, ...]
    focus: str
    profile: str
    plan: str
    size: int = 0  # named participants per session
    headcount: int = 0  # the last session is counted without names
    public: bool = True
    town: str = ""


def S(title, fmt, themes, partners, focus, profile, plan, size=0, **extra) -> Spec:
    return Spec(title, fmt, tuple(themes.split()), tuple(partners), focus, profile, plan, size,
                **extra)  # fmt: skip


def _support(territory: str, focus: str, plan: str, size: int, partners=(), profile="mixed"):
    return S(f"Appui à l'élaboration du contrat de ville : {territory}", F.SUPPORT,
             "engineering coop", partners, focus, profile, plan, size, public=False)  # fmt: skip


def _voices(town: str, focus: str, plan: str, size: int):
    return S(f"Recueil de la parole des habitant·es : {town}", F.SUPPORT,
             "residents engineering", [f"Ville de {town}"], focus, "residents", plan, size,
             public=False, town=town)  # fmt: skip


# Last year, after the 2023 report ("2023 en thèmes et en actions").
LAST_YEAR = [
    S("Ateliers de coconstruction du schéma départemental des services aux familles du Val-d'Oise",
      F.SUPPORT, "parenting social coop", [CAF95, FCS95], "95", "mixed", "1" * 12, 12,
      public=False),
    S("Réseau des chargé·es de coopération CTG du Val-d'Oise", F.PEER_GROUP, "social coop",
      [CAF95], "95", "pro", "1" * 6, 24),
    S("Formation-action à l'évaluation des conventions territoriales globales",
      F.ACTION_TRAINING, "engineering social", [CAF95], "95", "pro", "1111", 18),
    S("Réseau des chargé·es de coopération CTG des Yvelines", F.PEER_GROUP, "social coop",
      [CAF78], "78", "pro", "111", 20),
    S("Groupe de travail entre pairs : équipes politique de la ville de l'ouest francilien",
      F.PEER_GROUP, "engineering", [], "all", "pro", "11", 15),
    S("Temps départemental des contrats de ville 2030 des Hauts-de-Seine", F.MEETING,
      "engineering health education women", [PREF92], "92", "mixed", "2", headcount=73,
      town="Nanterre"),
    S("Ateliers départementaux des contrats de ville 2030 du Val-d'Oise", F.WORKSHOP,
      "engineering", [PREF95], "95", "pro", "1111", 20),
    S("Temps fort départemental de la politique de la ville du Val-d'Oise", F.MEETING,
      "engineering", [PREF95], "95", "mixed", "2", headcount=120, town="Cergy"),
    S("Conseil national de la refondation : la parentalité dans les quartiers prioritaires",
      F.MEETING, "parenting residents", [PREF78, CAF78, "CU Grand Paris Seine & Oise"], "78",
      "residents", "2", headcount=104, town="Chanteloup-les-Vignes"),
    _support("CA de Cergy-Pontoise", "95", "111111", 18, ["CA de Cergy-Pontoise"]),
    _support("CA Roissy Pays de France", "95", "111111", 18, ["CA Roissy Pays de France"]),
    _support("CA Saint-Quentin-en-Yvelines", "78", "11111", 28, ["CA Saint-Quentin-en-Yvelines"]),
    _support("CU Grand Paris Seine & Oise", "78", "111111", 28, ["CU Grand Paris Seine & Oise"]),
    _support("CA Saint Germain Boucles de Seine", "78", "1111", 24),
    _support("EPT Vallée Sud Grand Paris", "92", "111111", 24),
    _support("EPT Boucle Nord de Seine", "92", "111111", 22, ["Ville de Gennevilliers"]),
    _voices("Bezons", "95", "111", 15),
    _voices("Montigny-lès-Cormeilles", "95", "111", 14),
    _voices("Villeneuve-la-Garenne", "92", "111", 22),
    _voices("Beaumont-sur-Oise", "95", "11", 14),
    S("Questionnaire aux habitant·es et ateliers des directions : Villiers-le-Bel", F.SUPPORT,
      "residents engineering", ["Ville de Villiers-le-Bel"], "95", "mixed", "111", 16,
      public=False, town="Villiers-le-Bel"),
    S("Formation « Animation participative d'un groupe de travail »", F.TRAINING, "coop",
      ["Infusion collective"], "all", "pro", "222222", 13),
    S("Groupe d'échanges des coordonnateur·rices ASV/CLS/CLSM du Val-d'Oise", F.PEER_GROUP,
      "health", [ARS], "95", "pro", "1" * 8, 12),
    S("Journée d'accueil des nouveaux·elles coordinateur·rices ASV/CLS/CLSM d'Île-de-France",
      F.MEETING, "health", ["Promotion Santé Île-de-France", *CRPV_IDF], "region", "pro", "2",
      25),
    S("Rencontre « Droit à un environnement sain : solutions locales pour agir en quartiers "
      "populaires »", F.MEETING, "health ecology", ["Ressources urbaines"], "region", "mixed",
      "1", 45),
    S("Groupe d'échanges des coordonnateur·rices santé des Hauts-de-Seine", F.PEER_GROUP,
      "health", [ARS], "92", "pro", "1111", 16),
    S("Formation « Créer et animer un jardin partagé »", F.TRAINING, "health ecology", ["b.a-BA"],
      "95", "mixed", "22", 14),
    S("Réseau des programmes de réussite éducative du Val-d'Oise", F.PEER_GROUP,
      "education youth", [], "95", "pro", "111", 16),
    S("Réseau des programmes de réussite éducative des Hauts-de-Seine", F.PEER_GROUP,
      "education youth", [], "92", "pro", "111", 18),
    S("Réseau des programmes de réussite éducative des Yvelines", F.PEER_GROUP,
      "education youth", [PREF78], "78", "pro", "1", 14),
    S("Réseau des chef·fes de projet opérationnel des cités éducatives du Val-d'Oise",
      F.PEER_GROUP, "education", [PREF95], "95", "pro", "1111", 10),
    S("Réseau des troïkas des cités éducatives des Yvelines et du Val-d'Oise", F.PEER_GROUP,
      "education", [PREF78, PREF95], "all", "pro", "111", 14),
    S("Accompagnement des cités éducatives : groupes de travail et évaluation", F.SUPPORT,
      "education engineering", [], "78", "pro", "1111", 20, public=False),
    S("Journée des réussites éducatives des Yvelines", F.MEETING, "education youth", [PREF78],
      "78", "mixed", "2", headcount=130, town="Les Mureaux"),
    S("Journée départementale des acteur·rices jeunesse du Val-d'Oise", F.MEETING, "youth",
      [FCS95, "Centre information jeunesse du Val-d'Oise"], "95", "mixed", "112", 15,
      headcount=210, town="Cergy"),
    S("Parcours d'insertion des jeunes : l'enjeu de l'aller-vers, avec Laurent Ott", F.MEETING,
      "youth jobs", [FCS95], "95", "mixed", "1", 35),
    S("Journée de la cohérence éducative : transition écologique, transitions éducatives",
      F.MEETING, "education ecology", ["Action Education", "CAUE 95"], "95", "mixed", "2",
      headcount=90),
    S("Journée de sensibilisation à la lutte contre les violences faites aux femmes", F.TRAINING,
      "women", ["Du Côté Des Femmes", "Paroles Arc-en-Ciel Théâtre"], "all", "mixed", "2", 25),
    S("Cycle de réflexion sur les violences sexistes et sexuelles", F.QUALIFICATION_CYCLE,
      "women prevention", ["Amicale du Nid"], "95", "pro", "11", 35),
    S("Webinaires égalité femmes-hommes du réseau national des CRPV", F.WEBINAR, "women",
      [RNCRPV], "region", "pro", "1111", 28),
    S("Rénovation urbaine : quel impact sur le logement des plus pauvres ?", F.MEETING,
      "housing", ["Observatoire de la précarité et du mal-logement 92"], "92", "pro", "1", 55),
    S("Journée des métiers du social et du médicosocial", F.SUPPORT, "jobs",
      ["DDETS du Val-d'Oise"], "95", "mixed", "112", 8, headcount=80, public=False),
    S("Séminaire régional : transition écologique et réduction des inégalités", F.SEMINAR,
      "ecology equality", [PREFIDF, *CRPV_IDF], "region", "pro", "2", headcount=120),
    S("Webinaires « Quelle économie circulaire pour des quartiers populaires et solidaires ? »",
      F.WEBINAR, "ess ecology", [], "all", "mixed", "11", 40),
    S("Les territoires à la loupe : de l'observation à la contractualisation", F.OBSERVATION,
      "engineering", [], "all", "pro", "11", 30),
    S("Accès à une alimentation durable et de qualité dans les quartiers populaires", F.MEETING,
      "ecology health", [], "all", "mixed", "2", 45),
    S("Cycle de qualification « Quartiers populaires et participation des habitant·es »",
      F.QUALIFICATION_CYCLE, "residents", ["Infusion collective"], "all", "mixed", "22", 50),
    S("Atelier « Habiter sa maison, son quartier »", F.WORKSHOP, "women residents", [], "95",
      "residents", "1", 20, town="Sarcelles"),
    S("Banlieue française : expériences et expressions du quartier", F.MEETING,
      "residents prevention", [], "95", "mixed", "1", 40),
    S("Après les révoltes urbaines : temps de réflexion avec professionnel·les et habitant·es",
      F.MEETING, "prevention residents youth", [PREF78], "78", "mixed", "1", 45),
    S("Journée nationale de restitution « Engagé·es ! »", F.MEETING, "residents",
      ["Fédération des centres sociaux et socioculturels de France", RNCRPV], "region",
      "residents", "2", headcount=100),
    S("Coopérative d'actrices et d'acteurs nutrition de l'est du Val-d'Oise", F.WORKSHOP,
      "health residents", [ARS], "95", "residents", "1" * 8, 20),
    S("Des territoires éducatifs coopérants : la parole des enfants", F.MEETING,
      "education residents", ["Profession Banlieue"], "region", "mixed", "2", 30),
    S("Samedi des élu·es : la politique de la ville, mode d'emploi", F.ELECTED_SATURDAY,
      "engineering", [], "all", "elected", "11", 18),
    S("Petit-déjeuner : le Pacte des solidarités et la politique de la ville", F.BREAKFAST,
      "equality social", [PREFIDF], "all", "pro", "11", 25),
    S("Études en débat : « Jeunes de quartier, le pouvoir des mots »", F.STUDIES_DEBATE,
      "youth residents", [], "all", "mixed", "1", 35),
    S("Journée départementale des adultes-relais des Yvelines", F.MEETING, "prevention jobs",
      [PREF78], "78", "pro", "2", headcount=95),
    S("Journée de formation Valeurs de la République et laïcité", F.TRAINING, "laicite",
      [PREFIDF], "region", "pro", "2", 20),
]  # fmt: skip
# The member demo login is a chef·fe de projet: present at these sessions of last year.
MEMBER_LAST_YEAR = {
    "Groupe de travail entre pairs : équipes politique de la ville de l'ouest francilien": (0, 1),
    "Cycle de qualification « Quartiers populaires et participation des habitant·es »": (0, 1),
    "Petit-déjeuner : le Pacte des solidarités et la politique de la ville": (0,),
}


@dataclass(frozen=True)
class Upcoming:
    """This year: sessions `days` from today (negative: already held); `seats` registered."""

    spec: Spec
    days: tuple[int, ...]
    capacity: int | None = None
    seats: int = 0
    mode: str = RegistrationMode.OPEN
    online: bool = False
    cycle: bool = False


THIS_YEAR = [
    Upcoming(S("Groupe d'échanges des coordonnateur·rices ASV/CLS/CLSM du Val-d'Oise",
               F.PEER_GROUP, "health", [ARS], "95", "pro", "1111", 12),
             (-200, -120, -60, 10), capacity=25, seats=23),
    Upcoming(S("Réseau des chargé·es de coopération CTG du Val-d'Oise", F.PEER_GROUP,
               "social coop", [CAF95], "95", "pro", "111", 22), (-150, -75, 30), 40, 12),
    Upcoming(S("Réseau des programmes de réussite éducative des Hauts-de-Seine", F.PEER_GROUP,
               "education youth", [], "92", "pro", "11", 14), (-90, 24), 20, 6),
    Upcoming(S("Formation « Animation participative d'un groupe de travail »", F.TRAINING,
               "coop", ["Infusion collective"], "all", "pro", "22"), (20, 21), 14, 16,
             cycle=True),
    Upcoming(S("Webinaire « Contrats de ville 2030 : un premier bilan »", F.WEBINAR,
               "engineering", [], "all", "pro", "1"), (15,), None, 12, online=True),
    Upcoming(S("Petit-déjeuner : l'abattement de TFPB dans les contrats de ville", F.BREAKFAST,
               "housing engineering", [PREF95], "95", "pro", "1"), (8,), 30, 27),
    Upcoming(S("Samedi des élu·es : la place des habitant·es dans les contrats de ville",
               F.ELECTED_SATURDAY, "residents engineering", [], "all", "elected", "1"), (26,),
             30, 4, mode=RegistrationMode.ON_REQUEST),
    Upcoming(S("Séminaire « Santé mentale et quartiers populaires »", F.SEMINAR, "health",
               [ARS, *CRPV_IDF], "region", "mixed", "2"), (40,), 120, 35),
    Upcoming(S("Cycle de qualification « Tiers-lieux et quartiers populaires »",
               F.QUALIFICATION_CYCLE, "residents ess", ["Infusion collective"], "all", "mixed",
               "22"), (45, 52), 40, 10, cycle=True),
]  # fmt: skip
MEMBER_THIS_YEAR = {0: (2,)}  # present at the ASV group's third session
MEMBER_REGISTERED = 4  # the webinar: her space shows the online link

JOBS = {
    STAFF: ["Cheffe de projet politique de la ville", "Coordinateur PRE",
            "Référente de parcours PRE", "Coordinatrice ASV/CLS", "Chargé de coopération CTG",
            "Cheffe de projet cité éducative", "Chargé de mission jeunesse",
            "Responsable du service vie des quartiers"],
    ASSO: ["Directrice de centre social", "Animateur socioculturel",
           "Coordinatrice associative", "Président d'association"],
    RESIDENT: ["Conseillère citoyenne", "Habitant", "Parent d'élève", "Membre du conseil citoyen"],
    STATE: ["Déléguée du préfet", "Chargé de mission politique de la ville (DDETS)",
            "Conseillère territoriale CAF", "Chargée de mission ARS"],
    ELECTED: ["Adjointe au maire", "Conseiller municipal délégué à la politique de la ville"],
    EXPERT: ["Sociologue", "Chargée d'études", "Consultant en évaluation"],
}  # fmt: skip
VENUES = ["Maison de quartier", "Centre social", "Hôtel de ville, salle du conseil",
          "Médiathèque", "Maison des associations", "Hôtel d'agglomération"]  # fmt: skip
SUMMARIES = {
    F.PEER_GROUP: "Un groupe d'échanges entre pairs, pour partager pratiques et questions.",
    F.BREAKFAST: "Un petit-déjeuner d'information et d'échanges, en début de matinée.",
    F.QUALIFICATION_CYCLE: "Un cycle de qualification : apports de chercheur·es et expériences.",
    F.WORKSHOP: "Un atelier participatif pour construire ensemble.",
    F.MEETING: "Une rencontre ouverte aux acteur·rices des quartiers de l'ouest francilien.",
    F.SEMINAR: "Un séminaire d'une journée : conférences, tables rondes et ateliers.",
    F.WEBINAR: "Un webinaire d'une heure trente, en ligne, suivi d'échanges.",
    F.TRAINING: "Une formation pour acquérir des méthodes et des outils.",
    F.ELECTED_SATURDAY: "Un samedi matin pour les élu·es des villes et des intercommunalités.",
    F.STUDIES_DEBATE: "Une étude récente présentée par ses auteur·es, puis débattue.",
    F.OBSERVATION: "Données et observation des territoires au service des projets.",
    F.ACTION_TRAINING: "Une formation-action : des apports et un travail sur vos projets.",
    F.SUPPORT: "Un appui-accompagnement d'un territoire par l'équipe du Pôle ressources.",
}
SLOTS = {"1": [(time(9, 30), 3), (time(14), 3), (time(18, 30), 2.5)], "2": [(time(9, 30), 7)]}
FIXED_SLOTS = {
    F.WEBINAR: (time(10), 2),
    F.BREAKFAST: (time(8, 30), 2),
    F.ELECTED_SATURDAY: (time(9, 30), 3),
}
