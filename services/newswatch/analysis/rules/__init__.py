"""Rule tables (data files) for the analysis stages; loaded by each stage at start-up."""
