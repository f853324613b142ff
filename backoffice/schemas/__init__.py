"""Request and response schemas of the backoffice API."""
