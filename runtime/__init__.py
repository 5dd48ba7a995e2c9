"""ucxml: typed, schema-first bindings for UC systems' XML and HTTP interfaces."""
