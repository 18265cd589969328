"""Facts of the newsletter demo, drawn from the 2023 activity report (../shared/seeds).

Résonances: monthly, ten issues a year (none in July and August), about 7,500
subscribers; four pages: the centre's activity, national and local news, one local
initiative (« fiche expérience »), resources spotted.
"""

from __future__ import annotations

SEED = 7500
ACTIVE_SUBSCRIBERS = 7500
# Subscribers in the other states: awaiting confirmation, unsubscribed, bounced, complained.
OTHER_SUBSCRIBERS = {"pending": 48, "unsubscribed": 186, "bounced": 41, "complained": 3}
IMPORT_SHARE = 0.68  # taken over from the former mailing list
TEXT_ONLY_SHARE = 0.04
IMPORT_BASIS = "Abonnés repris de l'ancienne liste"
SEND_DAY = 6  # issues go out on the 6th of their month
SEND_HOUR = (9, 30)
# Share of subscribers per département (the centre's three, then Paris and the rest).
DEPARTMENTS = {"95": 40, "78": 25, "92": 22, "75": 4, "93": 3, "91": 2, "": 4}
ACTOR_TYPES = {
    "collectivity_staff": 46, "association": 20, "state": 12, "elected": 6, "resident": 5,
    "researcher": 4, "other": 7,
}  # fmt: skip


# Organisations per département, by actor type ("" for people without one).
ORGANISATIONS = {
    "95": {
        "collectivity_staff": [
            "Ville d'Argenteuil", "Ville de Sarcelles", "Ville de Cergy",
            "Ville de Garges-lès-Gonesse", "Ville de Villiers-le-Bel", "Ville de Goussainville",
            "Ville de Pontoise",
            "Ville d'Ermont", "Ville de Bezons", "CA de Cergy-Pontoise",
            "CA Roissy Pays de France", "CA Val Parisis", "CA Plaine Vallée",
        ],
        "association": [
            "Centre social des Linandes", "Association Inven'terre", "Semer l'Avenir",
            "Maison de quartier des Touleuses", "ADSEA 95",
        ],
        "state": [
            "Préfecture du Val-d'Oise", "DDETS du Val-d'Oise", "CAF du Val-d'Oise",
            "Délégation départementale ARS 95",
        ],
        "elected": ["Ville de Sarcelles", "Ville d'Argenteuil", "Ville de Cergy"],
    },
    "78": {
        "collectivity_staff": [
            "Ville de Trappes", "Ville de Mantes-la-Jolie", "Ville des Mureaux",
            "Ville de Chanteloup-les-Vignes", "Ville de Plaisir", "Ville de Poissy",
            "CU Grand Paris Seine & Oise", "CA Saint-Germain Boucles de Seine",
            "CA Saint-Quentin-en-Yvelines",
        ],
        "association": [
            "Centre social Agora", "Association de prévention spécialisée des Yvelines",
            "Maison des familles des Mureaux",
        ],
        "state": ["Préfecture des Yvelines", "DDETS des Yvelines", "CAF des Yvelines"],
        "elected": ["Ville de Trappes", "Ville des Mureaux"],
    },
    "92": {
        "collectivity_staff": [
            "Ville de Nanterre", "Ville de Colombes", "Ville de Gennevilliers",
            "Ville de Villeneuve-la-Garenne", "Ville d'Antony", "Ville de Bagneux",
            "Ville de Clichy", "EPT Vallée Sud Grand Paris", "EPT Paris Ouest La Défense",
        ],
        "association": [
            "Centre social et culturel du Petit-Nanterre", "Association Zy'va",
            "Maison des part'âges", "Régie de quartier de Colombes",
        ],
        "state": ["Préfecture des Hauts-de-Seine", "DDETS des Hauts-de-Seine",
                  "CAF des Hauts-de-Seine"],
        "elected": ["Ville de Nanterre", "Ville de Gennevilliers"],
    },
}  # fmt: skip
OTHER_ORGANISATIONS = {
    "collectivity_staff": ["Ville de Paris", "Ville de Saint-Denis", "Ville d'Évry-Courcouronnes"],
    "association": ["Fédération des centres sociaux", "Réseau national des centres de ressources"],
    "state": ["ANCT", "Préfecture de la région Île-de-France", "ARS Île-de-France"],
    "elected": ["Ville de Saint-Denis"],
    "researcher": ["CY Cergy Paris Université", "Université Paris Nanterre", "Cerema",
                   "Institut Paris Région"],
    "other": ["Bailleur social Val d'Oise Habitat", "Les Résidences Yvelines Essonne",
              "Hauts-de-Seine Habitat", "France Travail"],
}  # fmt: skip

