"""The interaction app's writes (its front door for other apps)."""
