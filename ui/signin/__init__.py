"""Sign-in screen."""