# Three sent issues and the draft of the coming month, oldest first. Each: title,
# editorial, blocks of page 1, national then local news of page 2 (title, body, link), and
# words to find the experience sheet of page 3.
ANCT = "https://agence-cohesion-territoires.gouv.fr"
ISSUES = [
    {
        "title": "Contrats de ville : des engagements à faire vivre",
        "editorial": (
            "Les contrats « Engagements quartiers 2030 » sont signés presque partout ; reste à "
            "les faire vivre. Ce numéro revient sur les démarches départementales que nous "
            "avons animées avec les préfectures, et sur la place que les habitant·es peuvent y "
            "prendre.\n\nBonne lecture, et au plaisir de vous retrouver lors de nos prochains "
            "rendez-vous."
        ),
        "activity": [
            ("Appui aux projets de quartier",
             "L'équipe accompagne cinq territoires dans l'écriture de leurs projets de quartier : "
             "ateliers de diagnostic partagé, vision à trois ans, actions prioritaires.\n\n"
             "Vous portez une démarche comparable ? Contactez-nous.", ""),
        ],
        "national": [
            ("Quartiers 2030 : la nouvelle géographie prioritaire en cartes",
             "L'atlas des quartiers prioritaires est à jour : périmètres, population et chiffres "
             "clés de chaque quartier, consultables par commune et par intercommunalité.",
             "https://sig.ville.gouv.fr"),
            ("Abattement de TFPB : les annexes des contrats de ville",
             "Une instruction précise le contenu des conventions d'utilisation de l'abattement de "
             "taxe foncière des bailleurs sociaux, désormais annexées aux contrats de ville.",
             ANCT),
        ],
        "local": [
            ("Val-d'Oise : une trame commune pour les projets de quartier",
             "Les intercommunalités et la mission ville de la préfecture ont adopté une trame "
             "repère pour écrire les projets de quartier des CEQ 2030.", ""),
            ("Hauts-de-Seine : 73 acteur·rices réuni·es autour des contrats de ville",
             "Santé, éducation, sport, culture, égalité femmes-hommes : la rencontre "
             "départementale a dégagé des objectifs par thème et des espaces de coopération.",
             ""),
        ],
        "sheet": ["conseil citoyen", "diagnostic"],
    },
    {
        "title": "Santé mentale : agir au plus près des habitant·es",
        "editorial": (
            "Près d'un habitant·e des quartiers prioritaires sur cinq déclare renoncer à des "
            "soins. La santé mentale, longtemps absente des contrats de ville, y entre "
            "désormais, portée par les conseils locaux de santé mentale et les coordinations "
            "santé.\n\nCe mois-ci, nous vous invitons à notre séminaire régional et vous "
            "présentons une initiative des Hauts-de-Seine."
        ),
        "activity": [
            ("Les réseaux des PRE font leur rentrée",
             "Les coordinateur·rices et référent·es de parcours des programmes de réussite "
             "éducative du Val-d'Oise et des Hauts-de-Seine se retrouvent ce trimestre : "
             "mobilisation des familles, suivi et évaluation au menu.", ""),
        ],
        "national": [
            ("Projet régional de santé : un volet pour les quartiers prioritaires",
             "Le troisième projet régional de santé d'Île-de-France consacre un axe aux "
             "quartiers prioritaires et à l'articulation avec les contrats locaux de santé.",
             "https://www.iledefrance.ars.sante.fr"),
            ("Cités éducatives : de nouveaux territoires labellisés",
             "Le programme national s'étend ; le réseau des centres de ressources publie des "
             "fiches sur la gouvernance, l'évaluation et les compétences psychosociales.", ANCT),
        ],
        "local": [
            ("Argenteuil : le conseil local de santé mentale s'ouvre aux habitant·es",
             "Des habitant·es siègent désormais à l'assemblée plénière du CLSM, aux côtés des "
             "soignant·es, des bailleurs et des services de la ville.", ""),
            ("Yvelines : appel à projets « Ville vie vacances »",
             "La préfecture lance l'appel à projets des actions de l'été pour les jeunes des "
             "quartiers ; dépôt des dossiers avant la fin du mois.", ""),
            ("Adultes-relais : une journée départementale dans les Yvelines",
             "Médiateur·rices et employeurs ont partagé leurs besoins de formation et de "
             "professionnalisation.", ""),
        ],
        "sheet": ["santé mentale"],
    },
    {
        "title": "Transition écologique et quartiers populaires",
        "editorial": (
            "Les quartiers populaires sont les plus exposés aux fortes chaleurs, au bruit et à "
            "la pollution ; leurs habitant·es sont aussi celles et ceux qui consomment le "
            "moins. Comment faire de la transition écologique un levier de justice sociale ?\n\n"
            "C'est le fil de ce numéro : notre cycle de réflexion, des ressources pour agir et "
            "une initiative yvelinoise."
        ),
        "activity": [
            ("Cycle « Transition écologique et quartiers populaires » : les actes en ligne",
             "Alimentation durable, rénovation énergétique, nature en ville : les apports des "
             "trois journées du cycle sont réunis dans une publication.", ""),
            ("Le Pôle ressources recrute",
             "Nous cherchons un·e chargé·e de mission santé et développement social, en CDI, "
             "basé·e à Cergy. Candidatures jusqu'à la fin du mois.", ""),
        ],
        "national": [
            ("Séminaire régional : transition écologique et réduction des inégalités",
             "La préfecture de région et le réseau francilien des centres de ressources ont "
             "réuni l'ANCT, l'ADEME, le Cerema et l'Institut Paris Région autour de "
             "l'adaptation des quartiers prioritaires.", "https://www.prefectures-regions.gouv.fr"),
            ("Rénovation urbaine : le point sur le NPNRU",
             "L'Agence nationale pour la rénovation urbaine publie l'état d'avancement des "
             "projets du nouveau programme national de renouvellement urbain.",
             "https://www.anru.fr"),
        ],
        "local": [
            ("Cergy-Pontoise : des jardins partagés au pied des immeubles",
             "Trois nouveaux jardins ouvrent avec les amicales de locataires et un bailleur ; "
             "les habitant·es en assurent l'animation.", ""),
            ("Val-d'Oise : journée « Transitions éducatives »",
             "Le CAUE 95 et des associations ont présenté des démarches éducatives pour mieux "
             "connaître et vivre durablement son territoire.", ""),
        ],
        "sheet": ["marches exploratoires", "permanence logement"],
    },
    {
        "title": "Jeunesse : aller vers, orienter, accompagner",
        "editorial": (
            "Orientation subie, décrochage, emplois précaires : les jeunes des quartiers "
            "prioritaires cumulent les obstacles. Ce numéro de fin d'année donne la parole "
            "aux professionnel·les qui vont à leur rencontre."
        ),
        "activity": [
            ("Nos rendez-vous de début d'année",
             "Le programme du premier semestre sera en ligne mi-décembre : groupes d'échanges, "
             "cycle de qualification et samedi des élu·es.", ""),
        ],
        "national": [
            ("Contrat d'engagement jeune : premiers résultats dans les quartiers",
             "Une étude de l'Injep mesure la part des jeunes des quartiers prioritaires "
             "accompagné·es par les missions locales et France Travail.", "https://injep.fr"),
        ],
        "local": [
            ("Mantes-la-Jolie : une bourse aux projets de jeunes",
             "La ville et ses partenaires financent les idées de jeunes de 16 à 25 ans, "
             "accompagnés par les animateur·rices des maisons de quartier.", ""),
        ],
        "sheet": ["jeunes"],
    },
]  # fmt: skip

