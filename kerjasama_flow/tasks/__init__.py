"""Follow-up tasks (tindak lanjut) assigned to agencies."""
