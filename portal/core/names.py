"""French first and last names for demo data and generated datasets."""

# fmt: off
FIRST_NAMES = [
    "Camille", "Nadia", "Karim", "Sophie", "Thomas", "Fatou", "Julien", "Leïla", "Mehdi",
    "Claire", "Aurélie", "Yasmina", "Nicolas", "Mamadou", "Élodie", "Sarah", "Kévin", "Aïcha",
    "Laurent", "Inès", "Hugo", "Samia", "Pierre", "Océane", "Rachid", "Marion", "Youssef",
    "Amandine", "Sébastien", "Khadija", "Lucie", "Moussa", "Hélène", "Bilal", "Émilie",
    "Djamel", "Chloé", "Antoine", "Awa", "Guillaume", "Nora", "Vincent", "Salimata",
    "Mathilde", "Farid", "Pauline", "Ousmane", "Anne", "Rémi", "Zineb", "Isabelle", "Malik",
    "Véronique", "Jérôme", "Myriam", "Stéphane", "Agnès", "Idrissa", "Sandrine", "François",
    "Manon", "Benoît", "Soraya", "Olivier", "Aminata", "Cécile", "Yanis", "Delphine", "Sofiane",
    "Gaëlle", "Frédéric", "Hawa", "Caroline", "Abdel", "Léa", "Damien", "Kenza", "Martine",
    "Adama", "Juliette", "Patrick", "Siham", "Mathieu", "Béatrice", "Ibrahim", "Nathalie",
]
LAST_NAMES = [
    "Martin", "Bernard", "Diallo", "Petit", "Durand", "Benali", "Moreau", "Traoré", "Laurent",
    "Haddad", "Simon", "Michel", "Lefebvre", "Koné", "Garcia", "Roux", "Fournier", "Bensaïd",
    "Girard", "Mercier", "Dupont", "Nguyen", "Lambert", "Bonnet", "Camara", "Fontaine",
    "Rousseau", "Mendy", "Vincent", "Chevalier", "Sylla", "Robin", "Masson", "Sanchez",
    "Boyer", "Ndiaye", "Gauthier", "Perrin", "Cissé", "Morel", "Blanc", "Guérin", "Ferhat",
    "Lemoine", "Bouchard", "Benaïssa", "Da Silva", "Faure", "Andrieu", "Keita", "Lopez",
    "Marchand", "Dumont", "Aubert", "Hamidi", "Leroy", "Colin", "Barbier", "Fofana", "Renaud",
    "Brunet", "Schmitt", "Meunier", "Khelifi", "Roger", "Noël", "Baldé", "Lucas", "Mallet",
    "Carpentier", "Pereira", "Tessier", "Saidi", "Leclerc", "Cordier", "Charpentier", "Doucouré",
]
# fmt: on
