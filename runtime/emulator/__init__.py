"""Local emulators of the supported UC servers (wire-level, for tests and demos)."""
