"""The vocabulary of the politique de la ville, for generated text (people's and streets'
names: Faker, demo.names)."""

from __future__ import annotations

# fmt: off
JOB_TITLES = {
    "collectivity_staff": [
        "Chef·fe de projet politique de la ville", "Coordinateur·rice du PRE",
        "Coordinateur·rice ASV", "Chargé·e de mission cité éducative",
        "Directeur·rice du développement social urbain", "Délégué·e à la cohésion sociale",
        "Chargé·e de mission renouvellement urbain", "Coordinateur·rice CLSPD",
        "Agent·e de développement local", "Coordinateur·rice du contrat local de santé",
    ],
    "elected": ["Maire adjoint·e à la politique de la ville", "Conseiller·e municipal·e délégué·e",
                "Vice-président·e à la cohésion sociale", "Maire adjoint·e à la jeunesse"],
    "association": ["Directeur·rice de centre social", "Animateur·rice", "Coordinateur·rice",
                    "Médiateur·rice adulte-relais", "Président·e", "Chargé·e de projet"],
    "state": ["Délégué·e du préfet", "Conseiller·e technique CAF", "Chargé·e de mission DDETS",
              "Chargé·e de mission ARS", "Référent·e politique de la ville"],
    "resident": ["Membre du conseil citoyen", "Habitant·e", "Bénévole"],
    "researcher": ["Sociologue", "Urbaniste", "Consultant·e", "Doctorant·e", "Chercheur·e"],
    "other": ["Chargé·e de gestion locative", "Chargé·e de développement", "Étudiant·e"],
}
ASSOCIATION_NAMES = [
    "Centre social {place}", "Maison de quartier {place}", "Régie de quartier {town}",
    "Mission locale {town}", "Association {word} {town}", "Compagnie {word}",
    "Collectif {word} {town}", "Les Ateliers {word}", "Femmes relais {town}",
    "Club de prévention {town}", "Espace {word}", "Amicale des locataires {place}",
]
ORG_NAMES = {
    "state": ["Préfecture {dep}", "DDETS {dep}", "CAF {dep}", "Délégation ARS {dep}",
              "Éducation nationale — DSDEN {dep}"],
    "public_agency": ["France Travail {town}", "Agence {word} {town}", "CCAS de {town}",
                      "Établissement public {word}"],
    "social_landlord": ["{word} Habitat", "Office public de l'habitat {town}",
                        "{word} Logement", "SA HLM {word}"],
    "company": ["SCOP {word}", "{word} Conseil", "Entreprise d'insertion {word}",
                "Coopérative {word}"],
    "other": ["Fondation {word}", "Université {word}", "Institut {word}"],
}
NAME_WORDS = [
    "Horizons", "Passerelles", "Ensemble", "Trait d'union", "Les Sources", "Arc-en-ciel",
    "Le Lien", "Solidarités", "Initiatives", "Cap Avenir", "Les Tilleuls", "Vivre ensemble",
    "Les Cèdres", "Grand Ouest", "Rives de Seine", "Plaine", "Val", "Renouveau", "Équinoxe",
    "Les Marronniers", "La Fabrique", "Colibri", "Mosaïque", "Agora",
]
PLACES = [
    "des Louvrais", "du Val d'Argent", "des Indes", "du Plateau", "des Brûlés", "de la Noë",
    "du Bois de l'Étang", "des Chênes", "de la Sablière", "du Luth", "des Fauvettes",
    "de la Croix-Petit", "des Doucettes", "du Petit-Nanterre", "des Tarterêts", "du Mont",
]
VENUES = [
    "Salle des fêtes", "Maison des associations", "Centre social", "Médiathèque",
    "Hôtel d'agglomération", "Maison de quartier", "Espace jeunesse", "Salle du conseil",
    "Pôle ressources — salle de réunion", "Préfecture — salle Marianne",
]
DOMAINS = ["courriel.test", "mairie.test", "asso.test", "reseau.test", "messagerie.test"]

