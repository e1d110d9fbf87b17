"""The exceptions digestbot raises on purpose.

::

    DigestbotError                 base; ``str(err)`` is a message fit for an operator or reader
    ├── ConfigError                the configuration file or environment is wrong
    ├── ArticleError               one article file cannot be loaded (carries the reason)
    ├── StoreError                 the database cannot be opened or migrated
    ├── NotFoundError              an article, subscriber or message asked for does not exist
    └── QueryError                 a search query is unusable (empty after cleaning)

Boundaries (the CLI, Telegram handlers, the sender) turn these into a clear message and one log
line; anything else is a bug and is logged with its traceback.
"""

from __future__ import annotations

__all__ = [
    "ArticleError",
    "ConfigError",
    "DigestbotError",
    "NotFoundError",
    "QueryError",
    "StoreError",
]


class DigestbotError(Exception):
    """Base of every error digestbot raises deliberately."""


class ConfigError(DigestbotError):
    """The configuration (file or environment) is invalid."""


class ArticleError(DigestbotError):
    """An article file cannot be loaded; the message is the reason, e.g. ``empty file``."""


class StoreError(DigestbotError):
    """The database cannot be opened, created or migrated."""


class NotFoundError(DigestbotError):
    """Something asked for by id or key does not exist."""


class QueryError(DigestbotError):
    """A search query cannot be run, e.g. it is empty."""
