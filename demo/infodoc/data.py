"""The data of the info-doc demo: the report's shares, requesters, subjects and resources."""

from __future__ import annotations

from infodoc.models import RequesterKind, Resource, ResponseType
from members.models import OrganisationKind

SEED = 2023
LAST_YEAR_REQUESTS = 112
YEAR_BEFORE_REQUESTS = 116
K = RequesterKind
ROISSY, CERGY, GPSO, VSGP = "200055655", "249500109", "200059889", "200057966"
VAL_PARISIS, PLAINE_VALLEE, BOUCLE_NORD, HAUT_VO = (
    "200058485", "200056380", "200057990", "249500489",
)  # fmt: skip
IN, OUT = "inside", "outside"
# (requester kind, territory, requests out of 112): a commune of an EPCI, an EPCI itself,
# or only a département inside or outside the centre's area.
CELLS = [
    (K.CITY, ("commune", ROISSY), 10), (K.CITY, ("commune", CERGY), 7),
    (K.CITY, ("commune", GPSO), 6), (K.CITY, ("commune", VSGP), 6),
    (K.CITY, ("commune", VAL_PARISIS), 6), (K.CITY, ("commune", PLAINE_VALLEE), 5),
    (K.CITY, ("commune", BOUCLE_NORD), 4), (K.CITY, ("commune", HAUT_VO), 2),
    (K.EPCI, ("epci", CERGY), 2), (K.EPCI, ("epci", ROISSY), 2),
    (K.CITY, OUT, 4), (K.EPCI, OUT, 2), (K.STATE, OUT, 8), (K.ASSOCIATION, OUT, 5),
    (K.PROFESSIONAL, OUT, 4), (K.STUDENT, OUT, 3), (K.OTHER, OUT, 1),
    (K.SOCIAL_LANDLORD, OUT, 1), (K.DEPARTEMENT, OUT, 1),
    (K.STATE, IN, 13), (K.ASSOCIATION, IN, 10), (K.PROFESSIONAL, IN, 3), (K.STUDENT, IN, 2),
    (K.SOCIAL_LANDLORD, IN, 3), (K.DEPARTEMENT, IN, 1), (K.OTHER, IN, 1),
]  # fmt: skip
OUTSIDE_DEPARTMENTS = {
    "93": "Seine-Saint-Denis", "75": "Paris", "91": "Essonne", "60": "Oise",
    "94": "Val-de-Marne", "77": "Seine-et-Marne",
}  # fmt: skip
# Organisations asking, by kind and area: (name, organisation kind, département).
ORGANISATIONS = {
    (K.CITY, OUT): [
        ("Ville de Saint-Denis", OrganisationKind.COMMUNE, "93"),
        ("Ville de Creil", OrganisationKind.COMMUNE, "60"),
        ("Ville d'Évry-Courcouronnes", OrganisationKind.COMMUNE, "91"),
        ("Ville de Champigny-sur-Marne", OrganisationKind.COMMUNE, "94"),
    ],
    (K.EPCI, OUT): [
        ("EPT Plaine Commune", OrganisationKind.EPCI, "93"),
        ("CA Grand Paris Sud", OrganisationKind.EPCI, "91"),
    ],
    (K.STATE, IN): [
        ("Préfecture du Val-d'Oise", OrganisationKind.STATE, "95"),
        ("Préfecture des Yvelines", OrganisationKind.STATE, "78"),
        ("Préfecture des Hauts-de-Seine", OrganisationKind.STATE, "92"),
        ("CAF du Val-d'Oise", OrganisationKind.PUBLIC_AGENCY, "95"),
        ("CAF des Yvelines", OrganisationKind.PUBLIC_AGENCY, "78"),
    ],
    (K.STATE, OUT): [
        ("Agence nationale de la cohésion des territoires", OrganisationKind.PUBLIC_AGENCY, "75"),
        ("Préfecture de la Seine-Saint-Denis", OrganisationKind.STATE, "93"),
        ("ARS Île-de-France", OrganisationKind.PUBLIC_AGENCY, "75"),
    ],
    (K.ASSOCIATION, OUT): [
        ("Association Quartiers solidaires", OrganisationKind.ASSOCIATION, "93"),
        ("Collectif Jeunesse Essonne", OrganisationKind.ASSOCIATION, "91"),
    ],
    (K.SOCIAL_LANDLORD, IN): [
        ("Habitat Val-d'Oise (démo)", OrganisationKind.SOCIAL_LANDLORD, "95"),
        ("Yvelines Logement (démo)", OrganisationKind.SOCIAL_LANDLORD, "78"),
    ],
    (K.SOCIAL_LANDLORD, OUT): [
        ("Seine-Saint-Denis Logement (démo)", OrganisationKind.SOCIAL_LANDLORD, "93"),
    ],
    (K.DEPARTEMENT, IN): [
        ("Conseil départemental du Val-d'Oise", OrganisationKind.DEPARTEMENT, "95"),
    ],
    (K.DEPARTEMENT, OUT): [("Conseil départemental de l'Oise", OrganisationKind.DEPARTEMENT, "60")],
}
INSIDE_CODES = ["95", "95", "78", "92"]
INDIVIDUALS = 8  # people asking on their own, per area
# Primary themes of 112 requests, then second themes of 28 of them: 19 % each for
# territorial engineering and equality, about 7 % for prevention and for youth.
PRIMARY_THEMES = {
    "Ingénierie territoriale": 17, "Égalité et justice sociale": 17,
    "Prévention et tranquillité publique": 6, "Jeunesse": 6, "Développement social": 10,
    "Éducation": 8, "Participation des habitant·es": 8, "Emploi et développement économique": 7,
    "Santé": 6, "Logement et rénovation urbaine": 6, "Parentalité": 5,
    "Égalité femmes-hommes": 4, "Laïcité et valeurs de la République": 4,
    "Économie sociale et solidaire": 3, "Transition écologique": 3,
    "Coconstruction et coopérations": 2,
}  # fmt: skip
SECOND_THEMES = {
    "Ingénierie territoriale": 4, "Égalité et justice sociale": 4,
    "Prévention et tranquillité publique": 2, "Jeunesse": 2,
    "Participation des habitant·es": 4, "Coconstruction et coopérations": 4,
    "Développement social": 3, "Éducation": 2, "Égalité femmes-hommes": 2,
    "Emploi et développement économique": 1,
}  # fmt: skip
RESPONSE_WEIGHTS = {
    ResponseType.DOCUMENTS: 40, ResponseType.ORIENTATION: 20, ResponseType.BIBLIOGRAPHY: 12,
    ResponseType.DOSSIER: 10, ResponseType.SPEAKERS: 10, ResponseType.JOB_OFFERS: 8,
}  # fmt: skip
RESPONSE_DAYS = [0, 1, 1, 2, 2, 3, 3, 3, 4, 4, 5, 6, 7, 9, 12, 15, 21]
ANSWERS = {
    ResponseType.DOCUMENTS: "Nous vous adressons une sélection de documents récents.",
    ResponseType.DOSSIER: "Vous trouverez ci-joint un dossier thématique réalisé pour vous.",
    ResponseType.BIBLIOGRAPHY: "Voici une bibliographie commentée sur le sujet.",
    ResponseType.ORIENTATION: "Nous vous orientons vers les services et personnes ressources.",
    ResponseType.SPEAKERS: "Voici des intervenant·es (sociologues, praticien·nes) à solliciter.",
    ResponseType.JOB_OFFERS: "Nous avons relayé votre offre d'emploi dans notre réseau.",
}
SUBJECTS = [
    ("Diagnostic territorial partagé", "Auriez-vous des exemples de diagnostics partagés "
     "réalisés pour un contrat de ville « Quartiers 2030 » ?"),
    ("Évaluation du contrat de ville", "Nous préparons l'évaluation de notre contrat de "
     "ville : quelles méthodes et quels indicateurs ont été utilisés ailleurs ?"),
    ("Égalité d'accès aux droits", "Avez-vous des ressources sur le non-recours aux droits "
     "dans les quartiers prioritaires ?"),
    ("Lutte contre les discriminations", "Nous cherchons des outils de formation sur la "
     "prévention des discriminations à l'embauche."),
    ("Prévention de la délinquance", "Quelles actions de prévention auprès des 11-15 ans "
     "ont fait leurs preuves ?"),
    ("Jeunes en rupture", "Pourriez-vous nous indiquer des dispositifs pour aller vers "
     "les jeunes ni en emploi ni en formation ?"),
    ("Conseils citoyens", "Comment d'autres villes font-elles vivre leurs conseils citoyens ?"),
    ("Cité éducative", "Avez-vous des retours d'expérience sur les cités éducatives ?"),
    ("Santé mentale des habitant·es", "Recherchons un·e intervenant·e sur la santé mentale "
     "pour une journée d'échanges."),
    ("Rénovation urbaine et relogement", "Quelles démarches d'accompagnement des habitant·es "
     "pendant un relogement connaissez-vous ?"),
    ("Soutien à la parentalité", "Nous souhaitons des exemples de lieux d'accueil "
     "parents-enfants en quartier prioritaire."),
    ("Emploi des femmes", "Avez-vous des données sur l'emploi des femmes dans les QPV "
     "du département ?"),
    ("Offre d'emploi : chef·fe de projet", "Pouvez-vous relayer notre offre de poste de "
     "chef·fe de projet politique de la ville ?"),
]  # fmt: skip
QUESTIONS_AND_ANSWERS = [
    (
        "Où trouver les chiffres clés des quartiers prioritaires de ma commune ?",
        "Le système d'information géographique de la politique de la ville (SIG Ville) "
        "donne, pour chaque quartier prioritaire, son périmètre et ses principaux "
        "indicateurs (Insee). Le centre de ressources peut vous aider à les lire.",
    ),
    (
        "Comment associer les habitant·es à l'évaluation du contrat de ville ?",
        "Plusieurs territoires ont constitué des panels d'habitant·es ou mobilisé les "
        "conseils citoyens ; nous avons réuni des exemples et une bibliographie, "
        "disponibles sur demande.",
    ),
]

