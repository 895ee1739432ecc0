"""Agreements (kerja sama), their partners and milestones, and the lifecycle that governs them."""
