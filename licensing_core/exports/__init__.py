"""File formats out: streamed CSV exports of the read models."""
