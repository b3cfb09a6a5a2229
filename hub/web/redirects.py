"""Where a page sends the user next: only ever a path on this site."""
from __future__ import annotations

from urllib.parse import urlparse

from flask import request


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(ch) < 32 for ch in target):
        return None
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc:
        return None
    return target


def next_or(default: str) -> str:
    """The form's or query's `next` target if it is on this site, else `default`."""
    return safe_next(request.form.get("next") or request.args.get("next")) or default
