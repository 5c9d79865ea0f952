"""The API platform every app plugs into: authentication, the one error shape, pagination,
OpenAPI, health and legacy redirects."""
