"""Playbooks: the standard follow-up tasks created when a milestone is recorded."""
