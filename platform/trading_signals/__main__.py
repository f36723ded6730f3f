from __future__ import annotations

from trading_signals.cli import main

if __name__ == "__main__":
    main()
