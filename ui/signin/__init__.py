"""Sign-in screen."""

from ui.signin.widget import SignInWidget

__all__ = ["SignInWidget"]
