"""``python -m digestbot`` runs the operator command line."""

from digestbot.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
