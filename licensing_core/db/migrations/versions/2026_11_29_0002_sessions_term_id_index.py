"""sessions: indexes for counting a term's sessions and for rebuilding recent ones

- ix_sessions_term_id (term_id): a term's consumption is the count of its sessions, read
  by the Subscription page, every alert evaluation and the tenants overview. On term_id
  alone PostgreSQL deduplicates the index into a few pages, so the count reads about 20
  times fewer pages than through ix_sessions_term (term_id, started_at), which stays for
  the history's order and dates.
- ix_sessions_user_window (tenant_id, user_id, window_end) replaces ix_sessions_user
  (tenant_id, user_id), its prefix: an import rebuilds only the sessions of its users
  whose window ends after its earliest conversation, and finds them by this range.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 10:45:00
"""
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.create_index('ix_sessions_term_id', ['term_id'], unique=False)
        batch_op.create_index('ix_sessions_user_window', ['tenant_id', 'user_id', 'window_end'],
                              unique=False)
        batch_op.drop_index('ix_sessions_user')


def downgrade() -> None:
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.create_index('ix_sessions_user', ['tenant_id', 'user_id'], unique=False)
        batch_op.drop_index('ix_sessions_user_window')
        batch_op.drop_index('ix_sessions_term_id')
