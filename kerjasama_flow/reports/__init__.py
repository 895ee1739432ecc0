"""Leadership and reporting: the dashboard, exports, the PDF report, the import, the public
page and the calendar feed. Reads the domains; the domains never import it."""
