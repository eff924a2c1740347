#!/usr/bin/env python3
"""Build the news bulletin. Run ``python build.py --help`` for the commands."""

import gc
import os
import sys

from newsroom.cli import main

if __name__ == "__main__":
    # A build holds a large, long-lived model (10k releases are millions of objects) and
    # makes few reference cycles: full collections, which walk the whole model, would
    # cost a sixth of a small rebuild. Collect the young generation as usual, the old rarely.
    gc.set_threshold(100_000, 50, 100)
    status = main()
    # Everything is written and closed by now. Tearing down the model object by object
    # would take a tenth of a small rebuild (a third of a second at 10k releases).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status or 0)
