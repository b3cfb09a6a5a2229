"""SQLAlchemy models, one module per aggregate. Importing this package registers them all."""
from models.accounts import GLOBAL_ROLES, ApiToken, LoginFailure, OneTimeToken, User
from models.analytics import AnalyticsClock, FlowMonth, FlowTotal, MonthPlace
from models.audit import AuditEntry
from models.base import Base, UTCDateTime, utcnow
from models.bookings import ACTIVE_STATUSES, BOOKING_STATUSES, Booking, Qualification
from models.notifications import NOTIFICATION_CATEGORIES, NotificationPreference
from models.outbox import OUTBOX_JOB_KINDS, OUTBOX_STATUSES, OutboxJob, OutboxMessage
from models.places import HUB_KINDS, JOIN_REQUEST_STATUSES, LEGAL_FORMS, MEMBER_ROLES, PLACE_KINDS, TERRITORIES, JoinRequest, Membership, Place
from models.resources import RESOURCE_KINDS, Closure, Resource, TrainingSession
from models.sharing import SERIES_EVERY, BookingSeries, Recognition

__all__ = [
    "ACTIVE_STATUSES",
    "BOOKING_STATUSES",
    "GLOBAL_ROLES",
    "HUB_KINDS",
    "JOIN_REQUEST_STATUSES",
    "LEGAL_FORMS",
    "MEMBER_ROLES",
    "NOTIFICATION_CATEGORIES",
    "OUTBOX_JOB_KINDS",
    "OUTBOX_STATUSES",
    "PLACE_KINDS",
    "RESOURCE_KINDS",
    "SERIES_EVERY",
    "TERRITORIES",
    "ApiToken",
    "AuditEntry",
    "Base",
    "Booking",
    "BookingSeries",
    "Closure",
    "FlowMonth",
    "AnalyticsClock",
    "FlowTotal",
    "JoinRequest",
    "LoginFailure",
    "Membership",
    "MonthPlace",
    "NotificationPreference",
    "OneTimeToken",
    "OutboxJob",
    "OutboxMessage",
    "Place",
    "Qualification",
    "Recognition",
    "Resource",
    "TrainingSession",
    "UTCDateTime",
    "User",
    "utcnow",
]
