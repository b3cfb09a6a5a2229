"""SQLAlchemy models, one module per aggregate. Importing this package registers them all."""
from models.accounts import GLOBAL_ROLES, ApiToken, LoginFailure, User
from models.analytics import FlowMonth, FlowTotal, MonthPlace
from models.audit import AuditEntry
from models.base import Base, UTCDateTime, utcnow
from models.bookings import ACTIVE_STATUSES, BOOKING_STATUSES, Booking, Qualification
from models.outbox import OUTBOX_STATUSES, OutboxMessage
from models.places import HUB_KINDS, LEGAL_FORMS, MEMBER_ROLES, PLACE_KINDS, TERRITORIES, Membership, Place
from models.resources import RESOURCE_KINDS, Closure, Resource, TrainingSession

__all__ = [
    "ACTIVE_STATUSES",
    "BOOKING_STATUSES",
    "GLOBAL_ROLES",
    "HUB_KINDS",
    "LEGAL_FORMS",
    "MEMBER_ROLES",
    "OUTBOX_STATUSES",
    "PLACE_KINDS",
    "RESOURCE_KINDS",
    "TERRITORIES",
    "ApiToken",
    "AuditEntry",
    "Base",
    "Booking",
    "Closure",
    "FlowMonth",
    "FlowTotal",
    "LoginFailure",
    "Membership",
    "MonthPlace",
    "OutboxMessage",
    "Place",
    "Qualification",
    "Resource",
    "TrainingSession",
    "UTCDateTime",
    "User",
    "utcnow",
]
