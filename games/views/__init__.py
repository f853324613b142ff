"""Games API HTTP views, one module per resource."""
