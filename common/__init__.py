"""Code shared by the backoffice and games apps: data, money, crypto, errors, config."""
