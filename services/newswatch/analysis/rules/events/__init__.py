"""Event detector rules: YAML files validated by schemas/rules-events.v1.schema.json."""
