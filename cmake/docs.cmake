# Placeholder until the docs module lands: no sources yet.
