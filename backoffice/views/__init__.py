"""Backoffice HTTP views, one module per resource."""
