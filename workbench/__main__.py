import sys

from cli import main

if __name__ == "__main__":  # job subprocesses (spawn) import this module again as __mp_main__
    sys.exit(main())
