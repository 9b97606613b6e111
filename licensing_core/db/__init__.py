"""Storage: engine, typed ORM models, migrations and bulk writes."""
