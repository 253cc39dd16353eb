"""Entry point of the PyInstaller bundle: the same as the `trainer` command (no arguments opens the app)."""

import sys

from trainer.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
