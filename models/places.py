"""Places (tiers-lieux and labelled fabriques) and who belongs to them."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from models.base import Base, UTCDateTime, in_list, utcnow

if TYPE_CHECKING:
    from models.accounts import User
    from models.resources import Resource

PLACE_KINDS = ("tiers_lieu", "fabrique", "fabrique_numerique")
HUB_KINDS = ("fabrique", "fabrique_numerique")
TERRITORIES = ("qpv", "rural", "urbain")
LEGAL_FORMS = (
    "association",
    "fondation",
    "entreprise",
    "collectivite",
    "gip_gie",
    "syndicat_mixte",
    "consortium",
)
MEMBER_ROLES = ("manager", "member")
JOIN_REQUEST_STATUSES = ("pending", "accepted", "declined")


class Place(Base):
    __tablename__ = "places"
    __table_args__ = (
        sa.CheckConstraint(in_list("kind", PLACE_KINDS), name="kind_known"),
        sa.CheckConstraint(in_list("territory", TERRITORIES), name="territory_known"),
        sa.CheckConstraint(
            f"legal_form IS NULL OR {in_list('legal_form', LEGAL_FORMS)}", name="legal_form_known"
        ),
        sa.CheckConstraint("lat BETWEEN -90 AND 90", name="lat_range"),
        sa.CheckConstraint("lon BETWEEN -180 AND 180", name="lon_range"),
        sa.CheckConstraint("length(name) > 0", name="name_not_empty"),
        sa.CheckConstraint("subsidy_eur IS NULL OR subsidy_eur >= 0", name="subsidy_positive"),
        # Only labelled fabriques carry a label wave and a State subsidy.
        sa.CheckConstraint(
            "kind <> 'tiers_lieu' OR (label_wave IS NULL AND subsidy_eur IS NULL)",
            name="label_only_for_fabriques",
        ),
        sa.Index("ix_places_kind_departement", "kind", "departement"),
        sa.CheckConstraint("siret IS NULL OR length(siret) = 14", name="siret_length"),
        sa.CheckConstraint("rna IS NULL OR length(rna) = 10", name="rna_length"),
        sa.CheckConstraint("postal_code IS NULL OR length(postal_code) = 5", name="postal_code_length"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    kind: so.Mapped[str] = so.mapped_column(sa.String(24))
    commune: so.Mapped[str] = so.mapped_column(sa.String(120))
    insee: so.Mapped[str | None] = so.mapped_column(sa.String(5))
    departement: so.Mapped[str] = so.mapped_column(sa.String(3), index=True)
    region: so.Mapped[str] = so.mapped_column(sa.String(2))
    territory: so.Mapped[str] = so.mapped_column(sa.String(8))
    lat: so.Mapped[float] = so.mapped_column(sa.Float)
    lon: so.Mapped[float] = so.mapped_column(sa.Float)
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    website: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    legal_form: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    label_wave: so.Mapped[date | None] = so.mapped_column(sa.Date)
    subsidy_eur: so.Mapped[int | None] = so.mapped_column(sa.Integer)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    # Identity and contact, as the "Lieux de médiation numérique" standard publishes them:
    # a place reaches the open data once it has a pivot (SIRET, else RNA) and an address.
    address: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    postal_code: so.Mapped[str | None] = so.mapped_column(sa.String(5))
    siret: so.Mapped[str | None] = so.mapped_column(sa.String(14), index=True)
    rna: so.Mapped[str | None] = so.mapped_column(sa.String(10), index=True)
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    phone: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    # The open data's date_maj.
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Name and commune folded for accent-blind search (hub.rules.finding.search_key),
    # kept up to date on every flush by hub.services.catalogue.
    search_text: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")

    memberships: so.Mapped[list[Membership]] = so.relationship(
        back_populates="place", cascade="all, delete-orphan"
    )
    resources: so.Mapped[list[Resource]] = so.relationship(back_populates="place")

    @property
    def is_hub(self) -> bool:
        return self.kind in HUB_KINDS

    def __repr__(self) -> str:
        return f"<Place {self.slug}>"


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "place_id", name="uq_memberships_user_place"),
        sa.CheckConstraint(in_list("role", MEMBER_ROLES), name="role_known"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    place_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("places.id", ondelete="CASCADE"), index=True
    )
    role: so.Mapped[str] = so.mapped_column(sa.String(8))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    user: so.Mapped[User] = so.relationship(back_populates="memberships")
    place: so.Mapped[Place] = so.relationship(back_populates="memberships")


class JoinRequest(Base):
    """Someone asking to become a member of a place, and its managers' answer."""

    __tablename__ = "join_requests"
    __table_args__ = (
        sa.CheckConstraint(in_list("status", JOIN_REQUEST_STATUSES), name="status_known"),
        # One pending request per person and place: the last line of defence behind the
        # service's check (two clicks racing).
        sa.Index("uq_join_requests_pending", "place_id", "user_id", unique=True,
                 sqlite_where=sa.text("status = 'pending'"),
                 postgresql_where=sa.text("status = 'pending'")),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    place_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("places.id", ondelete="CASCADE"), index=True
    )
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    message: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default="pending")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    decided_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    decided_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # The manager's answer, passed on to the person in place.join_decided.
    decision_message: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    place: so.Mapped[Place] = so.relationship()
    user: so.Mapped[User] = so.relationship(foreign_keys=[user_id])
