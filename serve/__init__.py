"""Ray Serve entrypoint: thin deployments over ``trading_signals.serving`` (see app.py)."""
