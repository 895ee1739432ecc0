"""user flags named as flags: email_notifications -> is_email_enabled,
whatsapp_notifications -> is_whatsapp_enabled (the style guide's ``is_`` for booleans)

The columns are renamed in place, so every user's choice is kept.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 19:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

RENAMES = (
    ('email_notifications', 'is_email_enabled'),
    ('whatsapp_notifications', 'is_whatsapp_enabled'),
)


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        for old, new in RENAMES:
            batch_op.alter_column(old, new_column_name=new)


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        for old, new in RENAMES:
            batch_op.alter_column(new, new_column_name=old)
