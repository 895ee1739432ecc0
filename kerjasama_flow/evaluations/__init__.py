"""Monitoring and evaluation (monev) of agreements with a signed KB or PKS, and its periodic
tasks."""
