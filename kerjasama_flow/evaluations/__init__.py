"""Monitoring and evaluation (monev) of agreements in pelaksanaan."""
