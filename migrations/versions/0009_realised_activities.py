"""realised activities: realisasi kegiatan, the step by which non-trade cooperation reaches
Pelaksanaan

``realised_activity``: a milestone like a transaction (its agreement, notes, timestamps and
edit version) with the day it was held, what it was, where, who took part, its output, and the
KB or PKS it carries out. A new table: no existing data to carry over.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 03:44:07.526588

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('realised_activity',
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=True),
    sa.Column('participants', sa.Text(), nullable=True),
    sa.Column('output', sa.Text(), nullable=True),
    sa.Column('mou_id', sa.Integer(), nullable=True),
    sa.Column('pks_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_realised_activity_agreement_id_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mou_id'], ['mou.id'], name=op.f('fk_realised_activity_mou_id_mou')),
    sa.ForeignKeyConstraint(['pks_id'], ['pks.id'], name=op.f('fk_realised_activity_pks_id_pks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_realised_activity'))
    )
    with op.batch_alter_table('realised_activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_realised_activity_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_realised_activity_mou_id'), ['mou_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_realised_activity_pks_id'), ['pks_id'], unique=False)



def downgrade():
    with op.batch_alter_table('realised_activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_realised_activity_pks_id'))
        batch_op.drop_index(batch_op.f('ix_realised_activity_mou_id'))
        batch_op.drop_index(batch_op.f('ix_realised_activity_agreement_id'))

    op.drop_table('realised_activity')
