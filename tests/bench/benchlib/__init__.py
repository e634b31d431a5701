"""Brigade's benchmark suite: Brigade against the peers in ../shared/peers (see ../README.md)."""
