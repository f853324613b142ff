"""Business rules of the backoffice, shared by the HTTP views and the admin CLI."""
