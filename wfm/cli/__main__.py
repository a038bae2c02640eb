"""``python -m wfm.cli`` runs the ``wfm`` command."""

from wfm.cli.main import main

if __name__ == "__main__":
    main()
