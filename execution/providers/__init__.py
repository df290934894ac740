"""AI providers: credentials, base URLs and SDK clients, plus the resilience they share."""
