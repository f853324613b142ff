"""URL helpers: an origin for CORS, and query parameters added to a URL keeping its own."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def url_origin(url):
    """scheme://host[:port] of `url`, lowercased, as browsers send it in an Origin header."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def with_query(url, params):
    """`url` with `params` (None values skipped) added to its query; existing ones are kept."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(k, v) for k, v in params.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))
