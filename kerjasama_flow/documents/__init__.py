"""Documents: the signed letters, minutes and proofs of an agreement, its steps and its tasks,
kept in the app's one file store and shown only to those who may see the agreement."""
