"""webhooks: each alert's webhook delivery, apart from its email's

`licensing alerts run` POSTs every alert to LICENSING_WEBHOOK_URL with its own status,
attempts, last error, next attempt and sent time. The alerts that exist were queued
before webhooks: they are marked not_configured, so that setting a URL later does not
post months of old alerts. New alerts start queued.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 14:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('webhook_status', sa.String(length=16),
                                      server_default='queued', nullable=False))
        batch_op.add_column(sa.Column('webhook_attempts', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('webhook_last_error', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('webhook_next_attempt_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('webhook_sent_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_alerts_webhook_pending',
                              ['webhook_status', 'webhook_next_attempt_at'], unique=False)
    op.execute("UPDATE alerts SET webhook_status = 'not_configured'")


def downgrade() -> None:
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_alerts_webhook_pending')
        batch_op.drop_column('webhook_sent_at')
        batch_op.drop_column('webhook_next_attempt_at')
        batch_op.drop_column('webhook_last_error')
        batch_op.drop_column('webhook_attempts')
        batch_op.drop_column('webhook_status')
