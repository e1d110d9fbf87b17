"""The article store: schema, database access, and search."""
