"""session version: a per-user number that every session names, raised to end them all

``user_account`` gains ``session_version`` (integer, not null, 1 for every existing user). Each
user keeps their email, password hash, role and everything else as it was. Sessions and
remember-me cookies started before this version named only the user's id; the app no longer
accepts that form, so everyone logs in once more after the upgrade (with the same password).
Downgrading drops the column and changes no other data.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 06:05:47.983409

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('session_version')
