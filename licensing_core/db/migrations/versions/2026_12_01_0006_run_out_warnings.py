"""run-out warnings: terms.run_out_warned_at and the forecast numbers on alerts

`licensing alerts run` warns a term once when its forecast says it runs out within 30
days and before its end; terms.run_out_warned_at says it was warned (a refill that moves
the run-out away clears it). The alert keeps the forecast it was queued with: run-out day,
its range and the licenses needed to last the term. No row is filled.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 13:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('terms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('run_out_warned_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('run_out_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('run_out_low', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('run_out_high', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('licenses_needed', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_column('licenses_needed')
        batch_op.drop_column('run_out_high')
        batch_op.drop_column('run_out_low')
        batch_op.drop_column('run_out_date')

    with op.batch_alter_table('terms', schema=None) as batch_op:
        batch_op.drop_column('run_out_warned_at')
