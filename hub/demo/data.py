"""Data tables for the demo network: communes, hubs, names and resource templates.

COMMUNES holds the INSEE codes of real communes: every préfecture, plus the communes
around the demo hubs. Their names, départements and positions come from the reference
(hub.reference.communes, INSEE's Code officiel géographique); the names in the comments
only help a reader.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

COMMUNES: tuple[str, ...] = (
    "01053",  # Bourg-en-Bresse
    "01283",  # Oyonnax
    "02408",  # Laon
    "03190",  # Moulins
    "04018",  # Banon
    "04070",  # Digne-les-Bains
    "04088",  # Forcalquier
    "04112",  # Manosque
    "04209",  # Sisteron
    "05061",  # Gap
    "06088",  # Nice
    "07186",  # Privas
    "08105",  # Charleville-Mézières
    "09085",  # Castillon-en-Couserans
    "09122",  # Foix
    "09182",  # Massat
    "09261",  # Saint-Girons
    "10387",  # Troyes
    "11069",  # Carcassonne
    "12025",  # Belmont-sur-Rance
    "12044",  # Camarès
    "12052",  # Capdenac-Gare
    "12089",  # Decazeville
    "12145",  # Millau
    "12202",  # Rodez
    "12203",  # Roquefort-sur-Soulzon
    "12208",  # Saint-Affrique
    "13001",  # Aix-en-Provence
    "13005",  # Aubagne
    "13028",  # La Ciotat
    "13055",  # Marseille
    "13056",  # Martigues
    "13117",  # Vitrolles
    "14118",  # Caen
    "15014",  # Aurillac
    "16015",  # Angoulême
    "17300",  # La Rochelle
    "18033",  # Bourges
    "19272",  # Tulle
    "19275",  # Ussel
    "21231",  # Dijon
    "22025",  # Callac
    "22070",  # Guingamp
    "22136",  # Loudéac
    "22158",  # Guerlédan
    "22266",  # Rostrenen
    "22278",  # Saint-Brieuc
    "23008",  # Aubusson
    "23030",  # Bourganeuf
    "23069",  # Crocq
    "23079",  # Felletin
    "23096",  # Guéret
    "24322",  # Périgueux
    "25047",  # Baume-les-Dames
    "25056",  # Besançon
    "25388",  # Montbéliard
    "25434",  # Ornans
    "25462",  # Pontarlier
    "26086",  # Châtillon-en-Diois
    "26108",  # Crest
    "26113",  # Die
    "26289",  # Saillans
    "26362",  # Valence
    "27229",  # Évreux
    "28085",  # Chartres
    "29019",  # Brest
    "29024",  # Carhaix-Plouguer
    "29027",  # Châteauneuf-du-Faou
    "29039",  # Concarneau
    "29042",  # Crozon
    "29046",  # Douarnenez
    "29058",  # Fouesnant
    "29081",  # Huelgoat
    "29103",  # Landerneau
    "29124",  # Lesneven
    "29151",  # Morlaix
    "29189",  # Plougastel-Daoulas
    "29217",  # Pont-Aven
    "29220",  # Pont-l'Abbé
    "29232",  # Quimper
    "29233",  # Quimperlé
    "29241",  # Rosporden
    "29260",  # Saint-Renan
    "29274",  # Scaër
    "29293",  # Trégunc
    "2A004",  # Ajaccio
    "2B033",  # Bastia
    "30007",  # Alès
    "30028",  # Bagnols-sur-Cèze
    "30032",  # Beaucaire
    "30141",  # Laudun-l'Ardoise
    "30189",  # Nîmes
    "30202",  # Pont-Saint-Esprit
    "30263",  # Saint-Hippolyte-du-Fort
    "30321",  # Sommières
    "30334",  # Uzès
    "30339",  # Val-d'Aigoual
    "30341",  # Vauvert
    "30350",  # Le Vigan
    "31069",  # Blagnac
    "31149",  # Colomiers
    "31395",  # Muret
    "31483",  # Saint-Gaudens
    "31555",  # Toulouse
    "31582",  # Villefranche-de-Lauragais
    "32013",  # Auch
    "33063",  # Bordeaux
    "34028",  # Bédarieux
    "34064",  # Le Caylar
    "34079",  # Clermont-l'Hérault
    "34108",  # Frontignan
    "34111",  # Ganges
    "34114",  # Gignac
    "34142",  # Lodève
    "34145",  # Lunel
    "34172",  # Montpellier
    "34301",  # Sète
    "35012",  # Bain-de-Bretagne
    "35115",  # Fougères
    "35188",  # Montfort-sur-Meu
    "35236",  # Redon
    "35238",  # Rennes
    "35360",  # Vitré
    "36044",  # Châteauroux
    "37261",  # Tours
    "38053",  # Bourgoin-Jallieu
    "38140",  # Crolles
    "38151",  # Échirolles
    "38185",  # Grenoble
    "38269",  # La Mure
    "38544",  # Vienne
    "38562",  # Vizille
    "38563",  # Voiron
    "39097",  # Champagnole
    "39198",  # Dole
    "39300",  # Lons-le-Saunier
    "39368",  # Hauts de Bienne
    "39478",  # Saint-Claude
    "40192",  # Mont-de-Marsan
    "41018",  # Blois
    "42218",  # Saint-Étienne
    "43157",  # Le Puy-en-Velay
    "44003",  # Ancenis-Saint-Géréon
    "44036",  # Châteaubriant
    "44043",  # Clisson
    "44109",  # Nantes
    "44143",  # Rezé
    "44184",  # Saint-Nazaire
    "45234",  # Orléans
    "46042",  # Cahors
    "46045",  # Cajarc
    "46102",  # Figeac
    "46128",  # Gramat
    "47001",  # Agen
    "48061",  # Florac Trois Rivières
    "48080",  # Langogne
    "48095",  # Mende
    "48096",  # Meyrueis
    "48155",  # Saint-Germain-de-Calberte
    "49007",  # Angers
    "50502",  # Saint-Lô
    "51108",  # Châlons-en-Champagne
    "52121",  # Chaumont
    "53130",  # Laval
    "54395",  # Nancy
    "55029",  # Bar-le-Duc
    "56007",  # Auray
    "56066",  # Gourin
    "56083",  # Hennebont
    "56098",  # Lanester
    "56121",  # Lorient
    "56162",  # Ploemeur
    "56178",  # Pontivy
    "56186",  # Quiberon
    "56260",  # Vannes
    "57463",  # Metz
    "58062",  # Château-Chinon (Ville)
    "58079",  # Clamecy
    "58083",  # Corbigny
    "58086",  # Cosne-Cours-sur-Loire
    "58149",  # Luzy
    "58182",  # Moulins-Engilbert
    "58194",  # Nevers
    "59009",  # Villeneuve-d'Ascq
    "59017",  # Armentières
    "59178",  # Douai
    "59350",  # Lille
    "59512",  # Roubaix
    "59599",  # Tourcoing
    "60057",  # Beauvais
    "61001",  # Alençon
    "62041",  # Arras
    "62498",  # Lens
    "63113",  # Clermont-Ferrand
    "64371",  # Mauléon-Licharre
    "64422",  # Oloron-Sainte-Marie
    "64445",  # Pau
    "64485",  # Saint-Jean-Pied-de-Port
    "64493",  # Saint-Palais
    "64533",  # Tardets-Sorholus
    "65440",  # Tarbes
    "66136",  # Perpignan
    "67482",  # Strasbourg
    "68066",  # Colmar
    "69123",  # Lyon
    "69256",  # Vaulx-en-Velin
    "69259",  # Vénissieux
    "69264",  # Villefranche-sur-Saône
    "69266",  # Villeurbanne
    "70550",  # Vesoul
    "71014",  # Autun
    "71270",  # Mâcon
    "72181",  # Le Mans
    "73065",  # Chambéry
    "74010",  # Annecy
    "75056",  # Paris
    "76540",  # Rouen
    "77284",  # Meaux
    "77288",  # Melun
    "78646",  # Versailles
    "79191",  # Niort
    "80001",  # Abbeville
    "80016",  # Albert
    "80021",  # Amiens
    "80253",  # Doullens
    "80561",  # Montdidier
    "80620",  # Péronne
    "81004",  # Albi
    "82121",  # Montauban
    "83137",  # Toulon
    "84003",  # Apt
    "84007",  # Avignon
    "84087",  # Orange
    "85191",  # La Roche-sur-Yon
    "86194",  # Poitiers
    "87085",  # Limoges
    "88160",  # Épinal
    "89024",  # Auxerre
    "89025",  # Avallon
    "89446",  # Vézelay
    "90010",  # Belfort
    "91228",  # Évry-Courcouronnes
    "92050",  # Nanterre
    "93001",  # Aubervilliers
    "93008",  # Bobigny
    "93048",  # Montreuil
    "93066",  # Saint-Denis
    "93071",  # Sevran
    "94028",  # Créteil
    "95018",  # Argenteuil
    "95500",  # Pontoise
    "97105",  # Basse-Terre
    "97209",  # Fort-de-France
    "97302",  # Cayenne
    "97411",  # Saint-Denis
    "97611",  # Mamoudzou
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
