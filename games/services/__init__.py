"""Business rules of the games API."""
