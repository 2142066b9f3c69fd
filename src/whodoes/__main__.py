"""python -m whodoes"""

import sys

from whodoes.cli import main

if __name__ == "__main__":
    sys.exit(main())
