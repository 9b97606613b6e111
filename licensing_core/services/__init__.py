"""Use cases: each runs in one transaction, calls the domain rules and writes the database."""
