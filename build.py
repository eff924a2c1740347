#!/usr/bin/env python3
"""Build the news bulletin. Run ``python build.py --help`` for the commands."""

import sys

from newsroom.cli import main

if __name__ == "__main__":
    sys.exit(main())
