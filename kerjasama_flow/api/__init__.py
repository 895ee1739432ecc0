"""The JSON API under ``/api/v1`` (docs/api.md): personal tokens, JSON errors, and read
endpoints over the same queries and permission checks as the web pages."""
