"""license_requests: a tenant admin asks for licenses, a super admin decides once

A request is open until it is approved (which records a refill in the same transaction)
or declined (with a reason). Its emails go through the outbox: alerts.request_id names the
request that a license_request or request_decision alert is about. No row is filled.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 12:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('license_requests',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('requested_by', sa.String(length=200), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by', sa.String(length=200), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('refill_quantity', sa.Integer(), nullable=True),
    sa.Column('refill_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['refill_id'], ['refills.id'], ),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('license_requests', schema=None) as batch_op:
        batch_op.create_index('ix_license_requests_status', ['status', 'requested_at'],
                              unique=False)
        batch_op.create_index('ix_license_requests_tenant_id', ['tenant_id'], unique=False)

    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_alerts_request_id', 'license_requests',
                                    ['request_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_constraint('fk_alerts_request_id', type_='foreignkey')
        batch_op.drop_column('request_id')

    with op.batch_alter_table('license_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_license_requests_tenant_id')
        batch_op.drop_index('ix_license_requests_status')

    op.drop_table('license_requests')
