"""Server-rendered French pages."""
