"""sessions: ix_sessions_term_id goes, a write every session paid for one count

The index was made for counting a term's sessions on every read of its consumption.
Since 0003 the consumption is stored (terms.consumed) and counted again once per import,
by db.tenancy.recount_consumed, which the prefix (term_id) of ix_sessions_term answers as
well. Every import wrote each of its sessions into the index: about a sixth of the time
of the sessions' COPY on PostgreSQL (542,816 sessions: 5.2 s with it, 4.3 s without).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 12:30:00
"""
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_sessions_term_id')


def downgrade() -> None:
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.create_index('ix_sessions_term_id', ['term_id'], unique=False)
