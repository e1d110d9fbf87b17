"""Seeing the bot run: Prometheus metrics, health and readiness over HTTP, alerts to the admins."""
