"""documents: the files of an agreement, of one of its steps or of a task

``document``: the agreement (and optionally the step, by kind and id, or the task) it belongs
to, what kind of document it is, its title, the name it was uploaded under, its random name in
the file store (folder ``documents``), SHA-256, size and type (judged by content), who
uploaded it and when, and an edit version. A new table: no existing data to carry over.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 02:06:18.975349

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('government_id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('milestone_kind', sa.String(length=20), nullable=True),
    sa.Column('milestone_id', sa.Integer(), nullable=True),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('surat_penawaran', 'surat_jawaban', 'rencana_kerja_sama', 'notulen_tkksd', 'telaah_hukum', 'persetujuan_dprd', 'naskah_kb', 'naskah_pks', 'surat_kuasa', 'laporan', 'addendum', 'pengakhiran', 'bukti', 'lainnya', name='document_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('mime_type', sa.String(length=100), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_document_agreement_id_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['government_id'], ['government.id'], name=op.f('fk_document_government_id_government')),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_document_task_id_task'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_document_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document'))
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_government_id'), ['government_id'], unique=False)
        batch_op.create_index('ix_document_milestone', ['milestone_kind', 'milestone_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_task_id'), ['task_id'], unique=False)



def downgrade():
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_task_id'))
        batch_op.drop_index('ix_document_milestone')
        batch_op.drop_index(batch_op.f('ix_document_government_id'))
        batch_op.drop_index(batch_op.f('ix_document_agreement_id'))

    op.drop_table('document')
