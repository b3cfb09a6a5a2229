"""Who may do what: every may-do predicate of the platform, and nothing else.

The predicates are pure: they read an `Actor` (who acts, with their global role and their
role in each place) and the ids they need, and answer True or False. Services load the
actor (`hub.services.places.actor_of`, one query), call a predicate, and raise Forbidden
or NotFound themselves.

The policy, from the API contract (which wins over any page):

    action                                        admin  anct  manager  member
    label a fabrique (create a hub place)          yes    yes   -        -
    create a tiers-lieu (and become its manager)   yes    yes   yes      yes   (anyone logged in)
    add a member or change a role                  yes    yes   of it    -
    remove a member (a member may leave)           yes    -     of it    itself
    ask to join a place                            -      -     -        -     (anyone not in it)
    read and answer a place's join requests        -      -     of it    -
    book for a place                               -      -     of it    of it
    read a booking                                 yes    yes   host     booking place
    cancel a booking                               -      -     host or booking place  booking place
    confirm, refuse, record attendance             -      -     host     -
    resources, sessions, closures, qualifications  -      -     of it    -
    open a place's back office (/gestion)          -      -     of it    -
    read the network (API /network, /reseau)       yes    yes   -        -
    read a hub's own figures (/reseau/mon-lieu)    yes    yes   of it    -
    see outgoing mail (/admin/envois)              yes    -     -        -

"-" means no, unless the person also holds the role of that column ("of it": of that
place; "host": of the place whose resource is booked). Admin and ANCT read everything and
act only where the contract names them: labelling and members. They run no hub: a back
office opens only to those who may act in it, so an admin who is not a manager of a place
gets 403 there, as its every write would. Admin and ANCT have the same rights today.

Routes of the contract's second part follow the same table when they come: editing a
place and reading its report are for its managers, admin and ANCT; removing a member for
its managers and admin (not ANCT), or the member itself; join requests for its managers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from models import GLOBAL_ROLES, HUB_KINDS


@dataclass(frozen=True)
class Actor:
    """Who acts: a user id, their global role ("admin", "anct" or None) and their role in
    each place they belong to ({place_id: "manager" | "member"})."""

    user_id: int
    role: str | None = None
    places: Mapping[int, str] = field(default_factory=dict)

    def role_in(self, place_id: int) -> str | None:
        return self.places.get(place_id)

    def manages(self, place_id: int) -> bool:
        return self.places.get(place_id) == "manager"

    def belongs_to(self, place_id: int) -> bool:
        """Member or manager."""
        return self.places.get(place_id) is not None


def sees_network(actor: Actor) -> bool:
    """Admin and ANCT read the whole network and every booking."""
    return actor.role in GLOBAL_ROLES


def may_label(actor: Actor | None) -> bool:
    """Create a labelled fabrique: admin and ANCT, and the system (`actor` None: the CLI
    import)."""
    return actor is None or sees_network(actor)


def may_create_place(actor: Actor | None, kind: str | None) -> bool:
    """A tiers-lieu is for anyone logged in; a fabrique must be labelled."""
    return kind not in HUB_KINDS or may_label(actor)


def may_manage_members(actor: Actor, place_id: int) -> bool:
    return sees_network(actor) or actor.manages(place_id)


def may_run_hub(actor: Actor, place_id: int) -> bool:
    """Publish and edit the place's resources, their sessions, closures and
    qualifications, and open its back office: its managers only."""
    return actor.manages(place_id)


def may_book_for(actor: Actor, place_id: int) -> bool:
    return actor.belongs_to(place_id)


def may_decide(actor: Actor, host_place_id: int) -> bool:
    """Confirm, refuse, record attendance: managers of the host place."""
    return actor.manages(host_place_id)


def may_cancel(actor: Actor, booking_place_id: int, host_place_id: int) -> bool:
    return actor.belongs_to(booking_place_id) or actor.manages(host_place_id)


def may_read_booking(actor: Actor, booking_place_id: int, host_place_id: int) -> bool:
    return sees_network(actor) or may_cancel(actor, booking_place_id, host_place_id)


def may_read_network(actor: Actor) -> bool:
    return sees_network(actor)


def may_supervise_mail(actor: Actor) -> bool:
    """The outgoing-mail page lists every address the platform writes to: admins only."""
    return actor.role == "admin"


def may_read_hub_figures(actor: Actor, place_id: int) -> bool:
    return sees_network(actor) or actor.manages(place_id)


def may_remove_member(actor: Actor, place_id: int, user_id: int) -> bool:
    """Its managers and admins remove anyone (but the last manager, a state rule); a person
    may leave. ANCT labels and adds, but does not remove."""
    return actor.role == "admin" or actor.manages(place_id) or (
        actor.user_id == user_id and actor.belongs_to(place_id))


def may_ask_to_join(actor: Actor, place_id: int) -> bool:
    return not actor.belongs_to(place_id)


def may_answer_join_requests(actor: Actor, place_id: int) -> bool:
    """Read and accept or decline a place's join requests: its managers."""
    return actor.manages(place_id)


def may_edit_place(actor: Actor, place_id: int) -> bool:
    """Change a place's identity, address and contact: its managers, admin and ANCT."""
    return sees_network(actor) or actor.manages(place_id)
