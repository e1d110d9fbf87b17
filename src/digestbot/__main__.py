"""``python -m digestbot`` runs the operator command line."""

from digestbot.cli import main

raise SystemExit(main())
