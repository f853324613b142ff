"""Request and response schemas of the games API."""
