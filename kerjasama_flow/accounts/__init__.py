"""Governments (tenants), their agencies (OPD) and users."""
