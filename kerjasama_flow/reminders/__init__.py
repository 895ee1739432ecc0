"""Reminders: the daily sweep, the outbox, delivery by email and WhatsApp, in-app
notifications."""
