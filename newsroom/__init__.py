"""newsroom — a static news-site generator for Persian press offices.

The build is one pipeline that reads top to bottom:
configure (config) → read (content) → assemble (site) → render (render) → write (output).
"""

__version__ = "0.1.0"