W, R, B, P, A = (
    Resource.Kind.WEBSITE, Resource.Kind.RADIO, Resource.Kind.BOOK, Resource.Kind.REPORT,
    Resource.Kind.ARTICLE,
)  # fmt: skip
IT, EJ, PR, JE = (
    "Ingénierie territoriale", "Égalité et justice sociale",
    "Prévention et tranquillité publique", "Jeunesse",
)  # fmt: skip
DS, PA, LO, ED = (
    "Développement social", "Participation des habitant·es", "Logement et rénovation urbaine",
    "Éducation",
)  # fmt: skip
# title, author, publisher, year, kind, link, description, themes, can be lent
RESOURCES = [
    ("Agence nationale de la cohésion des territoires", "ANCT", "ANCT", None, W,
     "https://agence-cohesion-territoires.gouv.fr",
     "Le site de l'agence qui pilote la politique de la ville : contrats de ville, "
     "programmes nationaux, appels à projets et publications.", (IT,), False),
    ("Observatoire national de la politique de la ville", "ONPV", "ANCT", None, W,
     "https://www.onpv.fr",
     "Rapports annuels, fiches thématiques et données sur les quartiers prioritaires.",
     (IT, EJ), False),
    ("SIG Ville : atlas des quartiers prioritaires", "ANCT", "ANCT", None, W,
     "https://sig.ville.gouv.fr",
     "Cartes et chiffres clés de chaque quartier prioritaire, par commune et par EPCI.",
     (IT,), False),
    ("Réseau national des centres de ressources politique de la ville", "", "", None, W,
     "https://www.reseau-crpv.fr",
     "Les ressources des centres de ressources de toute la France, et leur agenda.",
     (IT, DS), False),
    ("Insee : statistiques sur les quartiers de la politique de la ville", "Insee", "Insee",
     None, W, "https://www.insee.fr",
     "Indicateurs de revenus, d'emploi et de population à l'échelle des quartiers.",
     (IT,), False),
    ("Institut national de la jeunesse et de l'éducation populaire", "Injep", "Injep", None,
     W, "https://injep.fr",
     "Études, chiffres et évaluations sur la jeunesse, le sport et la vie associative.",
     (JE, ED), False),
    ("Observatoire des inégalités", "", "", None, W, "https://www.inegalites.fr",
     "Données et analyses accessibles sur les inégalités de revenus, d'éducation et "
     "de territoires.", (EJ,), False),
    ("Métropolitiques", "", "", None, W, "https://metropolitiques.eu",
     "Revue en ligne de chercheur·es sur la ville, l'urbanisme et les politiques urbaines.",
     (LO, IT), False),
    ("Les Pieds sur terre", "", "France Culture", None, R,
     "https://www.radiofrance.fr/franceculture/podcasts/les-pieds-sur-terre",
     "Reportages sans commentaire : des habitant·es racontent leur quotidien, souvent "
     "dans les quartiers populaires.", (PA, DS), False),
    ("LSD, la série documentaire", "", "France Culture", None, R,
     "https://www.radiofrance.fr/franceculture/podcasts/lsd-la-serie-documentaire",
     "Séries documentaires en quatre épisodes, dont plusieurs sur la banlieue, la "
     "jeunesse et le logement.", (LO, JE), False),
    ("Le Temps du débat", "", "France Culture", None, R,
     "https://www.radiofrance.fr/franceculture/podcasts/le-temps-du-debat",
     "Débats entre chercheur·es sur les questions de société : école, sécurité, "
     "inégalités territoriales.", (EJ, PR), False),
    ("Entendez-vous l'éco ?", "", "France Culture", None, R,
     "https://www.radiofrance.fr/franceculture/podcasts/entendez-vous-l-eco",
     "L'économie expliquée : emploi, pauvreté, politiques publiques.",
     ("Emploi et développement économique",), False),
    ("La Misère du monde", "Pierre Bourdieu (dir.)", "Seuil", 1993, B, "",
     "Entretiens avec des habitant·es, des travailleur·ses sociaux et des enseignant·es : "
     "un classique sur la souffrance sociale.", (EJ, DS), True),
    ("Quand la ville se défait", "Jacques Donzelot", "Seuil", 2006, B, "",
     "Relégation, périurbanisation, gentrification : la ville à trois vitesses et la "
     "politique de la ville en question.", (IT, LO), True),
    ("Le Ghetto français", "Éric Maurin", "Seuil", 2004, B, "",
     "Une enquête sur le séparatisme social, de haut en bas de l'échelle.", (EJ,), True),
    ("La Discrimination négative", "Robert Castel", "Seuil", 2007, B, "",
     "Citoyens ou indigènes ? Les jeunes des banlieues face aux discriminations.",
     (EJ, JE), True),
    ("Pays de malheur !", "Stéphane Beaud, Younès Amrani", "La Découverte", 2004, B, "",
     "Correspondance entre un sociologue et un jeune de cité.", (JE,), True),
    ("Ghetto urbain", "Didier Lapeyronnie", "Robert Laffont", 2008, B, "",
     "Ségrégation, violence, pauvreté : une enquête dans un quartier en France.",
     (PR, EJ), True),
    ("La Rénovation urbaine. Démolition-reconstruction de l'État", "Renaud Epstein",
     "Presses de Sciences Po", 2013, B, "",
     "Comment le programme national de rénovation urbaine a transformé le gouvernement "
     "des villes.", (LO, IT), True),
    ("L'Empowerment, une pratique émancipatrice ?", "Marie-Hélène Bacqué, Carole Biewener",
     "La Découverte", 2013, B, "", "Histoire et usages de la notion de pouvoir d'agir.",
     (PA,), True),
    ("Jeunesses françaises. Bac + 5 made in banlieue", "Fabien Truong", "La Découverte",
     2015, B, "", "Le parcours d'étudiant·es issus de quartiers populaires de Seine-Saint-Denis.",
     (JE, ED), True),
    ("Retour sur la condition ouvrière", "Stéphane Beaud, Michel Pialoux", "Fayard", 1999, B,
     "", "Enquête aux usines de Sochaux-Montbéliard : le déclin du groupe ouvrier.",
     ("Emploi et développement économique",), True),
    ("Pour une réforme radicale de la politique de la ville", "Marie-Hélène Bacqué, "
     "Mohamed Mechmache", "Ministère délégué à la Ville", 2013, P, "",
     "Le rapport qui a inspiré les conseils citoyens : ça ne se fera plus sans nous.",
     (PA,), False),
    ("Vivre ensemble, vivre en grand la République", "Jean-Louis Borloo", "", 2018, P, "",
     "Rapport pour une mobilisation nationale en faveur des quartiers.", (IT,), False),
    ("L'attractivité des quartiers prioritaires", "Cour des comptes", "Cour des comptes",
     2020, P, "https://www.ccomptes.fr",
     "Évaluation d'une politique publique : attirer entreprises et habitants.",
     (IT, "Emploi et développement économique"), False),
    ("Rapport annuel de l'ONPV", "ONPV", "ANCT", 2023, P, "https://www.onpv.fr",
     "Emploi, éducation, santé et sécurité dans les quartiers : l'état des lieux annuel.",
     (IT, EJ), False),
    ("Engagements Quartiers 2030 : les nouveaux contrats de ville", "ANCT", "ANCT", 2024, P,
     "https://agence-cohesion-territoires.gouv.fr",
     "Le cadre des contrats de ville 2024-2030 et la méthode d'élaboration.", (IT,), False),
    ("Recueil de fiches expériences 2023", "Centre de ressources", "Centre de ressources",
     2023, P, "", "Les initiatives locales présentées chaque mois dans la lettre.",
     (DS, PA), False),
    ("Actes de la journée « Jeunesse et prévention »", "Centre de ressources",
     "Centre de ressources", 2023, P, "", "Interventions et ateliers de la journée départementale.",
     (PR, JE), False),
    ("Évaluer un contrat de ville : repères de méthode", "Centre de ressources",
     "Centre de ressources", 2022, P, "", "Questions évaluatives, indicateurs et rôle des "
     "habitant·es : une synthèse de cycle de qualification.", (IT,), False),
    ("Égalité femmes-hommes dans les quartiers : état des savoirs", "Centre de ressources",
     "Centre de ressources", 2023, P, "", "Bibliographie commentée et chiffres clés.",
     ("Égalité femmes-hommes", EJ), False),
    ("Conseils citoyens : dix ans après", "Rédaction", "Résonances", 2024, A, "",
     "Ce que les conseils citoyens ont changé, et ce qu'ils n'ont pas pu changer.",
     (PA,), False),
    ("Cités éducatives : premiers enseignements", "Rédaction", "Résonances", 2023, A, "",
     "Trois territoires racontent la coopération entre école, ville et associations.",
     (ED, JE), False),
    ("Aller vers les jeunes invisibles", "Rédaction", "Résonances", 2023, A, "",
     "Maraudes numériques, éducateurs de rue, missions locales : des pratiques qui marchent.",
     (JE, PR), False),
    ("La tranquillité résidentielle, une affaire partagée", "Rédaction", "Résonances", 2023, A,
     "", "Bailleurs, villes et habitant·es autour d'une même table.", (PR, LO), False),
    ("Santé mentale : les quartiers en première ligne", "Rédaction", "Résonances", 2024, A, "",
     "Conseils locaux de santé mentale et premiers secours en santé mentale.", ("Santé",),
     False),
    ("Renouvellement urbain : relogement et participation", "Rédaction", "Résonances", 2022, A,
     "", "Accompagner les habitant·es pendant un relogement.", (LO, PA), False),
    ("Non-recours aux droits : que faire localement ?", "Rédaction", "Résonances", 2024, A, "",
     "Diagnostic, accueil inconditionnel, médiation : des pistes d'action.", (EJ, DS), False),
    ("Transition écologique dans les quartiers populaires", "Rédaction", "Résonances", 2024, A,
     "", "Jardins partagés, rénovation énergétique, mobilités : la transition vue d'en bas.",
     ("Transition écologique",), False),
    ("Laïcité : former les professionnel·les de terrain", "Rédaction", "Résonances", 2023, A,
     "", "Le plan national de formation « Valeurs de la République et laïcité ».",
     ("Laïcité et valeurs de la République",), False),
]  # fmt: skip