# Last year's issues, sent to the list (the report of the demo year counts them): titles
# and editorials only, the back office shows their deliveries.
BACK_ISSUES = (
    ("Engagements Quartiers 2030 : l'année des nouveaux contrats",
     "Les contrats de ville de nouvelle génération se signent un peu partout : retour sur "
     "les premières conventions et sur ce qu'elles changent pour les équipes."),
    ("Projets de quartier : écrire avec les habitant·es",
     "Diagnostics en marchant, ateliers, conseils citoyens : des méthodes pour associer les "
     "habitant·es à l'écriture des projets de quartier."),
    ("Réussite éducative : vingt ans de parcours",
     "Les programmes de réussite éducative fêtent leurs vingt ans ; les coordinateur·rices "
     "témoignent de ce qui a changé dans l'accompagnement des familles."),
    ("Emploi des jeunes : aller vers ceux qu'on ne voit plus",
     "Repérage, mobilité, premières expériences : les démarches qui touchent les jeunes "
     "éloigné·es de l'emploi dans nos trois départements."),
    ("Égalité femmes-hommes dans l'espace public",
     "Marches exploratoires, aménagements, budgets intégrant l'égalité : ce que les villes "
     "ont appris en deux ans de groupe d'échanges."),
    ("Santé : les contrats locaux de santé à mi-parcours",
     "Ateliers santé ville et contrats locaux de santé font le point ; la santé mentale "
     "s'impose dans les priorités des territoires."),
    ("Rentrée : le programme de formation de l'année",
     "Cycles de qualification, groupes d'échanges, petits-déjeuners : le programme de "
     "l'année est en ligne, les inscriptions sont ouvertes."),
    ("Coopérer entre associations et collectivités",
     "Conventions pluriannuelles, appels à projets, coconstruction : les conditions d'une "
     "coopération durable entre associations et pouvoirs publics."),
    ("Transitions écologiques et justice sociale",
     "Chaleur, alimentation, rénovation : ce que la transition écologique demande et apporte "
     "aux quartiers prioritaires."),
    ("Une année en résonances",
     "Retour sur une année de rencontres, de publications et de questions au service info-doc, "
     "et les rendez-vous de l'année qui vient."),
)  # fmt: skip
