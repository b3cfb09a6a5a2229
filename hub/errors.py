"""Domain errors: a stable code, an HTTP status and a French message.

Services raise them; the API turns them into the contract's JSON error, the pages
into a flashed message or an error beside the field.
"""
from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "bad_request"
    default_message = "La requête est invalide."

    def __init__(self, message: str | None = None, fields: dict[str, str] | None = None) -> None:
        self.message = message or self.default_message
        self.fields = fields or {}
        super().__init__(self.message)

    @property
    def headers(self) -> dict[str, str]:
        """HTTP headers that go with the error's response."""
        return {}

    def to_dict(self) -> dict:
        body: dict = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return {"error": body}


class BadRequest(DomainError):
    status, code = 400, "bad_request"
    default_message = "Le corps de la requête doit être un objet JSON."


class Unauthenticated(DomainError):
    status, code = 401, "unauthenticated"
    default_message = "Authentification requise."


class Forbidden(DomainError):
    status, code = 403, "forbidden"
    default_message = "Vous n'avez pas le droit de faire cela."


class PrerequisiteMissing(DomainError):
    status, code = 403, "prerequisite_missing"
    default_message = "Cette ressource demande d'avoir suivi une formation préalable."


class NotFound(DomainError):
    status, code = 404, "not_found"
    default_message = "Cet élément n'existe pas."


class Unavailable(DomainError):
    status, code = 409, "unavailable"
    default_message = "La ressource n'est pas disponible sur ce créneau."


class QuotaExceeded(DomainError):
    status, code = 409, "quota_exceeded"
    default_message = "Le quota hebdomadaire de ce lieu sur cette ressource est atteint."


class OverdueLoan(DomainError):
    status, code = 409, "overdue_loan"
    default_message = "Ce lieu a un prêt en retard : rendez-le avant d'emprunter à nouveau."


class InvalidState(DomainError):
    status, code = 409, "invalid_state"
    default_message = "Cette action n'est pas possible dans l'état actuel."


class Duplicate(DomainError):
    status, code = 409, "duplicate"
    default_message = "Cet élément existe déjà."


class Invalid(DomainError):
    status, code = 422, "invalid"
    default_message = "Certaines données sont invalides."


class TooManyRequests(DomainError):
    status, code = 429, "too_many_requests"
    default_message = "Trop de tentatives : réessayez plus tard."

    def __init__(self, message: str | None = None, fields: dict[str, str] | None = None,
                 *, retry_after: int | None = None) -> None:
        super().__init__(message, fields)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.retry_after else {}
