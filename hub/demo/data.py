"""Data tables for the demo network: communes, hubs, names and resource templates.

COMMUNES holds real communes: INSEE codes and names from INSEE's Code officiel
géographique (as packaged by Etalab in @etalab/decoupage-administratif 6.0.0,
Licence Ouverte 2.0): every préfecture, plus the communes around the demo hubs.
Their coordinates are approximate town centres entered by hand (within a few km),
good enough for distances between places, not for a map at street level.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# (INSEE code, name, lat, lon)
COMMUNES: tuple[tuple[str, str, float, float], ...] = (
    ("01053", "Bourg-en-Bresse", 46.205, 5.226),
    ("01283", "Oyonnax", 46.256, 5.655),
    ("02408", "Laon", 49.564, 3.62),
    ("03190", "Moulins", 46.566, 3.333),
    ("04018", "Banon", 44.037, 5.629),
    ("04070", "Digne-les-Bains", 44.093, 6.236),
    ("04088", "Forcalquier", 43.9597, 5.78),
    ("04112", "Manosque", 43.834, 5.786),
    ("04209", "Sisteron", 44.195, 5.944),
    ("05061", "Gap", 44.559, 6.079),
    ("06088", "Nice", 43.71, 7.262),
    ("07186", "Privas", 44.735, 4.599),
    ("08105", "Charleville-Mézières", 49.762, 4.726),
    ("09085", "Castillon-en-Couserans", 42.925, 1.031),
    ("09122", "Foix", 42.965, 1.607),
    ("09182", "Massat", 42.892, 1.352),
    ("09261", "Saint-Girons", 42.9847, 1.1461),
    ("10387", "Troyes", 48.297, 4.074),
    ("11069", "Carcassonne", 43.213, 2.349),
    ("12025", "Belmont-sur-Rance", 43.818, 2.755),
    ("12044", "Camarès", 43.82, 2.88),
    ("12052", "Capdenac-Gare", 44.576, 2.081),
    ("12089", "Decazeville", 44.56, 2.251),
    ("12145", "Millau", 44.098, 3.078),
    ("12202", "Rodez", 44.35, 2.575),
    ("12203", "Roquefort-sur-Soulzon", 43.976, 2.991),
    ("12208", "Saint-Affrique", 43.9583, 2.8872),
    ("13001", "Aix-en-Provence", 43.53, 5.447),
    ("13005", "Aubagne", 43.292, 5.571),
    ("13028", "La Ciotat", 43.175, 5.605),
    ("13055", "Marseille", 43.297, 5.37),
    ("13056", "Martigues", 43.405, 5.048),
    ("13117", "Vitrolles", 43.46, 5.249),
    ("14118", "Caen", 49.183, -0.371),
    ("15014", "Aurillac", 44.926, 2.44),
    ("16015", "Angoulême", 45.648, 0.156),
    ("17300", "La Rochelle", 46.16, -1.151),
    ("18033", "Bourges", 47.081, 2.399),
    ("19272", "Tulle", 45.267, 1.77),
    ("19275", "Ussel", 45.548, 2.31),
    ("21231", "Dijon", 47.322, 5.041),
    ("22025", "Callac", 48.403, -3.428),
    ("22070", "Guingamp", 48.563, -3.15),
    ("22136", "Loudéac", 48.178, -2.753),
    ("22158", "Guerlédan", 48.2, -3.0),
    ("22266", "Rostrenen", 48.2358, -3.3167),
    ("22278", "Saint-Brieuc", 48.514, -2.765),
    ("23008", "Aubusson", 45.956, 2.168),
    ("23030", "Bourganeuf", 45.954, 1.756),
    ("23069", "Crocq", 45.868, 2.366),
    ("23079", "Felletin", 45.8833, 2.174),
    ("23096", "Guéret", 46.171, 1.872),
    ("24322", "Périgueux", 45.184, 0.721),
    ("25047", "Baume-les-Dames", 47.352, 6.361),
    ("25056", "Besançon", 47.238, 6.024),
    ("25388", "Montbéliard", 47.51, 6.798),
    ("25434", "Ornans", 47.106, 6.144),
    ("25462", "Pontarlier", 46.904, 6.355),
    ("26086", "Châtillon-en-Diois", 44.695, 5.484),
    ("26108", "Crest", 44.728, 5.022),
    ("26113", "Die", 44.7536, 5.3703),
    ("26289", "Saillans", 44.696, 5.195),
    ("26362", "Valence", 44.933, 4.892),
    ("27229", "Évreux", 49.027, 1.151),
    ("28085", "Chartres", 48.446, 1.489),
    ("29019", "Brest", 48.3904, -4.4861),
    ("29024", "Carhaix-Plouguer", 48.2756, -3.5733),
    ("29027", "Châteauneuf-du-Faou", 48.188, -3.817),
    ("29039", "Concarneau", 47.8753, -3.9189),
    ("29042", "Crozon", 48.247, -4.49),
    ("29046", "Douarnenez", 48.093, -4.329),
    ("29058", "Fouesnant", 47.894, -4.012),
    ("29081", "Huelgoat", 48.365, -3.746),
    ("29103", "Landerneau", 48.451, -4.25),
    ("29124", "Lesneven", 48.572, -4.321),
    ("29151", "Morlaix", 48.577, -3.828),
    ("29189", "Plougastel-Daoulas", 48.373, -4.37),
    ("29217", "Pont-Aven", 47.855, -3.748),
    ("29220", "Pont-l'Abbé", 47.867, -4.222),
    ("29232", "Quimper", 47.996, -4.102),
    ("29233", "Quimperlé", 47.873, -3.549),
    ("29241", "Rosporden", 47.961, -3.834),
    ("29260", "Saint-Renan", 48.433, -4.622),
    ("29274", "Scaër", 48.028, -3.701),
    ("29293", "Trégunc", 47.855, -3.852),
    ("2A004", "Ajaccio", 41.919, 8.739),
    ("2B033", "Bastia", 42.697, 9.451),
    ("30007", "Alès", 44.125, 4.082),
    ("30028", "Bagnols-sur-Cèze", 44.1623, 4.6197),
    ("30032", "Beaucaire", 43.808, 4.644),
    ("30141", "Laudun-l'Ardoise", 44.106, 4.656),
    ("30189", "Nîmes", 43.837, 4.36),
    ("30202", "Pont-Saint-Esprit", 44.257, 4.648),
    ("30263", "Saint-Hippolyte-du-Fort", 43.963, 3.856),
    ("30321", "Sommières", 43.784, 4.09),
    ("30334", "Uzès", 44.012, 4.42),
    ("30339", "Val-d'Aigoual", 44.081, 3.64),
    ("30341", "Vauvert", 43.694, 4.277),
    ("30350", "Le Vigan", 43.9906, 3.6058),
    ("31069", "Blagnac", 43.637, 1.389),
    ("31149", "Colomiers", 43.611, 1.335),
    ("31395", "Muret", 43.462, 1.327),
    ("31483", "Saint-Gaudens", 43.108, 0.724),
    ("31555", "Toulouse", 43.605, 1.444),
    ("31582", "Villefranche-de-Lauragais", 43.4, 1.717),
    ("32013", "Auch", 43.646, 0.586),
    ("33063", "Bordeaux", 44.838, -0.579),
    ("34028", "Bédarieux", 43.616, 3.157),
    ("34064", "Le Caylar", 43.864, 3.316),
    ("34079", "Clermont-l'Hérault", 43.627, 3.432),
    ("34108", "Frontignan", 43.448, 3.756),
    ("34111", "Ganges", 43.934, 3.708),
    ("34114", "Gignac", 43.652, 3.551),
    ("34142", "Lodève", 43.7317, 3.3194),
    ("34145", "Lunel", 43.676, 4.136),
    ("34172", "Montpellier", 43.611, 3.877),
    ("34301", "Sète", 43.403, 3.697),
    ("35012", "Bain-de-Bretagne", 47.844, -1.683),
    ("35115", "Fougères", 48.352, -1.199),
    ("35188", "Montfort-sur-Meu", 48.138, -1.955),
    ("35236", "Redon", 47.652, -2.084),
    ("35238", "Rennes", 48.117, -1.678),
    ("35360", "Vitré", 48.124, -1.209),
    ("36044", "Châteauroux", 46.811, 1.686),
    ("37261", "Tours", 47.394, 0.685),
    ("38053", "Bourgoin-Jallieu", 45.586, 5.274),
    ("38140", "Crolles", 45.285, 5.883),
    ("38151", "Échirolles", 45.144, 5.72),
    ("38185", "Grenoble", 45.188, 5.724),
    ("38269", "La Mure", 44.903, 5.789),
    ("38544", "Vienne", 45.525, 4.874),
    ("38562", "Vizille", 45.078, 5.771),
    ("38563", "Voiron", 45.364, 5.59),
    ("39097", "Champagnole", 46.747, 5.908),
    ("39198", "Dole", 47.093, 5.49),
    ("39300", "Lons-le-Saunier", 46.674, 5.555),
    ("39368", "Hauts de Bienne", 46.523, 6.025),
    ("39478", "Saint-Claude", 46.3872, 5.8644),
    ("40192", "Mont-de-Marsan", 43.89, -0.5),
    ("41018", "Blois", 47.586, 1.336),
    ("42218", "Saint-Étienne", 45.44, 4.387),
    ("43157", "Le Puy-en-Velay", 45.043, 3.885),
    ("44003", "Ancenis-Saint-Géréon", 47.366, -1.177),
    ("44036", "Châteaubriant", 47.717, -1.376),
    ("44043", "Clisson", 47.087, -1.282),
    ("44109", "Nantes", 47.218, -1.554),
    ("44143", "Rezé", 47.181, -1.55),
    ("44184", "Saint-Nazaire", 47.273, -2.214),
    ("45234", "Orléans", 47.903, 1.909),
    ("46042", "Cahors", 44.447, 1.441),
    ("46045", "Cajarc", 44.486, 1.842),
    ("46102", "Figeac", 44.6086, 2.0317),
    ("46128", "Gramat", 44.78, 1.726),
    ("47001", "Agen", 44.203, 0.616),
    ("48061", "Florac Trois Rivières", 44.3244, 3.5936),
    ("48080", "Langogne", 44.727, 3.856),
    ("48095", "Mende", 44.518, 3.501),
    ("48096", "Meyrueis", 44.18, 3.432),
    ("48155", "Saint-Germain-de-Calberte", 44.217, 3.806),
    ("49007", "Angers", 47.478, -0.563),
    ("50502", "Saint-Lô", 49.116, -1.091),
    ("51108", "Châlons-en-Champagne", 48.957, 4.365),
    ("52121", "Chaumont", 48.111, 5.139),
    ("53130", "Laval", 48.073, -0.77),
    ("54395", "Nancy", 48.692, 6.184),
    ("55029", "Bar-le-Duc", 48.773, 5.16),
    ("56007", "Auray", 47.668, -2.982),
    ("56066", "Gourin", 48.139, -3.605),
    ("56083", "Hennebont", 47.805, -3.277),
    ("56098", "Lanester", 47.761, -3.342),
    ("56121", "Lorient", 47.7483, -3.37),
    ("56162", "Ploemeur", 47.733, -3.426),
    ("56178", "Pontivy", 48.068, -2.963),
    ("56186", "Quiberon", 47.484, -3.12),
    ("56260", "Vannes", 47.658, -2.76),
    ("57463", "Metz", 49.119, 6.176),
    ("58062", "Château-Chinon (Ville)", 47.064, 3.934),
    ("58079", "Clamecy", 47.46, 3.52),
    ("58083", "Corbigny", 47.257, 3.683),
    ("58086", "Cosne-Cours-sur-Loire", 47.411, 2.925),
    ("58149", "Luzy", 46.79, 3.97),
    ("58182", "Moulins-Engilbert", 46.988, 3.81),
    ("58194", "Nevers", 46.99, 3.159),
    ("59009", "Villeneuve-d'Ascq", 50.623, 3.145),
    ("59017", "Armentières", 50.688, 2.881),
    ("59178", "Douai", 50.371, 3.08),
    ("59350", "Lille", 50.629, 3.057),
    ("59512", "Roubaix", 50.6942, 3.1746),
    ("59599", "Tourcoing", 50.724, 3.161),
    ("60057", "Beauvais", 49.43, 2.081),
    ("61001", "Alençon", 48.432, 0.091),
    ("62041", "Arras", 50.291, 2.778),
    ("62498", "Lens", 50.432, 2.833),
    ("63113", "Clermont-Ferrand", 45.777, 3.087),
    ("64371", "Mauléon-Licharre", 43.2244, -0.885),
    ("64422", "Oloron-Sainte-Marie", 43.194, -0.607),
    ("64445", "Pau", 43.295, -0.371),
    ("64485", "Saint-Jean-Pied-de-Port", 43.163, -1.238),
    ("64493", "Saint-Palais", 43.329, -1.033),
    ("64533", "Tardets-Sorholus", 43.117, -0.864),
    ("65440", "Tarbes", 43.233, 0.078),
    ("66136", "Perpignan", 42.699, 2.895),
    ("67482", "Strasbourg", 48.573, 7.752),
    ("68066", "Colmar", 48.079, 7.358),
    ("69123", "Lyon", 45.764, 4.836),
    ("69256", "Vaulx-en-Velin", 45.7786, 4.9219),
    ("69259", "Vénissieux", 45.697, 4.886),
    ("69264", "Villefranche-sur-Saône", 45.99, 4.719),
    ("69266", "Villeurbanne", 45.7719, 4.8902),
    ("70550", "Vesoul", 47.623, 6.156),
    ("71014", "Autun", 46.951, 4.299),
    ("71270", "Mâcon", 46.307, 4.828),
    ("72181", "Le Mans", 48.006, 0.199),
    ("73065", "Chambéry", 45.564, 5.918),
    ("74010", "Annecy", 45.899, 6.129),
    ("75056", "Paris", 48.857, 2.352),
    ("76540", "Rouen", 49.443, 1.1),
    ("77284", "Meaux", 48.96, 2.879),
    ("77288", "Melun", 48.54, 2.66),
    ("78646", "Versailles", 48.805, 2.12),
    ("79191", "Niort", 46.323, -0.465),
    ("80001", "Abbeville", 50.106, 1.836),
    ("80016", "Albert", 50.002, 2.652),
    ("80021", "Amiens", 49.894, 2.296),
    ("80253", "Doullens", 50.157, 2.341),
    ("80561", "Montdidier", 49.648, 2.57),
    ("80620", "Péronne", 49.932, 2.936),
    ("81004", "Albi", 43.929, 2.148),
    ("82121", "Montauban", 44.018, 1.355),
    ("83137", "Toulon", 43.124, 5.928),
    ("84003", "Apt", 43.876, 5.396),
    ("84007", "Avignon", 43.949, 4.806),
    ("84087", "Orange", 44.138, 4.808),
    ("85191", "La Roche-sur-Yon", 46.67, -1.426),
    ("86194", "Poitiers", 46.58, 0.34),
    ("87085", "Limoges", 45.834, 1.261),
    ("88160", "Épinal", 48.174, 6.449),
    ("89024", "Auxerre", 47.798, 3.567),
    ("89025", "Avallon", 47.49, 3.908),
    ("89446", "Vézelay", 47.466, 3.743),
    ("90010", "Belfort", 47.64, 6.863),
    ("91228", "Évry-Courcouronnes", 48.629, 2.441),
    ("92050", "Nanterre", 48.892, 2.207),
    ("93001", "Aubervilliers", 48.914, 2.383),
    ("93008", "Bobigny", 48.909, 2.44),
    ("93048", "Montreuil", 48.864, 2.443),
    ("93066", "Saint-Denis", 48.9362, 2.3574),
    ("93071", "Sevran", 48.939, 2.527),
    ("94028", "Créteil", 48.79, 2.455),
    ("95018", "Argenteuil", 48.947, 2.248),
    ("95500", "Pontoise", 49.036, 2.076),
    ("97105", "Basse-Terre", 15.998, -61.726),
    ("97209", "Fort-de-France", 14.616, -61.059),
    ("97302", "Cayenne", 4.922, -52.313),
    ("97411", "Saint-Denis", 20.882, 55.45),
    ("97611", "Mamoudzou", -12.78, 45.228),
)


@dataclass(frozen=True)
class HubSpec:
    """A hub of the small demo network; `name=None` gets a generated name."""

    insee: str
    kind: str
    territory: str
    quartier: str | None = None
    name: str | None = None
    legal_form: str = "association"
    description: str = ""
    website: str | None = None
    # Template keys of its resources; None = drawn from the kind's catalogue.
    resources: tuple[str, ...] | None = None
    # How the hub serves others (see hub/demo/places.py): even, dominated, internal or mixed.
    profile: str | None = None


KONK_AR_LAB = HubSpec(
    insee="29039",
    kind="fabrique",
    territory="qpv",
    quartier="Kerandon",
    name="Konk Ar Lab",
    legal_form="association",
    description=(
        "FabLab associatif du quartier de Kerandon, à Concarneau : impression 3D, "
        "électronique et robotique, atelier de réparation. Ouvert aux habitants, "
        "aux associations et aux tiers-lieux du pays de Concarneau."
    ),
    resources=("imprimantes_3d", "kits_robotique", "atelier_reparation", "initiation_3d", "salle_reunion"),
    profile="even",
)

ESCANAUX = HubSpec(
    insee="30028",
    kind="fabrique_numerique",
    territory="qpv",
    quartier="Les Escanaux",
    name="Espace d'inclusion numérique des Escanaux",
    legal_form="association",
    description=(
        "Espace d'inclusion numérique du quartier des Escanaux, à Bagnols-sur-Cèze : "
        "accès libre aux ordinateurs, ateliers d'initiation et d'accompagnement aux "
        "démarches en ligne, permanences de la CAF et de Pôle emploi (devenu France Travail)."
    ),
    resources=(
        "permanence_caf",
        "permanence_france_travail",
        "premiers_pas",
        "demarches_en_ligne",
        "epn",
    ),
    profile="mixed",
)

# About 30 hubs over 25 départements: half in a quartier prioritaire (QPV), half rural.
SMALL_HUBS: tuple[HubSpec, ...] = (
    KONK_AR_LAB,
    ESCANAUX,
    HubSpec("29019", "fabrique", "qpv", "Pontanézen"),
    HubSpec("13055", "fabrique", "qpv", "Belle de Mai", legal_form="entreprise"),
    HubSpec("59512", "fabrique_numerique", "qpv", "L'Épeule"),
    HubSpec("93066", "fabrique", "qpv", "Franc-Moisin", legal_form="consortium", profile="dominated"),
    HubSpec("69256", "fabrique_numerique", "qpv", "Mas du Taureau", legal_form="collectivite"),
    HubSpec("38185", "fabrique", "qpv", "Villeneuve", profile="even"),
    HubSpec("30189", "fabrique_numerique", "qpv", "Pissevin"),
    HubSpec("35238", "fabrique", "qpv", "Maurepas", legal_form="gip_gie"),
    HubSpec("31555", "fabrique", "qpv", "Bagatelle", profile="internal"),
    HubSpec("34172", "fabrique_numerique", "qpv", "Mosson", legal_form="fondation"),
    HubSpec("80021", "fabrique", "qpv", "Étouvie", profile="dominated"),
    HubSpec("25056", "fabrique", "qpv", "Planoise", legal_form="entreprise"),
    HubSpec("56121", "fabrique_numerique", "qpv", "Bois du Château"),
    HubSpec("29024", "fabrique", "rural", legal_form="syndicat_mixte"),
    HubSpec("23079", "fabrique", "rural", profile="even"),
    HubSpec("12208", "fabrique", "rural", legal_form="collectivite"),
    HubSpec("46102", "fabrique_numerique", "rural"),
    HubSpec("48061", "fabrique", "rural", profile="internal"),
    HubSpec("26113", "fabrique", "rural", legal_form="consortium"),
    HubSpec("04088", "fabrique", "rural"),
    HubSpec("30350", "fabrique_numerique", "rural", legal_form="collectivite"),
    HubSpec("34142", "fabrique", "rural", profile="dominated"),
    HubSpec("09261", "fabrique", "rural", legal_form="syndicat_mixte"),
    HubSpec("64371", "fabrique_numerique", "rural"),
    HubSpec("22266", "fabrique", "rural", legal_form="fondation"),
    HubSpec("58079", "fabrique", "rural"),
    HubSpec("58062", "fabrique_numerique", "rural", legal_form="gip_gie"),
    HubSpec("39478", "fabrique", "rural", profile="even"),
    HubSpec("44109", "fabrique", "urbain", legal_form="entreprise"),
)

# Label waves of the programme and the State subsidy (fabriques numériques get
# 100,000 € more for their digital-inclusion mission).
LABEL_WAVES: tuple[str, ...] = ("2020-02-01", "2020-07-15", "2021-03-01", "2021-10-01", "2022-06-01")
SUBSIDIES_EUR: tuple[int, ...] = (75_000, 100_000, 125_000, 150_000)
NUMERIQUE_EXTRA_EUR = 100_000

HUB_NAME_PATTERNS: tuple[str, ...] = (
    "La Fabrique {de}",
    "L'Atelier partagé {de}",
    "Le Labo {de}",
    "La Ruche {de}",
    "Le Hangar {de}",
    "La Manufacture {de}",
    "L'Établi {de}",
    "La Forge numérique {de}",
    "La Passerelle {de}",
    "Le Quai des savoirs {de}",
)
NUMERIQUE_NAME_PATTERNS: tuple[str, ...] = (
    "L'Espace numérique {de}",
    "La Maison du numérique {de}",
    "Le Point numérique {de}",
    "La Station numérique {de}",
)
TIERS_LIEU_NAME_PATTERNS: tuple[str, ...] = (
    "Tiers-lieu {de}",
    "Café associatif {de}",
    "Coworking {de}",
    "Ressourcerie {de}",
    "Repair café {de}",
    "Espace de vie sociale {de}",
    "Atelier partagé {de}",
    "Bricothèque {de}",
    "Friche culturelle {de}",
    "Maison des initiatives {de}",
    "Jardin partagé {de}",
    "Médiathèque {de}",
)
TIERS_LIEU_DESCRIPTIONS: tuple[str, ...] = (
    "Lieu de rencontre et d'entraide ouvert aux habitants, avec un café et des ateliers.",
    "Espace de travail partagé et de services pour les associations du territoire.",
    "Réemploi, réparation et ateliers de bricolage animés par des bénévoles.",
    "Un lieu pour apprendre, créer et monter des projets ensemble.",
)
FIRST_NAMES: tuple[str, ...] = (
    "Camille", "Nolwenn", "Yannick", "Sofia", "Karim", "Léa", "Mathis", "Inès", "Gwenaël", "Aïcha",
    "Julien", "Maëlle", "Thomas", "Fatou", "Lucas", "Chloé", "Rachid", "Manon", "Erwan", "Zoé",
)
LAST_NAMES: tuple[str, ...] = (
    "Le Gall", "Martin", "Benali", "Moreau", "Kervella", "Diallo", "Bernard", "Garcia", "Petit",
    "Nguyen", "Le Roux", "Fabre", "Lambert", "Rousseau", "Mercier", "Haddad", "Quéré", "Faure",
)
REFUSAL_REASONS: tuple[str, ...] = (
    "Créneau réservé pour un atelier du quartier.",
    "Merci de suivre d'abord la formation d'initiation.",
    "La machine est réservée à la maintenance ce jour-là.",
    "Demande trop éloignée de l'objet de l'accompagnement.",
    "Le nombre de places demandé dépasse ce que nous pouvons accueillir.",
)
BOOKING_NOTES: tuple[str, ...] = (
    "",
    "",
    "Atelier avec un groupe de jeunes du quartier.",
    "Prototype pour le repair café.",
    "Séance avec des bénévoles de l'association.",
    "Accompagnement de deux porteurs de projet.",
)

# Opening hours in Europe/Paris local time, in the format Resource.opening_hours uses.
_DAY = [["09:00", "12:00"], ["14:00", "18:00"]]
OPENING_HOURS: dict[str, dict[str, list[list[str]]]] = {
    "weekdays": {day: _DAY for day in ("mon", "tue", "wed", "thu", "fri")},
    "tue_sat": {day: _DAY for day in ("tue", "wed", "thu", "fri")} | {"sat": [["10:00", "16:00"]]},
    "office": {day: [["09:00", "12:00"], ["13:30", "17:30"]] for day in ("mon", "tue", "thu", "fri")},
    "training": {"tue": [["14:00", "17:00"]], "thu": [["09:00", "12:00"]], "sat": [["10:00", "13:00"]]},
}


@dataclass(frozen=True)
class ResourceTemplate:
    kind: str
    name: str
    description: str
    capacity: tuple[int, int]
    # Length of the booking slots the schedule is cut into, in minutes.
    block_minutes: int
    hours: str
    # Share of the network's bookings this resource draws, relative to others.
    weight: float = 1.0
    requires_approval: bool = False
    max_hours_per_week: float | None = None
    min_duration_minutes: int | None = None
    max_duration_minutes: int | None = None
    min_notice_minutes: int | None = None
    # Largest quantity one booking takes.
    max_quantity: int = 1
    beneficiaries: tuple[int, int] = (1, 4)
    prerequisite: str | None = None
    # Whether opening_hours is stored on the resource (otherwise: always open).
    publish_hours: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


RESOURCE_TEMPLATES: dict[str, ResourceTemplate] = {
    "imprimantes_3d": ResourceTemplate(
        "machine", "Imprimantes 3D", "Parc d'imprimantes 3D à filament (PLA, PETG), plateau 25 × 21 cm.",
        (2, 4), 120, "tue_sat", weight=1.6, max_hours_per_week=12, max_duration_minutes=240,
        max_quantity=2, beneficiaries=(1, 6),
    ),
    "formation_laser": ResourceTemplate(
        "training", "Formation découpeuse laser", "Sécurité, réglages et premiers découpages : obligatoire avant de réserver la découpeuse.",
        (6, 8), 180, "training", weight=0.5, beneficiaries=(1, 1),
    ),
    "decoupeuse_laser": ResourceTemplate(
        "machine", "Découpeuse laser", "Découpeuse laser CO₂ 60 W, surface 90 × 60 cm (bois, carton, acrylique).",
        (1, 1), 120, "weekdays", weight=1.2, requires_approval=True, prerequisite="formation_laser",
        max_hours_per_week=6, min_duration_minutes=60, max_duration_minutes=240, min_notice_minutes=24 * 60,
        beneficiaries=(1, 4),
    ),
    "kits_robotique": ResourceTemplate(
        "machine", "Kits électronique et robotique", "Kits Arduino, micro:bit et robots pédagogiques, prêtés à la demi-journée.",
        (6, 10), 180, "tue_sat", weight=1.2, max_quantity=4, beneficiaries=(2, 12),
    ),
    "atelier_reparation": ResourceTemplate(
        "machine", "Atelier de réparation", "Postes outillés pour réparer petit électroménager, vélos et textiles.",
        (3, 4), 180, "tue_sat", weight=1.0, max_quantity=2, beneficiaries=(2, 10),
    ),
    "fraiseuse_cnc": ResourceTemplate(
        "machine", "Fraiseuse numérique", "Fraiseuse CNC 120 × 60 cm pour le bois et le mobilier.",
        (1, 1), 180, "weekdays", weight=0.7, requires_approval=True, min_notice_minutes=48 * 60,
        max_hours_per_week=9, beneficiaries=(1, 3),
    ),
    "salle_reunion": ResourceTemplate(
        "space", "Salle de réunion", "Salle de 20 places avec vidéoprojecteur.",
        (1, 1), 120, "weekdays", weight=0.9, beneficiaries=(3, 20), publish_hours=False,
    ),
    "coworking": ResourceTemplate(
        "space", "Espace de coworking", "Postes de travail partagés, à la demi-journée.",
        (8, 12), 180, "weekdays", weight=1.0, max_quantity=3, beneficiaries=(1, 3),
    ),
    "initiation_3d": ResourceTemplate(
        "training", "Initiation à l'impression 3D", "De la modélisation à l'impression, en trois heures.",
        (8, 10), 180, "training", weight=0.6, max_quantity=2, beneficiaries=(1, 2),
    ),
    "incubation": ResourceTemplate(
        "incubation", "Incubation de projets", "Accompagnement de porteurs de projet sur plusieurs mois, sur dossier.",
        (3, 5), 0, "weekdays", requires_approval=True, publish_hours=False, beneficiaries=(1, 3),
    ),
    "epn": ResourceTemplate(
        "space", "Espace public numérique", "Postes informatiques en accès accompagné, imprimante et scanner.",
        (8, 12), 120, "weekdays", weight=1.4, max_quantity=4, beneficiaries=(1, 6),
    ),
    "salle_formation": ResourceTemplate(
        "space", "Salle de formation", "Salle équipée de 12 ordinateurs portables.",
        (1, 1), 180, "weekdays", weight=0.8, requires_approval=True, min_notice_minutes=24 * 60,
        beneficiaries=(4, 12),
    ),
    "pret_tablettes": ResourceTemplate(
        "machine", "Prêt de tablettes", "Tablettes pour ateliers hors les murs.",
        (8, 10), 180, "weekdays", weight=0.8, max_quantity=5, beneficiaries=(2, 10),
    ),
    "premiers_pas": ResourceTemplate(
        "training", "Premiers pas sur ordinateur", "Souris, clavier, fichiers et courriel : les bases, en petit groupe.",
        (6, 10), 180, "training", weight=0.7, max_quantity=2, beneficiaries=(1, 2),
    ),
    "demarches_en_ligne": ResourceTemplate(
        "training", "Démarches administratives en ligne", "FranceConnect, impots.gouv, ameli, CAF : faire ses démarches en autonomie.",
        (6, 10), 180, "training", weight=0.7, max_quantity=2, beneficiaries=(1, 2),
    ),
    "smartphone": ResourceTemplate(
        "training", "Le smartphone au quotidien", "Applications utiles, photos, messagerie et sécurité.",
        (8, 12), 180, "training", weight=0.5, max_quantity=2, beneficiaries=(1, 2),
    ),
    "accompagnement_numerique": ResourceTemplate(
        "incubation", "Accompagnement de projets numériques", "Suivi de projets associatifs numériques sur plusieurs mois.",
        (2, 4), 0, "weekdays", requires_approval=True, publish_hours=False, beneficiaries=(1, 2),
    ),
    "permanence_caf": ResourceTemplate(
        "space", "Permanence CAF", "Rendez-vous avec un conseiller de la CAF du Gard, au bureau d'accueil.",
        (1, 1), 60, "office", weight=1.2, min_notice_minutes=24 * 60, beneficiaries=(1, 2),
    ),
    "permanence_france_travail": ResourceTemplate(
        "space", "Permanence Pôle emploi / France Travail",
        "Rendez-vous avec un conseiller France Travail (ex-Pôle emploi) : inscription, CV, offres.",
        (1, 1), 60, "office", weight=1.2, min_notice_minutes=24 * 60, beneficiaries=(1, 2),
    ),
}

# The catalogue a generated hub draws from: always the first entries, then a few more.
FABRIQUE_CATALOGUE: tuple[tuple[str, ...], tuple[str, ...]] = (
    ("imprimantes_3d", "formation_laser", "decoupeuse_laser"),
    ("kits_robotique", "atelier_reparation", "fraiseuse_cnc", "salle_reunion", "coworking", "initiation_3d", "incubation"),
)
NUMERIQUE_CATALOGUE: tuple[tuple[str, ...], tuple[str, ...]] = (
    ("epn", "premiers_pas"),
    ("demarches_en_ligne", "smartphone", "salle_formation", "pret_tablettes", "accompagnement_numerique", "imprimantes_3d"),
)


# INSEE codes of the préfectures (chefs-lieux of the départements), all in COMMUNES.
PREFECTURES: frozenset[str] = frozenset((
    "01053", "02408", "03190", "04070", "05061", "06088", "07186", "08105", "09122", "10387",
    "11069", "12202", "13055", "14118", "15014", "16015", "17300", "18033", "19272", "21231",
    "22278", "23096", "24322", "25056", "26362", "27229", "28085", "29232", "2A004", "2B033",
    "30189", "31555", "32013", "33063", "34172", "35238", "36044", "37261", "38185", "39300",
    "40192", "41018", "42218", "43157", "44109", "45234", "46042", "47001", "48095", "49007",
    "50502", "51108", "52121", "53130", "54395", "55029", "56260", "57463", "58194", "59350",
    "60057", "61001", "62041", "63113", "64445", "65440", "66136", "67482", "68066", "69123",
    "70550", "71270", "72181", "73065", "74010", "75056", "76540", "77288", "78646", "79191",
    "80021", "81004", "82121", "83137", "84007", "85191", "86194", "87085", "88160", "89024",
    "90010", "91228", "92050", "93008", "94028", "95500", "97105", "97209", "97302", "97411",
    "97611",
))
