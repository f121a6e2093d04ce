"""Shared helpers: provenance-carrying I/O, seeding, logging, config checks, plotting."""
