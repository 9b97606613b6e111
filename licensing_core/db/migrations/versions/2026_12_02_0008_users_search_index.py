"""history text filter: a trigram index of the users (PostgreSQL), user_id in ix_sessions_term

Consumption History finds a text in a row's user id or in its user's name or email
(queries.history). It now finds the users by name or email first and looks each of the
term's rows up in that set, instead of joining every row to its user and matching three
columns:
- ix_platform_users_search (PostgreSQL only): a GIN index of pg_trgm's trigrams on
  user_name and email, which answers ILIKE '%text%'. pg_trgm ships with PostgreSQL;
  creating it needs the CREATE right on the database (it is a trusted extension). When
  it cannot be created the upgrade stops, changes nothing, and says who must run what.
  SQLite reads the tenant's users, which is fast enough there.
- ix_sessions_term (term_id, started_at) gains user_id: the rows of a term and a date
  range, and the user id the filter needs, come from the index alone, not from the table
  (PostgreSQL's count of a filtered page of 604,572 sessions read the heap of each).

The downgrade restores ix_sessions_term, drops the trigram index and leaves the extension,
which other schemas may use.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 09:00:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.exc import DBAPIError

from licensing_core.errors import RunFailed

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

EXTENSION = "pg_trgm"


def _create_extension(bind: sa.Connection) -> None:
    """CREATE EXTENSION, or a message saying why not and what to do instead of a traceback."""
    if bind.scalar(sa.text("SELECT 1 FROM pg_extension WHERE extname = :name"),
                   {"name": EXTENSION}):
        return
    database = bind.scalar(sa.text("SELECT current_database()"))
    user = bind.scalar(sa.text("SELECT current_user"))
    again = "then run `licensing db upgrade` again"
    if not bind.scalar(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = :name"),
                       {"name": EXTENSION}):
        raise RunFailed(
            f"the PostgreSQL server has no {EXTENSION} extension, which the database "
            f"{database!r} needs for searching users: install PostgreSQL's contrib modules "
            f"on the server (e.g. the postgresql-contrib package), {again}")
    try:
        bind.execute(sa.text(f"CREATE EXTENSION IF NOT EXISTS {EXTENSION}"))
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0]
        raise RunFailed(
            f"the database {database!r} needs the PostgreSQL extension {EXTENSION}, and "
            f"{user!r} cannot create it ({reason}): ask an owner of the database or a "
            f"superuser to run `CREATE EXTENSION {EXTENSION};` in database {database!r}, "
            f"{again}") from None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _create_extension(bind)
        op.create_index('ix_platform_users_search', 'platform_users', ['user_name', 'email'],
                        unique=False, postgresql_using='gin',
                        postgresql_ops={'user_name': 'gin_trgm_ops', 'email': 'gin_trgm_ops'})
    op.drop_index('ix_sessions_term', table_name='sessions')
    op.create_index('ix_sessions_term', 'sessions', ['term_id', 'started_at', 'user_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_sessions_term', table_name='sessions')
    op.create_index('ix_sessions_term', 'sessions', ['term_id', 'started_at'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index('ix_platform_users_search', table_name='platform_users')
