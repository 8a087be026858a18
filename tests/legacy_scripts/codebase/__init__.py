"""The user's own package beside the script: its imports are rewritten too."""