# Topics: (theme slug, phrases used as objects of sentences and in titles).
TOPICS = {
    "developpement-social": ["le développement social local", "la convention territoriale globale",
                             "l'accès aux droits", "le non-recours aux prestations sociales"],
    "coconstruction-et-cooperations": ["la coopération entre acteurs", "la gouvernance partagée",
                                       "la coconstruction des politiques publiques"],
    "egalite-et-justice-sociale": ["la lutte contre les discriminations", "l'égalité des chances",
                                   "la justice sociale dans les quartiers"],
    "egalite-femmes-hommes": ["l'égalité entre les femmes et les hommes", "la place des femmes "
                              "dans l'espace public", "les violences faites aux femmes"],
    "sante": ["la santé mentale des jeunes", "l'accès aux soins", "le contrat local de santé",
              "l'atelier santé ville", "la prévention du diabète et de l'obésité"],
    "jeunesse": ["l'insertion des jeunes", "les loisirs éducatifs", "la parole des jeunes",
                 "l'engagement des jeunes des quartiers"],
    "education": ["la réussite éducative", "les cités éducatives", "le décrochage scolaire",
                  "la continuité éducative"],
    "parentalite": ["le soutien à la parentalité", "la relation entre familles et école",
                    "les lieux d'accueil enfants-parents"],
    "emploi-et-developpement-economique": ["l'emploi des habitants des quartiers prioritaires",
                                           "la création d'activité", "les clauses d'insertion",
                                           "la mobilité vers l'emploi"],
    "economie-sociale-et-solidaire": ["l'économie sociale et solidaire", "les tiers-lieux",
                                      "les régies de quartier"],
    "transition-ecologique": ["la transition écologique", "la précarité énergétique",
                              "l'alimentation durable", "la nature en ville"],
    "logement-et-renovation-urbaine": ["le renouvellement urbain", "le relogement des ménages",
                                       "la gestion urbaine de proximité",
                                       "les copropriétés dégradées"],
    "participation-des-habitantes": ["la participation des habitants", "les conseils citoyens",
                                     "le pouvoir d'agir des habitants",
                                     "les budgets participatifs"],
    "ingenierie-territoriale": ["l'évaluation du contrat de ville", "l'observation territoriale",
                                "l'ingénierie de projet", "le diagnostic partagé"],
    "prevention-et-tranquillite-publique": ["la prévention de la délinquance",
                                            "la tranquillité publique", "la médiation sociale"],
    "laicite-et-valeurs-de-la-republique": ["la laïcité", "les valeurs de la République",
                                            "la lutte contre les replis"],
}
SUBJECTS = [
    "Les acteurs locaux", "Les villes", "Les équipes projet politique de la ville",
    "Les habitantes et habitants du quartier", "Les centres sociaux", "Les partenaires du contrat "
    "de ville", "Les intercommunalités", "Les associations de proximité", "Les services de l'État",
    "Les conseils citoyens", "Les délégués du préfet", "Les professionnels de terrain",
    "Les bailleurs sociaux", "Les caisses d'allocations familiales", "Les élus locaux",
]
VERBS = [
    "ont engagé une réflexion sur", "mobilisent leurs moyens pour", "expérimentent",
    "renforcent", "ont coconstruit une démarche autour de", "accompagnent les projets liés à",
    "interrogent", "mettent en œuvre", "font de", "partagent leurs pratiques sur",
    "ont évalué", "structurent", "s'appuient sur",
]
COMPLEMENTS = [
    "dans les quartiers prioritaires", "à l'échelle de l'agglomération",
    "en lien avec la CAF et l'Éducation nationale", "depuis la signature du contrat de ville",
    "avec le soutien de la préfecture", "au plus près des habitants",
    "dans le cadre du contrat de ville Engagements Quartiers 2030",
    "en s'appuyant sur un diagnostic partagé", "grâce à des financements croisés",
    "malgré des moyens contraints", "avec les bailleurs et les associations",
    "dans les quartiers en renouvellement urbain",
]
FINDINGS = [
    "Les premiers résultats montrent une meilleure coordination des interventions.",
    "Le bilan souligne l'importance d'une présence durable sur le terrain.",
    "Les participants insistent sur la nécessité de former les professionnels.",
    "La démarche a permis de toucher des publics éloignés des institutions.",
    "Des points de vigilance demeurent sur le financement et la pérennité des actions.",
    "L'évaluation met en avant le rôle des associations de proximité.",
    "Les échanges entre pairs ont nourri une culture commune entre les territoires.",
    "La mobilisation des habitants reste un défi dans la durée.",
]
PUBLICATION_TITLES = {
    "experience_sheet": "Fiche expérience — {topic} à {town}",
    "experience_collection": "Recueil de fiches expériences : {topic}",
    "proceedings": "Actes de la rencontre « {topic} »",
    "synthesis": "Synthèse — {topic}",
    "study": "Étude : {topic} dans les quartiers prioritaires",
    "dossier": "Dossier ressources : {topic}",
    "press_kit": "Dossier de presse — {topic}",
    "teaching_kit": "Kit pédagogique sur {topic}",
    "booklet": "Livret repères : {topic}",
    "podcast": "Podcast — Paroles d'acteurs sur {topic}",
    "replay": "Replay du webinaire « {topic} »",
    "network_contribution": "Contribution au réseau national : {topic}",
}
ACTION_TITLES = {
    "peer_group": "Groupe d'échanges entre pairs : {topic}",
    "breakfast": "Petit-déjeuner : {topic}",
    "cycle": "Cycle de qualification « {topic} »",
    "workshop": "Atelier : {topic}",
    "meeting": "Rencontre départementale — {topic}",
    "seminar": "Séminaire : {topic}",
    "webinar": "Webinaire : {topic}",
    "training": "Formation : {topic}",
    "elected_saturday": "Samedi des élu·es : {topic}",
    "studies_debate": "Études en débat : {topic}",
    "observation": "Rencontre observation et territoires : {topic}",
    "action_training": "Formation-action : {topic}",
    "support": "Appui au territoire de {town} : {topic}",
}
INFO_SUBJECTS = [
    "Recherche de documents sur {topic}", "Bibliographie sur {topic}",
    "Recherche d'intervenant·e sur {topic}", "Retours d'expériences sur {topic}",
    "Données et indicateurs : {topic}", "Diffusion d'une offre d'emploi ({topic})",
    "Orientation vers des partenaires : {topic}",
]
RESOURCE_TITLES = [
    "Guide méthodologique : {topic}", "Rapport annuel de l'observatoire : {topic}",
    "Ouvrage collectif sur {topic}", "Émission radio : {topic}", "Site ressource : {topic}",
    "Article de revue : {topic}",
]
NEWS_TITLES = [
    "Appel à projets : {topic}", "Parution d'un rapport sur {topic}",
    "Nouvelle circulaire sur {topic}", "Lancement d'un programme national : {topic}",
    "Journée d'étude à venir : {topic}",
]
# fmt: on
