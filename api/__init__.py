"""HTTP: the JSON API and the server-rendered Danish pages."""
