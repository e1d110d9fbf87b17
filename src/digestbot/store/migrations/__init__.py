"""Alembic migrations, shipped inside the package (``digestbot.store:migrations``)."""
