"""sign_ins: each sign-in, so that the database decides whether its token still works

Sign-out kept the ended token's id in the memory of one dashboard process: another
process, or the same one after a restart, took the token again, and a password reset
left existing tokens working. A token is now honoured only while its row here is not
ended and not expired; sign-out ends it, a password reset or disabling ends every
sign-in of the account. No row is filled: tokens issued before this have none, so
their holders sign in once more.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sign_ins',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sign_ins', schema=None) as batch_op:
        batch_op.create_index('ix_sign_ins_account_id', ['account_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sign_ins', schema=None) as batch_op:
        batch_op.drop_index('ix_sign_ins_account_id')

    op.drop_table('sign_ins')
