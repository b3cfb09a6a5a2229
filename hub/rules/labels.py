"""The French label of every enum value, one table per enum.

Booking statuses read inside a sentence ("Réservation n° 12 : confirmée"), in pages,
exports, calendars, the CLI and live updates alike (static/js/live.js receives this table
from the page). Kinds, territories, legal forms and roles are names and start with a
capital; a sentence that needs one in lower case lowers it where it writes the sentence.
"""
from __future__ import annotations

from typing import Mapping

BOOKING_STATUS = {
    "pending": "en attente de validation",
    "confirmed": "confirmée",
    "refused": "refusée",
    "cancelled": "annulée",
    "waitlisted": "en liste d'attente",
    "out": "sortie en prêt",
    "returned": "rendue",
}

RESOURCE_KIND = {
    "machine": "Machine",
    "space": "Espace",
    "training": "Formation",
    "incubation": "Incubation",
    "loan": "Prêt de matériel",
}

PLACE_KIND = {
    "tiers_lieu": "Tiers-lieu",
    "fabrique": "Fabrique de territoire",
    "fabrique_numerique": "Fabrique numérique de territoire",
}

TERRITORY = {"qpv": "Quartier prioritaire (QPV)", "rural": "Rural", "urbain": "Urbain"}

LEGAL_FORM = {
    "association": "Association",
    "fondation": "Fondation",
    "entreprise": "Entreprise",
    "collectivite": "Collectivité",
    "gip_gie": "GIP / GIE",
    "syndicat_mixte": "Syndicat mixte",
    "consortium": "Consortium",
}

MEMBER_ROLE = {"manager": "Gestionnaire", "member": "Membre"}

GLOBAL_ROLE = {"admin": "Administrateur", "anct": "ANCT"}

# Notification categories: (name, what it covers), for "Mes notifications" and unsubscribing.
NOTIFICATION_CATEGORY = {
    "booking_requests": ("Demandes à traiter",
                         "Les demandes de réservation à valider et les demandes pour rejoindre "
                         "un lieu, pour ses gestionnaires."),
    "booking_updates": ("Suivi de mes réservations",
                        "Confirmation, refus, annulation et liste d'attente de vos réservations."),
    "reminders": ("Rappels", "Un rappel la veille d'une réservation confirmée."),
}


def label(table: Mapping[str, str], value: str | None) -> str:
    """The value's label, or the value itself when the table does not know it (a kind
    added to the database before its label)."""
    if value is None:
        return ""
    return table.get(value, value)



MONTH = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
         "septembre", "octobre", "novembre", "décembre")


def month_label(month: str | None) -> str:
    """"2026-06" as a reader says it: "juin 2026" (a value that is no month stays as it is)."""
    if not month:
        return ""
    year, _, number = month.partition("-")
    if not (year.isdigit() and number.isdigit() and 1 <= int(number) <= 12):
        return month
    return f"{MONTH[int(number) - 1]} {year}"
