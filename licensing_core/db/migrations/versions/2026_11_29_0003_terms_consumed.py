"""terms.consumed: each term's consumption, stored

The alert evaluation and the tenants overview read every term's consumption. Counting it
means reading every session of every term (millions at a thousand tenants), so the count is
kept on the term by services.usage.recompute_usage, the one writer of sessions and user
licenses, in the same transaction. This fills it for the terms that exist.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 12:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('terms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consumed', sa.Integer(), server_default='0',
                                      nullable=False))
    op.execute(
        "UPDATE terms SET consumed = CASE WHEN license_type = 'session'"
        " THEN (SELECT count(*) FROM sessions WHERE sessions.term_id = terms.id)"
        " ELSE (SELECT count(*) FROM user_licenses WHERE user_licenses.term_id = terms.id)"
        " END")


def downgrade() -> None:
    with op.batch_alter_table('terms', schema=None) as batch_op:
        batch_op.drop_column('consumed')
