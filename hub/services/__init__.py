"""The domain: plain functions that validate, change the session, flush and log.

They never commit: the request (or CLI command) boundary commits once.
"""
