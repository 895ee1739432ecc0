"""Leadership and reporting: the dashboard, exports, the PDF report, the public page and the
calendar feed. Only reads: it imports the domains, the domains never import it, and what
changes data (the spreadsheet import, tokens, settings) lives in the domain that owns it."""
