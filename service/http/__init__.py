"""What every API module and page shares: errors as problem+json, authentication and
roles, CSRF, security headers, the OpenAPI document, form decoding, templates and static
files (DESIGN.md §2)."""
