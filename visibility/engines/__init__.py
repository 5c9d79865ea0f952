"""Answer engines behind one interface (base.py); which are enabled comes from settings."""
